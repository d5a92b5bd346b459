"""Fields the API's serializers share."""

from __future__ import annotations

from rest_framework import serializers


class PersonRefField(serializers.SlugRelatedField):
    """A person, shown and given by username."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)
