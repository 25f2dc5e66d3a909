"""Programme outcomes: pathways by programme, link workers, activity passes and groups, built through
the system's own services. (The IPS figures have their own test, test_ips.py.)"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from hyte.accounts.models import Unit, UnitRole
from hyte.attendance import services as attendance
from hyte.attendance.models import PassProgramme
from hyte.catalog.models import Organization, Service
from hyte.pathways import services as pathways
from hyte.reporting import outcomes
from hyte.reporting.filters import ReportFilter, scope_for
from hyte.reporting.tables import Report
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.attendance.conftest import issue, mark
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona, _login
from tests.pathways.conftest import walk_in

pytestmark = pytest.mark.django_db


def _coordinator(unit: Unit, name: str = "koordinaattori") -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR, user__username=name).user)


def _year(user: object) -> Report:
    today = timezone.localdate()
    return outcomes.build(scope_for(user), ReportFilter(since=today - timedelta(days=364), until=today))  # type: ignore[arg-type]


def test_link_workers_caseloads_and_durations() -> None:
    team = UnitFactory(name_fi="Linkkityö", kind=Unit.Kind.OTHER)
    workers = [
        _login(UnitRoleFactory(unit=team, role=UnitRole.Role.RECEIVER, user__username=f"linkki{n}").user)
        for n in range(6)
    ]
    today = timezone.localdate()
    start = today - timedelta(days=250)
    for n, worker in enumerate(workers):
        kept = walk_in(worker, team, programme="link_worker", enrolled_on=start)
        if n == 0:  # one extension past the six months
            pathways.pathway_extend(
                actor=worker.user,
                pathway_id=kept.pk,
                version=kept.version,
                until=start + timedelta(days=230),
                reason="Asunnon haku kesken.",
            )
        ended = walk_in(worker, team, programme="link_worker", enrolled_on=start)
        pathways.pathway_close(
            actor=worker.user,
            pathway_id=ended.pk,
            version=ended.version,
            reason="goals_met",
            closed_on=start + timedelta(days=100 + 10 * n),
        )
    table = _year(_coordinator(team).user).table("link_workers")
    assert [
        table.value("all", c).as_json() for c in ("workers", "clients", "started", "closed", "extended")
    ] == [
        6,
        12,
        12,
        6,
        "<5",
    ]
    assert table.value("all", "median_caseload").as_json() == 1.0
    assert table.value("all", "median_days").as_json() == 125.0  # 100, 110, … 150
    with translation.override("en"):
        assert table.value("all", "within_limit").display == "100 %"
    programmes = _year(_coordinator(team, "toinen").user).table("programmes")
    assert programmes.value("link_worker", "active").as_json() == 12
    assert programmes.value("link_worker", "success_rate").as_json() == 1.0


def test_activity_passes_visits_and_rewards(
    counsellor_c: Persona,
    unit_c: Unit,
    liiku: PassProgramme,
    desk: Persona,
    swimming_hall: Service,
    museum: Service,
) -> None:
    liiku.reward_every = 5
    liiku.save()
    today = timezone.localdate()
    cards = [issue(counsellor_c, unit_c, issued_on=today - timedelta(days=10)) for _n in range(6)]
    for day in range(5):
        mark(desk, cards[0], swimming_hall, on=today - timedelta(days=day))
    for day in range(3):
        mark(desk, cards[1], museum, on=today - timedelta(days=day))
    table = _year(_coordinator(unit_c).user).table("passes")
    figures = {
        c: table.value("liiku", c).as_json()
        for c in ("issued", "valid", "used", "visits", "earned", "handed_out")
    }
    assert figures == {"issued": 6, "valid": 6, "used": "<5", "visits": 8, "earned": "<5", "handed_out": 0}
    assert table.value("liiku", "visits_per_pass").as_json() == 1.3  # 8 / 6
    for card in cards[2:5]:  # three more passes used once: five used passes, each counted once
        mark(desk, card, museum, on=today)
    table = _year(_coordinator(unit_c, "toinen").user).table("passes")
    assert [table.value("liiku", c).as_json() for c in ("used", "visits")] == [5, 11]
    # The pass desk's organization is no coordinator's: nothing of this in a report elsewhere.
    elsewhere = _year(_coordinator(UnitFactory(), "muualla").user).table("passes")
    assert [row.key for row in elsewhere.rows] == ["total"]


def test_groups_meetings_visits_and_continuing(provider: Organization, desk: Persona) -> None:
    groups = [ServiceFactory(organization=provider, name_fi=f"Ryhmä {n}", index=False) for n in range(6)]
    today = timezone.localdate()
    for n, group in enumerate(groups):
        for week in (1, 2):
            attendance.meeting_record(
                actor=desk.user,
                service_id=group.pk,
                starts_at=timezone.make_aware(datetime.combine(today - timedelta(days=7 * week), time(17))),
                head_count=10,
                new_visitors=2 if week == 1 else 0,
            )
        attendance.group_year_set(actor=desk.user, service_id=group.pk, year=today.year, continues=n < 5)
    coordinator = _coordinator(UnitFactory(organization=provider, name_fi="Vapaa-aika"))
    table = _year(coordinator.user).table("groups")
    assert {row.key: row.values[0].as_json() for row in table.rows} == {
        "groups": 6,
        "meetings": 12,
        "visits": 120,
        "new": 12,
        "continuing": 5,
    }
    by_month = _year(coordinator.user).table("groups_by_month")
    assert by_month.value("total", "visits").as_json() == 120


def test_a_programme_filter_keeps_its_own_tables(unit_c: Unit) -> None:
    coordinator = _coordinator(unit_c)
    today = timezone.localdate()
    from hyte.pathways.models import Programme

    report = outcomes.build(
        scope_for(coordinator.user),
        ReportFilter(since=today, until=today, programme=Programme.objects.get(pk="ips")),
    )
    assert [t.key for t in report.tables] == ["programmes", "ips"]
