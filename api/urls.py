from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("organizations/", views.OrganizationListView.as_view(), name="organizations"),
    path("reviews/", views.ReviewListCreateView.as_view(), name="reviews"),
    path("reviews/<int:review_id>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:review_id>/transitions/<str:name>/", views.TransitionView.as_view(), name="transition"),
    path("reviews/<int:review_id>/report-versions/", views.ReportVersionsView.as_view(), name="report-versions"),
    path("reviews/<int:review_id>/opinions/", views.OpinionsView.as_view(), name="opinions"),
    path(
        "reviews/<int:review_id>/opinions/accept-all/",
        views.OpinionsAcceptAllView.as_view(),
        name="opinions-accept-all",
    ),
    path(
        "reviews/<int:review_id>/opinions/<int:opinion_id>/response/",
        views.OpinionResponseView.as_view(),
        name="opinion-response",
    ),
    path("reviews/<int:review_id>/participants/", views.ParticipantsView.as_view(), name="participants"),
    path(
        "reviews/<int:review_id>/participants/<int:participant_id>/",
        views.ParticipantDetailView.as_view(),
        name="participant-detail",
    ),
    path("reviews/<int:review_id>/people/", views.PeopleSearchView.as_view(), name="people"),
    path("reviews/<int:review_id>/conference/", views.ConferenceView.as_view(), name="conference"),
    path("reviews/<int:review_id>/guidance/", views.GuidanceView.as_view(), name="guidance"),
    path(
        "reviews/<int:review_id>/guidance/<int:guidance_id>/",
        views.GuidanceDetailView.as_view(),
        name="guidance-detail",
    ),
    path(
        "reviews/<int:review_id>/guidance/<int:guidance_id>/withdraw/",
        views.GuidanceWithdrawView.as_view(),
        name="guidance-withdraw",
    ),
    path("reviews/<int:review_id>/self-assessment/", views.SelfAssessmentView.as_view(), name="self-assessment"),
    path("reviews/<int:review_id>/decision/", views.DecisionView.as_view(), name="decision"),
    path("reviews/<int:review_id>/notification/", views.NotificationView.as_view(), name="notification"),
    path("reviews/<int:review_id>/remedial-plan/", views.RemedialPlanView.as_view(), name="remedial-plan"),
    path("reviews/<int:review_id>/ballot/", views.BallotView.as_view(), name="ballot"),
    path("reviews/<int:review_id>/audit-trail/", views.AuditTrailView.as_view(), name="audit-trail"),
    path("reviews/<int:review_id>/compliance/", views.ReviewComplianceView.as_view(), name="review-compliance"),
    path("compliance/", views.ComplianceListView.as_view(), name="compliance"),
    path("compliance/exports/", views.ExportListView.as_view(), name="exports"),
    path("compliance/exports/<int:export_id>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("compliance/exports/<int:export_id>/file", views.ExportFileView.as_view(), name="export-file"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("rating-rounds/", views.RatingRoundListCreateView.as_view(), name="rating-rounds"),
    path("rating-rounds/<int:round_id>/", views.RatingRoundDetailView.as_view(), name="rating-round-detail"),
    path("rating-rounds/<int:round_id>/entries/", views.RatingRoundEntriesView.as_view(), name="rating-round-entries"),
    path("rating-rounds/<int:round_id>/decide/", views.RatingRoundDecideView.as_view(), name="rating-round-decide"),
]
