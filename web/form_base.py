"""What every form of the review page shares: the stage it was drawn at, dates, texts and their limits.

* ``day_field``: the day a step happened (``occurred_on``), as the person states it: a date input whose default
  is today and whose ``max`` is today (the browser's picker); the service checks it again (not after today, in
  order with the review's other days: ``date_in_future``, ``date_out_of_order``, ``year_out_of_range``).
* ``limited_text``: a text field whose length limit is ``review_process.limits.TEXT_LIMITS[kind]`` (the one table
  the services enforce with ``text_too_long``): ``maxlength`` in the page, and a translated error naming the limit
  and the length when a longer text is posted anyway.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review_process.limits import TEXT_LIMITS

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_HELP = _("Day/month/year, for example 30/11/2021.")
ISO_DAY = "%Y-%m-%d"  # the value format of <input type="date"> (the browser shows the person's own format)

TOO_LONG = _("Too long: at most %(limit_value)s characters are allowed; this text has %(show_value)s. Shorten it.")


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


class DayInput(forms.DateInput):
    """``<input type="date">`` with ``max`` = today (computed when drawn, not when the module was imported)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DAY)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("max", timezone.localdate().strftime(ISO_DAY))
        return context


def day_field(label=None, **kwargs) -> forms.DateField:
    """The day a step happened (``occurred_on``): today by default (drawn filled in; left empty, the service takes
    today), never after today."""
    kwargs.setdefault("help_text", _("The day it actually happened (today if it is happening now)."))
    kwargs.setdefault("required", False)
    return forms.DateField(
        label=label or _("Date it happened"),
        input_formats=DATE_FORMATS,
        widget=DayInput(),
        initial=timezone.localdate,
        **kwargs,
    )


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def limited_text(kind: str, label, *, rows: int | None = 4, **kwargs) -> forms.CharField:
    """A text of kind ``kind`` (a key of ``TEXT_LIMITS``): a text area (or a one-line input when ``rows`` is
    None) with ``maxlength`` and a clear error beyond it."""
    widget = text_area(rows) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=TEXT_LIMITS[kind],
        widget=widget,
        error_messages={"max_length": TOO_LONG},
        **kwargs,
    )


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

    def error_links(self) -> list[dict]:
        """Each error of this form, for the page's error summary: the field's id (or the form's) and the text."""
        links = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields or isinstance(self.fields[name].widget, forms.HiddenInput):
                anchor, label = f"form-{self.prefix}", ""
            else:
                bound = self[name]
                anchor, label = bound.id_for_label or bound.auto_id, str(bound.label)
            for message in errors:
                links.append({"anchor": anchor, "label": label, "message": str(message)})
        return links
