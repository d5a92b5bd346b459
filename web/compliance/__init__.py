"""The auditors' pages under ``/compliance/``: a review's compliance report, its evidence file and generated
documents; a year's reviews in bulk with exports. Thin: the reads are ``review_process.compliance`` selectors,
the files come from ``review_process.evidence`` and ``review_process.documents``."""
