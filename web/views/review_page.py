"""The review page: the stage stepper, the next step and what blocks it, the records, the forms of this stage.

What the person may do now comes from ONE call of ``review_process.availability.available_actions`` per page:
a record form is shown when its action is allowed; a transition's form is shown when the stage and the
person's role allow it, with its button disabled and the verdict's message beside it when a guard of the
procedure or a blocking compliance rule refuses it (exactly what the service would answer).  The "Next step"
box names the transition out of the stage (``review_process.machine``), who takes it, and, for a person who
may take it, what still stands in its way.  No rule lives here.

The page is ordered by stage (``web.views.review_sections``): the current stage's work first, earlier (and
later) stages collapsed with a summary line.  After a POST that comes back with errors, every error is listed at
the top (``error-summary``: focusable, each item a link to its field) and again next to its field, and that form's
section is drawn open.  Corrections have one form per record: a guidance its author may correct or withdraw until
it is confirmed, an invitation the secretary may revoke.  Withdrawing a draft review is offered to the person who
opened it only.  Inviting searches people by name (``invite_q``: the page draws the matches as a plain list; the
script in ``static/js/review.js`` searches as one types, through ``web.views.people``).

An individual review of a leader also says whose review it is (the subject and their title that year) and shows
the secret-ballot tally as ``review_process.services.individual.ballot_for`` lets this person see it: hidden from
the person reviewed until the rating is decided (the service's ``tally_hidden`` message is shown instead).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from permissions.models import Position
from permissions.roles import LOCAL_ROLES, Action, Role
from review_process import machine
from review_process.access import may
from review_process.availability import Verdict, available_actions, transition_obstacles
from review_process.errors import Forbidden, ReviewError
from review_process.models import Rating, Review, ReviewKind
from review_process.selectors import (
    deadline_label,
    review_deadlines,
    review_overdue,
    review_people,
    review_records,
)
from review_process.selectors import people as people_selectors
from review_process.services.individual import ballot_for
from web import forms as f
from web.diagrams import stage_steps
from web.views.common import draft_get, has_related, review_or_404
from web.views.record_forms import (
    NO_PEOPLE,
    RECORD_FORMS,
    build_record_form,
    guidance_edit_form,
    guidance_edit_key,
    guidance_withdraw_form,
    guidance_withdraw_key,
    respond_form,
    respond_key,
    revoke_form,
    revoke_key,
)
from web.views.review_sections import page_sections

TEMPLATE = "review_process/review_detail.html"
WRONG_STAGE = "invalid_state"  # the code of availability's refusal at the wrong stage


def transition_key(name: str) -> str:
    return f"t-{name}"


#: Transitions offered only to the person who opened the review (anyone else is not shown them at all).
OPENER_ONLY = frozenset({Action.WITHDRAW})


def transition_form(review, name, data=None):
    return f.TransitionForm(
        data=data,
        review=review,
        prefix=transition_key(name),
        requires_reason=machine.requires_reason(name),
        dated=f.dated_transition(name),
    )


def offered(verdict: Verdict) -> bool:
    """Is the transition's form shown? When it is allowed, or refused only by what the review still lacks
    (a guard or a blocking rule: 409, not the wrong stage); never for a role that may not take it."""
    return verdict.allowed or (verdict.status == 409 and verdict.code != WRONG_STAGE)


def offered_to(user, review, name: str, verdict: Verdict) -> bool:
    if name in OPENER_ONLY and review.opened_by_id != user.pk:
        return False
    return offered(verdict)


def _reasons(verdict: Verdict | None) -> list[str]:
    """What stands in the way, in words, when the refusal is about the review (not the role or the stage)."""
    if verdict is None or verdict.allowed or not offered(verdict):
        return []
    return [obstacle.message for obstacle in verdict.obstacles]


def problem_title(key: str) -> str:
    """What the error summary calls the form of ``key``."""
    if key.startswith("t-"):
        return str(Action(key[2:]).label)
    if key.startswith("respond-"):
        return str(Action.RESPOND_OPINION.label)
    if key.startswith("guidance-"):
        return _("Correct the guidance")
    if key.startswith("gwithdraw-"):
        return _("Withdraw the guidance")
    if key.startswith("revoke-"):
        return _("Revoke the invitation")
    if key == "acceptall":
        return _("Accept all remaining opinions")
    return RECORD_FORMS[key].label if key in RECORD_FORMS else key


def problems_of(bound: dict) -> list[dict]:
    """The error summary: one entry per form that came back with errors, each error a link to its field."""
    return [
        {"anchor": f"form-{key}", "title": problem_title(key), "errors": form.error_links()}
        for key, form in bound.items()
        if form is not None and form.errors
    ]


def _guidance(user, review, recs, may_correct: bool, bound: dict) -> list[dict]:
    """Each guidance, with the forms to correct or withdraw it for its author while it may still change."""
    rows = []
    for g in recs["guidance"]:
        mine = may_correct and g.given_by_id == user.pk and g.withdrawn_at is None
        rows.append(
            {
                "guidance": g,
                "edit": (bound.get(guidance_edit_key(g)) or guidance_edit_form(review, g)) if mine else None,
                "withdraw": (bound.get(guidance_withdraw_key(g)) or guidance_withdraw_form(review, g))
                if mine
                else None,
            }
        )
    return rows


def _participants(review, recs, may_revoke: bool, bound: dict) -> list[dict]:
    return [
        {
            "participant": p,
            "revoke": (bound.get(revoke_key(p)) or revoke_form(review, p))
            if may_revoke and p.revoked_at is None
            else None,
        }
        for p in recs["participants"]
    ]


def invite_candidates(request, review) -> tuple[str, list]:
    """The people the name search of the invite form found (``?invite_q=``), for the page without a script."""
    query = (request.GET.get("invite_q") or "").strip()[:100]
    if not query:
        return "", []
    try:
        return query, list(people_selectors.people_search(review=review, by=request.user, query=query))
    except ReviewError:
        return query, []


def _opinions(review, recs, may_respond: bool, bound: dict) -> tuple[list[dict], dict]:
    respond_forms = {}
    if may_respond:
        for opinion in recs["opinions"]:
            respond_forms[opinion.pk] = bound.get(respond_key(opinion)) or respond_form(review, opinion)
    opinions = [
        {
            "opinion": o,
            "response": o.response if has_related(o, "response") else None,
            "form": respond_forms.get(o.pk),
        }
        for o in recs["opinions"]
    ]
    return opinions, respond_forms


#: Which of the subject's positions names them in the heading, when they held several that year.
LEADER_ORDER = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER)


def subject_title(review: Review) -> str:
    """The subject's title in the organisation during the review's year (the position's title, else its role)."""
    positions = (
        Position.objects.held_in_year(review.year)
        .filter(person_id=review.subject_id, organization_id=review.organization_id, role__in=LOCAL_ROLES)
        .order_by("-start")
    )
    best = min(positions, key=lambda p: LEADER_ORDER.index(p.role), default=None)
    if best is None:
        return ""
    return best.title or str(Role(best.role).label)


def individual_context(user, review: Review) -> dict | None:
    """Whose review it is and the tally as ``user`` may see it (None for a collective review)."""
    if review.kind != ReviewKind.INDIVIDUAL or review.subject_id is None:
        return None
    try:
        ballot, hidden = ballot_for(review=review, user=user), ""
    except Forbidden as error:  # the person reviewed, before the decision
        ballot, hidden = None, str(error)
    return {"subject": review.subject, "title": subject_title(review), "ballot": ballot, "tally_hidden": hidden}


def _record_forms(request, review, verdicts, recs, bound, candidates) -> dict:
    """The record forms shown to this person: allowed, and called for by the records (``RecordForm.shown``)."""
    shown = [key for key, spec in RECORD_FORMS.items() if verdicts[spec.action].allowed and spec.shown(recs)]
    needs_people = any(RECORD_FORMS[key].needs_people for key in shown)
    people = review_people(review=review) if needs_people else NO_PEOPLE
    forms = {}
    for key in shown:
        extra = {"candidates": candidates} if key == "invite" else {}
        forms[key] = bound.get(key) or build_record_form(key, request, review, recs, people, extra=extra)
    return forms


def _transitions(user, review, verdicts, bound, next_blockers) -> list[dict]:
    transitions = []
    for name in machine.TRANSITION_NAMES:
        if not offered_to(user, review, name, verdicts[name]):
            continue
        blockers = _reasons(verdicts[name])
        transitions.append(
            {
                "name": name,
                "label": Action(name).label,
                "form": bound.get(transition_key(name)) or transition_form(review, name),
                "blockers": blockers,
                # Blockers already listed under "Next step" are referred to, not repeated.
                "own_blockers": [m for m in blockers if m not in next_blockers],
                "side_exit": machine.is_side_exit(name),
            }
        )
    return transitions


def review_context(request, review: Review, bound: dict | None = None) -> dict:
    """Everything the review page shows; ``bound`` replaces a form by the one the person just posted."""
    user = request.user
    bound = bound or {}
    verdicts = available_actions(user, review)
    recs = review_records(review=review)
    may_invite = verdicts[Action.INVITE_PARTICIPANT].allowed
    invite_query, candidates = invite_candidates(request, review) if may_invite else ("", [])
    forms = _record_forms(request, review, verdicts, recs, bound, candidates)

    opinions, respond_forms = _opinions(review, recs, verdicts[Action.RESPOND_OPINION].allowed, bound)
    unanswered = sum(1 for o in opinions if o["response"] is None)

    next_name = machine.next_transition_from(review.state)
    next_verdict = verdicts.get(next_name) if next_name else None
    # Everyone is told what the next step still lacks, whoever takes it (the same obstacles the taker gets).
    next_blockers = (
        _reasons(next_verdict)
        if next_verdict is not None and offered(next_verdict)
        else [o.message for o in transition_obstacles(review, next_name)]
        if next_name
        else []
    )
    transitions = _transitions(user, review, verdicts, bound, next_blockers)

    action_links = [{"label": RECORD_FORMS[key].label, "anchor": f"form-{key}"} for key in forms]
    if respond_forms and unanswered:
        action_links.insert(0, {"label": Action.RESPOND_OPINION.label, "anchor": "opinions"})
    problems = problems_of(bound)
    record_actions = sorted(a for a in machine.RECORD_ACTIONS if verdicts[a].allowed)
    deadlines = review_deadlines(review)
    overdue = review_overdue(review)
    drafts = {key: draft_get(request, review, key) for key in forms if RECORD_FORMS[key].draft_fields}
    individual = individual_context(user, review)
    return {
        "review": review,
        "steps": stage_steps(review.state),
        "sections": page_sections(
            review=review,
            recs=recs,
            individual=individual,
            error_keys=[p["anchor"].removeprefix("form-") for p in problems],
            unanswered=unanswered,
            ballot=individual["ballot"] if individual else None,
        ),
        "next_name": next_name,
        "next_label": Action(next_name).label if next_name else "",
        "next_roles": machine.waiting_on_roles(review.state),
        "next_blockers": next_blockers,
        # "Nothing is missing" is said only to whoever may take the step: the verdict of anyone else is
        # that their role does not allow it, which says nothing about the review.
        "next_ready": next_verdict is not None and next_verdict.allowed,
        "transitions": [t for t in transitions if not t["side_exit"]],
        "side_exits": [t for t in transitions if t["side_exit"]],
        "forms": forms,
        "modes": {key: RECORD_FORMS[key].mode for key in forms},
        "action_links": action_links,
        "problems": problems,
        "drafts": {k: v for k, v in drafts.items() if v},
        "record_actions": record_actions,
        "has_actions": bool(record_actions or transitions),
        "records": recs,
        "opinions": opinions,
        "unanswered": unanswered,
        "guidance_items": _guidance(user, review, recs, verdicts[Action.ADD_GUIDANCE].allowed, bound),
        "participant_items": _participants(review, recs, may_invite, bound),
        "people_search_form": f.PeopleSearchForm(initial={"invite_q": invite_query}) if "invite" in forms else None,
        "invite_query": invite_query,
        "deadlines": [(deadline_label(k), v) for k, v in deadlines.items() if v],
        "overdue": (deadline_label(overdue[0]), overdue[1]) if overdue else None,
        "can_read_audit": may(user, review, Action.VIEW_AUDIT_TRAIL),
        "process": review.process if has_related(review, "process") else None,
        "ratings": Rating,
        "individual": individual,
    }


def render_review(request, review: Review, bound: dict | None = None, status: int = 200):
    return render(request, TEMPLATE, review_context(request, review, bound), status=status)


@login_required
@require_GET
def review_detail(request, pk):
    return render_review(request, review_or_404(request, pk))
