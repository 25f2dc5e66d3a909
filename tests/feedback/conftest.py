"""Fixtures of the feedback tests.

``home`` is a link-worker style team (unit, its worker ``home.coach`` and its ``home.coordinator``) in
one organization, ``away`` another team in another organization. ``desk`` is the front desk of
``home``'s organization, which runs the group ``walking_group``; ``pro_a`` refers from county unit A.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.attendance import services as attendance
from hyte.attendance.models import Meeting
from hyte.catalog.models import Organization, Service
from hyte.feedback import services
from hyte.feedback.models import FeedbackLink
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway
from hyte.referrals.models import Referral
from hyte.referrals.services import ClientData, referral_create, referral_transition
from tests.accounts.factories import MembershipFactory, UnitFactory, UnitRoleFactory
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    client_data,
    consent_data,
    pro_a,
    unit_a,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@dataclass
class Team:
    unit: Unit
    coach: Persona
    coordinator: Persona

    @property
    def organization(self) -> Organization:
        return self.unit.organization


def make_team(name: str) -> Team:
    unit = UnitFactory(name_fi=name, kind=Unit.Kind.OTHER, receives_referrals=True)
    coach = _login(
        UnitRoleFactory(unit=unit, role=UnitRole.Role.RECEIVER, user__username=f"coach-{name}").user
    )
    coordinator = _login(
        UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR, user__username=f"coord-{name}").user
    )
    return Team(unit, coach, coordinator)


@pytest.fixture
def home(db: None) -> Team:
    return make_team("Koti")


@pytest.fixture
def away(db: None) -> Team:
    return make_team("Vieras")


def enrol(t: Team, programme: str = "exercise_counselling", language: str = "fi", tag: str = "") -> Pathway:
    return pathways.pathway_enrol(
        actor=t.coach.user,
        data=pathways.Enrolment(
            programme=programme,
            unit_id=t.unit.pk,
            origin=Pathway.Origin.OTHER,
            client=ClientData(first_name="Ville", last_name=f"Virtanen{tag}", preferred_language=language),
            enrolled_on=timezone.localdate() - timedelta(days=30),
        ),
    )


def closed_pathway(t: Team, programme: str = "exercise_counselling", **extra: Any) -> Pathway:
    pathway = enrol(t, programme, **extra)
    return pathways.pathway_close(
        actor=t.coach.user, pathway_id=pathway.pk, version=None, reason=Pathway.ClosureReason.GOALS_MET
    )


def pathway_link(t: Team, programme: str = "exercise_counselling", **extra: Any) -> FeedbackLink:
    return services.link_for_pathway(actor=t.coach.user, pathway_id=closed_pathway(t, programme, **extra).pk)


def answer(
    token: str, rating: int = 4, recommend: str = "yes", text: str = "", nonce: str = "", language: str = "fi"
) -> Any:
    return services.answer_submit(
        token=token,
        answer=services.Answer(rating=rating, recommend=recommend, text=text, language=language),
        nonce=nonce,
    )


@pytest.fixture
def desk(home: Team) -> Persona:
    return _login(
        MembershipFactory(
            organization=home.organization, role=Membership.Role.FRONT_DESK, user__username="desk"
        ).user
    )


@pytest.fixture
def walking_group(home: Team) -> Service:
    return ServiceFactory(
        organization=home.organization,
        name_fi="Kävelyryhmä",
        name_sv="Promenadgrupp",
        name_en="Walking group",
        index=False,
    )


def meeting(desk: Persona, group: Service, head_count: int = 12, days: int = 1) -> Meeting:
    return attendance.meeting_record(
        actor=desk.user,
        service_id=group.pk,
        starts_at=timezone.now() - timedelta(days=days),
        head_count=head_count,
    )


@pytest.fixture
def group_meeting(desk: Persona, walking_group: Service) -> Meeting:
    return meeting(desk, walking_group)


def completed_referral(pro: Persona, t: Team, service: Service | None = None, **client: str) -> Referral:
    referral = referral_create(
        actor=pro.user,
        referring_unit_id=pro.user.unit_roles.first().unit_id,  # type: ignore[attr-defined]
        receiving_unit_id=t.unit.pk,
        kind=Referral.Kind.EXERCISE,
        client=client_data(**client),
        reason="Liikkuu vähän.",
        consent=consent_data(),
        service_id=service.pk if service else None,
    )
    for action in ("receive", "accept", "first_contact"):
        referral = referral_transition(actor=t.coach.user, referral_id=referral.pk, action=action)
    return referral_transition(
        actor=t.coach.user, referral_id=referral.pk, action="complete", outcome_summary="Liikkuu nyt."
    )
