"""Capacity of a receiving unit: unit administrators and receivers of the unit update it, nobody else;
bad input is a coded error; the admin shows it read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from hyte.accounts import services
from hyte.accounts.errors import UnitNotFound
from hyte.accounts.models import Unit, UnitCapacity, UnitRole
from hyte.catalog.errors import CapacityInconsistent, CapacityNotANumber, CapacityOutOfRange
from hyte.core.models import AuditEvent
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(db: None) -> Unit:
    return UnitFactory(
        name_fi="Kokkolan liikuntaneuvonta", name_en="Exercise counselling", receives_referrals=True
    )


@pytest.fixture
def other_unit(db: None) -> Unit:
    return UnitFactory(name_fi="Kannuksen liikuntaneuvonta", receives_referrals=True)


def _person(unit: Unit, role: str) -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=role).user)


def _url(unit: Unit) -> str:
    with translation.override("en"):
        return reverse("web:unit-capacity", args=[unit.pk])


@pytest.mark.parametrize("role", [UnitRole.Role.UNIT_ADMIN, UnitRole.Role.RECEIVER])
def test_admin_or_receiver_updates_and_it_is_audited(unit: Unit, role: str) -> None:
    person = _person(unit, role)
    record = services.unit_capacity_set(
        actor=person.user, unit_id=unit.pk, takes_new_clients="no", waiting_weeks="8", free_places="0"
    )
    assert (record.takes_new_clients, record.waiting_weeks, record.free_places) == ("no", 8, 0)
    assert record.is_full and record.updated_by == person.user
    event = AuditEvent.objects.get(object_type="accounts.unitcapacity")
    assert event.action == "unit_capacity.create" and event.details["unit"] == str(unit.pk)


@pytest.mark.parametrize(
    "role", [UnitRole.Role.PROFESSIONAL, UnitRole.Role.COORDINATOR, UnitRole.Role.DATA_PROTECTION_OFFICER]
)
def test_other_roles_of_the_unit_cannot(unit: Unit, role: str) -> None:
    person = _person(unit, role)
    with pytest.raises(UnitNotFound):
        services.unit_capacity_set(actor=person.user, unit_id=unit.pk, takes_new_clients="yes")
    assert person.client.get(_url(unit)).status_code == 404


def test_another_units_admin_gets_404(unit: Unit, other_unit: Unit) -> None:
    admin = _person(other_unit, UnitRole.Role.UNIT_ADMIN)
    with pytest.raises(UnitNotFound):
        services.unit_capacity_set(actor=admin.user, unit_id=unit.pk, takes_new_clients="no")
    assert admin.client.get(_url(unit)).status_code == 404
    assert admin.client.post(_url(unit), {"takes_new_clients": "no"}).status_code == 404
    assert not UnitCapacity.objects.exists()


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"waiting_weeks": 105}, CapacityOutOfRange),
        ({"waiting_weeks": -1}, CapacityOutOfRange),
        ({"free_places": "12.5"}, CapacityNotANumber),
        ({"free_places": 10**9}, CapacityOutOfRange),
        ({"takes_new_clients": "no", "free_places": 1}, CapacityInconsistent),
    ],
)
def test_bad_values(unit: Unit, values: dict[str, Any], error: type[Exception]) -> None:
    admin = _person(unit, UnitRole.Role.UNIT_ADMIN)
    with pytest.raises(error):
        services.unit_capacity_set(
            actor=admin.user, unit_id=unit.pk, **({"takes_new_clients": "yes"} | values)
        )
    assert not UnitCapacity.objects.exists()


def test_unit_page_round_trip_and_bad_input(unit: Unit) -> None:
    admin = _person(unit, UnitRole.Role.UNIT_ADMIN)
    assert admin.client.get(_url(unit)).status_code == 200
    bad = admin.client.post(_url(unit), {"takes_new_clients": "no", "free_places": "3"})
    assert bad.status_code == 400 and "cannot have free places" in bad.content.decode()
    ok = admin.client.post(
        _url(unit), {"takes_new_clients": "yes", "waiting_weeks": "2", "free_places": "4", "note_sv": "Ring"}
    )
    assert ok.status_code == 302
    record = UnitCapacity.objects.get(unit=unit)
    assert (record.waiting_weeks, record.free_places, record.note_sv) == (2, 4, "Ring")
    with translation.override("en"):
        overview = admin.client.get(reverse("web:capacity")).content.decode()
    assert "Exercise counselling" in overview and "4 free places" in overview


def test_receivers_inbox_links_to_the_capacity_page(unit: Unit) -> None:
    receiver = _person(unit, UnitRole.Role.RECEIVER)
    with translation.override("en"):
        inbox = receiver.client.get(reverse("web:referrals")).content.decode()
        assert reverse("web:capacity") in inbox


def test_admin_shows_capacity_read_only_with_a_link(platform_admin: Persona, unit: Unit) -> None:
    services.unit_capacity_set(
        actor=platform_admin.user, unit_id=unit.pk, takes_new_clients="yes", waiting_weeks=5
    )
    page = platform_admin.client.get(reverse("admin:accounts_unit_change", args=[unit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("web:unit-capacity", args=[unit.pk]) in html and "waiting_weeks" not in html
