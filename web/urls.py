"""The pages' URLs.  The namespace stays ``review_process`` (``{% url 'review_process:…' %}`` in templates,
e-mails and viewflow's pages); every action URL is POST only.  The record forms share one view, routed to
their row of ``web.views.record_forms.RECORD_FORMS`` by the ``key`` kwarg."""

from django.urls import path

from web.views import (
    attachments,
    audit_trail,
    corrections,
    home,
    overview,
    people,
    profile,
    records,
    report_compare,
    review_page,
    rounds,
    tasks,
    transitions,
)

app_name = "review_process"


def record(route: str, key: str, name: str):
    return path(f"reviews/<int:pk>/{route}", records.record_post, {"key": key}, name=name)


urlpatterns = [
    path("", home.home, name="home"),
    path("reviews/open/", home.review_open_view, name="review-open"),
    path("profile/", profile.profile, name="profile"),
    path("profile/token/", profile.token_create, name="profile-token-create"),
    path("profile/token/revoke/", profile.token_revoke, name="profile-token-revoke"),
    path("overview/", overview.overview, name="overview"),
    path("overview/<int:year>/", overview.overview, name="overview-year"),
    path("reviews/<int:pk>/", review_page.review_detail, name="review-detail"),
    path("reviews/<int:pk>/report/compare/", report_compare.report_compare, name="report-compare"),
    path("reviews/<int:pk>/audit-trail/", audit_trail.audit_trail_page, name="audit-trail"),
    # The task list, a task's page and a review's procedure chart (web/views/tasks.py; viewflow's pages are not
    # mounted).
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/<int:task_pk>/", tasks.task_detail, name="task-detail"),
    path("reviews/<int:pk>/procedure/", tasks.review_procedure, name="review-procedure"),
    path(
        "reviews/<int:pk>/report-versions/<int:version_id>/attachment",
        attachments.report_version_attachment,
        name="report-version-attachment",
    ),
    # One URL per action; each is POST only.
    path("reviews/<int:pk>/transitions/<str:name>/", transitions.transition_run, name="transition"),
    record("report/", "report", "report-version-add"),
    record("opinions/", "opinion", "opinion-add"),
    record("opinions/spoken/", "spoken", "opinion-record-spoken"),
    path(
        "reviews/<int:pk>/opinions/<int:opinion_id>/response/",
        records.opinion_respond_post,
        name="opinion-respond",
    ),
    record("conference/", "conference", "conference-record"),
    record("guidance/", "guidance", "guidance-add"),
    record("self-assessment/", "assessment", "self-assessment-set"),
    record("decision/", "decision", "decision-set"),
    record("ballot/", "ballot", "ballot-record"),
    record("notification/", "notification", "notification-record"),
    record("remedial-plan/", "plan", "remedial-plan-set"),
    record("participants/", "invite", "participant-invite"),
    record("opinions/accept-all/", "acceptall", "opinions-accept-all"),
    path(
        "reviews/<int:pk>/guidance/<int:guidance_id>/correct/",
        corrections.guidance_update_post,
        name="guidance-update",
    ),
    path(
        "reviews/<int:pk>/guidance/<int:guidance_id>/withdraw/",
        corrections.guidance_withdraw_post,
        name="guidance-withdraw",
    ),
    path(
        "reviews/<int:pk>/participants/<int:participant_id>/revoke/",
        corrections.participant_revoke_post,
        name="participant-revoke",
    ),
    path("reviews/<int:pk>/people/", people.people_search_json, name="people-search"),
    path("rating-rounds/", rounds.round_list, name="round-list"),
    path("rating-rounds/open/", rounds.round_open_post, name="round-open"),
    path("rating-rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("rating-rounds/<int:pk>/entries/", rounds.round_entries_post, name="round-entries"),
    path("rating-rounds/<int:pk>/decide/", rounds.round_decide_post, name="round-decide"),
    path("rating-rounds/<int:pk>/correction/", rounds.round_supersede_post, name="round-supersede"),
]
