"""CSV and XLSX exports: parsed back with csv and openpyxl; hidden values stay marks, numbers are
numbers, a formula-looking label is neutralised, sheet names are unique and short enough."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from django.utils import translation
from openpyxl import load_workbook

from hyte.core.disclosure import Cell
from hyte.reporting import exports
from hyte.reporting.tables import Chart, Column, Number, Rate, Report, Row, Table, Text


def report() -> Report:
    stages = Table(
        key="stages",
        title="Referrals by stage and unit of the county: a very long title",
        row_header="Unit",
        columns=(Column("sent", "Sent"), Column("rate", "Accepted"), Column("wait", "Median days")),
        rows=(
            Row("a", "Kokkolan terveysasema", (Cell(118), Rate(73 / 118), Number(12.25, 1, "d"))),
            Row("b", '=HYPERLINK("http://evil","x")', (Cell(None, "small", 5), Rate(None), Number(None))),
            Row("c", "+Kannus", (Cell(None, "secondary", 5), Rate(None), Number(-3.0))),
            Row("d", "@team\tx", (Cell(0), Rate(None), Number(None))),
            Row("total", "Total", (Cell(131), Rate(0.6), Number(11.0)), total=True),
        ),
        note="Counted from the day sent.",
        chart=Chart("bar", "sent"),
    )
    same_title = Table(
        key="stages2",
        title="Referrals by stage and unit of the county: a very long title",
        columns=(Column("label", "Band"),),
        rows=(Row("x", "-5", (Text("-a band"),)),),
    )
    return Report(
        key="funnel",
        title="Referral funnel",
        since=date(2024, 1, 1),
        until=date(2024, 12, 31),
        scope=("Soite",),
        filters=(("Unit", "=cmd|' /C calc'!A0"),),
        min_cell=5,
        tables=(stages, same_title),
        notes=("A note.",),
    )


def test_csv_blocks_marks_numbers_and_neutralised_text() -> None:
    with translation.override("en"):
        response = exports.csv_response(report())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="funnel-2024-01-01-2024-12-31.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == ["Referral funnel"]
    assert ["Period", "2024-01-01 – 2024-12-31"] in rows
    assert ["Unit", "'=cmd|' /C calc'!A0"] in rows  # the filter value too
    assert ["Small counts", "Counts under 5 are shown as <5."] in rows
    start = rows.index(["Referrals by stage and unit of the county: a very long title"])
    assert rows[start + 1] == ["Unit", "Sent", "Accepted", "Median days"]
    assert rows[start + 2] == ["Kokkolan terveysasema", "118", "0.6186", "12.2"]  # 12.25 rounds to even
    assert rows[start + 3] == ['\'=HYPERLINK("http://evil","x")', "<5", "–", "–"]
    assert rows[start + 4] == ["'+Kannus", "x", "–", "-3.0"]  # a negative number stays a number
    assert rows[start + 5] == ["'@team\tx", "0", "–", "–"]
    assert rows[start + 6] == ["Total", "131", "0.6", "11.0"]
    assert rows[start + 7] == ["Counted from the day sent."]
    assert ["'-5", "'-a band"] in rows
    # Nothing in the file starts like a formula.
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), value


def test_xlsx_cover_sheets_numbers_marks_and_no_formulas() -> None:
    with translation.override("en"):
        response = exports.xlsx_response(report())
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="funnel-2024-01-01-2024-12-31.xlsx"'
    content = response.content
    # No formula anywhere in the workbook's XML.
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 3
        assert all(b"<f>" not in package.read(n) and b"<f " not in package.read(n) for n in sheets)
    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 3 and len(set(book.sheetnames)) == 3
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert book.sheetnames[0] == "Report"
    assert book.sheetnames[1] == "Referrals by stage and unit of"
    assert book.sheetnames[2].endswith(" (2)")
    cover = book["Report"]
    cover_values = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True) if row[0]}
    assert cover["A1"].value == "Referral funnel" and cover["A1"].font.bold
    assert cover_values["Period"] == "2024-01-01 – 2024-12-31"
    assert cover_values["Organizations"] == "Soite"
    assert cover_values["Unit"] == "=cmd|' /C calc'!A0" and cover["B5"].data_type == "s"
    assert cover_values["Small counts"] == "Counts under 5 are shown as <5."
    assert "Made" in cover_values

    sheet = book.worksheets[1]
    assert sheet["A1"].value.startswith("Referrals by stage")
    assert [c.value for c in sheet[3]] == ["Unit", "Sent", "Accepted", "Median days"]
    assert all(c.font.bold for c in sheet[3])
    assert [c.value for c in sheet[4]] == ["Kokkolan terveysasema", 118, 0.6186, 12.2]
    assert sheet["B4"].data_type == "n" and sheet["C4"].number_format == "0%"
    assert [c.value for c in sheet[5]] == ['=HYPERLINK("http://evil","x")', "<5", "–", "–"]
    assert sheet["A5"].data_type == "s" and sheet["A5"].quotePrefix  # text, not a formula
    assert [c.value for c in sheet[6]] == ["+Kannus", "x", "–", -3.0]
    assert [c.value for c in sheet[8]] == ["Total", 131, 0.6, 11.0]
    assert sheet["A8"].font.bold and sheet["B8"].font.bold
    assert sheet["A10"].value == "Counted from the day sent."


def test_sheet_names_are_unique_short_and_without_forbidden_characters() -> None:
    names = exports.sheet_names(["a/b:c*d?e[f]g", "Report", "x" * 40, "x" * 40, ""], taken=["report"])
    assert names[0] == "a b c d e f g"
    assert names[1] == "Report (2)"
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)"
    assert names[4] == "5"
    assert len({n.casefold() for n in names}) == 5


def test_file_names_are_safe() -> None:
    bad = report().__class__(**{**report().__dict__, "key": '../"evil"\r\nX: y'})
    assert exports.filename(bad, "csv") == "evil-X-y-2024-01-01-2024-12-31.csv"
