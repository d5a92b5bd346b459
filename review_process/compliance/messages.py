"""Translated texts for the compliance checks, looked up once per (language, text) instead of once per finding.

A bulk audit renders some eighty texts per review (messages, stage and rating labels, citations, titles): Django's
``gettext`` finds the active language through a thread- and coroutine-local on every call, which costs more than
the rest of the look-up. Here:

* ``gettext`` and ``ngettext`` are drop-in replacements for Django's (rule modules import them as ``_`` and
  ``ngettext``, so ``makemessages`` finds their texts as before); the result is cached per (language, text) —
  the catalogues do not change while the process runs;
* ``choice_label(choices, value)`` is the translated label of a value of a ``TextChoices`` (``ReviewState``,
  ``Rating``, an opinion's channel...), as ``get_FOO_display`` gives it, cached the same way;
* ``pinned_language()`` reads the active language once for a stretch of work (one review's report): inside it,
  the look-ups above read a context variable instead of Django's local. Nothing inside may switch languages
  (``translation.override``) and expect these look-ups to follow: the checks never do.

Every text still comes from the same catalogue as Django's ``gettext``: the cache only remembers the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import translation

_PINNED: ContextVar[str | None] = ContextVar("compliance_language", default=None)
_TEXTS: dict[tuple, str] = {}
_MISSING = object()


def language() -> str | None:
    """The language texts are rendered in now: the pinned one, else Django's active language."""
    return _PINNED.get() or translation.get_language()


def pinned() -> str | None:
    """The language ``pinned_language`` fixed for the current stretch of work (None outside one)."""
    return _PINNED.get()


@contextmanager
def pinned_language() -> Iterator[str | None]:
    """Read the active language once; the look-ups of this module use it until the block ends."""
    current = _PINNED.get()
    if current is not None:
        yield current
        return
    token = _PINNED.set(translation.get_language())
    try:
        yield _PINNED.get()
    finally:
        _PINNED.reset(token)


def gettext(message: str) -> str:
    """``django.utils.translation.gettext``, cached per (language, message)."""
    key = (_PINNED.get() or translation.get_language(), message)
    text = _TEXTS.get(key, _MISSING)
    if text is _MISSING:
        text = _TEXTS[key] = _in(key[0], translation.gettext, message)
    return text


def ngettext(singular: str, plural: str, number: int) -> str:
    """``django.utils.translation.ngettext``, cached per (language, texts, number)."""
    key = (_PINNED.get() or translation.get_language(), singular, plural, number)
    text = _TEXTS.get(key, _MISSING)
    if text is _MISSING:
        text = _TEXTS[key] = _in(key[0], translation.ngettext, singular, plural, number)
    return text


def choice_label(choices, value) -> str:
    """The translated label of ``value`` in ``choices`` (a ``TextChoices``), as ``get_FOO_display`` shows it (the
    value itself when it is not a choice)."""
    key = (_PINNED.get() or translation.get_language(), choices, value)
    text = _TEXTS.get(key, _MISSING)
    if text is _MISSING:
        labels = dict(choices.choices)
        text = _TEXTS[key] = _in(key[0], lambda: str(labels.get(value, value)))
    return text


def _in(lang: str | None, render, *args) -> str:
    """``render(*args)`` in ``lang`` (the language the cache key names, whatever is active)."""
    if lang is None:
        with translation.override(None):
            return str(render(*args))
    if lang == translation.get_language():
        return str(render(*args))
    with translation.override(lang):
        return str(render(*args))
