"""The seed report, rebuilt through the system's own services: the Keski-Pohjanmaa IPS cohort (118
referred, 73 agreements, 25 employed, 16 other progress) gives an employment rate of 34 % and a
progress rate of 56 %."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway
from hyte.referrals.models import Referral
from hyte.referrals.services import referral_create, referral_transition
from hyte.reporting.selectors import ips_outcomes
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db


def test_the_keski_pohjanmaa_ips_cohort(pro_a: Persona, unit_a: Unit) -> None:
    team = UnitFactory(name_fi="Soiten IPS", kind=Unit.Kind.OTHER, receives_referrals=True)
    coach = _login(UnitRoleFactory(unit=team, role=UnitRole.Role.RECEIVER, user__username="coach").user)
    coordinator = _login(
        UnitRoleFactory(unit=team, role=UnitRole.Role.COORDINATOR, user__username="coord").user
    )
    today = timezone.localdate()
    start = today - timedelta(days=90)
    referrals = [
        referral_create(
            actor=pro_a.user,
            referring_unit_id=unit_a.pk,
            receiving_unit_id=team.pk,
            kind=Referral.Kind.WELLBEING,
            client=client_data(personal_identity_code="", last_name=f"Asiakas {n}"),
            reason="Haluaa töihin.",
            consent=consent_data(),
        )
        for n in range(118)
    ]
    for n, referral in enumerate(referrals[:73]):
        for action in ("receive", "accept"):
            referral_transition(actor=coach.user, referral_id=referral.pk, action=action)
        pathway = pathways.pathway_enrol(
            actor=coach.user,
            data=pathways.Enrolment(
                programme="ips",
                unit_id=team.pk,
                origin=Pathway.Origin.REFERRAL,
                referral_id=referral.pk,
                enrolled_on=start,
                agreement_on=start,
            ),
        )
        if n < 25:
            pathways.outcome_add(
                actor=coach.user,
                pathway_id=pathway.pk,
                kind="competitive_employment",
                started_on=start + timedelta(days=30 + n),
                hours_per_week=Decimal("20"),
            )
        elif n < 41:
            pathways.outcome_add(actor=coach.user, pathway_id=pathway.pk, kind="study", started_on=today)
    report = ips_outcomes(actor=coordinator.user, since=start, until=today)
    assert (report.referred.value, report.agreements.value, report.employed.value) == (118, 73, 25)
    assert report.other_progress.value == 16
    assert round(100 * report.employment_rate) == 34  # type: ignore[operator]
    assert round(100 * report.progress_rate) == 56  # type: ignore[operator]
    assert report.median_days_to_first_job == 42  # jobs started on days 30 … 54
    # A coordinator elsewhere sees none of it; a worker is no coordinator.
    elsewhere = ips_outcomes(actor=pro_a.user, since=start, until=today)
    assert (elsewhere.agreements.value, elsewhere.employment_rate) == (0, None)


def test_small_cohorts_are_hidden(pro_a: Persona, unit_a: Unit) -> None:
    team = UnitFactory(name_fi="Pieni IPS", kind=Unit.Kind.OTHER, receives_referrals=True)
    coach = _login(UnitRoleFactory(unit=team, role=UnitRole.Role.RECEIVER, user__username="coach2").user)
    coordinator = _login(UnitRoleFactory(unit=team, role=UnitRole.Role.COORDINATOR, user__username="c2").user)
    today = timezone.localdate()
    for n in range(3):
        pathways.pathway_enrol(
            actor=coach.user,
            data=pathways.Enrolment(
                programme="ips",
                unit_id=team.pk,
                origin=Pathway.Origin.OTHER,
                client=client_data(personal_identity_code="", last_name=f"P {n}"),
                agreement_on=today,
            ),
        )
    report = ips_outcomes(actor=coordinator.user, since=today, until=today)
    assert report.agreements.hidden and report.agreements.value is None
    assert report.employment_rate is None and report.progress_rate is None
