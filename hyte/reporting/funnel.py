"""The referral funnel: of the referrals sent in the period, how many were accepted, reached a first
contact and were completed, with conversion rates, the median wait for the first contact, and the
coded reasons for declining and for ending.

**Cohort.** Referrals sent (``sent_at``) in [since, until] to or from the scope's units, followed to
where they are now: a referral sent on 30 December and accepted on 5 January counts as accepted in
the period it was sent. Drafts were never sent and are not counted.

**Filters.** ``unit``: referrals the unit sent or received. ``municipality``: the client's.
``programme``: referrals to units that run pathways of that programme. ``breakdown``: receiving
unit, kind of referral, or the client's municipality.

**Disclosure.** The stages are nested, not parts of a whole, so every column is protected on its own
down the rows (``common.protect_columns``): counts of 1 … MIN_CELL-1 are hidden, and a second count
wherever the column total would give a hidden one away. Rates hide when their part, their rest or
their whole is small (``disclosure.safe_share``), medians need MIN_CELL waits. What is not treated:
the difference of two shown stages (sent 12, accepted 10) is a count of those not accepted that is
never published as a cell, so it is not checked (docs/architecture.md, reporting)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit
from hyte.catalog.models import Municipality
from hyte.core import disclosure
from hyte.pathways.models import Pathway
from hyte.referrals.models import Referral
from hyte.reporting.common import client_filter, make_report, period_bounds, protect_columns, unit_ids
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import TOTAL, Chart, Column, Number, Rate, Report, Row, Table, Text

S = Referral.Status
STAGES: tuple[tuple[str, str | Promise], ...] = (
    ("sent", _("Sent")),
    ("accepted", _("Accepted")),
    ("first_contact", _("First contact")),
    ("completed", _("Completed")),
)
UNKNOWN = "-"


def referrals_in(scope: Scope, f: ReportFilter) -> QuerySet[Referral]:
    """The cohort: referrals sent in the period to or from the filter's units."""
    start, end = period_bounds(f)
    units = unit_ids(scope, f)
    referrals = Referral.objects.filter(
        Q(referring_unit_id__in=units) | Q(receiving_unit_id__in=units), sent_at__gte=start, sent_at__lt=end
    ).filter(client_filter(f, "client__"))
    if f.programme is not None:
        running = Pathway.objects.filter(programme_id=f.programme.pk).values("unit_id").distinct()
        referrals = referrals.filter(receiving_unit_id__in=running)
    return referrals


_GROUP_FIELD = {
    "": None,
    "unit": "receiving_unit_id",
    "kind": "kind",
    "municipality": "client__municipality_id",
}


def _labels(breakdown: str, keys: list[Any]) -> dict[Any, str]:
    if breakdown == "unit":
        names: dict[Any, str] = {
            u.pk: str(u.name) for u in Unit.objects.filter(pk__in=[k for k in keys if k is not None])
        }
    elif breakdown == "kind":
        names = {k: str(Referral.Kind(k).label) for k in keys if k in Referral.Kind.values}
    elif breakdown == "municipality":
        names = {m.pk: str(m.name) for m in Municipality.objects.filter(pk__in=[k for k in keys if k])}
    else:
        names = {}
    return {k: names.get(k, str(_("Not known"))) for k in keys}


def build(scope: Scope, f: ReportFilter) -> Report:
    threshold = disclosure.min_cell()
    referrals = referrals_in(scope, f).order_by()
    group = _GROUP_FIELD[f.breakdown]
    started = Q(accepted_at__isnull=False) | Q(first_contact_at__isnull=False)
    measures = {
        "sent": Count("id"),
        "accepted": Count("id", filter=started),
        "first_contact": Count("id", filter=Q(first_contact_at__isnull=False)),
        "completed": Count("id", filter=Q(status=S.COMPLETED)),
    }
    counts: dict[Any, dict[str, int]] = {}
    if group:
        for row in referrals.values(group).annotate(**measures):
            key = row.pop(group)
            counts[key if key is not None else UNKNOWN] = row
    else:
        counts[""] = referrals.aggregate(**measures)
    waits: dict[Any, list[float]] = defaultdict(list)
    wait = ExpressionWrapper(F("first_contact_at") - F("sent_at"), output_field=DurationField())
    for key, value in (
        referrals.filter(first_contact_at__isnull=False)
        .annotate(wait=wait)
        .values_list(group or "kind", "wait")
        .iterator(chunk_size=10000)
    ):
        if value is not None:
            waits[key if group else ""].append(value.total_seconds() / 86400)

    tables = [_stages_table(counts, waits, threshold)]
    if group:
        tables.append(_breakdown_table(f.breakdown, counts, waits, threshold))
    tables += _reason_tables(referrals, threshold)
    return make_report(
        "funnel",
        _("Referral funnel"),
        scope,
        f,
        tables,
        (
            _("Referrals sent in the period, followed to where they are now."),
            _("Conversion: the share of the previous stage that reached this one."),
        ),
    )


def _stages_table(counts: dict[Any, dict[str, int]], waits: dict[Any, list[float]], threshold: int) -> Table:
    total = {stage: sum(row[stage] for row in counts.values()) for stage, _label in STAGES}
    protected = disclosure.protect_counts(total, keys=[s for s, _l in STAGES], threshold=threshold)
    all_waits = [w for values in waits.values() for w in values]
    median = disclosure.safe_median(all_waits, threshold=threshold)
    rows = []
    previous: str | None = None
    for stage, label in STAGES:
        share = disclosure.safe_share(total[stage], total["sent"], threshold=threshold)
        step = disclosure.safe_share(total[stage], total[previous], threshold=threshold) if previous else None
        wait = Number(median, 1) if stage == "first_contact" else Text("")
        of_sent = share if previous else (1.0 if total["sent"] >= threshold else None)
        rows.append(Row(stage, label, (protected[stage], Rate(of_sent), Rate(step), wait)))
        previous = stage
    return Table(
        key="stages",
        title=_("Funnel"),
        columns=(
            Column("count", _("Referrals")),
            Column("of_sent", _("Share of sent")),
            Column("conversion", _("Conversion from the previous stage")),
            Column("median_days", _("Median days from sending")),
        ),
        rows=tuple(rows),
        chart=Chart("bar", "count", _("Referrals by stage")),
        row_header=_("Stage"),
    )


def _breakdown_table(
    breakdown: str, counts: dict[Any, dict[str, int]], waits: dict[Any, list[float]], threshold: int
) -> Table:
    labels = _labels(breakdown, list(counts))
    keys = sorted(counts, key=lambda k: labels[k].casefold())
    columns = [stage for stage, _label in STAGES]
    cells, totals = protect_columns(counts, keys, columns, threshold=threshold)

    def rates(row: dict[str, int]) -> tuple[Rate, Rate]:
        return (
            Rate(disclosure.safe_share(row["accepted"], row["sent"], threshold=threshold)),
            Rate(disclosure.safe_share(row["completed"], row["sent"], threshold=threshold)),
        )

    rows = []
    for key in keys:
        median = disclosure.safe_median(waits.get(key, []), threshold=threshold)
        rows.append(
            Row(
                str(key),
                labels[key],
                (*(cells[key][c] for c in columns), *rates(counts[key]), Number(median, 1)),
            )
        )
    summed = {c: sum(counts[k][c] for k in keys) for c in columns}
    every_wait = [w for values in waits.values() for w in values]
    rows.append(
        Row(
            "total",
            TOTAL,
            (
                *(totals[c] for c in columns),
                *rates(summed),
                Number(disclosure.safe_median(every_wait, threshold=threshold), 1),
            ),
            total=True,
        )
    )
    titles = {
        "unit": _("By receiving unit"),
        "kind": _("By kind of referral"),
        "municipality": _("By municipality"),
    }
    return Table(
        key="breakdown",
        title=titles[breakdown],
        columns=(
            *(Column(stage, label) for stage, label in STAGES),
            Column("accepted_rate", _("Accepted")),
            Column("completed_rate", _("Completed")),
            Column("median_days", _("Median days to first contact")),
        ),
        rows=tuple(rows),
        chart=Chart("bar", "sent", _("Referrals sent")),
        row_header={"unit": _("Unit"), "kind": _("Kind"), "municipality": _("Municipality")}[breakdown],
    )


def _reason_tables(referrals: QuerySet[Referral], threshold: int) -> list[Table]:
    declined = dict(
        referrals.filter(status=S.DECLINED)
        .values_list("decline_code")
        .annotate(n=Count("id"))
        .values_list("decline_code", "n")
    )
    declined_keys = [*Referral.DeclineCode.values, ""]
    declined_counts = disclosure.protect_counts(declined, keys=declined_keys, threshold=threshold)
    ended = dict(
        referrals.filter(status=S.DISCONTINUED)
        .values_list("end_reason")
        .annotate(n=Count("id"))
        .values_list("end_reason", "n")
    )
    ended_keys = [*Referral.EndReason.values, ""]
    ended_counts = disclosure.protect_counts(ended, keys=ended_keys, threshold=threshold)
    not_given = _("Not given")

    def table(key: str, title: Any, protected: Any, labels: dict[str, Any]) -> Table:
        rows = [
            Row(code or "none", labels.get(code, not_given), (cell,))
            for code, cell in protected.items()
            if code or (cell.value or cell.hidden)  # "not given" only when there are some
        ]
        rows.append(Row("total", TOTAL, (protected.total,), total=True))
        return Table(
            key=key,
            title=title,
            columns=(Column("count", _("Referrals")),),
            rows=tuple(rows),
            chart=Chart("bar", "count"),
            row_header=_("Reason"),
        )

    return [
        table("declined", _("Reasons for declining"), declined_counts, dict(Referral.DeclineCode.choices)),
        table("discontinued", _("Reasons for ending"), ended_counts, dict(Referral.EndReason.choices)),
    ]
