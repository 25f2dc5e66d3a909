"""Feed bytes -> ParsedEvent: times into Europe/Helsinki, recurrences, skipped records."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hyte.integrations.ical.errors import IcalParseError
from hyte.integrations.ical.parser import (
    ParsedEvent,
    Recurrence,
    WeeklySlot,
    expand_occurrences,
    parse_feed,
    weekly_slots,
)
from tests.integrations.ical.conftest import calendar, feed_bytes

HKI = ZoneInfo("Europe/Helsinki")


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HKI)


@pytest.fixture
def events() -> dict[str, ParsedEvent]:
    return {e.uid: e for e in parse_feed(feed_bytes()).events}


def test_reads_the_events_and_reports_the_broken_ones() -> None:
    feed = parse_feed(feed_bytes())
    assert sorted(e.uid for e in feed.events) == [
        "hiihtopaiva-2026@kokkolanlatu.fi",
        "kevatkokous-2026@kokkolanlatu.fi",
        "kuutamokavely@kokkolanlatu.fi",
        "sauvakavely@kokkolanlatu.fi",
        "syysretki-2026@kokkolanlatu.fi",
        "tukholma-retki-2026@kokkolanlatu.fi",
        "tuolijumppa-kevat-2026@kokkolanlatu.fi",
    ]
    assert [(s.uid, s.title, s.reason) for s in feed.skipped] == [
        ("", "Kevättalkoot", "The event has no identifier (UID)."),
        ("avoimet-ovet@kokkolanlatu.fi", "Avoimet ovet", "The event has no start time (DTSTART)."),
    ]


def test_weekly_group_meeting_with_until(events: dict[str, ParsedEvent]) -> None:
    event = events["tuolijumppa-kevat-2026@kokkolanlatu.fi"]
    assert event.title == {"fi": "Tuolijumppa"}
    assert event.description == {"fi": "Kevyt jumppa tuolilla istuen.\nOta mukaan vesipullo ja hyvä mieli."}
    assert event.location_text == "Kokkolan uimahalli, Rantakatu 5, 67100 Kokkola"
    assert (event.starts_at, event.ends_at) == (hki(2026, 1, 13, 10, 0), hki(2026, 1, 13, 11, 30))
    assert event.starts_at.tzinfo == HKI
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20260528T205959Z;BYDAY=TU,TH;WKST=MO"
    assert event.recurrence_end == hki(2026, 5, 28, 23, 59, 59)
    assert weekly_slots(event) == (
        WeeklySlot(2, time(10, 0), time(11, 30), date(2026, 1, 13), date(2026, 5, 28)),
        WeeklySlot(4, time(10, 0), time(11, 30), date(2026, 1, 13), date(2026, 5, 28)),
    )


def test_monthly_event_with_count_and_exdate(events: dict[str, ParsedEvent]) -> None:
    event = events["kuutamokavely@kokkolanlatu.fi"]
    assert event.rrule == "FREQ=MONTHLY;COUNT=10;BYDAY=1WE"
    assert event.exdates == (hki(2026, 7, 1, 18, 0),)
    assert event.recurrence_end == hki(2026, 10, 7, 18, 0)  # the 10th first Wednesday
    assert weekly_slots(event) is None
    starts = [o.starts_at for o in expand_occurrences([_recurrence(event)], hki(2026, 1, 1), hki(2027, 1, 1))]
    assert [s.date() for s in starts] == [
        date(2026, 1, 7),
        date(2026, 2, 4),
        date(2026, 3, 4),
        date(2026, 4, 1),
        date(2026, 5, 6),
        date(2026, 6, 3),
        # 1 July is excluded (EXDATE)
        date(2026, 8, 5),
        date(2026, 9, 2),
        date(2026, 10, 7),
    ]
    assert {s.time() for s in starts} == {time(18, 0)}  # local time across the DST change


def test_weekly_with_exdate_stays_an_event(events: dict[str, ParsedEvent]) -> None:
    event = events["sauvakavely@kokkolanlatu.fi"]
    assert event.exdates == (hki(2026, 4, 6, 17, 0),)
    assert event.recurrence_end is None  # endless
    assert weekly_slots(event) is None
    starts = [
        o.starts_at for o in expand_occurrences([_recurrence(event)], hki(2026, 3, 30), hki(2026, 4, 20))
    ]
    assert starts == [hki(2026, 3, 30, 17), hki(2026, 4, 13, 17)]


def test_all_day_event(events: dict[str, ParsedEvent]) -> None:
    event = events["hiihtopaiva-2026@kokkolanlatu.fi"]
    assert event.all_day is True
    assert (event.starts_at, event.ends_at) == (hki(2026, 2, 14), hki(2026, 2, 15))


def test_utc_and_other_timezones_become_helsinki_time(events: dict[str, ParsedEvent]) -> None:
    meeting = events["kevatkokous-2026@kokkolanlatu.fi"]
    assert (meeting.starts_at, meeting.ends_at) == (hki(2026, 3, 16, 18), hki(2026, 3, 16, 20))
    trip = events["tukholma-retki-2026@kokkolanlatu.fi"]
    assert (trip.starts_at, trip.ends_at) == (hki(2026, 8, 8, 10), hki(2026, 8, 8, 18))
    assert all(e.starts_at.utcoffset() == hki(2026, 8, 8).utcoffset() for e in [trip])


def test_floating_time_is_finnish_local_time_and_cancelled_is_kept(events: dict[str, ParsedEvent]) -> None:
    trip = events["syysretki-2026@kokkolanlatu.fi"]
    assert trip.starts_at == hki(2026, 9, 12, 9, 0)
    assert trip.cancelled is True
    assert not events["kevatkokous-2026@kokkolanlatu.fi"].cancelled


def test_outlook_timezone_from_vtimezone() -> None:
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        b"BEGIN:VTIMEZONE\r\nTZID:FLE Standard Time\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16011028T040000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
        b"TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\n"
        b"BEGIN:DAYLIGHT\r\nDTSTART:16010325T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
        b"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        b"BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E008@outlook\r\n"
        b"DTSTART;TZID=FLE Standard Time:20261104T130000\r\nDURATION:PT1H30M\r\n"
        b"SUMMARY;LANGUAGE=sv-FI:Samtalsgrupp\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (event,) = parse_feed(content).events
    assert (event.starts_at, event.ends_at) == (hki(2026, 11, 4, 13, 0), hki(2026, 11, 4, 14, 30))
    assert event.title == {"sv": "Samtalsgrupp"}  # the LANGUAGE parameter wins over the feed's language


def test_texts_without_language_are_in_the_feeds_language() -> None:
    content = calendar("UID:a\nDTSTART:20261104T130000\nSUMMARY:Samtalsgrupp\nDESCRIPTION:Välkommen!")
    (event,) = parse_feed(content, default_language="sv").events
    assert event.title == {"sv": "Samtalsgrupp"}
    assert event.description == {"sv": "Välkommen!"}


def test_modified_occurrence_becomes_its_own_event() -> None:
    content = calendar(
        """
        UID:kerho@seurakunta.fi
        DTSTART;TZID=Europe/Helsinki:20260902T170000
        DTEND;TZID=Europe/Helsinki:20260902T183000
        RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4
        SUMMARY:Perhekerho
        """,
        """
        UID:kerho@seurakunta.fi
        RECURRENCE-ID;TZID=Europe/Helsinki:20260909T170000
        DTSTART;TZID=Europe/Helsinki:20260910T120000
        DTEND;TZID=Europe/Helsinki:20260910T133000
        SUMMARY:Perhekerho (poikkeuksellisesti torstaina)
        """,
    )
    master, moved = parse_feed(content).events
    assert master.key == "kerho@seurakunta.fi"
    assert moved.key == "kerho@seurakunta.fi#20260909T170000"
    assert master.exdates == (hki(2026, 9, 9, 17),)
    assert weekly_slots(master) is None  # it has an exception now
    occurrences = expand_occurrences(
        [_recurrence(master), _recurrence(moved)], hki(2026, 9, 1), hki(2026, 10, 1)
    )
    assert [(o.key, o.starts_at) for o in occurrences] == [
        (master.key, hki(2026, 9, 2, 17)),
        (moved.key, hki(2026, 9, 10, 12)),
        (master.key, hki(2026, 9, 16, 17)),
        (master.key, hki(2026, 9, 23, 17)),
    ]


@pytest.mark.parametrize(
    ("rrule", "start", "end"),
    [
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", "20260113T100000", "20260113T113000"),  # COUNT
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "20260113T100000", "20260113T113000"),  # every other week
        ("FREQ=MONTHLY;BYDAY=1TU", "20260113T100000", "20260113T113000"),
        ("FREQ=WEEKLY;BYDAY=WE", "20260113T100000", "20260113T113000"),  # DTSTART not on a BYDAY
        ("FREQ=WEEKLY;BYDAY=TU", "20260113T220000", "20260114T010000"),  # over midnight
        ("FREQ=WEEKLY", "20260113T100000", "20260113T113000"),  # no BYDAY
    ],
)
def test_only_plain_weekly_rules_become_schedules(rrule: str, start: str, end: str) -> None:
    content = calendar(f"UID:x\nDTSTART:{start}\nDTEND:{end}\nRRULE:{rrule}\nSUMMARY:Ryhmä")
    (event,) = parse_feed(content).events
    assert event.rrule
    assert weekly_slots(event) is None


def test_until_as_a_date_counts_the_whole_day() -> None:
    content = calendar(
        "UID:x\nDTSTART:20260113T180000\nDTEND:20260113T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20260526\n"
        "SUMMARY:Ryhmä"
    )
    (event,) = parse_feed(content).events
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20260526T205959Z;BYDAY=TU"  # RFC 5545: UTC for timed events
    assert weekly_slots(event) == (WeeklySlot(2, time(18), time(19), date(2026, 1, 13), date(2026, 5, 26)),)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("SUMMARY:Ilman tunnistetta\nDTSTART:20260101T100000", "The event has no identifier (UID)."),
        ("UID:a\nSUMMARY:Ilman alkua", "The event has no start time (DTSTART)."),
        ("UID:a\nDTSTART:20260101T100000", "The event has no title (SUMMARY)."),
        ("UID:a\nSUMMARY:Rikki\nDTSTART:tomorrow", "The event has an invalid DTSTART value."),
        (
            "UID:a\nSUMMARY:Väärin päin\nDTSTART:20260101T100000\nDTEND:20260101T090000",
            "The event ends before it starts.",
        ),
        (
            "UID:a\nSUMMARY:Outo sääntö\nDTSTART:20260101T100000\nRRULE:FREQ=SOMETIMES",
            "The event has an invalid RRULE value.",
        ),
        (
            f"UID:{'x' * 300}\nSUMMARY:Pitkä\nDTSTART:20260101T100000",
            "The event identifier (UID) is too long.",
        ),
    ],
)
def test_broken_events_are_skipped_with_a_reason(body: str, reason: str) -> None:
    content = calendar(body, "UID:ok\nSUMMARY:Kunnossa\nDTSTART:20260101T100000")
    feed = parse_feed(content)
    assert [e.uid for e in feed.events] == ["ok"]
    assert [s.reason for s in feed.skipped] == [reason]


def test_duplicate_uid_is_skipped() -> None:
    content = calendar(
        "UID:a\nSUMMARY:Eka\nDTSTART:20260101T100000", "UID:a\nSUMMARY:Toka\nDTSTART:20260102T100000"
    )
    feed = parse_feed(content)
    assert [e.title for e in feed.events] == [{"fi": "Eka"}]
    assert [(s.uid, s.reason) for s in feed.skipped] == [
        ("a", "Another event in the feed has the same identifier (UID).")
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n",
        b"\x00\xff\xfe binary",
    ],
)
def test_content_that_is_not_icalendar_is_an_error(content: bytes) -> None:
    with pytest.raises(IcalParseError) as excinfo:
        parse_feed(content)
    assert excinfo.value.code == "ical_invalid"


def test_an_empty_calendar_has_no_events() -> None:
    assert parse_feed(calendar()).events == ()


def _recurrence(event: ParsedEvent) -> Recurrence:
    return Recurrence(
        key=event.key,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=event.all_day,
        rrule=event.rrule,
        exdates=event.exdates,
        rdates=event.rdates,
    )
