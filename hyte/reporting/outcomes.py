"""Programme outcomes for coordinators and boards: pathways by programme, IPS employment and
progress, link-worker caseloads and durations, activity passes and rewards, group meetings and visits.

**Definitions.**
- *Pathways by programme*: started (``enrolled_on`` in the period), active at some time in the period,
  closed in the period, of those closed with the goals met or the plan completed, and the median
  length of the closed ones in days.
- *IPS* (docs/measures.md §2.2, the seed report "118 referred, 73 agreements, 25 employed: employment
  rate 34 %, progress rate 56 %"): referred = referrals sent in the period to units that run IPS
  pathways; agreements = IPS pathways whose collaboration agreement is dated in the period; employed =
  of those, the ones with a competitive employment outcome; other progress = of those, the ones
  without a job but with studies, volunteering, a work trial or another step forward; employment rate
  = employed / agreements; progress rate = (employed + other progress) / agreements; time to first
  job = days from the agreement to the first competitive job.
- *Link workers*: the workers with link-worker pathways active in the period, their clients, the
  median caseload (active pathways per worker on the last day of the period), the median length of
  the pathways closed in the period, the share of those that ended within the programme's time limit,
  and how many pathways were extended past it.
- *Activity passes*: per pass programme, passes issued in the period, passes valid at some time in
  the period, passes used (at least one confirmed visit), confirmed visits, visits per valid pass,
  rewards earned and handed out.
- *Peer buddies* (LiiKu-kamut): per month, buddy pairings active at some time in the month
  (cancelled ones never; an ended one until it was closed) and the meetings buddies recorded.
- *Groups*: meetings of the groups the scope's organizations provide: groups that met, meetings,
  visits (head counts), first-time visitors, and groups marked to continue next year
  ("18 groups, 11 continue, over 3,200 visits"); by month for the chart.

**Filters.** ``unit`` narrows pathways and passes to the unit (groups belong to organizations and
ignore it); ``municipality`` narrows by the client's municipality (not groups: their counts are
anonymous); ``programme`` keeps only that programme's pathway tables; ``breakdown=unit`` gives a row
per unit. Every count goes through disclosure control, column by column (``common.protect_columns``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit
from hyte.attendance.models import GroupYear, Meeting, Pass, PassProgramme, Reward, Visit
from hyte.core import disclosure
from hyte.pathways.models import Outcome, Pathway, Programme
from hyte.referrals.models import Referral
from hyte.reporting.common import client_filter, make_report, period_bounds, protect_columns, unit_ids
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import TOTAL, Chart, Column, Number, Rate, Report, Row, Table

P = Pathway.Status
PROGRESS = (
    Outcome.Kind.STUDY,
    Outcome.Kind.VOLUNTEERING,
    Outcome.Kind.WORK_TRIAL,
    Outcome.Kind.OTHER_PROGRESS,
)
SUCCESS = (Pathway.ClosureReason.GOALS_MET, Pathway.ClosureReason.PLAN_COMPLETED)
ALL = "all"


def build(scope: Scope, f: ReportFilter) -> Report:
    threshold = disclosure.min_cell()
    units = unit_ids(scope, f)
    by_unit = f.breakdown == "unit"
    unit_names = {u.pk: str(u.name) for u in Unit.objects.filter(pk__in=units)}
    pathways = Pathway.objects.filter(unit_id__in=units).filter(client_filter(f, "client__")).order_by()
    tables = [_programmes(pathways, f, threshold)]
    if f.programme is None or f.programme.pk == "ips":
        tables.append(_ips(pathways, units, f, threshold, unit_names if by_unit else None))
    if f.programme is None or f.programme.pk == "link_worker":
        tables.append(_link_workers(pathways, f, threshold, unit_names if by_unit else None))
    if f.programme is None:
        tables.append(_passes(units, f, threshold))
        tables.append(_buddies(units, f, threshold))
        tables += _groups(scope, f, threshold)
    return make_report(
        "outcomes",
        _("Programme outcomes"),
        scope,
        f,
        tables,
        (
            _(
                "Employment rate: clients in competitive employment / collaboration agreements. "
                "Progress rate: clients employed or with another step forward / collaboration agreements."
            ),
        ),
    )


def _active(f: ReportFilter) -> Q:
    return Q(enrolled_on__lte=f.until) & (Q(closed_on__isnull=True) | Q(closed_on__gte=f.since))


def _rows_for(keys: Sequence[Any], names: dict[Any, str] | None) -> list[tuple[Any, str | Promise]]:
    if names is None:
        return [(ALL, _("All"))]
    return sorted(((k, names.get(k, str(_("Not known")))) for k in keys), key=lambda r: str(r[1]).casefold())


# --- pathways by programme ---------------------------------------------------------------------------


def _programmes(pathways: QuerySet[Pathway], f: ReportFilter, threshold: int) -> Table:
    if f.programme is not None:
        pathways = pathways.filter(programme_id=f.programme.pk)
    in_period = Q(closed_on__gte=f.since, closed_on__lte=f.until)
    counts: dict[Any, dict[str, int]] = {}
    for row in (
        pathways.filter(_active(f))
        .values("programme_id")
        .annotate(
            started=Count("id", filter=Q(enrolled_on__gte=f.since)),
            active=Count("id"),
            closed=Count("id", filter=in_period),
            succeeded=Count("id", filter=in_period & Q(closure_reason__in=SUCCESS)),
        )
    ):
        counts[row["programme_id"]] = {c: row[c] for c in ("started", "active", "closed", "succeeded")}  # type: ignore[literal-required]
    lengths: dict[Any, list[int]] = defaultdict(list)
    for programme, enrolled, closed in pathways.filter(
        closed_on__gte=f.since, closed_on__lte=f.until
    ).values_list("programme_id", "enrolled_on", "closed_on"):
        if closed is not None:
            lengths[programme].append((closed - enrolled).days)
    programmes = {p.pk: str(p.name) for p in Programme.objects.filter(pk__in=list(counts))}
    keys = sorted(counts, key=lambda k: str(programmes.get(k, k)).casefold())
    columns = ["started", "active", "closed", "succeeded"]
    cells, totals = protect_columns(counts, keys, columns, threshold=threshold)
    rows = [
        Row(
            key,
            programmes.get(key, key),
            (
                *(cells[key][c] for c in columns),
                Rate(
                    disclosure.safe_share(
                        counts[key]["succeeded"], counts[key]["closed"], threshold=threshold
                    )
                ),
                Number(disclosure.safe_median(lengths.get(key, []), threshold=threshold), 0),
            ),
        )
        for key in keys
    ]
    everything = {c: sum(counts[k][c] for k in keys) for c in columns}
    rows.append(
        Row(
            "total",
            TOTAL,
            (
                *(totals[c] for c in columns),
                Rate(
                    disclosure.safe_share(everything["succeeded"], everything["closed"], threshold=threshold)
                ),
                Number(
                    disclosure.safe_median([d for v in lengths.values() for d in v], threshold=threshold), 0
                ),
            ),
            total=True,
        )
    )
    return Table(
        key="programmes",
        title=_("Pathways by programme"),
        columns=(
            Column("started", _("Started")),
            Column("active", _("Active in the period")),
            Column("closed", _("Closed")),
            Column("succeeded", _("Goals met or plan completed")),
            Column("success_rate", _("Share of closed")),
            Column("median_days", _("Median length (days)")),
        ),
        rows=tuple(rows),
        chart=Chart("bar", "active", _("Pathways active in the period")),
        row_header=_("Programme"),
    )


# --- IPS ---------------------------------------------------------------------------------------------


def _ips(
    pathways: QuerySet[Pathway],
    units: list[Any],
    f: ReportFilter,
    threshold: int,
    names: dict[Any, str] | None,
) -> Table:
    ips = pathways.filter(programme_id="ips")
    running = ips.values("unit_id").distinct()
    start, end = period_bounds(f)
    referred_rows = (
        Referral.objects.filter(receiving_unit_id__in=running, sent_at__gte=start, sent_at__lt=end)
        .filter(client_filter(f, "client__"))
        .order_by()
        .values("receiving_unit_id")
        .annotate(n=Count("id"))
    )
    agreed = ips.filter(agreement_on__gte=f.since, agreement_on__lte=f.until)
    job = Outcome.objects.filter(pathway=OuterRef("pk"), kind=Outcome.Kind.COMPETITIVE_EMPLOYMENT)
    step = Outcome.objects.filter(pathway=OuterRef("pk"), kind__in=PROGRESS)
    first_jobs = dict(
        Outcome.objects.filter(pathway__in=agreed, kind=Outcome.Kind.COMPETITIVE_EMPLOYMENT)
        .order_by()
        .values("pathway_id")
        .annotate(first=Min("started_on"))
        .values_list("pathway_id", "first")
    )
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    days: dict[Any, list[int]] = defaultdict(list)
    for row in referred_rows:
        counts[row["receiving_unit_id"] if names is not None else ALL]["referred"] += row["n"]
    for pk, unit_id, has_job, has_step, agreed_on in agreed.annotate(
        job=Exists(job), step=Exists(step)
    ).values_list("pk", "unit_id", "job", "step", "agreement_on"):
        key = unit_id if names is not None else ALL
        counts[key]["agreements"] += 1
        counts[key]["employed"] += int(has_job)
        counts[key]["other_progress"] += int(has_step and not has_job)
        first = first_jobs.get(pk)
        if first is not None and agreed_on is not None and first >= agreed_on:
            days[key].append((first - agreed_on).days)
    keyed = _rows_for(list(counts), names)
    keys = [k for k, _label in keyed]
    columns = ["referred", "agreements", "employed", "other_progress"]
    cells, totals = protect_columns(counts, keys, columns, threshold=threshold)

    def figures(c: Counter[str], waits: list[int]) -> tuple[Rate, Rate, Number]:
        return (
            Rate(disclosure.safe_share(c["employed"], c["agreements"], threshold=threshold)),
            Rate(
                disclosure.safe_share(
                    c["employed"] + c["other_progress"], c["agreements"], threshold=threshold
                )
            ),
            Number(disclosure.safe_median(waits, threshold=threshold), 0),
        )

    rows = [
        Row(str(key), label, (*(cells[key][c] for c in columns), *figures(counts[key], days[key])))
        for key, label in keyed
    ]
    if names is not None:
        summed: Counter[str] = sum(counts.values(), Counter())
        every = [d for v in days.values() for d in v]
        rows.append(Row("total", TOTAL, (*(totals[c] for c in columns), *figures(summed, every)), total=True))
    return Table(
        key="ips",
        title=_("IPS employment coaching"),
        columns=(
            Column("referred", _("Referred")),
            Column("agreements", _("Collaboration agreements")),
            Column("employed", _("Competitive employment")),
            Column("other_progress", _("Other progress")),
            Column("employment_rate", _("Employment rate")),
            Column("progress_rate", _("Progress rate")),
            Column("median_days_to_job", _("Median days to first job")),
        ),
        rows=tuple(rows),
        chart=Chart("bar", "employment_rate", _("Employment rate")),
        row_header=_("Unit"),
    )


# --- link workers ------------------------------------------------------------------------------------


def _link_workers(
    pathways: QuerySet[Pathway], f: ReportFilter, threshold: int, names: dict[Any, str] | None
) -> Table:
    programme = Programme.objects.filter(pk="link_worker").first()
    limit = programme.max_days if programme else None
    link = pathways.filter(programme_id="link_worker")
    active = list(
        link.filter(_active(f)).values_list(
            "unit_id", "worker_id", "client_id", "enrolled_on", "closed_on", "ends_by"
        )
    )
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    workers: dict[Any, set[Any]] = defaultdict(set)
    clients: dict[Any, set[Any]] = defaultdict(set)
    caseload: dict[Any, Counter[Any]] = defaultdict(Counter)
    lengths: dict[Any, list[int]] = defaultdict(list)
    within: dict[Any, Counter[str]] = defaultdict(Counter)
    for unit_id, worker_id, client_id, enrolled, closed, ends_by in active:
        key = unit_id if names is not None else ALL
        if worker_id is not None:
            workers[key].add(worker_id)
        clients[key].add(client_id)
        counts[key]["started"] += int(enrolled >= f.since)
        if worker_id is not None and (closed is None or closed > f.until):
            caseload[key][worker_id] += 1
        if limit and ends_by is not None and (ends_by - enrolled).days > limit:
            counts[key]["extended"] += 1
        if closed is not None and f.since <= closed <= f.until:
            counts[key]["closed"] += 1
            length = (closed - enrolled).days
            lengths[key].append(length)
            if limit:
                within[key]["yes" if length <= limit else "no"] += 1
    for key in set(workers) | set(clients):
        counts[key]["workers"] = len(workers[key])
        counts[key]["clients"] = len(clients[key])
    keyed = _rows_for(list(counts), names)
    keys = [k for k, _label in keyed]
    columns = ["workers", "clients", "started", "closed", "extended"]
    cells, totals = protect_columns(counts, keys, columns, threshold=threshold)

    def figures(loads: list[int], days: list[int], ok: Counter[str]) -> tuple[Number, Number, Rate]:
        return (
            Number(disclosure.safe_median(loads, threshold=threshold), 1),
            Number(disclosure.safe_median(days, threshold=threshold), 0),
            Rate(disclosure.safe_share(ok["yes"], ok["yes"] + ok["no"], threshold=threshold)),
        )

    rows = [
        Row(
            str(key),
            label,
            (
                *(cells[key][c] for c in columns),
                *figures(list(caseload[key].values()), lengths[key], within[key]),
            ),
        )
        for key, label in keyed
    ]
    if names is not None:
        # The totals count each worker and client once, even if they appear in two units.
        every_worker = {w for v in workers.values() for w in v}
        every_client = {c for v in clients.values() for c in v}
        loads: Counter[Any] = sum(caseload.values(), Counter())
        summed = sum(counts.values(), Counter())
        summed["workers"], summed["clients"] = len(every_worker), len(every_client)
        total_cells = {
            c: totals[c]
            if c not in ("workers", "clients")
            else disclosure.protect_count(summed[c], threshold=threshold)
            for c in columns
        }
        rows.append(
            Row(
                "total",
                TOTAL,
                (
                    *(total_cells[c] for c in columns),
                    *figures(
                        list(loads.values()),
                        [d for v in lengths.values() for d in v],
                        sum(within.values(), Counter()),
                    ),
                ),
                total=True,
            )
        )
    note = _("Time limit: %(days)s days.") % {"days": limit} if limit else ""
    return Table(
        key="link_workers",
        title=_("Link workers"),
        columns=(
            Column("workers", _("Link workers")),
            Column("clients", _("Clients")),
            Column("started", _("Started")),
            Column("closed", _("Closed")),
            Column("extended", _("Extended past the time limit")),
            Column("median_caseload", _("Median caseload")),
            Column("median_days", _("Median length (days)")),
            Column("within_limit", _("Ended within the time limit")),
        ),
        rows=tuple(rows),
        note=note,
        chart=Chart("bar", "clients", _("Clients")),
        row_header=_("Unit"),
    )


# --- activity passes ---------------------------------------------------------------------------------


def _passes(units: list[Any], f: ReportFilter, threshold: int) -> Table:
    start, end = period_bounds(f)
    passes = Pass.objects.filter(unit_id__in=units).filter(client_filter(f, "client__")).order_by()
    valid = passes.filter(issued_on__lte=f.until, valid_until__gte=f.since).exclude(withdrawn_at__lt=start)
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    for row in valid.values("programme_id").annotate(
        valid=Count("id"), issued=Count("id", filter=Q(issued_on__gte=f.since))
    ):
        counts[row["programme_id"]].update(valid=row["valid"], issued=row["issued"])
    # Visits per pass, summed here: counting distinct passes per programme in SQL sorted every visit
    # of the year (PostgreSQL) and, with the passes as an IN (subquery), made SQLite read every visit
    # of every pass; filtered through the join, both read the period's range of the visit-date index.
    visits = Visit.objects.filter(
        client_filter(f, "pass_card__client__"),
        pass_card__unit_id__in=units,
        on__gte=f.since,
        on__lte=f.until,
        confirmed=True,
    ).order_by()
    for programme, n in (
        visits.values("pass_card_id", "pass_card__programme_id")
        .annotate(n=Count("id"))
        .values_list("pass_card__programme_id", "n")
    ):
        counts[programme].update(visits=n, used=1)
    rewards = Reward.objects.filter(pass_card__in=passes).order_by()
    for got in rewards.values("pass_card__programme_id").annotate(
        earned=Count("id", filter=Q(earned_at__gte=start, earned_at__lt=end)),
        handed_out=Count("id", filter=Q(handed_out_at__gte=start, handed_out_at__lt=end)),
    ):
        counts[got["pass_card__programme_id"]].update(earned=got["earned"], handed_out=got["handed_out"])
    programmes = {p.pk: str(p.name) for p in PassProgramme.objects.filter(pk__in=list(counts))}
    keys = sorted(counts, key=lambda k: str(programmes.get(k, k)).casefold())
    columns = ["issued", "valid", "used", "visits", "earned", "handed_out"]
    cells, totals = protect_columns(counts, keys, columns, threshold=threshold)

    def per_pass(c: Counter[str]) -> Number:
        # A mean over the valid passes: shown when there are at least MIN_CELL of them.
        return Number(c["visits"] / c["valid"] if c["valid"] >= threshold else None, 1)

    rows = [
        Row(key, programmes.get(key, key), (*(cells[key][c] for c in columns), per_pass(counts[key])))
        for key in keys
    ]
    rows.append(
        Row(
            "total",
            TOTAL,
            (*(totals[c] for c in columns), per_pass(sum(counts.values(), Counter()))),
            total=True,
        )
    )
    return Table(
        key="passes",
        title=_("Activity passes"),
        columns=(
            Column("issued", _("Issued")),
            Column("valid", _("Valid in the period")),
            Column("used", _("Used")),
            Column("visits", _("Confirmed visits")),
            Column("earned", _("Rewards earned")),
            Column("handed_out", _("Rewards handed out")),
            Column("visits_per_pass", _("Visits per valid pass")),
        ),
        rows=tuple(rows),
        chart=Chart("bar", "visits", _("Confirmed visits")),
        row_header=_("Pass"),
    )


# --- peer buddies ------------------------------------------------------------------------------------


def _buddies(units: list[Any], f: ReportFilter, threshold: int) -> Table:
    from hyte.buddies.selectors import monthly_figures

    figures = monthly_figures(
        unit_ids=units,
        since=f.since,
        until=f.until,
        municipality=f.municipality.pk if f.municipality is not None else None,
    )
    months = sorted(figures)
    columns = ["pairings", "meetings"]
    cells, totals = protect_columns(figures, months, columns, threshold=threshold)
    # The total of "pairings" adds months up (a pairing of three months counts three times): it is a
    # sum of pairing-months, labelled so.
    return Table(
        key="buddies_by_month",
        title=_("Peer buddies by month"),
        columns=(Column("pairings", _("Active pairings")), Column("meetings", _("Meetings"))),
        rows=(
            *(Row(m.isoformat()[:7], _month_label(m), tuple(cells[m][c] for c in columns)) for m in months),
            Row("total", TOTAL, tuple(totals[c] for c in columns), total=True),
        ),
        note=_(
            "Active pairings are counted in every month they were active, so the total is pairing-months."
        ),
        row_header=_("Month"),
    )


# --- groups ------------------------------------------------------------------------------------------


def _groups(scope: Scope, f: ReportFilter, threshold: int) -> list[Table]:
    start, end = period_bounds(f)
    meetings = Meeting.objects.filter(
        service__organization_id__in=scope.organization_ids, starts_at__gte=start, starts_at__lt=end
    ).order_by()
    totals = meetings.aggregate(
        groups=Count("service_id", distinct=True),
        meetings=Count("id"),
        visits=Sum("head_count"),
        new=Sum("new_visitors"),
    )
    continuing = GroupYear.objects.filter(
        service_id__in=meetings.values("service_id"), year=f.until.year, continues=True
    ).count()
    summary = {
        "groups": totals["groups"] or 0,
        "meetings": totals["meetings"] or 0,
        "visits": totals["visits"] or 0,
        "new": totals["new"] or 0,
        "continuing": continuing,
    }
    labels: dict[str, str | Promise] = {
        "groups": _("Groups that met"),
        "meetings": _("Meetings"),
        "visits": _("Visits"),
        "new": _("First-time visitors"),
        "continuing": _("Groups continuing next year"),
    }
    summary_table = Table(
        key="groups",
        title=_("Low-threshold groups"),
        columns=(Column("count", _("Count")),),
        rows=tuple(
            Row(key, labels[key], (disclosure.protect_count(value, threshold=threshold),))
            for key, value in summary.items()
        ),
        note=_("Visits are head counts per meeting: one person who comes ten times is ten visits."),
        row_header=_("Figure"),
    )
    by_month: dict[Any, Counter[str]] = {}
    for row in (
        meetings.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(meetings=Count("id"), visits=Sum("head_count"))
        .order_by("month")
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        by_month[month] = Counter(meetings=row["meetings"], visits=row["visits"] or 0)
    months = sorted(by_month)
    cells, month_totals = protect_columns(by_month, months, ["meetings", "visits"], threshold=threshold)
    monthly = Table(
        key="groups_by_month",
        title=_("Group meetings and visits by month"),
        columns=(Column("meetings", _("Meetings")), Column("visits", _("Visits"))),
        rows=(
            *(
                Row(m.isoformat()[:7], _month_label(m), (cells[m]["meetings"], cells[m]["visits"]))
                for m in months
            ),
            Row("total", TOTAL, (month_totals["meetings"], month_totals["visits"]), total=True),
        ),
        chart=Chart("line", "visits", _("Visits by month")),
        row_header=_("Month"),
    )
    return [summary_table, monthly]


def _month_label(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")
