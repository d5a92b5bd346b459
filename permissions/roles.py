"""Roles, actions, and the one table that says which role may do what.

Everything that decides "may this person do X to this review" reads ROLE_ACTIONS:
the FSM transitions' ``permission=`` callables, the viewflow task permissions, the
services, the API and the web pages.  Grants (django-guardian object permissions)
are derived from it by ``permissions.grants``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Roles held in the reviewed organisation itself.
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    # Roles held in a superior organisation; they cover every organisation below it.
    ORGANIZATION_BOARD = "organization_board", _("Organisation board")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee")
    INSPECTION = "inspection", _("Inspection committee")
    # Granted per review by the secretary's invitation.
    PARTICIPANT = "participant", _("Invited participant")
    # Per review: someone who acted on it keeps read access after their position ends (or their
    # organisation is dissolved).
    PAST_ACTOR = "past_actor", _("Acted on this review")


LOCAL_ROLES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER})
SUPERIOR_ROLES = frozenset({Role.ORGANIZATION_BOARD, Role.STANDING_COMMITTEE, Role.INSPECTION})
POSITION_ROLES = LOCAL_ROLES | SUPERIOR_ROLES  # roles a position can carry (participant is per review)


class Action(models.TextChoices):
    """Everything a person can do to a review. Transition actions share the transition's name: which of them
    are transitions is read from the state machine (``review_process.machine``), never listed here."""

    VIEW = "view", _("See the review and its records")
    VIEW_AUDIT_TRAIL = "view_audit_trail", _("Read the audit trail")
    # Transitions of the prescribed sequence.
    CIRCULATE_DRAFT = "circulate_draft", _("Circulate the draft report")
    CLOSE_OPINIONS = "close_opinions", _("Close the collection of opinions")
    GIVE_GUIDANCE = "give_guidance", _("Confirm the superior's guidance")
    SUBMIT_ASSESSMENT = "submit_assessment", _("Submit the final report and self-assessment")
    APPROVE = "approve", _("Approve the rating")
    RETURN_FOR_REVISION = "return_for_revision", _("Return for revision")
    CLOSE = "close", _("Close and archive")
    CANCEL = "cancel", _("Cancel the review")
    WITHDRAW = "withdraw", _("Withdraw the review opened by mistake")
    # Records.
    ADD_REPORT_VERSION = "add_report_version", _("Add a report version")
    ADD_OPINION = "add_opinion", _("Give an opinion")
    RECORD_OPINION_FOR_OTHERS = "record_opinion_for_others", _("Record an opinion spoken at the conference")
    RESPOND_OPINION = "respond_opinion", _("Respond to an opinion")
    RECORD_CONFERENCE = "record_conference", _("Record the conference")
    ADD_GUIDANCE = "add_guidance", _("Record guidance")
    SET_SELF_ASSESSMENT = "set_self_assessment", _("Propose the self-assessed rating")
    SET_DECISION = "set_decision", _("Decide the final rating")
    RECORD_NOTIFICATION = "record_notification", _("Record the notification of results")
    SET_REMEDIAL_PLAN = "set_remedial_plan", _("File the remedial plan")
    INVITE_PARTICIPANT = "invite_participant", _("Invite participants")
    RECORD_BALLOT = "record_ballot", _("Record the secret-ballot tally")


_A = Action
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SECRETARY: frozenset(
        {
            _A.VIEW,
            _A.VIEW_AUDIT_TRAIL,
            _A.CIRCULATE_DRAFT,
            _A.CLOSE_OPINIONS,
            _A.SUBMIT_ASSESSMENT,
            _A.ADD_REPORT_VERSION,
            _A.RECORD_OPINION_FOR_OTHERS,
            _A.RESPOND_OPINION,
            _A.RECORD_CONFERENCE,
            _A.SET_SELF_ASSESSMENT,
            _A.SET_REMEDIAL_PLAN,
            _A.INVITE_PARTICIPANT,
            _A.RECORD_BALLOT,
            _A.WITHDRAW,
        }
    ),
    Role.DEPUTY_SECRETARY: frozenset(
        {_A.VIEW, _A.VIEW_AUDIT_TRAIL, _A.ADD_REPORT_VERSION, _A.ADD_OPINION, _A.RECORD_BALLOT}
    ),
    Role.COMMITTEE_MEMBER: frozenset({_A.VIEW, _A.ADD_OPINION}),
    Role.PARTICIPANT: frozenset({_A.VIEW, _A.ADD_OPINION}),
    Role.ORGANIZATION_BOARD: frozenset(
        {
            _A.VIEW,
            _A.VIEW_AUDIT_TRAIL,
            _A.GIVE_GUIDANCE,
            _A.ADD_GUIDANCE,
            _A.ADD_OPINION,
            _A.RECORD_NOTIFICATION,
            _A.CLOSE,
            _A.WITHDRAW,
        }
    ),
    Role.STANDING_COMMITTEE: frozenset(
        {
            _A.VIEW,
            _A.VIEW_AUDIT_TRAIL,
            _A.APPROVE,
            _A.RETURN_FOR_REVISION,
            _A.CANCEL,
            _A.SET_DECISION,
            _A.ADD_GUIDANCE,
            _A.ADD_OPINION,
            _A.RECORD_BALLOT,
        }
    ),
    Role.INSPECTION: frozenset({_A.VIEW, _A.VIEW_AUDIT_TRAIL}),
    Role.PAST_ACTOR: frozenset({_A.VIEW, _A.VIEW_AUDIT_TRAIL}),
}

#: Deciding, approving and returning a review belong to the standing committee of the reviewed organisation's
#: *direct* superior (HD 25 Mục 3; HD 43 "Ban thường vụ cấp trên trực tiếp"). A superior role held higher up
#: ("@above") carries the role's other actions only.
COMPETENT_BODY_ACTIONS = frozenset({Action.SET_DECISION, Action.APPROVE, Action.RETURN_FOR_REVISION})
ABOVE = "@above"


def above(role: str) -> str:
    """The role held in a superior organisation that is not the direct superior."""
    return f"{role}{ABOVE}"


def base_role(role: str) -> str:
    return role.removesuffix(ABOVE)


def actions_of(role: str) -> frozenset[str]:
    """The actions a (possibly "@above") role carries: ROLE_ACTIONS, less the competent body's if above."""
    actions = ROLE_ACTIONS[base_role(role)]
    return actions - COMPETENT_BODY_ACTIONS if role.endswith(ABOVE) else actions


# Who may open a review of an organisation: its own secretary, or the organisation board above it (they hold
# ``WITHDRAW`` too: the one who opened a review may withdraw it while it is a draft).
OPEN_REVIEW_ROLES = frozenset({Role.SECRETARY, Role.ORGANIZATION_BOARD})


def roles_allowed(action: str) -> frozenset[str]:
    """The roles whose holders may take ``action`` (a reading of ROLE_ACTIONS)."""
    return frozenset(role for role, actions in ROLE_ACTIONS.items() if action in actions)


def review_codename(action: str) -> str:
    """The guardian permission codename on a review for ``action``."""
    return f"{action}_review"
