"""The REST API's views, by resource (see ``api.views.common`` for what they share)."""

from api.views.compliance import ComplianceListView, ReviewComplianceView
from api.views.records import (
    AuditTrailView,
    ConferenceView,
    DecisionView,
    GuidanceView,
    NotificationView,
    OpinionResponseView,
    OpinionsView,
    ParticipantsView,
    RemedialPlanView,
    ReportVersionsView,
    SelfAssessmentView,
)
from api.views.reviews import OrganizationListView, ReviewDetailView, ReviewListCreateView, TransitionView

__all__ = [
    "AuditTrailView",
    "ComplianceListView",
    "ConferenceView",
    "DecisionView",
    "GuidanceView",
    "NotificationView",
    "OpinionResponseView",
    "OpinionsView",
    "OrganizationListView",
    "ParticipantsView",
    "RemedialPlanView",
    "ReportVersionsView",
    "ReviewComplianceView",
    "ReviewDetailView",
    "ReviewListCreateView",
    "SelfAssessmentView",
    "TransitionView",
]
