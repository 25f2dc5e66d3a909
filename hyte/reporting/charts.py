"""Charts of report tables as inline SVG, drawn on the server (no script, no chart library).

A chart is a picture of one column of a ``Table``; the table itself is always shown next to it, so the
chart only has to be readable, not complete:

- **bar**: one horizontal bar per row (totals left out), from a zero line, each with its value as text;
- **line**: the rows in order as points joined by a line, each with its value as text, and the
  ``baseline_row`` (a reference period) as a dashed horizontal line labelled with its value.

Readable without colour: every bar and point carries its value as text, points are marked with a
shape, the baseline is dashed and labelled. A hidden value (a count shown as ``<5`` or ``x``, a rate or
number shown as ``–``) draws no bar and no point, only its mark, so the picture cannot reveal it
either. The SVG has ``role="img"`` with a ``<title>`` and a ``<desc>`` listing every value. Every label
is escaped (unit names are typed by users)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from hyte.core.disclosure import Cell
from hyte.reporting.tables import Chart, Number, Rate, Row, Table, Value

WIDTH = 640
FONT = 13
INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#c5cdd6"
FILL = "#0a4f8a"

LABEL_WIDTH = 190  # bar charts: the row labels on the left
VALUE_ROOM = 70  # bar charts: room for the value after the longest bar
BAR_STEP = 30
BAR_HEIGHT = 18
AXIS_ROOM = 24  # above the plot: tick labels


@dataclass(frozen=True)
class Point:
    label: str
    text: str  # the value as shown in the table (or its mark)
    magnitude: float | None  # None: hidden, drawn as its mark only


def magnitude(value: Value) -> float | None:
    """The number a chart draws for a value, or None when the value is hidden or not a figure."""
    if isinstance(value, Cell):
        return None if value.hidden or value.value is None else float(value.value)
    if isinstance(value, Rate):
        return None if value.value is None else value.value * 100
    if isinstance(value, Number):
        rounded = value.rounded
        return None if rounded is None else float(rounded)
    return None


def _point(row: Row, index: int) -> Point:
    value = row.values[index]
    return Point(label=str(row.label), text=value.display, magnitude=magnitude(value))


def _nice_step(span: float, *, integer: bool = False, ticks: int = 4) -> float:
    raw = span / ticks
    if integer and raw <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if integer and power >= 1 else (1, 2, 2.5, 5, 10)
    for factor in factors:
        if raw <= factor * power + 1e-12:
            return factor * power
    return 10 * power  # pragma: no cover (the loop always returns)


def scale(values: list[float], *, percent: bool = False, integer: bool = False) -> tuple[float, float, float]:
    """(low, high, step) of an axis that starts from zero and covers every value on round ticks.
    Shares run from 0 to 100 %; counts have whole-number ticks."""
    low = min([0.0, *values])
    high = max([0.0, *values])
    if percent and low >= 0:
        high = max(high, 100.0)
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low, integer=integer)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def _decimals(step: float) -> int:
    """As many decimals as the tick step needs (0.25 → 2, 0.5 → 1, 5 → 0)."""
    for decimals in range(4):
        if abs(round(step, decimals) - step) < 1e-9:
            return decimals
    return 3


def _tick_text(value: float, decimals: int, percent: bool) -> str:
    text = number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)
    return f"{text} %" if percent else text


def _fit(label: str, width: float) -> str:
    """A label cut to about ``width`` pixels (the full label is in the table and the description)."""
    room = max(3, int(width / (FONT * 0.56)))
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, anchor: str = "start", cls: str = "", extra: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{attrs}{extra}>{escape(content)}</text>'


def chart_svg(table: Table, *, id_prefix: str = "") -> SafeString:
    """The table's chart as an ``<svg>`` element, or an empty string when the table has none."""
    chart = table.chart
    if chart is None or not table.rows:
        return mark_safe("")
    index = table.column_index(chart.column)
    rows = [row for row in table.rows if not row.total]
    if not rows:  # only totals: nothing to compare, the table says it all
        return mark_safe("")
    percent = any(isinstance(row.values[index], Rate) for row in rows)
    integer = all(isinstance(row.values[index], Cell) for row in rows)
    ident = slugify(f"{id_prefix}-chart-{table.key}") or "chart"
    title = str(chart.label or table.title)
    if chart.kind == "line":
        body, height, desc = _line(rows, chart, index, percent, integer)
    else:
        body, height, desc = _bars(rows, index, percent, integer)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )
    return mark_safe(svg)  # every text above went through escape()


def _describe(points: list[Point]) -> str:
    return "; ".join(f"{p.label}: {p.text}" for p in points)


def _grid(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [low + i * step for i in range(count + 1)]


def _bars(rows: list[Row], index: int, percent: bool, integer: bool) -> tuple[str, int, str]:
    points = [_point(row, index) for row in rows]
    shown = [p.magnitude for p in points if p.magnitude is not None]
    low, high, step = scale(shown, percent=percent, integer=integer)
    decimals = _decimals(step)
    left, right = LABEL_WIDTH + 10, WIDTH - VALUE_ROOM
    height = AXIS_ROOM + BAR_STEP * len(points) + 8

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    parts: list[str] = []
    bottom = AXIS_ROOM + BAR_STEP * len(points)
    for tick in _grid(low, high, step):
        parts.append(
            f'<line x1="{_num(x(tick))}" y1="{AXIS_ROOM - 4}" x2="{_num(x(tick))}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x(tick), AXIS_ROOM - 8, _tick_text(tick, decimals, percent), anchor="middle"))
    zero = x(0.0)
    for n, point in enumerate(points):
        top = AXIS_ROOM + n * BAR_STEP + (BAR_STEP - BAR_HEIGHT) / 2
        middle = top + BAR_HEIGHT / 2 + FONT * 0.35
        parts.append(_text(LABEL_WIDTH, middle, _fit(point.label, LABEL_WIDTH), anchor="end", cls="label"))
        if point.magnitude is None:
            # Hidden: no bar, only the mark (in italics, with a dotted outline so it is not a bar of 0).
            parts.append(
                f'<rect x="{_num(zero + 2)}" y="{_num(top)}" width="34" height="{BAR_HEIGHT}" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="2 2" class="hidden-value"/>'
            )
            parts.append(
                _text(
                    zero + 19, middle, point.text, anchor="middle", cls="mark", extra=' font-style="italic"'
                )
            )
            continue
        end = x(point.magnitude)
        parts.append(
            f'<rect x="{_num(min(zero, end))}" y="{_num(top)}" width="{_num(abs(end - zero))}" '
            f'height="{BAR_HEIGHT}" fill="{FILL}" stroke="{INK}" stroke-width="1" class="bar"/>'
        )
        parts.append(_text(max(zero, end) + 5, middle, point.text, cls="value", extra=' font-weight="600"'))
    parts.append(
        f'<line x1="{_num(zero)}" y1="{AXIS_ROOM - 4}" x2="{_num(zero)}" y2="{bottom}" stroke="{INK}" '
        f'stroke-width="1.5"/>'
    )
    return "".join(parts), height, _describe(points)


LINE_LEFT = 60
LINE_TOP = 30
LINE_PLOT_HEIGHT = 200
LINE_BOTTOM_ROOM = 40


def _line(rows: list[Row], chart: Chart, index: int, percent: bool, integer: bool) -> tuple[str, int, str]:
    baseline_rows = [row for row in rows if chart.baseline_row and row.key == chart.baseline_row]
    baseline = _point(baseline_rows[0], index) if baseline_rows else None
    points = [_point(row, index) for row in rows if row not in baseline_rows]
    shown = [p.magnitude for p in points if p.magnitude is not None]
    if baseline is not None and baseline.magnitude is not None:
        shown.append(baseline.magnitude)
    low, high, step = scale(shown, percent=percent, integer=integer)
    decimals = _decimals(step)
    left, right = LINE_LEFT, WIDTH - 20
    top, bottom = LINE_TOP, LINE_TOP + LINE_PLOT_HEIGHT
    slot = (right - left) / max(1, len(points))
    # Labels that do not fit their slot are turned 40° (months over a year), cut at about 20 letters.
    longest = max((len(p.label) for p in points), default=0)
    turned = longest * FONT * 0.56 > slot - 4
    label_room = min(longest, 20) * FONT * 0.56 * 0.65 + 24 if turned else LINE_BOTTOM_ROOM
    height = int(bottom + max(LINE_BOTTOM_ROOM, label_room))

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    def x(n: int) -> float:
        return left + slot * (n + 0.5)

    parts: list[str] = []
    for tick in _grid(low, high, step):
        parts.append(
            f'<line x1="{left}" y1="{_num(y(tick))}" x2="{right}" y2="{_num(y(tick))}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        parts.append(
            _text(left - 6, y(tick) + FONT * 0.35, _tick_text(tick, decimals, percent), anchor="end")
        )
    parts.append(
        f'<line x1="{left}" y1="{_num(y(max(low, 0.0)))}" x2="{right}" y2="{_num(y(max(low, 0.0)))}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    if baseline is not None:
        label = f"{baseline.label}: {baseline.text}"
        if baseline.magnitude is not None:
            level = y(baseline.magnitude)
            parts.append(
                f'<line x1="{left}" y1="{_num(level)}" x2="{right}" y2="{_num(level)}" stroke="{INK}" '
                f'stroke-width="1.5" stroke-dasharray="6 4" class="baseline"/>'
            )
            parts.append(
                _text(right, level - 5, _fit(label, right - left), anchor="end", cls="baseline-label")
            )
        else:
            parts.append(
                _text(right, top - 12, _fit(label, right - left), anchor="end", cls="baseline-label")
            )
    # The line: joined only between neighbours that are both shown (a hidden value breaks it).
    segment: list[str] = []
    segments: list[list[str]] = []
    for n, point in enumerate(points):
        if point.magnitude is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_num(x(n))},{_num(y(point.magnitude))}")
    if segment:
        segments.append(segment)
    for joined in segments:
        if len(joined) > 1:
            parts.append(
                f'<polyline points="{" ".join(joined)}" fill="none" stroke="{FILL}" stroke-width="2.5"/>'
            )
    for n, point in enumerate(points):
        if turned:
            turn = f' transform="rotate(-40 {_num(x(n))} {_num(bottom + 16)})"'
            parts.append(
                _text(
                    x(n),
                    bottom + 16,
                    _fit(point.label, 20 * FONT * 0.56),
                    anchor="end",
                    cls="label",
                    extra=turn,
                )
            )
        else:
            parts.append(_text(x(n), bottom + 18, _fit(point.label, slot - 4), anchor="middle", cls="label"))
        if point.magnitude is None:
            parts.append(
                _text(x(n), bottom - 8, point.text, anchor="middle", cls="mark", extra=' font-style="italic"')
            )
            continue
        cy = y(point.magnitude)
        parts.append(
            f'<circle cx="{_num(x(n))}" cy="{_num(cy)}" r="4.5" fill="#ffffff" stroke="{INK}" '
            f'stroke-width="2" class="point"/>'
        )
        parts.append(
            _text(x(n), cy - 10, point.text, anchor="middle", cls="value", extra=' font-weight="600"')
        )
    description = _describe(points)
    if baseline is not None:
        description = _describe(points) + f"; {baseline.label}: {baseline.text}"
    return "".join(parts), height, description
