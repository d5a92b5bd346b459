"""What every record write shares: the locked read of the review, the authorisation, small input checks.

Record services (``review_process.services.drafting``, ``.conference``, ``.rating``) each authorise, lock,
change and audit in one transaction.  Whether the person may write a record at this stage is answered by
``review_process.availability`` (the same verdict the pages and the API show).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models import User
from review_process import dates
from review_process.availability import require_record
from review_process.errors import InvalidInput
from review_process.grants import acting_role
from review_process.limits import TEXT_LABELS, TEXT_LIMITS, TEXT_TOO_LONG
from review_process.models import Review

TEXT_REQUIRED = _("This field may not be blank.")
UNKNOWN_PERSON = _("No person with the username “%(username)s”.")


def locked(review: Review | int) -> Review:
    """The review, read again under a row lock (the caller holds the transaction)."""
    pk = review.pk if isinstance(review, Review) else review
    return Review.objects.select_for_update().select_related("organization").get(pk=pk)


def authorise(review: Review, by, action: str) -> str:
    """Return the acting role, or raise NotFound / Forbidden / Conflict (``availability.record_verdict``)."""
    require_record(by, review, action)
    return acting_role(user=by, review=review, action=action)


def require_text(value: str, field: str, *, limit: str | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(TEXT_REQUIRED, code="blank", field=field)
    return limit_text(value, field, limit=limit) if limit else value


def limit_text(value: str, field: str, *, limit: str) -> str:
    """``value`` stripped, or 400 ``text_too_long`` naming the field and the limit (``review_process.limits``)."""
    value = (value or "").strip()
    maximum = TEXT_LIMITS[limit]
    if len(value) > maximum:
        raise InvalidInput(
            TEXT_TOO_LONG,
            code="text_too_long",
            field=field,
            params={"label": TEXT_LABELS[limit], "length": len(value), "limit": maximum},
        )
    return value


def dated(
    review: Review, event: str, occurred_on: datetime.date | None, *, field: str = "occurred_on"
) -> datetime.date:
    """The day ``event`` happened (default today), or 400 ``date_in_future`` / ``date_out_of_order``
    (``review_process.dates``: the rules the compliance report applies too)."""
    day = occurred_on or timezone.localdate()
    error = dates.review_event_error(review, event, day, field=field)
    if error is not None:
        raise error
    return day


def person(username: str, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(UNKNOWN_PERSON, code="unknown_person", field=field, params={"username": username})
    return user
