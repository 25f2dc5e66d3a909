"""Reads about users: which organizations the acting user may act for."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from hyte.accounts.models import Membership, StaffProfile, Unit

User = AbstractBaseUser | AnonymousUser


def is_platform_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def organization_ids_for_user(user: User) -> set[uuid.UUID]:
    """Ids of the organizations whose content the user edits (empty for anonymous and outsiders).

    The front desk only marks visits and records groups (``attendance``): it does not edit the tray."""
    if not user.is_authenticated or not user.is_active:
        return set()
    memberships = Membership.objects.filter(user_id=user.pk).exclude(role=Membership.Role.FRONT_DESK)
    return set(memberships.values_list("organization_id", flat=True))


def memberships_for_user(user: User) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk).select_related("organization")


def is_data_protection_officer(user: User) -> bool:
    """Holds the data protection officer role in some unit (reads the personal data log)."""
    from hyte.accounts.models import UnitRole

    return bool(
        user.is_authenticated
        and user.is_active
        and UnitRole.objects.filter(user__pk=user.pk, role=UnitRole.Role.DATA_PROTECTION_OFFICER).exists()  # type: ignore[misc]
    )


def units_capacity_editable_by(user: User) -> QuerySet[Unit]:
    """Receiving units whose capacity the user updates: where she is a unit administrator or a receiver."""
    from hyte.accounts.models import Unit, UnitRole

    if is_platform_admin(user):
        return Unit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    roles = UnitRole.objects.filter(
        user_id=user.pk, role__in=[UnitRole.Role.UNIT_ADMIN, UnitRole.Role.RECEIVER]
    ).values("unit_id")
    return Unit.objects.filter(pk__in=roles)


def unit_capacity_for_editor(*, actor: User, unit_id: object) -> Unit:
    """The unit (with its capacity, if any) for the capacity page; a unit of someone else is 404."""
    from hyte.accounts.errors import UnitNotFound
    from hyte.catalog.selectors import parse_uuid

    unit = (
        units_capacity_editable_by(actor)
        .select_related("organization", "capacity", "capacity__updated_by")
        .filter(pk=parse_uuid(unit_id))
        .first()
    )
    if unit is None:
        raise UnitNotFound()
    return unit


def notice_languages(user_ids: list[Any]) -> dict[Any, str]:
    """The language of each user's notices: the one she last logged in with, else the site's."""
    known = dict(StaffProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "language"))
    return {pk: known.get(pk, settings.LANGUAGE_CODE) for pk in user_ids}
