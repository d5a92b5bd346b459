"""The audit trail as the compliance checks read it, and the days things happened.

``TrailEvent`` is one audit event as ``compliance.facts`` loads it: the columns a check reads (``TRAIL_FIELDS``)
and ``stated_day``, the ``occurred_on`` of its payload read in the query, with ``records``, the fingerprints the
payload carries (the rest of the payloads is never loaded). It is a plain object, not a model instance: a bulk audit reads about twenty per review.
``TransitionIndex`` groups a review's transition events by name once, so "did this step happen, and when"
costs a dictionary look-up in every rule that asks.

Dates: a check judges the day a thing happened, as the person who recorded it stated it, never the moment it
was typed in. ``record_day`` reads a record's ``occurred_on``, ``event_day`` the ``occurred_on`` of an event's
payload; for rows written before ``occurred_on`` existed both fall back to the day they were recorded, in Hà Nội
time (``local_date``).
"""

from __future__ import annotations

import datetime
import zoneinfo

TRANSITION_PREFIX = "review.transition."
#: Hà Nội time: the day a timestamp fell on, for rows recorded before ``occurred_on`` existed.
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

#: The columns of an audit event a check reads (``TrailEvent``'s attributes, besides ``stated_day``).
TRAIL_FIELDS = (
    "id",
    "review_id",
    "sequence",
    "global_sequence",
    "action",
    "actor_id",
    "actor_role",
    "occurred_at",
    "from_state",
    "to_state",
)


class TrailEvent:
    """One audit event of a review's trail, as read for the checks (``TRAIL_FIELDS`` and ``stated_day``), and the
    ``"records"`` of its payload as JSON text (None when it fingerprints none): the compliance report checks the
    rows against them (``record_check.altered_records``) without reading the events a second time."""

    __slots__ = (*TRAIL_FIELDS, "stated_day", "records")

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<TrailEvent {self.id} {self.action} #{self.sequence}>"


class TransitionIndex:
    """A review's transition events by transition name, in the trail's order (built once per review)."""

    __slots__ = ("by_name",)

    def __init__(self, events) -> None:
        by_name: dict[str, list] = {}
        cut = len(TRANSITION_PREFIX)
        for event in events:
            action = event.action
            if action.startswith(TRANSITION_PREFIX):
                by_name.setdefault(action[cut:], []).append(event)
        self.by_name = by_name

    def all(self, name: str | None = None) -> list:
        if name is None:
            return [e for events in self.by_name.values() for e in events]
        return self.by_name.get(name, [])


def local_date(moment: datetime.datetime) -> datetime.date:
    """The day ``moment`` fell on in Hà Nội."""
    return moment.astimezone(HANOI).date()


def as_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return local_date(value)
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def record_day(record, recorded: str = "created_at") -> datetime.date | None:
    """The day ``record`` happened: its ``occurred_on``, else (a row written before ``occurred_on`` existed) the
    day its ``recorded`` timestamp fell on in Hà Nội."""
    if record is None:
        return None
    stated = getattr(record, "occurred_on", None)
    if stated is not None:
        return stated
    moment = getattr(record, recorded, None)
    return local_date(moment) if moment is not None else None


def event_day(event) -> datetime.date:
    """The day a step happened: the ``occurred_on`` of its audit event's payload, else the day it was recorded
    (Hà Nội). Events loaded for the checks carry it as ``stated_day``; an ``AuditEvent`` is read from its payload."""
    stated = getattr(event, "stated_day", None)
    if stated is None and "payload" in getattr(event, "__dict__", ()):
        stated = (event.payload or {}).get("occurred_on")
    return as_date(stated) or local_date(event.occurred_at)
