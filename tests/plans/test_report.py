"""The plans report for coordinators: counts per unit, items by kind and status, grants by purpose and
kind, and sums of euros hidden with their small counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from hyte.core.disclosure import Cell
from hyte.plans import selectors, services
from hyte.plans.models import IncomeSupportGrant
from hyte.reporting.filters import parse_filter, scope_for
from hyte.reporting.plans import build, euros
from hyte.reporting.tables import Number, Report
from tests.plans.conftest import days_ago, new_plan

pytestmark = pytest.mark.django_db


def grant(persona, plan, amount, purpose="exercise_pass", kind="supplementary"):  # type: ignore[no-untyped-def]
    return services.grant_record(
        actor=persona.user,
        plan_id=plan.pk,
        version=None,
        kind=kind,
        amount=amount,
        period_from=days_ago(20),
        period_to=days_ago(1),
        purpose=purpose,
        decided_on=days_ago(2),
    )


def report_for(actor: Any, query: str = "") -> Report:
    scope = scope_for(actor)
    return build(scope, parse_filter(QueryDict(query), scope, breakdowns=()))


def test_figures_selector(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    services.activity_save(actor=social_worker.user, plan_id=plan.pk, version=None, activity_level="some")
    services.item_add(
        actor=social_worker.user, plan_id=plan.pk, version=None, kind="service", service_id=swim_hall.pk
    )
    new_plan(social_worker, unit_s)
    grant(social_worker, plan, "40")
    grant(social_worker, plan, "10,50", purpose="travel", kind="preventive")
    figures = selectors.plan_figures(unit_ids=[unit_s.pk], since=days_ago(30), until=days_ago(0))
    assert (figures.plans, figures.with_activity) == (2, 1)
    assert figures.items == {("service", "planned"): 1}
    assert figures.grants == {("supplementary", "exercise_pass"): 1, ("preventive", "travel"): 1}
    assert figures.grant_total == Decimal("50.50")
    outside = selectors.plan_figures(unit_ids=[unit_s.pk], since=days_ago(5), until=days_ago(0))
    assert outside.plans == 0 and outside.grant_count == 2


def test_euros_follow_their_count():
    assert euros(Decimal("99"), Cell(7), 5) == Number(99.0, 2, "€")
    assert euros(Decimal("99"), Cell(4), 5).hidden
    assert euros(Decimal("99"), Cell(None, "secondary"), 5).hidden


def _money_follows_counts(report: Report) -> None:
    """Every shown sum of euros has a shown count of at least MIN_CELL next to it."""
    income = report.table("income-support")
    for row in income.rows:
        for column, value in zip(income.columns, row.values, strict=True):
            if column.key.endswith("euros") and not value.hidden:
                count = row.values[income.column_index(column.key.removesuffix("_euros"))]
                assert not count.hidden and count.value >= report.min_cell


def test_report_shows_counts_and_sums(social_worker, plan_coordinator, unit_s, settings):
    settings.HYTE_MIN_CELL = 3
    plans = [new_plan(social_worker, unit_s) for _ in range(4)]
    for plan in plans:
        grant(social_worker, plan, "30")
    report = report_for(plan_coordinator.user)
    assert report.table("plans").value(str(unit_s.pk), "plans").display == "4"
    assert report.table("plans").value(str(unit_s.pk), "euros").value == 120.0
    income = report.table("income-support")
    assert income.value("exercise_pass", "supplementary").display == "4"
    assert income.value("exercise_pass", "supplementary_euros").value == 120.0
    assert income.value("total", "total_euros").value == 120.0
    _money_follows_counts(report)


def test_report_hides_small_counts_and_their_sums(social_worker, plan_coordinator, unit_s, settings):
    settings.HYTE_MIN_CELL = 3
    plans = [new_plan(social_worker, unit_s) for _ in range(4)]
    for plan in plans:
        grant(social_worker, plan, "30")
    grant(social_worker, plans[0], "12", purpose="travel")  # one travel grant: small
    report = report_for(plan_coordinator.user)
    income = report.table("income-support")
    assert income.value("travel", "supplementary").display == "<3"
    assert income.value("travel", "supplementary_euros").hidden
    assert income.value("travel", "total_euros").hidden
    # the exercise passes are hidden too (secondary), or the travel grant would be total minus passes
    assert income.value("exercise_pass", "supplementary").hidden
    assert income.value("exercise_pass", "supplementary_euros").hidden
    _money_follows_counts(report)


def test_one_grant_in_a_unit_hides_its_money(social_worker, plan_coordinator, unit_s):
    grant(social_worker, new_plan(social_worker, unit_s), "250")
    report = report_for(plan_coordinator.user)
    assert report.table("plans").value(str(unit_s.pk), "grants").hidden
    assert report.table("plans").value(str(unit_s.pk), "euros").hidden
    assert report.table("plans").value("total", "euros").hidden
    _money_follows_counts(report)


def test_report_is_for_coordinators_only(social_worker):
    from hyte.referrals.errors import NotInUnit

    with pytest.raises(NotInUnit):
        scope_for(social_worker.user)


def test_report_page(plan_coordinator, social_worker, unit_s):
    new_plan(social_worker, unit_s)
    with translation.override("fi"):
        page = plan_coordinator.client.get(reverse("web:report", args=["plans"]))
    assert page.status_code == 200
    assert "Sanna" not in page.text


def test_amount_is_never_in_grant_purpose_audit(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    grant(social_worker, plan, "77")
    assert IncomeSupportGrant.objects.get().amount == Decimal("77.00")
