"""Writes to the service tray: keyword-only, atomic, validated, audited."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from hyte.accounts.selectors import User
from hyte.catalog.errors import ServiceNotFound
from hyte.catalog.models import Service
from hyte.catalog.selectors import parse_uuid, services_editable_by
from hyte.core.audit import audit_record


@transaction.atomic
def service_mark_verified(*, actor: User, service_id: object) -> Service:
    """The editor confirms the listing is still correct: resets the 12-month staleness clock."""
    pk = parse_uuid(service_id)
    service = services_editable_by(actor).select_for_update().filter(pk=pk).first()
    if service is None:
        raise ServiceNotFound()
    service.last_verified_at = timezone.now()
    service.full_clean()
    service.save(update_fields=["last_verified_at", "updated_at"])
    audit_record(actor=actor, action="service.verify", obj=service)
    return service


@transaction.atomic
def catalog_object_save(*, actor: User, obj: models.Model, created: bool, changed_fields: list[str]) -> None:
    """Save an object edited in the staff admin (scoped and validated by its form), with an audit entry."""
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        details={"fields": sorted(changed_fields)},
    )


@transaction.atomic
def catalog_object_delete(*, actor: User, obj: models.Model) -> None:
    audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj)
    obj.delete()
