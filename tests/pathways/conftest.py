"""Personas of the pathway tests: those of the referral tests (``counsellor_c`` works in exercise
counselling C, ``counsellor_d`` in D, ``pro_a`` refers from county unit A), plus ``link_worker`` in the
link worker team L and ``coach`` in the IPS team I."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hyte.accounts.models import Unit, UnitRole
from hyte.pathways import services
from hyte.pathways.models import Pathway
from hyte.referrals.models import Referral
from hyte.referrals.services import ClientData, referral_create, referral_transition
from tests.accounts.factories import UnitFactory
from tests.conftest import Persona
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    _persona,
    client_data,
    consent_data,
    coordinator,
    counsellor_c,
    counsellor_d,
    pro_a,
    pro_b,
    unit_a,
    unit_b,
    unit_c,
    unit_d,
)


@pytest.fixture
def unit_l(db: None) -> Unit:
    return UnitFactory(name_fi="Linkkityö", kind=Unit.Kind.LINK_WORKERS, receives_referrals=True)


@pytest.fixture
def link_worker(unit_l: Unit) -> Persona:
    return _persona(unit_l, UnitRole.Role.RECEIVER, "link_worker")


@pytest.fixture
def unit_i(db: None) -> Unit:
    return UnitFactory(name_fi="IPS-tiimi", kind=Unit.Kind.OTHER, receives_referrals=True)


@pytest.fixture
def coach(unit_i: Unit) -> Persona:
    return _persona(unit_i, UnitRole.Role.RECEIVER, "coach")


def walk_in(persona: Persona, unit: Unit, programme: str = "exercise_counselling", **extra: Any) -> Pathway:
    values: dict[str, Any] = {
        "programme": programme,
        "unit_id": unit.pk,
        "origin": Pathway.Origin.OTHER,
        "client": ClientData(first_name="Ville", last_name="Virtanen", phone="+358401112223"),
    }
    return services.pathway_enrol(actor=persona.user, data=services.Enrolment(**(values | extra)))


def accepted_referral(pro: Persona, counsellor: Persona, unit_from: Unit, unit_to: Unit) -> Referral:
    referral = referral_create(
        actor=pro.user,
        referring_unit_id=unit_from.pk,
        receiving_unit_id=unit_to.pk,
        kind=Referral.Kind.EXERCISE,
        client=client_data(),
        reason="Liikkuu vähän.",
        consent=consent_data(),
    )
    for action in ("receive", "accept"):
        referral = referral_transition(actor=counsellor.user, referral_id=referral.pk, action=action)
    return referral


def days_ago(n: int) -> date:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() - timedelta(days=n)
