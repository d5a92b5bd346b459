"""The review and the records its stages produce (one module per concern; this package re-exports them)."""

from review_process.models.audit import AuditChainHead, AuditDirectoryHead, AuditEvent, AuditSeal
from review_process.models.ballot import Ballot
from review_process.models.records import (
    Attendance,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    OpinionChannel,
    OpinionResponse,
    RemedialItem,
    RemedialPlan,
    ReportVersion,
    ResponseDecision,
    ReviewParticipant,
    SelfAssessment,
)
from review_process.models.review import (
    ACTIVE_STATES,
    CANCELLABLE_STATES,
    TRANSITION_NAMES,
    Rating,
    Review,
    ReviewKind,
    ReviewState,
)
from review_process.models.rounds import RatingEntry, RatingRound, RoundState, RoundSubject

__all__ = [
    "Ballot",
    "ACTIVE_STATES",
    "CANCELLABLE_STATES",
    "TRANSITION_NAMES",
    "Attendance",
    "AuditChainHead",
    "AuditDirectoryHead",
    "AuditEvent",
    "AuditSeal",
    "Conference",
    "Decision",
    "Guidance",
    "Notification",
    "Opinion",
    "OpinionChannel",
    "OpinionResponse",
    "Rating",
    "RatingEntry",
    "RatingRound",
    "RemedialItem",
    "RemedialPlan",
    "ReportVersion",
    "ResponseDecision",
    "Review",
    "ReviewKind",
    "ReviewParticipant",
    "ReviewState",
    "RoundState",
    "RoundSubject",
    "SelfAssessment",
]
