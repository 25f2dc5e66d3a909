"""Reads for the iCalendar integration: feeds the acting user may import, a public service's
calendar, and upcoming occurrences of events (recurrences expanded with recurring-ical-events)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from hyte.accounts.selectors import User, is_platform_admin, organization_ids_for_user
from hyte.catalog.errors import ServiceNotFound
from hyte.catalog.models import Event, ICalFeed, Organization, Schedule, Service
from hyte.catalog.selectors import parse_uuid, public_services
from hyte.integrations.ical.parser import Recurrence, expand_occurrences

# Occurrences of a series may last this long and still reach into a window that starts later.
MAX_OCCURRENCE_LENGTH = timedelta(days=31)


def ical_feeds_editable_by(user: User) -> QuerySet[ICalFeed]:
    """Feeds of the organizations the user edits (all for a platform admin, none for others)."""
    if is_platform_admin(user):
        return ICalFeed.objects.all()
    return ICalFeed.objects.filter(organization_id__in=organization_ids_for_user(user))


def calendar_service(*, service_id: object) -> Service:
    """A public (active) service for its .ics feed; an unknown or inactive one is not found."""
    service = public_services().select_related("organization").filter(pk=parse_uuid(service_id)).first()
    if service is None:
        raise ServiceNotFound()
    return service


def calendar_schedules(*, service: Service, today: Any = None) -> list[Schedule]:
    """The service's weekly times that have not ended."""
    today = today or timezone.localdate()
    return list(
        Schedule.objects.filter(service=service)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("location")
        .order_by("weekday", "opens_at", "pk")
    )


def _recurring() -> Q:
    return ~Q(rrule="") | Q(recurrence_end__isnull=False)


def _overlapping(start: datetime, end: datetime | None = None) -> Q:
    """Events that may have an occurrence in [start, end)."""
    still_running = Q(ends_at__gte=start) | (
        _recurring() & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gte=start - MAX_OCCURRENCE_LENGTH))
    )
    return still_running & Q(starts_at__lt=end) if end is not None else still_running


def calendar_events(*, service: Service, since: datetime) -> list[Event]:
    """The service's events that are not published as weekly times and have not ended before ``since``."""
    return list(
        Event.objects.filter(service=service, schedules__isnull=True)
        .filter(_overlapping(since))
        .select_related("location")
        .order_by("starts_at", "pk")
    )


def event_recurrence(event: Event) -> Recurrence:
    return Recurrence(
        key=event.pk,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=event.all_day,
        rrule=event.rrule,
        exdates=[datetime.fromisoformat(v) for v in event.exdates],
        rdates=[datetime.fromisoformat(v) for v in event.rdates],
    )


@dataclass(frozen=True)
class EventOccurrence:
    event: Event
    starts_at: datetime
    ends_at: datetime


def upcoming_event_occurrences(
    *,
    service_id: object = None,
    organization_id: object = None,
    start: datetime | None = None,
    days: int = 60,
    limit: int = 100,
    include_weekly: bool = False,
) -> list[EventOccurrence]:
    """Public read: occurrences of events (of a service or an organization) starting in the next ``days``
    days, cancelled ones included (``event.cancelled``). Events of inactive services are left out, and
    so are those published as the service's weekly times unless ``include_weekly``."""
    start = start or timezone.now()
    end = start + timedelta(days=days)
    events = Event.objects.filter(Q(service__isnull=True) | Q(service__status=Service.Status.ACTIVE))
    if service_id is not None:
        events = events.filter(service_id=parse_uuid(service_id))
    if organization_id is not None:
        events = events.filter(organization_id=parse_uuid(organization_id))
    if not include_weekly:
        events = events.filter(schedules__isnull=True)
    by_pk = {e.pk: e for e in events.filter(_overlapping(start, end)).select_related("location", "service")}
    occurrences = expand_occurrences((event_recurrence(e) for e in by_pk.values()), start, end)
    return [
        EventOccurrence(event=by_pk[o.key], starts_at=o.starts_at, ends_at=o.ends_at) for o in occurrences
    ][:limit]


def feeds_to_import(*, organization_id: uuid.UUID | None = None) -> QuerySet[ICalFeed]:
    """Active feeds for the scheduled import (a system read: not scoped to a user)."""
    feeds = ICalFeed.objects.filter(active=True).select_related("organization", "service")
    if organization_id is not None:
        feeds = feeds.filter(organization_id=organization_id)
    return feeds.order_by("organization__name_fi", "url")


def organization_by_external_id(external_id: str) -> Organization | None:
    return Organization.objects.filter(external_id=external_id).first()


def service_by_external_id(*, organization: Organization, external_id: str) -> Service | None:
    return Service.objects.filter(organization=organization, external_id=external_id).first()
