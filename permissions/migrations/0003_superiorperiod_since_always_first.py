from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0002_dated_tree"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="superiorperiod",
            options={
                "ordering": ["organization", models.OrderBy(models.F("valid_from"), nulls_first=True)],
                "verbose_name": "superior period",
                "verbose_name_plural": "superior periods",
            },
        ),
    ]
