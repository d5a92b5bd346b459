"""Compliance auditing: what a check may read (``facts``), the rules with their citations (``rules``, one
module per topic), the evidence checklist (``checklist``), per-review and bulk reports (``report``) and their
writers (``export``), and the blocking rules the engine enforces (``blocking``).

Imports run one way inside: ``trail`` (the audit events and the days things happened) ← ``review_facts`` (what a
check reads about one review) ← ``facts`` (loading them in bulk) ← ``checklist`` ← ``rules`` ← ``report`` ←
``export``; ``messages`` (translated texts, cached per language) is read by ``checklist``, ``rules`` and
``report``; ``blocking`` reads ``facts`` and ``rules``. Nothing here imports the evidence archive (``review_process.evidence``), the
generated documents (``review_process.documents``) or the pages (``web.compliance``): they build on this.

See docs/compliance.md.
"""
