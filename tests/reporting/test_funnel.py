"""The referral funnel, built from referrals that went through the system's own services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone, translation

from hyte.accounts.models import Unit, UnitRole
from hyte.core.errors import InvalidParameter
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Referral
from hyte.referrals.services import referral_create, referral_transition
from hyte.reporting import funnel
from hyte.reporting.filters import BY_KIND, BY_UNIT, ReportFilter, parse_filter, scope_for
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db


def _send(pro: Persona, unit_a: Unit, unit_c: Unit, n: int, kind: str) -> Referral:
    return referral_create(
        actor=pro.user,
        referring_unit_id=unit_a.pk,
        receiving_unit_id=unit_c.pk,
        kind=kind,
        client=client_data(personal_identity_code="", last_name=f"Asiakas {n}"),
        reason="Liikkuminen vähäistä.",
        consent=consent_data(),
    )


@pytest.fixture
def cohort(pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit) -> list[Referral]:
    """30 sent (4 wellbeing, 26 exercise): 10 declined (6 not in the target group, 4 no capacity), 20
    accepted, 15 reached a first contact (after 1 … 15 days), 10 completed, 5 discontinued (no show)."""
    referrals = []
    for n in range(30):
        kind = Referral.Kind.WELLBEING if n < 4 else Referral.Kind.EXERCISE
        referral = _send(pro_a, unit_a, unit_c, n, kind)
        act = counsellor_c.user
        referral_transition(actor=act, referral_id=referral.pk, action="receive")
        if n >= 20:
            code = "not_target_group" if n < 26 else "no_capacity"
            referral_transition(
                actor=act,
                referral_id=referral.pk,
                action="decline",
                decline_reason="Ei sovi.",
                decline_code=code,
            )
        else:
            referral_transition(actor=act, referral_id=referral.pk, action="accept")
            if n < 15:
                referral_transition(actor=act, referral_id=referral.pk, action="first_contact")
                Referral.objects.filter(pk=referral.pk).update(
                    first_contact_at=F("sent_at") + timedelta(days=n + 1)
                )
                if n < 10:
                    referral_transition(
                        actor=act, referral_id=referral.pk, action="complete", outcome_summary="Liikkuu."
                    )
                else:
                    referral_transition(
                        actor=act, referral_id=referral.pk, action="discontinue", end_reason="no_show"
                    )
        referrals.append(referral)
    return referrals


def _coordinator(unit: Unit, name: str) -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR, user__username=name).user)


def test_the_funnel_of_the_receiving_organization(cohort: list[Referral], unit_c: Unit) -> None:
    scope = scope_for(_coordinator(unit_c, "koordinaattori").user)
    today = timezone.localdate()
    report = funnel.build(scope, ReportFilter(since=today - timedelta(days=1), until=today))
    stages = report.table("stages")
    assert [
        stages.value(s, "count").as_json() for s in ("sent", "accepted", "first_contact", "completed")
    ] == [
        30,
        20,
        15,
        10,
    ]
    with translation.override("en"):
        assert [stages.value(s, "of_sent").display for s in ("accepted", "first_contact", "completed")] == [
            "67 %",
            "50 %",
            "33 %",
        ]
        assert [
            stages.value(s, "conversion").display for s in ("sent", "accepted", "first_contact", "completed")
        ] == [
            "–",
            "67 %",
            "75 %",
            "67 %",
        ]
        assert stages.value("first_contact", "median_days").display == "8.0"  # median of 1 … 15 days
    declined = report.table("declined")
    # 4 "no capacity" is hidden, and so is the 6 that the total 10 would give away.
    assert declined.value("no_capacity", "count").as_json() == "<5"
    assert declined.value("not_target_group", "count").as_json() == "x"
    assert declined.value("total", "count").as_json() == 10
    assert report.table("discontinued").value("no_show", "count").as_json() == 5


def test_breakdowns_hide_small_rows_and_what_the_total_gives_away(
    cohort: list[Referral], unit_c: Unit
) -> None:
    scope = scope_for(_coordinator(unit_c, "koordinaattori").user)
    today = timezone.localdate()
    by_kind = funnel.build(scope, ReportFilter(since=today, until=today, breakdown="kind")).table("breakdown")
    assert by_kind.value("wellbeing", "sent").as_json() == "<5"
    assert by_kind.value("exercise", "sent").as_json() == "x"
    assert by_kind.value("total", "sent").as_json() == 30
    by_unit = funnel.build(scope, ReportFilter(since=today, until=today, breakdown="unit")).table("breakdown")
    assert by_unit.value(str(unit_c.pk), "sent").as_json() == 30
    assert by_unit.value(str(unit_c.pk), "median_days").as_json() == 8.0


def test_other_organizations_and_non_coordinators_see_nothing(
    cohort: list[Referral], pro_a: Persona, counsellor_c: Persona
) -> None:
    with pytest.raises(NotInUnit):
        scope_for(counsellor_c.user)  # receives the referrals, but is no coordinator
    elsewhere = scope_for(_coordinator(UnitFactory(), "muualla").user)
    today = timezone.localdate()
    report = funnel.build(elsewhere, ReportFilter(since=today, until=today))
    assert report.table("stages").value("sent", "count").as_json() == 0


def test_the_filter_is_checked_against_the_scope(cohort: list[Referral], unit_a: Unit, unit_c: Unit) -> None:
    scope = scope_for(_coordinator(unit_c, "koordinaattori").user)
    # A unit of another organization is answered like a unit that does not exist.
    for params in (
        f"unit={unit_a.pk}",
        "unit=../../etc",
        "breakdown=client",
        "since=2026-13-01",
        "since=2026-05-01&until=2026-04-01",
        "programme=nope",
        "municipality=9999",
    ):
        with pytest.raises(InvalidParameter):
            parse_filter(QueryDict(params), scope, breakdowns=(BY_UNIT, BY_KIND))
    with pytest.raises(InvalidParameter):
        parse_filter(QueryDict("since=2000-01-01&until=2026-01-01"), scope)  # over ten years
    f = parse_filter(QueryDict(f"unit={unit_c.pk}&breakdown=kind"), scope, breakdowns=(BY_UNIT, BY_KIND))
    assert f.unit == unit_c and f.since.month == 1 and f.since.day == 1
    today = timezone.localdate()
    narrowed = funnel.build(scope, ReportFilter(since=today, until=today, unit=unit_c, programme=None))
    assert narrowed.table("stages").value("sent", "count").as_json() == 30
