"""Import: the official HSDS example data read back exactly, broken records skipped, round trips."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from collections.abc import Iterator
from datetime import date, time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from hyte.catalog import selectors as catalog_selectors
from hyte.catalog.models import Contact, Location, Organization, Phone, Schedule, Service
from hyte.core.models import AuditEvent
from hyte.integrations.hsds.exporter import export_csv, export_json
from hyte.integrations.hsds.importer import ImportReport, import_hsds
from tests.integrations.hsds import hsds_schema
from tests.integrations.hsds.conftest import Tray

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Report messages follow the active language; the exact texts below are the English sources."""
    with translation.override("en"):
        yield


OFFICIAL_JSON = hsds_schema.EXAMPLES / "service_full.json"
OFFICIAL_CSV = hsds_schema.EXAMPLES / "csv"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORG_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
PHONE = '"+44 1234 234567"'  # the official example quotes the number inside the string


def official() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(OFFICIAL_JSON.read_text(encoding="utf-8"))
    return data


def lines(problems: list[Any]) -> list[str]:
    return [p.line() for p in problems]


def snapshot(service: Service) -> dict[str, Any]:
    """What an import wrote for one service, as plain values (for comparing two imports)."""
    loc = service.locations.get()
    return {
        "service": Service.objects.filter(pk=service.pk)
        .values(
            "name_en", "summary_en", "description_en", "url", "email", "status", "free", "cost_description_en"
        )
        .get(),
        "organization": Organization.objects.filter(pk=service.organization_id)
        .values("external_id", "name_en", "description_en", "email", "website", "phone", "org_type")
        .get(),
        "location": Location.objects.filter(pk=loc.pk)
        .values(
            "external_id",
            "name_en",
            "street_address_en",
            "postal_code",
            "post_office_en",
            "municipality_id",
            "latitude",
            "longitude",
            "accessibility_en",
        )
        .get(),
        "schedules": list(
            service.schedules.order_by("weekday").values_list(
                "weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description_en", "location_id"
            )
        ),
        "phones": list(service.phones.values_list("number", "description_en")),
        "contacts": list(service.contacts.values_list("name", "title_en", "email", "phone")),
    }


class TestOfficialExamples:
    def test_service_full_json(self) -> None:
        report = import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
        assert report.summary() == "imported 3, updated 0, failed 0"
        assert dict(report.created) == {"organization": 1, "location": 1, "service": 1}
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        assert service.name_en == "Community Counselling"
        assert service.description_en == (
            "Counselling Services provided by trained professionals. Suitable for people with mental health "
            "conditions such as anxiety, depression, or eating disorders as well as people experiencing "
            "difficult life events and circumstances."
        )
        assert service.summary_en == ""
        assert (service.url, service.email, service.status) == (
            "http://example.com/counselling",
            "email@example.com",
            "active",
        )
        assert service.free is False  # the only cost option costs 35 gbp
        assert service.cost_description_en == official()["fees_description"]
        assert timezone.localtime(service.last_verified_at).date() == date(2005, 1, 1)
        org = service.organization
        assert (org.external_id, org.name_en, org.email, org.website, org.phone, org.org_type) == (
            f"hsds:{ORG_ID}",
            "Example Organization Inc.",
            "email@example.com",
            "http://example.com",
            PHONE,
            "association",
        )
        assert org.description_en == official()["organization"]["description"]
        loc = service.locations.get()
        assert loc.external_id == f"hsds:{LOCATION_ID}"
        assert loc.organization == org
        assert (loc.name_en, loc.street_address_en, loc.post_office_en) == (
            "MyCity Civic Center",
            "1-30 Main Street MyVillage",
            "MyCity",
        )
        assert loc.municipality_id == "272"  # MyCity is no Finnish municipality: the default one
        assert (loc.postal_code, loc.latitude, loc.longitude) == ("", None, None)  # "ABC 1234"; 100, 101
        assert loc.accessibility_en.splitlines() == [
            "The building is equipped with induction loops for hearing aids. "
            "Wheelchair access is possible on all levels.",
            "Switch hearing aid to T-coil to access the induction loop facility.",
        ]
        schedules = list(service.schedules.order_by("weekday"))
        assert [
            (s.weekday, s.opens_at, s.closes_at, s.valid_from, s.valid_to, s.location_id) for s in schedules
        ] == [
            (4, time(10), time(18), date(2005, 1, 1), date(2005, 1, 1), loc.pk),
            (5, time(10), time(18), date(2005, 1, 1), date(2005, 1, 1), loc.pk),
        ]
        assert schedules[0].description_en == official()["schedules"][0]["description"]
        assert list(service.phones.values_list("number", "description_en")) == [
            (PHONE, official()["phones"][0]["description"])
        ]
        assert list(service.contacts.values_list("name", "title_en", "email", "phone")) == [
            ("Ann Persona", "Reception Manager", "email@example.com", PHONE)
        ]
        assert list(service.languages.all()) == []  # Urdu is not in our list
        assert list(service.municipalities.all()) == []
        area = official()["service_areas"][0]["name"][:80]
        assert lines(report.warnings) == [
            f"location {LOCATION_ID}: The postal code “ABC 1234” is not a Finnish postal code; left out.",
            f"location {LOCATION_ID}: The coordinates 100, 101 are not a WGS84 point; left out.",
            f"service {SERVICE_ID}: The taxonomy term “code” is not from a taxonomy we use; left out.",
            f"service {SERVICE_ID}: The language “ur” is not in our list of languages; left out.",
            f"service {SERVICE_ID}: The service area “{area}” is not a Finnish municipality; left out.",
        ]

    def test_csv_package_gives_the_same_rows_as_the_json(self, tmp_path: Path) -> None:
        report = import_hsds(OFFICIAL_CSV, lang="en", default_municipality="272")
        assert report.summary() == "imported 3, updated 0, failed 0"
        from_csv = snapshot(Service.objects.get(external_id=f"hsds:{SERVICE_ID}"))
        assert from_csv["schedules"][0][:3] == (4, time(10), time(18))
        assert from_csv["phones"] == [(PHONE, official()["phones"][0]["description"])]
        Service.objects.all().delete()
        Location.objects.all().delete()
        Organization.objects.all().delete()
        assert import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272").failed_count == 0
        from_json = snapshot(Service.objects.get(external_id=f"hsds:{SERVICE_ID}"))
        location_ids = {from_csv["location"].pop("external_id"), from_json["location"].pop("external_id")}
        assert location_ids == {f"hsds:{LOCATION_ID}"}
        for snap in (from_csv, from_json):
            snap["schedules"] = [s[:-1] for s in snap["schedules"]]  # location pks differ
        assert from_csv == from_json

    def test_an_organization_with_nested_services(self) -> None:
        report = import_hsds(
            hsds_schema.EXAMPLES / "organization_full.json", lang="en", default_municipality="272"
        )
        assert report.summary() == "imported 3, updated 0, failed 0"
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        assert service.organization.external_id == f"hsds:{ORG_ID}"
        assert service.schedules.count() == 2 and service.locations.count() == 1

    def test_an_api_page_of_services(self) -> None:
        """examples/service_list.json: the one-to-one fields only; the organization comes along."""
        report = import_hsds(hsds_schema.EXAMPLES / "service_list.json", lang="en")
        assert report.summary() == "imported 2, updated 0, failed 0"
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        assert (service.name_en, service.organization.name_en) == (
            "Community Counselling",
            "Example Organization Inc.",
        )
        assert (service.schedules.count(), service.locations.count(), service.phones.count()) == (0, 0, 0)

    def test_csv_package_without_a_usable_descriptor(self, tmp_path: Path) -> None:
        package = tmp_path / "csv"
        shutil.copytree(OFFICIAL_CSV, package)
        # A git symlink checked out as a plain file: the descriptor is not JSON.
        (package / "datapackage.json").write_text("../../datapackage.json")
        report = import_hsds(package, lang="en", default_municipality="272")
        assert report.summary() == "imported 3, updated 0, failed 0"
        assert "file datapackage.json: " in lines(report.warnings)[0]

    def test_importing_again_updates_in_place(self) -> None:
        import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        schedule_pks = set(service.schedules.values_list("pk", flat=True))
        report = import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
        assert report.summary() == "imported 0, updated 3, failed 0"
        assert Service.objects.count() == Organization.objects.count() == Location.objects.count() == 1
        assert set(service.schedules.values_list("pk", flat=True)) == schedule_pks
        assert (Phone.objects.count(), Contact.objects.count()) == (1, 1)

    def test_a_second_language_keeps_the_first(self) -> None:
        import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
        finnish = official()
        finnish["name"] = "Yhteisöneuvonta"
        finnish["schedules"][0]["description"] = "Palvelu on avoinna arkisin."
        for link in finnish["service_at_locations"]:
            for schedule in link["schedules"]:
                schedule["description"] = "Palvelu on avoinna arkisin."
        path = Path(self.tmp) / "fi.json"
        path.write_text(json.dumps(finnish), encoding="utf-8")
        assert (
            import_hsds(path, lang="fi", default_municipality="272").summary()
            == "imported 0, updated 3, failed 0"
        )
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        assert (service.name_fi, service.name_en) == ("Yhteisöneuvonta", "Community Counselling")
        assert [(s.description_fi, s.description_en[:25]) for s in service.schedules.order_by("weekday")] == [
            ("Palvelu on avoinna arkisin.", "The service is available ")
        ] * 2

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path: Path) -> None:
        self.tmp = tmp_path

    def test_without_a_municipality_the_location_and_its_service_fail(self) -> None:
        report = import_hsds(OFFICIAL_JSON, lang="en")
        assert report.summary() == "imported 1, updated 0, failed 2"
        reason = (
            "The municipality of the location cannot be told from its address; give a default municipality."
        )
        assert lines(report.failures) == [
            f"location {LOCATION_ID}: {reason}",
            f"service {SERVICE_ID}: Its location {LOCATION_ID} could not be imported: {reason}",
        ]
        assert not Service.objects.exists()

    def test_attach_to_an_existing_organization(self, org_a: Organization) -> None:
        org_a.external_id = "demo:kokkola"
        org_a.save()
        report = import_hsds(OFFICIAL_JSON, lang="en", organization_external_id="demo:kokkola")
        assert report.summary() == "imported 2, updated 0, failed 0"  # no organization from the data
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        assert service.organization == org_a
        assert service.locations.get().organization == org_a
        assert service.locations.get().municipality_id == org_a.municipality_id  # its home municipality
        assert not Organization.objects.filter(external_id__startswith="hsds:").exists()

    def test_writes_are_audited_and_indexed(self, django_capture_on_commit_callbacks: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
        service = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
        events = AuditEvent.objects.filter(object_id=str(service.pk))
        assert [(e.action, e.details["source"], e.details["external_id"]) for e in events] == [
            ("service.create", "hsds", f"hsds:{SERVICE_ID}")
        ]
        assert AuditEvent.objects.filter(action__in=["organization.create", "location.create"]).count() == 2
        results = catalog_selectors.service_search(
            catalog_selectors.parse_service_search({"q": "counselling"})
        )
        assert [s.pk for s in results] == [service.pk]


def broken_directory(tmp_path: Path) -> Path:
    """services.json: a good service, and copies with no id, a 250-character name, a latitude that is
    no number and a time of day that is none; organizations.json is not JSON at all."""
    good = official()
    no_id = copy.deepcopy(good)
    del no_id["id"]
    long_name = copy.deepcopy(good) | {"id": "1b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b01", "name": "N" * 250}
    bad_point = copy.deepcopy(good) | {"id": "2b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b02"}
    bad_point["service_at_locations"][0]["location"] |= {"id": "3b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b03"}
    bad_point["service_at_locations"][0]["location"]["latitude"] = "north"
    bad_time = copy.deepcopy(good) | {"id": "4b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b04"}
    bad_time["schedules"][0] = bad_time["schedules"][0] | {"id": "5b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b05"}
    bad_time["schedules"][0]["opens_at"] = "ten o'clock"
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "services.json").write_text(json.dumps([good, no_id, long_name, bad_point, bad_time]))
    (directory / "organizations.json").write_text('[{"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": ')
    return directory


class TestBrokenInput:
    def test_broken_records_are_reported_and_skipped(self, tmp_path: Path) -> None:
        report = import_hsds(broken_directory(tmp_path), lang="en", default_municipality="272")
        assert report.summary() == "imported 3, updated 0, failed 5"
        failures = {(p.kind, p.id): p.reason for p in report.failures}
        assert set(failures) == {
            ("file", "organizations.json"),
            ("service", "services.json #2"),
            ("service", "1b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b01"),
            ("service", "2b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b02"),
            ("service", "4b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b04"),
        }
        assert failures[("file", "organizations.json")].startswith("The file is not valid JSON: ")
        assert "'id' is a required property" in failures[("service", "services.json #2")]
        assert failures[("service", "1b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b01")].startswith("name: ")
        assert "200" in failures[("service", "1b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b01")]
        assert "latitude" in failures[("service", "2b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b02")]
        assert (
            "'north' is not of type 'number'" in failures[("service", "2b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b02")]
        )
        assert "ten o'clock" in failures[("service", "4b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b04")]
        # The good one is in, whole; nothing of the broken ones is.
        assert list(Service.objects.values_list("external_id", flat=True)) == [f"hsds:{SERVICE_ID}"]
        assert Service.objects.get().schedules.count() == 2
        assert not Location.objects.filter(external_id="hsds:3b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b03").exists()

    def test_reasons_in_the_active_language(self, tmp_path: Path) -> None:
        directory = broken_directory(tmp_path)
        long_name = ("service", "1b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b01")
        reasons = {}
        for lang in ("en", "fi"):
            Service.objects.all().delete()
            with translation.override(lang):
                report = import_hsds(directory, lang="en", default_municipality="272")
            reasons[lang] = {(p.kind, p.id): p.reason for p in report.failures}[long_name]
        assert reasons["en"] == "name: Ensure this value has at most 200 characters (it has 250)."
        assert reasons["fi"].startswith("name: ") and "200" in reasons["fi"]
        assert reasons["fi"] != reasons["en"]

    def test_a_broken_json_file(self, tmp_path: Path) -> None:
        path = tmp_path / "services.json"
        path.write_text("[{]")
        report = import_hsds(path)
        assert report.summary() == "imported 0, updated 0, failed 1"
        assert report.failures[0].kind == "file" and report.failures[0].id == "services.json"
        nan = tmp_path / "nan.json"
        nan.write_text(
            '{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active", '
            '"minimum_age": NaN}'
        )
        assert import_hsds(nan).failures[0].reason.startswith("The file is not valid JSON: ")

    def test_broken_csv_rows(self, tmp_path: Path) -> None:
        package = tmp_path / "csv"
        shutil.copytree(OFFICIAL_CSV, package)
        rewrite(package / "locations.csv", "latitude", "north")
        other = "6b1c94b8-6dc4-4d2e-a1a2-9b9a8c7e0b06"
        with (package / "services.csv").open("a", encoding="utf-8") as fh:
            fh.write(f"{other},{ORG_ID},,Toinen palvelu,,,,,active,,,,,,,,,,,,,,\n")
        report = import_hsds(package, lang="fi", default_municipality="272")
        assert report.summary() == "imported 2, updated 0, failed 2"
        assert lines(report.failures) == [
            f"location {LOCATION_ID}: locations.csv row 2: The value “north” of latitude is not a number.",
            f"service {SERVICE_ID}: Its location {LOCATION_ID} could not be imported: locations.csv row 2: "
            "The value “north” of latitude is not a number.",
        ]
        assert Service.objects.get().name_fi == "Toinen palvelu"

    def test_command_exit_code_and_summary(self, tmp_path: Path) -> None:
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError) as raised:
            call_command(
                "import_hsds",
                str(broken_directory(tmp_path)),
                "--lang",
                "en",
                "--default-municipality",
                "272",
                stdout=out,
                stderr=err,
            )
        assert raised.value.returncode == 1
        assert out.getvalue().strip().splitlines() == ["imported 3, updated 0, failed 5"]
        assert "services.json #2" in err.getvalue()

    def test_command_success(self) -> None:
        out = StringIO()
        call_command(
            "import_hsds", str(OFFICIAL_JSON), "--lang", "en", "--default-municipality", "272", stdout=out
        )
        assert out.getvalue().strip() == "imported 3, updated 0, failed 0"

    @pytest.mark.parametrize(
        "args",
        [
            ["--organization-external-id", "ptv:no-such-organization"],
            ["--default-municipality", "999"],
        ],
    )
    def test_command_bad_options(self, args: list[str]) -> None:
        with pytest.raises(CommandError):
            call_command("import_hsds", str(OFFICIAL_JSON), *args, stdout=StringIO(), stderr=StringIO())


def rewrite(path: Path, column: str, value: str) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0][column] = value
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def tray_values(service: Service) -> dict[str, Any]:
    """The parts a round trip must keep: names, schedules, locations and phones (and the code lists)."""
    return {
        "name": (service.name_fi, service.summary_fi, service.description_fi, service.status, service.free),
        "organization": service.organization.name_fi,
        "schedules": sorted(
            (
                s.weekday,
                s.opens_at,
                s.closes_at,
                s.valid_from,
                s.valid_to,
                s.description_fi or "",
                s.location.name_fi if s.location else None,
            )
            for s in Schedule.objects.filter(service=service).select_related("location")
        ),
        "locations": sorted(
            (
                loc.name_fi,
                loc.street_address_fi,
                loc.postal_code,
                loc.post_office_fi,
                loc.municipality_id,
                loc.latitude,
                loc.longitude,
                loc.accessibility_fi,
            )
            for loc in service.locations.all()
        ),
        # An empty text is "" or None (a translation column never set); both mean none.
        "phones": sorted((n, d or "") for n, d in service.phones.values_list("number", "description_fi")),
        "contacts": sorted(
            (n, t or "", e, p)
            for n, t, e, p in service.contacts.values_list("name", "title_fi", "email", "phone")
        ),
        "codes": (
            sorted(service.themes.values_list("slug", flat=True)),
            sorted(service.service_classes.values_list("code", flat=True)),
            sorted(service.target_groups.values_list("code", flat=True)),
            sorted(service.municipalities.values_list("code", flat=True)),
            sorted(service.languages.values_list("code", flat=True)),
        ),
    }


@pytest.mark.parametrize("export", [export_json, export_csv], ids=["json", "csv"])
def test_round_trip_keeps_the_tray(tray: Tray, tmp_path: Path, export: Any) -> None:
    export(tmp_path, lang="fi")
    report: ImportReport = import_hsds(tmp_path, lang="fi")
    assert report.failed_count == 0, lines(report.failures)
    assert (report.created["service"], report.created["location"], report.created["organization"]) == (
        3,
        3,
        2,
    )
    for original in (tray.swim, tray.reading, tray.skiing):
        copy_ = Service.objects.get(external_id=f"hsds:{original.pk}")
        assert copy_.pk != original.pk
        assert tray_values(copy_) == tray_values(original)
    # Translations other than the export's language are not in a one-language file.
    assert Service.objects.get(external_id=f"hsds:{tray.swim.pk}").name_sv in ("", None)
