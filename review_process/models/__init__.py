"""The review and the records its stages produce (one module per concern; this package re-exports them)."""

from review_process.models.audit import AuditChainHead, AuditEvent
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

__all__ = [
    "ACTIVE_STATES",
    "CANCELLABLE_STATES",
    "TRANSITION_NAMES",
    "Attendance",
    "AuditChainHead",
    "AuditEvent",
    "Conference",
    "Decision",
    "Guidance",
    "Notification",
    "Opinion",
    "OpinionChannel",
    "OpinionResponse",
    "Rating",
    "RemedialItem",
    "RemedialPlan",
    "ReportVersion",
    "ResponseDecision",
    "Review",
    "ReviewKind",
    "ReviewParticipant",
    "ReviewState",
    "SelfAssessment",
]
