"""Readable differences between two report texts: paragraph by paragraph, changed words marked.

Used by the report comparison page (``web.views.report_compare``); ``review_ui.diff_parts`` renders one
paragraph's parts.
"""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _count(text: str) -> int:
    return sum(1 for t in _words(text) if not t.isspace())


def _inline(old: str, new: str) -> tuple[list[tuple[str, str]], int, int]:
    a, b = _words(old), _words(new)
    parts, added, removed = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(("removed", "".join(a[i1:i2])))
            removed += _count("".join(a[i1:i2]))
        if op in ("insert", "replace"):
            parts.append(("added", "".join(b[j1:j2])))
            added += _count("".join(b[j1:j2]))
    return parts, added, removed


def report_diff(old: str, new: str) -> dict:
    """Paragraph by paragraph, with the changed words inside a changed paragraph marked.

    Returns {"paragraphs": [{"kind": same|changed|added|removed, "parts": [(same|added|removed, text)]}],
    "added": words added, "removed": words removed}.
    """
    a = [p for p in old.splitlines() if p.strip()]
    b = [p for p in new.splitlines() if p.strip()]
    paragraphs, added, removed = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            paragraphs += [{"kind": "same", "parts": [("same", p)]} for p in a[i1:i2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                parts, plus, minus = _inline(olds[k], news[k])
                paragraphs.append({"kind": "changed", "parts": parts})
            elif k < len(olds):
                plus, minus = 0, _count(olds[k])
                paragraphs.append({"kind": "removed", "parts": [("removed", olds[k])]})
            else:
                plus, minus = _count(news[k]), 0
                paragraphs.append({"kind": "added", "parts": [("added", news[k])]})
            added += plus
            removed += minus
    return {"paragraphs": paragraphs, "added": added, "removed": removed}
