"""Disclosure control for small counts (``../shared/docs/measures.md`` section 5).

Every figure shown outside the units that handle a referral goes through here:

- **Primary suppression**: a count of 1 … ``MIN_CELL - 1`` is hidden and shown as ``"<5"`` (with the
  real threshold). Zero is shown: it says nothing about a person.
- **Secondary suppression**: a hidden count must not be recoverable from the totals. Rows, columns and
  the margins (row totals, column totals, the grand total) are equations ``parts = total``; whenever one
  of them pins a hidden value to a single number (the simplest case: a line with exactly one hidden
  cell), the smallest non-zero shown member of that line is hidden too, and this repeats until no line
  changes. A value hidden this way is at least ``MIN_CELL`` and is shown as ``"x"``, not as ``"<5"``,
  which would be false; the check therefore takes the bounds a reader knows into account (``"<5"`` is
  1 … 4, ``"x"`` is 5 or more, a shown value is exact), so a line such as ``<5 + x = 6`` is caught too.
- **Totals** are computed from the real counts, and hidden themselves when below ``MIN_CELL``.
- **Means, medians and shares** need at least ``MIN_CELL`` observations (``safe_median``,
  ``safe_mean``, ``safe_share``), otherwise they are ``None``.

The check looks at one line at a time. It does not solve the whole table as a system of equations
(linear programming), so a pattern that is safe line by line but not as a whole can in principle
remain; with the tables here (a few rows, six columns) the cascade hides enough in practice.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings

DEFAULT_MIN_CELL = 5
SECONDARY_MARK = "x"

Suppression = Literal["small", "secondary"]


def min_cell() -> int:
    """The threshold in force: ``settings.HYTE_MIN_CELL``, 5 when not set (never below 1)."""
    return max(1, int(getattr(settings, "HYTE_MIN_CELL", DEFAULT_MIN_CELL)))


def __getattr__(name: str) -> Any:  # ``disclosure.MIN_CELL`` follows the setting (tests override it)
    if name == "MIN_CELL":
        return min_cell()
    raise AttributeError(name)


@dataclass(frozen=True)
class Cell:
    """One published figure. ``value`` is ``None`` when hidden: the real count never leaves this module."""

    value: int | None
    suppression: Suppression | None = None
    threshold: int = DEFAULT_MIN_CELL

    @property
    def hidden(self) -> bool:
        return self.suppression is not None

    @property
    def display(self) -> str:
        if self.suppression == "small":
            return f"<{self.threshold}"
        if self.suppression == "secondary":
            return SECONDARY_MARK
        return str(self.value)

    def __str__(self) -> str:
        return self.display

    def as_json(self) -> int | str:
        """The count, or its mark (``"<5"``, ``"x"``) when hidden."""
        return self.value if self.value is not None else self.display


@dataclass(frozen=True)
class ProtectedCounts[K: Hashable]:
    """A one-dimensional table (counts by one category) after suppression."""

    keys: tuple[K, ...]
    cells: Mapping[K, Cell]
    total: Cell
    threshold: int

    def __getitem__(self, key: K) -> Cell:
        return self.cells[key]

    def items(self) -> list[tuple[K, Cell]]:
        return [(key, self.cells[key]) for key in self.keys]


@dataclass(frozen=True)
class ProtectedRow[R: Hashable]:
    key: R
    cells: tuple[Cell, ...]
    total: Cell


@dataclass(frozen=True)
class ProtectedTable[R: Hashable, C: Hashable]:
    """A rows × columns table of counts after suppression, with its margins."""

    rows: tuple[R, ...]
    columns: tuple[C, ...]
    cells: Mapping[tuple[R, C], Cell]
    row_totals: Mapping[R, Cell]
    column_totals: Mapping[C, Cell]
    total: Cell
    threshold: int
    lines: tuple[ProtectedRow[R], ...] = field(init=False)

    def __post_init__(self) -> None:
        lines = tuple(
            ProtectedRow(r, tuple(self.cells[(r, c)] for c in self.columns), self.row_totals[r])
            for r in self.rows
        )
        object.__setattr__(self, "lines", lines)

    def cell(self, row: R, column: C) -> Cell:
        return self.cells[(row, column)]

    @property
    def column_total_cells(self) -> tuple[Cell, ...]:
        """The column totals in the order of the columns (for templates)."""
        return tuple(self.column_totals[c] for c in self.columns)


# --- the engine: members (any hashable key) and lines (parts that add up to a total) ---

_INF = math.inf


def _bounds(value: int, state: Suppression | None, threshold: int) -> tuple[float, float]:
    """What a reader of the published table knows about a member."""
    if state is None:
        return value, value
    if state == "small":
        return 1, threshold - 1
    return threshold, _INF


def _pinned(
    line: tuple[Sequence[Any], Any],
    values: Mapping[Any, int],
    state: Mapping[Any, Suppression | None],
    threshold: int,
) -> bool:
    """Does this line (``sum(parts) == total``) pin some hidden member to one value?"""
    parts, total = line
    terms = [(1, key) for key in parts] + [(-1, total)]
    bounds = [_bounds(values[key], state[key], threshold) for _sign, key in terms]
    for i, (sign, key) in enumerate(terms):
        if state[key] is None:
            continue
        # sign * x_key = -(sum of the other terms); the range of the others' sum from their bounds:
        low = high = 0.0
        for j, (other_sign, _other) in enumerate(terms):
            if j == i:
                continue
            lo, hi = bounds[j]
            low += min(other_sign * lo, other_sign * hi)
            high += max(other_sign * lo, other_sign * hi)
        if sign == 1:
            known_low, known_high = -high, -low
        else:
            known_low, known_high = low, high
        own_low, own_high = bounds[i]
        if max(known_low, own_low) == min(known_high, own_high):
            return True
    return False


def _suppress(
    values: Mapping[Any, int], lines: Sequence[tuple[Sequence[Any], Any]], threshold: int
) -> dict[Any, Suppression | None]:
    state: dict[Any, Suppression | None] = {
        key: "small" if 0 < value < threshold else None for key, value in values.items()
    }
    changed = True
    while changed:
        changed = False
        for line in lines:
            while _pinned(line, values, state, threshold):
                parts, total = line
                members = [(values[k], 0, i, k) for i, k in enumerate(parts)] + [(values[total], 1, 0, total)]
                shown = [m for m in members if state[m[3]] is None and m[0] > 0]
                if not shown:
                    break  # nothing left to hide in this line; the crossing lines are checked too
                state[min(shown)[3]] = "secondary"  # the smallest; a part before the line's total
                changed = True
    return state


def _check(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"A count must be a non-negative integer, not {value!r}.")
    return value


class _Total:
    """The key of a margin (distinct from any key of the caller's)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()


def protect_counts[K: Hashable](
    counts: Mapping[K, int], *, keys: Sequence[K] | None = None, threshold: int | None = None
) -> ProtectedCounts[K]:
    """Counts by one category (missing keys count 0), with the total, after suppression.

    ``keys`` fixes the order and lets categories with no count be shown as 0."""
    m = min_cell() if threshold is None else threshold
    order = tuple(keys) if keys is not None else tuple(counts)
    values: dict[Any, int] = {key: _check(counts.get(key, 0)) for key in order}
    values[TOTAL] = sum(values.values())
    state = _suppress(values, [(order, TOTAL)], m)
    cells = {key: _cell(values[key], state[key], m) for key in order}
    return ProtectedCounts(order, cells, _cell(values[TOTAL], state[TOTAL], m), m)


def protect_table[R: Hashable, C: Hashable](
    counts: Mapping[R, Mapping[C, int]],
    *,
    rows: Sequence[R] | None = None,
    columns: Sequence[C] | None = None,
    threshold: int | None = None,
) -> ProtectedTable[R, C]:
    """A table ``{row: {column: count}}`` (missing cells count 0) with its margins, after primary and
    secondary suppression. ``rows`` and ``columns`` fix the order (and may add empty ones)."""
    m = min_cell() if threshold is None else threshold
    row_keys = tuple(rows) if rows is not None else tuple(counts)
    if columns is not None:
        column_keys = tuple(columns)
    else:
        seen: dict[C, None] = {}
        for r in row_keys:
            seen.update(dict.fromkeys(counts.get(r, {})))
        column_keys = tuple(seen)
    values: dict[Any, int] = {}
    for r in row_keys:
        row = counts.get(r, {})
        for c in column_keys:
            values[(r, c)] = _check(row.get(c, 0))
    for r in row_keys:
        values[(r, TOTAL)] = sum(values[(r, c)] for c in column_keys)
    for c in column_keys:
        values[(TOTAL, c)] = sum(values[(r, c)] for r in row_keys)
    values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in row_keys)
    all_rows: list[Any] = [*row_keys, TOTAL]
    all_columns: list[Any] = [*column_keys, TOTAL]
    lines = [([(r, c) for c in column_keys], (r, TOTAL)) for r in all_rows]
    lines += [([(r, c) for r in row_keys], (TOTAL, c)) for c in all_columns]
    state = _suppress(values, lines, m)

    def cell(key: Any) -> Cell:
        return _cell(values[key], state[key], m)

    return ProtectedTable(
        rows=row_keys,
        columns=column_keys,
        cells={(r, c): cell((r, c)) for r in row_keys for c in column_keys},
        row_totals={r: cell((r, TOTAL)) for r in row_keys},
        column_totals={c: cell((TOTAL, c)) for c in column_keys},
        total=cell((TOTAL, TOTAL)),
        threshold=m,
    )


def protect_count(value: int, *, threshold: int | None = None) -> Cell:
    """A single count on its own: hidden when 1 … MIN_CELL - 1."""
    m = min_cell() if threshold is None else threshold
    value = _check(value)
    return _cell(value, "small" if 0 < value < m else None, m)


def _cell(value: int, state: Suppression | None, threshold: int) -> Cell:
    return Cell(None if state else value, state, threshold)


def safe_median(values: Iterable[float], *, threshold: int | None = None) -> float | None:
    """The median, or ``None`` when there are fewer than MIN_CELL values."""
    m = min_cell() if threshold is None else threshold
    data = list(values)
    return float(statistics.median(data)) if data and len(data) >= m else None


def safe_mean(values: Iterable[float], *, threshold: int | None = None) -> float | None:
    """The mean, or ``None`` when there are fewer than MIN_CELL values."""
    m = min_cell() if threshold is None else threshold
    data = list(values)
    return float(statistics.fmean(data)) if data and len(data) >= m else None


def safe_share(part: int, whole: int, *, threshold: int | None = None) -> float | None:
    """``part / whole``, or ``None`` when the share would reveal a small count: the whole, the part or
    the rest (``whole - part``) is 1 … MIN_CELL - 1, or the whole is 0."""
    m = min_cell() if threshold is None else threshold
    part, whole = _check(part), _check(whole)
    if part > whole:
        raise ValueError("The part cannot be larger than the whole.")
    counts = protect_counts({"part": part, "rest": whole - part}, threshold=m)
    if whole == 0 or counts.total.hidden or counts["part"].hidden or counts["rest"].hidden:
        return None
    return part / whole
