"""Regimes as data, pinned per review; explicit moves between regimes; a cancelled review frees its year."""

import dataclasses
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from review_process import ratings, regimes
from review_process.errors import Conflict
from review_process.models import AuditEvent, Review
from workflows.services import review_open, review_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_review_stores_its_regime_when_opened_and_the_api_shows_it(people):
    review = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    assert review.regime_code == "2019-2022"
    assert review.regime_rules["quota_scopes"]["organizations"] is None
    client = APIClient()
    client.force_authenticate(people.secretary)
    assert client.get(f"/api/v1/reviews/{review.pk}/").json()["regime"] == "2019-2022"
    opened = AuditEvent.objects.get(review=review, action="review.opened")
    assert opened.payload["regime"] == "2019-2022"


def test_a_pinned_review_keeps_its_rules_when_the_regime_table_changes(monkeypatch, people):
    review = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    # The table changes: 2019-2022 now scores out of 100 (as if a new guidance said so).
    changed = tuple(
        dataclasses.replace(r, scheme="score", thresholds=(90, 70, 50)) if r.code == "2019-2022" else r
        for r in regimes.REGIMES
    )
    monkeypatch.setattr(regimes, "REGIMES", changed)
    assert regimes.regime_for(2021).uses_score
    pinned = Review.objects.get(pk=review.pk).regime
    assert pinned.code == "2019-2022" and not pinned.uses_score
    # A review opened now gets the new definition.
    other = review_open(organization_code="LB-TT", year=2021, by=people.outsider)
    assert other.regime.uses_score


@override_settings(REVIEW_REGIME_OVERRIDES={"2019-2022": {"head_not_above_collective": False, "draft_notice_days": 9}})
def test_per_regime_overrides_from_settings_are_read(people):
    regime = regimes.regime_for(2021)
    assert regime.head_not_above_collective is False
    assert regime.draft_notice_days == 9
    assert regimes.regime_for(2023).draft_notice_days == 3  # other regimes keep the default


def test_migrate_regime_dry_run_lists_and_the_real_run_records(people):
    review = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    other = review_open(organization_code="LB-TT", year=2021, by=people.outsider)
    review_transition(review=other, name="cancel", by=people.standing, reason="Mở nhầm")
    out = io.StringIO()
    call_command("migrate_regime", "--from", "2019-2022", "--to", "2025+", "--dry-run", stdout=out)
    assert f"review #{review.pk}: LB-DG 2021" in out.getvalue()
    assert f"review #{other.pk}" not in out.getvalue()  # cancelled: never moved
    assert "scheme" in out.getvalue()
    assert Review.objects.get(pk=review.pk).regime_code == "2019-2022"
    events = AuditEvent.objects.count()

    out = io.StringIO()
    call_command("migrate_regime", "--from", "2019-2022", "--to", "2025+", "--organization", "LB", stdout=out)
    moved = Review.objects.get(pk=review.pk)
    assert (moved.regime_code, moved.regime.uses_score) == ("2025+", True)
    event = AuditEvent.objects.get(review=review, action="review.regime_migrated")
    assert (event.payload["from"], event.payload["to"]) == ("2019-2022", "2025+")
    assert AuditEvent.objects.count() == events + 1
    # From now on the review follows its new rules: a rating needs a score.
    assert ratings.assessment_error(moved.regime, "good", None).code == "score_required"


def test_a_cancelled_review_does_not_lock_the_year(people):
    first = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    with pytest.raises(Conflict) as error:
        review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    assert error.value.code == "review_exists"
    review_transition(review=first, name="cancel", by=people.standing, reason="Mở nhầm năm")
    second = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    assert second.pk != first.pk and second.state == "draft"
    with pytest.raises(Conflict):
        review_open(organization_code="LB-DG", year=2021, by=people.secretary)


def test_a_superuser_flag_gives_no_power_over_reviews(people):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    review = review_open(organization_code="LB-DG", year=2021, by=people.secretary)
    client = APIClient()
    client.force_authenticate(root)
    assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert client.get("/api/v1/reviews/").json()["count"] == 0
    response = client.post("/api/v1/reviews/", {"organization": "LB-TT", "year": 2021}, format="json")
    assert response.status_code == 404
