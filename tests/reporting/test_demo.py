"""The demo activity of ``seed_demo``: made once, and enough of it that the demo coordinators' reports
show figures rather than "<5".

One test, one seeding (the whole demo tray and about 160 referrals through the services take a while;
pytest-django's ``db`` fixture rolls back after every test, so the seeding cannot be shared)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.http import QueryDict
from django.utils import timezone

from hyte.attendance.models import GroupYear, Meeting, Pass, Reward, Visit
from hyte.core.disclosure import Cell
from hyte.core.models import PersonalDataLog
from hyte.pathways.models import Measurement, Outcome, Pathway
from hyte.referrals.models import Client, Referral, ReferralEvent
from hyte.reporting.demo import FLOWS, MARKER, seed_activity
from hyte.reporting.filters import ReportFilter, Scope, parse_filter, scope_for
from hyte.reporting.models import ProgrammeCost, ServiceUse
from hyte.reporting.registry import BY_KEY
from hyte.reporting.tables import Number, Rate, Report

pytestmark = pytest.mark.django_db

COUNTED: tuple[type[models.Model], ...] = (
    Client,
    Referral,
    ReferralEvent,
    Pathway,
    Measurement,
    Outcome,
    Pass,
    Visit,
    Reward,
    Meeting,
    GroupYear,
    ProgrammeCost,
    ServiceUse,
    PersonalDataLog,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def _period(scope: Scope, key: str, **params: str) -> ReportFilter:
    """The default period (1 January … today), or the last 365 days while the year is too young for
    pathways started this year to have reached their follow-ups (the demo spans eighteen months)."""
    query = QueryDict(mutable=True)
    query.update(params)
    f = parse_filter(query, scope, breakdowns=BY_KEY[key].breakdowns)
    if f.days < 240:
        query["since"] = (f.until - timedelta(days=364)).isoformat()
        f = parse_filter(query, scope, breakdowns=BY_KEY[key].breakdowns)
    return f


def _report(username: str, key: str, **params: str) -> Report:
    scope = scope_for(get_user_model().objects.get(username=username))
    return BY_KEY[key].build(scope, _period(scope, key, **params))


def _shown(value: Any) -> bool:
    """A published figure that is not hidden and not zero."""
    if isinstance(value, Cell):
        return not value.hidden and bool(value.value)
    assert isinstance(value, Rate | Number), value
    return value.value is not None


def test_demo_activity_is_made_once_and_fills_the_reports() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "kokkola.koordinaattori / hyte-demo-2026" in printed
    assert "Demo activity:" in printed
    assert Referral.objects.count() == sum(flow.count for flow in FLOWS)
    assert Pass.objects.count() == 30 and ProgrammeCost.objects.count() == 2
    assert Client.objects.filter(pseudonym=MARKER).exists()
    assert not Client.objects.exclude(last_name__startswith="Asiakas ").exists()
    assert not Client.objects.exclude(hetu_encrypted="").exists()
    # Backdated through the services: eighteen months of history, nothing in the future.
    now = timezone.now()
    oldest = Referral.objects.order_by("sent_at").values_list("sent_at", flat=True).first()
    assert oldest is not None and now - timedelta(days=545) < oldest < now - timedelta(days=400)
    assert not Referral.objects.filter(closed_at__gt=now).exists()
    assert not Visit.objects.filter(on__gt=timezone.localdate()).exists()
    assert Visit.objects.filter(on__lt=timezone.localdate() - timedelta(days=60)).exists()

    before = _counts()
    second = io.StringIO()
    assert seed_activity(second) == {}
    assert _counts() == before
    assert "exists already" in second.getvalue()

    funnel = _report("soite.koordinaattori", "funnel").table("stages")
    for stage in ("sent", "accepted", "first_contact", "completed"):
        assert _shown(funnel.value(stage, "count")), stage
    assert _shown(funnel.value("first_contact", "median_days"))

    outcomes = _report("soite.koordinaattori", "outcomes")
    ips = outcomes.table("ips")
    for column in ("referred", "agreements", "employed", "employment_rate", "progress_rate"):
        assert _shown(ips.value("all", column)), column
    employment = ips.value("all", "employment_rate")
    assert isinstance(employment, Rate) and employment.value is not None and 0.15 < employment.value < 0.6
    passes = outcomes.table("passes")
    for column in ("valid", "used", "visits", "earned"):
        assert _shown(passes.value("total", column)), column
    assert _shown(outcomes.table("link_workers").value("all", "workers"))
    # Groups belong to Kokkola: its coordinator sees them, the county's does not.
    groups = _report("kokkola.koordinaattori", "outcomes").table("groups")
    for figure in ("groups", "meetings", "visits", "continuing"):
        assert _shown(groups.value(figure, "count")), figure
    county_meetings = outcomes.table("groups").value("meetings", "count")
    assert isinstance(county_meetings, Cell) and county_meetings.value == 0

    pytest.importorskip("hyte.reporting.prepost")
    prepost = _report("soite.koordinaattori", "prepost")
    for table, row in (("swemwbs", "metric-3"), ("pa_minutes", "aerobic_minutes-3"), ("body", "weight_kg-3")):
        assert _shown(prepost.table(table).value(row, "pairs")), table
        assert _shown(prepost.table(table).value(row, "mean_change")), table

    pytest.importorskip("hyte.reporting.service_use")
    use = _report("soite.koordinaattori", "service-use", programme="ips").tables[0]
    assert _shown(use.rows[0].values[use.column_index("per_client_month")])
    assert all(_shown(row.values[use.column_index("clients")]) for row in use.rows)

    pytest.importorskip("hyte.reporting.costs")
    costs = _report("soite.koordinaattori", "costs").tables[0]
    assert _shown(costs.value("exercise_counselling", "cost"))
    assert _shown(costs.value("ips", "per_enrolled"))
