"""Compliance auditing: rules with citations (``rules``), per-review and bulk reports (``report``),
the blocking rules the engine enforces (``blocking``) and the auditors' pages (``views``).

See docs/compliance.md.
"""
