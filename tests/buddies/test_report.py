"""Buddy figures for reports: the raw monthly counts, and the protected table in the outcomes report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hyte.accounts.models import Unit, UnitRole
from hyte.buddies import selectors, services
from hyte.buddies.models import Buddy, Pairing
from hyte.pathways.models import Pathway
from hyte.reporting import outcomes
from hyte.reporting.filters import ReportFilter, scope_for
from tests.accounts.factories import UnitFactory
from tests.buddies.conftest import pair, today
from tests.conftest import Persona
from tests.pathways.conftest import _persona, walk_in

pytestmark = pytest.mark.django_db


def meet(persona: Persona, pairing: Pairing) -> None:
    services.meeting_record(
        actor=persona.user, pairing_id=pairing.pk, data=services.MeetingData(on=today(), activity="walk")
    )


def test_monthly_figures(
    counsellor_c: Persona, aino_persona: Persona, aino: Buddy, erik: Buddy, unit_c: Unit, pathway_c: Pathway
) -> None:
    first = pair(counsellor_c, aino, pathway_c, starts_on=today())
    ended = pair(counsellor_c, erik, pathway_c, starts_on=today())
    services.pairing_end(actor=counsellor_c.user, pairing_id=ended.pk, reason="other")
    cancelled = pair(counsellor_c, erik, pathway_c, starts_on=today())
    services.pairing_end(actor=counsellor_c.user, pairing_id=cancelled.pk, reason="mistake", cancel=True)
    meet(aino_persona, first)
    meet(aino_persona, first)
    figures = selectors.monthly_figures(unit_ids=[unit_c.pk], since=today(), until=today())
    assert figures == {today().replace(day=1): {"pairings": 2, "meetings": 2}}
    assert (
        selectors.monthly_figures(unit_ids=[unit_c.pk], since=today(), until=today(), municipality="091")
        == {}
    )
    later = today() + timedelta(days=100)
    assert later.replace(day=1) not in selectors.monthly_figures(
        unit_ids=[unit_c.pk], since=today(), until=later
    )


def test_outcomes_report_protects_small_counts(
    counsellor_c: Persona, aino_persona: Persona, aino: Buddy, unit_c: Unit, pathway_c: Pathway
) -> None:
    coordinator = _persona(unit_c, UnitRole.Role.COORDINATOR, "coord_c")
    pairings = [pair(counsellor_c, aino, pathway_c, starts_on=today())]
    pairings += [pair(counsellor_c, aino, walk_in(counsellor_c, unit_c), starts_on=today()) for _ in range(5)]
    meet(aino_persona, pairings[0])
    f = ReportFilter(since=today() - timedelta(days=364), until=today())
    table = outcomes.build(scope_for(coordinator.user), f).table("buddies_by_month")
    month = next(r for r in table.rows if not r.total)
    pairings_cell, meetings_cell = month.values
    assert pairings_cell.value == 6  # type: ignore[union-attr]
    assert meetings_cell.value is None and meetings_cell.display == "<5"  # type: ignore[union-attr]
    # Another organization's coordinator sees no buddy figures of this unit.
    outsider = _persona(UnitFactory(name_fi="Muu"), UnitRole.Role.COORDINATOR, "coord_x")
    rows = outcomes.build(scope_for(outsider.user), f).table("buddies_by_month").rows
    assert [r.key for r in rows] == ["total"]
