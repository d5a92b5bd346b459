"""The directory import from an XLSX workbook, and the serializers that judge each record of either format."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from permissions.directory import (
    DirectoryError,
    OrganizationSerializer,
    PositionSerializer,
    directory_import,
    read_file,
)
from permissions.models import Organization, Position
from tests.permissions.test_import_directory import SUMMARY_AGAIN, SUMMARY_FIRST, directory, run, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def workbook(data, name="directory.xlsx", *, tmp_path, cells=None):
    """``data`` (the JSON structure) as a workbook: one sheet per key, field names in row 1, ``None`` left empty.

    ``cells`` overrides single cells: {(sheet, "B3"): value}.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for section, records in data.items():
        sheet = book.create_sheet(section)
        fields = list(dict.fromkeys(field for record in records for field in record))
        sheet.append(fields)
        for record in records:
            sheet.append([record.get(field) for field in fields])
    for (section, cell), value in (cells or {}).items():
        book[section][cell] = value
    path = tmp_path / name
    book.save(path)
    return str(path)


def fail(path):
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_directory", path, stdout=io.StringIO(), stderr=err)
    return excinfo.value, err.getvalue().splitlines()


def test_a_workbook_reads_as_the_json_and_imports_the_same(tmp_path):
    data = directory()
    # positions: person, organization, role, title, start, end; a real date cell is read as YYYY-MM-DD.
    path = workbook(data, tmp_path=tmp_path, cells={("positions", "E3"): datetime.datetime(2020, 10, 1)})

    document = read_file(path)
    without_nulls = {
        section: [{field: value for field, value in record.items() if value is not None} for record in records]
        for section, records in directory().items()
    }
    assert document.data == without_nulls  # an empty cell is an absent field, whose default is the null

    out = io.StringIO()
    call_command("import_directory", path, stdout=out)
    assert out.getvalue().strip() == SUMMARY_FIRST
    assert run(tmp_path, directory()) == SUMMARY_AGAIN  # the JSON finds everything as the workbook left it
    assert Position.objects.get(person__username="ntlan").start == datetime.date(2020, 10, 1)


def test_a_workbook_dry_run_writes_nothing(tmp_path):
    before = snapshot()
    out = io.StringIO()
    call_command("import_directory", workbook(directory(), tmp_path=tmp_path), "--dry-run", stdout=out)
    assert out.getvalue().strip() == f"Dry run, nothing written. {SUMMARY_FIRST}"
    assert snapshot() == before


def test_a_bad_cell_is_named_by_sheet_and_row(tmp_path):
    data = directory()
    data["organizations"][1]["kind"] = "county"  # row 3
    data["organizations"].append({"code": "HN", "name": "Hà Nội", "kind": "city"})  # row 6
    path = workbook(
        data,
        tmp_path=tmp_path,
        cells={
            ("positions", "E2"): "2020-13-01",  # the secretary's start
            ("positions", "E4"): datetime.datetime(2020, 1, 1, 8, 30),  # a date with a time of day
        },
    )
    before = snapshot()

    error, lines = fail(path)

    assert lines == [
        'sheet organizations, row 3 (code "LB-TT"): kind: unknown kind "county" '
        "(expected one of: city, district, ward, commune, cell, other)",
        'sheet organizations, row 6 (code "HN"): code: duplicate code "HN" (already used by sheet organizations, '
        "row 5)",
        'sheet positions, row 2 (person "pvhung", organization "LB-DG"): start: not a date in the form YYYY-MM-DD: '
        '"2020-13-01"',
        'sheet positions, row 4 (person "vtthan", organization "LB"): start: not a date in the form YYYY-MM-DD: '
        '"2020-01-01 08:30:00"',
    ]
    assert str(error) == f"4 errors in {path}; nothing was imported."
    assert snapshot() == before


def test_rows_are_the_sheet_rows_even_after_empty_ones(tmp_path):
    data = directory()
    data["people"][2]["email"] = "not-an-address"
    book_path = workbook(data, tmp_path=tmp_path)
    book = openpyxl.load_workbook(book_path)
    book["people"].insert_rows(3, amount=2)  # two empty rows before ntlan: vtthan moves from row 4 to row 6
    book.save(book_path)

    with pytest.raises(DirectoryError) as excinfo:
        document = read_file(book_path)
        directory_import(document.data, names=document.names)
    assert [(issue.record, issue.field) for issue in excinfo.value.issues] == [
        ('sheet people, row 6 (username "vtthan")', "email")
    ]


def test_numbers_are_read_as_their_digits_and_an_unknown_column_is_named(tmp_path):
    data = {
        "organizations": [{"code": "HN", "name": "Thành ủy Hà Nội", "kind": "city"}],
        "people": [],
        "positions": [],
    }
    path = workbook(data, tmp_path=tmp_path, cells={("organizations", "A2"): 1001, ("organizations", "D1"): "colour"})
    assert read_file(path).data["organizations"] == [{"code": "1001", "name": "Thành ủy Hà Nội", "kind": "city"}]

    path = workbook(
        data, "colour.xlsx", tmp_path=tmp_path, cells={("organizations", "D1"): "colour", ("organizations", "D2"): 1}
    )
    _error, lines = fail(path)
    assert lines == [
        'sheet organizations, row 2 (code "HN"): colour: unknown field '
        "(expected one of: code, name, kind, superior, superiors, valid_from, valid_to, successor)"
    ]
    assert not Organization.objects.exists()


def test_the_sheets_and_header_rows_are_checked_first(tmp_path):
    data = {"organisations": [{"code": "HN", "name": "Hà Nội", "kind": "city"}], "people": [], "positions": []}
    path = workbook(
        data,
        tmp_path=tmp_path,
        cells={("people", "A1"): "username", ("people", "B1"): "username", ("positions", "C2"): "stray"},
    )
    error, lines = fail(path)
    assert lines == [
        "organizations: required sheet is missing (add one with just the header row if there is nothing to import)",
        'people: column B: the field name "username" is already used by column A',
        "positions: column C has values but no field name in row 1",
        "organisations: unknown sheet (expected one of: organizations, people, positions, superiors)",
    ]
    assert str(error).startswith("4 errors in ")


def test_a_file_that_is_no_workbook_is_an_error(tmp_path):
    path = tmp_path / "directory.XLSX"  # the extension picks the reader, in any case
    path.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(CommandError, match="is not an XLSX workbook") as excinfo:
        call_command("import_directory", str(path))
    assert excinfo.value.returncode == 1
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_directory", str(tmp_path / "missing.xlsx"))


# --- The serializers ---------------------------------------------------------------------------------------


def test_a_serializer_names_each_bad_field_and_keeps_the_good_ones():
    serializer = OrganizationSerializer(data={"code": "LB", "name": 5, "kind": "county", "colour": "red"})
    assert not serializer.is_valid()
    assert {field: [str(message) for message in messages] for field, messages in serializer.errors.items()} == {
        "colour": [
            "unknown field (expected one of: code, name, kind, superior, superiors, valid_from, valid_to, successor)"
        ],
        "name": ["expected string, got number"],
        "kind": ['unknown kind "county" (expected one of: city, district, ward, commune, cell, other)'],
    }
    assert serializer.valid_fields == {  # an absent optional field: its default
        "code": "LB",
        "superior": None,
        "superiors": None,
        "valid_from": None,
        "valid_to": None,
        "successor": None,
    }

    valid = PositionSerializer(data={"person": "a", "organization": "B", "role": "secretary", "start": "2020-01-01"})
    assert valid.is_valid(), valid.errors
    assert valid.validated_data == {
        "person": "a",
        "organization": "B",
        "role": "secretary",
        "title": "",
        "start": datetime.date(2020, 1, 1),
        "end": None,
    }


def test_serializer_errors_reach_the_caller_named_by_record_and_field():
    data = directory()
    data["positions"][1].update(role="chairman", end="2019-01-01")  # a bad field does not hide a bad period
    data["people"].append(None)
    with pytest.raises(DirectoryError) as excinfo:
        directory_import(data)
    positions_1 = 'positions[1] (person "ntlan", organization "LB-DG")'
    assert [(issue.record, issue.field) for issue in excinfo.value.issues] == [
        ("people[3]", None),
        (positions_1, "role"),
        (positions_1, "end"),
    ]
    assert excinfo.value.issues[1].message.startswith('unknown role "chairman"')
    assert excinfo.value.issues[2].message == "ends on 2019-01-01, before it starts (2020-10-01)"
    assert excinfo.value.errors[0] == "people[3]: expected object, got null"
