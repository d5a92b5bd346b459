"""The reference case (Đức Giang ward, 30/11/2021) as demo data, and the walk that brings it to a stage.

Real names and titles are those of the published article (seed-article-duc-giang-2021.txt); the other
people are invented for the demo and marked so in their titles.

``seed_demo()`` leaves the review at ``awaiting_guidance`` (the README's walkthrough carries it on);
``seed_demo(through="approved")`` carries it on, through the same services, past the guidance, the final report
and self-assessment, and the Long Biên standing committee's decision taken by a recorded vote, to approval.
The decided part (the guidance's wording, the vote) is invented for the demo.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils.translation import gettext as _

from permissions.directory import directory_import
from permissions.models import Organization, User
from review_process.models import RatingRound, Review, ReviewState
from review_process.services import records
from review_process.services.individual import ballot_record
from review_process.services.rounds import entries_upsert, round_decide, round_open
from workflows.services import review_open, review_transition

DEMO_PASSWORD = "demo12345"  # noqa: S105 - demo logins only, printed by `make run`
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CONFERENCE_AT = datetime.datetime(2021, 11, 30, 8, 0, tzinfo=TZ)

COMMITTEE = [
    # (username, full name) — invented members of the ward committee (fictional).
    ("ntlan", "Nguyễn Thị Lan"),
    ("tvminh", "Trần Văn Minh"),
    ("lthoa", "Lê Thị Hoa"),
    ("pqtuan", "Phạm Quốc Tuấn"),
    ("dtmai", "Đỗ Thị Mai"),
    ("hvnam", "Hoàng Văn Nam"),
    ("bthuong", "Bùi Thị Hương"),
    ("nvdung", "Ngô Văn Dũng"),
]

CELLS = [
    # (code, name, the rating the ward committee decided) — invented cells and ratings (fictional).
    ("LB-DG-TDP1", "Chi bộ Tổ dân phố số 1", "excellent"),
    ("LB-DG-TDP2", "Chi bộ Tổ dân phố số 2", "good"),
    ("LB-DG-TDP3", "Chi bộ Tổ dân phố số 3", "good"),
    ("LB-DG-TDP4", "Chi bộ Tổ dân phố số 4", "good"),
    ("LB-DG-TDP5", "Chi bộ Tổ dân phố số 5", "good"),
    ("LB-DG-TDP6", "Chi bộ Tổ dân phố số 6", "good"),
    ("LB-DG-TDP7", "Chi bộ Tổ dân phố số 7", "complete"),
]
#: The ward committee's vote on the cells' ratings (invented): 15 members, 14 present, 13 for.
CELL_ROUND_VOTE = {"members": 15, "present": 14, "for": 13, "against": 0, "abstain": 1}
#: The secret ballot on Phan Việt Hưng's 2021 rating (invented counts).
LEADER_BALLOT = {"eligible": 15, "cast": 14, "excellent": 2, "good": 11, "complete": 1, "not_complete": 0, "invalid": 0}
COUNTING_BOARD = ["Đỗ Thị Mai", "Hoàng Văn Nam", "Bùi Thị Hương"]

DIRECTORY = {
    "organizations": [
        {"code": "HN", "name": "Thành ủy Hà Nội", "kind": "city", "superior": None},
        {"code": "LB", "name": "Quận ủy Long Biên", "kind": "district", "superior": "HN"},
        {"code": "LB-DG", "name": "Đảng ủy phường Đức Giang", "kind": "ward", "superior": "LB"},
        {"code": "LB-TT", "name": "Đảng ủy phường Thượng Thanh", "kind": "ward", "superior": "LB"},
        # Invented party cells of Đức Giang (the ward committee rates them in a rating round).
        *({"code": code, "name": name, "kind": "cell", "superior": "LB-DG"} for code, name, _r in CELLS),
    ],
    "people": [
        {"username": "pvhung", "full_name": "Phan Việt Hưng", "email": "pvhung@example.org"},
        {"username": "vtthan", "full_name": "Vũ Thị Thân", "email": "vtthan@example.org"},
        {"username": "ntkdinh", "full_name": "Nguyễn Thị Kim Định", "email": "ntkdinh@example.org"},
        {"username": "lqvinh", "full_name": "Lê Quang Vinh", "email": "lqvinh@example.org"},
        {"username": "tmduc", "full_name": "Trịnh Minh Đức", "email": "tmduc@example.org"},
        {"username": "nvthanh", "full_name": "Nguyễn Văn Thành", "email": "nvthanh@example.org"},
        *({"username": u, "full_name": n, "email": f"{u}@example.org"} for u, n in COMMITTEE),
    ],
    "positions": [
        {
            "person": "pvhung",
            "organization": "LB-DG",
            "role": "secretary",
            "title": "Bí thư Đảng ủy phường Đức Giang",
            "start": "2020-10-01",
            "end": None,
        },
        {
            "person": "ntlan",
            "organization": "LB-DG",
            "role": "deputy_secretary",
            "title": "Phó Bí thư Đảng ủy phường (nhân vật giả định)",
            "start": "2020-10-01",
            "end": None,
        },
        *(
            {
                "person": u,
                "organization": "LB-DG",
                "role": "committee_member",
                "title": "Đảng ủy viên (nhân vật giả định)",
                "start": "2020-10-01",
                "end": None,
            }
            for u, _n in COMMITTEE[1:]
        ),
        {
            "person": "vtthan",
            "organization": "LB",
            "role": "organization_board",
            "title": "UVTV, Trưởng ban Tổ chức Quận ủy",
            "start": "2020-10-01",
            "end": None,
        },
        {
            "person": "ntkdinh",
            "organization": "LB",
            "role": "inspection",
            "title": "QUV, Phó Chủ nhiệm UBKT Quận ủy",
            "start": "2020-10-01",
            "end": None,
        },
        {
            "person": "lqvinh",
            "organization": "LB",
            "role": "standing_committee",
            "title": "Ủy viên Ban Thường vụ Quận ủy (nhân vật giả định)",
            "start": "2020-10-01",
            "end": None,
        },
        {
            "person": "tmduc",
            "organization": "HN",
            "role": "inspection",
            "title": "Kiểm tra viên UBKT Thành ủy (nhân vật giả định)",
            "start": "2020-10-01",
            "end": None,
        },
        {
            "person": "nvthanh",
            "organization": "LB-TT",
            "role": "secretary",
            "title": "Bí thư Đảng ủy phường Thượng Thanh (nhân vật giả định)",
            "start": "2020-10-01",
            "end": None,
        },
    ],
}

DRAFT_TEXT = (
    "DỰ THẢO BÁO CÁO KIỂM ĐIỂM TẬP THỂ ĐẢNG ỦY PHƯỜNG ĐỨC GIANG NĂM 2021 (Mẫu 01-HD KĐ.ĐG)\n\n"
    "Tập thể Đảng ủy đã phát huy vai trò, trách nhiệm, đổi mới, sáng tạo trong công tác lãnh đạo, chỉ đạo "
    "điều hành, thực hiện đúng nguyên tắc tập trung dân chủ, chế độ hội họp; công tác cán bộ được thực hiện "
    "bài bản đúng quy trình, quy định; nội bộ đoàn kết thống nhất.\n"
    "Năm 2021, phường gặp rất nhiều khó khăn, tình hình dịch bệnh kéo dài; các chỉ tiêu quận giao phường đều "
    "cơ bản hoàn thành và vượt chỉ tiêu giao; công tác phòng chống dịch bệnh Covid-19 được kiểm soát tốt.\n"
    "Tồn tại, hạn chế: (nêu cụ thể). Giải pháp khắc phục trong năm 2022: (nêu cụ thể)."
)

# Nine opinions spoken at the conference (the article: "09 ý kiến tham gia đóng góp"); wording invented, and
# so attributed only to the invented committee members, never to the real people the article names.
OPINIONS = [
    ("ntlan", "Đề nghị bổ sung số liệu cụ thể về kết quả phòng, chống dịch Covid-19 trên địa bàn."),
    ("tvminh", "Cần nêu rõ hơn nguyên nhân chủ quan của hạn chế trong công tác cải cách hành chính."),
    ("lthoa", "Đề nghị đánh giá kỹ hơn việc thực hiện quy chế dân chủ ở cơ sở."),
    ("pqtuan", "Bổ sung kết quả công tác kiểm tra, giám sát của Đảng ủy trong năm."),
    ("dtmai", "Giải pháp năm 2022 cần có mốc thời gian và người chịu trách nhiệm."),
    ("hvnam", "Đề nghị nêu rõ kết quả khắc phục hạn chế đã chỉ ra năm 2020."),
    ("bthuong", "Cần đánh giá sâu hơn công tác phát triển đảng viên mới."),
    ("nvdung", "Bổ sung đánh giá về công tác quản lý trật tự xây dựng, đô thị."),
    ("pqtuan", "Đảng ủy cần chú trọng hơn công tác tự kiểm tra của các chi bộ trực thuộc."),
]


def person(username: str) -> User:
    return User.objects.get(username=username)


DEMO_USERNAMES = frozenset(p["username"] for p in DIRECTORY["people"])
DEMO_CODES = frozenset(o["code"] for o in DIRECTORY["organizations"])


def foreign_data() -> list[str]:
    """What the database holds that the demo did not put there (people, organisations): a real deployment."""
    found = []
    people = User.objects.exclude(username__in=DEMO_USERNAMES).exclude(username="AnonymousUser")
    if people.exists():
        found.append(_("%(n)s people outside the demo") % {"n": people.count()})
    organizations = Organization.objects.exclude(code__in=DEMO_CODES)
    if organizations.exists():
        found.append(_("%(n)s organisations outside the demo") % {"n": organizations.count()})
    return found


def load_directory() -> None:
    """Import the demo directory. A demo login gets the demo password only when it has no usable password yet
    (the demo created it): an existing account's password is never reset."""
    directory_import(DIRECTORY)
    for user in User.objects.filter(username__in=DEMO_USERNAMES):
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def walk_to_awaiting_guidance() -> Review:
    """Open the 2021 review and carry it to `awaiting_guidance` with nine opinions, as the demo shows it."""
    hung = person("pvhung")
    review = review_open(organization_code="LB-DG", year=2021, kind="collective", by=hung)
    records.report_version_add(review=review, by=hung, text=DRAFT_TEXT)
    review_transition(review=review, name="circulate_draft", by=hung)
    records.conference_record(
        review=review,
        by=hung,
        held_at=CONFERENCE_AT,
        location="Phòng 305, trụ sở phường Đức Giang",
        chair_username="pvhung",
        attendees=[{"person": u, "present": True, "reason": ""} for u, _n in COMMITTEE]
        + [{"person": "pvhung", "present": True, "reason": ""}],
        superior_representatives=["vtthan", "ntkdinh"],
    )
    for author, text in OPINIONS:
        records.opinion_add(review=review, by=hung, text=text, channel="conference", author_username=author)
    return review_transition(review=review, name="close_opinions", by=hung)


# The decided demo (``through="approved"``): invented wording and vote.
# What the real people of the article said is not in the article: the demo records that, and invents nothing.
GUIDANCE_TEXT = (
    "Ý kiến chỉ đạo của đại diện Quận ủy tại hội nghị ngày 30/11/2021 (bài viết ngày 01/12/2021 không đăng nội "
    "dung; dữ liệu minh họa không ghi lại lời phát biểu)."
)
SELF_ASSESSMENT_TEXT = "Hoàn thành tốt các chỉ tiêu năm 2021; công tác phòng, chống dịch Covid-19 hiệu quả."
#: The Long Biên standing committee's vote on the rating (invented): 9 members, 8 present, 7 for, 1 abstaining.
DECISION_VOTE = {"members": 9, "present": 8, "for": 7, "against": 0, "abstain": 1}

#: How far ``seed_demo`` carries the reference review.
THROUGH = (ReviewState.AWAITING_GUIDANCE, ReviewState.APPROVED)


def seed_cell_round() -> RatingRound:
    """The ward committee's decided rating round of its party cells for 2021 (invented ratings and vote)."""
    existing = RatingRound.objects.filter(organization__code="LB-DG", year=2021, subject="organizations").first()
    if existing is not None:
        return existing
    hung = person("pvhung")
    rating_round = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=hung)
    entries = [
        {"key": code, "name": name, "group": "Chi bộ tổ dân phố", "proposed_rating": rating, "final_rating": rating}
        for code, name, rating in CELLS
    ]
    entries_upsert(rating_round=rating_round, by=hung, entries=entries)
    return round_decide(rating_round=rating_round, by=hung, vote=CELL_ROUND_VOTE)


def seed_leader_review() -> Review:
    """Phan Việt Hưng's 2021 individual review, after the collective one is decided: residence committee's
    comment, ballot tally, and the Long Biên standing committee's rating, not above the collective's."""
    existing = Review.objects.filter(organization__code="LB-DG", year=2021, kind="individual").first()
    if existing is not None:
        return existing
    than, hung, lan, vinh = person("vtthan"), person("pvhung"), person("ntlan"), person("lqvinh")
    review = review_open(organization_code="LB-DG", year=2021, kind="individual", subject="pvhung", by=than)
    records.report_version_add(review=review, by=hung, text=LEADER_SELF_REVIEW)
    review_transition(review=review, name="circulate_draft", by=hung)
    records.opinion_add(review=review, by=lan, text=RESIDENCE_COMMENT, channel="residence")
    records.conference_record(
        review=review,
        by=hung,
        held_at=CONFERENCE_AT,
        location="Phòng 305, trụ sở phường Đức Giang",
        chair_username="ntlan",
        attendees=[{"person": u, "present": True, "reason": ""} for u, _n in COMMITTEE]
        + [{"person": "pvhung", "present": True, "reason": ""}],
        superior_representatives=["vtthan", "ntkdinh"],
    )
    review = review_transition(review=review, name="close_opinions", by=hung)
    records.guidance_add(review=review, by=than, text=LEADER_GUIDANCE)
    review = review_transition(review=review, name="give_guidance", by=than)
    for opinion in review.opinions.filter(response__isnull=True).order_by("pk"):
        records.opinion_respond(review=review, by=hung, opinion_id=opinion.pk, decision="accepted")
    records.report_version_add(review=review, by=hung, text=LEADER_SELF_REVIEW + " (bản hoàn chỉnh)", is_final=True)
    records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification=SELF_ASSESSMENT_TEXT)
    review = review_transition(review=review, name="submit_assessment", by=hung)
    ballot_record(review=review, by=lan, counts=LEADER_BALLOT, counting_board=COUNTING_BOARD)
    records.decision_set(review=review, by=vinh, final_rating="good", vote=DECISION_VOTE)
    return review_transition(review=review, name="approve", by=vinh)


LEADER_SELF_REVIEW = (
    "Bản tự kiểm điểm năm 2021 của đồng chí Bí thư Đảng ủy phường (nội dung không được công bố; dữ liệu minh họa "
    "không ghi lại)."
)
RESIDENCE_COMMENT = "Nhận xét của chi ủy nơi cư trú: gương mẫu chấp hành quy định nơi cư trú (nội dung giả định)."
LEADER_GUIDANCE = (
    "Ý kiến chỉ đạo của đại diện Quận ủy đối với bản tự kiểm điểm (nội dung không được công bố; dữ liệu minh họa "
    "không ghi lại)."
)


def carry_to_approved(review: Review) -> Review:
    """From ``awaiting_guidance`` to ``approved``: the board's guidance, the secretary's answers, final report and
    self-assessment, then the standing committee's decision (by its recorded vote) and approval."""
    than, hung, vinh = person("vtthan"), person("pvhung"), person("lqvinh")
    records.guidance_add(review=review, by=than, text=GUIDANCE_TEXT)
    review = review_transition(review=review, name="give_guidance", by=than)
    for opinion in review.opinions.filter(response__isnull=True).order_by("pk"):
        records.opinion_respond(review=review, by=hung, opinion_id=opinion.pk, decision="accepted")
    final_text = DRAFT_TEXT.replace("DỰ THẢO BÁO CÁO", "BÁO CÁO").replace(
        "(nêu cụ thể)", "đã tiếp thu ý kiến góp ý và ý kiến chỉ đạo của Quận ủy"
    )
    records.report_version_add(review=review, by=hung, text=final_text, is_final=True)
    records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification=SELF_ASSESSMENT_TEXT)
    review = review_transition(review=review, name="submit_assessment", by=hung)
    records.decision_set(review=review, by=vinh, final_rating="good", vote=DECISION_VOTE)
    return review_transition(review=review, name="approve", by=vinh)


@transaction.atomic
def seed_demo(*, through: str = ReviewState.AWAITING_GUIDANCE) -> tuple[Review, bool]:
    """Load the demo (idempotent). Returns the reference review and whether it was created now.

    ``through="approved"`` also carries the review (new, or still at ``awaiting_guidance``) on to approval."""
    if through not in THROUGH:
        raise ValueError(f"through must be one of {', '.join(THROUGH)}")
    load_directory()
    review = Review.objects.filter(organization__code="LB-DG", year=2021, kind="collective").first()
    created = review is None
    if created:
        review = walk_to_awaiting_guidance()
        assert review.state == ReviewState.AWAITING_GUIDANCE
    seed_cell_round()
    if through == ReviewState.APPROVED and review.state == ReviewState.AWAITING_GUIDANCE:
        review = carry_to_approved(review)
        assert review.state == ReviewState.APPROVED
    if through == ReviewState.APPROVED:
        seed_leader_review()
    return review, created
