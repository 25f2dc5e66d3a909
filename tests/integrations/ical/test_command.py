"""manage.py import_ical: files, URLs, every active feed; a non-zero exit when anything failed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hyte.catalog.models import Event, ICalFeed, Organization, Schedule, Service
from tests.integrations.ical.conftest import FeedServer, Route, calendar, feed_bytes

pytestmark = pytest.mark.django_db

CLEAN = calendar(
    "UID:a@x\nSUMMARY:Avantouinti\nDTSTART:20260110T100000\nDTEND:20260110T110000",
    "UID:b@x\nSUMMARY:Lukupiiri\nDTSTART:20260113T180000\nDTEND:20260113T193000\nRRULE:FREQ=WEEKLY;BYDAY=TU",
)


@pytest.fixture
def org(org_a: Organization) -> Organization:
    Organization.objects.filter(pk=org_a.pk).update(external_id="demo:kokkola")
    org_a.refresh_from_db()
    return org_a


def summary(
    calendars: int, failed: int, created: int, updated: int, unchanged: int, removed: int, skipped: int
) -> str:
    return (
        f"Calendars: {calendars}, of which failed: {failed}. Events created: {created}, updated: {updated}, "
        f"unchanged: {unchanged}, removed: {removed}, skipped: {skipped}."
    )


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_ical", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file(org: Organization, tmp_path: Path) -> None:
    path = tmp_path / "kalenteri.ics"
    path.write_bytes(CLEAN)
    out, err = run("--organization-external-id", "demo:kokkola", "--file", str(path))
    assert out.splitlines()[-1] == summary(1, 0, 2, 0, 0, 0, 0)
    assert err == ""
    assert Event.objects.filter(organization=org).count() == 2


def test_a_file_for_a_service_makes_weekly_times(org: Organization, jumppa: Service, tmp_path: Path) -> None:
    Service.objects.filter(pk=jumppa.pk).update(external_id="demo:jumppa")
    path = tmp_path / "kalenteri.ics"
    path.write_bytes(CLEAN)
    run(
        "--organization-external-id",
        "demo:kokkola",
        "--file",
        str(path),
        "--service-external-id",
        "demo:jumppa",
    )
    assert list(Schedule.objects.filter(service=jumppa).values_list("weekday", flat=True)) == [2]


def test_skipped_events_make_the_exit_code_non_zero(org: Organization, tmp_path: Path) -> None:
    path = tmp_path / "latu.ics"
    path.write_bytes(feed_bytes())
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_ical", "--organization-external-id", "demo:kokkola", "--file", str(path), stderr=err
        )
    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == summary(1, 0, 7, 0, 0, 0, 2)
    assert "avoimet-ovet@kokkolanlatu.fi: The event has no start time (DTSTART)." in err.getvalue()
    assert Event.objects.count() == 7  # the good ones are in


def test_a_broken_file(org: Organization, tmp_path: Path) -> None:
    path = tmp_path / "latu.ics"
    path.write_bytes(feed_bytes("broken.html"))
    with pytest.raises(CommandError, match=r"Calendars: 1, of which failed: 1\."):
        run("--organization-external-id", "demo:kokkola", "--file", str(path))
    assert not Event.objects.exists()


def test_every_active_feed(org: Organization, org_b: Organization, feed_server: FeedServer) -> None:
    feed_server.routes["/a.ics"] = Route(body=CLEAN)
    feed_server.routes["/b.ics"] = Route(body=calendar("UID:c@x\nSUMMARY:Kuoro\nDTSTART:20260114T180000"))
    ok_a = ICalFeed.objects.create(organization=org, url=feed_server.url("/a.ics"))
    ok_b = ICalFeed.objects.create(organization=org_b, url=feed_server.url("/b.ics"))
    gone = ICalFeed.objects.create(organization=org_b, url=feed_server.url("/gone.ics"))
    ICalFeed.objects.create(organization=org, url=feed_server.url("/paused.ics"), active=False)
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_ical", stdout=StringIO(), stderr=err)
    assert str(excinfo.value) == summary(3, 1, 3, 0, 0, 0, 0)
    assert f"{gone.url}: The calendar server answered with HTTP status 404." in err.getvalue()
    assert sorted(feed_server.hits) == ["/a.ics", "/b.ics", "/gone.ics"]  # the paused feed is not fetched
    assert Event.objects.filter(feed=ok_a).count() == 2 and Event.objects.filter(feed=ok_b).count() == 1
    gone.refresh_from_db()
    assert gone.last_error == "The calendar server answered with HTTP status 404."
    # one organization only
    feed_server.hits.clear()
    out, _err = run("--organization-external-id", "demo:kokkola")
    assert feed_server.hits == ["/a.ics"]
    assert out.splitlines()[-1] == summary(1, 0, 0, 0, 2, 0, 0)


def test_a_url_is_registered_as_a_feed(org: Organization, feed_server: FeedServer) -> None:
    feed_server.routes["/latu.ics"] = Route(body=CLEAN)
    url = feed_server.url("/latu.ics")
    out, _err = run("--organization-external-id", "demo:kokkola", "--url", url)
    feed = ICalFeed.objects.get()
    assert (feed.organization, feed.url, feed.active) == (org, url, True)
    assert feed.last_fetched_at is not None
    assert f"{url}: 2 created, 0 updated, 0 unchanged, 0 removed, 0 skipped" in out
    out, _err = run()  # the scheduled run now includes it
    assert "unchanged: 2" in out.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "https://example.org/a.ics"], "--url and --file need --organization-external-id."),
        (["--organization-external-id", "demo:nobody"], "No organization has the external id “demo:nobody”."),
        (
            ["--organization-external-id", "demo:kokkola", "--url", "ftp://example.org/a.ics"],
            "ftp://example.org/a.ics: The calendar feed settings are not valid.",
        ),
        (
            ["--organization-external-id", "demo:kokkola", "--file", "/nonexistent/a.ics"],
            "Calendars: 1, of which failed: 1.",
        ),
        (
            [
                "--organization-external-id",
                "demo:kokkola",
                "--service-external-id",
                "demo:x",
                "--file",
                "a.ics",
            ],
            "The organization has no service with the external id “demo:x”.",
        ),
        (["--service-external-id", "demo:x"], "--service-external-id is used only with --url or --file."),
    ],
)
def test_bad_arguments(org: Organization, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    assert str(excinfo.value).startswith(message)
    assert not ICalFeed.objects.exists() and not Event.objects.exists()


def test_url_and_file_exclude_each_other(org: Organization) -> None:
    with pytest.raises(CommandError):
        run("--organization-external-id", "demo:kokkola", "--url", "https://example.org/a.ics", "--file", "a")
