"""The day events happened (``occurred_on``) and the corrections (withdrawn guidance, revoked participants).

Existing rows get the local day of the timestamp they were recorded at; a review's ``circulated_on`` is the day
of its first ``circulate_draft`` event. The new ``withdraw`` action adds a permission on reviews.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

DATED = {
    "ReportVersion": "created_at",
    "Opinion": "created_at",
    "OpinionResponse": "responded_at",
    "Guidance": "created_at",
    "Decision": "decided_at",
    "RemedialPlan": "updated_at",
}


def _day(moment):
    return None if moment is None else django.utils.timezone.localtime(moment).date()


def backfill(apps, schema_editor):
    for model_name, stamp in DATED.items():
        model = apps.get_model("review_process", model_name)
        rows = list(model.objects.only("pk", stamp))
        for row in rows:
            row.occurred_on = _day(getattr(row, stamp))
        model.objects.bulk_update(rows, ["occurred_on"], batch_size=500)
    Review = apps.get_model("review_process", "Review")
    AuditEvent = apps.get_model("review_process", "AuditEvent")
    circulated = {}
    events = AuditEvent.objects.filter(action="review.transition.circulate_draft").order_by("sequence")
    for review_id, moment in events.values_list("review_id", "occurred_at"):
        circulated.setdefault(review_id, moment)
    reviews = list(Review.objects.only("pk", "submitted_at", "approved_at", "closed_at"))
    for review in reviews:
        review.circulated_on = _day(circulated.get(review.pk))
        review.submitted_on = _day(review.submitted_at)
        review.approved_on = _day(review.approved_at)
        review.closed_on = _day(review.closed_at)
    Review.objects.bulk_update(reviews, ["circulated_on", "submitted_on", "approved_on", "closed_on"], batch_size=500)


def _occurred_on():
    return models.DateField(default=django.utils.timezone.localdate, verbose_name="occurred on")


def _dated_on(label):
    return models.DateField(blank=True, null=True, verbose_name=label)


def _person():
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0010_audit_seals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="review",
            options={
                "default_permissions": ("add", "change", "delete"),
                "ordering": ["-year", "organization__path"],
                "permissions": [
                    ("view_review", "See the review and its records"),
                    ("view_audit_trail_review", "Read the audit trail"),
                    ("circulate_draft_review", "Circulate the draft report"),
                    ("close_opinions_review", "Close the collection of opinions"),
                    ("give_guidance_review", "Confirm the superior's guidance"),
                    ("submit_assessment_review", "Submit the final report and self-assessment"),
                    ("approve_review", "Approve the rating"),
                    ("return_for_revision_review", "Return for revision"),
                    ("close_review", "Close and archive"),
                    ("cancel_review", "Cancel the review"),
                    ("withdraw_review", "Withdraw the review opened by mistake"),
                    ("add_report_version_review", "Add a report version"),
                    ("add_opinion_review", "Give an opinion"),
                    ("record_opinion_for_others_review", "Record an opinion spoken at the conference"),
                    ("respond_opinion_review", "Respond to an opinion"),
                    ("record_conference_review", "Record the conference"),
                    ("add_guidance_review", "Record guidance"),
                    ("set_self_assessment_review", "Propose the self-assessed rating"),
                    ("set_decision_review", "Decide the final rating"),
                    ("record_notification_review", "Record the notification of results"),
                    ("set_remedial_plan_review", "File the remedial plan"),
                    ("invite_participant_review", "Invite participants"),
                    ("record_ballot_review", "Record the secret-ballot tally"),
                ],
                "verbose_name": "review",
                "verbose_name_plural": "reviews",
            },
        ),
        *[migrations.AddField(model_name=name.lower(), name="occurred_on", field=_occurred_on()) for name in DATED],
        migrations.AddField(model_name="review", name="circulated_on", field=_dated_on("circulated on")),
        migrations.AddField(model_name="review", name="submitted_on", field=_dated_on("submitted on")),
        migrations.AddField(model_name="review", name="approved_on", field=_dated_on("approved on")),
        migrations.AddField(model_name="review", name="closed_on", field=_dated_on("closed on")),
        migrations.AddField(
            model_name="guidance",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn at"),
        ),
        migrations.AddField(model_name="guidance", name="withdrawn_by", field=_person()),
        migrations.AddField(
            model_name="guidance",
            name="withdraw_reason",
            field=models.TextField(blank=True, verbose_name="reason for withdrawing"),
        ),
        migrations.AddField(
            model_name="reviewparticipant",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked at"),
        ),
        migrations.AddField(model_name="reviewparticipant", name="revoked_by", field=_person()),
        migrations.AddField(
            model_name="reviewparticipant",
            name="revoke_reason",
            field=models.TextField(blank=True, verbose_name="reason for revoking"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
