"""Writes of the accounts context: who holds which role in which unit, always with an audit entry."""

from __future__ import annotations

from django.db import transaction

from hyte.accounts.models import UnitRole
from hyte.accounts.selectors import User, is_platform_admin
from hyte.core.audit import audit_record
from hyte.core.errors import PermissionDenied


def unit_ids_administered_by(user: User) -> set[object]:
    if not user.is_authenticated:
        return set()
    return set(
        UnitRole.objects.filter(user__pk=user.pk, role=UnitRole.Role.UNIT_ADMIN).values_list(
            "unit_id", flat=True
        )  # type: ignore[misc]
    )


def _check(actor: User, role: UnitRole) -> None:
    if not (is_platform_admin(actor) or role.unit_id in unit_ids_administered_by(actor)):
        raise PermissionDenied()


@transaction.atomic
def unit_role_save(*, actor: User, role: UnitRole, created: bool) -> UnitRole:
    """Grant (or change) a role in a unit; a unit admin does this only in the units she administers."""
    _check(actor, role)
    role.full_clean()
    role.save()
    audit_record(
        actor=actor,
        action="unit_role.grant" if created else "unit_role.update",
        obj=role,
        details={"unit": str(role.unit_id), "user": role.user_id, "role": role.role},
    )
    return role


@transaction.atomic
def unit_role_delete(*, actor: User, role: UnitRole) -> None:
    _check(actor, role)
    audit_record(
        actor=actor,
        action="unit_role.revoke",
        obj=role,
        details={"unit": str(role.unit_id), "user": role.user_id, "role": role.role},
    )
    role.delete()
