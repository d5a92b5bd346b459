"""What every form of the review page shares: the stage it was drawn at, dates and text areas."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_HELP = _("Day/month/year, for example 30/11/2021.")


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=DATE_HELP,
        **kwargs,
    )


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def person_label(user) -> str:
    return f"{user.get_full_name()} ({user.username})"


class ReviewActionForm(forms.Form):
    """Base of every action form: the hidden stage, and service errors mapped onto fields."""

    state = forms.CharField(widget=forms.HiddenInput)
    #: service error field -> form field, where the names differ
    service_fields: dict[str, str] = {}

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        if review is not None:
            self.fields["state"].initial = review.state

    def form_field_for(self, service_field: str | None) -> str | None:
        if not service_field:
            return None
        name = self.service_fields.get(service_field, service_field)
        return name if name in self.fields and name != "state" else None

    def add_service_error(self, error) -> None:
        self.add_error(self.form_field_for(getattr(error, "field", None)), str(error))
