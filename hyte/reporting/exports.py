"""A report as CSV or XLSX: exactly what the page shows, nothing more.

Both take the ``Report`` a builder made, whose values already went through disclosure control, and
write each value's ``as_json()``: a count or its mark (``"<5"``, ``"x"``), a rate as a share 0 … 1, a
number rounded as on the page; a hidden rate or number is the mark ``–``.

- **CSV** (Python's csv module, ``;`` as in the project's other exports, UTF-8 with a BOM so that Excel
  reads it as UTF-8): a heading block (title, period, organizations, filters, the small-count rule),
  then one block per table: its title, its header, its rows, an empty line. Numbers use ``.``.
- **XLSX** (openpyxl): a cover sheet with the title, period, organizations, filters, the small-count
  rule and the time it was made, then one sheet per table (unique names of at most 31 characters),
  numbers as numbers, marks as text, the header in bold.

A text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return: unit names are typed by users) gets a leading ``'`` in CSV; in XLSX every text is
written as a string, never as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from hyte.reporting.tables import HIDDEN, Number, Rate, Report, Table, Value

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would not run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def plain(value: Value) -> Any:
    """A value as written to a file: a number, or a text (a mark for a hidden value)."""
    raw = value.as_json()
    if raw is None:
        return HIDDEN
    return raw


def _period(report: Report) -> str:
    return f"{report.since.isoformat()} – {report.until.isoformat()}"


def _small_count_rule(report: Report) -> str:
    return _("Counts under %(n)s are shown as <%(n)s.") % {"n": report.min_cell}


def _hidden_rule(report: Report) -> str:
    return _(
        "x: hidden so that a small count cannot be worked out from the totals; %(mark)s: not shown, "
        "fewer than %(n)s behind it."
    ) % {"mark": HIDDEN, "n": report.min_cell}


def heading(report: Report) -> list[tuple[str, str]]:
    """What the reader needs before the tables, as (label, value) lines."""
    lines = [
        (_("Period"), _period(report)),
        (_("Organizations"), ", ".join(report.scope)),
    ]
    lines += [(str(label), str(value)) for label, value in report.filters]
    lines.append((_("Small counts"), _small_count_rule(report)))
    lines.append((_("Hidden values"), _hidden_rule(report)))
    lines += [(_("Note"), str(note)) for note in report.notes]
    return lines


def filename(report: Report, extension: str) -> str:
    """An ASCII file name from the report key and period (no quotes, slashes or spaces)."""
    stem = _FILE_UNSAFE.sub("-", f"{report.key}-{report.since.isoformat()}-{report.until.isoformat()}")
    return f"{stem.strip('-.') or 'report'}.{extension}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- CSV ---


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_rows(report: Report) -> Iterable[list[Any]]:
    yield [str(report.title)]
    for label, value in heading(report):
        yield [label, value]
    yield []
    for table in report.tables:
        yield [str(table.title)]
        yield [str(table.row_header), *(str(c.label) for c in table.columns)]
        for row in table.rows:
            yield [str(row.label), *(plain(v) for v in row.values)]
        if table.note:
            yield [str(table.note)]
        yield []


def report_csv(report: Report) -> str:
    """The report as CSV text (without the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in _csv_rows(report):
        writer.writerow([_csv_cell(v) for v in line])
    return buffer.getvalue()


def csv_response(report: Report) -> HttpResponse:
    response = HttpResponse(content_type=CSV_TYPE)
    response.write("\ufeff")  # Excel reads UTF-8 with the BOM
    response.write(report_csv(report))
    return _attachment(response, filename(report, "csv"))


# --- XLSX ---


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put(sheet: Worksheet, row: int, column: int, value: Any, *, bold: bool = False, fmt: str = "") -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # a string, even when it starts with "=": never a formula
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)


def _put_value(sheet: Worksheet, row: int, column: int, value: Value, *, bold: bool) -> None:
    raw = plain(value)
    fmt = ""
    if isinstance(value, Rate) and not value.hidden:
        fmt = "0%"
    elif isinstance(value, Number) and not value.hidden:
        fmt = "0" if value.decimals <= 0 else "0." + "0" * value.decimals
    _put(sheet, row, column, raw, bold=bold, fmt=fmt)


def sheet_names(titles: Iterable[str], *, taken: Iterable[str] = ()) -> list[str]:
    """Unique sheet names of at most 31 characters without the characters Excel refuses."""
    used = {name.casefold() for name in taken}
    names = []
    for n, title in enumerate(titles, start=1):
        base = _clean(_SHEET_UNSAFE.sub(" ", title)).strip() or f"{n}"
        name = base[:31].strip()
        counter = 2
        while name.casefold() in used:
            suffix = f" ({counter})"
            name = base[: 31 - len(suffix)].strip() + suffix
            counter += 1
        used.add(name.casefold())
        names.append(name)
    return names


def report_workbook(report: Report) -> Workbook:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = sheet_names([_("Report")])[0]
    _put(cover, 1, 1, str(report.title), bold=True)
    cover.cell(row=1, column=1).font = Font(bold=True, size=14)
    line = 3
    for label, value in heading(report):
        _put(cover, line, 1, label, bold=True)
        _put(cover, line, 2, value)
        line += 1
    _put(cover, line, 1, _("Made"), bold=True)
    _put(cover, line, 2, date_format(timezone.localtime(), "Y-m-d H:i"))
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 80

    names = sheet_names([str(t.title) for t in report.tables], taken=[cover.title])
    for table, name in zip(report.tables, names, strict=True):
        _table_sheet(workbook.create_sheet(name), table)
    return workbook


def _table_sheet(sheet: Worksheet, table: Table) -> None:
    _put(sheet, 1, 1, str(table.title), bold=True)
    _put(sheet, 3, 1, str(table.row_header), bold=True)
    for n, column in enumerate(table.columns, start=2):
        _put(sheet, 3, n, str(column.label), bold=True)
    line = 4
    for row in table.rows:
        _put(sheet, line, 1, str(row.label), bold=row.total)
        for n, value in enumerate(row.values, start=2):
            _put_value(sheet, line, n, value, bold=row.total)
        line += 1
    if table.note:
        _put(sheet, line + 1, 1, str(table.note))
    sheet.column_dimensions["A"].width = 36
    sheet.freeze_panes = "B4"


def report_xlsx(report: Report) -> bytes:
    buffer = io.BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()


def xlsx_response(report: Report) -> HttpResponse:
    response = HttpResponse(report_xlsx(report), content_type=XLSX_TYPE)
    return _attachment(response, filename(report, "xlsx"))
