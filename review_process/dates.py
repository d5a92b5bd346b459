"""The days a review's events happened (``occurred_on``) and the rules they follow: one check, two uses.

Every event of a review carries the day it happened, as the person who records it states it (default: today),
besides the time it was recorded (kept by the audit trail). The services refuse a date that breaks a rule below;
the compliance rules find the same breaches with the same functions. The checks read plain dates, never the
database, except ``known_dates`` (what the services compare a new date with).

Rules:

* ``future_error``: no event happens after today (code ``date_in_future``); a conference dated in 2030 is
  refused, not saved as "held";
* ``order_error`` / ``event_error`` / ``sequence_errors``: the events follow the procedure's order (code
  ``date_out_of_order``, the message names both events and both days); ``ORDER`` lists the pairs: the draft
  before its circulation; opinions between the circulation and the conference; the conference after the
  circulation; guidance on or after the conference; its confirmation (``give_guidance``) on or after the guidance;
  the final report on or after the guidance; the submission on or after the final report; the decision on or after
  the submission; the approval on or after the decision; the notification and the remedial plan on or after the
  approval, the plan's due dates strictly after it; the closing on or after the notification and the plan.
  Days are compared as days: "after" means "not before" except for the due dates;
* ``year_error``: a review's year lies between ``FIRST_YEAR`` and the current year (code ``year_out_of_range``).

Event names (the keys of a dates mapping): ``draft``, ``circulation``, ``opinion``, ``conference``,
``opinions_closed``, ``guidance``, ``guidance_confirmed``, ``final_report``, ``submission``, ``return``,
``decision``, ``approval``, ``notification``, ``remedial_plan``, ``due_date``, ``close``. ``TRANSITION_EVENTS``
maps each transition to its event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from permissions.statements import Compiled
from review_process.errors import InvalidInput

FIRST_YEAR = 2018

DATE_IN_FUTURE = _("%(event)s cannot be dated %(day)s: that is after today (%(today)s).")
DATE_OUT_OF_ORDER = _("%(later)s (%(later_day)s) cannot be dated before %(earlier)s (%(earlier_day)s).")
DATE_NOT_AFTER = _("%(later)s (%(later_day)s) must be dated after %(earlier)s (%(earlier_day)s).")
YEAR_OUT_OF_RANGE = _("A review's year is between %(first)s and the current year (%(current)s), not %(year)s.")

#: How each event is named in a message.
EVENT_LABELS = {
    "draft": _("the draft report"),
    "revision": _("the report version"),
    "circulation": _("the circulation of the draft"),
    "opinion": _("the opinion"),
    "conference": _("the review conference"),
    "opinions_closed": _("the closing of opinions"),
    "guidance": _("the guidance"),
    "guidance_confirmed": _("the confirmation of the guidance"),
    "final_report": _("the final report"),
    "response": _("the response to an opinion"),
    "self_assessment": _("the self-assessment"),
    "submission": _("the submission"),
    "return": _("the return for revision"),
    "decision": _("the decision"),
    "approval": _("the approval"),
    "notification": _("the notification of results"),
    "remedial_plan": _("the remedial plan"),
    "due_date": _("the due date of a remedial item"),
    "close": _("the closing of the review"),
    "cancel": _("the cancellation"),
    "withdraw": _("the withdrawal"),
}

#: The event each transition dates.
TRANSITION_EVENTS = {
    "circulate_draft": "circulation",
    "close_opinions": "opinions_closed",
    "give_guidance": "guidance_confirmed",
    "submit_assessment": "submission",
    "approve": "approval",
    "return_for_revision": "return",
    "close": "close",
    "cancel": "cancel",
    "withdraw": "withdraw",
}


class Order(NamedTuple):
    """``earlier`` happens before ``later`` (the same day allowed unless ``strict``). ``both``: a record of the
    earlier event is also checked against the later ones already recorded (records that can be entered in any
    order: the opinions, the conference and the guidance); otherwise only the later event is checked."""

    earlier: str
    later: str
    strict: bool = False
    both: bool = False


ORDER: tuple[Order, ...] = (
    Order("draft", "circulation"),
    Order("circulation", "opinion"),
    Order("opinion", "conference", both=True),
    Order("circulation", "conference"),
    Order("conference", "opinions_closed"),
    Order("conference", "guidance", both=True),
    Order("guidance", "guidance_confirmed"),
    Order("guidance", "final_report"),
    Order("final_report", "submission"),
    Order("submission", "return"),
    Order("submission", "decision"),
    Order("decision", "approval"),
    Order("approval", "notification"),
    Order("approval", "remedial_plan"),
    Order("approval", "due_date", strict=True),
    Order("notification", "close"),
    Order("remedial_plan", "close"),
)

Dates = Mapping[str, Iterable[datetime.date | None]]


def _label(event: str, *, first: bool = False) -> str:
    label = str(EVENT_LABELS.get(event, event))
    return capfirst(label) if first else label


def _show(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


def future_error(
    day: datetime.date, *, event: str, field: str = "occurred_on", today: datetime.date | None = None
) -> InvalidInput | None:
    """``day`` is after today (``date_in_future``)?"""
    today = today or timezone.localdate()
    if day > today:
        return InvalidInput(
            DATE_IN_FUTURE,
            code="date_in_future",
            field=field,
            params={"event": _label(event, first=True), "day": _show(day), "today": _show(today)},
        )
    return None


def order_error(
    earlier: str,
    earlier_day: datetime.date | None,
    later: str,
    later_day: datetime.date | None,
    *,
    strict: bool = False,
    field: str = "occurred_on",
) -> InvalidInput | None:
    """Does ``later`` (on ``later_day``) come too early after ``earlier`` (on ``earlier_day``)? None when either is
    unknown."""
    if earlier_day is None or later_day is None:
        return None
    if later_day > earlier_day or (later_day == earlier_day and not strict):
        return None
    return InvalidInput(
        DATE_NOT_AFTER if strict else DATE_OUT_OF_ORDER,
        code="date_out_of_order",
        field=field,
        params={
            "earlier": _label(earlier),
            "earlier_day": _show(earlier_day),
            "later": _label(later, first=True),
            "later_day": _show(later_day),
        },
    )


def _days(dates: Dates, event: str) -> list[datetime.date]:
    return [d for d in dates.get(event, ()) or () if d is not None]


def event_error(
    dates: Dates,
    event: str,
    day: datetime.date | None,
    *,
    field: str = "occurred_on",
    record: bool = False,
    today: datetime.date | None = None,
) -> InvalidInput | None:
    """The first rule ``event`` on ``day`` breaks, given the ``dates`` already known (``known_dates``): the future,
    then every earlier event (its latest day), then, for a ``record`` whose pair says ``both``, every later event
    already recorded (its earliest day)."""
    if day is None:
        return None
    error = future_error(day, event=event, field=field, today=today)
    if error is not None:
        return error
    for rule in ORDER:
        if rule.later == event and (days := _days(dates, rule.earlier)):
            error = order_error(rule.earlier, max(days), event, day, strict=rule.strict, field=field)
        elif record and rule.both and rule.earlier == event and (days := _days(dates, rule.later)):
            error = order_error(event, day, rule.later, min(days), strict=rule.strict, field=field)
        else:
            continue
        if error is not None:
            return error
    return None


def sequence_errors(dates: Dates, *, today: datetime.date | None = None) -> list[InvalidInput]:
    """Every rule a complete set of dates breaks (the compliance report's reading): each day after today, then
    each pair of ``ORDER`` out of order (the latest earlier day against the earliest later day)."""
    found: list[InvalidInput] = []
    for event, days in dates.items():
        for day in days or ():
            if day is not None and (error := future_error(day, event=event, today=today)) is not None:
                found.append(error)
                break
    for rule in ORDER:
        earlier, later = _days(dates, rule.earlier), _days(dates, rule.later)
        if earlier and later:
            error = order_error(rule.earlier, max(earlier), rule.later, min(later), strict=rule.strict)
            if error is not None:
                found.append(error)
    return found


def year_error(year: int, *, today: datetime.date | None = None, field: str = "year") -> InvalidInput | None:
    """A review's year must lie between ``FIRST_YEAR`` and the current year (``year_out_of_range``)."""
    current = (today or timezone.localdate()).year
    if not FIRST_YEAR <= year <= current:
        return InvalidInput(
            YEAR_OUT_OF_RANGE,
            code="year_out_of_range",
            field=field,
            params={"first": FIRST_YEAR, "current": current, "year": year},
        )
    return None


# --- What the services compare a new date with (the only reads of the database here) ---


def _one(review, name):
    try:
        return getattr(review, name)
    except ObjectDoesNotExist:
        return None


def conference_day(conference) -> datetime.date | None:
    """The day the conference was held, in local time (None without a conference)."""
    return None if conference is None else timezone.localtime(conference.held_at).date()


def _latest_report_day(is_final: bool) -> Compiled:
    """The latest day of the review's final (or draft) report versions: ``MAX(occurred_on)``, compiled once."""
    return Compiled(
        lambda review_id: (
            apps.get_model("review_process", "ReportVersion")
            .objects.filter(review_id=review_id, is_final=is_final, occurred_on__isnull=False)
            .order_by("-occurred_on")
            .values_list("occurred_on")[:1]
        ),
        int,
    )


_LATEST_REPORT_DAY = {is_final: _latest_report_day(is_final) for is_final in (False, True)}


def _latest_report(review, *, is_final: bool) -> datetime.date | None:
    row = _LATEST_REPORT_DAY[is_final].first_row(review.pk)
    return row[0] if row is not None else None


def _reader(review, event: str) -> list[datetime.date | None]:
    """The known days of ``event`` on ``review`` (one query at most; the one-to-one records the guards already
    read are cached on the instance)."""
    match event:
        case "draft":
            return [_latest_report(review, is_final=False)]
        case "circulation":
            return [review.circulated_on]
        case "opinion":
            return list(review.opinions.values_list("occurred_on", flat=True))
        case "conference":
            return [conference_day(_one(review, "conference"))]
        case "guidance":
            return list(review.guidance.live().values_list("occurred_on", flat=True))
        case "final_report":
            return [_latest_report(review, is_final=True)]
        case "submission":
            return [review.submitted_on]
        case "decision":
            decision = _one(review, "decision")
            return [decision.occurred_on if decision else None]
        case "approval":
            return [review.approved_on]
        case "notification":
            notification = _one(review, "notification")
            return [notification.notified_on if notification else None]
        case "remedial_plan":
            plan = _one(review, "remedial_plan")
            return [plan.occurred_on if plan else None]
        case "close":
            return [review.closed_on]
    return []


def known_dates(review, event: str, *, record: bool = False) -> dict[str, list[datetime.date | None]]:
    """The days of the events ``event`` is compared with (``event_error``), read from ``review`` and its records."""
    wanted = {rule.earlier for rule in ORDER if rule.later == event}
    if record:
        wanted |= {rule.later for rule in ORDER if rule.earlier == event and rule.both}
    return {name: _reader(review, name) for name in sorted(wanted)}


def review_event_error(
    review, event: str, day: datetime.date | None, *, field: str = "occurred_on", record: bool = True
) -> InvalidInput | None:
    """The first date rule ``event`` on ``day`` would break on ``review`` (None when it breaks none)."""
    if day is None:
        return None
    return event_error(known_dates(review, event, record=record), event, day, field=field, record=record)


def transition_error(review, name: str, day: datetime.date | None) -> InvalidInput | None:
    """The first date rule transition ``name`` on ``day`` (default today) would break on ``review``."""
    event = TRANSITION_EVENTS.get(name, name)
    return review_event_error(review, event, day or timezone.localdate(), record=False)
