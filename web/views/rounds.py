"""The rating rounds' pages: ``/rating-rounds/`` (the rounds I can see, and the form that opens one) and
``/rating-rounds/<id>/`` (the table of entries, editable while open, with a live quota counter; the upload; the
vote and the decide button; a decided round read-only with its tally, and the form that opens a correction).

Every rule is the service's (``review_process.services.rounds``): the page shows its error, where it belongs,
with what the person typed kept.  The live counter (``static/js/round.js``) only helps: the server decides.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from review_process.errors import NotFound, ReviewError
from review_process.models import Rating, RoundState, RoundSubject
from review_process.ratings import RATING_ORDER, Vote
from review_process.selectors.rounds import (
    direct_subordinates,
    rating_bodies_of,
    round_get_for_user,
    round_role,
    round_view,
    rounds_visible_to,
)
from review_process.services.round_rows import FIELDS, entries_from_file
from review_process.services.rounds import entries_upsert, round_decide, round_open, round_supersede

LIST_TEMPLATE = "review_process/round_list.html"
DETAIL_TEMPLATE = "review_process/round_detail.html"
BLANK_MEMBER_ROWS = 5


class OpenRoundForm(forms.Form):
    organization = forms.ChoiceField(label=gettext_lazy("Rating body"))
    subject = forms.ChoiceField(label=gettext_lazy("Rated"), choices=RoundSubject.choices)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2018, max_value=2200)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o, _subjects in bodies]


class VoteForm(forms.Form):
    members = forms.IntegerField(label=gettext_lazy("Members of the body"), min_value=1)
    present = forms.IntegerField(label=gettext_lazy("Present"), min_value=0)
    votes_for = forms.IntegerField(label=gettext_lazy("For"), min_value=0)
    against = forms.IntegerField(label=gettext_lazy("Against"), min_value=0, initial=0)
    abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0, initial=0)

    def vote(self) -> dict:
        data = self.cleaned_data
        return {
            "members": data["members"],
            "present": data["present"],
            "for": data["votes_for"],
            "against": data["against"] or 0,
            "abstain": data["abstain"] or 0,
        }


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the decided round corrected?"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _round_or_404(request, pk):
    try:
        return round_get_for_user(user=request.user, round_id=pk)
    except NotFound:
        raise Http404() from None


def _round_url(round_) -> str:
    return reverse("review_process:round-detail", args=[round_.pk])


# --- the list -------------------------------------------------------------------------------------------


def _list(request, form=None, status: int = 200):
    bodies = rating_bodies_of(user=request.user)
    rounds = rounds_visible_to(user=request.user).order_by("-year", "organization__path", "subject", "-pk")
    context = {
        "nav": "rounds",
        "rounds": rounds,
        "open_form": form
        or (OpenRoundForm(bodies=bodies, initial={"year": timezone.localdate().year - 1}) if bodies else None),
        "bodies": bodies,
    }
    return render(request, LIST_TEMPLATE, context, status=status)


@login_required
@require_GET
def round_list(request):
    return _list(request)


@login_required
@require_POST
def round_open_post(request):
    form = OpenRoundForm(request.POST, bodies=rating_bodies_of(user=request.user))
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        round_ = round_open(
            organization_code=form.cleaned_data["organization"],
            year=form.cleaned_data["year"],
            subject=form.cleaned_data["subject"],
            by=request.user,
        )
    except ReviewError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _list(request, form, status=error.status)
    messages.success(request, _("Rating round opened: add the rated entries below."))
    return redirect(_round_url(round_))


# --- one round ------------------------------------------------------------------------------------------


def _rows(view: dict, may_edit: bool, posted: list[dict] | None = None) -> list[dict]:
    """The table's rows: the entries (or what was just typed), then, while open, the organisations directly
    below the body not yet in the round (organisations), or a few blank rows (members, leaders)."""
    if posted is not None:
        return posted
    rows = [{"key": e.key, **{f: getattr(e, f) for f in FIELDS}, "saved": True} for e in view["entries"]]
    if not may_edit:
        return rows
    round_ = view["round"]
    if round_.subject == RoundSubject.ORGANIZATIONS:
        keys = {row["key"] for row in rows}
        for organization in direct_subordinates(organization=round_.organization, year=round_.year):
            if organization.code not in keys:
                rows.append({"key": organization.code, "name": organization.name, "fixed_key": True})
    else:
        rows += [{"key": ""} for _ in range(BLANK_MEMBER_ROWS)]
    return rows


def _detail(request, round_, *, posted=None, vote_form=None, correction_form=None, error=None, status=200):
    view = round_view(round_)
    role = round_role(user=request.user, organization=round_.organization, subject=round_.subject)
    may_edit = role is not None and round_.state == RoundState.OPEN
    if error is not None:
        messages.error(request, str(error))
    context = {
        "nav": "rounds",
        "r": view,
        "rows": _rows(view, may_edit, posted),
        "may_edit": may_edit,
        "may_correct": role is not None and round_.state == RoundState.DECIDED and not view["open_correction"],
        "ratings": [(value, Rating(value).label) for value in reversed(RATING_ORDER)],
        "tally": [
            (Rating(value).label, view["counts"]["proposed"][value], view["counts"]["final"][value])
            for value in reversed(RATING_ORDER)
        ],
        "vote": Vote.from_dict(view["vote"]),
        "vote_form": vote_form or VoteForm(prefix="vote"),
        "correction_form": correction_form or CorrectionForm(prefix="correction"),
        "subject_label": RoundSubject(round_.subject).label,
        "state_label": RoundState(round_.state).label,
    }
    return render(request, DETAIL_TEMPLATE, context, status=status)


@login_required
@require_GET
def round_detail(request, pk: int):
    return _detail(request, _round_or_404(request, pk))


def _posted_rows(post) -> list[dict]:
    """The table's rows as typed: one list per column, blank new rows left out."""
    keys = post.getlist("key")
    columns = {name: post.getlist(name) for name in FIELDS}
    saved = set(post.getlist("saved"))
    rows = []
    for i, key in enumerate(keys):
        row = {"key": key.strip(), **{name: (values[i] if i < len(values) else "") for name, values in columns.items()}}
        if not row["key"] and not any(row[name] for name in FIELDS):
            continue
        if row["key"] not in saved and not any(row[name] for name in ("proposed_rating", "final_rating")):
            if not row.get("reason") and not row.get("group"):
                continue  # an offered subordinate left untouched
        rows.append(row)
    return rows


@login_required
@require_POST
def round_entries_post(request, pk: int):
    round_ = _round_or_404(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            entries_upsert(rating_round=round_, by=request.user, entries=entries_from_file(upload), row_offset=2)
            rows = None
        else:
            rows = _posted_rows(request.POST)
            entries_upsert(rating_round=round_, by=request.user, entries=rows)
    except ReviewError as error:
        return _detail(
            request, round_, posted=None if upload else _posted_rows(request.POST), error=error, status=error.status
        )
    messages.success(request, _("Entries saved."))
    return redirect(_round_url(round_) + "#entries")


@login_required
@require_POST
def round_decide_post(request, pk: int):
    round_ = _round_or_404(request, pk)
    form = VoteForm(request.POST, prefix="vote")
    if not form.is_valid():
        return _detail(request, round_, vote_form=form, status=400)
    try:
        round_decide(rating_round=round_, by=request.user, vote=form.vote())
    except ReviewError as error:
        return _detail(request, round_, vote_form=form, error=error, status=error.status)
    messages.success(request, _("The round is decided."))
    return redirect(_round_url(round_))


@login_required
@require_POST
def round_supersede_post(request, pk: int):
    round_ = _round_or_404(request, pk)
    form = CorrectionForm(request.POST, prefix="correction")
    if not form.is_valid():
        return _detail(request, round_, correction_form=form, status=400)
    try:
        new = round_supersede(rating_round=round_, by=request.user, reason=form.cleaned_data["reason"])
    except ReviewError as error:
        return _detail(request, round_, correction_form=form, error=error, status=error.status)
    messages.success(request, _("Correction round opened from the decided entries."))
    return redirect(_round_url(new))
