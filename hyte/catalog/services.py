"""Writes to the service tray: keyword-only, atomic, validated, audited."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from hyte.accounts.selectors import User
from hyte.catalog.capacity import apply_capacity, clean_capacity
from hyte.catalog.errors import ServiceNotFound
from hyte.catalog.models import Location, Organization, Service, ServiceCapacity
from hyte.catalog.search.index import index_services, unindex_services
from hyte.catalog.selectors import parse_uuid, services_capacity_editable_by, services_editable_by
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


def _affected_services(obj: models.Model) -> list[object]:
    """Services whose search entry depends on this object."""
    if isinstance(obj, Service):
        return [obj.pk]
    if isinstance(obj, Organization):
        return list(Service.objects.filter(organization=obj).values_list("pk", flat=True))
    if isinstance(obj, Location):
        return list(obj.services.values_list("pk", flat=True))
    service_id = getattr(obj, "service_id", None)
    return [service_id] if service_id else []


def search_index_refresh(*, service_ids: list[object]) -> None:
    """Bring the search entries of these services up to date once the current transaction commits
    (so many-to-many changes saved later in the same request are included)."""
    if service_ids:
        transaction.on_commit(lambda: index_services(service_ids))


@transaction.atomic
def catalog_object_save(*, actor: User, obj: models.Model, created: bool, changed_fields: list[str]) -> None:
    """Save an object edited in the staff admin (scoped and validated by its form), with an audit entry."""
    obj.full_clean()
    obj.save()
    search_index_refresh(service_ids=_affected_services(obj))
    audit_record(
        actor=actor,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        details={"fields": sorted(changed_fields)},
    )


@transaction.atomic
def catalog_object_delete(*, actor: User, obj: models.Model) -> None:
    audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj)
    affected = _affected_services(obj)
    if isinstance(obj, Service | Organization):  # the services themselves go: take them out first
        unindex_services(affected)
        affected = []
    obj.delete()
    search_index_refresh(service_ids=affected)


@transaction.atomic
def service_capacity_set(
    *,
    actor: User,
    service_id: object,
    takes_new_clients: Any,
    waiting_weeks: Any = None,
    free_places: Any = None,
    note: dict[str, Any] | None = None,
) -> ServiceCapacity:
    """A service editor of the organization states the service's capacity (audited). Values are
    checked by ``capacity.clean_capacity``: out of range, not whole numbers or contradicting each other
    are coded 400s; another organization's service is not found."""
    pk = parse_uuid(service_id)
    service = services_capacity_editable_by(actor).select_for_update().filter(pk=pk).first()
    if service is None:
        raise ServiceNotFound()
    values = clean_capacity(
        takes_new_clients=takes_new_clients, waiting_weeks=waiting_weeks, free_places=free_places, note=note
    )
    record = ServiceCapacity.objects.filter(service=service).first()
    created = record is None
    record = record or ServiceCapacity(service=service)
    changed = apply_capacity(record, values, actor=actor)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="service_capacity.create" if created else "service_capacity.update",
        obj=record,
        details={
            "service": str(service.pk),
            "fields": sorted(changed),
            "takes_new_clients": values.takes_new_clients,
            "waiting_weeks": values.waiting_weeks,
            "free_places": values.free_places,
        },
    )
    return record
