"""iCalendar (RFC 5545) feed bytes -> plain dataclasses, and recurrence expansion.

Nothing here touches the database. Times become aware datetimes in Europe/Helsinki: a TZID (IANA
name, or a VTIMEZONE in the feed such as Outlook's "FLE Standard Time") or UTC is converted, a
floating time (or an unknown TZID without a VTIMEZONE) is read as Finnish local time, and
Google's ``X-WR-TIMEZONE`` is honoured. An all-day event starts at local midnight.

A modified occurrence (a VEVENT with RECURRENCE-ID) becomes a one-off event of its own and the
original occurrence is excluded from its series (EXDATE), so each parsed event stands alone.
An event without UID, start or title, or with a broken time or rule, is skipped with a reason;
the rest of the feed is still read. Content that is not iCalendar at all raises IcalParseError.

The RRULE is kept as in the feed (in icalendar's canonical order of parts), except that UNTIL is
normalised to what RFC 5545 requires for the start (a UTC time for timed events, a date for all-day).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Component, vRecur
from icalendar import Event as VEvent

from hyte.integrations.ical.errors import IcalParseError

logger = logging.getLogger(__name__)

HELSINKI = ZoneInfo("Europe/Helsinki")
LANGUAGES = ("fi", "sv", "en")
MAX_UID_LENGTH = 255
MAX_TITLE_LENGTH = 300
MAX_PLACE_LENGTH = 500
MAX_RRULE_LENGTH = 500
# A COUNT-limited series is walked to find its last occurrence; beyond this it counts as endless.
MAX_COUNTED_OCCURRENCES = 5000
WEEKDAYS = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}
TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "RDATE", "RECURRENCE-ID")
# A weekly rule with only these parts can be a Schedule row (one per weekday).
SIMPLE_WEEKLY_PARTS = {"FREQ", "BYDAY", "UNTIL", "INTERVAL", "WKST"}


@dataclass(frozen=True)
class ParsedEvent:
    """One VEVENT, normalised. ``title`` and ``description`` map a language (fi/sv/en) to text."""

    uid: str
    title: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    description: Mapping[str, str] = field(default_factory=dict)
    location_text: str = ""
    rrule: str = ""
    recurrence_end: datetime | None = None
    exdates: tuple[datetime, ...] = ()
    rdates: tuple[datetime, ...] = ()
    cancelled: bool = False
    recurrence_id: datetime | None = None

    @property
    def key(self) -> str:
        """Unique within a feed: the UID, plus the original start for a modified occurrence."""
        if self.recurrence_id is None:
            return self.uid
        return f"{self.uid}#{self.recurrence_id:%Y%m%dT%H%M%S}"


@dataclass(frozen=True)
class SkippedRecord:
    """A VEVENT that could not be read, and why (a translated sentence)."""

    uid: str
    title: str
    reason: str

    def describe(self) -> str:
        name = self.uid or self.title or "?"
        return f"{name}: {self.reason}"


@dataclass(frozen=True)
class ParsedFeed:
    events: tuple[ParsedEvent, ...]
    skipped: tuple[SkippedRecord, ...]


@dataclass(frozen=True)
class WeeklySlot:
    """A weekly time that fits catalog.Schedule: weekday 1 (Monday) .. 7 (Sunday)."""

    weekday: int
    opens_at: time
    closes_at: time
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Recurrence:
    """What is needed to expand a series: from a ParsedEvent or a stored catalog.Event."""

    key: Any
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    rrule: str = ""
    exdates: Sequence[datetime] = ()
    rdates: Sequence[datetime] = ()


@dataclass(frozen=True)
class Occurrence:
    key: Any
    starts_at: datetime
    ends_at: datetime


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_helsinki(value: date | datetime) -> datetime:
    """A DTSTART-like value as an aware Europe/Helsinki datetime (floating = Finnish local time)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=HELSINKI)
        return value.astimezone(HELSINKI)
    return datetime.combine(value, time(0), tzinfo=HELSINKI)


def _language(params: Any, default_language: str) -> str:
    raw = str(params.get("LANGUAGE", "")) if params is not None else ""
    code = raw.split("-")[0].strip().lower()
    return code if code in LANGUAGES else default_language


def _values(component: Component, name: str) -> list[Any]:
    raw = component.get(name)
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def _texts(component: Component, name: str, default_language: str, *, single_line: bool) -> dict[str, str]:
    texts: dict[str, str] = {}
    for value in _values(component, name):
        text = str(value)
        text = " ".join(text.split()) if single_line else text.strip()
        if text:
            texts.setdefault(_language(getattr(value, "params", None), default_language), text)
    return texts


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _normalise_rule(rule: vRecur, *, all_day: bool) -> vRecur:
    """UNTIL as RFC 5545 wants it for our (Helsinki) DTSTART: a UTC time, or a date for all-day."""
    until_values = rule.get("UNTIL")
    if not until_values:
        return rule
    until = until_values[0]
    normalised = vRecur(rule)
    if all_day:
        normalised["UNTIL"] = [to_helsinki(until).date() if isinstance(until, datetime) else until]
    elif isinstance(until, datetime):
        normalised["UNTIL"] = [to_helsinki(until).astimezone(UTC)]
    else:  # a date for a timed event: the whole day counts
        normalised["UNTIL"] = [datetime.combine(until, time(23, 59, 59), tzinfo=HELSINKI).astimezone(UTC)]
    return normalised


def recurrence_component(item: Recurrence | ParsedEvent, *, uid: str = "") -> VEvent:
    """A VEVENT with only the time properties of ``item`` (DTSTART, DTEND, RRULE, EXDATE, RDATE)."""
    component = VEvent()
    if uid:
        component.add("UID", uid)
    if item.all_day:  # dates of Finnish days (a stored time may come back from the database in UTC)
        first_day = item.starts_at.astimezone(HELSINKI).date()
        component.add("DTSTART", first_day)
        component.add("DTEND", max(item.ends_at.astimezone(HELSINKI).date(), first_day + timedelta(days=1)))
    else:
        component.add("DTSTART", item.starts_at.astimezone(HELSINKI))
        component.add("DTEND", item.ends_at.astimezone(HELSINKI))
    if item.rrule:
        component.add("RRULE", vRecur.from_ical(item.rrule))
    for name, values in (("EXDATE", item.exdates), ("RDATE", item.rdates)):
        if values:
            local = sorted(v.astimezone(HELSINKI) for v in values)
            component.add(name, [v.date() for v in local] if item.all_day else local)
    return component


def expand_occurrences(items: Iterable[Recurrence], start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences of the items that overlap [start, end), sorted by start (recurring-ical-events)."""
    calendar = Calendar()
    keys: list[Any] = []
    for index, item in enumerate(items):
        calendar.add_component(recurrence_component(item, uid=str(index)))
        keys.append(item.key)
    occurrences = []
    for component in recurring_ical_events.of(calendar).between(start, end):
        occurrences.append(
            Occurrence(
                key=keys[int(str(component["UID"]))],
                starts_at=to_helsinki(component.start),
                ends_at=to_helsinki(component.end),
            )
        )
    return sorted(occurrences, key=lambda o: (o.starts_at, o.ends_at))


def _recurrence_end(event: ParsedEvent, rule: vRecur | None) -> datetime | None:
    """No occurrence starts after this: the UNTIL bound, the last occurrence of a COUNT-limited series,
    the last RDATE; None for an endless series.

    Also proves that recurring-ical-events can expand the rule (a bad rule raises ValueError)."""
    end: datetime | None = max(event.rdates) if event.rdates else None
    if rule is None:
        return end
    calendar = Calendar()
    calendar.add_component(recurrence_component(event, uid="x"))
    query = recurring_ical_events.of(calendar)
    next(iter(query.after(event.starts_at)), None)  # raises on a rule that cannot be expanded
    if rule.get("UNTIL"):
        rule_end = to_helsinki(rule["UNTIL"][0])
    elif rule.get("COUNT") and int(rule["COUNT"][0]) <= MAX_COUNTED_OCCURRENCES:
        rule_end = event.starts_at
        for occurrence in query.all():
            rule_end = max(rule_end, to_helsinki(occurrence.start))
    else:
        return None
    return rule_end if end is None else max(rule_end, end)


def _rule(component: Component, *, all_day: bool) -> vRecur | None:
    rules = _values(component, "RRULE")
    if not rules:
        return None
    if len(rules) > 1:
        raise _Skip(_("An event with more than one recurrence rule (RRULE) is not supported."))
    rule = rules[0]
    if not isinstance(rule, vRecur) or not rule.get("FREQ"):
        raise _Skip(_("The recurrence rule (RRULE) cannot be read."))
    return _normalise_rule(rule, all_day=all_day)


def _times(component: Component, name: str) -> list[date | datetime]:
    values: list[date | datetime] = []
    for prop in _values(component, name):
        for item in getattr(prop, "dts", []):
            value = item.dt
            if isinstance(value, tuple):  # RDATE as a PERIOD: its start
                value = value[0]
            if isinstance(value, date):
                values.append(value)
    return values


def _parse_component(component: VEvent, default_language: str) -> ParsedEvent:
    uid = str(component.get("UID") or "").strip()
    if not uid:
        raise _Skip(_("The event has no identifier (UID)."))
    if len(uid) > MAX_UID_LENGTH:
        raise _Skip(_("The event identifier (UID) is too long."))
    broken = sorted({name for name, _error in getattr(component, "errors", [])} & set(TIME_PROPERTIES))
    if broken:
        raise _Skip(_("The event has an invalid %(property)s value.") % {"property": ", ".join(broken)})
    if component.get("DTSTART") is None:
        raise _Skip(_("The event has no start time (DTSTART)."))
    try:
        start_value = component.start
        end_value = component.end
    except ValueError as exc:  # icalendar's InvalidCalendar, IncompleteComponent
        raise _Skip(_("The start and end of the event cannot be read.")) from exc
    all_day = not isinstance(start_value, datetime)
    starts_at = to_helsinki(start_value)
    ends_at = to_helsinki(end_value)
    if ends_at < starts_at:
        raise _Skip(_("The event ends before it starts."))
    title = {
        k: _truncate(v, MAX_TITLE_LENGTH)
        for k, v in _texts(component, "SUMMARY", default_language, single_line=True).items()
    }
    if not title:
        raise _Skip(_("The event has no title (SUMMARY)."))
    places = _texts(component, "LOCATION", default_language, single_line=True)
    recurrence_id_value = component.get("RECURRENCE-ID")
    recurrence_id = to_helsinki(recurrence_id_value.dt) if recurrence_id_value is not None else None
    single = recurrence_id is None  # not a modified occurrence of a series
    rule = _rule(component, all_day=all_day) if single else None
    rrule = rule.to_ical().decode() if rule is not None else ""
    if len(rrule) > MAX_RRULE_LENGTH:
        raise _Skip(_("The recurrence rule (RRULE) is too long."))
    event = ParsedEvent(
        uid=uid,
        title=title,
        description=_texts(component, "DESCRIPTION", default_language, single_line=False),
        location_text=_truncate(next(iter(places.values()), ""), MAX_PLACE_LENGTH),
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        rrule=rrule,
        exdates=tuple(sorted({to_helsinki(v) for v in _times(component, "EXDATE")})) if single else (),
        rdates=tuple(sorted({to_helsinki(v) for v in _times(component, "RDATE")})) if single else (),
        cancelled=str(component.get("STATUS", "")).strip().upper() == "CANCELLED",
        recurrence_id=recurrence_id,
    )
    if event.rrule or event.rdates:
        try:
            recurrence_end = _recurrence_end(event, rule)
        except (ValueError, TypeError) as exc:
            raise _Skip(_("The recurrence rule (RRULE) cannot be read.")) from exc
        event = replace(event, recurrence_end=recurrence_end)
    return event


def _read_calendars(content: bytes) -> list[Component]:
    try:
        calendars = Calendar.from_ical(content, multiple=True)
    except ValueError as exc:
        raise IcalParseError(details={"reason": str(exc)[:200]}) from exc
    if not calendars or any(c.name != "VCALENDAR" for c in calendars):
        raise IcalParseError(details={"reason": "no VCALENDAR"})
    standard = []
    for calendar in calendars:
        try:
            standard.append(x_wr_timezone.to_standard(calendar))
        except (ValueError, KeyError, LookupError):
            logger.warning("Ignoring an unusable X-WR-TIMEZONE in a calendar feed")
            standard.append(calendar)
    return standard


def parse_feed(content: bytes, *, default_language: str = "fi") -> ParsedFeed:
    """Read an iCalendar stream. Texts without a LANGUAGE parameter are in ``default_language``."""
    calendars = _read_calendars(content)
    events: dict[str, ParsedEvent] = {}
    skipped: list[SkippedRecord] = []
    overrides: list[ParsedEvent] = []
    for calendar in calendars:
        for component in calendar.walk("VEVENT"):
            if not isinstance(component, VEvent):
                continue
            try:
                event = _parse_component(component, default_language)
            except _Skip as skip:
                skipped.append(
                    SkippedRecord(
                        uid=str(component.get("UID") or "")[:MAX_UID_LENGTH],
                        title=_truncate(
                            " ".join(str(next(iter(_values(component, "SUMMARY")), "")).split()), 100
                        ),
                        reason=skip.reason,
                    )
                )
                continue
            if event.key in events:
                skipped.append(
                    SkippedRecord(
                        uid=event.uid,
                        title=next(iter(event.title.values())),
                        reason=_("Another event in the feed has the same identifier (UID)."),
                    )
                )
                continue
            events[event.key] = event
            if event.recurrence_id is not None:
                overrides.append(event)
    # A modified occurrence replaces the original one in its series.
    for override in overrides:
        master = events.get(override.uid)
        if master is None or override.recurrence_id is None or not (master.rrule or master.rdates):
            continue
        if override.recurrence_id not in master.exdates:
            events[master.key] = replace(
                master, exdates=tuple(sorted({*master.exdates, override.recurrence_id}))
            )
    return ParsedFeed(events=tuple(events[k] for k in sorted(events)), skipped=tuple(skipped))


def weekly_slots(event: ParsedEvent) -> tuple[WeeklySlot, ...] | None:
    """The Schedule rows of a plain weekly meeting (FREQ=WEEKLY with BYDAY, no COUNT, no exceptions,
    starting and ending on the same day), or None when the event must stay an Event."""
    if (
        event.all_day
        or event.cancelled
        or event.recurrence_id is not None
        or not event.rrule
        or event.exdates
        or event.rdates
    ):
        return None
    rule = vRecur.from_ical(event.rrule)
    if rule.get("FREQ") != ["WEEKLY"] or not set(rule) <= SIMPLE_WEEKLY_PARTS or not rule.get("BYDAY"):
        return None
    if [int(v) for v in rule.get("INTERVAL", [1])] != [1]:
        return None
    days = [str(day).upper() for day in rule["BYDAY"]]
    if not all(day in WEEKDAYS for day in days):  # "1TU" (first Tuesday) is not weekly
        return None
    weekdays = sorted({WEEKDAYS[day] for day in days})
    starts_at, ends_at = event.starts_at, event.ends_at
    if starts_at.date() != ends_at.date() or starts_at.timetz() >= ends_at.timetz():
        return None
    if starts_at.isoweekday() not in weekdays:  # DTSTART would be an extra, irregular occurrence
        return None
    valid_to = None
    if event.recurrence_end is not None:
        until = event.recurrence_end.astimezone(HELSINKI)
        valid_to = until.date() if until.time() >= starts_at.time() else until.date() - timedelta(days=1)
        if valid_to < starts_at.date():
            return None
    return tuple(
        WeeklySlot(
            weekday=weekday,
            opens_at=starts_at.time(),
            closes_at=ends_at.time(),
            valid_from=starts_at.date(),
            valid_to=valid_to,
        )
        for weekday in weekdays
    )
