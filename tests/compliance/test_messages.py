"""The cached look-ups of compliance.messages give what Django's give, in the language active at the time."""

import pytest
from django.utils import translation

from review_process.compliance import messages
from review_process.compliance.facts import facts_for
from review_process.compliance.rules import RULES_BY_CODE
from review_process.models import Rating, ReviewState

TEXT = "No conference has been recorded yet."


@pytest.mark.parametrize("language", ["vi", "en"])
def test_texts_and_labels_are_django_s(language):
    with translation.override(language):
        assert messages.gettext(TEXT) == translation.gettext(TEXT)
        assert messages.ngettext("%(n)s opinion accepted", "%(n)s opinions accepted", 2) == translation.ngettext(
            "%(n)s opinion accepted", "%(n)s opinions accepted", 2
        )
        assert messages.choice_label(Rating, Rating.GOOD) == str(Rating.GOOD.label)
        assert messages.choice_label(ReviewState, "closed") == str(ReviewState.CLOSED.label)
        assert messages.choice_label(Rating, "unknown") == "unknown"


def test_a_pinned_language_holds_until_the_block_ends():
    with translation.override("vi"):
        vietnamese = messages.gettext(TEXT)
        with messages.pinned_language() as pinned:
            assert pinned == "vi" == messages.pinned()
            with translation.override("en"):  # the checks never switch; if something did, the pin wins
                assert messages.gettext(TEXT) == vietnamese
        assert messages.pinned() is None
    with translation.override("en"):
        assert messages.gettext(TEXT) == TEXT != vietnamese


@pytest.mark.django_db
def test_a_rule_evaluates_outside_a_report_even_with_translations_off(clean_review):
    facts = facts_for(clean_review)
    with translation.override(None):  # deactivate_all: get_language() is None
        finding = RULES_BY_CODE["draft_notice"].evaluate(facts)
    assert finding.status == "pass" and finding.message.startswith("The draft was circulated")
