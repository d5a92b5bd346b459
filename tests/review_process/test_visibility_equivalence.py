"""``reviews_visible_to`` asks guardian's index in its own SQL (one ``IN`` over a ``UNION``): it must give exactly
the reviews guardian's ``get_objects_for_user`` gives for the review's view permission (object permissions only,
the person's and their groups'), for every persona, at every stage, for an invited participant, an individual
review, a group's permission and a permission revoked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from review_process.models import Review
from review_process.selectors.reviews import VIEW_PERM, reviews_visible_to
from review_process.services.records import participant_invite
from tests.conftest import PERSONAS
from workflows.services import review_open

pytestmark = pytest.mark.django_db


def guardian_answer(user) -> set[int]:
    reviews = get_objects_for_user(
        user, VIEW_PERM, klass=Review.objects.all(), accept_global_perms=False, with_superuser=False
    )
    return set(reviews.values_list("pk", flat=True))


def assert_same_for_everyone(people) -> None:
    for persona in PERSONAS:
        user = getattr(people, persona)
        ours = set(reviews_visible_to(user=user).values_list("pk", flat=True))
        assert ours == guardian_answer(user), persona


@pytest.mark.parametrize("state", ["draft", "collecting_opinions", "awaiting_guidance", "submitted", "closed"])
def test_the_same_reviews_as_guardian_for_every_persona_and_stage(walker, people, state):
    review = walker.to_state(state)
    individual = review_open(organization_code="LB-DG", year=2021, kind="individual", subject="ntlan", by=people.board)
    assert_same_for_everyone(people)
    # Someone sees something and someone does not: the comparison is not between two empty sets.
    assert {review.pk, individual.pk} <= set(reviews_visible_to(user=people.auditor).values_list("pk", flat=True))
    assert not reviews_visible_to(user=people.outsider).exists()


def test_an_invited_participant_sees_that_review_only(walker, people):
    invited = walker.to_state("draft")
    participant_invite(review=invited, by=people.secretary, username="guest")
    other = review_open(organization_code="LB-DG", year=2021, kind="individual", subject="ntlan", by=people.board)
    assert list(reviews_visible_to(user=people.guest).values_list("pk", flat=True)) == [invited.pk]
    assert other.pk not in guardian_answer(people.guest)
    assert_same_for_everyone(people)


def test_a_groups_permission_counts_and_a_revoked_one_does_not(walker, people):
    review = walker.to_state("draft")
    group = Group.objects.create(name="readers")
    people.outsider.groups.add(group)
    assign_perm(VIEW_PERM, group, review)
    assert list(reviews_visible_to(user=people.outsider).values_list("pk", flat=True)) == [review.pk]
    assert_same_for_everyone(people)
    remove_perm(VIEW_PERM, group, review)
    assert not reviews_visible_to(user=people.outsider).exists()
    remove_perm(VIEW_PERM, people.member, review)
    assert review.pk not in set(reviews_visible_to(user=people.member).values_list("pk", flat=True))
    assert_same_for_everyone(people)


def test_anonymous_sees_nothing():
    assert not reviews_visible_to(user=AnonymousUser()).exists()
