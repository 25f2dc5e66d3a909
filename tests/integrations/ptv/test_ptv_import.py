"""PTV import: real sample files, synthetic pages, broken copies, sync semantics, the API adapter."""

from __future__ import annotations

import copy
import io
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hyte.catalog.models import Location, Organization, Schedule, Service, ServiceAtLocation
from hyte.core.models import AuditEvent
from hyte.integrations.models import ImportRun
from hyte.integrations.ptv.client import ApiSource, FileSource, Page
from hyte.integrations.ptv.errors import PtvFetchError
from hyte.integrations.ptv.mapping import etrs_tm35fin_to_wgs84
from hyte.integrations.ptv.services import ptv_import
from tests.catalog.factories import OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ETALUKIO = "3668d250-cd80-45c4-abcc-9b2d3a2b3e42"
OTAVA = "961f1a02-0eb7-4b5d-9721-6b9f2d14ec6f"


def sample(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def kokkola_service(ptv_id: str, name: str, *, channel: str | None = None, **extra: Any) -> dict[str, Any]:
    """A PTV v11 service in Kokkola, shaped like the real responses."""
    record = {
        "id": ptv_id,
        "type": "Service",
        "serviceNames": [
            {"language": "fi", "value": name, "type": "Name"},
            {"language": "sv", "value": f"{name} (sv)", "type": "Name"},
        ],
        "serviceDescriptions": [
            {"language": "fi", "value": f"{name}: lyhyesti.", "type": "Summary"},
            {"language": "fi", "value": f"{name}: pitkä kuvaus.", "type": "Description"},
        ],
        "serviceChargeType": "FreeOfCharge",
        "areaType": "LimitedType",
        "areas": [{"type": "Municipality", "municipalities": [{"code": "272"}]}],
        "languages": ["fi", "sv"],
        "serviceClasses": [{"code": "P27.1"}],
        "targetGroups": [{"code": "KR1.1"}],
        "keywords": [{"language": "fi", "value": "kuntosali"}],
        "organizations": [
            {
                "organization": {"id": "0a0a0a0a-0000-4000-8000-000000000272", "name": "Kokkolan kaupunki"},
                "roleType": "Responsible",
            }
        ],
        "serviceChannels": [{"serviceChannel": {"id": channel, "name": "x"}}] if channel else [],
        "publishingStatus": "Published",
        "modified": "2026-10-01T10:00:00",
    }
    record.update(extra)
    return record


def kokkola_location(ptv_id: str, name: str, services: list[str], **extra: Any) -> dict[str, Any]:
    record = {
        "id": ptv_id,
        "serviceChannelType": "ServiceLocation",
        "organizationId": "0a0a0a0a-0000-4000-8000-000000000272",
        "serviceChannelNames": [{"language": "fi", "value": name, "type": "Name"}],
        "addresses": [
            {
                "type": "Location",
                "streetAddress": {
                    "street": [
                        {"value": "Rantakatu", "language": "fi"},
                        {"value": "Strandgatan", "language": "sv"},
                    ],
                    "streetNumber": "5",
                    "postalCode": "67100",
                    "postOffice": [
                        {"value": "KOKKOLA", "language": "fi"},
                        {"value": "KARLEBY", "language": "sv"},
                    ],
                    "municipality": {"code": "272"},
                    # Kokkola city centre in ETRS-TM35FIN (northing, easting) as PTV v11 gives them
                    "latitude": "7084787",
                    "longitude": "309741",
                },
                "entrances": [
                    {
                        "accessibilitySentences": [
                            {
                                "sentences": [
                                    {
                                        "sentence": [
                                            {"value": "Sisäänkäynnillä on luiska.", "language": "fi"},
                                            {"value": "Vid ingången finns en ramp.", "language": "sv"},
                                        ]
                                    }
                                ]
                            }
                        ]
                    }
                ],
            }
        ],
        "phoneNumbers": [
            {"prefixNumber": "+358", "number": "401234567", "additionalInformation": "Neuvonta"}
        ],
        "serviceHours": [
            {
                "serviceHourType": "DaysOfTheWeek",
                "isClosed": False,
                "openingHour": [
                    {"dayFrom": "Monday", "dayTo": "Friday", "from": "08:00:00", "to": "16:00:00"}
                ],
            }
        ],
        "services": [{"service": {"id": s}} for s in services],
        "publishingStatus": "Published",
    }
    record.update(extra)
    return record


def page_file(directory: Path, name: str, records: list[Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    envelope = {"pageNumber": 1, "pageSize": 100, "pageCount": 1, "itemList": records}
    (directory / name).write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")


GYM = "11111111-1111-4111-8111-111111111111"
POOL = "22222222-2222-4222-8222-222222222222"
HALL = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def kokkola_dir(tmp_path: Path) -> Path:
    page_file(tmp_path, "01-channels.json", [kokkola_location(HALL, "Urheilutalo", [GYM])])
    page_file(
        tmp_path,
        "02-services.json",
        [
            kokkola_service(GYM, "Kuntosali", channel=HALL),
            kokkola_service(POOL, "Uimahalli", serviceChargeType="Charged"),
        ],
    )
    return tmp_path


class TestCoordinates:
    @pytest.mark.parametrize(
        ("northing", "easting", "lat", "lon"),
        [
            ("6834688", "503879", 61.6455, 27.0732),  # Otava, Mikkeli (the real sample)
            # 60°N on the zone's central meridian 27°E: E = 500 000 m, N = 6 651 411.19 m (UTM tables)
            ("6651411.19", "500000", 60.0, 27.0),
        ],
    )
    def test_etrs_tm35fin_to_wgs84(self, northing: str, easting: str, lat: float, lon: float) -> None:
        got = etrs_tm35fin_to_wgs84(northing, easting)
        assert got == pytest.approx((lat, lon), abs=0.002)

    @pytest.mark.parametrize(("northing", "easting"), [("0", "0"), ("63.84", "23.13"), ("abc", "1")])
    def test_bad_coordinates(self, northing: str, easting: str) -> None:
        with pytest.raises(ValueError):
            etrs_tm35fin_to_wgs84(northing, easting)


class TestRealSamples:
    def test_real_files_import_with_correct_coordinates(self, tmp_path: Path) -> None:
        for name in (
            "service_etalukio.json",
            "servicechannel_servicelocation_otava.json",
            "services_by_id.json",
        ):
            (tmp_path / name).write_text((DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
        run = ptv_import(actor=None, source=FileSource(tmp_path))
        service = Service.objects.get(external_id=f"ptv:{ETALUKIO}")
        assert service.name_fi == "Nettilukio aikuisille"
        assert service.free is True
        assert service.status == Service.Status.ACTIVE
        assert set(service.service_classes.values_list("code", flat=True)) == {"P6", "P6.8", "P6.10", "P6.13"}
        assert set(service.target_groups.values_list("code", flat=True)) == {"KR1"}
        assert "etäopetus" in service.keywords_fi
        assert service.themes.filter(slug="toimeentulo").exists()  # implied by P6.10
        otava = Location.objects.get(external_id=f"ptv:{OTAVA}")
        assert (float(otava.latitude), float(otava.longitude)) == pytest.approx((61.6455, 27.0732), abs=0.001)
        assert otava.street_address_fi == "Otavantie 2 B" and otava.municipality_id == "491"
        assert otava.accessibility_sentences and otava.step_free_access
        # The real Liperi sample names municipality code 123, not in the code list: reported and skipped.
        assert run.errors == [
            {"id": "6c00d407-d3fd-4c7e-a373-57be9f3b2cff", "reason": "unknown municipality code '123'"}
        ]
        assert (run.created, run.failed, run.status) == (2, 1, ImportRun.Status.PARTIAL)


class TestSync:
    def test_import_links_schedules_and_search(self, kokkola_dir: Path, client) -> None:
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert (run.created, run.updated, run.failed) == (3, 0, 0)
        gym = Service.objects.get(external_id=f"ptv:{GYM}")
        hall = Location.objects.get(external_id=f"ptv:{HALL}")
        assert list(gym.locations.all()) == [hall]
        assert float(hall.latitude) == pytest.approx(63.838, abs=0.002)
        assert hall.street_address_sv == "Strandgatan 5" and hall.post_office_fi == "Kokkola"
        assert sorted(Schedule.objects.filter(service=gym).values_list("weekday", flat=True)) == [
            1,
            2,
            3,
            4,
            5,
        ]
        assert gym.organization.name_fi == "Kokkolan kaupunki" and gym.organization.org_type == "municipality"
        assert Service.objects.get(external_id=f"ptv:{POOL}").free is False
        body = client.get("/api/v1/services/", {"q": "kuntosalille"}).json()
        assert body["results"][0]["name"] == "Kuntosali"  # the name beats the keyword of the other

    def test_second_run_changes_nothing(self, kokkola_dir: Path) -> None:
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        before = {s.pk: s.updated_at for s in Service.objects.all()}
        audits = AuditEvent.objects.count()
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert (run.created, run.updated, run.unchanged, run.withdrawn, run.failed) == (0, 0, 3, 0, 0)
        assert {s.pk: s.updated_at for s in Service.objects.all()} == before
        assert AuditEvent.objects.count() == audits

    def test_unchanged_records_are_not_even_mapped(self, kokkola_dir: Path, monkeypatch) -> None:
        from hyte.integrations.ptv import mapping

        ptv_import(actor=None, source=FileSource(kokkola_dir))
        calls: list[str] = []
        real_service, real_location = mapping.map_service, mapping.map_location
        monkeypatch.setattr(mapping, "map_service", lambda *a: calls.append("s") or real_service(*a))
        monkeypatch.setattr(mapping, "map_location", lambda *a: calls.append("l") or real_location(*a))
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert calls == []
        # A new mapping version rewrites every record once (updated, not created).
        monkeypatch.setattr(mapping, "MAPPING_VERSION", "next")
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert (run.created, run.updated, run.failed) == (0, 3, 0)  # two services and a location
        assert calls

    def test_change_in_ptv_updates_and_keeps_local_additions(self, kokkola_dir: Path) -> None:
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        gym = Service.objects.get(external_id=f"ptv:{GYM}")
        gym.plain_summary_fi = "Kuntosali. Voit treenata."  # added locally
        gym.save()
        gym.themes.add("yhteiso")  # chosen locally
        local = ServiceFactory(organization=gym.organization, name_fi="Paikallinen palvelu")
        page_file(
            kokkola_dir,
            "02-services.json",
            [
                kokkola_service(GYM, "Kuntosali ja punttisali", channel=HALL),
                kokkola_service(POOL, "Uimahalli", serviceChargeType="Charged"),
            ],
        )
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert (run.updated, run.unchanged) == (1, 2)
        gym.refresh_from_db()
        assert gym.name_fi == "Kuntosali ja punttisali"
        assert gym.plain_summary_fi == "Kuntosali. Voit treenata."
        assert set(gym.themes.values_list("slug", flat=True)) == {"liikunta", "yhteiso"}
        local.refresh_from_db()
        assert local.status == Service.Status.ACTIVE

    def test_vanished_services_are_withdrawn_not_deleted(self, kokkola_dir: Path) -> None:
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        local = ServiceFactory(name_fi="Ei PTV:stä")
        page_file(kokkola_dir, "02-services.json", [kokkola_service(GYM, "Kuntosali", channel=HALL)])
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert run.withdrawn == 1
        pool = Service.objects.get(external_id=f"ptv:{POOL}")
        assert pool.status == Service.Status.INACTIVE and pool.withdrawn_at is not None
        local.refresh_from_db()
        assert local.status == Service.Status.ACTIVE
        # It comes back when PTV publishes it again
        page_file(
            kokkola_dir,
            "02-services.json",
            [kokkola_service(GYM, "Kuntosali", channel=HALL), kokkola_service(POOL, "Uimahalli")],
        )
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        pool.refresh_from_db()
        assert pool.status == Service.Status.ACTIVE and pool.withdrawn_at is None

    def test_unpublished_record_withdraws(self, kokkola_dir: Path) -> None:
        ptv_import(actor=None, source=FileSource(kokkola_dir))
        page_file(
            kokkola_dir,
            "02-services.json",
            [
                kokkola_service(GYM, "Kuntosali", channel=HALL, publishingStatus="Deleted"),
                kokkola_service(POOL, "Uimahalli", serviceChargeType="Charged"),
            ],
        )
        run = ptv_import(actor=None, source=FileSource(kokkola_dir), withdraw_missing=False)
        assert run.withdrawn == 1
        assert Service.objects.get(external_id=f"ptv:{GYM}").status == Service.Status.INACTIVE


class TestBrokenInput:
    @pytest.mark.parametrize(
        ("mutate", "reason"),
        [
            (lambda r: r.pop("id"), "missing or malformed id"),
            (lambda r: r.update(id="not-a-uuid"), "missing or malformed id"),
            (lambda r: r.update(serviceClasses=[{"code": "P999"}]), "unknown service class code 'P999'"),
            (lambda r: r.update(targetGroups=[{"code": "KR9"}]), "unknown target group code 'KR9'"),
            (
                lambda r: r.update(areas=[{"type": "Municipality", "municipalities": [{"code": "999"}]}]),
                "unknown municipality code '999'",
            ),
            (
                lambda r: r["serviceNames"].__setitem__(
                    0, {"language": "fi", "value": "x" * 201, "type": "Name"}
                ),
                "name (fi) is longer than 200 characters",
            ),
            (lambda r: r.update(serviceNames=[]), "the service has no name"),
        ],
    )
    def test_bad_service_is_reported_and_skipped(self, tmp_path: Path, mutate: Any, reason: str) -> None:
        bad = kokkola_service(POOL, "Uimahalli")
        mutate(bad)
        page_file(tmp_path, "01.json", [bad, kokkola_service(GYM, "Kuntosali")])
        run = ptv_import(actor=None, source=FileSource(tmp_path))
        assert run.failed == 1 and reason in run.errors[0]["reason"]
        assert run.created == 1 and Service.objects.filter(external_id=f"ptv:{GYM}").exists()
        assert not Service.objects.filter(name_fi="Uimahalli").exists()

    def test_invalid_coordinates(self, tmp_path: Path) -> None:
        bad = kokkola_location(HALL, "Urheilutalo", [])
        bad["addresses"][0]["streetAddress"]["latitude"] = "63.84"  # WGS84 where EPSG:3067 is expected
        page_file(tmp_path, "01.json", [bad, kokkola_service(GYM, "Kuntosali")])
        run = ptv_import(actor=None, source=FileSource(tmp_path))
        assert run.errors[0]["id"] == HALL and "invalid coordinates" in run.errors[0]["reason"]
        assert not Location.objects.exists() and Service.objects.count() == 1

    def test_broken_json_file_is_reported_and_the_rest_imports(self, kokkola_dir: Path) -> None:
        (kokkola_dir / "00-broken.json").write_text('{"itemList": [ {"id": ', encoding="utf-8")
        run = ptv_import(actor=None, source=FileSource(kokkola_dir))
        assert run.errors[0]["id"] == "00-broken.json" and "broken JSON" in run.errors[0]["reason"]
        assert run.created == 3

    def test_not_a_record(self, tmp_path: Path) -> None:
        page_file(tmp_path, "01.json", [["a list"], {"id": str(uuid.uuid4()), "something": 1}])
        run = ptv_import(actor=None, source=FileSource(tmp_path))
        assert run.failed == 2


class FlakySource:
    """Pages 1..n; page ``fail_at`` raises like a dropped connection, once."""

    def __init__(self, pages: list[list[Any]], fail_at: int | None) -> None:
        self.pages_data = pages
        self.fail_at = fail_at

    def describe(self) -> str:
        return "flaky://test"

    def pages(self) -> Iterator[Page]:
        for number, records in enumerate(self.pages_data, start=1):
            if number == self.fail_at:
                self.fail_at = None
                raise PtvFetchError("connection reset")
            yield Page(number=number, name=f"page {number}", records=copy.deepcopy(records))


def test_failure_mid_run_keeps_done_pages_and_next_run_resumes() -> None:
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 7)]
    pages = [
        [kokkola_service(ids[0], "A"), kokkola_service(ids[1], "B")],
        [kokkola_service(ids[2], "C"), kokkola_service(ids[3], "D")],
        [kokkola_service(ids[4], "E"), kokkola_service(ids[5], "F")],
    ]
    source = FlakySource(pages, fail_at=2)
    first = ptv_import(actor=None, source=source)
    assert first.status == ImportRun.Status.FAILED and first.pages_done == 1
    assert set(Service.objects.values_list("name_fi", flat=True)) == {"A", "B"}
    second = ptv_import(actor=None, source=source)
    assert second.status == ImportRun.Status.SUCCEEDED
    assert (second.created, second.withdrawn) == (4, 0)  # A and B were seen by the stopped run: not withdrawn
    assert Service.objects.filter(status=Service.Status.ACTIVE).count() == 6


class PtvHandler(BaseHTTPRequestHandler):
    pages: dict[str, list[Any]] = {}

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        page = int(dict(p.split("=") for p in query.split("&") if "=" in p).get("page", "1"))
        items = self.pages.get(path)
        if items is None:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps({"pageNumber": page, "pageCount": len(items), "itemList": items[page - 1]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ptv_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PtvHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_api_source_pages_through_loopback_server(ptv_server: str) -> None:
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(10, 13)]
    PtvHandler.pages = {
        "/api/v11/ServiceChannel/list/area/Municipality/code/272": [
            [kokkola_location(HALL, "Urheilutalo", ids)]
        ],
        "/api/v11/Service/list/area/Municipality/code/272": [
            [kokkola_service(ids[0], "Kuntosali", channel=HALL), kokkola_service(ids[1], "Kuoro")],
            [kokkola_service(ids[2], "Lukupiiri")],
        ],
    }
    run = ptv_import(actor=None, source=ApiSource(ptv_server, municipalities=["272"]))
    assert (run.status, run.created, run.pages_done) == (ImportRun.Status.SUCCEEDED, 4, 3)
    assert Service.objects.get(name_fi="Kuntosali").locations.count() == 1


def test_api_failure_is_a_failed_run(ptv_server: str) -> None:
    PtvHandler.pages = {}
    run = ptv_import(actor=None, source=ApiSource(ptv_server, municipalities=["272"]))
    assert run.status == ImportRun.Status.FAILED and "404" in run.message


class TestCommand:
    def test_exit_code_and_summary(self, kokkola_dir: Path) -> None:
        out = io.StringIO()
        call_command("import_ptv", str(kokkola_dir), stdout=out)
        assert "created 3, updated 0, unchanged 0, withdrawn 0, failed 0" in out.getvalue()
        (kokkola_dir / "03-broken.json").write_text("nope", encoding="utf-8")
        with pytest.raises(CommandError, match="1 records failed"):
            call_command("import_ptv", str(kokkola_dir), stdout=io.StringIO(), stderr=io.StringIO())

    @pytest.mark.parametrize(
        "args",
        [
            [],
            ["/no/such/dir"],
            ["--api", "ftp://x", "--municipality", "272"],
            ["--api", "http://127.0.0.1:9"],
        ],
    )
    def test_bad_arguments(self, args: list[str]) -> None:
        with pytest.raises(CommandError):
            call_command("import_ptv", *args, stdout=io.StringIO())


class TestImportRunsPage:
    def test_staff_sees_runs_with_reasons(self, editor_a, tmp_path: Path) -> None:
        page_file(tmp_path, "01.json", [{"id": "bad"}])
        ptv_import(actor=None, source=FileSource(tmp_path))
        html = editor_a.client.get("/henkilosto/tuonnit/").content.decode()
        assert "not a PTV service, service channel or organization" in html and "<code>bad</code>" in html

    def test_anonymous_and_non_staff_are_kept_out(self, client, db) -> None:
        assert client.get("/henkilosto/tuonnit/").status_code == 302
        from tests.accounts.factories import UserFactory
        from tests.conftest import _login

        staff = UserFactory()
        client.force_login(staff)  # a password only: sent to the second factor
        response = client.get("/henkilosto/tuonnit/")
        assert response.status_code == 302 and "/kirjaudu/vahvista/" in response["Location"]
        assert _login(UserFactory(is_staff=False)).client.get("/henkilosto/tuonnit/").status_code == 403


def test_org_types_from_names() -> None:
    from hyte.integrations.ptv.services import guess_org_type

    assert guess_org_type("Kokkolan kaupunki") == Organization.Type.MUNICIPALITY
    assert guess_org_type("Keski-Pohjanmaan hyvinvointialue") == Organization.Type.COUNTY
    assert guess_org_type("Karleby svenska församling") == Organization.Type.PARISH
    assert guess_org_type("Kokkolan Latu ry") == Organization.Type.ASSOCIATION
    assert ServiceAtLocation.objects.count() == 0
    assert OrganizationFactory  # factories are importable for other tests in this module


def test_database_refusing_one_record_skips_only_that_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page is written in bulk; when the database refuses the batch, the records are written one by
    one and only the one at fault is reported (with its id) and left out."""
    from django.db import IntegrityError

    from hyte.integrations.ptv import services as ptv_services

    real = ptv_services.insert_rows

    def refusing(model: Any, rows: Any, **kwargs: Any) -> int:
        if model is Service and any(row.get("name_fi") == "Rikki" for row in rows):
            raise IntegrityError("refused by the database")
        return real(model, rows, **kwargs)

    monkeypatch.setattr(ptv_services, "insert_rows", refusing)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(11, 14)]
    page = [
        kokkola_service(ids[0], "Hyvä"),
        kokkola_service(ids[1], "Rikki"),
        kokkola_service(ids[2], "Toinen"),
    ]
    run = ptv_import(actor=None, source=FlakySource([page], fail_at=None))
    assert (run.created, run.failed, run.status) == (2, 1, ImportRun.Status.PARTIAL)
    assert run.errors[0]["id"] == ids[1] and "refused" in run.errors[0]["reason"]
    assert set(Service.objects.values_list("name_fi", flat=True)) == {"Hyvä", "Toinen"}
    # The good ones are whole: links and audit rows of the refused batch did not stay behind twice.
    assert AuditEvent.objects.filter(action="service.import").count() == 2
    assert Service.target_groups.through.objects.count() == 2
