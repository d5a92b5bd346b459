"""Every role x every transition x every state, plus an outsider and an invited participant.

Allowed exactly where ROLE_ACTIONS and the FSM say; refused everywhere else with the right error,
and a refused action changes nothing (state, audit trail, tasks).
"""

import pytest
from django.db import transaction
from viewflow.workflow.models import Task

from permissions.roles import roles_allowed
from review_process.availability import available_transitions
from review_process.errors import Conflict, Forbidden, NotFound
from review_process.models import TRANSITION_NAMES, AuditEvent, Review, ReviewState
from review_process.services import records
from tests.conftest import PERSONAS, VOTE, Rollback
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


def sources(name):
    return set(getattr(Review, name)._django_fsm.transitions.keys())


def snapshot(review):
    return (
        Review.objects.get(pk=review.pk).state,
        AuditEvent.objects.filter(review=review).count(),
        sorted(Task.objects.filter(process__reviewprocess__review=review).values_list("id", "status", "owner_id")),
    )


@pytest.mark.parametrize("state", [s.value for s in ReviewState])
def test_each_role_may_run_exactly_the_transitions_the_table_allows(state, walker, people):
    review = walker.ready_at(state)

    outcomes = {}
    for persona, role in PERSONAS.items():
        user = getattr(people, persona)
        for name in TRANSITION_NAMES:
            # ``withdraw`` is the opener's alone (409 ``not_opener`` for the others who hold the action).
            not_opener = name == "withdraw" and user.pk != review.opened_by_id
            expected_ok = role is not None and role in roles_allowed(name) and state in sources(name) and not not_opener
            before = snapshot(review)
            try:
                with transaction.atomic():
                    result = review_transition(review=review.pk, name=name, by=user, reason="Lý do")
                    assert result.state == getattr(Review, name)._django_fsm.get_transition(state).target
                    outcomes[(persona, name)] = "ok"
                    raise Rollback()
            except Rollback:
                pass
            except NotFound:
                outcomes[(persona, name)] = "404"
            except Forbidden:
                outcomes[(persona, name)] = "403"
            except Conflict as error:
                outcomes[(persona, name)] = f"409:{error.code}"
            assert snapshot(review) == before, (persona, name)
            got_ok = outcomes[(persona, name)] == "ok"
            assert got_ok == expected_ok, (persona, name, state, outcomes[(persona, name)])
            if not got_ok:
                if role is None:
                    assert outcomes[(persona, name)] == "404"
                elif role not in roles_allowed(name):
                    assert outcomes[(persona, name)] == "403"
                elif not_opener and state in sources(name):
                    assert outcomes[(persona, name)] == "409:not_opener"
                else:
                    assert outcomes[(persona, name)] == "409:invalid_state"
            # What the API and pages show as available agrees with what the service lets through.
            fresh = Review.objects.get(pk=review.pk)
            if role is not None:
                assert (name in available_transitions(review=fresh, user=user)) == expected_ok, (persona, name)
    assert any(v == "ok" for v in outcomes.values()) or state in ("closed", "cancelled")


def test_the_submitter_cannot_approve_even_with_the_approving_role(walker, people, org):
    from tests.factories import PositionFactory

    # The secretary also sits on the district standing committee (a real possibility in small districts).
    PositionFactory(person=people.secretary, organization=org.lb, role="standing_committee")
    review = walker.to_state("submitted", prepared=True)
    for attempt in (
        lambda: review_transition(review=review, name="approve", by=people.secretary),
        lambda: records.decision_set(review=review, by=people.secretary, final_rating="excellent", vote=VOTE),
    ):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "conflict_of_interest"
    assert Review.objects.get(pk=review.pk).state == "submitted"
    assert "approve" not in available_transitions(review=review, user=people.secretary)
    assert review_transition(review=review, name="approve", by=people.standing).state == "approved"


def test_only_the_direct_superiors_standing_committee_decides_not_a_higher_one_nor_a_superuser(walker, people, org):
    from tests.factories import PositionFactory, UserFactory

    city = UserFactory(username="hn_sc")
    PositionFactory(person=city, organization=org.hn, role="standing_committee")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    review = walker.to_state("submitted", prepared=True)
    for person in (city, root):
        for attempt in (
            lambda person=person: review_transition(review=review, name="approve", by=person),
            lambda person=person: review_transition(review=review, name="return_for_revision", by=person, reason="x"),
            lambda person=person: records.decision_set(review=review, by=person, final_rating="good", vote=VOTE),
        ):
            with pytest.raises((Forbidden, NotFound)):
                attempt()
    assert Review.objects.get(pk=review.pk).state == "submitted"
