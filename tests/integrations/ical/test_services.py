"""Importing feeds into the catalog: upsert, removal, schedules, errors, permissions, audit."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hyte.catalog.errors import OrganizationNotFound
from hyte.catalog.models import Event, ICalFeed, Location, Organization, Schedule, Service
from hyte.core.models import AuditEvent
from hyte.integrations.ical.errors import IcalFeedNotFound, IcalHttpError, IcalInvalidFeed, IcalParseError
from hyte.integrations.ical.selectors import upcoming_event_occurrences
from hyte.integrations.ical.services import ical_feed_create, ical_feed_import, ical_file_import
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona
from tests.integrations.ical.conftest import FeedServer, Route, calendar, feed_bytes

pytestmark = pytest.mark.django_db

HKI = ZoneInfo("Europe/Helsinki")
WEEKLY = "tuolijumppa-kevat-2026@kokkolanlatu.fi"
MONTHLY = "kuutamokavely@kokkolanlatu.fi"


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HKI)


def without(content: bytes, uid: str) -> bytes:
    """The feed with the VEVENT of ``uid`` left out."""
    head, *events = content.split(b"BEGIN:VEVENT")
    kept = [e for e in events if f"UID:{uid}".encode() not in e]
    return b"BEGIN:VEVENT".join([head, *kept])


def snapshot() -> dict[str, object]:
    return {
        "events": sorted(Event.objects.values_list("external_id", "updated_at", "source_hash")),
        "schedules": sorted(Schedule.objects.values_list("pk", "weekday", "valid_to")),
    }


class TestImport:
    def test_first_import(self, feed_a: ICalFeed, jumppa: Service, uimahalli: Location) -> None:
        result = ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        assert (result.created, result.updated, result.unchanged, result.removed) == (7, 0, 0, 0)
        assert [s.reason for s in result.skipped] == [
            "The event has no identifier (UID).",
            "The event has no start time (DTSTART).",
        ]
        events = {e.uid: e for e in Event.objects.all()}
        assert len(events) == 7
        monthly = events[MONTHLY]
        assert monthly.external_id == f"ical:{feed_a.pk}:{MONTHLY}"
        assert (monthly.organization, monthly.service, monthly.feed) == (feed_a.organization, jumppa, feed_a)
        assert monthly.title_fi == "Kuutamokävely"
        assert monthly.starts_at == hki(2026, 1, 7, 18)
        assert monthly.rrule == "FREQ=MONTHLY;COUNT=10;BYDAY=1WE"
        assert monthly.exdates == ["2026-07-01T18:00:00+03:00"]
        assert monthly.recurrence_end == hki(2026, 10, 7, 18)
        assert events["syysretki-2026@kokkolanlatu.fi"].cancelled is True
        assert events["hiihtopaiva-2026@kokkolanlatu.fi"].all_day is True
        # the weekly group meeting is published as the service's weekly times, at the matched location
        weekly = events[WEEKLY]
        assert weekly.location == uimahalli
        schedules = list(weekly.schedules.order_by("weekday"))
        assert [
            (s.service_id, s.weekday, s.opens_at, s.closes_at, s.valid_from, s.valid_to, s.location_id)
            for s in schedules
        ] == [
            (jumppa.pk, 2, time(10), time(11, 30), date(2026, 1, 13), date(2026, 5, 28), uimahalli.pk),
            (jumppa.pk, 4, time(10), time(11, 30), date(2026, 1, 13), date(2026, 5, 28), uimahalli.pk),
        ]
        assert schedules[0].description_fi == "Tuolijumppa"
        assert Schedule.objects.filter(service=jumppa).count() == 2  # nothing else became a schedule
        feed_a.refresh_from_db()
        assert feed_a.last_fetched_at is not None
        assert feed_a.last_error.splitlines() == [
            "2 events were skipped:",
            "Kevättalkoot: The event has no identifier (UID).",
            "avoimet-ovet@kokkolanlatu.fi: The event has no start time (DTSTART).",
        ]
        audit = AuditEvent.objects.get(action="ical_feed.import")
        assert audit.object_id == str(feed_a.pk)
        assert (audit.details["created"], audit.details["removed"], len(audit.details["skipped"])) == (
            7,
            0,
            2,
        )

    def test_importing_twice_changes_nothing(self, feed_a: ICalFeed) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        before = snapshot()
        result = ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        assert (result.created, result.updated, result.unchanged, result.removed) == (0, 0, 7, 0)
        assert snapshot() == before

    def test_a_changed_event_is_updated_and_its_schedules_replaced(self, feed_a: ICalFeed) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        old_schedules = set(Schedule.objects.values_list("pk", flat=True))
        changed = feed_bytes().replace(
            b"UNTIL=20260528T205959Z;BYDAY=TU,TH", b"UNTIL=20260430T205959Z;BYDAY=TU"
        )
        result = ical_feed_import(actor=None, feed=feed_a, content=changed)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 6)
        weekly = Event.objects.get(uid=WEEKLY)
        assert [(s.weekday, s.valid_to) for s in weekly.schedules.all()] == [(2, date(2026, 4, 30))]
        assert not Schedule.objects.filter(pk__in=old_schedules).exists()

    def test_vanished_events_are_removed(self, feed_a: ICalFeed, jumppa: Service) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        other_feed = ICalFeed.objects.create(
            organization=feed_a.organization, url="https://example.org/b.ics"
        )
        ical_feed_import(
            actor=None, feed=other_feed, content=calendar("UID:b\nSUMMARY:Muu\nDTSTART:20260101T100000")
        )
        manual = Schedule.objects.create(service=jumppa, weekday=5, opens_at=time(9), closes_at=time(10))
        content = without(without(feed_bytes(), WEEKLY), MONTHLY)
        result = ical_feed_import(actor=None, feed=feed_a, content=content)
        assert (result.removed, result.unchanged) == (2, 5)
        assert not Event.objects.filter(uid__in=[WEEKLY, MONTHLY]).exists()
        # the weekly times of the removed meeting went with it; a time typed in by staff stays
        assert list(Schedule.objects.filter(service=jumppa)) == [manual]
        assert Event.objects.filter(feed=other_feed).count() == 1  # another feed is not touched

    def test_an_empty_feed_removes_all_its_events(self, feed_a: ICalFeed) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        result = ical_feed_import(actor=None, feed=feed_a, content=calendar())
        assert result.removed == 7
        assert not Event.objects.exists() and not Schedule.objects.exists()

    def test_a_broken_file_changes_nothing_but_the_error(self, feed_a: ICalFeed) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        feed_a.refresh_from_db()
        fetched, before = feed_a.last_fetched_at, snapshot()
        with pytest.raises(IcalParseError):
            ical_feed_import(actor=None, feed=feed_a, content=feed_bytes("broken.html"))
        assert snapshot() == before
        feed_a.refresh_from_db()
        assert feed_a.last_fetched_at == fetched
        assert feed_a.last_error == "The file is not a valid iCalendar (.ics) file."
        assert AuditEvent.objects.filter(action="ical_feed.import_failed").count() == 1

    def test_a_feed_without_a_service_keeps_weekly_meetings_as_events(self, org_a: Organization) -> None:
        feed = ICalFeed.objects.create(organization=org_a, url="https://example.org/a.ics")
        ical_feed_import(actor=None, feed=feed, content=feed_bytes())
        weekly = Event.objects.get(uid=WEEKLY)
        assert weekly.service is None and not weekly.schedules.exists()
        assert not Schedule.objects.exists()

    def test_swedish_feed(self, org_a: Organization) -> None:
        feed = ICalFeed.objects.create(organization=org_a, url="https://example.org/sv.ics", language="sv")
        ical_feed_import(
            actor=None, feed=feed, content=calendar("UID:s\nSUMMARY:Stolgympa\nDTSTART:20260113T100000")
        )
        event = Event.objects.get(uid="s")
        assert (event.title_fi, event.title_sv, event.title_en) == ("Stolgympa", "Stolgympa", "")

    def test_a_service_of_another_organization_is_refused(
        self, feed_a: ICalFeed, org_b: Organization
    ) -> None:
        ICalFeed.objects.filter(pk=feed_a.pk).update(service=ServiceFactory(organization=org_b))
        feed_a.refresh_from_db()
        with pytest.raises(IcalInvalidFeed):
            ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        assert not Event.objects.exists()

    def test_fetches_over_http(self, org_a: Organization, feed_server: FeedServer) -> None:
        feed_server.routes["/latu.ics"] = Route(body=feed_bytes())
        feed = ical_feed_create(actor=None, organization=org_a, url=feed_server.url("/latu.ics"))
        result = ical_feed_import(actor=None, feed=feed)
        assert result.created == 7
        assert feed_server.hits == ["/latu.ics"]

    def test_a_feed_that_cannot_be_fetched_keeps_its_events(
        self, feed_a: ICalFeed, feed_server: FeedServer
    ) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        before = snapshot()
        ICalFeed.objects.filter(pk=feed_a.pk).update(url=feed_server.url("/missing.ics"))
        feed_a.refresh_from_db()
        with pytest.raises(IcalHttpError):
            ical_feed_import(actor=None, feed=feed_a)
        assert snapshot() == before
        feed_a.refresh_from_db()
        assert feed_a.last_error == "The calendar server answered with HTTP status 404."


class TestFileImport:
    def test_same_file_name_is_the_same_source(self, org_a: Organization) -> None:
        first = ical_file_import(actor=None, organization=org_a, name="Kevät 2026.ics", content=feed_bytes())
        assert first.created == 7
        event = Event.objects.get(uid=MONTHLY)
        assert event.external_id == f"ical:file:{org_a.pk}:kevat-2026ics:{MONTHLY}"
        assert event.feed is None
        again = ical_file_import(
            actor=None, organization=org_a, name="Kevät 2026.ics", content=without(feed_bytes(), MONTHLY)
        )
        assert (again.unchanged, again.removed) == (6, 1)
        other = ical_file_import(actor=None, organization=org_a, name="syksy.ics", content=calendar())
        assert other.removed == 0
        assert Event.objects.count() == 6
        assert AuditEvent.objects.filter(action="ical_file.import", object_id=str(org_a.pk)).count() == 3


class TestPermissions:
    def test_members_and_platform_admins_may_import(
        self, feed_a: ICalFeed, editor_a: Persona, platform_admin: Persona
    ) -> None:
        assert ical_feed_import(actor=editor_a.user, feed=feed_a, content=feed_bytes()).created == 7
        assert ical_feed_import(actor=platform_admin.user, feed=feed_a, content=feed_bytes()).unchanged == 7
        assert AuditEvent.objects.filter(action="ical_feed.import", actor=editor_a.user).count() == 1

    @pytest.mark.parametrize("persona", ["editor_b", "outsider"])
    def test_others_do_not_find_the_feed(
        self, feed_a: ICalFeed, persona: str, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(persona).user
        with pytest.raises(IcalFeedNotFound) as excinfo:
            ical_feed_import(actor=user, feed=feed_a, content=feed_bytes())
        assert excinfo.value.http_status == 404
        with pytest.raises(OrganizationNotFound):
            ical_file_import(actor=user, organization=feed_a.organization, name="a.ics", content=feed_bytes())
        with pytest.raises(OrganizationNotFound):
            ical_feed_create(actor=user, organization=feed_a.organization, url="https://example.org/x.ics")
        assert not Event.objects.exists()
        assert not AuditEvent.objects.exists()
        feed_a.refresh_from_db()
        assert feed_a.last_error == ""  # an outsider cannot even write an error on it

    def test_anonymous_does_not_find_the_feed(self, feed_a: ICalFeed) -> None:
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(IcalFeedNotFound):
            ical_feed_import(actor=AnonymousUser(), feed=feed_a, content=feed_bytes())


class TestFeedCreate:
    def test_creates_once(self, org_a: Organization, editor_a: Persona) -> None:
        feed = ical_feed_create(actor=editor_a.user, organization=org_a, url="https://example.org/k.ics")
        again = ical_feed_create(actor=editor_a.user, organization=org_a, url="https://example.org/k.ics")
        assert feed.pk == again.pk
        assert (feed.active, feed.language) == (True, "fi")
        assert AuditEvent.objects.filter(action="ical_feed.create").count() == 1

    @pytest.mark.parametrize("url", ["ftp://example.org/k.ics", "file:///etc/passwd", "kalenteri"])
    def test_only_http_addresses(self, org_a: Organization, url: str) -> None:
        with pytest.raises(IcalInvalidFeed) as excinfo:
            ical_feed_create(actor=None, organization=org_a, url=url)
        assert "url" in excinfo.value.details["errors"]
        assert not ICalFeed.objects.exists()

    def test_the_service_must_be_the_organizations(self, org_a: Organization, org_b: Organization) -> None:
        with pytest.raises(IcalInvalidFeed):
            ical_feed_create(
                actor=None,
                organization=org_a,
                url="https://example.org/k.ics",
                service=ServiceFactory(organization=org_b),
            )


class TestUpcoming:
    def test_occurrences_of_the_next_days(self, feed_a: ICalFeed, jumppa: Service) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        occurrences = upcoming_event_occurrences(service_id=jumppa.pk, start=hki(2026, 6, 1), days=100)
        assert [
            (o.event.uid, o.starts_at) for o in occurrences if o.event.uid != "sauvakavely@kokkolanlatu.fi"
        ] == [
            (MONTHLY, hki(2026, 6, 3, 18)),
            # 1 July is excluded
            (MONTHLY, hki(2026, 8, 5, 18)),
            ("tukholma-retki-2026@kokkolanlatu.fi", hki(2026, 8, 8, 10)),
            (MONTHLY, hki(2026, 9, 2, 18)),
        ]
        mondays = [o.starts_at for o in occurrences if o.event.uid == "sauvakavely@kokkolanlatu.fi"]
        assert len(mondays) == 15 and {d.isoweekday() for d in mondays} == {1}

    def test_weekly_meetings_are_left_to_the_schedule_unless_asked(self, feed_a: ICalFeed) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        window = {"organization_id": feed_a.organization_id, "start": hki(2026, 5, 25), "days": 7}
        assert WEEKLY not in {o.event.uid for o in upcoming_event_occurrences(**window)}
        weekly = [
            o for o in upcoming_event_occurrences(**window, include_weekly=True) if o.event.uid == WEEKLY
        ]
        assert [o.starts_at for o in weekly] == [hki(2026, 5, 26, 10), hki(2026, 5, 28, 10)]

    def test_cancelled_ones_are_flagged_and_inactive_services_hidden(
        self, feed_a: ICalFeed, jumppa: Service
    ) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        september = upcoming_event_occurrences(service_id=jumppa.pk, start=hki(2026, 9, 12), days=1)
        assert [(o.event.uid, o.event.cancelled) for o in september] == [
            ("syysretki-2026@kokkolanlatu.fi", True)
        ]
        Service.objects.filter(pk=jumppa.pk).update(status=Service.Status.INACTIVE)
        assert upcoming_event_occurrences(service_id=jumppa.pk, start=hki(2026, 9, 12), days=1) == []

    def test_an_all_day_event_stays_on_its_finnish_day(self, feed_a: ICalFeed, jumppa: Service) -> None:
        ical_feed_import(actor=None, feed=feed_a, content=feed_bytes())
        (day,) = upcoming_event_occurrences(service_id=jumppa.pk, start=hki(2026, 2, 14), days=1)
        assert (day.event.uid, day.starts_at, day.ends_at) == (
            "hiihtopaiva-2026@kokkolanlatu.fi",
            hki(2026, 2, 14),
            hki(2026, 2, 15),
        )
