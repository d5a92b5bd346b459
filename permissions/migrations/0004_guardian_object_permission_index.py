"""An index guardian's concrete UserObjectPermission leaves out: (content_type_id, object_pk).

guardian's abstract base declares it, but its migration 0003 removes it (the concrete model's ``Meta.indexes``
replace the base's list), so "who holds a permission on this object" (the inbox's "waiting on whom", the grant
sync) scanned every object permission: 46 ms on the 10,000-review benchmark database, 0.6 ms with the index. The index lives on a
third-party table, so it is created here with plain SQL both databases accept.
"""

from django.db import migrations

INDEX = "guardian_uop_ct_object_pk"


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0003_superiorperiod_since_always_first"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON guardian_userobjectpermission (content_type_id, object_pk)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
