from django.urls import path

from review_process import views

app_name = "review_process"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/open/", views.review_open_view, name="review-open"),
    path("overview/", views.overview, name="overview"),
    path("overview/<int:year>/", views.overview, name="overview-year"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/report/compare/", views.report_compare, name="report-compare"),
    path("reviews/<int:pk>/audit-trail/", views.audit_trail_page, name="audit-trail"),
    # One URL per action; each is POST only.
    path("reviews/<int:pk>/transitions/<str:name>/", views.transition_run, name="transition"),
    path("reviews/<int:pk>/report/", views.report_version_post, name="report-version-add"),
    path("reviews/<int:pk>/opinions/", views.opinion_post, name="opinion-add"),
    path("reviews/<int:pk>/opinions/spoken/", views.spoken_opinion_post, name="opinion-record-spoken"),
    path(
        "reviews/<int:pk>/opinions/<int:opinion_id>/response/",
        views.opinion_respond_post,
        name="opinion-respond",
    ),
    path("reviews/<int:pk>/conference/", views.conference_post, name="conference-record"),
    path("reviews/<int:pk>/guidance/", views.guidance_post, name="guidance-add"),
    path("reviews/<int:pk>/self-assessment/", views.self_assessment_post, name="self-assessment-set"),
    path("reviews/<int:pk>/decision/", views.decision_post, name="decision-set"),
    path("reviews/<int:pk>/notification/", views.notification_post, name="notification-record"),
    path("reviews/<int:pk>/remedial-plan/", views.remedial_plan_post, name="remedial-plan-set"),
    path("reviews/<int:pk>/participants/", views.participant_invite_post, name="participant-invite"),
]
