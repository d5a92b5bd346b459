"""The demo's data: the Đức Giang 2021 reference case (people, positions, texts) and the days it happened.

Real names and titles are those of the published article (../shared/docs/seed-article-duc-giang-2021.txt); the
other people are invented for the demo and marked so in their titles. Every text says where it comes from: the
article, or invented for the demo (and then attributed only to invented people, or marked "minh họa").

``DATES`` holds the day each step and record happened: the article's dates where it gives them, elsewhere a
plausible day marked "assumed" in a comment, chosen to keep the rules. ``workflows.demo`` walks the case.
"""

from __future__ import annotations

import datetime
import zoneinfo

DEMO_PASSWORD = "demo12345"  # noqa: S105 - demo logins only, printed by `make run`
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The article: "Sáng ngày 30/11/2021, tại phòng 305, trụ sở phường" (the morning of 30/11/2021).
CONFERENCE_AT = datetime.datetime(2021, 11, 30, 8, 0, tzinfo=TZ)
CONFERENCE_DAY = CONFERENCE_AT.date()

#: The day each step and record of the reference case happened. "article": the published article dates it;
#: "assumed": the article gives no date, the day is chosen for the demo (plausible, and consistent with the rules).
DATES: dict[str, datetime.date] = {
    # assumed: the draft written a week before the conference and sent out the next day, seven days before the
    # conference (at least the regime's notice, REVIEW_DRAFT_NOTICE_DAYS, default 3).
    "draft": datetime.date(2021, 11, 22),
    "circulate_draft": datetime.date(2021, 11, 23),
    # article: the nine opinions were spoken at the conference of 30/11/2021, and the district's
    # representative gave guidance there.
    "opinions": CONFERENCE_DAY,
    "close_opinions": CONFERENCE_DAY,  # assumed: collection ends with the conference
    "guidance": CONFERENCE_DAY,
    "give_guidance": CONFERENCE_DAY,  # assumed: confirmed the day it was given
    # article: "Tất cả các ý kiến góp ý được Đảng ủy tiếp thu nghiêm túc" (at the conference).
    "responses": CONFERENCE_DAY,
    # assumed: finalised the next week, submitted before the superior's deadline of 15/12.
    "final_report": datetime.date(2021, 12, 3),
    "submit_assessment": datetime.date(2021, 12, 6),
    # assumed: the Long Biên standing committee's meeting.
    "decision": datetime.date(2021, 12, 14),
    "approve": datetime.date(2021, 12, 14),
    # assumed: notified within the period after the approval (REVIEW_NOTIFY_DAYS, default 15).
    "notification": datetime.date(2021, 12, 17),
    "remedial_plan": datetime.date(2021, 12, 24),
    "close": datetime.date(2021, 12, 28),
    # assumed: the leader's individual review, decided after the collective one (the collective first).
    "leader_residence_comment": datetime.date(2021, 11, 25),
    "leader_decision": datetime.date(2021, 12, 21),
}

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


# The decided demo (``through="approved"`` and ``"closed"``): invented vote, rating and plan.
# What the real people of the article said is recorded only as the article reports it (quoted, with the source);
# nothing is invented in their name.
GUIDANCE_TEXT = (
    "Theo bài đăng ngày 01/12/2021 của phường Đức Giang, phát biểu chỉ đạo tại hội nghị ngày 30/11/2021, đại diện "
    "Quận ủy “đã ghi nhận và đánh giá cao công tác lãnh đạo, chỉ đạo của Đảng ủy phường năm 2021” và nêu "
    "“trong công tác lãnh đạo tập thể Đảng ủy phường vẫn còn một số tồn tại, hạn chế” (bài viết chỉ đăng tóm tắt; "
    "dữ liệu minh họa không ghi thêm lời phát biểu)."
)
#: The final report: the draft with the article's account of the conference ("Tất cả các ý kiến góp ý được Đảng ủy
#: tiếp thu nghiêm túc và điều chỉnh bổ sung vào các giải pháp thực hiện trong thời gian tới").
FINAL_TEXT = DRAFT_TEXT.replace("DỰ THẢO BÁO CÁO", "BÁO CÁO").replace(
    "(nêu cụ thể)", "đã tiếp thu ý kiến góp ý và ý kiến chỉ đạo của Quận ủy"
)
#: The self-assessment's basis, in the words of the draft as the article reports it (the rating proposed with it,
#: "good", is invented for the demo).
SELF_ASSESSMENT_TEXT = (
    "Theo báo cáo kiểm điểm năm 2021: các chỉ tiêu quận giao phường đều cơ bản hoàn thành và vượt chỉ tiêu giao; "
    "công tác phòng chống dịch bệnh Covid-19 được kiểm soát tốt (mức tự xếp loại là dữ liệu minh họa)."
)
#: The Long Biên standing committee's vote on the rating (invented): 9 members, 8 present, 7 for, 1 abstaining.
DECISION_VOTE = {"members": 9, "present": 8, "for": 7, "against": 0, "abstain": 1}

#: The notification of results (by the district organisation board); no text of it was published.
NOTIFICATION_NOTE = "Thông báo kết quả xếp loại năm 2021 (dữ liệu minh họa)."
#: The remedial plan's items (invented for the demo: the article says only that the draft named the
#: shortcomings and "đưa ra các giải pháp cụ thể để khắc phục trong năm 2022").
REMEDIAL_ITEMS = [
    {
        "description": "Khắc phục các tồn tại, hạn chế đã chỉ ra trong báo cáo kiểm điểm năm 2021 (nội dung minh họa).",
        "owner": "Văn phòng Đảng ủy phường",
        "due_date": datetime.date(2022, 6, 30),
    },
    {
        "description": "Tiếp thu 09 ý kiến góp ý tại hội nghị vào chương trình công tác năm 2022 (nội dung minh họa).",
        "owner": "Ban Thường vụ Đảng ủy phường",
        "due_date": datetime.date(2022, 12, 31),
    },
]

LEADER_SELF_REVIEW = (
    "Bản tự kiểm điểm năm 2021 của đồng chí Bí thư Đảng ủy phường (nội dung không được công bố; dữ liệu minh họa "
    "không ghi lại)."
)
RESIDENCE_COMMENT = "Nhận xét của chi ủy nơi cư trú: gương mẫu chấp hành quy định nơi cư trú (nội dung giả định)."
LEADER_GUIDANCE = (
    "Ý kiến chỉ đạo của đại diện Quận ủy đối với bản tự kiểm điểm (nội dung không được công bố; dữ liệu minh họa "
    "không ghi lại)."
)
