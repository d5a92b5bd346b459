"""Writes of rating rounds: open (or open a correction), upsert entries, decide.

Every write locks the round, checks visibility (404), the role held today in the rating body (403,
``review_process.selectors.rounds.ROUND_ROLES``) and the state (409 ``invalid_state``: a decided round is
immutable), changes, and appends an audit event (``review=None``, action ``rating_round.*``, the round's full
new content in the payload), all in one transaction.

Deciding applies the rules of ``review_process.ratings`` (the same functions the reviews and the compliance
report use): every entry has a final rating, a reason for every final below the proposed one, a vote carried by
more than half of the body's members, the quota of the pinned regime's scope.  A decided round of organisations
writes, in the same transaction, the ``Decision`` of each rated organisation's live collective review (which
must be ``submitted``), with an audit event per review: the review's ``approve`` then only confirms.
A correction is a new round (``round_supersede``) that starts from the entries of a decided one; when it is
decided the old one becomes ``superseded``.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.grants import sync_object_grants
from permissions.models import Organization
from permissions.selectors import organizations_visible_to
from review_process.audit import audit_record
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound, ReviewError
from review_process.grants import ReviewGrantTarget
from review_process.models import (
    Decision,
    Rating,
    RatingEntry,
    RatingRound,
    Review,
    ReviewState,
    RoundState,
    RoundSubject,
    SelfAssessment,
)
from review_process.ratings import FORCED, Vote, quota_errors, reason_error, vote_error
from review_process.regimes import Trigger, regime_for
from review_process.selectors.rounds import (
    direct_subordinates,
    live_collective_reviews,
    positions_held_during,
    ratings_by_group,
    round_entries,
    round_role,
    self_assessments,
)
from review_process.services.round_rows import ENTRY, FIELDS, clean_rows

NOT_A_RATER = _(
    "Only the rating body's secretary (its cells and members) or its standing committee and organisation board "
    "(the organisations below it) may do this."
)
WRONG_STATE = _("The round is %(state)s: it can no longer be changed. To correct it, open a correction round.")
ROUND_EXISTS = _(
    "%(organization)s already has a rating round of %(subject)s for %(year)s (round %(round)s): open a correction "
    "of it instead."
)
YEAR_NOT_SUPPORTED = _("Ratings before 2018 are not supported (no regime is defined for %(year)s).")
ORGANIZATION_NOT_ACTIVE = _("%(organization)s does not exist in %(year)s.")
UNKNOWN_KEY = _("Row %(row)s: “%(key)s” is not an organisation directly below %(body)s in %(year)s.")
FINAL_REQUIRED = _("Entry “%(key)s”: give the final rating.")
NO_ENTRIES = _("The round has no entries: add the rated organisations or members first.")
REVIEW_NOT_SUBMITTED = _(
    "Entry “%(key)s”: the collective review of %(organization)s for %(year)s is not submitted (%(state)s); its "
    "decision can only be set once the self-assessment is submitted."
)
CONFLICT = _("You held a position in %(organization)s during %(year)s and this round rates it: you may not decide it.")
REASON_FOR_CORRECTION = _("Say why the decided round is corrected.")
CORRECTION_OPEN = _("A correction of this round is already open (round %(round)s).")


# --- shared steps ---------------------------------------------------------------------------------------


def _locked(round_: RatingRound | int) -> RatingRound:
    pk = round_.pk if isinstance(round_, RatingRound) else round_
    found = RatingRound.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return RatingRound.objects.select_related("organization").get(pk=found.pk)


def _authorise(round_: RatingRound, by) -> str:
    if not organizations_visible_to(user=by).filter(pk=round_.organization_id).exists():
        raise NotFound()
    role = round_role(user=by, organization=round_.organization, subject=round_.subject)
    if role is None:
        raise Forbidden(NOT_A_RATER)
    return role


def _require_open(round_: RatingRound) -> None:
    if round_.state != RoundState.OPEN:
        raise Conflict(WRONG_STATE, code="invalid_state", params={"state": RoundState(round_.state).label})


def snapshot(round_: RatingRound) -> dict:
    """The round's full content, as the audit trail keeps it."""
    return {
        "round": round_.pk,
        "organization": round_.organization.code,
        "year": round_.year,
        "subject": round_.subject,
        "regime": round_.regime_code,
        "state": round_.state,
        "vote": round_.vote,
        "supersedes": round_.supersedes_id,
        "supersede_reason": round_.supersede_reason,
        "entries": [{"key": e.key, **{f: getattr(e, f) for f in FIELDS}} for e in round_entries(round_)],
    }


def _audit(round_: RatingRound, by, role: str, action: str, from_state: str = "", **extra) -> None:
    audit_record(
        review=None,
        actor=by,
        role=role,
        action=f"rating_round.{action}",
        from_state=from_state,
        to_state=round_.state,
        payload={**snapshot(round_), **extra},
    )


# --- open -----------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(*, organization_code: str, year: int, subject: str, by) -> RatingRound:
    """Open a round of ``subject`` for ``year``, rated by ``organization_code``; it pins the regime of the year."""
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None or not organizations_visible_to(user=by).filter(pk=organization.pk).exists():
        raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
    if subject not in RoundSubject.values:
        raise InvalidInput(_("Unknown subject."), code="invalid_subject", field="subject")
    role = round_role(user=by, organization=organization, subject=subject)
    if role is None:
        raise Forbidden(NOT_A_RATER)
    regime = regime_for(year)
    if regime is None:
        raise InvalidInput(YEAR_NOT_SUPPORTED, code="year_not_supported", field="year", params={"year": year})
    if not organization.exists_during(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        raise Conflict(
            ORGANIZATION_NOT_ACTIVE,
            code="organization_not_active",
            params={"organization": organization.name, "year": year},
        )
    existing = (
        RatingRound.objects.filter(organization=organization, year=year, subject=subject)
        .filter(state__in=[RoundState.OPEN, RoundState.DECIDED])
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        raise _exists(existing)
    round_ = RatingRound(organization=organization, year=year, subject=subject, opened_by=by)
    round_.pin_regime(regime)  # the rules of the year as they are today (overrides included), kept for good
    _save_new(round_)
    _audit(round_, by, role, "opened")
    return round_


def _exists(existing: RatingRound) -> Conflict:
    return Conflict(
        ROUND_EXISTS,
        code="round_exists",
        params={
            "organization": existing.organization.name,
            "subject": RoundSubject(existing.subject).label,
            "year": existing.year,
            "round": existing.pk,
        },
    )


def _save_new(round_: RatingRound) -> None:
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:  # another round of the body, year and subject was opened at the same moment
        other = RatingRound.objects.filter(
            organization=round_.organization, year=round_.year, subject=round_.subject, state=RoundState.OPEN
        ).first()
        if other is not None and other.supersedes_id is not None:
            raise Conflict(CORRECTION_OPEN, code="correction_open", params={"round": other.pk}) from None
        raise _exists(other or round_) from None


@transaction.atomic
def round_supersede(*, rating_round: RatingRound | int, by, reason: str) -> RatingRound:
    """Open a correction of a decided round: a new open round with the same body, year, subject and pinned
    regime, starting from its entries.  The old round stands until the correction is decided."""
    old = _locked(rating_round)
    role = _authorise(old, by)
    if old.state != RoundState.DECIDED:
        raise Conflict(
            _("Only a decided round can be corrected (this one is %(state)s)."),
            code="invalid_state",
            params={"state": RoundState(old.state).label},
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(REASON_FOR_CORRECTION, code="reason_required", field="reason")
    pending = old.corrections.filter(state=RoundState.OPEN).first()
    if pending is not None:
        raise Conflict(CORRECTION_OPEN, code="correction_open", params={"round": pending.pk})
    new = RatingRound(
        organization=old.organization,
        year=old.year,
        subject=old.subject,
        regime_code=old.regime_code,
        regime_rules=old.regime_rules,
        supersedes=old,
        supersede_reason=reason,
        opened_by=by,
    )
    _save_new(new)
    RatingEntry.objects.bulk_create(
        [
            RatingEntry(
                round=new,
                key=e.key,
                organization_id=e.organization_id,
                position=e.position,
                **{f: getattr(e, f) for f in FIELDS},
            )
            for e in round_entries(old)
        ]
    )
    _audit(new, by, role, "opened")
    return new


# --- entries --------------------------------------------------------------------------------------------


@transaction.atomic
def entries_upsert(*, rating_round: RatingRound | int, by, entries, row_offset: int = 1) -> RatingRound:
    """Add or change entries by ``key``; fields a row leaves out keep their value.  For organisations the key
    is the code of an organisation directly below the rating body in the tree of the round's year, and the
    proposed rating defaults to its collective review's self-assessment.  ``row_offset`` is the number of the
    first row in messages (2 for a file under its header row)."""
    round_ = _locked(rating_round)
    role = _authorise(round_, by)
    _require_open(round_)
    rows = clean_rows(entries, row_offset)
    existing = {entry.key: entry for entry in round_.entries.all()}
    subordinates: dict[str, Organization] = {}
    assessed = {}
    if round_.subject == RoundSubject.ORGANIZATIONS:
        subordinates = {o.code: o for o in direct_subordinates(organization=round_.organization, year=round_.year)}
        for index, key, _given in rows:
            if key not in subordinates:
                raise InvalidInput(
                    UNKNOWN_KEY,
                    code="unknown_key",
                    field=f"entries[{index}].key",
                    params={
                        "row": index + row_offset,
                        "key": key,
                        "body": round_.organization.name,
                        "year": round_.year,
                    },
                )
        ids = [subordinates[key].pk for _index, key, _given in rows]
        assessed = {
            org_id: a.proposed_rating for org_id, a in self_assessments(organization_ids=ids, year=round_.year).items()
        }
    next_position = max((e.position for e in existing.values()), default=0)
    created, changed = [], []
    for _index, key, given in rows:
        entry = existing.get(key)
        if entry is None:
            next_position += 1
            entry = RatingEntry(round=round_, key=key, position=next_position)
            created.append(entry)
        else:
            changed.append(entry)
        for name, value in given.items():
            setattr(entry, name, value)
        organization = subordinates.get(key)
        if organization is not None:
            entry.organization = organization
            entry.name = entry.name or organization.name
            entry.proposed_rating = entry.proposed_rating or assessed.get(organization.pk, "")
        entry.name = entry.name or key
    RatingEntry.objects.bulk_create(created)
    if changed:
        RatingEntry.objects.bulk_update(changed, ["organization", *FIELDS])
    _audit(round_, by, role, "entries_upserted", from_state=round_.state, keys=[key for _i, key, _g in rows])
    return round_


# --- decide ---------------------------------------------------------------------------------------------


def _entry_error(entries: list[RatingEntry]) -> ReviewError | None:
    for row, entry in enumerate(entries, start=1):
        if not entry.final_rating:
            return InvalidInput(
                FINAL_REQUIRED,
                code="final_rating_required",
                field=f"entries[{row - 1}].final_rating",
                params={"key": entry.key},
            )
        error = reason_error(entry.proposed_rating or None, entry.final_rating, entry.reason)
        if error is not None:
            return InvalidInput(
                ENTRY,
                code=error.code,
                field=f"entries[{row - 1}].reason",
                params={"key": entry.key, "row": row, "error": error.message},
            )
    return None


@transaction.atomic
def round_decide(*, rating_round: RatingRound | int, by, vote) -> RatingRound:
    """Record the body's decision on every entry, by a vote of its members; refused with the first error of
    ``review_process.ratings`` (400 missing final rating or reason, 400/409 vote, 409 ``quota_exceeded``).
    A round of organisations also sets the decision of each rated organisation's submitted review."""
    round_ = _locked(rating_round)
    role = _authorise(round_, by)
    entries = round_entries(round_)
    if round_.subject == RoundSubject.ORGANIZATIONS:
        held = positions_held_during(
            user=by, organization_ids=[e.organization_id for e in entries if e.organization_id], year=round_.year
        )
        if held:
            raise Forbidden(
                CONFLICT, code="conflict_of_interest", params={"organization": held[0].name, "year": round_.year}
            )
    _require_open(round_)
    if not entries:
        raise InvalidInput(NO_ENTRIES, code="no_entries", field="entries")
    error = _entry_error(entries)
    if error is not None:
        raise error
    if not isinstance(vote, Vote):
        vote = Vote.from_dict(vote) if isinstance(vote, dict) else None
    error = vote_error(vote)
    if error is not None:
        raise error
    regime = round_.regime
    errors = quota_errors(regime, round_.subject, ratings_by_group(entries)) if regime else []
    if errors:
        raise errors[0]
    now = timezone.now()
    if round_.subject == RoundSubject.ORGANIZATIONS:
        _decide_reviews(round_, entries, by=by, role=role, vote=vote, now=now)
    round_.state, round_.vote, round_.decided_by, round_.decided_at = RoundState.DECIDED, vote.as_dict(), by, now
    round_.save(update_fields=["state", "vote", "decided_by", "decided_at"])
    _audit(round_, by, role, "decided", from_state=RoundState.OPEN)
    if round_.supersedes_id:
        old = RatingRound.objects.select_for_update().select_related("organization").get(pk=round_.supersedes_id)
        old.state = RoundState.SUPERSEDED
        old.save(update_fields=["state"])
        _audit(old, by, role, "superseded", from_state=RoundState.DECIDED, superseded_by=round_.pk)
    return round_


def _decide_reviews(round_: RatingRound, entries: list[RatingEntry], *, by, role: str, vote: Vote, now) -> None:
    """Set the decision of each rated organisation's live collective review (locked; it must be submitted).

    An organisation rated without a review in the engine (party cells often hold theirs on paper) is rated by the
    round's entry alone; a review that exists but is not yet submitted refuses the round (its rating would be
    decided before the organisation's own self-assessment)."""
    found = live_collective_reviews(organization_ids=[e.organization_id for e in entries], year=round_.year)
    locked = {
        r.organization_id: r
        for r in Review.objects.select_for_update()
        .select_related("organization")
        .filter(pk__in=[r.pk for r in found.values()])
    }
    for entry in entries:
        review = locked.get(entry.organization_id)
        if review is None:
            continue
        if review.state != ReviewState.SUBMITTED:
            raise Conflict(
                REVIEW_NOT_SUBMITTED,
                code="review_not_submitted",
                params={
                    "key": entry.key,
                    "organization": entry.name,
                    "year": round_.year,
                    "state": ReviewState(review.state).label,
                },
            )
        assessment = SelfAssessment.objects.filter(review=review).first()
        forcing = [t for t in (assessment.triggers if assessment else []) if t in round_.regime.triggers]
        if forcing and entry.final_rating != Rating.NOT_COMPLETE:
            error = FORCED % {"trigger": Trigger(forcing[0]).label}
            raise InvalidInput(
                ENTRY,
                code="forced_not_complete",
                field="final_rating",
                params={"key": entry.key, "row": entries.index(entry) + 1, "error": error},
            )
    for entry in entries:
        review = locked.get(entry.organization_id)
        if review is None:  # rated by the round's entry alone
            continue
        decided = {"final_rating": entry.final_rating, "score": None, "triggers": [], "reason": entry.reason}
        decided["vote"] = vote.as_dict()
        decision, _created = Decision.objects.update_or_create(
            review=review, defaults={**decided, "decided_by": by, "decided_at": now, "rating_round": round_}
        )
        audit_record(
            review=review,
            actor=by,
            role=role,
            action="review.decision.set",
            records=[decision],
            from_state=review.state,
            to_state=review.state,
            payload={**decided, "rating_round": round_.pk},
        )
        sync_object_grants(ReviewGrantTarget(), review, only_user_ids=[by.pk])  # the decider keeps read access
