"""Unit admins grant roles only in their own units, with an audit entry."""

from __future__ import annotations

import pytest

from hyte.accounts.models import Unit, UnitRole
from hyte.core.models import AuditEvent
from tests.accounts.factories import UnitFactory, UnitRoleFactory, UserFactory
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db
ROLES = "/admin/accounts/unitrole/"


@pytest.fixture
def units() -> tuple[Unit, Unit]:
    return UnitFactory(name_fi="Yksikkö A"), UnitFactory(name_fi="Yksikkö B")


@pytest.fixture
def unit_admin_a(units: tuple[Unit, Unit]) -> Persona:
    return _login(
        UnitRoleFactory(unit=units[0], role=UnitRole.Role.UNIT_ADMIN, user__username="admin_a").user
    )


def test_grants_a_role_in_her_unit(unit_admin_a: Persona, units: tuple[Unit, Unit]) -> None:
    newcomer = UserFactory(username="uusi_hoitaja")
    data = {"user": newcomer.pk, "unit": str(units[0].pk), "role": UnitRole.Role.PROFESSIONAL}
    assert unit_admin_a.client.post(f"{ROLES}add/", data).status_code == 302
    assert UnitRole.objects.filter(user=newcomer, unit=units[0]).exists()
    assert AuditEvent.objects.filter(action="unit_role.grant", actor=unit_admin_a.user).count() == 1


def test_cannot_touch_another_unit(unit_admin_a: Persona, units: tuple[Unit, Unit]) -> None:
    other = UnitRoleFactory(unit=units[1], role=UnitRole.Role.RECEIVER)
    newcomer = UserFactory(username="tunkeilija")
    data = {"user": newcomer.pk, "unit": str(units[1].pk), "role": UnitRole.Role.DATA_PROTECTION_OFFICER}
    assert unit_admin_a.client.post(f"{ROLES}add/", data).status_code == 200  # not a choice for her
    assert not UnitRole.objects.filter(user=newcomer).exists()
    assert unit_admin_a.client.get(f"{ROLES}{other.pk}/change/").status_code in (302, 404)
    assert str(other.user) not in unit_admin_a.client.get(ROLES).content.decode()
    assert unit_admin_a.client.post(f"{ROLES}{other.pk}/delete/", {"post": "yes"}).status_code in (302, 404)
    assert UnitRole.objects.filter(pk=other.pk).exists()


def test_professionals_do_not_manage_roles(units: tuple[Unit, Unit]) -> None:
    pro = _login(UnitRoleFactory(unit=units[0], role=UnitRole.Role.PROFESSIONAL).user)
    assert pro.client.get(ROLES).status_code == 403
