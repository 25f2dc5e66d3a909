"""The server-drawn SVG charts: valid XML, every value as text, hidden values as their marks only,
labels escaped, bars scaled from zero."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from hyte.core.disclosure import Cell
from hyte.reporting.charts import chart_svg, scale
from hyte.reporting.tables import Chart, Column, Number, Rate, Row, Table, Text

SVG = "{http://www.w3.org/2000/svg}"


def small() -> Cell:
    return Cell(None, "small", 5)


def secondary() -> Cell:
    return Cell(None, "secondary", 5)


def bar_table(**chart: object) -> Table:
    return Table(
        key="stages",
        title="Referrals by stage",
        row_header="Stage",
        columns=(Column("count", "Referrals"), Column("rate", "Of sent")),
        rows=(
            Row("sent", "Sent", (Cell(118), Rate(1.0))),
            Row("accepted", "Accepted", (Cell(73), Rate(73 / 118))),
            Row("odd", '<script>alert("x")</script> & co', (small(), Rate(None))),
            Row("other", "=HYPERLINK(1)", (secondary(), Rate(None))),
            Row("total", "Total", (Cell(200), Rate(None)), total=True),
        ),
        chart=Chart("bar", "count", "Referrals", **chart),  # type: ignore[arg-type]
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_bar_chart_is_xml_with_a_title_a_description_and_every_value() -> None:
    root = parse(chart_svg(bar_table(), id_prefix="p"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Referrals"
    assert desc is not None and desc.text is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    labels = texts(root)
    for value in ("118", "73", "<5", "x"):
        assert value in labels
    assert "200" not in labels and "Total" not in labels  # the totals row is not a bar
    assert "Sent: 118; Accepted: 73" in desc.text and "<5" in desc.text


def test_hidden_values_draw_no_bar_and_shown_ones_are_scaled_from_zero() -> None:
    root = parse(chart_svg(bar_table()))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 2  # 118 and 73; "<5" and "x" have only their marks
    widths = [float(b.get("width", 0)) for b in bars]
    starts = {b.get("x") for b in bars}
    assert len(starts) == 1  # every bar starts at the zero line
    assert widths[1] / widths[0] == pytest.approx(73 / 118, rel=0.01)
    marks = [t for t in root.iter(f"{SVG}text") if t.get("class") == "mark"]
    assert ["".join(m.itertext()) for m in marks] == ["<5", "x"]


def test_labels_are_escaped() -> None:
    svg = str(chart_svg(bar_table()))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp; co" in svg
    root = parse(svg)
    assert '<script>alert("x")</script> & co' in root.find(f"{SVG}desc").text  # type: ignore[union-attr,operator]
    assert not list(root.iter(f"{SVG}script"))


def test_negative_numbers_are_bars_to_the_left_of_zero() -> None:
    table = Table(
        key="change",
        title="Change",
        columns=(Column("mean", "Mean change"),),
        rows=(Row("a", "A", (Number(-2.5),)), Row("b", "B", (Number(5.0),)), Row("c", "C", (Number(None),))),
        chart=Chart("bar", "mean"),
    )
    with translation.override("en"):
        root = parse(chart_svg(table))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    left_a, width_a = float(bars[0].get("x", 0)), float(bars[0].get("width", 0))
    left_b, width_b = float(bars[1].get("x", 0)), float(bars[1].get("width", 0))
    assert left_a + width_a == pytest.approx(left_b)  # both meet at zero
    assert width_b / width_a == pytest.approx(2.0, rel=0.01)
    labels = texts(root)
    assert "-2.5" in labels and "5.0" in labels and "–" in labels


def test_line_chart_with_a_dashed_baseline_and_a_broken_line_at_a_hidden_value() -> None:
    table = Table(
        key="trend",
        title="Visits per client per month",
        columns=(Column("rate", "Visits per client per month"),),
        rows=(
            Row("baseline", "2023", (Number(1.55, 2),)),
            Row("q1", "Q1 2024", (Number(1.90, 2),)),
            Row("q2", "Q2 2024", (Number(1.49, 2),)),
            Row("q3", "Q3 2024", (Number(None, 2),)),
            Row("q4", "Q4 2024", (Number(1.20, 2),)),
        ),
        chart=Chart("line", "rate", baseline_row="baseline"),
    )
    with translation.override("fi"):
        root = parse(chart_svg(table, id_prefix="x"))
    labels = texts(root)
    for value in ("1,90", "1,49", "1,20", "–"):
        assert value in labels
    assert any("2023: 1,55" in label for label in labels)
    baseline = [line for line in root.iter(f"{SVG}line") if line.get("class") == "baseline"]
    assert len(baseline) == 1 and baseline[0].get("stroke-dasharray")
    assert len([c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]) == 3
    # Q1–Q2 joined; Q3 hidden breaks the line, Q4 stands alone.
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points", "").split()) == 2
    # 1.90 is drawn higher (smaller y) than 1.49, and the baseline 1.55 between them.
    points = [c for c in root.iter(f"{SVG}circle")]
    y_q1, y_q2 = float(points[0].get("cy", 0)), float(points[1].get("cy", 0))
    assert y_q1 < float(baseline[0].get("y1", 0)) < y_q2


def test_rates_are_drawn_as_percent() -> None:
    table = Table(
        key="ips",
        title="IPS",
        columns=(Column("rate", "Employment rate"),),
        rows=(Row("a", "Team A", (Rate(25 / 73),)), Row("b", "Team B", (Rate(41 / 73),))),
        chart=Chart("bar", "rate"),
    )
    with translation.override("en"):
        labels = texts(parse(chart_svg(table)))
    assert "34 %" in labels and "56 %" in labels


def test_no_chart_and_text_values() -> None:
    table = Table(key="t", title="T", columns=(Column("a", "A"),), rows=(Row("r", "R", (Text("x"),)),))
    assert chart_svg(table) == ""
    charted = Table(
        key="t",
        title="T",
        columns=(Column("a", "A"),),
        rows=(Row("r", "R", (Text("n/a"),)),),
        chart=Chart("bar", "a"),
    )
    assert "n/a" in texts(parse(chart_svg(charted)))


def test_scale_starts_at_zero_and_covers_the_values() -> None:
    assert scale([118.0, 73.0]) == (0.0, 150.0, 50.0)
    low, high, step = scale([-2.5, 5.0])
    assert low <= -2.5 and high >= 5.0 and low % step == 0
    assert scale([]) == (0.0, 1.0, 0.25)
    assert scale([], integer=True) == (0.0, 1.0, 1.0)  # counts: whole-number ticks
    assert scale([3.0], integer=True) == (0.0, 3.0, 1.0)
    assert scale([34.0], percent=True) == (0.0, 100.0, 25.0)  # shares: 0 … 100 %


def test_a_table_of_totals_only_has_no_chart() -> None:
    table = Table(
        key="t",
        title="T",
        columns=(Column("a", "A"),),
        rows=(Row("total", "Total", (Cell(3),), total=True),),
        chart=Chart("bar", "a"),
    )
    assert chart_svg(table) == ""


def test_tick_labels_are_whole_numbers_for_counts() -> None:
    table = Table(
        key="t",
        title="T",
        columns=(Column("a", "A"),),
        rows=(Row("a", "A", (Cell(0),)), Row("b", "B", (small(),))),
        chart=Chart("bar", "a"),
    )
    labels = texts(parse(chart_svg(table)))
    assert labels[:2] == ["0", "1"] and "0.2" not in labels and "0,3" not in labels
