"""The plans API over HTTP: create, read (logged), versioned writes (409), coded 400s, other units 404,
coordinators nothing, bad bodies and ids never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from hyte.catalog.models import Service
from hyte.core.models import PersonalDataLog
from hyte.plans import services
from hyte.plans.models import ClientPlan, IncomeSupportGrant, PlanItem
from tests.catalog.factories import ServiceFactory
from tests.plans.conftest import days_ago, new_plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/plans/"


def post(persona, url, body, method="post"):  # type: ignore[no-untyped-def]
    return getattr(persona.client, method)(url, json.dumps(body), content_type="application/json")


def test_create_and_read(social_worker, unit_s):
    r = post(
        social_worker,
        URL,
        {
            "unit": str(unit_s.pk),
            "assessed_on": days_ago(3).isoformat(),
            "client": {"first_name": "Sven", "last_name": "Svensson", "preferred_language": "sv"},
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["version"], body["preferred_language"]) == ("draft", 1, "sv")
    assert body["activity"] is None and body["steps"] == []
    listed = social_worker.client.get(URL).json()
    assert [p["client_name"] for p in listed] == ["Sven Svensson"]
    assert "steps" not in listed[0]
    reads = PersonalDataLog.objects.filter(object_id=body["id"], action="read").count()
    social_worker.client.get(f"{URL}{body['id']}/")
    assert PersonalDataLog.objects.filter(object_id=body["id"], action="read").count() == reads + 1


def test_writes_and_stale_version(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    base = f"{URL}{plan.pk}/"
    r = post(
        social_worker,
        f"{base}activity/",
        {"version": 1, "activity_level": "inactive", "minutes_per_week": 20, "wish_themes": ["liikunta"]},
        "put",
    )
    assert r.status_code == 200 and r.json()["activity"]["wish_themes"] == ["liikunta"]
    step = post(social_worker, f"{base}steps/", {"version": 2, "text": "Uimaan"}).json()
    item = post(
        social_worker, f"{base}items/", {"version": 3, "kind": "service", "service": str(swim_hall.pk)}
    )
    assert item.status_code == 201 and item.json()["service_name"] == "Vesijumppa"
    r = post(social_worker, f"{base}steps/{step['id']}/", {"version": 4, "done": True}, "patch")
    assert r.status_code == 200 and r.json()["done"] is True
    r = post(social_worker, f"{base}items/{item.json()['id']}/", {"version": 5, "status": "started"}, "patch")
    assert r.json()["status"] == "started"
    stale = post(social_worker, f"{base}steps/", {"version": 3, "text": "Myöhässä"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    sv = post(social_worker, f"{base}steps/?lang=sv", {"version": 3, "text": "Myöhässä"})
    assert sv.json()["message"] != stale.json()["message"]
    r = post(
        social_worker,
        f"{base}grants/",
        {
            "version": 6,
            "kind": "supplementary",
            "amount": "49.90",
            "period_from": days_ago(30).isoformat(),
            "period_to": days_ago(1).isoformat(),
            "purpose": "culture_ticket",
            "decided_on": days_ago(2).isoformat(),
        },
    )
    assert r.status_code == 201 and r.json()["amount"] == "49.90"
    r = post(social_worker, f"{base}status/", {"version": 7, "status": "closed"})
    assert r.json()["status"] == "closed"
    closed = post(social_worker, f"{base}steps/", {"version": 8, "text": "x"})
    assert closed.status_code == 409 and closed.json()["code"] == "plan_closed"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"amount": "0"}, "invalid_parameter", "amount"),
        ({"amount": "999999"}, "invalid_parameter", "amount"),
        ({"period_to": days_ago(40).isoformat()}, "invalid_parameter", "period_to"),
    ],
)
def test_bad_grant(social_worker, unit_s, body, code, field):
    plan = new_plan(social_worker, unit_s)
    values = {
        "version": 1,
        "kind": "preventive",
        "amount": "10",
        "period_from": days_ago(30).isoformat(),
        "period_to": days_ago(1).isoformat(),
        "purpose": "travel",
        "decided_on": days_ago(2).isoformat(),
    }
    r = post(social_worker, f"{URL}{plan.pk}/grants/", values | body)
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["details"]["field"]) == (code, field)
    assert not IncomeSupportGrant.objects.exists()


def test_withdrawn_service_refused(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    gone = ServiceFactory(status=Service.Status.DEFUNCT)
    r = post(
        social_worker, f"{URL}{plan.pk}/items/", {"version": 1, "kind": "service", "service": str(gone.pk)}
    )
    assert r.status_code == 422 and r.json()["code"] == "service_not_available"
    assert not PlanItem.objects.exists()


def test_other_unit_and_coordinator(social_worker, social_worker_t, plan_coordinator, unit_s):
    plan = new_plan(social_worker, unit_s)
    step = services.step_add(actor=social_worker.user, plan_id=plan.pk, version=1, text="Oma")
    for persona in (social_worker_t, plan_coordinator):
        assert persona.client.get(URL).json() == []
        assert persona.client.get(f"{URL}{plan.pk}/").status_code == 404
        r = post(persona, f"{URL}{plan.pk}/steps/{step.pk}/", {"version": 2, "done": True}, "patch")
        assert r.status_code == 404 and r.json()["code"] == "plan_not_found"
    other = new_plan(social_worker, unit_s, client=services.ClientData(first_name="B", last_name="C"))
    # a step of one plan through another plan's address: not found
    r = post(social_worker, f"{URL}{other.pk}/steps/{step.pk}/", {"version": 1, "done": True}, "patch")
    assert r.status_code == 404
    assert ClientPlan.objects.get(pk=plan.pk).version == 2


@pytest.mark.parametrize("pk", ["nonsense", "0190aaaa-0000-7000-8000-000000000000", "1" * 300])
def test_bad_ids_are_404(social_worker, pk: Any):
    assert social_worker.client.get(f"{URL}{pk}/").status_code == 404
    assert post(social_worker, f"{URL}{pk}/steps/", {"version": 1, "text": "x"}).status_code == 404


def test_anonymous_refused(client, social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    assert client.get(f"{URL}{plan.pk}/").status_code in (401, 403)


def test_schema_builds(tmp_path: Any) -> None:
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/plans/{id}/grants/" in (tmp_path / "schema.yaml").read_text()
