"""Client plans of adult social work: plans with a physical activity and participation section, the
services, groups and events chosen, and income support granted for plan-based activity costs.

Definitions:

- **Plans**: client plans of the unit whose service need assessment (``assessed_on``) falls in the
  period; **with an activity section**: of those, the plans whose physical activity and participation
  section is filled in. With a municipality filter, plans of clients living there.
- **Plan items**: the services, social rehabilitation groups and events of those plans, by kind and by
  their status now.
- **Income support**: supplementary and preventive income support granted for activity costs with a
  decision date in the period, counted and summed in euros, by kind and purpose.

Counts are protected column by column (per unit) or as a whole table (items by kind × status, grants by
purpose × kind). **A sum of euros is shown only where the number of grants behind it is shown and is at
least MIN_CELL**: a hidden or small count hides its sum too, so the same suppression pattern protects
the money (one person's grant cannot be read from a sum, nor from a total minus the shown sums)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hyte.accounts.models import Unit
from hyte.core.disclosure import Cell, min_cell, protect_table
from hyte.plans.models import IncomeSupportGrant, PlanItem
from hyte.plans.selectors import PlanFigures, plan_figures
from hyte.reporting.common import make_report, protect_columns, unit_ids
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import TOTAL, Chart, Column, Number, Report, Row, Table

TITLE = gettext_lazy("Client plans and income support")
EURO = "€"


def euros(amount: Decimal, count: Cell, m: int) -> Number:
    """A sum of money, shown only when its count is shown and at least ``m``."""
    if count.hidden or count.value is None or count.value < m:
        return Number(None, 2, EURO)
    return Number(float(amount), 2, EURO)


def _figures(ids: list[object], f: ReportFilter) -> PlanFigures:
    municipality = f.municipality.pk if f.municipality is not None else None
    return plan_figures(unit_ids=ids, since=f.since, until=f.until, municipality=municipality)


def _unit_table(scope: Scope, f: ReportFilter, m: int) -> Table:
    ids = unit_ids(scope, f)
    per_unit = {str(uid): _figures([uid], f) for uid in ids}
    shown = [key for key, fig in per_unit.items() if fig.plans or fig.grant_count or f.unit is not None]
    names = {str(u.pk): str(u.name) for u in Unit.objects.filter(pk__in=shown)}
    rows_keys = sorted(shown, key=lambda key: names.get(key, key))
    columns = ["plans", "with_activity", "items", "grants"]
    counts = {
        key: {
            "plans": fig.plans,
            "with_activity": fig.with_activity,
            "items": sum(fig.items.values()),
            "grants": fig.grant_count,
        }
        for key, fig in per_unit.items()
        if key in shown
    }
    cells, totals = protect_columns(counts, rows_keys, columns, threshold=m)
    rows = [
        Row(
            key=key,
            label=names.get(key, key),
            values=(
                *(cells[key][c] for c in columns),
                euros(per_unit[key].grant_total, cells[key]["grants"], m),
            ),
        )
        for key in rows_keys
    ]
    total = sum((per_unit[key].grant_total for key in rows_keys), Decimal(0))
    rows.append(
        Row(
            key="total",
            label=TOTAL,
            values=(*(totals[c] for c in columns), euros(total, totals["grants"], m)),
            total=True,
        )
    )
    return Table(
        key="plans",
        title=_("Client plans by unit"),
        row_header=_("Unit"),
        columns=(
            Column("plans", _("Client plans")),
            Column("with_activity", _("With physical activity and participation")),
            Column("items", _("Services, groups and events")),
            Column("grants", _("Income support grants")),
            Column("euros", _("Income support (€)")),
        ),
        rows=tuple(rows),
        note=_(
            "Plans whose service need assessment falls in the period; grants whose decision date falls in "
            "it. A sum of euros is shown only when at least the threshold number of grants is behind it."
        ),
        chart=Chart(kind="bar", column="plans", label=_("Client plans")),
    )


def _item_table(figures: PlanFigures, m: int) -> Table:
    kinds, statuses = PlanItem.Kind, PlanItem.Status
    counts = {k.value: {s.value: figures.items.get((k.value, s.value), 0) for s in statuses} for k in kinds}
    table = protect_table(counts, rows=kinds.values, columns=statuses.values, threshold=m)
    rows = [
        Row(key=k.value, label=k.label, values=(*table.lines[i].cells, table.lines[i].total))
        for i, k in enumerate(kinds)
    ]
    rows.append(Row(key="total", label=TOTAL, values=(*table.column_total_cells, table.total), total=True))
    return Table(
        key="plan-items",
        title=_("Services, groups and events in the plans"),
        row_header=_("Kind"),
        columns=(*(Column(s.value, s.label) for s in statuses), Column("total", TOTAL)),
        rows=tuple(rows),
        note=_("Items of the plans counted above, by their status now."),
    )


def _grant_table(figures: PlanFigures, m: int) -> Table:
    kinds, purposes = IncomeSupportGrant.Kind, IncomeSupportGrant.Purpose
    counts = {p.value: {k.value: figures.grants.get((k.value, p.value), 0) for k in kinds} for p in purposes}
    table = protect_table(counts, rows=purposes.values, columns=kinds.values, threshold=m)

    def money(kind: str | None, purpose: str | None) -> Decimal:
        return sum(
            (
                amount
                for (k, p), amount in figures.grant_euros.items()
                if (kind is None or k == kind) and (purpose is None or p == purpose)
            ),
            Decimal(0),
        )

    rows: list[Row] = []
    for purpose in purposes:
        values: list[Cell | Number] = []
        for kind in kinds:
            cell = table.cell(purpose.value, kind.value)
            values += [cell, euros(money(kind.value, purpose.value), cell, m)]
        total_cell = table.row_totals[purpose.value]
        values += [total_cell, euros(money(None, purpose.value), total_cell, m)]
        rows.append(Row(key=purpose.value, label=purpose.label, values=tuple(values)))
    values = []
    for kind in kinds:
        cell = table.column_totals[kind.value]
        values += [cell, euros(money(kind.value, None), cell, m)]
    values += [table.total, euros(money(None, None), table.total, m)]
    rows.append(Row(key="total", label=TOTAL, values=tuple(values), total=True))
    columns: list[Column] = []
    for kind in kinds:
        columns += [
            Column(kind.value, _("%(kind)s: grants") % {"kind": kind.label}),
            Column(f"{kind.value}_euros", _("%(kind)s: €") % {"kind": kind.label}),
        ]
    columns += [Column("total", _("All grants")), Column("total_euros", _("All grants: €"))]
    return Table(
        key="income-support",
        title=_("Income support for plan-based activity costs"),
        row_header=_("What for"),
        columns=tuple(columns),
        rows=tuple(rows),
        note=_(
            "Grants with a decision date in the period. Sums of fewer grants than the threshold are hidden."
        ),
    )


def build(scope: Scope, f: ReportFilter) -> Report:
    m = min_cell()
    everything = _figures(unit_ids(scope, f), f)
    tables = (_unit_table(scope, f, m), _item_table(everything, m), _grant_table(everything, m))
    return make_report("plans", TITLE, scope, f, tables)
