"""Domain errors. Each carries a stable machine code, a translated message and the HTTP status it maps to.

Views and the API catch ``ReviewError`` and show ``str(error)``; tests assert on ``error.code``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ReviewError(Exception):
    status = 400
    code = "error"

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None, params=None):
        self.code = code or self.code
        self.field = field
        self.params = params or {}
        self._message = message
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        text = self._message if self._message is not None else self.default_message
        text = str(text)
        return text % self.params if self.params else text

    default_message = _("The request could not be carried out.")

    def __str__(self) -> str:
        return self.message


class NotFound(ReviewError):
    """The object does not exist *or the caller may not see it* (never reveal which)."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(ReviewError):
    """The caller can see the review but their role may not take this action."""

    status = 403
    code = "permission_denied"
    default_message = _("Your role does not allow this action on this review.")


class Conflict(ReviewError):
    """The review's state or a guard of the procedure forbids the action now."""

    status = 409
    code = "conflict"
    default_message = _("The review is not in a state that allows this action.")


class InvalidInput(ReviewError):
    status = 400
    code = "invalid"
    default_message = _("The input is not valid.")
