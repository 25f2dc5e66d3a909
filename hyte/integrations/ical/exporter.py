"""A service's weekly times and events -> an iCalendar (RFC 5545) VCALENDAR.

Each Schedule row becomes a weekly series: DTSTART on the first matching weekday on or after its
``valid_from`` (or today when it has none), RRULE FREQ=WEEKLY;BYDAY=..; with UNTIL at the end of
``valid_to`` (Finnish time). Events keep their rule, exceptions and cancellation. Times carry
TZID=Europe/Helsinki with its VTIMEZONE. UIDs are derived from our primary keys, so a calendar
that subscribes to the feed updates the same entries instead of adding new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone, translation
from icalendar import Calendar, Timezone, vRecur
from icalendar import Event as VEvent

from hyte.catalog.models import Event, Location, Schedule, Service
from hyte.integrations.ical.parser import HELSINKI, recurrence_component
from hyte.integrations.ical.selectors import event_recurrence

PRODID = "-//HYTE platform//Service tray//EN"
UID_DOMAIN = "hyte-platform"
WEEKDAY_CODES = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


def schedule_uid(schedule: Schedule) -> str:
    return f"schedule-{schedule.pk}@{UID_DOMAIN}"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{UID_DOMAIN}"


def location_text(location: Location) -> str:
    """ "Name, Street 1, 67100 Town" in the active language."""
    town = " ".join(part for part in (location.postal_code, location.post_office) if part)
    return ", ".join(part for part in (location.name, location.street_address, town) if part)


def first_date(weekday: int, on_or_after: date) -> date:
    """The first date with this ISO weekday (1 = Monday) on or after ``on_or_after``."""
    return on_or_after + timedelta(days=(weekday - on_or_after.isoweekday()) % 7)


def _schedule_component(
    schedule: Schedule, *, service: Service, today: date, place: str, url: str, stamp: datetime
) -> VEvent | None:
    day = first_date(schedule.weekday, schedule.valid_from or today)
    if schedule.valid_to is not None and day > schedule.valid_to:
        return None  # no occurrence left
    rule = vRecur(FREQ="WEEKLY", BYDAY=WEEKDAY_CODES[schedule.weekday])
    if schedule.valid_to is not None:
        # the whole last day counts: UNTIL is the end of valid_to, in UTC as RFC 5545 requires
        rule["UNTIL"] = datetime.combine(schedule.valid_to, time(23, 59, 59), HELSINKI).astimezone(UTC)
    component = VEvent()
    component.add("UID", schedule_uid(schedule))
    component.add("DTSTAMP", stamp)
    component.add("DTSTART", datetime.combine(day, schedule.opens_at, HELSINKI))
    component.add("DTEND", datetime.combine(day, schedule.closes_at, HELSINKI))
    component.add("RRULE", rule)
    component.add("SUMMARY", service.name)
    if schedule.description:
        component.add("DESCRIPTION", schedule.description)
    if schedule.location is not None:
        place = location_text(schedule.location)
    if place:
        component.add("LOCATION", place)
    if url:
        component.add("URL", url)
    return component


def _event_component(event: Event, *, place: str, url: str, stamp: datetime) -> VEvent:
    component = recurrence_component(event_recurrence(event), uid=event_uid(event))
    component.add("DTSTAMP", stamp)
    component.add("SUMMARY", event.title)
    if event.description:
        component.add("DESCRIPTION", event.description)
    if event.location is not None:
        place = location_text(event.location)
    elif event.location_text:
        place = event.location_text
    if place:
        component.add("LOCATION", place)
    if event.cancelled:
        component.add("STATUS", "CANCELLED")
    if url:
        component.add("URL", url)
    return component


def service_calendar(
    *,
    service: Service,
    schedules: Iterable[Schedule],
    events: Iterable[Event],
    language: str,
    url: str = "",
    today: date | None = None,
) -> bytes:
    """The .ics bytes of a service: texts in ``language`` (with the usual fallbacks), ``url`` as the
    link of every entry. The service's own location is used where an entry names none and the
    service has exactly one."""
    today = today or timezone.localdate()
    stamp = timezone.now().replace(microsecond=0).astimezone(UTC)
    with translation.override(language):
        locations = list(service.locations.all()[:2])
        default_place = location_text(locations[0]) if len(locations) == 1 else ""
        calendar = Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "PUBLISH")
        calendar.add("NAME", service.name)
        calendar.add("X-WR-CALNAME", service.name)
        calendar.add_component(Timezone.from_tzid("Europe/Helsinki"))
        for schedule in schedules:
            component = _schedule_component(
                schedule, service=service, today=today, place=default_place, url=url, stamp=stamp
            )
            if component is not None:
                calendar.add_component(component)
        for event in events:
            calendar.add_component(_event_component(event, place=default_place, url=url, stamp=stamp))
        return calendar.to_ical()
