from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from hyte.catalog.models import Service
from hyte.core.models import PersonalDataLog
from hyte.plans import services
from hyte.plans.models import ActivitySection, ClientPlan, IncomeSupportGrant, PlanItem
from tests.catalog.factories import ServiceFactory
from tests.plans.conftest import days_ago, new_plan

pytestmark = pytest.mark.django_db


def url(name, *args, lang="fi"):  # type: ignore[no-untyped-def]
    with translation.override(lang):
        return reverse(f"web:{name}", args=args)


def test_list_shows_own_units_plans_only(social_worker, social_worker_t, unit_s, unit_t):
    new_plan(social_worker, unit_s)
    new_plan(social_worker_t, unit_t, client=services.ClientData(first_name="Toinen", last_name="Yksikkö"))
    page = social_worker.client.get(url("plans"))
    assert page.status_code == 200
    assert "Sanna Sosiaali" in page.text and "Toinen" not in page.text


def test_coordinator_and_anonymous_get_no_plans(plan_coordinator, client, social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    assert plan_coordinator.client.get(url("plans")).status_code == 403
    assert plan_coordinator.client.get(url("plan", plan.pk)).status_code == 404
    assert plan_coordinator.client.get(url("plan-print", plan.pk)).status_code == 404
    assert client.get(url("plan", plan.pk)).status_code == 302


def test_other_unit_gets_404(social_worker, social_worker_t, unit_s):
    plan = new_plan(social_worker, unit_s)
    for name in ("plan", "plan-print", "plan-tray"):
        assert social_worker_t.client.get(url(name, plan.pk)).status_code == 404
    response = social_worker_t.client.post(url("plan-action", plan.pk), {"action": "step", "s-text": "x"})
    assert response.status_code == 404
    assert not plan.steps.exists()


def test_create_plan_for_new_client(social_worker, unit_s):
    response = social_worker.client.post(
        url("plan-new"),
        {
            "unit": unit_s.pk,
            "first_name": "Elsa",
            "last_name": "Esimerkki",
            "preferred_language": "sv",
            "assessed_on": days_ago(1).isoformat(),
        },
    )
    plan = ClientPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == url("plan", plan.pk)
    assert (plan.client.first_name, plan.client.preferred_language) == ("Elsa", "sv")


def test_create_plan_bad_input(social_worker, unit_s):
    response = social_worker.client.post(url("plan-new"), {"unit": unit_s.pk, "first_name": "Elsa"})
    assert response.status_code == 400
    assert not ClientPlan.objects.exists()


def test_create_plan_for_known_client(social_worker, worker_colleague, social_worker_t, unit_s, unit_t):
    plan = new_plan(social_worker, unit_s)
    page = worker_colleague.client.get(url("plan-new") + f"?client={plan.client_id}")
    assert page.status_code == 200 and "Sanna Sosiaali" in page.text
    assert social_worker_t.client.get(url("plan-new") + f"?client={plan.client_id}").status_code == 404


def test_plan_page_forms(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    c = social_worker.client
    action = url("plan-action", plan.pk)
    r = c.post(
        action,
        {
            "action": "activity",
            "version": 1,
            "a-activity_level": "some",
            "a-minutes_per_week": "60",
            "a-wish_themes": ["liikunta"],
            "a-wishes": "Uinti",
        },
    )
    assert r.status_code == 302
    assert ActivitySection.objects.get(plan=plan).minutes_per_week == 60
    c.post(action, {"action": "step", "version": 2, "s-text": "Käy vesijumpassa", "s-due_on": ""})
    c.post(action, {"action": "item", "version": 3, "kind": "service", "service": swim_hall.pk})
    c.post(
        action,
        {
            "action": "item",
            "version": 4,
            "g-kind": "rehab_group",
            "g-title": "Kävelyryhmä",
            "g-times": "Ma 10",
        },
    )
    c.post(
        action,
        {
            "action": "grant",
            "version": 5,
            "m-kind": "preventive",
            "m-amount": "120,00",
            "m-period_from": days_ago(5).isoformat(),
            "m-period_to": days_ago(1).isoformat(),
            "m-purpose": "exercise_pass",
            "m-decided_on": days_ago(2).isoformat(),
        },
    )
    assert [s.text for s in plan.steps.all()] == ["Käy vesijumpassa"]
    assert sorted(PlanItem.objects.values_list("kind", flat=True)) == ["rehab_group", "service"]
    assert IncomeSupportGrant.objects.get().amount == Decimal("120.00")
    page = c.get(url("plan", plan.pk))
    assert page.status_code == 200
    assert "Vesijumppa" in page.text and "Kävelyryhmä" in page.text and "120,00" in page.text


def test_stale_version_is_told(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    services.step_add(actor=social_worker.user, plan_id=plan.pk, version=1, text="Eka")
    r = social_worker.client.post(
        url("plan-action", plan.pk), {"action": "step", "version": 1, "s-text": "Toka"}, follow=True
    )
    assert "Someone else changed this plan" in r.text or "Joku muu muutti" in r.text
    assert [s.text for s in plan.steps.all()] == ["Eka"]


def test_bad_grant_shows_error(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    r = social_worker.client.post(
        url("plan-action", plan.pk),
        {
            "action": "grant",
            "version": 1,
            "m-kind": "preventive",
            "m-amount": "0",
            "m-period_from": days_ago(1).isoformat(),
            "m-period_to": days_ago(5).isoformat(),
            "m-purpose": "travel",
            "m-decided_on": days_ago(2).isoformat(),
        },
        follow=True,
    )
    assert r.status_code == 200
    assert not IncomeSupportGrant.objects.exists()
    assert 'role="alert"' in r.text or "notice error" in r.text


def test_withdrawn_service_refused_on_page(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    gone = ServiceFactory(status=Service.Status.INACTIVE)
    r = social_worker.client.post(
        url("plan-action", plan.pk), {"action": "item", "version": 1, "kind": "service", "service": gone.pk}
    )
    assert r.status_code == 302
    assert not PlanItem.objects.exists()


def test_tray_search_htmx(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    reads = PersonalDataLog.objects.filter(action="read").count()
    r = social_worker.client.get(url("plan-tray", plan.pk) + "?q=vesijumppa", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert PersonalDataLog.objects.filter(action="read").count() == reads  # no client data read
    assert social_worker.client.get(url("plan-tray", plan.pk) + "?q=vesijumppa").status_code == 200
    assert "Vesijumppa" in r.text and "<html" not in r.text
    assert social_worker.client.get(url("plan-tray", plan.pk) + "?q=x&q=y").status_code == 400


def test_printable_plan_in_swedish(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s, language="sv")
    services.step_add(actor=social_worker.user, plan_id=plan.pk, version=1, text="Gå till simhallen")
    services.item_add(
        actor=social_worker.user,
        plan_id=plan.pk,
        version=2,
        kind="service",
        service_id=swim_hall.pk,
        note="SALAINEN SISÄINEN MUISTIINPANO",
    )
    r = social_worker.client.get(url("plan-print", plan.pk))  # the worker's page is in Finnish
    assert r.status_code == 200
    text = r.text
    assert '<html lang="sv">' in text
    assert "Vattengymnastik" in text and "Vesijumppa" not in text
    assert "Karleby simhall" in text and "Karlebygatan 1" in text
    assert "Tisdag 10:00–11:00" in text or "tisdag 10:00–11:00" in text
    assert "Ledd vattengymnastik" in text
    assert "Gå till simhallen" in text
    assert "SALAINEN" not in text
    assert PersonalDataLog.objects.filter(object_id=str(plan.pk), action="print").count() == 1


def test_closed_plan_page_has_no_forms(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    services.plan_set_status(actor=social_worker.user, plan_id=plan.pk, version=1, status="closed")
    page = social_worker.client.get(url("plan", plan.pk))
    assert 'value="grant"' not in page.text
    r = social_worker.client.post(
        url("plan-action", plan.pk), {"action": "step", "version": 2, "s-text": "x"}
    )
    assert r.status_code == 302 and not plan.steps.exists()
