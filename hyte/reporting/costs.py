"""Programme costs: what the period cost, per enrolled client and per completed pathway.

Definitions:

- **Cost in the period**: each cost entered for the scope's organizations (``ProgrammeCost``) is spread
  evenly over the days of its own period and counted for the days that period shares with the report's
  [since, until], both ends included: ``amount × shared days / days of the cost``. So a project's
  246,392 € for 2015–2017 (1,096 days) counts 82,280.54 € in 2016 (366 days). The sum is rounded to
  cents once, per programme.
- **Enrolled clients**: distinct clients whose pathway of the programme, in the scope's units (or the
  filter's unit), started (``enrolled_on``) in the period; with a municipality filter, clients living
  there.
- **Completed pathways**: pathways of the programme closed in the period with the reason "goals met" or
  "plan completed".
- **Cost per enrolled client** and **per completed pathway**: the cost in the period divided by those
  counts; not shown when the count is hidden or below MIN_CELL.
- The total row adds the programmes up (a client in two programmes counts in both).

Costs are entered per organization, not per unit or municipality: with a unit filter, the costs are
those of the unit's organization, and a municipality filter narrows the clients only. The counts are
protected column by column (primary and secondary suppression against the total)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hyte.core.disclosure import Cell, min_cell, protect_counts
from hyte.pathways.models import Pathway, Programme
from hyte.reporting.common import make_report
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.models import ProgrammeCost
from hyte.reporting.tables import TOTAL, Chart, Column, Number, Report, Row, Table

TITLE = gettext_lazy("Costs")
COMPLETED = (Pathway.ClosureReason.GOALS_MET, Pathway.ClosureReason.PLAN_COMPLETED)
CENT = Decimal("0.01")
EURO = "€"


def prorated(amount: Decimal, starts_on: date, ends_on: date, since: date, until: date) -> Decimal:
    """The part of ``amount`` (spread evenly over [starts_on, ends_on]) that falls in [since, until]."""
    first, last = max(starts_on, since), min(ends_on, until)
    if last < first:
        return Decimal(0)
    return amount * Decimal((last - first).days + 1) / Decimal((ends_on - starts_on).days + 1)


def costs_in_period(scope: Scope, f: ReportFilter) -> dict[str, Decimal]:
    """Programme code → prorated cost in the period, in cents."""
    costs = ProgrammeCost.objects.filter(starts_on__lte=f.until, ends_on__gte=f.since)
    if f.unit is not None:
        costs = costs.filter(organization_id=f.unit.organization_id)
    else:
        costs = costs.filter(organization_id__in=scope.organization_ids)
    if f.programme is not None:
        costs = costs.filter(programme_id=f.programme.pk)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for programme_id, starts_on, ends_on, amount in costs.values_list(
        "programme_id", "starts_on", "ends_on", "amount"
    ):
        sums[programme_id] += prorated(amount, starts_on, ends_on, f.since, f.until)
    return {code: total.quantize(CENT, rounding=ROUND_HALF_UP) for code, total in sums.items()}


def _pathways(scope: Scope, f: ReportFilter) -> QuerySet[Pathway]:
    pathways = Pathway.objects.all()
    if f.unit is not None:
        pathways = pathways.filter(unit_id=f.unit.pk)
    else:
        pathways = pathways.filter(unit__organization_id__in=scope.organization_ids)
    if f.programme is not None:
        pathways = pathways.filter(programme_id=f.programme.pk)
    if f.municipality is not None:
        pathways = pathways.filter(client__municipality_id=f.municipality.pk)
    return pathways


def _per(cost: Decimal, cell: Cell, m: int) -> Number:
    if cell.hidden or cell.value is None or cell.value < m:
        return Number(None, 2, EURO)
    return Number(float(cost / cell.value), 2, EURO)


def build(scope: Scope, f: ReportFilter) -> Report:
    m = min_cell()
    cost = costs_in_period(scope, f)
    pathways = _pathways(scope, f)
    enrolled: dict[str, int] = dict(
        pathways.filter(enrolled_on__gte=f.since, enrolled_on__lte=f.until)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("client_id", distinct=True))
        .values_list("programme_id", "n")
    )
    completed: dict[str, int] = dict(
        pathways.filter(closed_on__gte=f.since, closed_on__lte=f.until, closure_reason__in=COMPLETED)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    codes = set(cost) | {c for c, n in enrolled.items() if n} | {c for c, n in completed.items() if n}
    if f.programme is not None:
        codes.add(f.programme.pk)
    programmes = sorted(Programme.objects.filter(pk__in=codes), key=lambda p: (str(p.name), p.pk))
    keys = [p.pk for p in programmes]
    enrolled_cells = protect_counts(enrolled, keys=keys, threshold=m)
    completed_cells = protect_counts(completed, keys=keys, threshold=m)

    rows: list[Row] = []
    for programme in programmes:
        amount = cost.get(programme.pk, Decimal(0))
        e, c = enrolled_cells[programme.pk], completed_cells[programme.pk]
        rows.append(
            Row(
                key=programme.pk,
                label=str(programme.name),
                values=(Number(float(amount), 2, EURO), e, c, _per(amount, e, m), _per(amount, c, m)),
            )
        )
    total = sum(cost.values(), Decimal(0))
    e, c = enrolled_cells.total, completed_cells.total
    rows.append(
        Row(
            key="total",
            label=TOTAL,
            values=(Number(float(total), 2, EURO), e, c, _per(total, e, m), _per(total, c, m)),
            total=True,
        )
    )
    table = Table(
        key="costs",
        title=_("Costs per programme"),
        row_header=_("Programme"),
        columns=(
            Column("cost", _("Cost in the period")),
            Column("enrolled", _("Enrolled clients")),
            Column("completed", _("Completed pathways")),
            Column("per_enrolled", _("Cost per enrolled client")),
            Column("per_completed", _("Cost per completed pathway")),
        ),
        rows=tuple(rows),
        note=_(
            "Each cost is spread evenly over the days of its own period; the report counts the days that "
            "period shares with the report's period. Completed: closed with the goals met or the plan "
            "completed."
        ),
        chart=Chart(kind="bar", column="per_enrolled", label=_("Cost per enrolled client")),
    )
    notes: list[Any] = []
    if f.unit is not None or f.municipality is not None:
        notes.append(
            _(
                "Costs are entered per organization: with a unit or a municipality chosen, the costs are "
                "still those of the whole organization while the clients are narrowed."
            )
        )
    return make_report(
        "costs",
        TITLE,
        scope,
        f,
        (table,),
        notes,
    )


# --- reads for the cost page and API ---


def costs_visible_to(organization_ids: Any) -> QuerySet[ProgrammeCost]:
    """The costs of these organizations, newest period first."""
    return (
        ProgrammeCost.objects.filter(organization_id__in=organization_ids)
        .select_related("organization", "programme", "entered_by")
        .order_by("-starts_on", "programme_id", "-created_at")
    )
