from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hyte.catalog.models import Event, Service
from hyte.core.models import PersonalDataLog
from hyte.plans import selectors
from hyte.plans.errors import ClientNotFound, PlanNotFound
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.plans.conftest import new_plan
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db


def test_plan_detail_scoped_and_logged(
    social_worker, worker_colleague, social_worker_t, plan_coordinator, unit_s
):
    plan = new_plan(social_worker, unit_s)
    assert selectors.plan_detail(actor=worker_colleague.user, plan_id=plan.pk).pk == plan.pk
    assert PersonalDataLog.objects.filter(
        object_id=str(plan.pk), action="read", actor=worker_colleague.user
    ).exists()
    for actor in (social_worker_t.user, plan_coordinator.user, AnonymousUser()):
        with pytest.raises(PlanNotFound):
            selectors.plan_detail(actor=actor, plan_id=plan.pk)
        assert not selectors.plan_list(actor=actor).exists()
    for bad in ("x", "", None, "0190aaaa-0000-7000-8000-000000000000"):
        with pytest.raises(PlanNotFound):
            selectors.plan_detail(actor=social_worker.user, plan_id=bad)
    social_worker.user.is_active = False
    social_worker.user.save()
    with pytest.raises(PlanNotFound):
        selectors.plan_detail(actor=social_worker.user, plan_id=plan.pk)


def test_clients_from_referrals_are_visible_to_the_sender(social_worker, social_worker_t, unit_s, unit_t):
    from hyte.referrals.models import Referral
    from hyte.referrals.services import referral_create
    from tests.accounts.factories import UnitFactory

    receiving = UnitFactory(receives_referrals=True)
    referral = referral_create(
        actor=social_worker.user,
        referring_unit_id=unit_s.pk,
        receiving_unit_id=receiving.pk,
        kind=Referral.Kind.EXERCISE,
        client=client_data(),
        reason="Liikkuu vähän.",
        consent=consent_data(),
    )
    assert (
        selectors.client_for_plan(actor=social_worker.user, client_id=referral.client_id).pk
        == referral.client_id
    )
    with pytest.raises(ClientNotFound):
        selectors.client_for_plan(actor=social_worker_t.user, client_id=referral.client_id)


def test_choosable_events():
    now = timezone.now()
    org = OrganizationFactory()
    inactive = ServiceFactory(organization=org, status=Service.Status.INACTIVE)

    def event(key: str, **extra: object) -> Event:
        values = {
            "external_id": f"test:{key}",
            "uid": key,
            "organization": org,
            "title": key,
            "starts_at": now + timedelta(days=2),
            "ends_at": now + timedelta(days=2, hours=1),
        }
        return Event.objects.create(**(values | extra))

    event("upcoming")
    event("cancelled", cancelled=True)
    event("over", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-1))
    event(
        "series",
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30, hours=-1),
        rrule="FREQ=WEEKLY",
    )
    event(
        "series-over",
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30, hours=-1),
        rrule="FREQ=WEEKLY",
        recurrence_end=now - timedelta(days=1),
    )
    event("of-inactive-service", service=inactive)
    assert sorted(selectors.choosable_events().values_list("title", flat=True)) == ["series", "upcoming"]
