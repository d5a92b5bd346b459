"""manage.py reorganize (the 2025 reform, on the fictional merger of Đức Giang and Thượng Thanh) and the
carry-over of an open review of a dissolved organisation to its successor."""

import datetime
import io
import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation
from guardian.models import UserObjectPermission

from permissions.models import Organization, Position, SuperiorPeriod
from permissions.tree import parents_on, superior_on
from review_process import reorganization
from review_process.access import may, may_view
from review_process.audit import verify_chain
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.models import AuditEvent, Review
from review_process.reorganization import ChangeSetError, plan_change_set
from review_process.services.carry_over import review_carry_over
from review_process.services.reorganization import reorganize
from tests.factories import OrganizationFactory, PositionFactory, UserFactory
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

D = datetime.date(2025, 7, 1)
LAST = datetime.date(2025, 6, 30)
NEW_WARD = {"code": "LB-NEW", "name": "Đảng ủy phường Long Biên", "kind": "ward", "superior": "HN"}


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source form (the default language is Vietnamese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def city(people, org):
    """The city's standing committee: above every ward before and after the reform (may cancel, carry over)."""
    person = UserFactory(username="ttcity", full_name="Trần Thị Thành")
    PositionFactory(person=person, organization=org.hn, role="standing_committee")
    return person


@pytest.fixture
def review(people, city):
    """An open 2025 review of Đức Giang (opened before the reform)."""
    return review_open(organization_code="LB-DG", year=2025, kind="collective", by=people.secretary)


def merger(*extra):
    return {
        "date": D.isoformat(),
        "changes": [
            {"op": "merge", "codes": ["LB-DG", "LB-TT"], "into": NEW_WARD},
            {"op": "dissolve", "code": "LB", "successor": "HN"},
            {
                "op": "start_position",
                "person": "ntlan",
                "organization": "LB-NEW",
                "role": "secretary",
                "title": "Bí thư",
            },
            *extra,
        ],
    }


def run(tmp_path, data, *args):
    path = tmp_path / "change-set.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("reorganize", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def counts():
    return (
        Organization.objects.count(),
        SuperiorPeriod.objects.count(),
        Position.objects.count(),
        Position.objects.filter(end__isnull=True).count(),
        AuditEvent.objects.count(),
        UserObjectPermission.objects.count(),
        list(Organization.objects.order_by("pk").values_list("path", "valid_to", "successor_id", "superior_id")),
    )


def test_dry_run_lists_changes_and_affected_reviews_and_changes_nothing(tmp_path, review):
    before = counts()
    out = run(tmp_path, merger(), "--dry-run")
    assert counts() == before
    assert "Create LB-NEW (Đảng ủy phường Long Biên, ward) under HN from 2025-07-01." in out
    assert "LB-DG (Đảng ủy phường Đức Giang) ends on 2025-06-30; successor: LB-NEW." in out
    assert "LB (Quận ủy Long Biên) ends on 2025-06-30; successor: HN." in out
    assert "End pvhung as secretary in LB-DG on 2025-06-30 (the organisation is dissolved)." in out
    assert "End vtthan as organization_board in LB on 2025-06-30 (the organisation is dissolved)." in out
    assert "Start ntlan as secretary in LB-NEW from 2025-07-01." in out
    assert f"review #{review.pk}: LB-DG 2025 (draft)" in out
    lines = out.splitlines()
    assert lines[lines.index(f"  review #{review.pk}: LB-DG 2025 (draft)") + 1] == (
        "Hint: carry over to the successor or cancel."
    )
    assert "Dry run: nothing was written." in out


def test_real_run_records_every_write_as_a_directory_event(tmp_path, org, people, review):
    events = AuditEvent.objects.filter(review__isnull=True).count()
    out = run(tmp_path, merger(), "--by", "tmduc")
    assert "Applied" in out and f"review #{review.pk}" in out
    new = Organization.objects.get(code="LB-NEW")
    assert (new.valid_from, new.valid_to, new.superior) == (D, None, org.hn)
    for code, successor in (("LB-DG", new), ("LB-TT", new), ("LB", org.hn)):
        dissolved = Organization.objects.get(code=code)
        assert (dissolved.valid_to, dissolved.successor) == (LAST, successor)
    assert not Position.objects.filter(organization__code__in=["LB", "LB-DG", "LB-TT"], end__isnull=True).exists()
    assert Position.objects.get(person__username="ntlan", organization=new).start == D
    # The tree of each date: before the reform Đức Giang under Long Biên, after it the new ward under the city.
    assert superior_on(org.dg, LAST) == org.lb
    after = parents_on(D)
    assert after[new.pk] == org.hn.pk and org.lb.pk not in after and org.dg.pk not in after
    directory = AuditEvent.objects.filter(review__isnull=True).order_by("sequence")
    new_events = list(directory)[events:]
    actions = {event.action for event in new_events}
    assert {"directory.organization.created", "directory.organization.changed"} <= actions
    assert {"directory.position.ended", "directory.position.started"} <= actions
    assert {event.actor.username for event in new_events} == {"tmduc"}
    assert verify_chain().intact
    call_command("verify_audit_trail", stdout=io.StringIO())  # exits 0: no CommandError


def test_a_move_closes_the_dated_superior_and_keeps_history(tmp_path, org, people, review):
    change_set = {
        "date": D.isoformat(),
        "changes": [
            {"op": "dissolve", "code": "LB", "successor": "HN"},
            {"op": "move", "code": "LB-DG", "superior": "HN"},
            {"op": "move", "code": "LB-TT", "superior": "HN"},
        ],
    }
    out = run(tmp_path, change_set)
    assert "LB-DG reports to HN from 2025-07-01 (before: LB)." in out
    assert "Open reviews of moved organisations: 1" in out
    periods = list(
        SuperiorPeriod.objects.filter(organization=org.dg)
        .order_by(F("valid_from").asc(nulls_first=True))  # "since always" first, on PostgreSQL too
        .values_list("superior__code", "valid_from", "valid_to")
    )
    assert periods == [("LB", None, LAST), ("HN", D, None)]
    dg = Organization.objects.get(code="LB-DG")
    assert dg.superior == org.hn and dg.path == f"{org.hn.path}{dg.pk}/"
    assert superior_on(dg, datetime.date(2021, 11, 30)) == org.lb and superior_on(dg, D) == org.hn
    # The 2025 review is decided by the tree of 2025 (the city), and the district's people have left.
    assert not may(people.standing, review, "cancel")
    assert may(Organization.objects.get(code="HN").positions.get(role="standing_committee").person, review, "cancel")


def test_an_unknown_code_refuses_the_whole_set_and_names_the_change(tmp_path, review):
    before = counts()
    bad = merger({"op": "move", "code": "LB-XX", "superior": "HN"})
    with pytest.raises(CommandError, match="nothing was written"):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad), encoding="utf-8")
        err = io.StringIO()
        call_command("reorganize", str(path), stdout=io.StringIO(), stderr=err)
    assert "Change 4 (move), field “code”: No organisation with the code “LB-XX”." in err.getvalue()
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            [{"op": "dissolve", "code": "LB", "successor": "HN"}],
            "Change 1 (dissolve), field “code”: LB-DG, LB-TT still",
        ),
        ([{"op": "split", "code": "LB"}], "Change 1 (split), field “op”: Unknown operation"),
        ([{"op": "move", "code": "LB-DG", "superior": "HN", "when": "x"}], "field “when”: Unknown field."),
        ([{"op": "move", "code": "HN", "superior": "LB-DG"}], "field “superior”: LB-DG is below HN."),
        ([{"op": "create", **NEW_WARD, "kind": "hamlet"}], "field “kind”: Unknown kind “hamlet”."),
        ([{"op": "merge", "codes": ["LB-DG"], "into": {**NEW_WARD, "code": "LB-TT"}}], "field “into.code”"),
        ([{"op": "end_position", "person": "ntlan", "organization": "LB", "role": "secretary"}], "holds no"),
        ([{"op": "start_position", "person": "pvhung", "organization": "LB-DG", "role": "boss"}], "Unknown role"),
    ],
)
def test_refused_changes_are_named(people, changes, message):
    with pytest.raises(ChangeSetError) as error:
        plan_change_set({"date": D.isoformat(), "changes": changes})
    assert message in str(error.value)


def test_a_bad_date_is_named(people):
    with pytest.raises(ChangeSetError, match="field “date”"):
        plan_change_set({"date": "1/7/2025", "changes": []})


def test_a_failure_while_writing_rolls_everything_back(monkeypatch, people, review):
    def refuse(**kwargs):
        raise ValidationError("no")

    monkeypatch.setattr(reorganization, "position_start", refuse)
    before = counts()
    with pytest.raises(ChangeSetError, match=r"Change 3 \(start_position\), field “person”: no"):
        reorganize(merger())
    assert counts() == before


# --- carrying an open review over to the successor ---


@pytest.fixture
def reformed(tmp_path, review):
    run(tmp_path, merger())
    return Review.objects.get(pk=review.pk)


def test_the_city_carries_an_open_review_over_to_the_successor(reformed, city, people):
    new_secretary = people.deputy  # ntlan, secretary of the new ward from the reform on
    assert not may(new_secretary, reformed, "circulate_draft")
    review = review_carry_over(review=reformed, by=city, reason="Sáp nhập phường từ 1/7/2025")
    assert review.organization.code == "LB-NEW"
    assert Review.objects.get(pk=review.pk).organization.code == "LB-NEW"
    event = AuditEvent.objects.filter(review=review).order_by("-sequence").first()
    assert event.action == "review.carried_over" and event.actor == city and event.actor_role == "standing_committee"
    assert event.payload.pop("records")[0]["type"] == "review_process.Review"  # the review's new fingerprint
    assert event.payload == {"from": "LB-DG", "to": "LB-NEW", "reason": "Sáp nhập phường từ 1/7/2025"}
    assert may(new_secretary, review, "circulate_draft")
    assert may_view(people.secretary, review)  # acted on it (opened it): keeps read access
    assert verify_chain().intact


def refused(review, by, code, reason="Sáp nhập"):
    before = (Review.objects.get(pk=review.pk).organization_id, AuditEvent.objects.count())
    with pytest.raises((Conflict, Forbidden, InvalidInput, NotFound)) as error:
        review_carry_over(review=review, by=by, reason=reason)
    assert error.value.code == code and str(error.value)
    assert (Review.objects.get(pk=review.pk).organization_id, AuditEvent.objects.count()) == before


def test_only_an_ended_organisation_with_a_successor_hands_its_reviews_over(review, city, org):
    refused(review, city, "not_dissolved")
    org.dg.valid_to = LAST
    org.dg.save()
    refused(review, city, "no_successor")


def test_carry_over_refusals(reformed, city, people, org):
    refused(reformed, people.outsider, "not_found")
    refused(reformed, people.secretary, "permission_denied")
    refused(reformed, city, "reason_required", reason="  ")
    Review.objects.create(organization=Organization.objects.get(code="LB-NEW"), year=2025, opened_by=city)
    refused(reformed, city, "review_exists")


def test_a_cancelled_review_is_not_carried_over(review, city, tmp_path):
    cancelled = review_transition(review=review, name="cancel", by=city, reason="Thử")
    run(tmp_path, merger())
    refused(cancelled, city, "invalid_state")


def test_the_documented_example_of_the_2025_reform_applies(tmp_path, org, people, review):
    text = (settings.BASE_DIR / "docs" / "reorganize.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    for code, name in (("LB-NT", "Đảng ủy phường Ngọc Thụy"), ("LB-BD", "Đảng ủy phường Bồ Đề")):
        OrganizationFactory(code=code, name=name, kind="ward", superior=org.lb)
    cell = OrganizationFactory(code="LB-DG-CB1", name="Chi bộ tổ dân phố 1", kind="cell", superior=org.dg)
    out = run(tmp_path, example, "--dry-run")
    header = out.splitlines()[0]
    assert header in text  # the documented output is the real one
    for line in (
        out.splitlines()[1:4] + [line for line in out.splitlines() if "[move]" in line or "[dissolve]" in line][:2]
    ):
        assert line in text
    run(tmp_path, example)
    cell.refresh_from_db()
    assert cell.superior.code == "HN-VH" and superior_on(cell, LAST) == org.dg
    assert verify_chain().intact
