"""The shape of every report: tables of protected values, rendered the same way on pages, in the
API, and in CSV and XLSX exports.

A table cell can only hold a value type from here, and each type is built from what
``hyte.core.disclosure`` lets out:

- ``Cell``: a count, or its mark when hidden (``"<5"``, ``"x"``);
- ``Rate``: a share 0 … 1, or ``None`` when its whole or its part is a small count;
- ``Number``: a mean, median, difference, cost…, or ``None`` when based on fewer than MIN_CELL;
- ``Text``: a label that is not a figure (a test's name, a band).

So a report cannot put a raw count on a page by mistake: the renderers take these types only."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.core.disclosure import Cell

HIDDEN = "–"  # a rate or a number that is not shown (fewer than MIN_CELL behind it)


@dataclass(frozen=True)
class Rate:
    """A share 0 … 1 shown as a whole percent; None when not shown."""

    value: float | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def percent(self) -> int | None:
        # Round half up, as the seed reports do (24.5 % → 25 %), not to even.
        return None if self.value is None else math.floor(self.value * 100 + 0.5)

    @property
    def display(self) -> str:
        return HIDDEN if self.percent is None else f"{number_format(self.percent)} %"

    def as_json(self) -> float | None:
        return None if self.value is None else round(self.value, 4)


@dataclass(frozen=True)
class Number:
    """A measured value with a fixed number of decimals and an optional unit; None when not shown."""

    value: float | None
    decimals: int = 1
    unit: str = ""

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def rounded(self) -> float | None:
        if self.value is None or not math.isfinite(self.value):
            return None
        return round(self.value, self.decimals)

    @property
    def display(self) -> str:
        rounded = self.rounded
        if rounded is None:
            return HIDDEN
        text = number_format(rounded, decimal_pos=self.decimals, use_l10n=True)
        return f"{text} {self.unit}" if self.unit else text

    def as_json(self) -> float | None:
        return self.rounded


@dataclass(frozen=True)
class Text:
    """A label inside the table (a test's name, a band), not a figure."""

    value: str | Promise

    hidden = False

    @property
    def display(self) -> str:
        return str(self.value)

    def as_json(self) -> str:
        return str(self.value)


Value = Cell | Rate | Number | Text


def display(value: Value) -> str:
    return value.display


def as_json(value: Value) -> Any:
    return value.as_json()


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class Row:
    key: str
    label: str | Promise
    values: tuple[Value, ...]
    total: bool = False  # a totals row (shown in bold, left out of charts)


@dataclass(frozen=True)
class Chart:
    """How the table is drawn: bars of one column per row, or a line over the rows in order."""

    kind: Literal["bar", "line"]
    column: str
    label: str | Promise = ""
    baseline_row: str | None = None  # a line chart's reference level (a baseline period)


@dataclass(frozen=True)
class Table:
    key: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str | Promise = ""
    chart: Chart | None = None
    row_header: str | Promise = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.values) != len(self.columns):
                raise ValueError(
                    f"{self.key}/{row.key}: {len(row.values)} values for {len(self.columns)} columns"
                )
            for value in row.values:
                if not isinstance(value, Cell | Rate | Number | Text):
                    raise TypeError(f"{self.key}/{row.key}: {type(value).__name__} is not a protected value")

    def column_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    def value(self, row_key: str, column_key: str) -> Value:
        """One value by row and column key (for tests and charts)."""
        index = self.column_index(column_key)
        for row in self.rows:
            if row.key == row_key:
                return row.values[index]
        raise KeyError(row_key)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "note": str(self.note),
            "columns": [{"key": c.key, "label": str(c.label)} for c in self.columns],
            "rows": [
                {
                    "key": row.key,
                    "label": str(row.label),
                    "total": row.total,
                    "values": {c.key: v.as_json() for c, v in zip(self.columns, row.values, strict=True)},
                }
                for row in self.rows
            ],
        }


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    since: date
    until: date
    scope: tuple[str, ...]  # the organizations' names
    filters: tuple[tuple[str | Promise, str], ...]  # (label, value) of the filters in force, for the reader
    min_cell: int
    tables: tuple[Table, ...]
    notes: tuple[str | Promise, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.key,
            "title": str(self.title),
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "organizations": list(self.scope),
            "filters": [{"label": str(label), "value": value} for label, value in self.filters],
            "min_cell": self.min_cell,
            "notes": [str(n) for n in self.notes],
            "tables": [t.as_json() for t in self.tables],
        }


TOTAL = _("Total")
