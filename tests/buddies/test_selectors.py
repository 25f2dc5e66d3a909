"""Reads of the buddies context: scoping, what a buddy sees, matching and the figures for reports."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import pytest

from hyte.accounts.models import Unit
from hyte.buddies import selectors, services
from hyte.buddies.errors import PairingNotFound
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.core.models import PersonalDataLog
from hyte.pathways.models import Pathway
from tests.buddies.conftest import pair, register, today
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def test_workers_see_their_units_pairings_only(
    counsellor_c: Persona, counsellor_d: Persona, admin_c: Persona, pairing: Pairing
) -> None:
    assert list(selectors.pairings_visible_to(counsellor_c.user)) == [pairing]
    assert not selectors.pairings_visible_to(counsellor_d.user).exists()
    # The unit administrator manages buddies but does not see clients.
    assert not selectors.pairings_visible_to(admin_c.user).exists()
    with pytest.raises(PairingNotFound):
        selectors.pairing_detail(actor=counsellor_d.user, pairing_id=pairing.pk)
    with pytest.raises(PairingNotFound):
        selectors.pairing_detail(actor=counsellor_c.user, pairing_id="nonsense")


def test_pairing_detail_is_logged(counsellor_c: Persona, pairing: Pairing) -> None:
    before = PersonalDataLog.objects.count()
    assert selectors.pairing_detail(actor=counsellor_c.user, pairing_id=pairing.pk) == pairing
    entry = PersonalDataLog.objects.order_by("-seq").first()
    assert PersonalDataLog.objects.count() == before + 1
    assert entry is not None and (entry.action, entry.object_id, entry.purpose) == (
        "read",
        str(pairing.pk),
        "buddy",
    )


def test_buddies_visible_to_staff_of_the_unit(
    counsellor_c: Persona, counsellor_d: Persona, admin_c: Persona, pro_a: Persona, aino: Buddy, dora: Buddy
) -> None:
    assert list(selectors.buddies_visible_to(counsellor_c.user)) == [aino]
    assert list(selectors.buddies_visible_to(admin_c.user)) == [aino]
    assert list(selectors.buddies_visible_to(counsellor_d.user)) == [dora]
    assert not selectors.buddies_visible_to(pro_a.user).exists()
    assert selectors.buddy_for_staff(counsellor_d.user, aino.pk) is None


def test_buddy_sees_only_shared_details(aino_persona: Persona, pairing: Pairing) -> None:
    views = selectors.my_pairings(actor=aino_persona.user)
    assert len(views) == 1
    view = views[0]
    assert (view.first_name, view.phone, view.email) == ("Ville", "+358 40 765 4321", "")
    flat = repr(asdict(view))
    assert "Virtanen" not in flat and str(pairing.client_id) not in flat
    assert not hasattr(view, "client")
    assert PersonalDataLog.objects.filter(
        actor=aino_persona.user, action="read", object_id=str(pairing.pk), purpose="buddy"
    ).exists()


def test_buddy_sees_no_one_elses_pairings(
    counsellor_c: Persona, aino_persona: Persona, erik: Buddy, pathway_c: Pathway, pairing: Pairing
) -> None:
    other = pair(counsellor_c, erik, pathway_c)
    assert [v.id for v in selectors.my_pairings(actor=aino_persona.user)] == [pairing.pk]
    with pytest.raises(PairingNotFound):
        selectors.my_pairing(actor=aino_persona.user, pairing_id=other.pk)
    # A worker is not a buddy: "my pairings" is empty for her.
    assert selectors.my_pairings(actor=counsellor_c.user) == []


def test_deactivated_buddy_sees_nothing(aino_persona: Persona, aino: Buddy, pairing: Pairing) -> None:
    Buddy.objects.filter(pk=aino.pk).update(active=False)
    assert selectors.my_pairings(actor=aino_persona.user) == []
    assert selectors.buddy_of(aino_persona.user) is None


def test_matching_orders_by_fit(
    counsellor_c: Persona, unit_c: Unit, aino: Buddy, erik: Buddy, dora: Buddy
) -> None:
    # aino: fi+sv, Kokkola, exercise; erik: sv, Kannus, culture; dora: another unit.
    matches = selectors.buddy_matches(
        actor=counsellor_c.user, language="sv", municipality="217", themes=["kulttuuri"]
    )
    assert [(m.buddy.name, m.score) for m in matches] == [("Erik", 6), ("Aino", 3)]
    assert matches[0].reasons == ["language", "municipality", "interest"]
    matches = selectors.buddy_matches(
        actor=counsellor_c.user, language="fi", municipality="272", themes=["liikunta"]
    )
    assert [(m.buddy.name, m.score) for m in matches] == [("Aino", 6), ("Erik", 0)]


def test_matching_leaves_out_inactive_untrained_and_unavailable(
    counsellor_c: Persona, unit_c: Unit, aino: Buddy, erik: Buddy
) -> None:
    register(counsellor_c, unit_c, "kamu.new", "Uusi", training_completed_on=None)
    register(counsellor_c, unit_c, "kamu.later", "Myöhemmin", available_from=today() + timedelta(days=10))
    services.buddy_set_active(actor=counsellor_c.user, buddy_id=erik.pk, active=False)
    assert [m.buddy.name for m in selectors.buddy_matches(actor=counsellor_c.user)] == ["Aino"]
    later = selectors.buddy_matches(
        actor=counsellor_c.user, starts_on=today() + timedelta(days=10), ends_on=today() + timedelta(days=20)
    )
    assert sorted(m.buddy.name for m in later) == ["Aino", "Myöhemmin"]


def test_fewer_active_pairings_first_on_equal_fit(
    counsellor_c: Persona, aino: Buddy, erik: Buddy, pathway_c: Pathway
) -> None:
    pair(counsellor_c, aino, pathway_c)
    assert [m.buddy.name for m in selectors.buddy_matches(actor=counsellor_c.user)] == ["Erik", "Aino"]


def test_counts_for_reports(
    counsellor_c: Persona,
    aino_persona: Persona,
    erik: Buddy,
    pathway_c: Pathway,
    unit_c: Unit,
    unit_d: Unit,
    pairing: Pairing,
) -> None:
    second = pair(counsellor_c, erik, pathway_c)
    services.pairing_end(actor=counsellor_c.user, pairing_id=second.pk, reason="other")
    assert selectors.active_pairing_count(unit_ids={unit_c.pk}) == 1
    assert selectors.active_pairing_count(unit_ids={unit_d.pk}) == 0
    assert selectors.active_pairing_count(unit_ids={unit_c.pk}, on=today() + timedelta(days=61)) == 0
    for days in (1, 2, 3):
        services.meeting_record(
            actor=aino_persona.user,
            pairing_id=pairing.pk,
            data=services.MeetingData(on=today() - timedelta(days=days), activity="walk"),
        )
    BuddyMeeting.objects.filter(on=today() - timedelta(days=3)).update(on=pairing.starts_on)
    counts = selectors.meetings_by_month(
        unit_ids={unit_c.pk}, since=today() - timedelta(days=40), until=today()
    )
    expected: dict[date, int] = {}
    for m in BuddyMeeting.objects.all():
        month = m.on.replace(day=1)
        expected[month] = expected.get(month, 0) + 1
    assert counts == {unit_c.pk: expected}
    assert (
        selectors.meetings_by_month(unit_ids={unit_d.pk}, since=today() - timedelta(days=40), until=today())
        == {}
    )


def test_a_logged_out_or_deactivated_user_sees_nothing(aino: Buddy, pairing: Pairing) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert selectors.my_pairings(actor=AnonymousUser()) == []
    aino.user.is_active = False
    aino.user.save()
    assert selectors.my_pairings(actor=aino.user) == []
