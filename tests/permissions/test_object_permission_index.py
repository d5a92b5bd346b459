"""The (content_type_id, object_pk) index on guardian's object permissions exists after migrate, on either
database (permissions/migrations/0004): "who holds a permission on this review" must not scan every row."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_object_permission_index_is_there():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "guardian_userobjectpermission")
    assert constraints["guardian_uop_ct_object_pk"]["columns"] == ["content_type_id", "object_pk"]
    assert constraints["guardian_uop_ct_object_pk"]["index"] is True
