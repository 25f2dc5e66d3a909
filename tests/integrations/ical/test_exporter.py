"""A service's weekly times and events -> .ics, read back with icalendar and our own parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from hyte.catalog.models import ICalFeed, Location, Schedule, Service
from hyte.integrations.ical.exporter import first_date, service_calendar
from hyte.integrations.ical.parser import WeeklySlot, parse_feed, weekly_slots
from hyte.integrations.ical.selectors import calendar_events, calendar_schedules
from hyte.integrations.ical.services import ical_feed_import
from tests.catalog.factories import ScheduleFactory
from tests.integrations.ical.conftest import feed_bytes

pytestmark = pytest.mark.django_db

HKI = ZoneInfo("Europe/Helsinki")


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HKI)


@pytest.fixture
def tuesdays(jumppa: Service, uimahalli: Location) -> Schedule:
    return ScheduleFactory(
        service=jumppa,
        location=uimahalli,
        weekday=2,
        opens_at=time(10, 0),
        closes_at=time(11, 30),
        valid_from=date(2026, 1, 5),
        valid_to=date(2026, 5, 26),
        description_fi="Tuolijumppa",
        description_sv="Stolgympa",
        description_en="",
    )


def export(service: Service, schedules: list[Schedule], language: str = "fi", **kwargs: object) -> Calendar:
    body = service_calendar(service=service, schedules=schedules, events=[], language=language, **kwargs)  # type: ignore[arg-type]
    return Calendar.from_ical(body)


def test_weekly_schedule_round_trip(jumppa: Service, tuesdays: Schedule) -> None:
    calendar = export(jumppa, [tuesdays], url="https://hyte.example/palvelut/x/", today=date(2026, 3, 1))
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Helsinki"]
    assert calendar.calendar_name == "Ikäihmisten jumppa"
    (event,) = calendar.events
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    # the first Tuesday on or after valid_from (5 January 2026 is a Monday), even when that is past
    assert event.start == hki(2026, 1, 6, 10, 0)
    assert event.end == hki(2026, 1, 6, 11, 30)
    rule = event["RRULE"]
    assert (rule["FREQ"], rule["BYDAY"]) == (["WEEKLY"], ["TU"])
    assert rule["UNTIL"] == [datetime(2026, 5, 26, 20, 59, 59, tzinfo=UTC)]  # end of 26 May in Helsinki
    assert str(event["SUMMARY"]) == "Ikäihmisten jumppa"
    assert str(event["DESCRIPTION"]) == "Tuolijumppa"
    assert str(event["LOCATION"]) == "Kokkolan uimahalli, Rantakatu 5, 67100 Kokkola"
    assert str(event["URL"]) == "https://hyte.example/palvelut/x/"
    assert str(event["UID"]) == f"schedule-{tuesdays.pk}@hyte-platform"
    starts = [o.start for o in recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2027, 1, 1))]
    assert len(starts) == 21
    assert (starts[0], starts[-1]) == (hki(2026, 1, 6, 10), hki(2026, 5, 26, 10))
    assert {s.isoweekday() for s in starts} == {2} and {s.astimezone(HKI).time() for s in starts} == {
        time(10)
    }
    # and our own importer reads it back as the same weekly time
    (parsed,) = parse_feed(calendar.to_ical()).events
    assert weekly_slots(parsed) == (
        WeeklySlot(2, time(10), time(11, 30), date(2026, 1, 6), date(2026, 5, 26)),
    )


def test_uids_are_stable(jumppa: Service, tuesdays: Schedule) -> None:
    first = export(jumppa, [tuesdays]).events[0]
    second = export(jumppa, [tuesdays], language="en").events[0]
    assert first["UID"] == second["UID"]


def test_texts_in_the_requested_language(jumppa: Service, tuesdays: Schedule) -> None:
    calendar = export(jumppa, [tuesdays], language="sv")
    (event,) = calendar.events
    assert str(event["SUMMARY"]) == "Gympa för seniorer"
    assert str(event["DESCRIPTION"]) == "Stolgympa"
    assert str(event["LOCATION"]) == "Karleby simhall, Strandgatan 5, 67100 Karleby"
    # no English description: Finnish is the fallback
    assert str(export(jumppa, [tuesdays], language="en").events[0]["DESCRIPTION"]) == "Tuolijumppa"


def test_without_valid_from_the_series_starts_today_or_after(jumppa: Service) -> None:
    schedule = ScheduleFactory(service=jumppa, weekday=2, valid_from=None, valid_to=None)
    (event,) = export(jumppa, [schedule], today=date(2026, 11, 25)).events  # a Wednesday
    assert event.start == hki(2026, 12, 1, 10, 0)
    assert "UNTIL" not in event["RRULE"]
    assert "LOCATION" not in event  # neither the schedule nor the service has a place


def test_the_services_only_location_is_used(jumppa: Service, uimahalli: Location) -> None:
    jumppa.service_at_locations.create(location=uimahalli)
    schedule = ScheduleFactory(service=jumppa, location=None)
    (event,) = export(jumppa, [schedule]).events
    assert str(event["LOCATION"]) == "Kokkolan uimahalli, Rantakatu 5, 67100 Kokkola"


def test_a_schedule_that_has_ended_is_left_out(jumppa: Service, tuesdays: Schedule) -> None:
    assert calendar_schedules(service=jumppa, today=date(2026, 5, 27)) == []
    assert calendar_schedules(service=jumppa, today=date(2026, 5, 26)) == [tuesdays]
    # without valid_from the series would start after valid_to: no entry rather than an empty series
    undated = ScheduleFactory(service=jumppa, weekday=2, valid_from=None, valid_to=date(2026, 5, 26))
    assert export(jumppa, [undated], today=date(2026, 5, 27)).events == []
    assert len(export(jumppa, [undated], today=date(2026, 5, 26)).events) == 1


@pytest.mark.parametrize(
    ("weekday", "day", "expected"),
    [
        (1, date(2026, 1, 5), date(2026, 1, 5)),
        (7, date(2026, 1, 5), date(2026, 1, 11)),
        (1, date(2026, 1, 6), date(2026, 1, 12)),
    ],
)
def test_first_date(weekday: int, day: date, expected: date) -> None:
    assert first_date(weekday, day) == expected


def test_imported_events_are_exported(feed_a: ICalFeed, jumppa: Service) -> None:
    ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
    events = calendar_events(service=jumppa, since=hki(2026, 6, 1))
    # the weekly meeting is published as schedules; events over before June are left out
    assert sorted(e.uid for e in events) == [
        "kuutamokavely@kokkolanlatu.fi",
        "sauvakavely@kokkolanlatu.fi",
        "syysretki-2026@kokkolanlatu.fi",
        "tukholma-retki-2026@kokkolanlatu.fi",
    ]
    body = service_calendar(
        service=jumppa,
        schedules=calendar_schedules(service=jumppa, today=date(2026, 1, 1)),
        events=calendar_events(service=jumppa, since=hki(2026, 1, 1)),
        language="fi",
        today=date(2026, 1, 1),
    )
    calendar = Calendar.from_ical(body)
    by_summary = {str(e["SUMMARY"]): e for e in calendar.events}
    assert sorted(by_summary) == [
        "Hiihtopäivä koko perheelle",
        "Ikäihmisten jumppa",
        "Kevätkokous",
        "Kuutamokävely",
        "Retki Tukholmaan",
        "Sauvakävely",
        "Syysretki Salamajärvelle",
    ]
    assert len(calendar.events) == 8  # two weekly times of the group meeting (Tuesdays and Thursdays)
    assert by_summary["Hiihtopäivä koko perheelle"].start == date(2026, 2, 14)
    assert str(by_summary["Syysretki Salamajärvelle"]["STATUS"]) == "CANCELLED"
    assert str(by_summary["Kuutamokävely"]["LOCATION"]) == "Halkokarin parkkipaikka"
    summer = recurring_ical_events.of(calendar).between(date(2026, 6, 1), date(2026, 9, 1))
    walks = [o.start for o in summer if str(o["SUMMARY"]) == "Kuutamokävely"]
    assert walks == [hki(2026, 6, 3, 18), hki(2026, 8, 5, 18)]  # July excluded, as in the source
