"""The field-by-field validation of one directory record of each kind, as DRF serializers.

One ``Serializer`` per section of the document (``SERIALIZERS``: organizations, people, positions), and one
for an element of an organisation's ``superiors`` (``SuperiorPeriodSerializer``), declares its fields: type,
required or default, blank, length, format and allowed values. What needs other records or the database
(unknown codes, duplicates, cycles, overlaps) is in ``checks`` and ``history``.

The values are JSON values and are judged strictly, as the format says (``docs/directory-format.md``): a text
field takes a string and nothing else (``5`` is "expected string, got number"), is not trimmed, and an absent
optional field takes its default. A field the serializer does not declare is an error, so declaring a field is
all it takes to accept it (add new fields as optional, with a default, so existing files stay valid).

``serializer.errors`` maps each field (``non_field_errors`` for the record itself) to its messages, in the
wording of ``docs/directory-format.md``; ``serializer.valid_fields`` holds the fields that passed, even when
others did not, so that the checks across records can still use them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.settings import api_settings

from permissions.directory.records import quoted, wrong_type
from permissions.models import Organization, OrganizationKind, Position, User
from permissions.roles import POSITION_ROLES, Role

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


# --- Fields ----------------------------------------------------------------------------------------------


class TextField(serializers.Field):
    """A JSON string, strictly: no other type is converted, nothing is trimmed.

    ``blank`` accepts ``""`` (and only spaces), which then skips the validators; ``max_length`` counts
    characters; ``null`` is accepted only with ``allow_null``.
    """

    default_error_messages = {"required": gettext_lazy("required field is missing")}

    def __init__(self, *, blank: bool = False, max_length: int | None = None, **kwargs):
        self.blank = blank
        self.max_length = max_length
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None and not self.allow_null:
            raise serializers.ValidationError(wrong_type("string", data), code="type")
        return super().validate_empty_values(data)

    def run_validation(self, data: Any = empty) -> Any:
        is_empty, value = self.validate_empty_values(data)
        if is_empty:
            return value
        value = self.to_internal_value(data)
        if value != "":
            self.run_validators(value)
        return value

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError(wrong_type("string", data), code="type")
        if not self.blank and not data.strip():
            raise serializers.ValidationError(_("must not be blank"), code="blank")
        if self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                _("must be at most %(max)s characters long (it has %(length)s)")
                % {"max": self.max_length, "length": len(data)},
                code="max_length",
            )
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class DateField(TextField):
    """A day written ``YYYY-MM-DD`` (exactly: no compact ``20211231``, no time)."""

    def to_internal_value(self, data: Any) -> datetime.date:
        text = super().to_internal_value(data)
        try:
            if not _DATE_RE.fullmatch(text):
                raise ValueError
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise serializers.ValidationError(
                _("not a date in the form YYYY-MM-DD: %(value)s") % {"value": quoted(text)}, code="date"
            )

    def to_representation(self, value: datetime.date | None) -> str | None:
        return value.isoformat() if value else None


# --- Records ---------------------------------------------------------------------------------------------


class RecordSerializer(serializers.Serializer):
    """One record (a JSON object) of a section.

    ``identity`` names the fields that identify the record in error messages, e.g. ``(code "HN")``.
    ``validate_<field>`` methods check one field further (as in DRF); ``record_errors`` checks fields against
    each other, on those that passed on their own, so that one bad field does not hide another problem.
    """

    identity: tuple[str, ...] = ()
    identity_blank = False  # whether a blank identifying field is shown too ('(person "", ...)')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.valid_fields: dict[str, Any] = {}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls._declared_fields)

    @classmethod
    def identity_of(cls, record: Any) -> str:
        """`` (code "HN")``: the identifying fields of ``record`` that are (non-blank) strings; "" if none."""
        if not isinstance(record, Mapping):
            return ""
        parts = [
            f"{field} {quoted(record[field])}"
            for field in cls.identity
            if isinstance(record.get(field), str) and (cls.identity_blank or record[field].strip())
        ]
        return f" ({', '.join(parts)})" if parts else ""

    def run_validation(self, data: Any = empty) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [wrong_type("object", data)]}, code="type"
            )
        return super().run_validation(data)

    def to_internal_value(self, data: Mapping) -> dict[str, Any]:
        # DRF's own loop, except that unknown fields are errors and the valid fields are kept when others fail.
        fields = self.field_names()
        unknown = _("unknown field (expected one of: %(fields)s)") % {"fields": ", ".join(fields)}
        errors: dict[str, list] = {str(key): [unknown] for key in data if key not in self.fields}
        values: dict[str, Any] = {}
        for field in self._writable_fields:
            validate_method = getattr(self, f"validate_{field.field_name}", None)
            try:
                value = field.run_validation(field.get_value(data))
                if validate_method is not None:
                    value = validate_method(value)
            except serializers.ValidationError as exc:
                errors[field.field_name] = exc.detail
            except DjangoValidationError as exc:
                errors[field.field_name] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                values[field.field_name] = value
        for field, message in self.record_errors(values).items():
            errors.setdefault(field, []).append(message)
            values.pop(field, None)
        self.valid_fields = values
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def record_errors(self, values: dict[str, Any]) -> dict[str, str]:
        """Problems between fields of the record, by field; ``values`` has only the fields valid on their own."""
        return {}


def _period_errors(start: datetime.date | None, end: datetime.date | None, field: str) -> dict[str, str]:
    """``end`` before ``start`` (both inclusive; either may be open), as an error on ``field``."""
    if start is not None and end is not None and end < start:
        return {
            field: _("ends on %(end)s, before it starts (%(start)s)")
            % {"end": end.isoformat(), "start": start.isoformat()}
        }
    return {}


class _SuperiorPeriodRecord(RecordSerializer):
    """One element of ``superiors``: ``{"code": "LB", "from": null, "to": "2025-06-30"}`` (fields below)."""

    def record_errors(self, values: dict[str, Any]) -> dict[str, str]:
        return _period_errors(values.get("from"), values.get("to"), "to")


# Declared through type(): "from" is a Python keyword, and the field names are those of the file.
SuperiorPeriodSerializer: type[RecordSerializer] = type(
    "SuperiorPeriodSerializer",
    (_SuperiorPeriodRecord,),
    {
        "__module__": __name__,
        "code": TextField(max_length=_max_length(Organization, "code")),  # a code, in the file or the database
        "from": DateField(required=False, allow_null=True, default=None),  # first day; null: since ever
        "to": DateField(required=False, allow_null=True, default=None),  # last day (inclusive); null: still
    },
)


class SuperiorPeriodsField(serializers.Field):
    """A JSON array of superior periods, each judged by ``SuperiorPeriodSerializer``.

    Its errors are a list with one entry per element, as DRF gives them for a list of records: the element's
    errors by field (``{}`` for an element without any); ``validation`` names each after its element.
    """

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            raise serializers.ValidationError(wrong_type("array", data), code="type")
        values, errors = [], []
        for element in data:
            serializer = SuperiorPeriodSerializer(data=element)
            if serializer.is_valid():
                values.append(dict(serializer.validated_data))
                errors.append({})
            else:
                errors.append(serializer.errors)
        if any(errors):
            raise serializers.ValidationError(errors)
        return values

    def to_representation(self, value: Any) -> Any:
        return value


class OrganizationSerializer(RecordSerializer):
    """An organisation; ``superiors`` (absent or null: the dated superiors are left as they are) is checked
    against the file and the database in ``checks`` (unknown codes, overlaps, today's ``superior``, cycles)."""

    identity = ("code",)

    code = TextField(max_length=_max_length(Organization, "code"))
    name = TextField(max_length=_max_length(Organization, "name"))
    kind = TextField()
    superior = TextField(required=False, allow_null=True, default=None)  # a code, in the file or the database
    superiors = SuperiorPeriodsField(required=False, allow_null=True, default=None)
    valid_from = DateField(required=False, allow_null=True, default=None)
    valid_to = DateField(required=False, allow_null=True, default=None)
    successor = TextField(required=False, allow_null=True, default=None)  # a code, in the file or the database

    def record_errors(self, values: dict[str, Any]) -> dict[str, str]:
        errors = _period_errors(values.get("valid_from"), values.get("valid_to"), "valid_to")
        successor = values.get("successor")
        if successor is not None:
            if successor == values.get("code"):
                errors["successor"] = _("an organisation cannot be its own successor")
            elif "valid_to" in values and values["valid_to"] is None:  # (not when valid_to is itself wrong)
                errors["successor"] = _("a successor is given only to an organisation that ends (valid_to)")
        return errors

    def validate_kind(self, value: str) -> str:
        if value not in OrganizationKind.values:
            raise serializers.ValidationError(
                _("unknown kind %(value)s (expected one of: %(choices)s)")
                % {"value": quoted(value), "choices": ", ".join(OrganizationKind.values)},
                code="choice",
            )
        return value


class PersonSerializer(RecordSerializer):
    identity = ("username",)

    username = TextField(max_length=_max_length(User, "username"), validators=[User.username_validator])
    full_name = TextField(max_length=_max_length(User, "full_name"))
    email = TextField(
        required=False, default="", blank=True, max_length=_max_length(User, "email"), validators=[validate_email]
    )


POSITION_ROLE_VALUES = sorted(role.value for role in POSITION_ROLES)


class PositionSerializer(RecordSerializer):
    identity = ("person", "organization")
    identity_blank = True

    person = TextField()  # a username, in the file or the database
    organization = TextField()  # a code, in the file or the database
    role = TextField()
    title = TextField(required=False, default="", blank=True, max_length=_max_length(Position, "title"))
    start = DateField()
    end = DateField(required=False, allow_null=True, default=None)

    def validate_role(self, value: str) -> str:
        if value == Role.PARTICIPANT:
            raise serializers.ValidationError(
                _("%(value)s is granted per review by invitation; it is not held as a position")
                % {"value": quoted(value)},
                code="choice",
            )
        if value not in POSITION_ROLE_VALUES:
            raise serializers.ValidationError(
                _("unknown role %(value)s (expected one of: %(choices)s)")
                % {"value": quoted(value), "choices": ", ".join(POSITION_ROLE_VALUES)},
                code="choice",
            )
        return value

    def record_errors(self, values: dict[str, Any]) -> dict[str, str]:
        return _period_errors(values.get("start"), values.get("end"), "end")


# The sections of a document, in order, and the serializer of their records.
SERIALIZERS: dict[str, type[RecordSerializer]] = {
    "organizations": OrganizationSerializer,
    "people": PersonSerializer,
    "positions": PositionSerializer,
}
TOP_LEVEL_KEYS = tuple(SERIALIZERS)
