"""Small pieces the report builders share: time bounds, the units a filter covers, and protecting a
table whose columns are separate counts (nested funnel stages, unrelated figures).

``protect_columns`` treats every column as its own one-way table with its own total: a column's cells
add up to its total, so primary and secondary suppression run down each column
(``disclosure.protect_counts``). It is the right tool when the columns do not add up to anything
(sent, accepted, completed…); when they do (counts by status), use ``disclosure.protect_table``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise

from hyte.core import disclosure
from hyte.core.disclosure import Cell
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import Report, Table


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(f: ReportFilter) -> tuple[datetime, datetime]:
    """[start, end) of the filter's days as aware datetimes (local midnights)."""
    return start_of(f.since), start_of(f.until + timedelta(days=1))


def unit_ids(scope: Scope, f: ReportFilter) -> list[Any]:
    """The scope's units, or the one unit of the filter."""
    if f.unit is not None:
        return [f.unit.pk]
    return list(scope.units().values_list("pk", flat=True))


def client_filter(f: ReportFilter, prefix: str) -> Q:
    """The filter's municipality, on the client reached by ``prefix`` (e.g. ``"client__"``)."""
    if f.municipality is None:
        return Q()
    return Q(**{f"{prefix}municipality_id": f.municipality.pk})


def protect_columns[R: Hashable](
    counts: Mapping[R, Mapping[str, int]], rows: Sequence[R], columns: Sequence[str], *, threshold: int
) -> tuple[dict[R, dict[str, Cell]], dict[str, Cell]]:
    """Each column protected on its own, down the rows, with its total: ({row: {column: cell}},
    {column: total cell})."""
    cells: dict[R, dict[str, Cell]] = {row: {} for row in rows}
    totals: dict[str, Cell] = {}
    for column in columns:
        protected = disclosure.protect_counts(
            {row: counts.get(row, {}).get(column, 0) for row in rows}, keys=list(rows), threshold=threshold
        )
        for row in rows:
            cells[row][column] = protected[row]
        totals[column] = protected.total
    return cells, totals


def make_report(
    key: str,
    title: str | Promise,
    scope: Scope,
    f: ReportFilter,
    tables: Sequence[Table],
    notes: Sequence[str | Promise] = (),
    *,
    filters: tuple[tuple[str | Promise, str], ...] | None = None,
) -> Report:
    """A report of the filter's period and scope, with the threshold in force."""
    return Report(
        key=key,
        title=title,
        since=f.since,
        until=f.until,
        scope=scope.organization_names,
        filters=f.described() if filters is None else filters,
        min_cell=disclosure.min_cell(),
        tables=tuple(tables),
        notes=tuple(notes),
    )
