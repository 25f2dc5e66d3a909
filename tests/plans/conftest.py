"""Personas of the plan tests: ``social_worker`` (a professional) and ``worker_colleague`` (a receiver)
in adult social work unit S, ``social_worker_t`` in unit T of the same county, ``plan_coordinator``
with the coordinator role in S. A Swedish-speaking client and a tray service with a weekly time."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Service
from hyte.plans import services
from hyte.plans.models import ClientPlan
from hyte.referrals.services import ClientData
from tests.accounts.factories import UnitFactory
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.conftest import Persona
from tests.referrals.conftest import _persona


@pytest.fixture
def unit_s(db: None) -> Unit:
    return UnitFactory(name_fi="Kokkolan aikuissosiaalityö", name_sv="Karleby vuxensocialarbete")


@pytest.fixture
def unit_t(db: None) -> Unit:
    return UnitFactory(name_fi="Kannuksen aikuissosiaalityö")


@pytest.fixture
def social_worker(unit_s: Unit) -> Persona:
    return _persona(unit_s, UnitRole.Role.PROFESSIONAL, "social_worker")


@pytest.fixture
def worker_colleague(unit_s: Unit) -> Persona:
    return _persona(unit_s, UnitRole.Role.RECEIVER, "worker_colleague")


@pytest.fixture
def social_worker_t(unit_t: Unit) -> Persona:
    return _persona(unit_t, UnitRole.Role.PROFESSIONAL, "social_worker_t")


@pytest.fixture
def plan_coordinator(unit_s: Unit) -> Persona:
    return _persona(unit_s, UnitRole.Role.COORDINATOR, "plan_coordinator")


@pytest.fixture
def swim_hall(db: None) -> Service:
    hall = LocationFactory(
        name_fi="Kokkolan uimahalli",
        name_sv="Karleby simhall",
        name_en="Kokkola swimming hall",
        street_address_fi="Kokkolankatu 1",
        street_address_sv="Karlebygatan 1",
    )
    service = ServiceFactory(
        name_fi="Vesijumppa",
        name_sv="Vattengymnastik",
        name_en="Water aerobics",
        organization=hall.organization,
        at=[hall],
        themes=["liikunta"],
    )
    ScheduleFactory(
        service=service,
        location=hall,
        weekday=2,
        opens_at=time(10, 0),
        closes_at=time(11, 0),
        description_fi="Ohjattu vesijumppa",
        description_sv="Ledd vattengymnastik",
        description_en="Guided water aerobics",
    )
    return service


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def new_plan(persona: Persona, unit: Unit, language: str = "fi", **extra: Any) -> ClientPlan:
    values: dict[str, Any] = {
        "unit_id": unit.pk,
        "assessed_on": days_ago(10),
        "client": ClientData(first_name="Sanna", last_name="Sosiaali", preferred_language=language),
    }
    return services.plan_create(actor=persona.user, **(values | extra))
