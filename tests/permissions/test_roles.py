"""Pin the facts of the role table that the procedure depends on (domain-rules.md §5)."""

from permissions.roles import ROLE_ACTIONS, Action, Role, roles_allowed
from review_process.machine import RECORD_ACTIONS, TRANSITION_NAMES


def test_each_transition_has_exactly_the_roles_of_the_procedure():
    assert {t: set(roles_allowed(t)) for t in TRANSITION_NAMES} == {
        "circulate_draft": {"secretary"},
        "close_opinions": {"secretary"},
        "give_guidance": {"organization_board"},
        "submit_assessment": {"secretary"},
        "approve": {"standing_committee"},
        "return_for_revision": {"standing_committee"},
        "close": {"organization_board"},
        "cancel": {"standing_committee"},
        "withdraw": {"secretary", "organization_board"},  # those who may open a review (and only its opener)
    }


def test_inspection_is_read_only():
    assert ROLE_ACTIONS[Role.INSPECTION] == {"view", "view_audit_trail"}


def test_everyone_in_the_line_can_see_but_only_readers_of_the_record_see_the_audit_trail():
    assert all("view" in actions for actions in ROLE_ACTIONS.values())
    assert "view_audit_trail" not in ROLE_ACTIONS[Role.COMMITTEE_MEMBER]
    assert "view_audit_trail" not in ROLE_ACTIONS[Role.PARTICIPANT]


def test_every_action_of_the_role_table_is_a_transition_of_the_state_machine_or_a_record_or_a_read():
    reads = {Action.VIEW, Action.VIEW_AUDIT_TRAIL}
    assert set(Action.values) == set(TRANSITION_NAMES) | set(RECORD_ACTIONS) | reads
