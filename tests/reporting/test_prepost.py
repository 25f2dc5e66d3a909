"""The pre/post change report, on data built through the pathway services. Expected figures are
computed here from the same numbers, independently of the report (statistics module, the t
distribution, the exact Wilcoxon distribution counted by hand)."""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone, translation
from scipy import stats

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Municipality
from hyte.core.disclosure import Cell
from hyte.pathways import services
from hyte.pathways.instruments import SWEMWBS_METRIC
from hyte.pathways.models import Pathway, Programme
from hyte.referrals.services import ClientData
from hyte.reporting import prepost
from hyte.reporting.filters import ReportFilter, scope_for
from hyte.reporting.registry import BY_KEY
from hyte.reporting.tables import Number, Rate, Report, Table, Text
from tests.accounts.factories import UnitFactory
from tests.conftest import Persona
from tests.referrals.conftest import _persona

pytestmark = pytest.mark.django_db

START_DAYS_AGO = 420  # baselines this long ago: every follow-up up to 12 months is due


def start() -> date:
    return timezone.localdate() - timedelta(days=START_DAYS_AGO)


def period(**extra: Any) -> ReportFilter:
    return ReportFilter(since=start() - timedelta(days=10), until=start() + timedelta(days=10), **extra)


@pytest.fixture
def team(db: None) -> Unit:
    return UnitFactory(name_fi="Kokkolan liikuntaneuvonta", kind=Unit.Kind.EXERCISE_COUNSELLING)


@pytest.fixture
def counsellor(team: Unit) -> Persona:
    return _persona(team, UnitRole.Role.RECEIVER, "counsellor")


@pytest.fixture
def coordinator(team: Unit) -> Persona:
    return _persona(team, UnitRole.Role.COORDINATOR, "coordinator")


def enrol(
    worker: Persona,
    unit: Unit,
    n: int,
    *,
    programme: str = "exercise_counselling",
    on: date | None = None,
    municipality: str | None = None,
) -> Pathway:
    return services.pathway_enrol(
        actor=worker.user,
        data=services.Enrolment(
            programme=programme,
            unit_id=unit.pk,
            origin=Pathway.Origin.OTHER,
            enrolled_on=on or start(),
            client=ClientData(first_name="Asiakas", last_name=f"N{n}", municipality=municipality),
        ),
    )


def measure(
    worker: Persona,
    pathway: Pathway,
    instrument: str,
    months: int,
    values: dict[str, Any],
    on: date | None = None,
) -> None:
    services.measurement_add(
        actor=worker.user,
        pathway_id=pathway.pk,
        instrument=instrument,
        values=values,
        on=on or pathway.enrolled_on + timedelta(days=round(months * 30.5)),
        point_months=months,
    )


def swemwbs(raw: int) -> dict[str, int]:
    """Seven items 1-5 adding up to ``raw``."""
    base, extra = divmod(raw, 7)
    return {f"item_{i}": base + (1 if i <= extra else 0) for i in range(1, 8)}


def pa(moderate: int, strength_days: int, vigorous: int = 0) -> dict[str, int]:
    return {"moderate_min": moderate, "vigorous_min": vigorous, "strength_days": strength_days}


def number(table: Table, row: str, column: str) -> float | None:
    value = table.value(row, column)
    assert isinstance(value, Number), value
    return value.value


def rate(table: Table, row: str, column: str) -> float | None:
    value = table.value(row, column)
    assert isinstance(value, Rate), value
    return value.value


def cell(table: Table, row: str, column: str) -> Cell:
    value = table.value(row, column)
    assert isinstance(value, Cell), value
    return value


def report_for(persona: Persona, f: ReportFilter | None = None) -> Report:
    report = BY_KEY["prepost"].build(scope_for(persona.user), f or period())
    assert report.key == "prepost"
    return report


# The SWEMWBS raw sums (before, after 3 months) of eight clients, and ten clients' physical activity.
SWEMWBS_PAIRS = [(14, 18), (15, 20), (17, 17), (20, 24), (12, 19), (16, 15), (18, 23), (21, 26)]
MODERATE_BEFORE = [60, 80, 100, 120, 140, 150, 160, 170, 180, 200]
MODERATE_CHANGE = [90, 85, 70, 35, 40, 15, -5, 30, -10, 20]  # distinct sizes, two negative
STRENGTH_AFTER = [2, 3, 4, 2, 5, 1, 1, 0, 1, 0]  # from 1 day a week


@pytest.fixture
def cohort(counsellor: Persona, team: Unit) -> list[Pathway]:
    pathways = []
    for n in range(10):
        pathway = enrol(counsellor, team, n)
        pathways.append(pathway)
        measure(counsellor, pathway, "pa_minutes", 0, pa(MODERATE_BEFORE[n], 1))
        measure(
            counsellor,
            pathway,
            "pa_minutes",
            3,
            pa(MODERATE_BEFORE[n] + MODERATE_CHANGE[n], STRENGTH_AFTER[n]),
        )
        if n < len(SWEMWBS_PAIRS):
            before, after = SWEMWBS_PAIRS[n]
            measure(counsellor, pathway, "swemwbs", 0, swemwbs(before))
            measure(counsellor, pathway, "swemwbs", 3, swemwbs(after))
        if n < 3:  # three clients at 6 months: too few to show
            measure(counsellor, pathway, "swemwbs", 6, swemwbs(30))
    # An earlier 3-month measurement of the first client: the later one counts.
    measure(counsellor, pathways[0], "swemwbs", 3, swemwbs(35), on=start() + timedelta(days=80))
    # A client whose baseline is before the period: not in the report.
    outside = enrol(counsellor, team, 99, on=start() - timedelta(days=60))
    measure(counsellor, outside, "swemwbs", 0, swemwbs(7))
    measure(counsellor, outside, "swemwbs", 3, swemwbs(35))
    measure(counsellor, outside, "pa_minutes", 0, pa(0, 0))
    measure(counsellor, outside, "pa_minutes", 3, pa(600, 7))
    return pathways


def test_swemwbs_paired_t_test(cohort: list[Pathway], coordinator: Persona) -> None:
    table = report_for(coordinator).table("swemwbs")
    before = [float(SWEMWBS_METRIC[b]) for b, _a in SWEMWBS_PAIRS]
    after = [float(SWEMWBS_METRIC[a]) for _b, a in SWEMWBS_PAIRS]
    changes = [a - b for b, a in zip(before, after, strict=True)]
    n, mean, sd = len(changes), statistics.fmean(changes), statistics.stdev(changes)
    half_width = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    row = "metric-3"
    assert cell(table, row, "pairs").value == 8
    assert cell(table, row, "counted").value == 8
    assert rate(table, row, "attrition") == 0.0
    assert number(table, row, "mean_before") == pytest.approx(statistics.fmean(before))
    assert number(table, row, "mean_after") == pytest.approx(statistics.fmean(after))
    assert number(table, row, "mean_change") == pytest.approx(mean)
    assert number(table, row, "ci_low") == pytest.approx(mean - half_width)
    assert number(table, row, "ci_high") == pytest.approx(mean + half_width)
    assert number(table, row, "median_change") == pytest.approx(statistics.median(changes))
    assert number(table, row, "p") == pytest.approx(stats.ttest_rel(after, before).pvalue)
    assert number(table, row, "d_z") == pytest.approx(mean / sd)
    assert table.value(row, "test") == Text(prepost.TEST_LABELS[prepost.Test.PAIRED_T])
    with translation.override("en"):
        assert "exploratory" in str(table.note)  # 8 pairs
    # 6 months: 3 pairs of 8 baselines, so only the hidden count and the number counted.
    assert cell(table, "metric-6", "pairs").display == "<5"
    assert cell(table, "metric-6", "pairs").value is None
    assert cell(table, "metric-6", "counted").value == 8
    assert rate(table, "metric-6", "attrition") is None  # would give away the 3
    for column in (
        "mean_before",
        "mean_after",
        "mean_change",
        "ci_low",
        "ci_high",
        "median_change",
        "p",
        "d_z",
    ):
        assert number(table, "metric-6", column) is None
    shown = {row["key"]: row["values"] for row in table.as_json()["rows"]}  # as the API and exports say
    assert shown["metric-6"]["pairs"] == "<5" and shown["metric-6"]["mean_change"] is None
    assert shown["metric-3"]["pairs"] == 8 and shown["metric-3"]["mean_change"] == round(mean, 2)
    # 12 months: nobody yet, all eight lost.
    assert cell(table, "metric-12", "pairs").value == 0
    assert rate(table, "metric-12", "attrition") == 1.0


def test_activity_minutes_wilcoxon_and_ukk(cohort: list[Pathway], coordinator: Persona) -> None:
    report = report_for(coordinator)
    table = report.table("pa_minutes")
    row = "aerobic_minutes-3"
    assert cell(table, row, "pairs").value == 10
    assert table.value(row, "test") == Text(prepost.TEST_LABELS[prepost.Test.WILCOXON])
    # Exact two-sided p: the negative changes (-5, -10) have ranks 1 and 2, W = 3; of the 2**10 sign
    # patterns, five have a rank sum of at most 3 ({}, {1}, {2}, {3}, {1, 2}); two-sided doubles it.
    assert number(table, row, "p") == pytest.approx(2 * 5 / 2**10)
    assert number(table, row, "mean_change") == pytest.approx(statistics.fmean(MODERATE_CHANGE))
    assert number(table, row, "median_change") == pytest.approx(statistics.median(MODERATE_CHANGE))
    assert number(table, row, "d_z") == pytest.approx(
        statistics.fmean(MODERATE_CHANGE) / statistics.stdev(MODERATE_CHANGE)
    )
    # Strength days: changes 1, 2, 3, 1, 4, 0, 0, -1, 0, -1: ties and zeros, so the exact permutation
    # distribution over the 2**10 sign patterns; Pratt keeps the zeros' ranks (0.1875 without them).
    strength = [after - 1 for after in STRENGTH_AFTER]
    assert number(table, "strength_days-3", "p") == pytest.approx(0.21875)
    assert number(table, "strength_days-3", "p") == pytest.approx(
        stats.wilcoxon(strength, zero_method="pratt", method=stats.PermutationMethod()).pvalue
    )
    ukk = report.table("ukk")
    assert cell(ukk, "3", "pairs").value == 10
    assert rate(ukk, "3", "recommendation_before") == 0.0  # strength on one day only
    assert rate(ukk, "3", "recommendation_after") == 0.5  # five now on two days or more
    assert rate(ukk, "3", "aerobic_before") == 0.5  # 150 minutes or more: 150, 160, 170, 180, 200
    assert rate(ukk, "3", "aerobic_after") == 1.0
    assert cell(ukk, "6", "pairs").value == 0 and rate(ukk, "6", "recommendation_after") is None
    assert [t.key for t in report.tables] == ["pa_minutes", "swemwbs", "ukk"]
    assert report.as_json()["tables"][0]["rows"][0]["values"]["pairs"] == 10


def test_another_organization_sees_nothing(cohort: list[Pathway]) -> None:
    elsewhere = _persona(UnitFactory(), UnitRole.Role.COORDINATOR, "coordinator_elsewhere")
    report = report_for(elsewhere)
    assert report.tables == ()
    with translation.override("en"):
        assert "No baseline measurements" in str(report.notes[-1])


def test_follow_ups_count_once_due_and_small_losses_hide_the_count(
    counsellor: Persona, team: Unit, coordinator: Persona
) -> None:
    today = timezone.localdate()
    enrolled = today - timedelta(days=100)  # 3 months due, 6 not yet
    for n in range(6):
        pathway = enrol(counsellor, team, n, on=enrolled)
        measure(counsellor, pathway, "swemwbs", 0, swemwbs(14 + n))
        if n < 5:
            measure(counsellor, pathway, "swemwbs", 3, swemwbs(16 + 2 * n), on=today)
    table = report_for(coordinator, ReportFilter(since=enrolled, until=today)).table("swemwbs")
    # 6 counted, 5 pairs: the one lost must not be worked out, so the 6 is hidden ("x"), not the pairs.
    assert cell(table, "metric-3", "pairs").value == 5
    counted = cell(table, "metric-3", "counted")
    assert counted.value is None and counted.display == "x"
    assert rate(table, "metric-3", "attrition") is None
    assert number(table, "metric-3", "mean_change") is not None
    # 6 and 12 months are not due yet: nobody is counted as lost.
    for months in (6, 12):
        assert cell(table, f"metric-{months}", "counted").value == 0
        assert rate(table, f"metric-{months}", "attrition") is None


def test_device_models_are_not_compared(counsellor: Persona, team: Unit, coordinator: Persona) -> None:
    fat_before = [30.0, 28.5, 35.2, 25.0, 31.1, 27.0]
    fat_after = [28.0, 27.5, 33.0, 24.1, 30.0, 15.0]
    for n in range(6):
        pathway = enrol(counsellor, team, n)
        for months, fat, device in ((0, fat_before[n], "InBody 270"), (3, fat_after[n], "InBody 270")):
            if n == 5 and months == 3:
                device = "InBody 770"  # another model: not comparable
            values = {
                "device_model": device,
                "skeletal_muscle_mass_kg": "30.0",
                "body_fat_percent": str(fat),
                "visceral_fat_level": 10,
            }
            measure(counsellor, pathway, "inbody", months, values)
    table = report_for(coordinator).table("inbody")
    changes = [a - b for b, a in zip(fat_before[:5], fat_after[:5], strict=True)]
    assert cell(table, "body_fat_percent-3", "pairs").value == 5
    assert number(table, "body_fat_percent-3", "mean_change") == pytest.approx(statistics.fmean(changes))
    # The optional ECW/TBW ratio was never given: no pairs, nobody counted.
    assert cell(table, "ecw_tbw_ratio-3", "pairs").value == 0
    assert cell(table, "ecw_tbw_ratio-3", "counted").value == 0
    # Skeletal muscle mass did not change at all: no test, no effect size, the interval is the change.
    assert number(table, "skeletal_muscle_mass_kg-3", "mean_change") == 0
    assert number(table, "skeletal_muscle_mass_kg-3", "p") is None
    assert number(table, "skeletal_muscle_mass_kg-3", "d_z") is None


def test_filters_narrow_the_population(counsellor: Persona, team: Unit, coordinator: Persona) -> None:
    sibling = UnitFactory(organization=team.organization, kind=Unit.Kind.EXERCISE_COUNSELLING)
    nurse = _persona(sibling, UnitRole.Role.RECEIVER, "nurse")
    kokkola, kannus = Municipality.objects.get(pk="272"), Municipality.objects.get(pk="217")
    for n in range(5):
        here = enrol(counsellor, team, n, municipality="272")
        there = enrol(nurse, sibling, 10 + n, programme="lifestyle", municipality="217")
        for worker, pathway in ((counsellor, here), (nurse, there)):
            measure(worker, pathway, "pa_minutes", 0, pa(100, 1))
            measure(worker, pathway, "pa_minutes", 3, pa(100 + 10 * n + (5 if pathway is here else 0), 2))

    def pairs(**extra: Any) -> int | None:
        report = report_for(coordinator, period(**extra))
        if not report.tables:
            return None
        return cell(report.table("pa_minutes"), "aerobic_minutes-3", "pairs").value

    lifestyle = Programme.objects.get(pk="lifestyle")
    assert pairs() == 10
    assert pairs(unit=team) == 5
    assert pairs(unit=sibling) == 5
    assert pairs(programme=lifestyle) == 5
    assert pairs(municipality=kokkola) == 5
    assert pairs(municipality=kannus, programme=lifestyle) == 5
    assert pairs(municipality=kannus, unit=team) is None  # nobody: no tables at all
    # With a programme chosen its instruments are shown even when empty.
    report = report_for(coordinator, period(programme=lifestyle, unit=team))
    shown = ["pa_minutes", "auditc", "body", "sitting", "self_rated_fitness", "self_rated_health", "ukk"]
    assert [t.key for t in report.tables] == shown
    assert cell(report.table("pa_minutes"), "aerobic_minutes-3", "pairs").value == 0


def test_the_test_rule_is_fixed_per_measure() -> None:
    t = prepost.Test.PAIRED_T
    assert prepost.test_for("swemwbs", "metric") is t
    assert prepost.test_for("body", "bmi") is t and prepost.test_for("inbody", "body_fat_percent") is t
    for instrument, score in (
        ("pa_minutes", "aerobic_minutes"),
        ("ons4", "anxious"),
        ("was", "score"),
        ("sitting", "hours"),
        ("ucla3", "total"),
        ("auditc", "total"),
        ("self_rated_health", "score"),
        ("swemwbs", "raw"),
    ):
        assert prepost.test_for(instrument, score) is prepost.Test.WILCOXON


def test_small_p_values_read_as_below_one_thousandth() -> None:
    before = [float(x) for x in range(40)]
    after = [x + 5 + (x % 3) for x in before]
    change = prepost.paired_change(np.array(before), np.array(after), prepost.Test.PAIRED_T)
    assert change.n == 40 and change.p is not None and change.p < 0.001
    assert prepost._p_value(change.p).display in {"< 0.001", "< 0,001"}
