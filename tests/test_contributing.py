"""CONTRIBUTING.md's checklists, each followed once here, so that they are known to be complete."""

import dataclasses

import pytest
from django_fsm import FSMField, transition
from rest_framework.test import APIClient

from review_process import machine, regimes
from review_process.availability import available_actions
from review_process.compliance import blocking
from review_process.compliance import rules as rules_package
from review_process.compliance.rules.base import Citation, Severity, failed, passed, rule
from review_process.errors import Conflict
from review_process.models import Review, ReviewState
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db


def test_adding_a_compliance_rule_blocks_its_transition_everywhere_and_removing_it_unblocks(
    monkeypatch, walker, people
):
    # Checklist "Add a compliance rule", steps 1-2: one object, its check beside it, the transitions it blocks.
    @rule(
        code="throwaway_two_versions",
        severity=Severity.BLOCKING,
        citation=Citation("Quy chế làm việc (thử)", tag="I"),
        title_vi="Có ít nhất hai bản báo cáo",
        title_en="At least two report versions",
        checks_what="A rule added and removed by this test.",
        blocks=("circulate_draft",),
    )
    def throwaway(f):
        return passed("ok") if len(f.versions) >= 2 else failed("Add a second version first.")

    monkeypatch.setattr(rules_package, "RULES", (*rules_package.RULES, throwaway))
    monkeypatch.setattr(blocking, "BLOCKING_RULES", (*blocking.BLOCKING_RULES, throwaway))
    review = walker.to_state("draft", prepared=True)  # one draft version: the guard passes, the rule fails

    verdict = available_actions(people.secretary, Review.objects.get(pk=review.pk))["circulate_draft"]
    assert (verdict.allowed, verdict.code) == (False, "throwaway_two_versions")
    client = APIClient()
    client.force_authenticate(people.secretary)
    assert "circulate_draft" not in client.get(f"/api/v1/reviews/{review.pk}/").json()["available_transitions"]
    with pytest.raises(Conflict) as error:
        review_transition(review=review, name="circulate_draft", by=people.secretary)
    assert error.value.code == "throwaway_two_versions"

    monkeypatch.undo()  # the rule removed: the step is open again
    assert review_transition(review=review, name="circulate_draft", by=people.secretary).state == (
        ReviewState.COLLECTING_OPINIONS
    )


def test_adding_a_regime_makes_its_years_open_and_read_their_rules(monkeypatch, people):
    # Checklist "Add a regime": a regime for the years the table does not reach yet (2018 here is cut short).
    trimmed = tuple(r for r in regimes.REGIMES if r.code != "2018")
    assert regimes.regime_for(2018) is not None
    monkeypatch.setattr(regimes, "REGIMES", trimmed)
    assert regimes.regime_for(2018) is None
    added = dataclasses.replace(
        next(r for r in regimes.REGIMES if r.code == "2019-2022"), code="2018-test", first_year=2018, last_year=2018
    )
    monkeypatch.setattr(regimes, "REGIMES", (added, *trimmed))
    review = review_open(organization_code="LB-DG", year=2018, by=people.secretary)
    assert review.regime.code == "2018-test"


class ArchivableReview(Review):
    """Checklist "Add a stage", step 1, on a throw-away proxy: one more transition, declared on the class."""

    class Meta:
        proxy = True
        app_label = "review_process"

    @transition(field=Review._meta.get_field("state"), source=ReviewState.CLOSED, target=ReviewState.CLOSED)
    def archive(self, *, by, reason: str = "") -> None:
        pass


def test_a_new_transition_is_read_from_the_state_machine_not_restated():
    # Step 6: nothing lists transitions by hand; the derivation picks the new one up from the class.
    names = tuple(name for name, attr in vars(ArchivableReview).items() if hasattr(attr, "_django_fsm"))
    assert names == ("archive",)
    assert machine.TRANSITION_NAMES == tuple(n for n, a in vars(Review).items() if hasattr(a, "_django_fsm"))
    assert isinstance(Review._meta.get_field("state"), FSMField)
