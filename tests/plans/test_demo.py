"""The demo plans of ``seed_demo``: made once, visible to the demo social worker, through the services."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model

from hyte.catalog.demo.loader import load_demo
from hyte.plans import selectors
from hyte.plans.demo import CLIENTS, USERNAME, seed_plans
from hyte.plans.models import ClientPlan, IncomeSupportGrant, PlanItem

pytestmark = pytest.mark.django_db


def test_demo_plans_once_and_visible() -> None:
    load_demo()
    out = io.StringIO()
    seed_plans(out, "demo-password")
    seed_plans(out, "demo-password")
    worker = get_user_model().objects.get(username=USERNAME)
    assert worker.check_password("demo-password")
    plans = selectors.plan_list(actor=worker)
    assert plans.count() == ClientPlan.objects.count() == len(CLIENTS)
    swedish = plans.get(client__preferred_language="sv")
    assert swedish.status == "active" and swedish.activity.activity_level == "inactive"
    assert PlanItem.objects.filter(plan=swedish, kind="service").count() == 2
    assert IncomeSupportGrant.objects.count() == sum(len(c[4]) for c in CLIENTS)
    printed = selectors.printable_plan(
        actor=worker, plan=selectors.plan_detail(actor=worker, plan_id=swedish.pk)
    )
    assert any(p.schedules for p in printed.items)
