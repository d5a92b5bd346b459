"""Logging filters (config/settings.py LOGGING).

An ordinary refusal (403 PermissionDenied, 404, 400) is logged by ``django.request`` as one warning line; Django
attaches the exception to it, which would print a traceback for what is not an error. ``NoTracebackBelow500``
drops the traceback of any record whose response status is below 500; 500s keep theirs.
"""

from __future__ import annotations

import logging


class NoTracebackBelow500(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
