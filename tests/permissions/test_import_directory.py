"""manage.py import_directory: idempotent, all or nothing, every error named by record and field."""

import datetime
import io
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from guardian.models import UserObjectPermission

from permissions.directory import DirectoryError, directory_import
from permissions.models import Organization, Position, User
from permissions.roles import ROLE_ACTIONS, Role, review_codename
from tests.factories import OrganizationFactory, PositionFactory, UserFactory
from workflows.services import review_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in their English source form (the default language is Vietnamese)."""
    with translation.override("en"):
        yield


def directory():
    """The Long Biên part of the directory; subordinates are listed before their superiors on purpose."""
    return {
        "organizations": [
            {"code": "LB-DG", "name": "Đảng ủy phường Đức Giang", "kind": "ward", "superior": "LB"},
            {"code": "LB-TT", "name": "Đảng ủy phường Thượng Thanh", "kind": "ward", "superior": "LB"},
            {"code": "LB", "name": "Quận ủy Long Biên", "kind": "district", "superior": "HN"},
            {"code": "HN", "name": "Thành ủy Hà Nội", "kind": "city", "superior": None},
        ],
        "people": [
            {"username": "pvhung", "full_name": "Phan Việt Hưng", "email": "pvhung@example.org"},
            {"username": "ntlan", "full_name": "Nguyễn Thị Lan", "email": "ntlan@example.org"},
            {"username": "vtthan", "full_name": "Vũ Thị Thân"},
        ],
        "positions": [
            {
                "person": "pvhung",
                "organization": "LB-DG",
                "role": "secretary",
                "title": "Bí thư Đảng ủy phường",
                "start": "2020-10-01",
                "end": None,
            },
            {"person": "ntlan", "organization": "LB-DG", "role": "deputy_secretary", "start": "2020-10-01"},
            {"person": "vtthan", "organization": "LB", "role": "organization_board", "start": "2020-01-01"},
        ],
    }


def write(tmp_path, data, name="directory.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(tmp_path, data, *args):
    out = io.StringIO()
    call_command("import_directory", write(tmp_path, data), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def fail(tmp_path, data):
    """Run the command on a faulty file; returns (the CommandError, the lines written to stderr)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_directory", write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    return excinfo.value, err.getvalue().splitlines()


def snapshot():
    """Everything the import could touch, row by row."""
    return {
        "organizations": list(
            Organization.objects.order_by("pk").values_list("code", "name", "kind", "superior", "path")
        ),
        "people": list(User.objects.order_by("pk").values_list("username", "full_name", "email", "password")),
        "positions": list(
            Position.objects.order_by("pk").values_list("person", "organization", "role", "title", "start", "end")
        ),
        "grants": list(
            UserObjectPermission.objects.order_by("pk").values_list("user", "permission", "content_type", "object_pk")
        ),
    }


def org(code):
    return Organization.objects.get(code=code)


SUMMARY_FIRST = (
    "Organisations: 4 created, 0 updated, 0 unchanged; people: 3 created, 0 updated, 0 unchanged; "
    "positions: 3 created, 0 updated, 0 unchanged."
)
SUMMARY_AGAIN = (
    "Organisations: 0 created, 0 updated, 4 unchanged; people: 0 created, 0 updated, 3 unchanged; "
    "positions: 0 created, 0 updated, 3 unchanged."
)


# --- Success --------------------------------------------------------------------------------------------


def test_a_full_import_creates_the_tree_people_and_positions(tmp_path):
    assert run(tmp_path, directory()) == SUMMARY_FIRST

    hn, lb, dg, tt = org("HN"), org("LB"), org("LB-DG"), org("LB-TT")
    assert hn.path == f"/{hn.pk}/" and hn.superior is None
    assert lb.path == f"/{hn.pk}/{lb.pk}/" and lb.superior == hn
    assert dg.path == f"/{hn.pk}/{lb.pk}/{dg.pk}/" and dg.superior == lb
    assert tt.path == f"/{hn.pk}/{lb.pk}/{tt.pk}/"
    assert (dg.name, dg.kind, lb.kind, hn.kind) == ("Đảng ủy phường Đức Giang", "ward", "district", "city")
    assert set(lb.descendants()) == {dg, tt}

    hung = User.objects.get(username="pvhung")
    assert (hung.full_name, hung.email) == ("Phan Việt Hưng", "pvhung@example.org")
    assert not hung.has_usable_password()
    assert User.objects.get(username="vtthan").email == ""

    secretary = Position.objects.get(person=hung)
    assert (secretary.organization, secretary.role, secretary.title) == (dg, "secretary", "Bí thư Đảng ủy phường")
    assert (secretary.start, secretary.end) == (datetime.date(2020, 10, 1), None)
    assert set(Position.objects.values_list("person__username", "organization__code", "role")) == {
        ("pvhung", "LB-DG", "secretary"),
        ("ntlan", "LB-DG", "deputy_secretary"),
        ("vtthan", "LB", "organization_board"),
    }


def test_the_service_returns_the_counts():
    report = directory_import(directory())
    assert (report.organizations.created, report.people.created, report.positions.created) == (4, 3, 3)
    assert not report.dry_run
    again = directory_import(directory())
    assert (again.organizations.unchanged, again.people.unchanged, again.positions.unchanged) == (4, 3, 3)
    assert (again.organizations.created, again.people.updated, again.positions.updated) == (0, 0, 0)


def test_running_twice_changes_nothing_not_even_grants(tmp_path):
    run(tmp_path, directory())
    hung = User.objects.get(username="pvhung")
    review_open(organization_code="LB-DG", year=2021, by=hung)
    assert UserObjectPermission.objects.filter(user=hung).exists()
    before = snapshot()

    assert run(tmp_path, directory()) == SUMMARY_AGAIN
    assert snapshot() == before


def test_a_dry_run_counts_but_writes_nothing(tmp_path):
    before = snapshot()
    assert run(tmp_path, directory(), "--dry-run") == f"Dry run, nothing written. {SUMMARY_FIRST}"
    assert snapshot() == before
    assert directory_import(directory(), dry_run=True).organizations.created == 4
    assert snapshot() == before


def test_existing_records_are_updated_and_moved_with_their_subtree(tmp_path):
    run(tmp_path, directory())
    hung = User.objects.get(username="pvhung")
    hung.set_password("secret")
    hung.save()
    cell = OrganizationFactory(code="LB-TT-1", kind="cell", superior=org("LB-TT"))

    data = directory()
    data["organizations"][1].update(superior="HN", name="Đảng ủy phường Thượng Thanh (mới)")
    data["people"][0]["email"] = "hung@example.org"
    data["positions"][0]["title"] = "Bí thư"
    out = run(tmp_path, data)

    assert out == (
        "Organisations: 0 created, 1 updated, 3 unchanged; people: 0 created, 1 updated, 2 unchanged; "
        "positions: 0 created, 1 updated, 2 unchanged."
    )
    hn, tt = org("HN"), org("LB-TT")
    assert tt.superior == hn and tt.path == f"/{hn.pk}/{tt.pk}/" and tt.name.endswith("(mới)")
    cell.refresh_from_db()
    assert cell.path == f"/{hn.pk}/{tt.pk}/{cell.pk}/"
    hung.refresh_from_db()
    assert hung.email == "hung@example.org"
    assert hung.check_password("secret")  # an existing person's password is left alone
    assert Position.objects.get(person=hung).title == "Bí thư"


def test_a_new_subordinate_may_hang_below_an_organisation_already_in_the_database(tmp_path):
    OrganizationFactory(code="HN", name="Thành ủy Hà Nội", kind="city")
    UserFactory(username="vtthan", full_name="Vũ Thị Thân")
    data = {
        "organizations": [{"code": "LB", "name": "Quận ủy Long Biên", "kind": "district", "superior": "HN"}],
        "people": [],
        "positions": [{"person": "vtthan", "organization": "LB", "role": "organization_board", "start": "2020-01-01"}],
    }
    assert run(tmp_path, data).startswith("Organisations: 1 created, 0 updated, 0 unchanged; people: 0 created")
    assert org("LB").path == f"/{org('HN').pk}/{org('LB').pk}/"
    assert Position.objects.get().person.username == "vtthan"


def test_ending_a_position_by_reimport_removes_its_grants_and_reopening_restores_them(tmp_path):
    run(tmp_path, directory())
    hung, lan, than = (User.objects.get(username=u) for u in ("pvhung", "ntlan", "vtthan"))
    review = review_open(organization_code="LB-DG", year=2021, by=hung)
    grants = UserObjectPermission.objects.filter(object_pk=str(review.pk))
    assert grants.filter(user=hung).exists()
    others = set(grants.exclude(user=hung).values_list("user", "permission"))
    assert {user for user, _permission in others} == {lan.pk, than.pk}

    as_secretary = set(grants.filter(user=hung).values_list("permission__codename", flat=True))

    data = directory()
    data["positions"][0]["end"] = "2021-12-31"
    assert "positions: 0 created, 1 updated, 2 unchanged." in run(tmp_path, data)
    assert Position.objects.get(person=hung).end == datetime.date(2021, 12, 31)
    # What the position gave is gone; having opened the review, he keeps reading it (Role.PAST_ACTOR).
    past_actor = {review_codename(action) for action in ROLE_ACTIONS[Role.PAST_ACTOR]}
    assert set(UserObjectPermission.objects.filter(user=hung).values_list("permission__codename", flat=True)) == (
        past_actor
    )
    assert set(grants.exclude(user=hung).values_list("user", "permission")) == others  # the others keep theirs

    assert "positions: 0 created, 1 updated, 2 unchanged." in run(tmp_path, directory())
    assert Position.objects.get(person=hung).end is None
    assert set(grants.filter(user=hung).values_list("permission__codename", flat=True)) == as_secretary


# --- Errors: nothing is written ---------------------------------------------------------------------------


def _set(section, index, **fields):
    def change(data):
        data[section][index].update(fields)
        return data

    return change


def _drop(section, index, field):
    def change(data):
        del data[section][index][field]
        return data

    return change


def _append(section, record):
    def change(data):
        data[section].append(record)
        return data

    return change


def _top(key, value=None, delete=False):
    def change(data):
        if delete:
            del data[key]
        else:
            data[key] = value
        return data

    return change


POSITION_0 = 'positions[0] (person "pvhung", organization "LB-DG")'
NEW_WARD = {"code": "LB-XX", "name": "Đảng ủy phường X", "kind": "ward", "superior": "ZZ"}

ERROR_CASES = {
    "not an object": (
        lambda data: [data],
        "document: expected a JSON object with the keys organizations, people, positions, got array",
    ),
    "missing top-level key": (_top("people", delete=True), "people: required key is missing"),
    "top-level key of the wrong type": (_top("organizations", {}), "organizations: expected array, got object"),
    "unknown top-level key": (_top("organisations", []), "organisations: unknown key"),
    "record not an object": (_append("people", "lthoa"), "people[4]: expected object, got string"),
    "missing required field": (
        _drop("organizations", 0, "name"),
        'organizations[0] (code "LB-DG"): name: required field is missing',
    ),
    "missing code": (_drop("organizations", 3, "code"), "organizations[3]: code: required field is missing"),
    "missing full name": (_drop("people", 2, "full_name"), 'people[2] (username "vtthan"): full_name: required'),
    "missing start": (_drop("positions", 0, "start"), f"{POSITION_0}: start: required field is missing"),
    "field of the wrong type": (
        _set("organizations", 0, name=5),
        'organizations[0] (code "LB-DG"): name: expected string, got number',
    ),
    "blank field": (_set("people", 0, full_name="  "), 'people[0] (username "pvhung"): full_name: must not be blank'),
    "too long": (_set("organizations", 3, name="x" * 256), 'organizations[3] (code "HN"): name: must be at most 255'),
    "unknown field": (_set("people", 0, fullname="x"), 'people[0] (username "pvhung"): fullname: unknown field'),
    "unknown superior": (
        _append("organizations", NEW_WARD),
        'organizations[4] (code "LB-XX"): superior: unknown organisation code "ZZ"',
    ),
    "unknown kind": (
        _set("organizations", 1, kind="county"),
        'organizations[1] (code "LB-TT"): kind: unknown kind "county"',
    ),
    "unknown role": (_set("positions", 0, role="chairman"), f'{POSITION_0}: role: unknown role "chairman"'),
    "participant is not a position role": (
        _set("positions", 0, role="participant"),
        f'{POSITION_0}: role: "participant" is granted per review',
    ),
    "unknown person": (
        _append("positions", {"person": "nobody", "organization": "LB-DG", "role": "secretary", "start": "2020-01-01"}),
        'positions[3] (person "nobody", organization "LB-DG"): person: unknown person "nobody"',
    ),
    "unknown organisation": (
        _set("positions", 0, organization="LB-ZZ"),
        'positions[0] (person "pvhung", organization "LB-ZZ"): organization: unknown organisation code "LB-ZZ"',
    ),
    "impossible date": (
        _set("positions", 0, start="2020-13-01"),
        f'{POSITION_0}: start: not a date in the form YYYY-MM-DD: "2020-13-01"',
    ),
    "date in another format": (_set("positions", 0, start="01/10/2020"), f"{POSITION_0}: start: not a date"),
    "compact date": (
        _set("positions", 0, end="20211231"),
        f'{POSITION_0}: end: not a date in the form YYYY-MM-DD: "20211231"',
    ),
    "date as a number": (_set("positions", 0, start=20201001), f"{POSITION_0}: start: expected string, got number"),
    "end before start": (
        _set("positions", 0, end="2019-12-31"),
        f"{POSITION_0}: end: ends on 2019-12-31, before it starts (2020-10-01)",
    ),
    "duplicate code": (
        _append("organizations", {"code": "HN", "name": "Hà Nội", "kind": "city"}),
        'organizations[4] (code "HN"): code: duplicate code "HN" (already used by organizations[3])',
    ),
    "duplicate username": (
        _append("people", {"username": "pvhung", "full_name": "Phan Việt Hùng"}),
        'people[4] (username "pvhung"): username: duplicate username "pvhung" (already used by people[0])',
    ),
    "invalid username": (
        _set("people", 1, username="nt lan"),
        'people[1] (username "nt lan"): username: Enter a valid username',
    ),
    "invalid email": (_set("people", 0, email="pvhung@"), 'people[0] (username "pvhung"): email: Enter a valid email'),
    "same position twice": (
        _append("positions", {"person": "pvhung", "organization": "LB-DG", "role": "secretary", "start": "2020-10-01"}),
        'positions[3] (person "pvhung", organization "LB-DG"): start: same person, organisation, role and start as '
        "positions[0]",
    ),
    "overlapping positions in the file": (
        _append("positions", {"person": "pvhung", "organization": "LB-DG", "role": "secretary", "start": "2021-01-01"}),
        'positions[3] (person "pvhung", organization "LB-DG"): start: overlaps positions[0] (2020-10-01 to no end)',
    ),
    "organisation that is its own superior": (
        _set("organizations", 3, superior="HN"),
        'organizations[3] (code "HN"): superior: the superior relation has a cycle: HN → HN',
    ),
}


@pytest.mark.parametrize(("change", "expected"), ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_each_error_names_record_and_field_and_nothing_is_written(tmp_path, change, expected):
    run(tmp_path, directory())  # an existing directory, so "nothing written" covers updates too
    before = snapshot()
    data = directory()
    data["organizations"][2]["name"] = "Quận ủy Long Biên (đổi tên)"  # a valid change that must not be applied
    data["people"].append({"username": "lthoa", "full_name": "Lê Thị Hoa"})  # people[3]: a valid addition

    error, lines = fail(tmp_path, change(data))

    assert error.returncode == 1
    assert any(line.startswith(expected) for line in lines), lines
    assert str(error).endswith("nothing was imported.")
    assert snapshot() == before


def test_every_error_is_reported_not_just_the_first(tmp_path):
    data = directory()
    data["organizations"][0]["kind"] = "county"
    data["organizations"][1]["superior"] = "ZZ"
    data["people"][0]["email"] = "nope"
    data["positions"][1]["role"] = "chairman"
    data["positions"][2]["end"] = "2019-01-01"
    before = snapshot()

    error, lines = fail(tmp_path, data)

    assert [line.split(":")[0:2] for line in lines] == [
        ['organizations[0] (code "LB-DG")', " kind"],
        ['organizations[1] (code "LB-TT")', " superior"],
        ['people[0] (username "pvhung")', " email"],
        ['positions[1] (person "ntlan", organization "LB-DG")', " role"],
        ['positions[2] (person "vtthan", organization "LB")', " end"],
    ]
    assert str(error) == f"5 errors in {tmp_path / 'directory.json'}; nothing was imported."
    assert snapshot() == before


def test_a_cycle_is_rejected_with_its_codes():
    data = {
        "organizations": [
            {"code": "A", "name": "A", "kind": "ward", "superior": "B"},
            {"code": "B", "name": "B", "kind": "district", "superior": "A"},
            {"code": "C", "name": "C", "kind": "cell", "superior": "A"},
        ],
        "people": [],
        "positions": [],
    }
    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data)
    assert excinfo.value.errors == [
        'organizations[0] (code "A"): superior: the superior relation has a cycle: A → B → A'
    ]
    assert not Organization.objects.exists()


def test_a_cycle_through_the_database_is_rejected(tmp_path):
    run(tmp_path, directory())
    before = snapshot()
    data = {
        "organizations": [{"code": "HN", "name": "Thành ủy Hà Nội", "kind": "city", "superior": "LB-DG"}],
        "people": [],
        "positions": [],
    }
    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data)
    assert excinfo.value.errors == [
        'organizations[0] (code "HN"): superior: the superior relation has a cycle: HN → LB-DG → LB → HN'
    ]
    assert snapshot() == before


def test_an_overlap_with_a_position_in_the_database_is_rejected(tmp_path):
    hn = OrganizationFactory(code="HN", name="Thành ủy Hà Nội", kind="city")
    lb = OrganizationFactory(code="LB", name="Quận ủy Long Biên", kind="district", superior=hn)
    dg = OrganizationFactory(code="LB-DG", name="Đảng ủy phường Đức Giang", kind="ward", superior=lb)
    hung = UserFactory(username="pvhung", full_name="Phan Việt Hưng")
    PositionFactory(
        person=hung, organization=dg, role="secretary", start=datetime.date(2015, 10, 1), end=datetime.date(2020, 10, 1)
    )
    before = snapshot()

    error, lines = fail(tmp_path, directory())

    assert lines == [
        f"{POSITION_0}: start: overlaps a position already in the database (2015-10-01 to 2020-10-01): "
        "a person cannot hold the same role in the same organisation twice at once"
    ]
    assert error.returncode == 1
    assert snapshot() == before

    # The day after the old term ends is fine.
    data = directory()
    data["positions"][0]["start"] = "2020-10-02"
    assert "positions: 3 created" in run(tmp_path, data)
    assert hung.positions.count() == 2


def test_a_json_syntax_error_gives_line_and_column(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_directory", write(tmp_path, '{\n  "organizations": [\n    {"code": "LB",}\n  ]\n}'))
    assert "is not valid JSON: line 3, column 19" in str(excinfo.value)
    assert excinfo.value.returncode == 1


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_directory", str(tmp_path / "missing.json"))


def test_the_command_exits_with_status_1_on_errors(tmp_path):
    # A real process (no database is touched: the file is refused before any query).
    result = subprocess.run(
        [sys.executable, "manage.py", "import_directory", write(tmp_path, [1, 2]), "--settings=tests.settings"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "array" in result.stderr.splitlines()[0]  # the error itself, then the CommandError line
