"""Every text has a length limit (``review_process.limits``), refused with a translated message naming the field and
the limit; the self-assessment states its basis."""

import pytest

from review_process.errors import InvalidInput
from review_process.limits import TEXT_LIMITS
from review_process.models import AuditEvent, Guidance, SelfAssessment
from review_process.services import records
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


def test_guidance_longer_than_its_limit_is_refused(walker, people, english):
    review = walker.to_state("awaiting_guidance")
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        records.guidance_add(review=review, by=people.board, text="x" * 100_000)
    assert (error.value.code, error.value.field) == ("text_too_long", "text")
    assert error.value.message == "The guidance is too long: 100000 characters; at most 10000 are allowed."
    assert not Guidance.objects.filter(review=review).exists() and AuditEvent.objects.count() == before
    records.guidance_add(review=review, by=people.board, text="x" * TEXT_LIMITS["guidance_text"])  # the limit itself


def test_a_report_and_a_reason_have_their_limits(walker, people, english):
    review = walker.open()
    with pytest.raises(InvalidInput) as error:
        records.report_version_add(review=review, by=people.secretary, text="x" * 200_001)
    assert error.value.message == "The report is too long: 200001 characters; at most 200000 are allowed."
    with pytest.raises(InvalidInput) as error:
        review_transition(review=review, name="withdraw", by=people.secretary, reason="x" * 2_001)
    assert (error.value.code, error.value.field) == ("text_too_long", "reason")
    assert error.value.message == "The reason is too long: 2001 characters; at most 2000 are allowed."


def test_the_self_assessment_states_its_basis(walker, people, english):
    review = walker.to_state("finalizing")
    with pytest.raises(InvalidInput) as error:
        records.self_assessment_set(review=review, by=people.secretary, proposed_rating="good", justification="  ")
    assert (error.value.code, error.value.field) == ("basis_required", "justification")
    assert error.value.message == "State the basis of the self-assessment: what the proposed rating rests on."
    assert not SelfAssessment.objects.filter(review=review).exists()
    with pytest.raises(InvalidInput) as error:
        records.self_assessment_set(
            review=review, by=people.secretary, proposed_rating="good", justification="x" * 10_001
        )
    assert error.value.code == "text_too_long"
