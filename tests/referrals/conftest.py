"""Personas of the referral tests.

``pro_a`` is a professional in county unit A (``colleague_a`` too), ``pro_b`` in county unit B;
``counsellor_c`` receives referrals in exercise counselling C, ``counsellor_d`` in exercise counselling D;
``coordinator`` only sees figures. Each persona has a logged-in test client."""

from __future__ import annotations

import pytest

from hyte.accounts.models import Unit, UnitRole
from hyte.referrals.models import Consent
from hyte.referrals.services import ClientData, ConsentData
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login


@pytest.fixture
def unit_a(db: None) -> Unit:
    return UnitFactory(name_fi="Kokkolan terveysasema")


@pytest.fixture
def unit_b(db: None) -> Unit:
    return UnitFactory(name_fi="Kannuksen sosiaalityö")


@pytest.fixture
def unit_c(db: None) -> Unit:
    return UnitFactory(
        name_fi="Kokkolan liikuntaneuvonta", kind=Unit.Kind.EXERCISE_COUNSELLING, receives_referrals=True
    )


@pytest.fixture
def unit_d(db: None) -> Unit:
    return UnitFactory(
        name_fi="Kannuksen liikuntaneuvonta", kind=Unit.Kind.EXERCISE_COUNSELLING, receives_referrals=True
    )


def _persona(unit: Unit, role: str, username: str) -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=role, user__username=username).user)


@pytest.fixture
def pro_a(unit_a: Unit) -> Persona:
    return _persona(unit_a, UnitRole.Role.PROFESSIONAL, "pro_a")


@pytest.fixture
def colleague_a(unit_a: Unit) -> Persona:
    return _persona(unit_a, UnitRole.Role.PROFESSIONAL, "colleague_a")


@pytest.fixture
def pro_b(unit_b: Unit) -> Persona:
    return _persona(unit_b, UnitRole.Role.PROFESSIONAL, "pro_b")


@pytest.fixture
def counsellor_c(unit_c: Unit) -> Persona:
    return _persona(unit_c, UnitRole.Role.RECEIVER, "counsellor_c")


@pytest.fixture
def counsellor_d(unit_d: Unit) -> Persona:
    return _persona(unit_d, UnitRole.Role.RECEIVER, "counsellor_d")


@pytest.fixture
def coordinator(unit_a: Unit) -> Persona:
    return _persona(unit_a, UnitRole.Role.COORDINATOR, "coordinator")


def client_data(**overrides: str) -> ClientData:
    values = {"first_name": "Maija", "last_name": "Meikäläinen", "personal_identity_code": "131052-308T"}
    return ClientData(**(values | overrides))  # type: ignore[arg-type]


def consent_data() -> ConsentData:
    return ConsentData(
        given_by=Consent.GivenBy.CLIENT, method=Consent.Method.VERBAL, scope=Consent.Scope.REFERRAL
    )
