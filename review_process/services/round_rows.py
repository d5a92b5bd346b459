"""The rows of a rating round's entries, from JSON or from a file, each checked on its own (no database).

* ``clean_rows``: the key (required, unique in the list), the ratings (excellent, good, complete, not_complete)
  and the lengths of each row; a 400 names the row and the key.  Used by ``review_process.services.rounds``.
* ``entries_from_file``: a CSV (UTF-8; comma, semicolon or tab) or XLSX upload, first sheet, header row first,
  with the columns of the JSON entries (key, name, group, proposed_rating, final_rating, reason); any reader
  failure is one 400 ``unreadable_file``.  Its rows go to ``entries_upsert`` with ``row_offset=2`` (row 1 is the
  header).
"""

from __future__ import annotations

import csv
import io

import openpyxl
from django.utils.translation import gettext_lazy as _

from review_process.errors import InvalidInput
from review_process.models import Rating

MAX_ENTRIES = 5000
FIELDS = ("name", "group", "proposed_rating", "final_rating", "reason")
COLUMNS = ("key", *FIELDS)
ENTRY = _("Entry “%(key)s” (row %(row)s): %(error)s")
KEY_REQUIRED = _("Row %(row)s: give the key (the organisation's code, or the member's identifier).")
DUPLICATE_KEY = _("Row %(row)s: the key “%(key)s” appears twice.")
INVALID_RATING = _("“%(value)s” is not a rating: use excellent, good, complete or not_complete.")
TOO_LONG = _("“%(field)s” is too long.")
TOO_MANY = _("At most %(n)s entries at a time.")


def _rating(value, key: str, row: int, field: str) -> str:
    value = "" if value is None else str(value).strip()
    if value and value not in Rating.values:
        error = INVALID_RATING % {"value": value}
        raise InvalidInput(ENTRY, code="invalid_rating", field=field, params={"key": key, "row": row, "error": error})
    return value


def clean_rows(rows, row_offset: int) -> list[tuple[int, str, dict]]:
    """(row number, key, the given fields) of each row, checked one by one."""
    if not isinstance(rows, list | tuple):
        raise InvalidInput(_("Give a list of entries."), code="invalid", field="entries")
    if len(rows) > MAX_ENTRIES:
        raise InvalidInput(TOO_MANY, code="too_many", field="entries", params={"n": MAX_ENTRIES})
    clean, seen = [], set()
    for index, data in enumerate(rows):
        row = index + row_offset
        if not isinstance(data, dict):
            raise InvalidInput(_("Give a list of entries."), code="invalid", field=f"entries[{index}]")
        key = str(data.get("key") or "").strip()
        if not key:
            raise InvalidInput(KEY_REQUIRED, code="blank", field=f"entries[{index}].key", params={"row": row})
        if len(key) > 100:
            raise InvalidInput(TOO_LONG, code="too_long", field=f"entries[{index}].key", params={"field": key[:20]})
        if key in seen:
            raise InvalidInput(
                DUPLICATE_KEY, code="duplicate_key", field=f"entries[{index}].key", params={"row": row, "key": key}
            )
        seen.add(key)
        given = {}
        for name in FIELDS:
            if name not in data:
                continue
            if name.endswith("_rating"):
                given[name] = _rating(data[name], key, row, f"entries[{index}].{name}")
            else:
                given[name] = "" if data[name] is None else str(data[name]).strip()
                if name in ("name", "group") and len(given[name]) > 255:
                    raise InvalidInput(
                        TOO_LONG, code="too_long", field=f"entries[{index}].{name}", params={"field": name}
                    )
        clean.append((index, key, given))
    return clean


# --- files ----------------------------------------------------------------------------------------------

MAX_FILE_BYTES = 5 * 1024 * 1024
UNREADABLE = _("The file could not be read: upload a CSV (UTF-8) or XLSX file with a header row.")
NO_KEY_COLUMN = _("The file has no “key” column (columns: key, name, group, proposed_rating, final_rating, reason).")
#: What people write in a sheet for each rating (the codes, the Vietnamese abbreviations and names).
RATING_WORDS = {
    **{code: code for code in Rating.values},
    "htxs": Rating.EXCELLENT,
    "hoàn thành xuất sắc nhiệm vụ": Rating.EXCELLENT,
    "htt": Rating.GOOD,
    "hoàn thành tốt nhiệm vụ": Rating.GOOD,
    "ht": Rating.COMPLETE,
    "hoàn thành nhiệm vụ": Rating.COMPLETE,
    "kht": Rating.NOT_COMPLETE,
    "không hoàn thành nhiệm vụ": Rating.NOT_COMPLETE,
}


def _table(content: bytes) -> list[list]:
    if content[:2] == b"PK":  # an XLSX file is a zip archive
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def entries_from_file(upload) -> list[dict]:
    """The rows of a CSV or XLSX upload (first sheet, header row first) as entries for ``entries_upsert``
    (with ``row_offset=2``).  Ratings may be written as codes, HTXS/HTT/HT/KHT or their Vietnamese names."""
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB."), code="file_too_large", field="file")
    try:
        table = _table(content)
    except Exception:  # noqa: BLE001 - any reader failure (zip, XML, encoding, dialect) is the same answer
        raise InvalidInput(UNREADABLE, code="unreadable_file", field="file") from None
    if not table:
        raise InvalidInput(UNREADABLE, code="unreadable_file", field="file")
    header = [str(cell or "").strip().lower() for cell in table[0]]
    if "key" not in header:
        raise InvalidInput(NO_KEY_COLUMN, code="missing_column", field="file")
    columns = {name: header.index(name) for name in COLUMNS if name in header}
    rows = []
    for cells in table[1:]:
        values = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        values = {name: "" if v is None else str(v).strip() for name, v in values.items()}
        if not any(values.values()):
            continue
        for name in ("proposed_rating", "final_rating"):
            if name in values:
                values[name] = RATING_WORDS.get(values[name].lower(), values[name])
        rows.append(values)
    return rows
