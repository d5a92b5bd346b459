"""The Đức Giang 2021 reference case from opening to `closed`, through the API alone, each step by the right token."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review_process.audit import verify_chain
from review_process.models import AuditEvent

pytestmark = pytest.mark.django_db


def on(day: str) -> dict:
    """A transition's body: the day it happened."""
    return {"occurred_on": day}


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_reference_case_through_the_api(api, people):
    hung, than, vinh, minh = api(people.secretary), api(people.board), api(people.standing), api(people.member)

    review = ok(
        hung.post("/api/v1/reviews/", {"organization": "LB-DG", "year": 2021, "kind": "collective"}, format="json"), 201
    )
    rid = review["id"]
    assert (review["state"], review["organization"], review["year"]) == ("draft", "LB-DG", 2021)
    assert review["available_transitions"] == ["withdraw"]  # no draft report yet; its opener may withdraw it
    assert review["deadlines"]["conference_by"] == "2021-12-15"
    base = f"/api/v1/reviews/{rid}/"

    draft = SimpleUploadedFile(
        "du-thao.pdf", b"%PDF-1.4\n% Du thao bao cao kiem diem\n%%EOF\n", content_type="application/pdf"
    )
    version = ok(
        hung.post(
            base + "report-versions/",
            {"text": "Dự thảo báo cáo", "is_final": "false", "attachment": draft, "occurred_on": "2021-11-18"},
        ),
        201,
    )
    assert version["number"] == 1 and len(version["attachment_sha256"]) == 64
    assert ok(hung.get(base))["available_transitions"] == ["circulate_draft", "withdraw"]
    circulated = ok(hung.post(base + "transitions/circulate_draft/", on("2021-11-20"), format="json"))
    assert circulated["state"] == "collecting_opinions"
    assert ok(hung.get(base))["circulated_on"] == "2021-11-20"

    written = {"text": "Góp ý bằng văn bản", "channel": "written", "occurred_on": "2021-11-25"}
    ok(minh.post(base + "opinions/", written, format="json"), 201)
    conference = {
        "held_at": "2021-11-30T08:00:00+07:00",
        "location": "Phòng 305, trụ sở phường",
        "chair": "pvhung",
        "attendees": [
            {"person": "pvhung", "present": True},
            {"person": "tvminh", "present": True},
            {"person": "lthoa", "present": False, "reason": "Đi công tác"},
        ],
        "superior_representatives": ["vtthan", "ntkdinh"],
    }
    ok(hung.put(base + "conference/", conference, format="json"))
    spoken = ok(
        hung.post(
            base + "opinions/",
            {"text": "Ý kiến tại hội nghị", "channel": "conference", "author": "tvminh"},
            format="json",
        ),
        201,
    )
    assert (spoken["author"], spoken["recorded_by"], spoken["occurred_on"]) == ("tvminh", "pvhung", "2021-11-30")
    ok(hung.post(base + "transitions/close_opinions/", on("2021-11-30"), format="json"))

    guidance = {"text": "Ý kiến chỉ đạo của đồng chí Trưởng ban Tổ chức Quận ủy", "occurred_on": "2021-11-30"}
    ok(than.post(base + "guidance/", guidance, format="json"), 201)
    assert ok(than.post(base + "transitions/give_guidance/", on("2021-11-30"), format="json"))["state"] == "finalizing"

    for opinion in ok(hung.get(base + "opinions/")):
        answered = ok(
            hung.post(
                base + f"opinions/{opinion['id']}/response/",
                {"decision": "accepted", "note": "Tiếp thu", "occurred_on": "2021-12-02"},
                format="json",
            )
        )
        assert answered["response"]["decision"] == "accepted"
    final = {"text": "Báo cáo hoàn chỉnh", "is_final": True, "occurred_on": "2021-12-03"}
    ok(hung.post(base + "report-versions/", final, format="json"), 201)
    ok(
        hung.put(
            base + "self-assessment/", {"proposed_rating": "good", "justification": "Hoàn thành tốt"}, format="json"
        )
    )
    submitted = ok(hung.post(base + "transitions/submit_assessment/", on("2021-12-03"), format="json"))
    assert submitted["state"] == "submitted"

    vote = {"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1}
    ok(vinh.put(base + "decision/", {"final_rating": "good", "vote": vote, "occurred_on": "2021-12-08"}, format="json"))
    assert ok(vinh.post(base + "transitions/approve/", on("2021-12-08"), format="json"))["state"] == "approved"

    ok(
        than.put(
            base + "notification/",
            {"notified_on": "2021-12-10", "note": "Thông báo kết quả"},
            format="json",
        )
    )
    plan = {
        "items": [
            {
                "description": "Khắc phục hạn chế cải cách hành chính",
                "owner": "Đảng ủy phường",
                "due_date": "2022-06-30",
            }
        ],
        "occurred_on": "2021-12-10",
    }
    ok(hung.put(base + "remedial-plan/", plan, format="json"))
    result = ok(than.post(base + "transitions/close/", on("2021-12-10"), format="json"))
    assert (result["state"], result["available_transitions"]) == ("closed", [])

    trail = ok(than.get(base + "audit-trail/"))
    assert [e["sequence"] for e in trail] == list(range(1, len(trail) + 1))
    assert len(trail) == AuditEvent.objects.filter(review_id=rid).count() == 19
    assert {(e["actor"], e["actor_role"]) for e in trail if e["action"].startswith("review.transition.")} == {
        ("pvhung", "secretary"),
        ("vtthan", "organization_board"),
        ("lqvinh", "standing_committee"),
    }
    assert verify_chain().intact
    days = {e["action"]: e["payload"].get("occurred_on") for e in trail if e["action"].startswith("review.transition.")}
    assert days["review.transition.approve"] == "2021-12-08" and days["review.transition.close"] == "2021-12-10"
