"""The party's document format and the pieces both generated documents share.

A ``PartyDocument`` is what a builder (``minutes``, ``report``) produces and a writer (``docx_writer``,
``pdf_writer``) renders: top left the party organisation of the superior ("ĐẢNG BỘ …"), the issuing committee,
"*" and the number; top right "ĐẢNG CỘNG SẢN VIỆT NAM" with the place and date beneath; the title, the body
and the signature block.

The wording of these documents is Vietnamese by definition (they are party records, whatever language the
reader's interface uses): fixed wording is written here as Vietnamese text; the labels of the models' choices
(ratings, roles, grounds for "not complete") are the translation catalogue's, rendered in Vietnamese
(``label_vi``). ``decision_lines`` states a rating decision as recorded (its vote and reason included), for both.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation

from permissions.models import Organization, Position
from permissions.roles import Role
from review_process.compliance.facts import local_date
from review_process.models import Decision, Rating, Review, SelfAssessment
from review_process.ratings import rank
from review_process.regimes import Trigger

DOCUMENT_LANGUAGE = "vi"

# Committee name as written in the organisation's name → the party organisation in a document header.
HEADER_PREFIXES = (
    ("Thành ủy ", "Đảng bộ thành phố "),
    ("Tỉnh ủy ", "Đảng bộ tỉnh "),
    ("Quận ủy ", "Đảng bộ quận "),
    ("Huyện ủy ", "Đảng bộ huyện "),
    ("Thị ủy ", "Đảng bộ thị xã "),
    ("Đảng ủy ", "Đảng bộ "),
)
PLACE_PREFIXES = (
    "Đảng ủy phường ",
    "Đảng ủy xã ",
    "Đảng ủy thị trấn ",
    "Chi bộ ",
    "Thành ủy ",
    "Tỉnh ủy ",
    "Quận ủy ",
    "Huyện ủy ",
    "Thị ủy ",
    "Đảng ủy ",
)


def label_vi(choices: type[models.TextChoices], value: str) -> str:
    """The label of a model choice as a Vietnamese document writes it (whatever the active language)."""
    if value not in choices.values:
        return value
    with translation.override(DOCUMENT_LANGUAGE):
        return str(choices(value).label)


def role_title(role: str) -> str:
    """A role as a person's title in a document: "Bí thư", "Ban Tổ chức"; a member of the standing committee is
    "Ủy viên Ban Thường vụ" (the role's label names the committee itself)."""
    label = label_vi(Role, role)
    return f"Ủy viên {label}" if role == Role.STANDING_COMMITTEE else label


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def party_organisation(organization: Organization | None) -> str:
    """ "Quận ủy Long Biên" → "ĐẢNG BỘ QUẬN LONG BIÊN"."""
    if organization is None:
        return ""
    name = nfc(organization.name)
    for prefix, replacement in HEADER_PREFIXES:
        if name.startswith(prefix):
            return (replacement + name[len(prefix) :]).upper()
    return name.upper() if name.upper().startswith(("ĐẢNG BỘ", "CHI BỘ")) else ("Đảng bộ " + name).upper()


def place_name(organization: Organization) -> str:
    """ "Đảng ủy phường Đức Giang" → "Đức Giang" (the place line of a document)."""
    name = nfc(organization.name)
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """Party format: days below 10 and months below 3 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Signature:
    heading: list[str]
    name: str


@dataclass
class PartyDocument:
    superior_header: str
    issuer_header: str
    number: str
    place_date: str
    title: str
    subtitle: str
    body: list[tuple[str, str]]  # (style, text): style is "heading", "para" or "item"
    left: Signature | list[str] | None = None  # a signature, or the "Nơi nhận" list
    right: Signature | None = None
    footnote: str = ""
    metadata: dict = field(default_factory=dict)


def position_titles(people_ids, organization_ids, day: datetime.date) -> dict[int, str]:
    """Each person's title on ``day`` in one of the organisations (Position.title, else the role)."""
    titles: dict[int, str] = {}
    positions = (
        Position.objects.active_on(day)
        .filter(person_id__in=people_ids, organization_id__in=organization_ids)
        .select_related("organization")
        .order_by("start")
    )
    for p in positions:
        titles.setdefault(p.person_id, p.title or f"{role_title(p.role)} {p.organization.name}")
    return titles


def comrade(user, titles: dict[int, str]) -> str:
    if user is None:
        return ""
    title = titles.get(user.pk)
    return f"đồng chí {user.get_full_name()}" + (f", {title}" if title else "")


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def paragraphs(text: str) -> list[tuple[str, str]]:
    return [("para", line.strip()) for line in nfc(text).splitlines() if line.strip()]


def header_fields(review: Review, day: datetime.date, number: str) -> dict:
    organization = review.organization
    return {
        "superior_header": party_organisation(organization.superior),
        "issuer_header": nfc(organization.name).upper(),
        "number": number,
        "place_date": date_line(place_name(organization), day),
    }


def decision_lines(
    decision: Decision, assessment: SelfAssessment | None, titles: dict[int, str]
) -> list[tuple[str, str]]:
    """The rating decision as recorded: who recorded it and when, the rating (with its score and grounds), the
    vote of the body and the reason. Only what is on record is said; an absent vote is said to be absent."""
    decided_on = local_date(decision.decided_at)
    lines = [
        (
            "para",
            f"Quyết định xếp loại của cấp có thẩm quyền (ghi nhận ngày {decided_on:%d/%m/%Y}"
            + (f", {comrade(decision.decided_by, titles)}" if decision.decided_by_id else "")
            + f"): {label_vi(Rating, decision.final_rating)}.",
        )
    ]
    if decision.score is not None:
        lines.append(("item", f"Điểm đánh giá: {decision.score}/100."))
    if decision.triggers:
        grounds = "; ".join(label_vi(Trigger, code) for code in decision.triggers)
        lines.append(("item", f"Căn cứ xếp loại không hoàn thành nhiệm vụ: {grounds}."))
    vote = decision.vote or {}
    if vote:
        lines.append(
            (
                "item",
                f"Kết quả biểu quyết: tổng số {vote.get('members')} ủy viên, có mặt {vote.get('present')}; "
                f"tán thành {vote.get('for')}, không tán thành {vote.get('against', 0)}, "
                f"không biểu quyết {vote.get('abstain', 0)}.",
            )
        )
    else:
        lines.append(("item", "Kết quả biểu quyết: (chưa ghi nhận)."))
    if decision.reason.strip():
        proposed = assessment.proposed_rating if assessment is not None else None
        if proposed and rank(decision.final_rating) < rank(proposed):
            lead = f"Lý do xếp loại thấp hơn mức tự đánh giá ({label_vi(Rating, proposed)})"
        else:
            lead = "Lý do"
        lines.append(("item", f"{lead}: {nfc(decision.reason.strip())}"))
    return lines
