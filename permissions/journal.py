"""Directory changes, told to whoever keeps the record.

Every change to organisations, dated superiors and positions (import, reorganisation, admin) is reported
here with who made it and the record before and after.  The audit trail lives in a higher layer
(``review_process.audit``), which registers itself as the recorder when the apps are ready; the directory
never imports it.  A change made while no recorder is registered is refused, so nothing goes unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.models import model_to_dict

Recorder = Callable[..., Any]
_recorders: list[Recorder] = []


def register_recorder(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def snapshot(instance) -> dict | None:
    """The record as plain JSON-able values (None for a record that does not exist)."""
    if instance is None or instance.pk is None:
        return None
    data = model_to_dict(instance)
    data["id"] = instance.pk
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}


def record(*, actor, action: str, subject: str, before: dict | None, after: dict | None, **extra) -> None:
    """Report one change (inside the change's transaction). ``subject`` names the record ("LB", a position)."""
    if not _recorders:
        raise RuntimeError("No recorder for directory changes is registered (review_process is not installed?)")
    payload = {"subject": subject, "before": before, "after": after, **extra}
    for recorder in _recorders:
        recorder(actor=actor if getattr(actor, "pk", None) else None, action=f"directory.{action}", payload=payload)
