"""The REST API's views, by resource (see ``api.views.common`` for what they share)."""

from api.views.ballot import BallotView
from api.views.compliance import ComplianceListView, ReviewComplianceView
from api.views.corrections import (
    GuidanceDetailView,
    GuidanceWithdrawView,
    OpinionsAcceptAllView,
    ParticipantDetailView,
    PeopleSearchView,
)
from api.views.exports import ExportDetailView, ExportFileView, ExportListView
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
from api.views.rounds import (
    RatingRoundDecideView,
    RatingRoundDetailView,
    RatingRoundEntriesView,
    RatingRoundListCreateView,
)
from api.views.tokens import TokenView

__all__ = [
    "BallotView",
    "AuditTrailView",
    "ComplianceListView",
    "ConferenceView",
    "ExportDetailView",
    "ExportFileView",
    "ExportListView",
    "DecisionView",
    "GuidanceDetailView",
    "GuidanceView",
    "GuidanceWithdrawView",
    "NotificationView",
    "OpinionResponseView",
    "OpinionsAcceptAllView",
    "OpinionsView",
    "OrganizationListView",
    "ParticipantDetailView",
    "ParticipantsView",
    "PeopleSearchView",
    "RatingRoundDecideView",
    "RatingRoundDetailView",
    "RatingRoundEntriesView",
    "RatingRoundListCreateView",
    "RemedialPlanView",
    "ReportVersionsView",
    "ReviewComplianceView",
    "ReviewDetailView",
    "ReviewListCreateView",
    "SelfAssessmentView",
    "TokenView",
    "TransitionView",
]
