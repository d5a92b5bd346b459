"""One error shape everywhere: {"code": "<machine_code>", "detail": "<message in the caller's language>"}.

400 responses also carry "field" (the first field at fault) and "errors" (every field's messages).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.defaults import server_error as page_server_error
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from review_process.errors import ReviewError


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine code, e.g. `opinions_unanswered`.")
    detail = serializers.CharField(help_text="Human message in the caller's language (Vietnamese by default).")
    field = serializers.CharField(required=False, help_text="The input field at fault (400 only).")
    errors = serializers.DictField(required=False, help_text="Every field's messages (400 only).")


def _first(errors, prefix=""):
    """The first (field path, message) in DRF's nested error structure."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                path = f"{prefix}[{key}]"
            elif key == "non_field_errors":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else key
            found = _first(value, path)
            if found:
                return found
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if isinstance(value, dict | list):
                found = _first(value, f"{prefix}[{index}]")
                if found:
                    return found
            else:
                return prefix, str(value)
    elif errors is not None:
        return prefix, str(errors)
    return None


def error_response(code: str, detail: str, status_code: int, **extra) -> Response:
    return Response({"code": code, "detail": str(detail), **extra}, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, ReviewError):
        extra = {"field": exc.field} if exc.field else {}
        return error_response(exc.code, exc.message, exc.status, **extra)
    if isinstance(exc, Http404):
        return error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        found = _first(exc.detail)
        field, message = found if found else ("", _("The input is not valid."))
        body = {"code": "invalid", "detail": f"{field}: {message}" if field else message, "errors": exc.detail}
        if field:
            body["field"] = field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return Response({"code": code, "detail": str(detail)}, status=exc.status_code, headers=headers)
    return None


def not_found(request, exception=None):
    """handler404: the API's error shape under /api/, the site's page elsewhere (a URL that matched nothing)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": _("An unexpected error occurred.")}, status=500)
    return page_server_error(request)
