"""The seed report, rebuilt through the system's own services: the Keski-Pohjanmaa IPS cohort (118
referred, 73 agreements, 25 employed, 16 other progress) gives an employment rate of 34 % and a
progress rate of 56 %."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from hyte.accounts.models import Unit, UnitRole
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Referral
from hyte.referrals.services import referral_create, referral_transition
from hyte.reporting.filters import ReportFilter, scope_for
from hyte.reporting.outcomes import build
from hyte.reporting.tables import Report
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
    ips = _report(coordinator.user, start, today).table("ips")
    figures = [ips.value("all", c).display for c in ("referred", "agreements", "employed", "other_progress")]
    assert figures == ["118", "73", "25", "16"]
    with translation.override("en"):
        assert ips.value("all", "employment_rate").display == "34 %"
        assert ips.value("all", "progress_rate").display == "56 %"
    assert ips.value("all", "median_days_to_job").as_json() == 42  # jobs started on days 30 … 54
    # The professional who referred is no coordinator; a coordinator elsewhere sees none of it.
    with pytest.raises(NotInUnit):
        scope_for(pro_a.user)
    other = _login(UnitRoleFactory(unit=UnitFactory(), role=UnitRole.Role.COORDINATOR).user)
    elsewhere = _report(other.user, start, today).table("ips")
    assert elsewhere.value("all", "agreements").as_json() == 0
    assert elsewhere.value("all", "employment_rate").as_json() is None


def _report(user: object, since: date, until: date) -> Report:
    return build(scope_for(user), ReportFilter(since=since, until=until))  # type: ignore[arg-type]


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
    ips = _report(coordinator.user, today, today).table("ips")
    assert ips.value("all", "agreements").hidden and ips.value("all", "agreements").as_json() == "<5"
    assert ips.value("all", "employment_rate").as_json() is None
    assert ips.value("all", "progress_rate").display == "–"
