"""Every import (PTV, HSDS, iCalendar) leaves a run behind, and staff see only the runs they may see."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyte.catalog.models import ICalFeed, Organization
from hyte.integrations.hsds.importer import import_hsds
from hyte.integrations.ical.errors import IcalParseError
from hyte.integrations.ical.services import ical_feed_import, ical_file_import
from hyte.integrations.models import ImportRun
from hyte.integrations.runs import import_run_finish, import_run_start
from tests.conftest import Persona
from tests.integrations.ical.conftest import calendar, feed_bytes

pytestmark = pytest.mark.django_db
HSDS_EXAMPLES = Path(__file__).parent / "hsds" / "data" / "official"


def test_hsds_import_is_a_run() -> None:
    path = HSDS_EXAMPLES / "service_full.json"
    import_hsds(path, lang="en", default_municipality="272")
    run = ImportRun.objects.get(source="hsds")
    assert run.location == str(path) and run.finished_at is not None
    assert (run.created, run.updated, run.failed) == (3, 0, 0)
    assert run.status == ImportRun.Status.SUCCEEDED and run.organization is None


def test_hsds_import_of_a_missing_file_is_reported(tmp_path: Path) -> None:
    import_hsds(tmp_path / "nothing-here.json")
    run = ImportRun.objects.get(source="hsds")
    assert run.status == ImportRun.Status.PARTIAL and run.failed == 1
    assert "nothing-here.json" in run.errors[0]["id"] + run.errors[0]["reason"]


class TestCalendarRuns:
    def test_feed_import_with_a_skipped_event(self, org_a: Organization) -> None:
        feed = ICalFeed.objects.create(organization=org_a, url="https://example.org/a.ics")
        content = calendar("UID:ok\nSUMMARY:Jumppa\nDTSTART:20260113T100000", "UID:bad\nSUMMARY:Rikki")
        result = ical_feed_import(actor=None, feed=feed, content=content)
        run = ImportRun.objects.get(source="ical")
        assert run.organization == org_a and run.location == feed.url
        assert (run.created, run.failed) == (result.created, 1) == (1, 1)
        assert run.status == ImportRun.Status.PARTIAL and run.errors[0]["id"] == "bad"

    def test_a_feed_that_cannot_be_read_is_a_failed_run(self, org_a: Organization) -> None:
        feed = ICalFeed.objects.create(organization=org_a, url="https://example.org/a.ics")
        with pytest.raises(IcalParseError):
            ical_feed_import(actor=None, feed=feed, content=b"<html>not a calendar</html>")
        run = ImportRun.objects.get(source="ical")
        assert run.status == ImportRun.Status.FAILED
        assert "iCalendar" in run.message  # in the language of whoever ran the import

    def test_file_import(self, org_a: Organization) -> None:
        ical_file_import(actor=None, organization=org_a, name="latu.ics", content=feed_bytes())
        run = ImportRun.objects.get(source="ical")
        assert (run.location, run.created, run.organization) == ("latu.ics", 7, org_a)


class TestRunsPage:
    URL = "/henkilosto/tuonnit/"

    @pytest.fixture
    def runs(self, org_a: Organization, org_b: Organization) -> None:
        for source, org, where in (
            ("ptv", None, "ptv-dir"),
            ("ical", org_a, "a.ics"),
            ("ical", org_b, "b.ics"),
        ):
            run = import_run_start(source=source, location=where, actor=None, organization_id=org and org.pk)
            import_run_finish(run, created=1)

    def test_an_editor_sees_platform_runs_and_own_organizations(self, runs: None, editor_a: Persona) -> None:
        html = editor_a.client.get(self.URL).content.decode()
        assert "ptv-dir" in html and "a.ics" in html and "b.ics" not in html

    def test_the_other_organization_sees_its_own(self, runs: None, editor_b: Persona) -> None:
        html = editor_b.client.get(self.URL).content.decode()
        assert "ptv-dir" in html and "b.ics" in html and "a.ics" not in html

    def test_a_platform_admin_sees_all(self, runs: None, platform_admin: Persona) -> None:
        html = platform_admin.client.get(self.URL).content.decode()
        assert all(where in html for where in ("ptv-dir", "a.ics", "b.ics"))
