"""Writes of the iCalendar integration: calendar feeds and their import into the catalog.

An import upserts Event rows by ``external_id`` (``ical:<feed id>:<UID>``), removes the events that
have vanished from the feed, and, when the feed belongs to a service, publishes each plain weekly
meeting as that service's Schedule rows (one per weekday, owned by the event and replaced with it).
Each feed is imported in one transaction: a feed that cannot be fetched or read changes nothing
but its ``last_error``; an event that cannot be read is skipped with a reason and the rest goes in.

``actor`` is the acting user; None means the platform itself (management commands, schedulers).
A user may import only for organizations they are a member of; others get "not found".
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hyte.accounts.selectors import User, is_platform_admin, organization_ids_for_user
from hyte.catalog.errors import OrganizationNotFound
from hyte.catalog.models import Event, ICalFeed, Location, Organization, Schedule, Service
from hyte.catalog.services import search_index_refresh
from hyte.core.audit import audit_record
from hyte.core.errors import DomainError
from hyte.integrations.ical.client import fetch_feed
from hyte.integrations.ical.errors import IcalError, IcalFeedNotFound, IcalInvalidFeed
from hyte.integrations.ical.parser import (
    LANGUAGES,
    ParsedEvent,
    ParsedFeed,
    SkippedRecord,
    WeeklySlot,
    parse_feed,
    weekly_slots,
)
from hyte.integrations.ical.selectors import ical_feeds_editable_by
from hyte.integrations.models import ImportRun
from hyte.integrations.runs import import_run_finish, import_run_start

logger = logging.getLogger(__name__)

PREFIX = "ical:"
MAX_EXTERNAL_ID_LENGTH = 400
MAX_SCHEDULE_DESCRIPTION_LENGTH = 300
MAX_ERRORS_IN_LAST_ERROR = 20


@dataclass
class ImportResult:
    """What an import did; ``skipped`` holds the events that could not be read, with reasons."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.skipped)

    def summary(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed, "
            "%(skipped)d skipped"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": self.failed,
        }

    def problems(self) -> str:
        """The skipped events as text for ``ICalFeed.last_error`` (empty when none)."""
        if not self.skipped:
            return ""
        head = ngettext(
            "%(count)d event was skipped:", "%(count)d events were skipped:", len(self.skipped)
        ) % {"count": len(self.skipped)}
        lines = [record.describe() for record in self.skipped[:MAX_ERRORS_IN_LAST_ERROR]]
        return "\n".join([head, *lines])


# --- permissions ---


def _may_act_for(actor: User | None, organization_id: Any) -> bool:
    if actor is None:  # the platform itself
        return True
    return is_platform_admin(actor) or organization_id in organization_ids_for_user(actor)


def _check_service(organization: Organization, service: Service | None) -> None:
    if service is not None and service.organization_id != organization.pk:
        raise IcalInvalidFeed(
            _("The service must belong to the organization of the calendar feed."),
            details={"field": "service"},
        )


# --- feeds ---


@transaction.atomic
def ical_feed_create(
    *,
    actor: User | None,
    organization: Organization,
    url: str,
    service: Service | None = None,
    language: str = ICalFeed.Language.FINNISH,
    active: bool = True,
) -> ICalFeed:
    """Register a feed of an organization (the same address twice gives the existing feed)."""
    if not _may_act_for(actor, organization.pk):
        raise OrganizationNotFound()
    _check_service(organization, service)
    existing = ICalFeed.objects.filter(organization=organization, url=url).first()
    if existing is not None:
        return existing
    feed = ICalFeed(organization=organization, url=url, service=service, language=language, active=active)
    try:
        feed.full_clean()
    except ValidationError as exc:
        raise IcalInvalidFeed(details={"errors": exc.message_dict}) from exc
    feed.save()
    audit_record(actor=actor, action="ical_feed.create", obj=feed, details={"url": url})
    return feed


def ical_feed_import(*, actor: User | None, feed: ICalFeed, content: bytes | None = None) -> ImportResult:
    """Fetch the feed (or use ``content``, e.g. a saved copy) and import it in one transaction.

    Raises IcalFeedNotFound for a user who does not edit the feed's organization, and the coded
    IcalError of a feed that cannot be fetched or read (after recording it in ``last_error``).
    Not atomic as a whole on purpose: the network is not read inside a database transaction, and a
    failure is recorded even though the import itself rolls back."""
    if actor is not None:
        scoped = ical_feeds_editable_by(actor).filter(pk=feed.pk).first()
        if scoped is None:
            raise IcalFeedNotFound()
        feed = scoped
    run = import_run_start(
        source="ical", location=feed.url, actor=actor, organization_id=feed.organization_id
    )
    try:
        body = content if content is not None else fetch_feed(feed.url)
        parsed = parse_feed(body, default_language=feed.language)
        result = _import_feed(actor=actor, feed_id=feed.pk, parsed=parsed)
    except DomainError as exc:
        if isinstance(exc, IcalError):
            _record_failure(actor=actor, feed_id=feed.pk, error=exc)
        import_run_finish(run, failure=str(exc.message))
        raise
    _finish_run(run, result)
    return result


def _finish_run(run: ImportRun, result: ImportResult) -> None:
    import_run_finish(
        run,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        withdrawn=result.removed,
        errors=[{"id": r.uid or r.title, "reason": str(r.reason)} for r in result.skipped],
    )


@transaction.atomic
def _import_feed(*, actor: User | None, feed_id: Any, parsed: ParsedFeed) -> ImportResult:
    feed = (
        ICalFeed.objects.select_for_update(of=("self",))
        .select_related("organization", "service")
        .filter(pk=feed_id)
        .first()
    )
    if feed is None:  # deleted meanwhile
        raise IcalFeedNotFound()
    _check_service(feed.organization, feed.service)
    result = _apply(
        organization=feed.organization,
        service=feed.service,
        feed=feed,
        source=str(feed.pk),
        existing=Event.objects.filter(feed=feed),
        parsed=parsed,
    )
    feed.last_fetched_at = timezone.now()
    feed.last_error = result.problems()
    feed.full_clean()
    feed.save(update_fields=["last_fetched_at", "last_error"])
    audit_record(actor=actor, action="ical_feed.import", obj=feed, details=_details(result))
    return result


@transaction.atomic
def _record_failure(*, actor: User | None, feed_id: Any, error: IcalError) -> None:
    feed = ICalFeed.objects.select_for_update().filter(pk=feed_id).first()
    if feed is None:
        return
    feed.last_error = str(error.message)
    feed.full_clean()
    feed.save(update_fields=["last_error"])
    audit_record(
        actor=actor, action="ical_feed.import_failed", obj=feed, details={"code": error.code, **error.details}
    )


def ical_file_import(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    content: bytes,
    service: Service | None = None,
    language: str = ICalFeed.Language.FINNISH,
) -> ImportResult:
    """Import a local .ics file for an organization (no stored feed). Files of the same ``name`` are
    the same source: importing a newer copy updates and removes the events of the older one."""
    if not _may_act_for(actor, organization.pk):
        raise OrganizationNotFound()
    _check_service(organization, service)
    source = f"file:{organization.pk}:{slugify(name)[:60] or 'calendar'}"
    run = import_run_start(source="ical", location=name, actor=actor, organization_id=organization.pk)
    try:
        parsed = parse_feed(content, default_language=language)
        result = _import_file(
            actor=actor, organization=organization, service=service, source=source, parsed=parsed
        )
    except DomainError as exc:
        import_run_finish(run, failure=str(exc.message))
        raise
    _finish_run(run, result)
    return result


@transaction.atomic
def _import_file(
    *,
    actor: User | None,
    organization: Organization,
    service: Service | None,
    source: str,
    parsed: ParsedFeed,
) -> ImportResult:
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one import at a time
    result = _apply(
        organization=organization,
        service=service,
        feed=None,
        source=source,
        existing=Event.objects.filter(
            organization=organization, feed__isnull=True, external_id__startswith=f"{PREFIX}{source}:"
        ),
        parsed=parsed,
    )
    audit_record(
        actor=actor,
        action="ical_file.import",
        obj=organization,
        details={"source": source, **_details(result)},
    )
    return result


def _details(result: ImportResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "removed": result.removed,
        "skipped": [{"uid": r.uid, "reason": r.reason} for r in result.skipped[:MAX_ERRORS_IN_LAST_ERROR]],
    }


# --- the import itself ---


def _location_index(organization: Organization) -> dict[str, Any]:
    """Location names (any language, case-folded) of the organization -> location id."""
    index: dict[str, Any] = {}
    for location in Location.objects.filter(organization=organization).order_by("pk"):
        for lang in LANGUAGES:
            name = (getattr(location, f"name_{lang}") or "").strip().casefold()
            if name:
                index.setdefault(name, location.pk)
    return index


def _match_location(text: str, index: dict[str, Any]) -> Any:
    """The organization's location an event's LOCATION names: the whole text or its first part
    ("Kokkolan uimahalli, Rantakatu 5" -> Kokkolan uimahalli)."""
    text = text.strip().casefold()
    if not text:
        return None
    return index.get(text) or index.get(text.split(",")[0].strip())


def _translated(name: str, texts: Mapping[str, str | None], *, max_length: int = 0) -> dict[str, str]:
    """Columns of a translated field; Finnish falls back to Swedish/English so the base is never empty."""
    values = {lang: texts.get(lang) or "" for lang in LANGUAGES}
    if max_length:
        values = {lang: value[:max_length] for lang, value in values.items()}
    values["fi"] = values["fi"] or values["sv"] or values["en"]
    return {f"{name}_{lang}": value for lang, value in values.items()}


def _event_fields(
    parsed: ParsedEvent,
    *,
    organization: Organization,
    service: Service | None,
    feed: ICalFeed | None,
    locations: dict[str, Any],
) -> dict[str, Any]:
    return {
        "uid": parsed.uid,
        "organization_id": organization.pk,
        "service_id": service.pk if service else None,
        "feed_id": feed.pk if feed else None,
        **_translated("title", parsed.title),
        **_translated("description", parsed.description),
        "location_text": parsed.location_text,
        "location_id": _match_location(parsed.location_text, locations),
        "starts_at": parsed.starts_at,
        "ends_at": parsed.ends_at,
        "all_day": parsed.all_day,
        "rrule": parsed.rrule,
        "recurrence_end": parsed.recurrence_end,
        "exdates": [value.isoformat() for value in parsed.exdates],
        "rdates": [value.isoformat() for value in parsed.rdates],
        "cancelled": parsed.cancelled,
    }


def _fingerprint(fields: dict[str, Any], slots: tuple[WeeklySlot, ...] | None) -> str:
    data = {"fields": fields, "slots": [slot.__dict__ for slot in slots or ()]}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _replace_schedules(
    event: Event, parsed: ParsedEvent, slots: tuple[WeeklySlot, ...] | None, service: Service | None
) -> set[Any]:
    """Make the event's Schedule rows match ``slots``; returns the ids of the services touched."""
    touched = {s.service_id for s in event.schedules.all()}
    Schedule.objects.filter(pk__in=[s.pk for s in event.schedules.all()]).delete()
    if not slots or service is None:
        return touched
    created = []
    for slot in slots:
        schedule = Schedule(
            service=service,
            location_id=event.location_id,
            weekday=slot.weekday,
            opens_at=slot.opens_at,
            closes_at=slot.closes_at,
            valid_from=slot.valid_from,
            valid_to=slot.valid_to,
            **_translated("description", parsed.title, max_length=MAX_SCHEDULE_DESCRIPTION_LENGTH),
        )
        schedule.full_clean()
        schedule.save()
        created.append(schedule)
    event.schedules.set(created)
    return touched | {service.pk}


def _delete_event(event: Event) -> set[Any]:
    touched = {s.service_id for s in event.schedules.all()}
    Schedule.objects.filter(pk__in=[s.pk for s in event.schedules.all()]).delete()
    event.delete()
    return touched


def _apply(
    *,
    organization: Organization,
    service: Service | None,
    feed: ICalFeed | None,
    source: str,
    existing: QuerySet[Event],
    parsed: ParsedFeed,
) -> ImportResult:
    result = ImportResult(source=source, skipped=list(parsed.skipped))
    rows = {e.external_id: e for e in existing.select_for_update().prefetch_related("schedules")}
    locations = _location_index(organization)
    touched_services: set[Any] = set()
    seen: set[str] = set()
    for item in parsed.events:
        external_id = f"{PREFIX}{source}:{item.key}"
        if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
            result.skipped.append(_skip(item, _("The event identifier (UID) is too long.")))
            continue
        seen.add(external_id)
        fields = _event_fields(
            item, organization=organization, service=service, feed=feed, locations=locations
        )
        slots = weekly_slots(item) if service is not None else None
        fingerprint = _fingerprint(fields, slots)
        event = rows.get(external_id)
        if event is not None and event.source_hash == fingerprint:
            result.unchanged += 1
            continue
        created = event is None
        event = event or Event(external_id=external_id)
        for name, value in fields.items():
            setattr(event, name, value)
        event.source_hash = fingerprint
        try:
            with transaction.atomic():  # a savepoint: a failing record leaves no trace
                event.full_clean()
                event.save()
                touched_services |= _replace_schedules(event, item, slots, service)
        except (ValidationError, IntegrityError) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)[:200]
            result.skipped.append(_skip(item, reason))
            continue  # an existing row stays as it was (it is in ``seen``, so it is not removed)
        if created:
            result.created += 1
        else:
            result.updated += 1
    for external_id, event in rows.items():
        if external_id not in seen:
            touched_services |= _delete_event(event)
            result.removed += 1
    search_index_refresh(service_ids=sorted(touched_services, key=str))
    for record in result.skipped:
        logger.warning("iCalendar event skipped (%s): %s", source, record.describe())
    return result


def _skip(item: ParsedEvent, reason: str) -> SkippedRecord:
    return SkippedRecord(uid=item.uid, title=next(iter(item.title.values()), ""), reason=reason)
