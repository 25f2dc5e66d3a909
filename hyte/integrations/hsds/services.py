"""Writes of the HSDS import: upserts keyed by ``external_id = "hsds:<id>"``, validated, audited.

Texts go to the columns of the import language only (``name_sv`` for a Swedish file), so the same
directory imported in Finnish, Swedish and English fills all three. Child rows (schedules, phones,
contacts) are matched to the existing ones by their content and updated in place, so a second
language does not wipe the first one's descriptions; rows the source no longer has are deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation

from hyte.catalog.models import (
    Contact,
    Location,
    Municipality,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClass,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.index import rebuild as rebuild_search_index
from hyte.catalog.services import search_index_refresh
from hyte.core.audit import audit_record
from hyte.integrations.hsds.mapping import LocationValues, OrganizationValues, ScheduleValues, ServiceValues

SOURCE = "hsds"


def external_id(hsds_id: str) -> str:
    return f"{SOURCE}:{hsds_id}"


def _texts(obj: models.Model, lang: str, **values: str) -> None:
    for name, value in values.items():
        setattr(obj, f"{name}_{lang}", value)


def _audit(obj: Any, created: bool, **details: Any) -> None:
    audit_record(
        actor=None,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        details={"source": SOURCE, "external_id": obj.external_id, **details},
    )


@transaction.atomic
def hsds_organization_upsert(*, values: OrganizationValues, lang: str) -> tuple[Organization, bool]:
    with translation.override(lang):
        org = Organization.objects.select_for_update().filter(external_id=external_id(values.hsds_id)).first()
        created = org is None
        if org is None:
            org = Organization(
                external_id=external_id(values.hsds_id),
                org_type=values.org_type or Organization.Type.ASSOCIATION,
            )
        elif values.org_type:
            org.org_type = values.org_type
        _texts(org, lang, name=values.name, description=values.description)
        org.website, org.email, org.phone = values.website, values.email, values.phone
        org.full_clean()
        org.save()
        _audit(org, created, lang=lang)
    return org, created


@transaction.atomic
def hsds_location_upsert(
    *, values: LocationValues, organization: Organization, municipality: Municipality, lang: str
) -> tuple[Location, bool]:
    with translation.override(lang):
        loc = Location.objects.select_for_update().filter(external_id=external_id(values.hsds_id)).first()
        created = loc is None
        if loc is None:
            loc = Location(external_id=external_id(values.hsds_id))
        loc.organization, loc.municipality = organization, municipality
        _texts(
            loc,
            lang,
            name=values.name,
            street_address=values.street_address,
            post_office=values.post_office,
            accessibility="\n".join(values.accessibility),
        )
        loc.postal_code = values.postal_code
        loc.latitude, loc.longitude = values.latitude, values.longitude
        loc.full_clean()
        loc.save()
        _audit(loc, created, lang=lang)
    return loc, created


def _sync_schedules(
    service: Service, items: Sequence[ScheduleValues], locations: dict[str, Location], lang: str
) -> None:
    existing = list(service.schedules.all())
    for item in items:
        location = locations.get(item.location_hsds_id or "")
        location_id = location.pk if location else None
        match = next(
            (
                s
                for s in existing
                if (s.weekday, s.opens_at, s.closes_at, s.location_id)
                == (item.weekday, item.opens_at, item.closes_at, location_id)
            ),
            None,
        )
        if match is not None:
            existing.remove(match)
            schedule = match
        else:
            schedule = Schedule(
                service=service,
                location=location,
                weekday=item.weekday,
                opens_at=item.opens_at,
                closes_at=item.closes_at,
            )
        schedule.valid_from, schedule.valid_to = item.valid_from, item.valid_to
        _texts(schedule, lang, description=item.description)
        schedule.full_clean()
        schedule.save()
    for stale in existing:
        stale.delete()


def _sync_phones(service: Service, values: ServiceValues, lang: str) -> None:
    existing = {p.number: p for p in service.phones.all()}
    for item in values.phones:
        phone = existing.pop(item.number, None) or Phone(service=service, number=item.number)
        _texts(phone, lang, description=item.description)
        phone.full_clean()
        phone.save()
    for stale in existing.values():
        stale.delete()


def _sync_contacts(service: Service, values: ServiceValues, lang: str) -> None:
    existing = {c.name: c for c in service.contacts.all()}
    for item in values.contacts:
        contact = existing.pop(item.name, None) or Contact(service=service, name=item.name)
        contact.email, contact.phone = item.email, item.phone
        _texts(contact, lang, title=item.title)
        contact.full_clean()
        contact.save()
    for stale in existing.values():
        stale.delete()


def _sync_locations(service: Service, locations: Iterable[Location]) -> None:
    wanted = {loc.pk: loc for loc in locations}
    for link in service.service_at_locations.all():
        if link.location_id in wanted:
            del wanted[link.location_id]
        else:
            link.delete()
    for loc in wanted.values():
        link = ServiceAtLocation(service=service, location=loc)
        link.full_clean()
        link.save()


@transaction.atomic
def hsds_service_upsert(
    *,
    values: ServiceValues,
    organization: Organization,
    locations: dict[str, Location],
    languages: list[ServiceLanguage],
    municipalities: list[Municipality],
    themes: list[Theme],
    service_classes: list[ServiceClass],
    target_groups: list[TargetGroup],
    lang: str,
) -> tuple[Service, bool]:
    """Create or update one service with everything that hangs on it; ``locations`` by HSDS id."""
    with translation.override(lang):
        service = Service.objects.select_for_update().filter(external_id=external_id(values.hsds_id)).first()
        created = service is None
        if service is None:
            service = Service(external_id=external_id(values.hsds_id))
        service.organization = organization
        service.status = values.status
        service.url, service.email, service.free = values.url, values.email, values.free
        _texts(
            service,
            lang,
            name=values.name,
            summary=values.summary,
            description=values.description,
            cost_description=values.cost_description,
        )
        if values.assured_date is not None:
            noon = datetime.combine(values.assured_date, time(12))
            service.last_verified_at = timezone.make_aware(noon)
        service.full_clean()
        service.save()
        service.themes.set(themes)
        service.service_classes.set(service_classes)
        service.target_groups.set(target_groups)
        service.municipalities.set(municipalities)
        service.languages.set(languages)
        _sync_locations(service, [locations[i] for i in values.location_hsds_ids if i in locations])
        _sync_schedules(service, values.schedules, locations, lang)
        _sync_phones(service, values, lang)
        _sync_contacts(service, values, lang)
        _audit(
            service,
            created,
            lang=lang,
            locations=len(values.location_hsds_ids),
            schedules=len(values.schedules),
            phones=len(values.phones),
        )
    return service, created


def hsds_search_index_refresh(*, service_ids: list[object], rebuild: bool = False) -> None:
    """Bring the search index up to date when the current transaction commits: the changed services,
    or for a large import a bulk rebuild (parallel, much faster than service by service)."""
    if rebuild:
        transaction.on_commit(rebuild_search_index)
    else:
        search_index_refresh(service_ids=service_ids)
