"""Which of the auditors' pages and files a person may open for a review, as links (one answer, three uses).

The review page (``templates/review_process/includes/auditor_links.html``), the audit trail page and the
compliance report itself list the same links, and the views under ``/compliance/`` let in exactly the people
listed here: ``view_audit_trail`` on the review (``review_process.access.may``); an individual review's ballot
minutes, and the evidence file that holds them, are withheld from the person reviewed until the rating is
decided (``services.individual.ballot_for``). A document is listed only when it can be generated (minutes once a
conference is recorded, the final report once a final version exists, ballot minutes once a tally is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from permissions.roles import Action
from review_process.access import may
from review_process.compliance.report import AUDIT_PERM
from review_process.errors import Forbidden
from review_process.models import Conference, Review, ReviewKind
from review_process.services.individual import ballot_for

#: The generated documents: key in the URL, label, whether the review has what it takes to generate it.
DOCUMENT_LABELS = {
    "minutes": _("Conference minutes"),
    "final-report": _("Final report"),
    "ballot-minutes": _("Ballot minutes"),
}


def ballot_visibility(user, review: Review) -> str:
    """``"shown"``: an individual review's tally is recorded and ``user`` may see it; ``"hidden"``: they are the
    person reviewed and the rating is not decided yet (``tally_hidden``); ``""``: no tally."""
    if review.kind != ReviewKind.INDIVIDUAL:
        return ""
    try:
        return "shown" if ballot_for(review=review, user=user) is not None else ""
    except Forbidden:
        return "hidden"


@dataclass(frozen=True)
class Document:
    key: str
    label: str
    docx: str
    pdf: str


@dataclass(frozen=True)
class AuditorLinks:
    report: str
    audit_trail: str
    evidence: str  # "" when withheld (the person reviewed, before the decision)
    documents: list[Document] = field(default_factory=list)


def available_documents(review: Review, *, ballot: str) -> list[str]:
    """Keys of the documents that can be generated for ``review`` now (two indexed queries)."""
    keys = []
    if Conference.objects.filter(review=review).exists():
        keys.append("minutes")
    if review.report_versions.filter(is_final=True).exists():
        keys.append("final-report")
    if ballot == "shown":
        keys.append("ballot-minutes")
    return keys


def auditor_links(user, review: Review) -> AuditorLinks | None:
    """The auditors' links ``user`` may open for ``review``; None when they may open none of them."""
    if user is None or not user.is_authenticated or not may(user, review, Action.VIEW_AUDIT_TRAIL):
        return None
    ballot = ballot_visibility(user, review)
    documents = [
        Document(
            key=key,
            label=str(DOCUMENT_LABELS[key]),
            docx=reverse("compliance:document", args=[review.pk, key, "docx"]),
            pdf=reverse("compliance:document", args=[review.pk, key, "pdf"]),
        )
        for key in available_documents(review, ballot=ballot)
    ]
    return AuditorLinks(
        report=reverse("compliance:review", args=[review.pk]),
        audit_trail=reverse("review_process:audit-trail", args=[review.pk]),
        evidence="" if ballot == "hidden" else reverse("compliance:evidence-archive", args=[review.pk]),
        documents=documents,
    )


def may_audit_any(user) -> bool:
    """Does ``user`` hold ``view_audit_trail`` on any review (the top menu's link to the bulk compliance page)?"""
    if user is None or not user.is_authenticated:
        return False
    return get_objects_for_user(user, AUDIT_PERM, klass=Review, accept_global_perms=False).exists()
