"""Writes of the accounts context: who holds which role in which unit, always with an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hyte.accounts.models import StaffProfile, Unit, UnitCapacity, UnitRole
from hyte.accounts.selectors import User, is_platform_admin
from hyte.core.audit import audit_record
from hyte.core.errors import InvalidParameter, PermissionDenied


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


@dataclass(frozen=True)
class ApiClientCredentials:
    client_id: str
    client_secret: str  # shown once; the database keeps only a hash


@transaction.atomic
def api_client_create(*, name: str, unit_ids: list[Any]) -> ApiClientCredentials:
    """An API client (an electronic health record) that sends referrals for the given units: a system
    user without a password holding the professional role in each unit, and an OAuth 2.0 application
    with the client credentials grant. Run by a platform administrator (``manage.py create_api_client``);
    recorded in the audit trail."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_application_model

    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidParameter(
            _("Give the client a name of at most 100 characters."), details={"field": "name"}
        )
    units = list(Unit.objects.filter(pk__in=unit_ids))
    if not unit_ids or len(units) != len(set(unit_ids)):
        raise InvalidParameter(_("Unknown unit."), details={"field": "unit"})
    username = f"api-{slugify(name)}"[:150]
    users = get_user_model()
    if users.objects.filter(username=username).exists():
        raise InvalidParameter(_("An API client with this name exists already."), details={"field": "name"})
    user = users.objects.create_user(username=username, password=None, first_name=name[:150])
    for unit in units:
        role = UnitRole.objects.create(user=user, unit=unit, role=UnitRole.Role.PROFESSIONAL)
        audit_record(
            actor=None,
            action="unit_role.grant",
            obj=role,
            details={"unit": str(unit.pk), "user": user.pk, "role": role.role, "api_client": name},
        )
    application_model = get_application_model()
    secret = generate_client_secret()
    application = application_model.objects.create(
        name=name,
        user=user,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,  # hashed when saved
        hash_client_secret=True,
    )
    audit_record(actor=None, action="api_client.create", obj=application, details={"user": user.pk})
    return ApiClientCredentials(client_id=application.client_id, client_secret=secret)


@transaction.atomic
def unit_capacity_set(
    *,
    actor: User,
    unit_id: object,
    takes_new_clients: Any,
    waiting_weeks: Any = None,
    free_places: Any = None,
    note: dict[str, Any] | None = None,
) -> UnitCapacity:
    """A unit administrator or a receiver of the unit states whether it takes new clients, its waiting
    time and free places (audited). The same rules as a service's (``catalog.capacity``); a unit where
    the actor has no such role is not found."""
    from hyte.accounts.errors import UnitNotFound
    from hyte.accounts.selectors import units_capacity_editable_by
    from hyte.catalog.capacity import apply_capacity, clean_capacity
    from hyte.catalog.selectors import parse_uuid

    unit = units_capacity_editable_by(actor).select_for_update().filter(pk=parse_uuid(unit_id)).first()
    if unit is None:
        raise UnitNotFound()
    values = clean_capacity(
        takes_new_clients=takes_new_clients, waiting_weeks=waiting_weeks, free_places=free_places, note=note
    )
    record = UnitCapacity.objects.filter(unit=unit).first()
    created = record is None
    record = record or UnitCapacity(unit=unit)
    changed = apply_capacity(record, values, actor=actor)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="unit_capacity.create" if created else "unit_capacity.update",
        obj=record,
        details={
            "unit": str(unit.pk),
            "fields": sorted(changed),
            "takes_new_clients": values.takes_new_clients,
            "waiting_weeks": values.waiting_weeks,
            "free_places": values.free_places,
        },
    )
    return record


def staff_language_remember(*, user: User, language: str) -> None:
    """Remember the language of the user's notices (called at login); an unknown language is ignored."""
    code = language.split("-")[0].lower()
    if not user.pk or code not in dict(settings.LANGUAGES):
        return
    StaffProfile.objects.update_or_create(user_id=user.pk, defaults={"language": code})
