from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from hyte.catalog.models import Service
from hyte.core.errors import InvalidParameter, InvalidTransition
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.plans import services
from hyte.plans.errors import (
    ClientNotFound,
    EventNotAvailable,
    NotPlanWorker,
    PlanClosed,
    PlanNotFound,
    ServiceNotAvailable,
    StaleVersion,
)
from hyte.plans.models import ActivitySection, ClientPlan, IncomeSupportGrant, PlanItem
from tests.catalog.factories import ServiceFactory
from tests.plans.conftest import days_ago, new_plan, today

pytestmark = pytest.mark.django_db


def grant(persona, plan, **extra):  # type: ignore[no-untyped-def]
    values = {
        "plan_id": plan.pk,
        "version": None,
        "kind": IncomeSupportGrant.Kind.SUPPLEMENTARY,
        "amount": "45,50",
        "period_from": days_ago(5),
        "period_to": days_ago(5) + timedelta(days=90),
        "purpose": IncomeSupportGrant.Purpose.EXERCISE_PASS,
        "decided_on": days_ago(3),
    }
    return services.grant_record(actor=persona.user, **(values | extra))


def test_create_plan_logs_and_audits(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    stored = ClientPlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.version, stored.unit_id) == ("draft", 1, unit_s.pk)
    assert stored.client.first_name == "Sanna"
    assert stored.created_by_id == social_worker.user.pk
    assert PersonalDataLog.objects.filter(object_id=str(plan.pk), action="create").count() == 1
    assert AuditEvent.objects.filter(object_id=str(plan.pk), action="client_plan.create").count() == 1


def test_other_unit_and_coordinator_cannot_create(social_worker_t, plan_coordinator, unit_s):
    with pytest.raises(InvalidParameter):
        new_plan(social_worker_t, unit_s)
    with pytest.raises(NotPlanWorker):
        new_plan(plan_coordinator, unit_s)


def test_existing_client_only_if_visible(social_worker, worker_colleague, social_worker_t, unit_s, unit_t):
    plan = new_plan(social_worker, unit_s)
    second = new_plan(worker_colleague, unit_s, client=None, client_id=plan.client_id)
    assert second.client_id == plan.client_id
    with pytest.raises(ClientNotFound):
        new_plan(social_worker_t, unit_t, client=None, client_id=plan.client_id)


def test_dates_checked(social_worker, unit_s):
    with pytest.raises(InvalidParameter) as exc:
        new_plan(social_worker, unit_s, assessed_on=today() + timedelta(days=1))
    assert exc.value.details == {"field": "assessed_on"}
    with pytest.raises(InvalidParameter) as exc:
        new_plan(social_worker, unit_s, plan_made_on=days_ago(20))
    assert exc.value.details == {"field": "plan_made_on"}
    with pytest.raises(InvalidParameter) as exc:
        new_plan(social_worker, unit_s, review_by=days_ago(30))
    assert exc.value.details == {"field": "review_by"}


def test_activity_section_and_stale_version(social_worker, worker_colleague, unit_s):
    plan = new_plan(social_worker, unit_s)
    section = services.activity_save(
        actor=social_worker.user,
        plan_id=plan.pk,
        version=1,
        activity_level="inactive",
        minutes_per_week=30,
        participation="Käy kirjastossa.",
        wish_themes=["liikunta", "kulttuuri"],
        wishes="Uinti",
    )
    stored = ActivitySection.objects.get(pk=section.pk)
    assert (stored.activity_level, stored.minutes_per_week, stored.wishes) == ("inactive", 30, "Uinti")
    assert sorted(stored.wish_themes.values_list("slug", flat=True)) == ["kulttuuri", "liikunta"]
    assert ClientPlan.objects.get(pk=plan.pk).version == 2
    with pytest.raises(StaleVersion):
        services.activity_save(actor=worker_colleague.user, plan_id=plan.pk, version=1, activity_level="some")
    assert ActivitySection.objects.get(pk=section.pk).activity_level == "inactive"


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("activity_level", {"activity_level": "athlete"}),
        ("minutes_per_week", {"minutes_per_week": 5000}),
        ("wish_themes", {"wish_themes": ["no-such-theme"]}),
        ("participation", {"participation": "x" * 1001}),
    ],
)
def test_activity_bad_input(social_worker, unit_s, field, values):
    plan = new_plan(social_worker, unit_s)
    with pytest.raises(InvalidParameter) as exc:
        services.activity_save(
            actor=social_worker.user, plan_id=plan.pk, version=1, **({"activity_level": "some"} | values)
        )
    assert exc.value.details["field"] == field
    assert not ActivitySection.objects.exists()


def test_steps_ordered_and_done(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    first = services.step_add(actor=social_worker.user, plan_id=plan.pk, version=1, text="Käy uimahallissa")
    second = services.step_add(
        actor=social_worker.user, plan_id=plan.pk, version=2, text="Hae liikuntakortti", due_on=today()
    )
    assert (first.position, second.position) == (1, 2)
    services.step_set_done(actor=social_worker.user, step_id=first.pk, version=3, done=True)
    first.refresh_from_db()
    assert first.done and first.done_on == today()
    services.step_remove(actor=social_worker.user, step_id=second.pk, version=4)
    assert list(plan.steps.values_list("text", flat=True)) == ["Käy uimahallissa"]
    with pytest.raises(InvalidParameter):
        services.step_add(actor=social_worker.user, plan_id=plan.pk, version=5, text="  ")


def test_items_from_the_tray(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    item = services.item_add(
        actor=social_worker.user, plan_id=plan.pk, version=1, kind="service", service_id=swim_hall.pk
    )
    group = services.item_add(
        actor=social_worker.user,
        plan_id=plan.pk,
        version=2,
        kind="rehab_group",
        title="Liikuntaryhmä",
        place="Sosiaaliasema",
        times="Ti 10–11",
    )
    assert PlanItem.objects.get(pk=item.pk).service_id == swim_hall.pk
    assert PlanItem.objects.get(pk=group.pk).title == "Liikuntaryhmä"
    services.item_set_status(actor=social_worker.user, item_id=item.pk, version=3, status="started")
    assert PlanItem.objects.get(pk=item.pk).status == "started"


def test_withdrawn_or_unknown_service_refused(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    withdrawn = ServiceFactory(status=Service.Status.DEFUNCT, withdrawn_at=timezone.now())
    for service_id in (withdrawn.pk, "not-a-uuid", "0190aaaa-0000-7000-8000-000000000000"):
        with pytest.raises(ServiceNotAvailable):
            services.item_add(
                actor=social_worker.user, plan_id=plan.pk, version=None, kind="service", service_id=service_id
            )
    with pytest.raises(EventNotAvailable):
        services.item_add(
            actor=social_worker.user,
            plan_id=plan.pk,
            version=None,
            kind="event",
            event_id="0190aaaa-0000-7000-8000-000000000000",
        )
    with pytest.raises(InvalidParameter):
        services.item_add(actor=social_worker.user, plan_id=plan.pk, version=None, kind="rehab_group")
    assert not PlanItem.objects.exists()
    assert ClientPlan.objects.get(pk=plan.pk).version == 1


def test_grant_recorded(social_worker, unit_s):
    plan = new_plan(social_worker, unit_s)
    record = grant(social_worker, plan)
    stored = IncomeSupportGrant.objects.get(pk=record.pk)
    assert stored.amount == Decimal("45.50")
    assert stored.recorded_by_id == social_worker.user.pk
    audit = AuditEvent.objects.get(object_id=str(plan.pk), action="client_plan.grant")
    assert audit.details == {"kind": "supplementary", "purpose": "exercise_pass"}


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "-5"}),
        ("amount", {"amount": "3000.01"}),
        ("amount", {"amount": "1e9"}),
        ("amount", {"amount": "NaN"}),
        ("amount", {"amount": "kymppi"}),
        ("amount", {"amount": "10.005"}),
        ("period_to", {"period_to": days_ago(6)}),
        ("period_to", {"period_to": days_ago(5) + timedelta(days=400)}),
        ("decided_on", {"decided_on": today() + timedelta(days=1)}),
        ("purpose", {"purpose": "holiday"}),
        ("purpose_text", {"purpose": "other"}),
        ("kind", {"kind": "basic"}),
    ],
)
def test_grant_bad_input(social_worker, unit_s, field, values):
    plan = new_plan(social_worker, unit_s)
    with pytest.raises(InvalidParameter) as exc:
        grant(social_worker, plan, **values)
    assert exc.value.details["field"] == field
    assert not IncomeSupportGrant.objects.exists()


def test_status_and_closed_plan(social_worker, unit_s, swim_hall):
    plan = new_plan(social_worker, unit_s)
    active = services.plan_set_status(actor=social_worker.user, plan_id=plan.pk, version=1, status="active")
    assert (active.status, active.plan_made_on) == ("active", today())
    with pytest.raises(InvalidTransition):
        services.plan_set_status(actor=social_worker.user, plan_id=plan.pk, version=2, status="draft")
    services.plan_set_status(actor=social_worker.user, plan_id=plan.pk, version=2, status="closed")
    stored = ClientPlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.closed_on) == ("closed", today())
    for call in (
        lambda: services.plan_set_status(
            actor=social_worker.user, plan_id=plan.pk, version=3, status="active"
        ),
        lambda: services.step_add(actor=social_worker.user, plan_id=plan.pk, version=3, text="x"),
        lambda: services.item_add(
            actor=social_worker.user, plan_id=plan.pk, version=3, kind="service", service_id=swim_hall.pk
        ),
        lambda: grant(social_worker, plan),
        lambda: services.activity_save(
            actor=social_worker.user, plan_id=plan.pk, version=3, activity_level="some"
        ),
    ):
        with pytest.raises(PlanClosed):
            call()
    assert ClientPlan.objects.get(pk=plan.pk).version == 3


def test_other_unit_gets_not_found(social_worker, social_worker_t, plan_coordinator, unit_s):
    plan = new_plan(social_worker, unit_s)
    step = services.step_add(actor=social_worker.user, plan_id=plan.pk, version=1, text="Askel")
    for persona in (social_worker_t, plan_coordinator):
        with pytest.raises(PlanNotFound):
            services.step_add(actor=persona.user, plan_id=plan.pk, version=2, text="x")
        with pytest.raises(PlanNotFound):
            services.step_set_done(actor=persona.user, step_id=step.pk, version=2, done=True)
        with pytest.raises(PlanNotFound):
            grant(persona, plan)
    assert ClientPlan.objects.get(pk=plan.pk).version == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_plan_one_is_told(social_worker, worker_colleague, unit_s):
    import threading

    from hyte.core.errors import DomainError

    plan = new_plan(social_worker, unit_s)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def write(persona, text):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.step_add(actor=persona.user, plan_id=plan.pk, version=1, text=text)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(p, t))
        for p, t in ((social_worker, "A"), (worker_colleague, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "stale_version"]
    assert plan.steps.count() == 1
