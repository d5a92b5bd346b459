"""The language of a request: Vietnamese unless the person chose English.

Replaces Django's ``LocaleMiddleware`` for the site's pages: the language is the one chosen with the header's
switch (``/i18n/setlang/`` stores it in the ``django_language`` cookie, so the choice is remembered), else
``LANGUAGE_CODE`` (``vi``). The browser's ``Accept-Language`` is ignored there, so an English browser still gets
Vietnamese. The API (``/api/``) keeps Django's rule (cookie, then ``Accept-Language``, then ``vi``): its clients
ask for English messages with ``Accept-Language: en`` (docs/api.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


def chosen_language(request) -> str:
    """The supported language named by the language cookie, else the site's default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates the request's language (see the module docstring) and names it in ``Content-Language``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
            vary = ("Accept-Language", "Cookie")
        else:
            language = chosen_language(request)
            vary = ("Cookie",)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, vary)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
