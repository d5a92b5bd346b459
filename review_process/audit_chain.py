"""The keyed hashes of the audit trail: what an event's content is and how links are computed.

``hash = HMAC(prev_hash || content)`` links the events of one review (or of the directory);
``chain_hash = HMAC(chain_prev_hash || hash)`` links every event into the global chain (``AuditSeal``).
HMAC-SHA-256 keyed with ``settings.AUDIT_HMAC_KEY``, which the database never holds.

The content of an event written before migration 0010 covers its ``global_sequence``; later events have none
(``null`` in their content) and get their global place from their seal. Changing ``event_content`` changes
every hash: never do it without a way to re-hash (which would need the key and the anchors' consent).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from review_process.models.audit import GENESIS, AuditEvent

__all__ = ["GENESIS", "event_content", "hash_event", "hmac_key", "link", "normalise_payload"]


def _canonical(payload) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def normalise_payload(payload: dict | None) -> dict:
    """What the database will give back: plain JSON types only."""
    return json.loads(_canonical(payload or {}))


def event_content(event: AuditEvent) -> str:
    return _canonical(
        {
            "review": event.review_id,
            "sequence": event.sequence,
            "global_sequence": event.global_sequence,
            "action": event.action,
            "actor": event.actor_id,
            "actor_role": event.actor_role,
            "occurred_at": event.occurred_at.isoformat(),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "payload": event.payload,
        }
    )


def hmac_key() -> bytes:
    """``settings.AUDIT_HMAC_KEY`` as bytes; refused when it is not configured."""
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY is not set (nor DJANGO_SECRET_KEY to derive it from).")
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def link(prev: str, content: str) -> str:
    """HMAC-SHA-256 of ``prev || content`` (hex)."""
    return hmac.new(hmac_key(), (prev + content).encode("utf-8"), hashlib.sha256).hexdigest()


def hash_event(event: AuditEvent) -> None:
    """Set ``event.hash`` from its content and ``event.prev_hash`` (keyed). Its global place comes later, from
    its seal (``review_process.audit_seal``)."""
    event.hash = link(event.prev_hash, event_content(event))
