# Report attachments move to the private storage (settings.PRIVATE_MEDIA_ROOT, no URL): see review_process.attachments.

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import review_process.attachments


def move_to_private_storage(apps, schema_editor):
    """Move the files of existing attachments from MEDIA_ROOT (public) to PRIVATE_MEDIA_ROOT, keeping their names."""
    ReportVersion = apps.get_model("review_process", "ReportVersion")
    public, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    for name in ReportVersion.objects.exclude(attachment="").values_list("attachment", flat=True).iterator():
        source, target = public / name, private / name
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), str(target))


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0005_rating_rounds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportversion",
            name="attachment",
            field=models.FileField(
                blank=True,
                storage=review_process.attachments.private_storage,
                upload_to=review_process.attachments.attachment_upload_to,
                verbose_name="attachment",
            ),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop, elidable=True),
    ]
