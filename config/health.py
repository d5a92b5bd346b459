"""``GET /healthz``: is this server fit to take requests? For load balancers and monitoring.

No login, no session, no HTML: JSON only. 200 ``{"status": "ok", "database": "ok", "audit_triggers": "ok"}``
when a query on the default database succeeds and the audit trail's append-only triggers are installed
(``verify_audit_trail.missing_triggers``); otherwise 503 naming what failed (``"database": "error"``, or
``"audit_triggers": "missing"`` with the names in ``missing_triggers``). A database error's text is logged,
never returned: the endpoint is public. Exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) so a
health check over plain HTTP from the proxy's side gets the answer, not a redirect.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from review_process.management.commands.verify_audit_trail import missing_triggers

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    report = {"status": "ok", "database": "ok", "audit_triggers": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        missing = missing_triggers()
    except DatabaseError:
        logger.exception("Health check: the database query failed.")
        report.update(status="error", database="error", audit_triggers="unknown")
        return JsonResponse(report, status=503)
    if missing:
        report.update(status="error", audit_triggers="missing", missing_triggers=missing)
        return JsonResponse(report, status=503)
    return JsonResponse(report)
