"""Fixtures of the buddy tests.

``counsellor_c`` works in exercise counselling C (which coordinates the buddies ``aino`` and ``erik``),
``counsellor_d`` in D (buddy ``dora``); ``admin_c`` is C's unit administrator. ``aino_persona`` is the
buddy Aino logged in. ``pathway_c`` is a walk-in client (Ville Virtanen) of counsellor C.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.buddies import services
from hyte.buddies.models import Buddy, Pairing
from hyte.pathways.models import Pathway
from hyte.referrals.models import Consent
from tests.conftest import Persona, _login
from tests.pathways.conftest import (  # noqa: F401  (fixtures)
    _persona,
    accepted_referral,
    coordinator,
    counsellor_c,
    counsellor_d,
    pro_a,
    unit_a,
    unit_c,
    unit_d,
    walk_in,
)


def today() -> date:
    return timezone.localdate()


def register(actor: Persona, unit: Unit, username: str, name: str, **extra: Any) -> Buddy:
    values: dict[str, Any] = {
        "name": name,
        "kind": Buddy.Kind.STUDENT,
        "unit_id": unit.pk,
        "languages": ["fi"],
        "municipality": "272",
        "interests": ["liikunta"],
        "training_completed_on": today() - timedelta(days=30),
    }
    buddy, _ = services.buddy_register(
        actor=actor.user, data=services.BuddyData(**(values | extra)), username=username
    )
    return buddy


@pytest.fixture
def admin_c(unit_c: Unit) -> Persona:  # noqa: F811
    return _persona(unit_c, UnitRole.Role.UNIT_ADMIN, "admin_c")


@pytest.fixture
def aino(counsellor_c: Persona, unit_c: Unit) -> Buddy:  # noqa: F811
    return register(counsellor_c, unit_c, "kamu.aino", "Aino", languages=["fi", "sv"])


@pytest.fixture
def erik(counsellor_c: Persona, unit_c: Unit) -> Buddy:  # noqa: F811
    return register(
        counsellor_c,
        unit_c,
        "kamu.erik",
        "Erik",
        kind=Buddy.Kind.EXPERIENCE_EXPERT,
        languages=["sv"],
        municipality="217",
        interests=["kulttuuri"],
    )


@pytest.fixture
def dora(counsellor_d: Persona, unit_d: Unit) -> Buddy:  # noqa: F811
    return register(counsellor_d, unit_d, "kamu.dora", "Dora")


@pytest.fixture
def aino_persona(aino: Buddy) -> Persona:
    return _login(aino.user)


@pytest.fixture
def pathway_c(counsellor_c: Persona, unit_c: Unit) -> Pathway:  # noqa: F811
    return walk_in(counsellor_c, unit_c)


def pair(actor: Persona, buddy: Buddy, pathway: Pathway | None = None, **extra: Any) -> Pairing:
    values: dict[str, Any] = {
        "buddy_id": buddy.pk,
        "pathway_id": pathway.pk if pathway else None,
        "starts_on": today() - timedelta(days=10),
        "ends_on": today() + timedelta(days=60),
        "shared_phone": "+358 40 765 4321",
        "consent_given_by": Consent.GivenBy.CLIENT,
        "consent_method": Consent.Method.VERBAL,
    }
    return services.pairing_create(actor=actor.user, data=services.PairingData(**(values | extra)))


@pytest.fixture
def pairing(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> Pairing:  # noqa: F811
    return pair(counsellor_c, aino, pathway_c)
