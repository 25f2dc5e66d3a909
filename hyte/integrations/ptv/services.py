"""PTV sync: upsert by PTV id, keep local additions, withdraw what PTV no longer publishes.

Every page is one transaction (a crash leaves the catalog as it was before that page, and the next run
resumes after the last finished page); every record in a page has its own savepoint, so a bad record is
reported with its id and reason and the rest of the page goes in. A record whose fingerprint has not
changed is not written at all, so running the same import twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

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
from hyte.core.models import AuditEvent
from hyte.integrations.models import ImportRun
from hyte.integrations.ptv import mapping
from hyte.integrations.ptv.client import Page
from hyte.integrations.ptv.errors import PtvFetchError, PtvRecordError

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
    seen: set[str] = field(default_factory=set)
    changed_services: set[Any] = field(default_factory=set)
    # Opening hours of the service locations read in this run, for services that link to them later.
    channel_hours: dict[str, list[mapping.ScheduleData]] = field(default_factory=dict)
    cache: RunCache | None = None
    organizations: dict[str, Organization] = field(default_factory=dict)

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
    return "created" if created else "updated"


# --- locations ---


def _upsert_location(ctx: Context, data: mapping.LocationData) -> str:
    fingerprint = data.fingerprint()
    location = Location.objects.filter(external_id=PREFIX + data.ptv_id).first()
    if location is not None and location.source_hash == fingerprint:
        return "unchanged"
    org = ctx.organizations.get(data.organization_id or "")
    if org is None and data.organization_id:
        org = Organization.objects.filter(external_id=PREFIX + data.organization_id).first()
    if org is None and location is not None:
        org = location.organization
    if org is None:
        org = _organization(ctx, data.organization_id, "")
    if data.organization_id:
        ctx.organizations[data.organization_id] = org
    accessibility = {lang: "\n".join(lines) for lang, lines in data.accessibility.items()}
    values: dict[str, Any] = {
        "organization": org,
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
    created = location is None
    location = location or Location(external_id=PREFIX + data.ptv_id)
    for key, value in values.items():
        setattr(location, key, value)
    # The mapping has checked every value (lengths, codes, coordinates); the database checks the keys.
    location.save()
    # Links from this location to PTV services that already exist; their schedules come from the channel.
    services = list(Service.objects.filter(external_id__in=[PREFIX + s for s in data.service_ids]))
    for service in services:
        ServiceAtLocation.objects.get_or_create(service=service, location=location)
        _replace_schedules(service, location, data.schedules)
        ctx.changed_services.add(service.pk)
    if not created:
        ctx.changed_services.update(location.services.values_list("pk", flat=True))
    audit_record(actor=ctx.actor, action="location.import", obj=location, details={"source": "ptv"})
    return "created" if created else "updated"


def _schedule_rows(
    service_id: Any, location: Location, schedules: list[mapping.ScheduleData]
) -> list[Schedule]:
    """Schedule rows (the mapping has checked weekdays, times and dates)."""
    return [
        Schedule(
            service_id=service_id,
            location=location,
            weekday=s.weekday,
            opens_at=time.fromisoformat(s.opens_at),
            closes_at=time.fromisoformat(s.closes_at),
            valid_from=date.fromisoformat(s.valid_from) if s.valid_from else None,
            valid_to=date.fromisoformat(s.valid_to) if s.valid_to else None,
            **_tr("description", s.description),
        )
        for s in schedules
    ]


def _replace_schedules(service: Service, location: Location, schedules: list[mapping.ScheduleData]) -> None:
    Schedule.objects.filter(service=service, location=location).delete()
    Schedule.objects.bulk_create(_schedule_rows(service.pk, location, schedules))


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


SERVICE_FIELDS = [
    "organization",
    "status",
    "withdrawn_at",
    "free",
    "source_hash",
    "source_modified",
    "last_verified_at",
] + [
    f"{name}{suffix}"
    for name in ("name", "summary", "description", "keywords", "cost_description")
    for suffix in ("", "_fi", "_sv", "_en")
]


def _service_values(ctx: Context, data: mapping.ServiceData, org: Organization) -> dict[str, Any]:
    modified = mapping.parse_datetime(data.modified)
    if modified is not None and timezone.is_naive(modified):
        modified = timezone.make_aware(modified, timezone.get_default_timezone())
    return {
        "organization": org,
        "status": Service.Status.ACTIVE,
        "withdrawn_at": None,
        "free": data.free,
        "source_hash": data.fingerprint(),
        "source_modified": modified,
        "last_verified_at": modified or timezone.now(),
        **_tr("name", data.name),
        **_tr("summary", data.summary),
        **_tr("description", data.description),
        **_tr("keywords", data.keywords),
        **_tr("cost_description", data.cost_description),
    }


def _import_services(ctx: Context, records: list[tuple[Any, mapping.ServiceData]]) -> None:
    """Write a page's services in bulk: one query per kind of row, not per service. Every value was
    checked by the mapping (lengths, codes, coordinates, dates); the database enforces the rest."""
    ids = [PREFIX + data.ptv_id for _, data in records]
    existing = {s.external_id: s for s in Service.objects.filter(external_id__in=ids)}
    org_ids = [PREFIX + (d.organization_id or "") for _, d in records]
    orgs = {o.external_id: o for o in Organization.objects.filter(external_id__in=org_ids)}
    channel_ids = {PREFIX + c for _, d in records for c in d.channel_ids}
    locations = {loc.external_id: loc for loc in Location.objects.filter(external_id__in=channel_ids)}
    new: list[Service] = []
    changed: list[Service] = []
    written: list[tuple[Service, mapping.ServiceData]] = []
    for _record, data in records:
        ctx.seen.add(data.ptv_id)
        service = existing.get(PREFIX + data.ptv_id)
        if not data.published:
            if service is not None and service.withdrawn_at is None:
                _withdraw(ctx, service)
                ctx.run.withdrawn += 1
            else:
                ctx.run.unchanged += 1
            continue
        if service is not None and service.source_hash == data.fingerprint() and service.withdrawn_at is None:
            ctx.run.unchanged += 1
            continue
        try:
            with transaction.atomic():
                org = orgs.get(PREFIX + (data.organization_id or ""))
                if org is None or (org.source_hash == PLACEHOLDER and data.organization_name):
                    org = _organization(ctx, data.organization_id, data.organization_name[:MAX_NAME])
                    orgs[str(org.external_id)] = org
        except PtvRecordError as exc:
            ctx.fail(data.ptv_id, exc.reason)
            continue
        values = _service_values(ctx, data, org)
        if service is None:
            service = Service(external_id=PREFIX + data.ptv_id, **values)
            new.append(service)
            ctx.run.created += 1
        else:
            for key, value in values.items():
                setattr(service, key, value)
            changed.append(service)
            ctx.run.updated += 1
        written.append((service, data))
    if not written:
        return
    Service.objects.bulk_create(new, batch_size=500)
    Service.objects.bulk_update(changed, SERVICE_FIELDS, batch_size=500)
    changed_ids = [s.pk for s in changed]
    links: dict[str, tuple[Any, str]] = {
        "service_classes": (Service.service_classes.through, "serviceclass_id"),
        "target_groups": (Service.target_groups.through, "targetgroup_id"),
        "municipalities": (Service.municipalities.through, "municipality_id"),
        "languages": (Service.languages.through, "servicelanguage_id"),
    }
    for model, _column in links.values():
        model.objects.filter(service_id__in=changed_ids).delete()
    rows: dict[str, list[Any]] = {key: [] for key in links}
    themes: list[Any] = []
    places: list[ServiceAtLocation] = []
    schedules: list[Schedule] = []
    ThemeLink: Any = Service.themes.through
    keep_places: dict[Any, set[Any]] = {}
    new_ids = {s.pk for s in new}
    cache = ctx.cache
    assert cache is not None
    for service, data in written:
        municipalities = set(data.municipalities)
        for county in data.counties:
            municipalities |= cache.county_municipalities.get(county, set())
        values = {
            "service_classes": data.service_classes,
            "target_groups": data.target_groups,
            "municipalities": sorted(municipalities),
            "languages": [code for code in data.languages if code in cache.languages],
        }
        for key, (model, column) in links.items():
            rows[key].extend(model(service_id=service.pk, **{column: v}) for v in values[key])
        implied = {slug for code in data.service_classes for slug in cache.themes_by_class.get(code, ())}
        themes.extend(ThemeLink(service_id=service.pk, theme_id=slug) for slug in sorted(implied))
        keep_places[service.pk] = set()
        for channel in data.channel_ids:
            location = locations.get(PREFIX + channel)
            if location is None:
                continue
            keep_places[service.pk].add(location.pk)
            places.append(ServiceAtLocation(service_id=service.pk, location=location))
            hours = ctx.channel_hours.get(channel)
            if hours is not None and service.pk in new_ids:
                schedules.extend(_schedule_rows(service.pk, location, hours))
        ctx.changed_services.add(service.pk)
    for key, (model, _column) in links.items():
        model.objects.bulk_create(rows[key], batch_size=1000)
    ThemeLink.objects.bulk_create(themes, batch_size=1000, ignore_conflicts=True)  # local themes stay
    # PTV links that PTV no longer has go; links to local (non-PTV) locations stay.
    for service in changed:
        ServiceAtLocation.objects.filter(service=service, location__external_id__startswith=PREFIX).exclude(
            location_id__in=keep_places[service.pk]
        ).delete()
    ServiceAtLocation.objects.bulk_create(places, batch_size=1000, ignore_conflicts=True)
    Schedule.objects.bulk_create(schedules, batch_size=1000)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=ctx.actor if ctx.actor is not None and ctx.actor.is_authenticated else None,  # type: ignore[misc]
                action="service.import",
                object_type="catalog.service",
                object_id=str(service.pk),
                details={"source": "ptv"},
            )
            for service, _ in written
        ],
        batch_size=1000,
    )


def _withdraw(ctx: Context, service: Service) -> None:
    service.status = Service.Status.INACTIVE
    service.withdrawn_at = timezone.now()
    service.save(update_fields=["status", "withdrawn_at", "updated_at"])
    ctx.changed_services.add(service.pk)
    audit_record(actor=ctx.actor, action="service.withdraw", obj=service, details={"source": "ptv"})


# --- a page ---


def _kind(record: Any) -> str:
    if not isinstance(record, dict):
        return "unknown"
    if "serviceNames" in record or ("languageVersions" in record and "serviceChannelType" not in record):
        return "service"
    if "serviceChannelType" in record or "serviceChannelNames" in record:
        return "channel"
    if "organizationNames" in record or "organizationType" in record:
        return "organization"
    return "unknown"


def _record_id(record: Any) -> str:
    return str(record.get("id"))[:60] if isinstance(record, dict) and record.get("id") else "?"


def _apply(ctx: Context, kind: str, record: Any) -> str:
    if kind == "organization":
        return _upsert_organization(ctx, mapping.map_organization(record, ctx.codes))
    if kind == "channel":
        if not mapping.is_service_location(record):
            return "skipped"  # phone, web and e-channels: not places
        location = mapping.map_location(record, ctx.codes)
        ctx.channel_hours[location.ptv_id] = location.schedules
        return _upsert_location(ctx, location)
    raise PtvRecordError(_record_id(record), "not a PTV service, service channel or organization")


@transaction.atomic
def _import_page(ctx: Context, page: Page) -> None:
    for name, reason in page.problems:
        ctx.fail(name, reason)
    order = {"organization": 0, "channel": 1, "service": 2, "unknown": 3}
    services: list[tuple[Any, mapping.ServiceData]] = []
    for record in sorted(page.records, key=lambda r: order[_kind(r)]):
        kind = _kind(record)
        try:
            if kind == "service":
                services.append((record, mapping.map_service(record, ctx.codes)))
                continue
            with transaction.atomic():  # a savepoint: a failing record leaves no trace
                outcome = _apply(ctx, kind, record)
        except PtvRecordError as exc:
            ctx.fail(exc.record_id if exc.record_id != "?" else _record_id(record), exc.reason)
            continue
        except (ValidationError, DatabaseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            ctx.fail(_record_id(record), f"{type(exc).__name__}: {exc}"[:300])
            continue
        if outcome in ("created", "updated", "unchanged", "withdrawn"):
            setattr(ctx.run, outcome, getattr(ctx.run, outcome) + 1)
    _import_services(ctx, services)
    ctx.run.pages_done = page.number
    ctx.run.seen = sorted(ctx.seen)
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
    run = ImportRun.objects.create(
        source="ptv",
        location=source.describe(),
        options={"withdraw_missing": withdraw_missing, "resumed_from": previous.pk if previous else None},
        started_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )
    ctx = Context(run=run, actor=actor, codes=load_codes(), cache=RunCache.load())
    start = 1
    if previous is not None:
        start = previous.pages_done + 1
        ctx.seen = set(previous.seen)
        run.pages_done = previous.pages_done
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
    _refresh_search(ctx)
    run.status = ImportRun.Status.PARTIAL if run.failed else ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.seen = []  # only a stopped run needs them (to resume)
    run.save()
    if previous is not None:
        previous.seen = []
        previous.save(update_fields=["seen"])
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
    ).exclude(external_id__in=[PREFIX + i for i in ctx.seen])
    for service in missing.select_for_update():
        _withdraw(ctx, service)
        ctx.run.withdrawn += 1
    ctx.run.save()
