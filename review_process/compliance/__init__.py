"""Compliance auditing: what a check may read (``facts``), the rules with their citations (``rules``, one
module per topic), the evidence checklist (``checklist``), per-review and bulk reports (``report``) and their
writers (``export``), and the blocking rules the engine enforces (``blocking``).

Imports run one way inside: ``facts`` ← ``checklist`` ← ``rules`` ← ``report`` ← ``export``; ``blocking``
reads ``facts`` and ``rules``. Nothing here imports the evidence archive (``review_process.evidence``), the
generated documents (``review_process.documents``) or the pages (``web.compliance``): they build on this.

See docs/compliance.md.
"""
