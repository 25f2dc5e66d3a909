"""PTV sync: upsert by PTV id, keep local additions, withdraw what PTV no longer publishes.

Every page is one transaction (a crash leaves the catalog as it was before that page, and the next run
resumes after the last finished page); every record in a page has its own savepoint, so a bad record is
reported with its id and reason and the rest of the page goes in. A record whose fingerprint has not
changed is not written at all, so running the same import twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from hyte.catalog.duplicates import record_import_duplicates
from hyte.catalog.models import (
    Location,
    Municipality,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClass,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.index import index_services
from hyte.catalog.search.index import rebuild as rebuild_search_index
from hyte.core.audit import audit_record
from hyte.core.bulk import insert_rows, update_rows
from hyte.core.ids import new_id
from hyte.core.models import AuditEvent
from hyte.integrations.models import ImportRun, ImportSeen
from hyte.integrations.ptv import mapping
from hyte.integrations.ptv.client import Page
from hyte.integrations.ptv.errors import PtvFetchError, PtvRecordError
from hyte.integrations.runs import import_run_start

logger = logging.getLogger(__name__)
PREFIX = "ptv:"
LANGS = mapping.LANGS
MAX_ERRORS_KEPT = 1000
MAX_NAME = mapping.MAX_NAME


class Source(Protocol):
    def describe(self) -> str: ...

    def pages(self) -> Iterable[Page]: ...


def _tr(field_name: str, texts: dict[str, str], *, fallback: str = "") -> dict[str, str]:
    """Translated columns for a field; Finnish falls back to Swedish/English so the base is never empty."""
    fi = texts.get("fi") or texts.get("sv") or texts.get("en") or fallback
    return {field_name: fi, f"{field_name}_fi": texts.get("fi", fi)} | {
        f"{field_name}_{lang}": texts.get(lang, "") for lang in ("sv", "en")
    }


def guess_org_type(name: str) -> str:
    lowered = name.lower()
    if "hyvinvointialue" in lowered or "välfärdsområde" in lowered:
        return Organization.Type.COUNTY
    if "seurakunta" in lowered or "församling" in lowered:
        return Organization.Type.PARISH
    if any(w in lowered for w in ("kunta", "kaupunki", "kommun", "stad")):
        return Organization.Type.MUNICIPALITY
    if any(w in lowered for w in (" ry", "yhdistys", "förening", " rf", "seura", "liitto")):
        return Organization.Type.ASSOCIATION
    return Organization.Type.COMPANY


@dataclass
class Context:
    run: ImportRun
    actor: AbstractBaseUser | AnonymousUser | None
    codes: mapping.Codes
    changed_services: set[Any] = field(default_factory=set)
    # Opening hours of the service locations read in this run, for services that link to them later.
    channel_hours: dict[str, list[mapping.ScheduleData]] = field(default_factory=dict)
    cache: RunCache | None = None
    # Fingerprints of this page's raw service and location records, by PTV id (mapping.record_fingerprint).
    hashes: dict[str, str] = field(default_factory=dict)
    # Raw records of unchanged service locations: their opening hours are mapped only if a new service
    # links to them.
    raw_channels: dict[str, Any] = field(default_factory=dict)
    # PTV organization id -> (our pk, still a placeholder), filled as the run meets them.
    organizations: dict[str, tuple[Any, bool]] = field(default_factory=dict)

    def fail(self, record_id: str, reason: str) -> None:
        self.run.failed += 1
        if len(self.run.errors) < MAX_ERRORS_KEPT:
            self.run.errors.append({"id": record_id, "reason": reason})
        logger.warning("PTV record %s skipped: %s", record_id, reason)


def load_codes() -> mapping.Codes:
    return mapping.Codes(
        municipalities=set(Municipality.objects.values_list("code", flat=True)),
        service_classes=set(ServiceClass.objects.values_list("code", flat=True)),
        target_groups=set(TargetGroup.objects.values_list("code", flat=True)),
    )


# --- organizations ---


PLACEHOLDER = "placeholder"


def _organization(ctx: Context, ptv_id: str | None, name: str) -> Organization:
    """The organization of a PTV id; created from what a service or channel tells of it when PTV's own
    organization record has not been read (a channel tells only the id: a placeholder name until a
    service or the organization record names it)."""
    if not ptv_id:
        raise PtvRecordError("?", "the service has no responsible organization")
    org = Organization.objects.filter(external_id=PREFIX + ptv_id).first()
    if org is not None and not (org.source_hash == PLACEHOLDER and name):
        return org
    created = org is None
    org = org or Organization(external_id=PREFIX + ptv_id)
    org.org_type = guess_org_type(name) if name else Organization.Type.COMPANY
    org.source_hash = "" if name else PLACEHOLDER
    for key, value in _tr("name", {}, fallback=name or f"PTV {ptv_id[:8]}").items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    action = "organization.import" if created else "organization.update"
    audit_record(actor=ctx.actor, action=action, obj=org, details={"source": "ptv"})
    return org


def _upsert_organization(ctx: Context, data: mapping.OrganizationData) -> str:
    fingerprint = data.fingerprint()
    org = Organization.objects.filter(external_id=PREFIX + data.ptv_id).first()
    if org is not None and org.source_hash == fingerprint:
        return "unchanged"
    values = {
        "org_type": data.org_type,
        "municipality_id": data.municipality,
        "website": data.website,
        "email": data.email,
        "phone": data.phone,
        "source_hash": fingerprint,
        **_tr("name", data.name),
        **_tr("description", data.description),
    }
    created = org is None
    org = org or Organization(external_id=PREFIX + data.ptv_id)
    for key, value in values.items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    audit_record(actor=ctx.actor, action="organization.import", obj=org, details={"source": "ptv"})
    ctx.organizations[data.ptv_id] = (org.pk, False)
    return "created" if created else "updated"


# --- bulk writes, with a fallback that finds the record at fault ---


Counts = Counter[str]


def _in_bulk[T](
    ctx: Context, items: list[T], write: Callable[[Context, list[T]], Counts], ident: Callable[[T], str]
) -> None:
    """Write a page's records in one go; if the database refuses the batch, write them one by one (each
    in its own savepoint) so only the record at fault is reported and skipped."""
    if not items:
        return
    try:
        with transaction.atomic():
            counts = write(ctx, items)
    except DatabaseError:
        counts = Counter()
        for item in items:
            try:
                with transaction.atomic():
                    counts += write(ctx, [item])
            except DatabaseError as exc:
                ctx.fail(ident(item), f"{type(exc).__name__}: {exc}"[:300])
    for outcome, n in counts.items():
        setattr(ctx.run, outcome, getattr(ctx.run, outcome) + n)


def _audit_rows(ctx: Context, action: str, object_type: str, pks: Iterable[Any]) -> None:
    actor_id = ctx.actor.pk if ctx.actor is not None and ctx.actor.is_authenticated else None
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": actor_id,
                "action": action,
                "object_type": object_type,
                "object_id": str(pk),
                "details": {"source": "ptv"},
            }
            for pk in pks
        ],
    )


def _organization_pks(ctx: Context, wanted: dict[str, str]) -> dict[str, Any]:
    """Our organization pk for each PTV organization id of a page (``wanted``: id → the name the record
    gives it, or ''). Organizations PTV has not sent yet are created as placeholders."""
    unknown = [PREFIX + i for i in wanted if i not in ctx.organizations]
    if unknown:
        rows = Organization.objects.filter(external_id__in=unknown).values_list(
            "external_id", "pk", "source_hash"
        )
        for external_id, pk, fingerprint in rows:
            ctx.organizations[str(external_id).removeprefix(PREFIX)] = (pk, fingerprint == PLACEHOLDER)
    found = {}
    for ptv_id, name in wanted.items():
        known = ctx.organizations.get(ptv_id)
        if known is None or (known[1] and name):
            with transaction.atomic():
                org = _organization(ctx, ptv_id, name[:MAX_NAME])
            ctx.organizations[ptv_id] = (org.pk, org.source_hash == PLACEHOLDER)
        found[ptv_id] = ctx.organizations[ptv_id][0]
    return found


# --- locations ---


def _location_row(data: mapping.LocationData, org_pk: Any, fingerprint: str) -> dict[str, Any]:
    accessibility = {lang: "\n".join(lines) for lang, lines in data.accessibility.items()}
    return {
        "organization_id": org_pk,
        "municipality_id": data.municipality,
        "postal_code": data.postal_code,
        "latitude": Decimal(f"{data.latitude:.6f}") if data.latitude is not None else None,
        "longitude": Decimal(f"{data.longitude:.6f}") if data.longitude is not None else None,
        "step_free_access": bool(accessibility),
        "source_hash": fingerprint,
        **_tr("name", data.name),
        **_tr("street_address", data.street_address),
        **_tr("post_office", data.post_office),
        **_tr("accessibility", accessibility),
    }


LocationItem = tuple[mapping.LocationData, Any, Any]  # data, existing pk or None, organization pk


def _import_locations(ctx: Context, records: list[mapping.LocationData]) -> None:
    """A page's service locations: unchanged ones (same fingerprint) are not touched at all."""
    existing = {
        str(ext).removeprefix(PREFIX): (pk, fingerprint)
        for ext, pk, fingerprint in Location.objects.filter(
            external_id__in=[PREFIX + d.ptv_id for d in records]
        ).values_list("external_id", "pk", "source_hash")
    }
    changed: list[mapping.LocationData] = []
    for data in records:
        ctx.channel_hours[data.ptv_id] = data.schedules
        known = existing.get(data.ptv_id)
        if known is not None and known[1] == ctx.hashes.get(data.ptv_id):
            ctx.run.unchanged += 1
        elif not data.organization_id:
            ctx.fail(data.ptv_id, "the service location has no organization")
        else:
            changed.append(data)
    if not changed:
        return
    orgs = _organization_pks(ctx, {d.organization_id: "" for d in changed if d.organization_id})
    items = [(d, existing.get(d.ptv_id, (None, ""))[0], orgs[d.organization_id or ""]) for d in changed]
    _in_bulk(ctx, items, _write_locations, lambda item: item[0].ptv_id)


def _write_locations(ctx: Context, items: list[LocationItem]) -> Counts:
    new: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    pks: dict[str, Any] = {}
    for data, pk, org_pk in items:
        row = _location_row(data, org_pk, ctx.hashes.get(data.ptv_id) or data.fingerprint())
        if pk is None:
            pk = new_id()
            new.append({"id": pk, "external_id": PREFIX + data.ptv_id, **row})
        else:
            updated.append({"pk": pk, **row})
        pks[data.ptv_id] = pk
    insert_rows(Location, new)
    update_rows(Location, updated)
    updated_pks = [row["pk"] for row in updated]
    # Links from these locations to PTV services that already exist; their schedules come from the channel.
    linked = {PREFIX + s for data, _, _ in items for s in data.service_ids}
    services = dict(Service.objects.filter(external_id__in=linked).values_list("external_id", "pk"))
    places: list[dict[str, Any]] = []
    schedules: list[dict[str, Any]] = []
    for data, _, _ in items:
        location_pk = pks[data.ptv_id]
        service_pks = [services[PREFIX + s] for s in data.service_ids if PREFIX + s in services]
        places.extend({"id": new_id(), "service_id": s, "location_id": location_pk} for s in service_pks)
        for service_pk in service_pks:
            schedules.extend(_schedule_rows(service_pk, location_pk, data.schedules))
        if service_pks and location_pk in updated_pks:
            Schedule.objects.filter(location_id=location_pk, service_id__in=service_pks).delete()
        ctx.changed_services.update(service_pks)
    insert_rows(ServiceAtLocation, places, ignore_conflicts=True)
    insert_rows(Schedule, schedules)
    if updated_pks:
        ctx.changed_services.update(
            ServiceAtLocation.objects.filter(location_id__in=updated_pks).values_list("service_id", flat=True)
        )
    _audit_rows(ctx, "location.import", "catalog.location", pks.values())
    return Counter(created=len(new), updated=len(updated))


def _schedule_rows(
    service_id: Any, location_id: Any, schedules: list[mapping.ScheduleData]
) -> list[dict[str, Any]]:
    """Schedule rows (the mapping has checked weekdays, times and dates)."""
    return [
        {
            "service_id": service_id,
            "location_id": location_id,
            "weekday": s.weekday,
            "opens_at": time.fromisoformat(s.opens_at),
            "closes_at": time.fromisoformat(s.closes_at),
            "valid_from": date.fromisoformat(s.valid_from) if s.valid_from else None,
            "valid_to": date.fromisoformat(s.valid_to) if s.valid_to else None,
            **_tr("description", s.description),
        }
        for s in schedules
    ]


# --- services ---


@dataclass
class RunCache:
    """Look-ups that do not change during a run."""

    themes_by_class: dict[str, set[str]]
    languages: set[str]
    county_municipalities: dict[str, set[str]]

    @classmethod
    def load(cls) -> RunCache:
        themes: dict[str, set[str]] = {}
        for slug, code in Theme.service_classes.through.objects.values_list("theme_id", "serviceclass_id"):
            themes.setdefault(code, set()).add(slug)
        counties: dict[str, set[str]] = {}
        for code, county in Municipality.objects.exclude(county=None).values_list("code", "county_id"):
            counties.setdefault(county, set()).add(code)
        return cls(
            themes_by_class=themes,
            languages=set(ServiceLanguage.objects.values_list("code", flat=True)),
            county_municipalities=counties,
        )


def _service_row(data: mapping.ServiceData, org_pk: Any, fingerprint: str) -> dict[str, Any]:
    modified = mapping.parse_datetime(data.modified)
    if modified is not None and timezone.is_naive(modified):
        modified = timezone.make_aware(modified, timezone.get_default_timezone())
    return {
        "organization_id": org_pk,
        "status": Service.Status.ACTIVE.value,
        "withdrawn_at": None,
        "free": data.free,
        "source_hash": fingerprint,
        "source_modified": modified,
        "last_verified_at": modified or timezone.now(),
        **_tr("name", data.name),
        **_tr("summary", data.summary),
        **_tr("description", data.description),
        **_tr("keywords", data.keywords),
        **_tr("cost_description", data.cost_description),
    }


ServiceItem = tuple[mapping.ServiceData, Any, Any]  # data, existing pk or None, organization pk
LINKS: dict[str, tuple[Any, str]] = {
    "service_classes": (Service.service_classes.through, "serviceclass_id"),
    "target_groups": (Service.target_groups.through, "targetgroup_id"),
    "municipalities": (Service.municipalities.through, "municipality_id"),
    "languages": (Service.languages.through, "servicelanguage_id"),
}


def _import_services(ctx: Context, records: list[mapping.ServiceData]) -> None:
    """A page's services, written in bulk: one statement per kind of row, not per service. Unchanged
    services (same fingerprint, not withdrawn) are not touched at all. Every value was checked by the
    mapping (lengths, codes, coordinates, dates); the database enforces the rest."""
    existing = {
        str(ext).removeprefix(PREFIX): (pk, fingerprint, withdrawn)
        for ext, pk, fingerprint, withdrawn in Service.objects.filter(
            external_id__in=[PREFIX + d.ptv_id for d in records]
        ).values_list("external_id", "pk", "source_hash", "withdrawn_at")
    }
    changed: list[mapping.ServiceData] = []
    withdraw: list[Any] = []
    for data in records:
        known = existing.get(data.ptv_id)
        if not data.published:
            if known is not None and known[2] is None:
                withdraw.append(known[0])
            else:
                ctx.run.unchanged += 1
        elif known is not None and known[1] == ctx.hashes.get(data.ptv_id) and known[2] is None:
            ctx.run.unchanged += 1
        elif not data.organization_id:
            ctx.fail(data.ptv_id, "the service has no responsible organization")
        else:
            changed.append(data)
    if withdraw:
        _withdraw(ctx, withdraw)
    if not changed:
        return
    wanted: dict[str, str] = {}
    for data in changed:
        wanted[data.organization_id or ""] = wanted.get(data.organization_id or "") or data.organization_name
    orgs = _organization_pks(ctx, wanted)
    items = [(d, existing.get(d.ptv_id, (None,))[0], orgs[d.organization_id or ""]) for d in changed]
    _in_bulk(ctx, items, _write_services, lambda item: item[0].ptv_id)


def _write_services(ctx: Context, items: list[ServiceItem]) -> Counts:
    cache = ctx.cache
    assert cache is not None
    new: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    written: list[tuple[Any, mapping.ServiceData]] = []
    for data, pk, org_pk in items:
        row = _service_row(data, org_pk, ctx.hashes.get(data.ptv_id) or data.fingerprint())
        if pk is None:
            pk = new_id()
            new.append({"id": pk, "external_id": PREFIX + data.ptv_id, **row})
        else:
            updated.append({"pk": pk, **row})
        written.append((pk, data))
    insert_rows(Service, new)
    update_rows(Service, updated)
    changed_pks = [row["pk"] for row in updated]
    new_pks = {row["id"] for row in new}
    for model, _column in LINKS.values():
        model.objects.filter(service_id__in=changed_pks).delete()
    channel_ids = {PREFIX + c for _, d in written for c in d.channel_ids}
    locations = dict(Location.objects.filter(external_id__in=channel_ids).values_list("external_id", "pk"))
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in LINKS}
    themes: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    schedules: list[dict[str, Any]] = []
    keep_places: dict[Any, set[Any]] = {}
    for pk, data in written:
        municipalities = set(data.municipalities)
        for county in data.counties:
            municipalities |= cache.county_municipalities.get(county, set())
        values = {
            "service_classes": data.service_classes,
            "target_groups": data.target_groups,
            "municipalities": sorted(municipalities),
            "languages": [code for code in data.languages if code in cache.languages],
        }
        for key, (_model, column) in LINKS.items():
            rows[key].extend({"service_id": pk, column: v} for v in values[key])
        implied = {slug for code in data.service_classes for slug in cache.themes_by_class.get(code, ())}
        themes.extend({"service_id": pk, "theme_id": slug} for slug in sorted(implied))
        keep_places[pk] = set()
        for channel in data.channel_ids:
            location_pk = locations.get(PREFIX + channel)
            if location_pk is None:
                continue
            keep_places[pk].add(location_pk)
            places.append({"id": new_id(), "service_id": pk, "location_id": location_pk})
            hours = ctx.channel_hours.get(channel) if pk in new_pks else None
            if hours is None and pk in new_pks and channel in ctx.raw_channels:
                hours = _hours_of(ctx, channel)
            if hours is not None and pk in new_pks:
                schedules.extend(_schedule_rows(pk, location_pk, hours))
        ctx.changed_services.add(pk)
    for key, (model, _column) in LINKS.items():
        insert_rows(model, rows[key])
    insert_rows(Service.themes.through, themes, ignore_conflicts=True)  # local themes stay
    # PTV links that PTV no longer has go; links to local (non-PTV) locations stay.
    for pk in changed_pks:
        ServiceAtLocation.objects.filter(service_id=pk, location__external_id__startswith=PREFIX).exclude(
            location_id__in=keep_places[pk]
        ).delete()
    insert_rows(ServiceAtLocation, places, ignore_conflicts=True)
    insert_rows(Schedule, schedules)
    _audit_rows(ctx, "service.import", "catalog.service", [pk for pk, _ in written])
    return Counter(created=len(new), updated=len(updated))


def _withdraw(ctx: Context, pks: list[Any]) -> None:
    """PTV stopped publishing these services: inactive and withdrawn, never deleted."""
    now = timezone.now()
    Service.objects.filter(pk__in=pks).update(
        status=Service.Status.INACTIVE, withdrawn_at=now, updated_at=now
    )
    ctx.changed_services.update(pks)
    ctx.run.withdrawn += len(pks)
    _audit_rows(ctx, "service.withdraw", "catalog.service", pks)


# --- a page ---


def _kind(record: Any) -> str:
    if not isinstance(record, dict):
        return "unknown"
    if "serviceChannelType" in record or "serviceChannelNames" in record:
        return "channel"
    if "organizationNames" in record or ("organizationType" in record and "serviceType" not in record):
        return "organization"  # v11 organizations have organizationNames, v12 ones organizationType
    if "serviceNames" in record or "languageVersions" in record:
        return "service"
    return "unknown"


def _record_id(record: Any) -> str:
    return str(record.get("id"))[:60] if isinstance(record, dict) and record.get("id") else "?"


def _hours_of(ctx: Context, channel: str) -> list[mapping.ScheduleData] | None:
    """Opening hours of an unchanged service location, mapped when a new service first needs them."""
    try:
        hours = mapping.map_location(ctx.raw_channels.pop(channel), ctx.codes).schedules
    except PtvRecordError:
        return None
    ctx.channel_hours[channel] = hours
    return hours


def _unchanged(ctx: Context, records: list[Any]) -> tuple[list[Any], list[str]]:
    """Fingerprint the page's service and service location records and set aside those stored with the
    same fingerprint (two queries), so that only new and changed records are mapped. Returns the
    records still to map and the ids of the unchanged services (seen in this run)."""
    ctx.hashes = {}
    keyed: dict[str, list[tuple[str, Any]]] = {"service": [], "channel": []}
    rest: list[Any] = []
    for record in records:
        kind = _kind(record)
        ptv_id = mapping.record_id(record) if kind in keyed else None
        if ptv_id is None or (kind == "channel" and not mapping.is_service_location(record)):
            rest.append(record)
            continue
        ctx.hashes[ptv_id] = mapping.record_fingerprint(record)
        keyed[kind].append((ptv_id, record))
    stored_services = dict(
        Service.objects.filter(
            external_id__in=[PREFIX + i for i, _ in keyed["service"]], withdrawn_at__isnull=True
        ).values_list("external_id", "source_hash")
    )
    stored_locations = dict(
        Location.objects.filter(external_id__in=[PREFIX + i for i, _ in keyed["channel"]]).values_list(
            "external_id", "source_hash"
        )
    )
    seen: list[str] = []
    for ptv_id, record in keyed["channel"]:
        if stored_locations.get(PREFIX + ptv_id) == ctx.hashes[ptv_id]:
            ctx.run.unchanged += 1
            ctx.raw_channels[ptv_id] = record
        else:
            rest.append(record)
    for ptv_id, record in keyed["service"]:
        if stored_services.get(PREFIX + ptv_id) == ctx.hashes[ptv_id]:
            ctx.run.unchanged += 1
            seen.append(ptv_id)
        else:
            rest.append(record)
    return rest, seen


def _import_page(ctx: Context, page: Page) -> None:
    """One page in one transaction: unchanged records set aside, organizations one by one, then
    service locations and services in bulk. A record the mapping refuses is reported with its id and
    reason and skipped."""
    for name, reason in page.problems:
        ctx.fail(name, reason)
    locations: list[mapping.LocationData] = []
    services: list[mapping.ServiceData] = []
    with transaction.atomic():
        records, seen = _unchanged(ctx, page.records)
        for record in records:
            kind = _kind(record)
            try:
                if kind == "service":
                    services.append(mapping.map_service(record, ctx.codes))
                elif kind == "channel":
                    if mapping.is_service_location(record):  # phone, web and e-channels are not places
                        locations.append(mapping.map_location(record, ctx.codes))
                elif kind == "organization":
                    with transaction.atomic():  # a savepoint: a failing record leaves no trace
                        outcome = _upsert_organization(ctx, mapping.map_organization(record, ctx.codes))
                    setattr(ctx.run, outcome, getattr(ctx.run, outcome) + 1)
                else:
                    raise PtvRecordError(
                        _record_id(record), "not a PTV service, service channel or organization"
                    )
            except PtvRecordError as exc:
                ctx.fail(exc.record_id if exc.record_id != "?" else _record_id(record), exc.reason)
            except (ValidationError, DatabaseError, ValueError, TypeError, KeyError, AttributeError) as exc:
                ctx.fail(_record_id(record), f"{type(exc).__name__}: {exc}"[:300])
        _import_locations(ctx, locations)
        _import_services(ctx, services)
        seen += [d.ptv_id for d in services]
        insert_rows(ImportSeen, [{"run_id": ctx.run.pk, "external_id": PREFIX + i} for i in seen])
        ctx.run.pages_done = page.number
        ctx.run.save()


def _resumable(source: Source) -> ImportRun | None:
    """The last run of the same source, when it stopped before the end."""
    last = ImportRun.objects.filter(source="ptv", location=source.describe()).first()
    if last is not None and last.status in (ImportRun.Status.FAILED, ImportRun.Status.RUNNING):
        return last
    return None


def ptv_import(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    source: Source,
    withdraw_missing: bool = True,
    resume: bool = True,
) -> ImportRun:
    """Import everything the source has; withdraw PTV services it no longer has (full runs only)."""
    previous = _resumable(source) if resume else None
    run = import_run_start(
        source="ptv",
        location=source.describe(),
        actor=actor,
        options={"withdraw_missing": withdraw_missing, "resumed_from": previous.pk if previous else None},
    )
    ctx = Context(run=run, actor=actor, codes=load_codes(), cache=RunCache.load())
    start = 1
    if previous is not None:
        start = previous.pages_done + 1
        run.pages_done = previous.pages_done
        previous.seen_records.update(run=run)  # what the stopped run read counts as read by this one
    try:
        for page in source.pages():
            if page.number < start:
                continue
            _import_page(ctx, page)
    except PtvFetchError as exc:
        run.status = ImportRun.Status.FAILED
        run.message = str(exc.message)[:1000]
        run.finished_at = timezone.now()
        run.save()
        _refresh_search(ctx)
        return run
    if withdraw_missing:
        _withdraw_missing(ctx)
    # Likely duplicates of local listings are recorded for staff, never blocking (catalog.duplicates).
    run.options["duplicates"] = record_import_duplicates(
        service_ids=ctx.changed_services, source_prefix=PREFIX, import_run=run.pk
    )
    _refresh_search(ctx)
    run.status = ImportRun.Status.PARTIAL if run.failed else ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    run.seen_records.all().delete()  # only a stopped run needs them (to resume)
    return run


REBUILD_FROM = 2000  # changed services; more than this and a bulk rebuild of the index is faster


def _refresh_search(ctx: Context) -> None:
    """Bring the search index up to date with everything this run wrote (committed page by page)."""
    if len(ctx.changed_services) > REBUILD_FROM:
        rebuild_search_index()
    elif ctx.changed_services:
        index_services(ctx.changed_services)
    ctx.changed_services = set()


@transaction.atomic
def _withdraw_missing(ctx: Context) -> None:
    missing = Service.objects.filter(
        external_id__startswith=PREFIX, status=Service.Status.ACTIVE, withdrawn_at__isnull=True
    ).exclude(external_id__in=ctx.run.seen_records.values("external_id"))
    pks = list(missing.select_for_update().values_list("pk", flat=True))
    if pks:
        _withdraw(ctx, pks)
    ctx.run.save()
