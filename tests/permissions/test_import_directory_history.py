"""The directory import of the dated tree: valid_from / valid_to, dated superiors, successors (the 2025 reform).

Every change an import makes is a directory event of the audit trail; importing the same file again changes
nothing and records nothing. Old files (without the dated fields) import as they always did.
"""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from permissions.directory import DirectoryError, directory_import, read_file
from permissions.models import Organization, Position, SuperiorPeriod, User
from permissions.services import person_save, position_update
from permissions.tree import ancestors_on, superior_on
from review_process.models import AuditEvent
from tests.factories import UserFactory
from tests.permissions.test_import_directory import directory, org, snapshot, write
from tests.permissions.test_import_directory_xlsx import workbook

pytestmark = pytest.mark.django_db

EVE, REFORM = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
LB_DG = 'organizations[0] (code "LB-DG")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def reform_directory():
    """The Long Biên part of the directory after the 2025 reform: the district ended on 30 June 2025 (its
    successor is the city), and Đức Giang reported to it until then, to the city from 1 July 2025."""
    data = directory()
    dg, tt, lb, _hn = data["organizations"]
    del dg["superior"]
    dg["superiors"] = [
        {"code": "LB", "from": None, "to": "2025-06-30"},
        {"code": "HN", "from": "2025-07-01", "to": None},
    ]
    tt["superiors"] = [{"code": "LB", "to": "2025-06-30"}, {"code": "HN", "from": "2025-07-01"}]
    tt["superior"] = "HN"  # given as well: it must agree with the period covering today
    lb.update(valid_to="2025-06-30", successor="HN")
    data["positions"][2]["end"] = "2025-06-30"  # the district's board member leaves with the district
    return data


def events():
    return AuditEvent.objects.order_by("pk")  # the order written (the global order is the seals')


def periods(code):
    return list(
        SuperiorPeriod.objects.filter(organization__code=code)
        .order_by("superior__code")
        .values_list("superior__code", "valid_from", "valid_to")
    )


def history_snapshot():
    """``snapshot()`` with the dated fields and the audit trail."""
    return {
        **snapshot(),
        "dated": list(
            Organization.objects.order_by("pk").values_list("code", "valid_from", "valid_to", "successor__code")
        ),
        "periods": list(SuperiorPeriod.objects.order_by("pk").values_list("organization", "superior", "valid_from")),
        "events": events().count(),
    }


# --- The reform, imported --------------------------------------------------------------------------------------


def test_the_reform_as_a_directory_file_builds_the_dated_tree():
    admin = UserFactory(username="admin")
    report = directory_import(reform_directory(), by=admin)
    assert (report.organizations.created, report.people.created, report.positions.created) == (4, 3, 3)

    hn, lb, dg, tt = org("HN"), org("LB"), org("LB-DG"), org("LB-TT")
    assert superior_on(dg, datetime.date(2021, 12, 31)) == lb
    assert superior_on(dg, datetime.date(2025, 12, 31)) == hn
    assert superior_on(dg, EVE) == lb and superior_on(dg, REFORM) == hn
    assert [o.code for o in ancestors_on(tt, datetime.date(2021, 12, 31))] == ["HN", "LB"]
    assert periods("LB-DG") == [("HN", REFORM, None), ("LB", None, EVE)]
    assert periods("LB-TT") == periods("LB-DG")
    # Today's tree (the materialised path) is the period covering today.
    assert dg.superior == hn and dg.path == f"/{hn.pk}/{dg.pk}/"
    assert (lb.valid_from, lb.valid_to, lb.successor) == (None, EVE, hn)
    assert lb.exists_on(EVE) and not lb.exists_on(REFORM)
    assert Position.objects.get(person__username="vtthan").end == EVE

    # Every change is a directory event (no review), recorded as made by ``by``.
    recorded = list(events())
    assert recorded and all(e.review_id is None and e.action.startswith("directory.") for e in recorded)
    assert {e.actor_id for e in recorded} == {admin.pk}
    actions = [e.action for e in recorded]
    assert actions.count("directory.organization.created") == 4
    assert actions.count("directory.organization.superiors_changed") == 2
    assert actions.count("directory.person.created") == 3
    assert actions.count("directory.position.started") == 3
    assert "password" not in next(e for e in recorded if e.action == "directory.person.created").payload["after"]


def test_importing_the_reform_twice_changes_nothing_and_records_nothing():
    directory_import(reform_directory())
    before = history_snapshot()

    again = directory_import(reform_directory())

    assert (again.organizations.unchanged, again.people.unchanged, again.positions.unchanged) == (4, 3, 3)
    assert (again.organizations.created, again.organizations.updated, again.positions.updated) == (0, 0, 0)
    assert history_snapshot() == before  # not one more AuditEvent


def test_the_reform_applied_to_an_imported_directory_updates_it_event_by_event():
    directory_import(directory())  # the old tree: Đức Giang and Thượng Thanh under Long Biên
    count = events().count()

    report = directory_import(reform_directory())

    assert (report.organizations.updated, report.organizations.unchanged) == (3, 1)  # LB-DG, LB-TT, LB; not HN
    assert (report.positions.updated, report.people.unchanged) == (1, 3)
    new = list(events()[count:])
    assert all(e.review_id is None and e.action.startswith("directory.") for e in new)
    assert sorted(e.action for e in new) == [
        "directory.organization.changed",  # LB: valid_to and successor
        "directory.organization.changed",  # LB-DG: today's superior is the city
        "directory.organization.changed",  # LB-TT: likewise
        "directory.organization.superiors_changed",
        "directory.organization.superiors_changed",
        "directory.position.ended",
    ]
    hn, dg = org("HN"), org("LB-DG")
    assert dg.path == f"/{hn.pk}/{dg.pk}/"
    assert superior_on(dg, datetime.date(2021, 12, 31)) == org("LB")

    # The old file now contradicts the dated superiors in the database: refused, nothing written.
    before = history_snapshot()
    with pytest.raises(DirectoryError) as excinfo:
        directory_import(directory())
    assert excinfo.value.errors[0].startswith(
        f'{LB_DG}: superior: does not agree with the superior periods in the database, which give "HN" on '
    )
    assert history_snapshot() == before


def test_today_superior_is_the_period_covering_today():
    with time_machine.travel(datetime.datetime(2025, 3, 1, 12, 0), tick=False):
        data = reform_directory()
        del data["organizations"][1]["superior"]  # LB-TT: derived like LB-DG
        directory_import(data)
    assert org("LB-DG").superior == org("LB") and org("LB-TT").superior == org("LB")


def test_an_old_format_file_still_imports_unchanged_and_idempotently():
    first = directory_import(directory())
    assert first.organizations.created == 4
    assert not SuperiorPeriod.objects.exists()
    assert all(o.valid_from is None and o.valid_to is None and o.successor is None for o in Organization.objects.all())
    before = history_snapshot()
    again = directory_import(directory())
    assert again.organizations.unchanged == 4 and history_snapshot() == before


def test_an_empty_superiors_list_clears_the_dated_superiors():
    directory_import(reform_directory())
    data = reform_directory()
    data["organizations"][0].update(superiors=[], superior="HN")
    report = directory_import(data)
    assert report.organizations.updated == 1
    assert periods("LB-DG") == [] and superior_on(org("LB-DG"), datetime.date(2021, 1, 1)) == org("HN")


def test_positions_and_people_changes_are_events():
    directory_import(directory())
    count = events().count()
    data = directory()
    data["people"][0]["email"] = "hung@example.org"
    data["positions"][0].update(title="Bí thư", end="2021-12-31")
    directory_import(data)
    assert [e.action for e in events()[count:]] == [
        "directory.person.changed",
        "directory.position.changed",
        "directory.position.ended",
    ]
    count = events().count()
    directory_import(directory())  # the old title, and no end: reopened in one change
    assert [e.action for e in events()[count:]] == ["directory.person.changed", "directory.position.reopened"]


def test_person_save_and_position_update_write_only_what_changed():
    directory_import(directory())
    hung = User.objects.get(username="pvhung")
    count = events().count()
    person_save(person=hung)
    position = Position.objects.get(person=hung)
    position_update(position=position, title=position.title, end=None)
    assert events().count() == count
    hung.is_active = False
    person_save(person=hung)
    event = events().last()
    assert (event.action, event.payload["before"]["is_active"], event.payload["after"]["is_active"]) == (
        "directory.person.changed",
        True,
        False,
    )
    assert "password" not in event.payload["after"]
    with pytest.raises(TypeError):
        position_update(position=position, role="inspection")


def test_the_command_records_who_imported(tmp_path):
    admin = UserFactory(username="admin")
    path = write(tmp_path, reform_directory())
    call_command("import_directory", path, "--by", "admin", stdout=io.StringIO())
    assert set(events().values_list("actor", flat=True)) == {admin.pk}
    with pytest.raises(CommandError, match="Unknown user"):
        call_command("import_directory", path, "--by", "nobody", stdout=io.StringIO())


# --- Errors: named, and nothing is written ---------------------------------------------------------------------


def _dg(**fields):
    def change(data):
        data["organizations"][0].update(fields)
        return data

    return change


def _lb(**fields):
    def change(data):
        data["organizations"][2].update(fields)
        return data

    return change


def _lb_without_superior(**fields):
    def change(data):
        del data["organizations"][2]["superior"]
        data["organizations"][2].update(fields)
        return data

    return change


def _hn(**fields):
    def change(data):
        data["organizations"][3].update(fields)
        return data

    return change


ERROR_CASES = {
    "overlapping periods": (
        _dg(superiors=[{"code": "LB", "to": "2025-07-01"}, {"code": "HN", "from": "2025-07-01"}]),
        [
            f"{LB_DG}: superiors[1].from: overlaps superiors[0] (no start to 2025-07-01): an organisation has one "
            "direct superior at a time"
        ],
    ),
    "unknown superior code": (
        _dg(superiors=[{"code": "LB", "to": "2025-06-30"}, {"code": "ZZ", "from": "2025-07-01"}]),
        [f'{LB_DG}: superiors[1].code: unknown organisation code "ZZ" (neither in the file nor in the database)'],
    ),
    "successor without valid_to": (
        _lb(valid_to=None),
        ['organizations[2] (code "LB"): successor: a successor is given only to an organisation that ends (valid_to)'],
    ),
    "unknown successor": (
        _lb(successor="ZZ"),
        [
            'organizations[2] (code "LB"): successor: unknown organisation code "ZZ" (neither in the file nor in the '
            "database)"
        ],
    ),
    "own successor": (
        _lb(successor="LB"),
        ['organizations[2] (code "LB"): successor: an organisation cannot be its own successor'],
    ),
    "own superior": (
        _dg(superiors=[{"code": "LB-DG"}]),
        [f"{LB_DG}: superiors[0].code: an organisation cannot be its own superior"],
    ),
    "period ending before it starts": (
        _dg(superiors=[{"code": "LB", "from": "2025-06-30", "to": "2025-01-01"}]),
        [f"{LB_DG}: superiors[0].to: ends on 2025-01-01, before it starts (2025-06-30)"],
    ),
    "valid_to before valid_from": (
        _lb(valid_from="2026-01-01"),
        ['organizations[2] (code "LB"): valid_to: ends on 2025-06-30, before it starts (2026-01-01)'],
    ),
    "bad dates": (
        _dg(valid_from="2025-02-30", superiors=[{"code": "LB", "to": "30/06/2025"}, "HN"]),
        [
            f'{LB_DG}: superiors[0].to: not a date in the form YYYY-MM-DD: "30/06/2025"',
            f"{LB_DG}: superiors[1]: expected object, got string",
            f'{LB_DG}: valid_from: not a date in the form YYYY-MM-DD: "2025-02-30"',
        ],
    ),
    "superiors not a list": (_dg(superiors={"code": "LB"}), [f"{LB_DG}: superiors: expected array, got object"]),
    "unknown period field": (
        _dg(superiors=[{"code": "HN", "until": "2025-06-30"}]),
        [f"{LB_DG}: superiors[0].until: unknown field (expected one of: code, from, to)"],
    ),
    "superior disagreeing with superiors": (
        _dg(superior="LB"),
        [f'{LB_DG}: superior: does not agree with superiors, which give "HN" on {timezone.localdate()} (today)'],
    ),
    "a cycle on some dates only": (
        _lb_without_superior(superiors=[{"code": "HN", "to": "2020-12-31"}, {"code": "LB-DG", "from": "2021-01-01"}]),
        [
            f"{LB_DG}: superiors: the dated superior relation has a cycle on 2021-01-01: LB-DG → LB → LB-DG",
        ],
    ),
    "a successor cycle": (
        _hn(valid_to="2030-12-31", successor="LB"),
        ['organizations[2] (code "LB"): successor: the successor relation has a cycle: LB → HN → LB'],
    ),
}


@pytest.mark.parametrize(("change", "expected"), ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_each_error_is_named_and_nothing_is_written(change, expected):
    directory_import(directory())
    before = history_snapshot()
    with pytest.raises(DirectoryError) as excinfo:
        directory_import(change(reform_directory()))
    assert excinfo.value.errors == expected
    assert history_snapshot() == before


# --- The workbook: a superiors sheet -----------------------------------------------------------------------------


def reform_workbook(tmp_path, *, extra_rows=(), name="reform.xlsx"):
    """``reform_directory()`` as a workbook: the superiors of each organisation as rows of the superiors sheet."""
    data = reform_directory()
    rows = []
    for record in data["organizations"]:
        for period in record.pop("superiors", []):
            rows.append({"organization": record["code"], **period})
    data["superiors"] = [*rows, *extra_rows]
    return workbook(data, name, tmp_path=tmp_path)


def test_a_workbook_with_a_superiors_sheet_imports_as_the_json(tmp_path):
    path = reform_workbook(tmp_path)
    document = read_file(path)
    assert document.data["organizations"][0]["superiors"] == [
        {"code": "LB", "to": "2025-06-30"},
        {"code": "HN", "from": "2025-07-01"},
    ]
    out = io.StringIO()
    call_command("import_directory", path, stdout=out)
    assert out.getvalue().startswith("Organisations: 4 created")
    assert superior_on(org("LB-DG"), datetime.date(2021, 12, 31)) == org("LB")
    assert superior_on(org("LB-DG"), datetime.date(2025, 12, 31)) == org("HN")
    count = events().count()
    again = directory_import(reform_directory())  # the JSON finds everything as the workbook left it
    assert again.organizations.unchanged == 4 and events().count() == count


def test_errors_of_the_superiors_sheet_name_its_rows(tmp_path):
    book = openpyxl.load_workbook(reform_workbook(tmp_path))
    book["superiors"]["D2"] = "2025-07-01"  # LB-DG's first period (row 2) now overlaps its second (row 3)
    path = tmp_path / "overlap.xlsx"
    book.save(path)
    before = history_snapshot()
    with pytest.raises(DirectoryError) as excinfo:
        document = read_file(path)
        directory_import(document.data, names=document.names)
    assert excinfo.value.errors == [
        'sheet superiors, row 3 (organization "LB-DG"): from: overlaps sheet superiors, row 2 (no start to '
        "2025-07-01): an organisation has one direct superior at a time"
    ]

    stray = reform_workbook(tmp_path, extra_rows=[{"organization": "ZZ", "code": "HN"}], name="stray.xlsx")
    with pytest.raises(DirectoryError) as excinfo:
        read_file(stray)
    assert excinfo.value.errors == [
        'sheet superiors, row 6: organization: organisation "ZZ" is not in the organizations sheet'
    ]
    assert history_snapshot() == before


def test_a_workbook_without_a_superiors_sheet_leaves_the_dated_superiors_alone(tmp_path):
    directory_import(reform_directory())
    before = history_snapshot()
    data = reform_directory()
    for record in data["organizations"]:
        record.pop("superiors", None)
    data["organizations"][0]["superior"] = "HN"
    out = io.StringIO()
    call_command("import_directory", workbook(data, tmp_path=tmp_path), stdout=out)
    assert out.getvalue().startswith("Organisations: 0 created, 0 updated, 4 unchanged")
    assert history_snapshot() == before
