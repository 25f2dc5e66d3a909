"""Change between measurements: paired pre/post statistics at 3, 6 and 12 months
(``shared/docs/measures.md`` §6, issue 8).

**Population.** Pathways of the scope's units, narrowed by the filter's unit, programme and the
client's municipality. For each instrument, a pathway enters with its baseline measurement
(``point_months = 0``) dated in [since, until]; its follow-up is the same pathway's measurement of the
same instrument at 3, 6 or 12 months, whatever its date. Where a pathway has several measurements at
one point, the latest counts (by date, then by when it was recorded). Device-specific instruments
(InBody) pair only when both measurements come from the same device model (``comparable_key``).

**Who is counted at a point.** A baseline counts towards a point once its follow-up is due (the
baseline date plus the point's months is today or earlier) or once the follow-up exists. Otherwise a
report for this year would count every client enrolled last month as lost at 12 months. Of those,
"without follow-up" (attrition) are the ones with no comparable follow-up with that score.

**Figures per instrument, score (the instrument's headline scores) and point.** Baselines counted,
pairs, the share without follow-up, the mean before and after (of the pairs), the mean change
(after − before) with its 95 % confidence interval (t-based, for every score), the median change,
the test and its two-sided p-value, and the effect size d_z = mean change / SD of the changes
(Cohen's d_z; measures.md also names Hedges' small-sample correction, which is not applied here:
with 5 pairs it would shrink d_z by a fifth, with 30 by under 3 %).

**The test is fixed per measure, never chosen by looking at the data** (``PAIRED_T``, ``test_for``):

- paired t-test (``scipy.stats.ttest_1samp`` on the changes, the same as ``ttest_rel``) for the
  near-normal continuous scale scores: the SWEMWBS metric score, weight, BMI, waist and the InBody body
  composition figures;
- Wilcoxon signed-rank (``scipy.stats.wilcoxon``) for everything else: single ordinal items (ONS4
  items, Work Ability Score, 1-5 self-ratings), short sum scores (UCLA-3, AUDIT-C), and skewed
  measures (physical-activity minutes, strength days, sitting hours). An instrument added later
  gets the Wilcoxon test until it is listed here, since that test assumes no normal distribution.

Wilcoxon zero handling: ``zero_method="pratt"``. On short rating scales many clients give the same
answer twice; those unchanged clients are evidence of no change, and dropping them (the default
``"wilcox"``) would test only the clients who changed and overstate the effect. Pratt's method ranks
the zeros with the rest and then leaves their ranks out, the more conservative choice measures.md
names. ``method="auto"``: SciPy's exact null distribution when there are at most 50 changes and no
ties or zeros, an exhaustive (so exact) permutation distribution when there are ties or zeros and at
most 13 changes, otherwise the normal approximation with the tie correction. Changes are rounded to
six decimals first, so decimal scores do not make false "untied" ranks from floating-point noise.
When every change is zero, no test is possible and the p-value is left empty.

**Disclosure** (``hyte.core.disclosure``, measures.md §5). Below ``min_cell`` pairs nothing is shown
for the row but its hidden counts. The counts of a row form one line, pairs + without follow-up =
counted: a small count is hidden ("<5"), and when "without follow-up" is small, the number counted
is hidden too ("x") rather than the pairs, since the pairs can be worked out from the statistics
(n is in the CI width and d_z). Shares need MIN_CELL in their part, rest and whole
(``safe_share``). Under 30 pairs the p-values are exploratory, said in a note under the table.

**Tables.** One per instrument with a baseline in the period (with a programme chosen, each of its
instruments, even when empty): a row per headline score and follow-up point, a bar chart of d_z. Then
the UKK table with a line chart.

**UKK** (measures.md §3.1): for physical activity, of the pairs at each point, the share meeting the
whole recommendation (``meets_recommendation``: aerobic and strength) and the aerobic part
(``meets_aerobic``) before and after.

**Speed** (a year of a 1,000,000-measurement, 150,000-pathway data set, bench data of my own: 474,000
rows read). One query over the measurements of the pathways with a baseline in the period, reading only
what is needed, every value computed in SQL: the pathway id; one integer for instrument and role (a
baseline in the period with its due level, a baseline outside it, a follow-up at 3, 6 or 12 months); the
instrument's headline scores (and the UKK flags) extracted from the JSON into numeric columns ("slots",
one ``CASE`` on the instrument each; ``ScoreNumber``, ``ScoreFlag``); the device model. No sorting in
SQL; pairing, the latest measurement per point, and the statistics are NumPy and SciPy on arrays, never
model instances. What each step saved is in the docstrings of ``_fetch``, ``_read`` and ``Columns``.
Measured on this two-core machine, shared with other work: PostgreSQL about 2.5 s with the machine
nearly idle, 3 s under load; SQLite about 4.5 s (8.5 s for all 1,000,000 measurements at once). What
remains is mostly PostgreSQL reading the table twice (the baselines in the period, then their
pathways' measurements; no index fits either) and Python building the rows.
"""

from __future__ import annotations

import calendar
import math
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from numpy.typing import NDArray
from psycopg.types.string import ByteaBinaryLoader
from scipy import stats

from hyte.core import disclosure
from hyte.core.disclosure import Cell
from hyte.pathways.instruments import INSTRUMENTS, Instrument
from hyte.pathways.models import Measurement, Programme
from hyte.reporting.common import client_filter, make_report, unit_ids
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import Chart, Column, Number, Rate, Report, Row, Table, Text

BASELINE = 0
POINTS: tuple[int, ...] = (3, 6, 12)
CONFIDENCE = 0.95
EXPLORATORY_BELOW = 30  # pairs: under this the p-value is exploratory (measures.md §6)
ROUND_CHANGES = 6  # decimals: scores have at most three
UKK = "pa_minutes"
UKK_FLAGS = ("meets_recommendation", "meets_aerobic")


def slot_keys(code: str) -> tuple[str, ...]:
    """The scores read of an instrument, in the order of the numeric columns ("slots"): the headline
    scores, and for physical activity the UKK flags after them."""
    return INSTRUMENTS[code].headline + (UKK_FLAGS if code == UKK else ())


SLOTS = max(len(slot_keys(code)) for code in INSTRUMENTS)
UKK_SLOTS = [slot_keys(UKK).index(flag) for flag in UKK_FLAGS]

type Floats = NDArray[np.float64]
type Ints = NDArray[np.int64]


class Test(StrEnum):
    PAIRED_T = "paired_t"
    WILCOXON = "wilcoxon"


TEST_LABELS: dict[Test, str | Promise] = {
    Test.PAIRED_T: _("Paired t-test"),
    Test.WILCOXON: _("Wilcoxon signed-rank"),
}

# The paired t-test for these near-normal continuous scores; the Wilcoxon test for every other score.
PAIRED_T: dict[str, frozenset[str]] = {
    "swemwbs": frozenset({"metric"}),
    "body": frozenset({"bmi", "weight_kg", "waist_cm"}),
    "inbody": frozenset(
        {"skeletal_muscle_mass_kg", "body_fat_percent", "visceral_fat_level", "ecw_tbw_ratio"}
    ),
}


def test_for(instrument: str, score: str) -> Test:
    """The test of a measure, fixed in advance (module docstring)."""
    return Test.PAIRED_T if score in PAIRED_T.get(instrument, frozenset()) else Test.WILCOXON


# Scores whose name is not an item's label.
SCORE_LABELS: dict[tuple[str, str], str | Promise] = {
    ("pa_minutes", "aerobic_minutes"): _("Aerobic activity, moderate-equivalent minutes per week"),
    ("pa_minutes", "strength_days"): _("Muscle-strengthening activity, days per week"),
    ("swemwbs", "metric"): _("Metric score"),
    ("ucla3", "total"): _("Total score"),
    ("auditc", "total"): _("Total score"),
    ("body", "bmi"): _("Body mass index (kg/m²)"),
}
DECIMALS: dict[str, int] = {"metric": 2, "ecw_tbw_ratio": 3, "bmi": 1}
UNITS_SHOWN = frozenset({"kg", "cm"})  # item units a row label should name (the others' labels do)


def score_label(spec: Instrument, score: str) -> str | Promise:
    """The row label of a score: its own, or its item's (with the unit, where one helps)."""
    if (spec.code, score) in SCORE_LABELS:
        return SCORE_LABELS[(spec.code, score)]
    item = spec.items_by_code.get(score) or (spec.items[0] if len(spec.items) == 1 else None)
    if item is None:
        return score
    return format_lazy("{} ({})", item.label, item.unit) if item.unit in UNITS_SHOWN else item.label


# --- reading: one query, only the columns needed -------------------------------------------------------


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ScoreNumber(Func):
    """A numeric score read from ``Measurement.scores`` in SQL: a JSON number or decimal string (how
    scores store Decimals) as a float; NULL when the key is missing or null.

    Django's ``KeyTextTransform`` would do on PostgreSQL (``->>``), but on SQLite it reads the JSON
    three times per value and turns a JSON null into the text "null" (which casts to 0.0), so SQLite
    gets a single ``JSON_EXTRACT``."""

    arg_joiner = " ->> "
    template = "CAST((%(expressions)s) AS double precision)"
    output_field = FloatField()

    def __init__(self, key: str) -> None:
        super().__init__(F("scores"), Value(key))
        self.key = key

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        clone = self.copy()
        column, _key = clone.get_source_expressions()
        clone.set_source_expressions([column, Value(f'$."{self.key}"')])
        return clone.as_sql(
            compiler,
            connection,
            template="CAST(JSON_EXTRACT(%(expressions)s) AS REAL)",
            arg_joiner=", ",
            **extra,
        )


class ScoreFlag(ScoreNumber):
    """A true/false score read from ``Measurement.scores`` in SQL as 1.0 or 0.0 (NULL when missing)."""

    template = "CAST(CAST(((%(expressions)s) = 'true') AS integer) AS double precision)"
    # SQLite: the inherited JSON_EXTRACT gives 1 or 0 already.


# Stands for "no value" in the numeric columns: rows of plain floats convert to arrays several times
# faster than rows with None in them. Becomes NaN in the arrays.
MISSING = -1.0e300


def _slot(index: int, codes: Sequence[str]) -> Coalesce:
    """The ``index``-th score of each row's instrument (``slot_keys``), a number or MISSING."""
    whens = [
        When(instrument=code, then=(ScoreFlag if key in UKK_FLAGS else ScoreNumber)(key))
        for code in codes
        if len(keys := slot_keys(code)) > index
        for key in (keys[index],)
    ]
    return Coalesce(Case(*whens, default=Value(None), output_field=FloatField()), Value(MISSING))


# A row's kind, one small integer: instrument index × KINDS + role. Roles 0 … len(POINTS): a baseline in
# the period and how many of POINTS are due for it (its date + the point's months ≤ today); IGNORED: a
# baseline outside the period; FIRST_FOLLOW_UP + i: a follow-up at POINTS[i].
IGNORED = len(POINTS) + 1
FIRST_FOLLOW_UP = IGNORED + 1
KINDS = FIRST_FOLLOW_UP + len(POINTS)


def _kind(f: ReportFilter, codes: Sequence[str], today: date) -> Coalesce:
    in_period = Q(point_months=BASELINE, on__gte=f.since, on__lte=f.until)
    due = [
        When(in_period & Q(on__lte=_months_before(today, months)), then=Value(level))
        for level, months in sorted(enumerate(POINTS, start=1), reverse=True)
    ]
    follow_ups = [
        When(point_months=months, then=Value(FIRST_FOLLOW_UP + i)) for i, months in enumerate(POINTS)
    ]
    role = Case(
        *due,
        When(in_period, then=Value(0)),
        *follow_ups,
        default=Value(IGNORED),
        output_field=IntegerField(),
    )
    instrument = Case(
        *(When(instrument=code, then=Value(i * KINDS)) for i, code in enumerate(codes)),
        output_field=IntegerField(),
    )
    return Coalesce(instrument + role, Value(-1))  # -1: an instrument not known here


def _baselines(scope: Scope, f: ReportFilter) -> QuerySet[Measurement]:
    """Baseline measurements dated in the period, in the filter's units, programme and municipality.
    Every filter is applied here: a follow-up belongs to the same pathway."""
    baselines = Measurement.objects.filter(
        client_filter(f, "pathway__client__"),
        point_months=BASELINE,
        on__gte=f.since,
        on__lte=f.until,
        pathway__unit_id__in=unit_ids(scope, f),
    )
    if f.programme is not None:
        baselines = baselines.filter(pathway__programme_id=f.programme.pk)
    return baselines


COLUMN_NAMES = ("pathway_id", "kind", *(f"s{i}" for i in range(SLOTS)), "device")
ROW_TYPE = np.dtype(
    [
        ("pathway", object),
        ("kind", np.int64),
        *((f"s{i}", np.float64) for i in range(SLOTS)),
        ("device", object),
    ]
)


def _measurements(scope: Scope, f: ReportFilter, codes: Sequence[str], today: date) -> QuerySet[Any]:
    """One row per measurement at 0, 3, 6 or 12 months of the pathways with a baseline in the period,
    with only the columns needed (``COLUMN_NAMES``), unordered."""
    device = [code for code in codes if INSTRUMENTS[code].device_specific]
    columns: dict[str, Any] = {
        "kind": _kind(f, codes, today),
        **{f"s{i}": _slot(i, codes) for i in range(SLOTS)},
        "device": Case(
            When(instrument__in=device, then=KeyTextTransform("comparable_key", "scores")),
            default=Value(None),
            output_field=TextField(),
        ),
    }
    rows = Measurement.objects.filter(
        pathway_id__in=_baselines(scope, f).values("pathway_id"),
        point_months__in=(BASELINE, *POINTS),
    )
    return rows.annotate(**columns).order_by().values_list(*COLUMN_NAMES)


IN_CHUNK = 5000  # ids per IN (…) list
STREAM_ROWS = 10_000  # rows per chunk from PostgreSQL

type Rows = NDArray[np.void]  # rows of ROW_TYPE


def _rows(rows: Sequence[tuple[Any, ...]]) -> Rows:
    return np.array(rows, dtype=ROW_TYPE) if rows else np.zeros(0, dtype=ROW_TYPE)


def _fetch(query: QuerySet[Any]) -> Rows:
    """The rows of a ``values_list`` query as a structured array, run on a plain cursor: the database
    already gives floats and integers, and Django's per-value converters took more time than all the
    rest in Python.

    On PostgreSQL (psycopg's own cursor; Django's client-side one cannot do either): the rows come in
    binary, since formatting and parsing floats as text cost about half of both sides' time; and they
    are streamed in chunks, each converted while the database makes the next. JIT compilation is off:
    it costs more than it saves in a query that runs once over a few hundred thousand rows."""
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if not isinstance(connection.connection, psycopg.Connection):  # SQLite
            cursor.execute(sql, params)
            return _rows(cursor.fetchall())
        cursor.execute("SET LOCAL jit = off")
        with psycopg.Cursor(connection.connection) as binary:
            binary.adapters.register_loader("uuid", ByteaBinaryLoader)  # 16 bytes, not a UUID object
            if psycopg.pq.version() < 170000:  # chunked results need libpq 17
                binary.execute(sql, params, binary=True)
                return _rows(binary.fetchall())
            parts, chunk = [], []
            for row in binary.stream(sql, params, binary=True, size=STREAM_ROWS):
                chunk.append(row)
                if len(chunk) == 5 * STREAM_ROWS:
                    parts.append(_rows(chunk))
                    chunk = []
            return np.concatenate([*parts, _rows(chunk)])


def _read(scope: Scope, f: ReportFilter, codes: Sequence[str], today: date) -> Columns:
    """The rows as arrays, in an order where the latest measurement of a pathway at a point comes last.

    Sorting a year's measurements would cost more than all the rest, and a pathway rarely has two
    measurements of one instrument at one point; so the rows come unordered, and only the pathways that
    have such a repeat are read again, ordered by date and then by when they were recorded."""
    query = _measurements(scope, f, codes, today)
    rows = _fetch(query)
    columns = Columns.of(rows)
    if not columns.repeated:
        return columns
    ids = [_uuid(pathway) for pathway in columns.repeated]
    again = [
        _fetch(query.filter(pathway_id__in=ids[start : start + IN_CHUNK]).order_by("on", "created_at"))
        for start in range(0, len(ids), IN_CHUNK)
    ]
    chosen = set(columns.repeated)
    others = np.fromiter((pathway not in chosen for pathway in rows["pathway"]), bool, len(rows))
    return Columns.of(np.concatenate([rows[others], *again]))


def _uuid(pathway: bytes | str) -> uuid.UUID:
    """A pathway id as read: 16 bytes from PostgreSQL, 32 hexadecimal digits from SQLite."""
    return uuid.UUID(bytes=pathway) if isinstance(pathway, bytes) else uuid.UUID(pathway)


# --- pairing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One measurement per pathway (the latest) of one instrument at one point."""

    pathway: Ints  # pathways (hashes of their ids), sorted, unique
    scores: Floats  # (pathways, SLOTS), NaN where none
    device: Ints  # device model numbers, -1 when none
    due: Ints  # baselines: how many POINTS are due


@dataclass(frozen=True)
class Columns:
    """The rows of ``_measurements`` as arrays, sorted by group (instrument and role, every baseline in
    the period one role), then pathway, keeping only the latest row of each group and pathway.

    Pathways are known by the hash of their id (two of a few hundred thousand ids sharing a 64-bit
    hash has a chance of about 1 in 10⁹): mapping the ids to numbers through a dictionary took a third
    of the report's time."""

    group: Ints
    pathway: Ints
    role: Ints
    scores: Floats
    device: Ints
    repeated: list[Any]  # ids (as read) of pathways with two measurements of an instrument at a point

    @classmethod
    def of(cls, table: Rows) -> Columns:
        if (table["kind"] < 0).any():
            table = table[table["kind"] >= 0]
        pathway = np.fromiter(map(hash, table["pathway"]), np.int64, len(table))
        # The numbers in one matrix, reordered at once: the slots, then the device model's number.
        values = np.empty((len(table), SLOTS + 1))
        for i in range(SLOTS):
            values[:, i] = table[f"s{i}"]
        values[values == MISSING] = np.nan
        values[:, SLOTS] = -1
        given = np.flatnonzero(table["device"].astype(bool))  # None (or blank) is no device
        models: dict[str, int] = {}
        values[given, SLOTS] = [models.setdefault(d, len(models)) for d in table["device"][given].tolist()]
        kind = table["kind"]
        role = kind % KINDS
        group = kind - np.where(role < IGNORED, role, 0)  # every baseline in the period is one group
        order = np.lexsort((pathway, group))  # stable: repeats keep the order they came in
        group, pathway, role = group[order], pathway[order], role[order]
        last = np.ones(len(table), dtype=bool)
        last[:-1] = (group[1:] != group[:-1]) | (pathway[1:] != pathway[:-1])
        repeats = np.isin(pathway, pathway[~last & (group % KINDS != IGNORED)])
        values = values[order[last]]
        return cls(
            group=group[last],
            pathway=pathway[last],
            role=role[last],
            scores=values[:, :SLOTS],
            device=values[:, SLOTS].astype(np.int64),
            repeated=list(set(table["pathway"][order[repeats]].tolist())),
        )

    def instruments(self) -> set[int]:
        """The instruments with a baseline in the period."""
        groups = np.unique(self.group)
        return {g // KINDS for g in groups.tolist() if g % KINDS == 0}

    def side(self, instrument: int, point: int) -> Side:
        group = instrument * KINDS + (0 if point == BASELINE else FIRST_FOLLOW_UP + POINTS.index(point))
        rows = slice(
            int(np.searchsorted(self.group, group, "left")), int(np.searchsorted(self.group, group, "right"))
        )
        return Side(
            pathway=self.pathway[rows],
            scores=self.scores[rows],
            device=self.device[rows],
            due=self.role[rows],
        )


# --- statistics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The statistics of one set of pairs (computed only for MIN_CELL pairs or more)."""

    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    ci_low: float
    ci_high: float
    median_change: float
    p: float | None
    d_z: float | None


def paired_change(before: Floats, after: Floats, test: Test) -> Change:
    """Change after − before of paired values: mean with its t-based CI, median, test and d_z."""
    changes = np.round(after - before, ROUND_CHANGES)
    n = int(changes.size)
    mean = float(changes.mean())
    sd = float(changes.std(ddof=1)) if n > 1 else 0.0
    if n > 1 and sd > 0:
        t = stats.ttest_1samp(changes, 0.0)
        interval = t.confidence_interval(CONFIDENCE)
        low, high = float(interval.low), float(interval.high)
        d_z: float | None = mean / sd
    else:  # every change the same: the interval is that change, no test or effect size
        t, low, high, d_z = None, mean, mean, None
    p: float | None = None
    if test is Test.PAIRED_T and t is not None:
        p = float(t.pvalue)
    elif test is Test.WILCOXON and np.any(changes != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            p = float(stats.wilcoxon(changes, zero_method="pratt", method="auto").pvalue)
    if p is not None and not math.isfinite(p):
        p = None
    return Change(
        n=n,
        mean_before=float(before.mean()),
        mean_after=float(after.mean()),
        mean_change=mean,
        ci_low=low,
        ci_high=high,
        median_change=float(np.median(changes)),
        p=p,
        d_z=d_z,
    )


def protect_row(paired: int, counted: int, threshold: int) -> tuple[Cell, Cell, Rate]:
    """(counted, pairs, share without follow-up) of one row, its line pairs + without = counted protected.

    "Without follow-up" is never a cell of its own, but counted − pairs would give it away. The
    statistics shown for MIN_CELL pairs or more reveal the number of pairs (it is in the CI width and
    d_z), so when "without follow-up" is small the pairs are not the ones to hide: the number counted is
    (shown as "x", being at least MIN_CELL)."""
    missing = counted - paired
    pairs_cell = disclosure.protect_count(paired, threshold=threshold)
    counted_cell = disclosure.protect_count(counted, threshold=threshold)
    if not counted_cell.hidden and not pairs_cell.hidden and 0 < missing < threshold:
        counted_cell = Cell(None, "secondary", threshold)
    share = disclosure.safe_share(missing, counted, threshold=threshold) if counted else None
    return counted_cell, pairs_cell, Rate(share)


# --- tables -------------------------------------------------------------------------------------------

COLUMNS = (
    Column("counted", _("Baselines, follow-up due")),
    Column("pairs", _("Pairs")),
    Column("attrition", _("Without follow-up")),
    Column("mean_before", _("Mean before")),
    Column("mean_after", _("Mean after")),
    Column("mean_change", _("Mean change")),
    Column("ci_low", _("95 % CI, lower")),
    Column("ci_high", _("95 % CI, upper")),
    Column("median_change", _("Median change")),
    Column("test", _("Test")),
    Column("p", _("p-value")),
    Column("d_z", _("Effect size d_z")),
)
UKK_COLUMNS = (
    Column("pairs", _("Pairs")),
    Column("recommendation_before", _("Meets the recommendation, before")),
    Column("recommendation_after", _("Meets the recommendation, after")),
    Column("aerobic_before", _("Meets the aerobic part, before")),
    Column("aerobic_after", _("Meets the aerobic part, after")),
)
P_SMALLEST = 0.001


def _below_smallest() -> str:
    return f"< {number_format(P_SMALLEST, decimal_pos=3, use_l10n=True)}"


def _p_value(p: float | None) -> Number | Text:
    """The p-value to three decimals; below 0.001 as "< 0.001" (in the reader's number format)."""
    if p is not None and p < P_SMALLEST:
        return Text(lazy(_below_smallest, str)())
    return Number(p, decimals=3)


def point_label(months: int) -> str | Promise:
    return format_lazy(_("{months} months"), months=months)


@dataclass
class Pairing:
    """The pairs of one instrument at one point."""

    before: Side
    after: Side
    b_index: Ints  # indices into ``before`` of the comparable pairs
    a_index: Ints
    counted_base: NDArray[np.bool_]  # per baseline: due, or has a follow-up


def pair(before: Side, after: Side, level: int, device_specific: bool) -> Pairing:
    _common, b_index, a_index = np.intersect1d(
        before.pathway, after.pathway, assume_unique=True, return_indices=True
    )
    has_follow_up = np.zeros(before.pathway.size, dtype=bool)
    has_follow_up[b_index] = True
    if device_specific:
        same = before.device[b_index] == after.device[a_index]
        b_index, a_index = b_index[same], a_index[same]
    return Pairing(before, after, b_index, a_index, (before.due >= level) | has_follow_up)


def _instrument_table(spec: Instrument, pairings: dict[int, Pairing], threshold: int) -> Table:
    rows: list[Row] = []
    exploratory = False
    for slot, score in enumerate(spec.headline):
        decimals = DECIMALS.get(score, 1)
        label = score_label(spec, score)
        for months in sorted(pairings):
            pairing = pairings[months]
            b_values = pairing.before.scores[:, slot]
            counted = int(np.count_nonzero(pairing.counted_base & ~np.isnan(b_values)))
            before = b_values[pairing.b_index]
            after = pairing.after.scores[pairing.a_index, slot]
            valid = ~np.isnan(before) & ~np.isnan(after)
            before, after = before[valid], after[valid]
            counted_cell, pairs_cell, attrition = protect_row(int(before.size), counted, threshold)
            test = test_for(spec.code, score)
            figures: tuple[Number | Text, ...]
            if before.size >= threshold:
                c = paired_change(before, after, test)
                exploratory = exploratory or c.n < EXPLORATORY_BELOW
                figures = (
                    Number(c.mean_before, decimals),
                    Number(c.mean_after, decimals),
                    Number(c.mean_change, decimals),
                    Number(c.ci_low, decimals),
                    Number(c.ci_high, decimals),
                    Number(c.median_change, decimals),
                    Text(TEST_LABELS[test]),
                    _p_value(c.p),
                    Number(c.d_z, 2),
                )
            else:
                figures = (*(Number(None, decimals) for _i in range(6)), Text(TEST_LABELS[test]))
                figures = (*figures, Number(None, 3), Number(None, 2))
            rows.append(
                Row(
                    key=f"{score}-{months}",
                    label=format_lazy("{}, {}", label, point_label(months)),
                    values=(counted_cell, pairs_cell, attrition, *figures),
                )
            )
    return Table(
        key=spec.code,
        title=spec.name,
        columns=COLUMNS,
        rows=tuple(rows),
        note=(_("Fewer than 30 pairs in some rows: their p-values are exploratory.") if exploratory else ""),
        chart=Chart("bar", "d_z", _("Effect size d_z")),
        row_header=_("Score and follow-up"),
    )


def _ukk_table(pairings: dict[int, Pairing], threshold: int) -> Table:
    rows = []
    for months in sorted(pairings):
        pairing = pairings[months]
        before = pairing.before.scores[pairing.b_index][:, UKK_SLOTS]
        after = pairing.after.scores[pairing.a_index][:, UKK_SLOTS]
        valid = ~np.isnan(before).any(axis=1) & ~np.isnan(after).any(axis=1)
        before, after = before[valid], after[valid]
        n = int(before.shape[0])
        shares = []
        for flag in range(len(UKK_FLAGS)):
            for side in (before, after):
                met = int(np.count_nonzero(side[:, flag] == 1))
                shares.append(Rate(disclosure.safe_share(met, n, threshold=threshold) if n else None))
        rows.append(
            Row(
                key=str(months),
                label=point_label(months),
                values=(disclosure.protect_count(n, threshold=threshold), *shares),
            )
        )
    return Table(
        key="ukk",
        title=_("Meeting the UKK physical activity recommendation"),
        columns=UKK_COLUMNS,
        rows=tuple(rows),
        note=_(
            "Of the pairs at each follow-up: aerobic activity of at least 150 moderate-equivalent minutes "
            "a week and muscle-strengthening activity on at least two days (UKK 2019)."
        ),
        chart=Chart("line", "recommendation_after", _("Meets the recommendation, after")),
        row_header=_("Follow-up"),
    )


def _measured_points(f: ReportFilter) -> dict[str, set[int]]:
    """Per instrument, the follow-up points some programme measures it at (the filter's programme only,
    when one is chosen): a point no programme measures would only show everyone as lost. With several
    programmes in the report, a baseline of a programme that skips a point still counts there; choose a
    programme for exact attrition."""
    programmes = [f.programme] if f.programme is not None else list(Programme.objects.all())
    points: dict[str, set[int]] = {}
    for programme in programmes:
        for code in programme.instruments:
            points.setdefault(code, set()).update(m for m in programme.measurement_months if m in POINTS)
    return points


def build(scope: Scope, f: ReportFilter) -> Report:
    threshold = disclosure.min_cell()
    today = timezone.localdate()
    codes = list(INSTRUMENTS)
    columns = _read(scope, f, codes, today)
    present = columns.instruments()
    wanted = set(f.programme.instruments) if f.programme is not None else set()
    measured = _measured_points(f)
    tables: list[Table] = []
    ukk: Table | None = None
    for i, code in enumerate(codes):
        if i not in present and code not in wanted:
            continue
        spec = INSTRUMENTS[code]
        before = columns.side(i, BASELINE)
        pairings = {
            months: pair(before, columns.side(i, months), level, spec.device_specific)
            for level, months in enumerate(POINTS, start=1)
            if months in measured.get(code, ())
        }
        tables.append(_instrument_table(spec, pairings, threshold))
        if code == UKK:
            ukk = _ukk_table(pairings, threshold)
    if ukk is not None:
        tables.append(ukk)
    notes: list[str | Promise] = [
        _(
            "Pairs: the baseline measurement dated in the period and the same client's measurement of the "
            "same instrument at 3, 6 or 12 months (the latest at each point). A baseline counts at a "
            "follow-up once that follow-up is due or done."
        ),
        _(
            # xgettext:no-python-format
            "Change is after minus before. The 95 % confidence interval of the mean change is t-based; "
            "d_z is the mean change divided by the standard deviation of the changes."
        ),
        _(
            "The test is fixed per measure: the paired t-test for near-normal scale scores (SWEMWBS "
            "metric score, weight, BMI, waist, body composition), the Wilcoxon signed-rank test "
            "(unchanged clients kept by Pratt's method; exact for small groups) for single ratings, "
            "short sum scores and skewed measures such as activity minutes."
        ),
        format_lazy(_("Rows with fewer than {min_cell} pairs show no figures."), min_cell=threshold),
    ]
    if not tables:
        notes.append(_("No baseline measurements in the period."))
    return make_report(
        "prepost",
        _("Change between measurements"),
        scope,
        f,
        tables,
        notes,
    )
