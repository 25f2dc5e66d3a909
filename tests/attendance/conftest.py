"""Fixtures of the attendance tests.

``provider`` is a municipality's leisure services with a swimming hall and a museum (both covered by
the "liiku" pass programme) and a gym no pass covers; ``other_provider`` is another organization whose
service the pass covers too. ``desk`` is the provider's front desk, ``other_desk`` the other one's.
Passes are issued by the referral and pathway personas (``counsellor_c`` in exercise counselling C,
``pro_a`` in county unit A): ``liiku_pass`` comes from a walk-in pathway of counsellor C.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from hyte.accounts.models import Membership, Unit
from hyte.attendance import services
from hyte.attendance.models import Pass, PassProgramme
from hyte.catalog.models import Organization, Service
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.pathways.conftest import (  # noqa: F401  (fixtures)
    accepted_referral,
    coordinator,
    counsellor_c,
    counsellor_d,
    days_ago,
    pro_a,
    pro_b,
    unit_a,
    unit_b,
    unit_c,
    unit_d,
    walk_in,
)


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """The holder's views are throttled in the (LocMem) cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def provider(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kokkolan vapaa-aikapalvelut", org_type=Organization.Type.MUNICIPALITY)


@pytest.fixture
def other_provider(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kannuksen Latu ry", org_type=Organization.Type.ASSOCIATION)


@pytest.fixture
def swimming_hall(provider: Organization) -> Service:
    return ServiceFactory(
        organization=provider, name_fi="Uimahalli", name_sv="Simhall", name_en="Swimming hall", index=False
    )


@pytest.fixture
def museum(provider: Organization) -> Service:
    return ServiceFactory(
        organization=provider, name_fi="Museo", name_sv="Museum", name_en="Museum", index=False
    )


@pytest.fixture
def gym(provider: Organization) -> Service:
    """The provider's service that no pass covers."""
    return ServiceFactory(
        organization=provider, name_fi="Kuntosali", name_sv="Gym", name_en="Gym", index=False
    )


@pytest.fixture
def ski_track(other_provider: Organization) -> Service:
    """Another organization's service, covered by the pass."""
    return ServiceFactory(
        organization=other_provider, name_fi="Latu", name_sv="Skidspår", name_en="Ski track", index=False
    )


@pytest.fixture
def liiku(swimming_hall: Service, museum: Service, ski_track: Service) -> PassProgramme:
    programme = PassProgramme.objects.get(code="liiku")
    programme.services.set([swimming_hall, museum, ski_track])
    return programme


@pytest.fixture
def exercise_card(swimming_hall: Service, museum: Service) -> PassProgramme:
    programme = PassProgramme.objects.get(code="exercise_card")
    programme.services.set([swimming_hall, museum])
    return programme


@pytest.fixture
def desk(provider: Organization) -> Persona:
    return _login(
        MembershipFactory(organization=provider, role=Membership.Role.FRONT_DESK, user__username="desk").user
    )


@pytest.fixture
def other_desk(other_provider: Organization) -> Persona:
    return _login(
        MembershipFactory(
            organization=other_provider, role=Membership.Role.FRONT_DESK, user__username="other_desk"
        ).user
    )


def new_key() -> str:
    return f"k-{uuid.uuid4().hex}"


def issue(persona: Persona, unit: Unit, programme: str = "liiku", **extra: Any) -> Pass:
    """A pass for a walk-in client of ``persona`` in ``unit`` unless the referral, pathway or client is
    given."""
    if not {"referral_id", "pathway_id", "client"} & set(extra):
        extra["pathway_id"] = walk_in(persona, unit).pk
    return services.pass_issue(
        actor=persona.user, data=services.PassIssue(programme=programme, unit_id=unit.pk, **extra)
    )


def mark(
    persona: Persona, card: Pass, service: Service, key: str | None = None, on: date | None = None
) -> services.Marked:
    return services.visit_mark(
        actor=persona.user, token=card.token, service_id=service.pk, key=key or new_key(), on=on
    )


@pytest.fixture
def liiku_pass(counsellor_c: Persona, unit_c: Unit, liiku: PassProgramme) -> Pass:  # noqa: F811
    return issue(counsellor_c, unit_c)
