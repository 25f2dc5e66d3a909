"""Staff admin of calendar feeds, events and import runs: scoped to the user's organizations."""

from __future__ import annotations

import pytest

from hyte.catalog.models import Event, ICalFeed, Organization
from hyte.core.models import AuditEvent
from hyte.integrations.ical.services import ical_feed_import
from hyte.integrations.models import ImportRun
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona
from tests.integrations.ical.conftest import (  # noqa: F401 (fixtures)
    FeedServer,
    Route,
    _loopback_feeds_allowed,
    feed_bytes,
    feed_server,
)

pytestmark = pytest.mark.django_db
FEEDS = "/admin/catalog/icalfeed/"


@pytest.fixture
def feeds(org_a: Organization, org_b: Organization) -> tuple[ICalFeed, ICalFeed]:
    return (
        ICalFeed.objects.create(organization=org_a, url="https://a.example.org/a.ics"),
        ICalFeed.objects.create(organization=org_b, url="https://b.example.org/b.ics"),
    )


def test_feed_list_is_scoped(feeds: tuple[ICalFeed, ICalFeed], editor_a: Persona) -> None:
    html = editor_a.client.get(FEEDS).content.decode()
    assert "a.example.org" in html and "b.example.org" not in html
    assert editor_a.client.get(f"{FEEDS}{feeds[1].pk}/change/").status_code in (302, 404)


def test_adding_a_feed_is_audited_and_checks_the_service(
    org_a: Organization, org_b: Organization, editor_a: Persona
) -> None:
    foreign = ServiceFactory(organization=org_b)
    data = {
        "organization": str(org_a.pk),
        "url": "https://a.example.org/new.ics",
        "language": "fi",
        "active": "on",
    }
    response = editor_a.client.post(f"{FEEDS}add/", {**data, "service": str(foreign.pk)})
    assert response.status_code == 200 and not ICalFeed.objects.exists()  # the form shows the error
    own = ServiceFactory(organization=org_a)
    response = editor_a.client.post(f"{FEEDS}add/", {**data, "service": str(own.pk)})
    assert response.status_code == 302
    feed = ICalFeed.objects.get()
    assert feed.service == own and AuditEvent.objects.filter(action="icalfeed.create").count() == 1


def test_a_feed_of_another_organization_cannot_be_added(org_b: Organization, editor_a: Persona) -> None:
    data = {"organization": str(org_b.pk), "url": "https://b.example.org/x.ics", "language": "fi"}
    assert editor_a.client.post(f"{FEEDS}add/", data).status_code == 200
    assert not ICalFeed.objects.exists()


def test_import_now_action(org_a: Organization, editor_a: Persona, feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.routes["/latu.ics"] = Route(body=feed_bytes())
    feed = ICalFeed.objects.create(organization=org_a, url=feed_server.url("/latu.ics"))
    response = editor_a.client.post(
        FEEDS, {"action": "import_now", "_selected_action": [str(feed.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert Event.objects.filter(feed=feed).count() == 7
    assert ImportRun.objects.get(source="ical").started_by == editor_a.user


def test_events_are_read_only_and_scoped(
    feeds: tuple[ICalFeed, ICalFeed], editor_a: Persona, editor_b: Persona
) -> None:
    ical_feed_import(actor=None, feed=feeds[0], content=feed_bytes())
    event = Event.objects.first()
    assert event is not None
    url = f"/admin/catalog/event/{event.pk}/change/"
    page = editor_a.client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # view only
    assert editor_b.client.get(url).status_code in (302, 404)
    assert event.title not in editor_b.client.get("/admin/catalog/event/").content.decode()


def test_import_runs_admin_is_for_platform_admins(editor_a: Persona, platform_admin: Persona) -> None:
    assert editor_a.client.get("/admin/integrations/importrun/").status_code == 403
    assert platform_admin.client.get("/admin/integrations/importrun/").status_code == 200
