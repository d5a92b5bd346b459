# Directory changes become audit events without a review (their own chain, anchored in the global one).
#
# Making ``review`` nullable rebuilds the table on SQLite, and the append-only triggers go with the old table
# (see 0002's caveat): they are re-created here.  PostgreSQL keeps its triggers through ALTER COLUMN.

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

append_only = import_module("review_process.migrations.0002_audit_events_append_only")


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in append_only.SQLITE_REVERSE[:-1]:  # drop the triggers, keep the maintenance table
        schema_editor.execute(statement, params=None)
    for statement in append_only.SQLITE_FORWARD[1:]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0002_audit_events_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="review",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_events",
                to="review_process.review",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("review__isnull", True)),
                fields=("sequence",),
                name="audit_event_unique_directory_sequence",
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop, elidable=False),
    ]
