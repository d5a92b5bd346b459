"""The reference case (Đức Giang ward, 30/11/2021) as demo data, and the walk that brings it to a stage.

Real names and titles are those of the published article (seed-article-duc-giang-2021.txt); the other
people are invented for the demo and marked so in their titles.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction

from permissions.directory import directory_import
from permissions.models import User
from review_process.models import Review, ReviewState
from review_process.services import records
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

DIRECTORY = {
    "organizations": [
        {"code": "HN", "name": "Thành ủy Hà Nội", "kind": "city", "superior": None},
        {"code": "LB", "name": "Quận ủy Long Biên", "kind": "district", "superior": "HN"},
        {"code": "LB-DG", "name": "Đảng ủy phường Đức Giang", "kind": "ward", "superior": "LB"},
        {"code": "LB-TT", "name": "Đảng ủy phường Thượng Thanh", "kind": "ward", "superior": "LB"},
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

# Nine opinions spoken at the conference (the article: "09 ý kiến tham gia đóng góp"); wording invented.
OPINIONS = [
    ("ntlan", "Đề nghị bổ sung số liệu cụ thể về kết quả phòng, chống dịch Covid-19 trên địa bàn."),
    ("tvminh", "Cần nêu rõ hơn nguyên nhân chủ quan của hạn chế trong công tác cải cách hành chính."),
    ("lthoa", "Đề nghị đánh giá kỹ hơn việc thực hiện quy chế dân chủ ở cơ sở."),
    ("pqtuan", "Bổ sung kết quả công tác kiểm tra, giám sát của Đảng ủy trong năm."),
    ("dtmai", "Giải pháp năm 2022 cần có mốc thời gian và người chịu trách nhiệm."),
    ("hvnam", "Đề nghị nêu rõ kết quả khắc phục hạn chế đã chỉ ra năm 2020."),
    ("bthuong", "Cần đánh giá sâu hơn công tác phát triển đảng viên mới."),
    ("nvdung", "Bổ sung đánh giá về công tác quản lý trật tự xây dựng, đô thị."),
    ("ntkdinh", "Đảng ủy cần chú trọng hơn công tác tự kiểm tra của các chi bộ trực thuộc."),
]


def person(username: str) -> User:
    return User.objects.get(username=username)


def load_directory() -> None:
    directory_import(DIRECTORY)
    for user in User.objects.filter(username__in=[p["username"] for p in DIRECTORY["people"]]):
        if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
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


@transaction.atomic
def seed_demo() -> tuple[Review, bool]:
    """Load the demo (idempotent). Returns the reference review and whether it was created now."""
    load_directory()
    existing = Review.objects.filter(organization__code="LB-DG", year=2021, kind="collective").first()
    if existing is not None:
        return existing, False
    review = walk_to_awaiting_guidance()
    assert review.state == ReviewState.AWAITING_GUIDANCE
    return review, True
