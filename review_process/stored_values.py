"""What a model field's value is once stored and read back, for the value types a record's snapshot holds.

``as_stored(field, value)`` returns the value the database would give back for ``value`` of ``field`` (the same
Python value, for these types: a timezone-aware datetime, a date, an int, a bool, a string, None), or raises
``NotAsStored`` for anything it cannot vouch for (a naive datetime, a number held as text, an expression, a
field type not listed), so that the caller reads the row back instead.  ``review_process.chained_records`` uses it
to fingerprint a just-saved instance without re-reading it; ``tests/review_process/test_fingerprint_in_memory.py``
holds the result equal to the database's on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime

from django.db import models


class NotAsStored(Exception):
    """A value of an instance whose stored form this module cannot vouch for: read the row back instead."""


def as_stored(field: models.Field, value):
    """``value`` of ``field`` as the database gives it back, for the types a snapshot holds; else refused."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            raise NotAsStored(field.name)
        return value
    if isinstance(field, models.DateField):
        if type(value) is not datetime.date:
            raise NotAsStored(field.name)
        return value
    if isinstance(field, models.ForeignKey | models.IntegerField | models.AutoField):
        if type(value) is not int:
            raise NotAsStored(field.name)
        return value
    if isinstance(field, models.BooleanField):
        if type(value) is not bool:
            raise NotAsStored(field.name)
        return value
    if isinstance(field, models.CharField | models.TextField):
        if not isinstance(value, str):
            raise NotAsStored(field.name)
        return str(value)
    raise NotAsStored(field.name)
