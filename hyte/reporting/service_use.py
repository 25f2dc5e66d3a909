"""Service-use trend: visits per client per month, by calendar quarter, against a baseline period,
from health record extracts imported by coordinators (``services.service_use_import``).

Definitions (the seed report: "psychiatric visits per coached client per month: 1.55 in 2023, then
1.90, 1.49 and 1.20 by quarter in 2024"):

- **Cohort**: the distinct clients of pathways in the scope's units (or the filter's unit), of the
  filter's programme, living in the filter's municipality, enrolled on or before the end of the
  period. The same cohort is followed through every row, the baseline included.
- **Rows**: the baseline period (``baseline_since`` … ``baseline_until``; by default the calendar year
  before the period), then each calendar quarter of the period. A row covers the calendar months that
  overlap its dates: a period ending on 15 August has a third quarter of two months (July, August).
- **Visits**: the sum of the imported monthly counts of the filter's visit type (all types when none is
  chosen) of the cohort's clients in the row's months. Only counts imported for the scope's
  organizations are read.
- **Visits per client per month** = visits / (clients in the cohort × months); **change** = the row's
  figure against the baseline's, in per cent.

Disclosure: the cohort size is a protected count; when it is below MIN_CELL nothing else is shown. A
visit count of 1 … MIN_CELL-1 is hidden, and then so are its rate and change (they would give it away).
All sums run in the database (one query for the cohort size, one for the visits by month)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hyte.core.disclosure import SECONDARY_MARK, Cell, min_cell, protect_count
from hyte.pathways.models import Pathway
from hyte.reporting.common import make_report
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.models import ServiceUse, ServiceUseImport
from hyte.reporting.tables import Chart, Column, Number, Report, Row, Table, Text, Value

TITLE = gettext_lazy("Service use")
BASELINE = "baseline"


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the calendar months that overlap [first, last]."""
    months: list[date] = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def quarters(since: date, until: date) -> list[tuple[str, str, list[date]]]:
    """(key, label, months) of each calendar quarter overlapping [since, until], with only the months
    that overlap the period."""
    result: list[tuple[str, str, list[date]]] = []
    for month in months_between(since, until):
        quarter = (month.month - 1) // 3 + 1
        key = f"{month.year}-q{quarter}"
        if not result or result[-1][0] != key:
            label = _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": month.year}
            result.append((key, label, []))
        result[-1][2].append(month)
    return result


def _short(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _baseline_label(since: date, until: date) -> str:
    if since == date(since.year, 1, 1) and until == date(since.year, 12, 31):
        return _("Baseline %(year)d") % {"year": since.year}
    return _("Baseline %(since)s–%(until)s") % {"since": _short(since), "until": _short(until)}


def cohort(scope: Scope, f: ReportFilter) -> QuerySet[Pathway]:
    """The pathways whose clients form the cohort."""
    pathways = Pathway.objects.filter(enrolled_on__lte=f.until)
    if f.unit is not None:
        pathways = pathways.filter(unit_id=f.unit.pk)
    else:
        pathways = pathways.filter(unit__organization_id__in=scope.organization_ids)
    if f.programme is not None:
        pathways = pathways.filter(programme_id=f.programme.pk)
    if f.municipality is not None:
        pathways = pathways.filter(client__municipality_id=f.municipality.pk)
    return pathways


def visits_by_month(scope: Scope, f: ReportFilter, first: date, last: date) -> dict[date, int]:
    """Sum of the cohort's imported counts per month in [first, last] (months as first days)."""
    rows = ServiceUse.objects.filter(
        organization_id__in=scope.organization_ids,
        client_id__in=cohort(scope, f).values("client_id"),
        month__gte=first,
        month__lte=last,
    )
    if f.visit_type:
        rows = rows.filter(visit_type=f.visit_type)
    return {
        month: int(total or 0)
        for month, total in rows.order_by()
        .values("month")
        .annotate(total=Sum("count"))
        .values_list("month", "total")
    }


def build(scope: Scope, f: ReportFilter) -> Report:
    m = min_cell()
    baseline_since = f.baseline_since or date(f.since.year - 1, 1, 1)
    baseline_until = f.baseline_until or date(f.since.year - 1, 12, 31)
    periods: list[tuple[str, str, list[date]]] = [
        (
            BASELINE,
            _baseline_label(baseline_since, baseline_until),
            months_between(baseline_since, baseline_until),
        ),
        *quarters(f.since, f.until),
    ]
    size = cohort(scope, f).values("client_id").distinct().count()
    size_cell = protect_count(size, threshold=m)
    shown = size >= m
    all_months = [month for _key, _label, months in periods for month in months]
    visits = visits_by_month(scope, f, min(all_months), max(all_months)) if shown else {}

    figures: dict[str, tuple[Cell, float | None]] = {}
    for key, _label, months in periods:
        if not shown:
            hidden = Cell(None, "secondary", m) if size else protect_count(0, threshold=m)
            figures[key] = (hidden, None)
            continue
        total = sum(visits.get(month, 0) for month in months)
        cell = protect_count(total, threshold=m)
        figures[key] = (cell, None if cell.hidden else total / (size * len(months)))
    base_rate = figures[BASELINE][1]

    rows: list[Row] = []
    for key, label, months in periods:
        cell, rate = figures[key]
        change: Value
        if key == BASELINE:
            change = Text("")
        elif rate is None or not base_rate:
            change = Number(None, 0, "%")
        else:
            change = Number(100 * (rate - base_rate) / base_rate, 0, "%")
        rows.append(
            Row(
                key=key,
                label=label,
                values=(size_cell, Number(len(months), 0), cell, Number(rate, 2), change),
            )
        )
    visit_type = f.visit_type or _("all types")
    table = Table(
        key="service-use",
        title=_("Visits per client per month (%(visit_type)s)") % {"visit_type": visit_type},
        row_header=_("Period"),
        columns=(
            Column("clients", _("Clients in the cohort")),
            Column("months", _("Months")),
            Column("visits", _("Visits")),
            Column("per_client_month", _("Visits per client per month")),
            Column("change", _("Change from the baseline")),
        ),
        rows=tuple(rows),
        note=_(
            "The cohort: clients of the pathways in these units enrolled by the end of the period, "
            "followed through every row. A row covers the calendar months that overlap it."
        ),
        chart=Chart(
            kind="line",
            column="per_client_month",
            label=_("Visits per client per month"),
            baseline_row=BASELINE,
        ),
    )
    notes: list[str] = [
        _(
            "Visits come from the health record extracts imported for these organizations; a client "
            "without imported rows counts as having no visits."
        )
    ]
    if size and not shown:
        notes.append(
            _("The cohort has fewer than %(n)d clients, so its figures are not shown (%(mark)s).")
            % {"n": m, "mark": SECONDARY_MARK}
        )
    filters = (
        *f.described(),
        (_("Visit type"), visit_type),
        (_("Baseline period"), f"{_short(baseline_since)}–{_short(baseline_until)}"),
    )
    return make_report(
        "service-use",
        TITLE,
        scope,
        f,
        (table,),
        notes,
        filters=filters,
    )


# --- reads for the import page and API ---


def imports_visible_to(organization_ids: Any) -> QuerySet[ServiceUseImport]:
    """The imports of these organizations (counts only), newest first."""
    return (
        ServiceUseImport.objects.filter(organization_id__in=organization_ids)
        .select_related("organization", "imported_by")
        .order_by("-imported_at")
    )


def visit_types(scope: Scope) -> list[str]:
    """The visit types imported for the scope (for a filter's choices)."""
    return list(
        ServiceUse.objects.filter(organization_id__in=scope.organization_ids)
        .order_by("visit_type")
        .values_list("visit_type", flat=True)
        .distinct()
    )
