"""Service-use extracts (import through the service, the command, the page and the API) and the
service-use report. The proof: the Keski-Pohjanmaa IPS cohort of 73 coached clients, built through the
system's services, with psychiatric visits of 1358 in 2023 and 416, 326 and 263 in the first three
quarters of 2024, gives 1.55 at baseline and then 1.90, 1.49 and 1.20 visits per client per month."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Organization
from hyte.core.errors import InvalidParameter
from hyte.core.models import PersonalDataLog
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Client
from hyte.reporting.filters import parse_filter, scope_for
from hyte.reporting.models import ServiceUse, ServiceUseImport
from hyte.reporting.registry import BY_KEY
from hyte.reporting.service_use import build
from hyte.reporting.services import service_use_import
from hyte.reporting.tables import Report
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import client_data

pytestmark = pytest.mark.django_db
URLS = "tests.reporting.data_urlconf"
HEADER = "pseudonym,month,visit_type,count\n"


@dataclass
class Team:
    unit: Unit
    coach: Persona
    coordinator: Persona

    @property
    def organization(self) -> Organization:
        return self.unit.organization


def team(name: str) -> Team:
    unit = UnitFactory(name_fi=name, kind=Unit.Kind.OTHER, receives_referrals=True)
    coach = _login(
        UnitRoleFactory(unit=unit, role=UnitRole.Role.RECEIVER, user__username=f"coach-{name}").user
    )
    coordinator = _login(
        UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR, user__username=f"coord-{name}").user
    )
    return Team(unit, coach, coordinator)


def enrol(
    t: Team, n: int, *, programme: str = "ips", on: date = date(2022, 11, 1), tag: str = ""
) -> list[Client]:
    """``n`` clients enrolled through the pathway service (IPS: with a collaboration agreement)."""
    clients = []
    for i in range(n):
        pathway = pathways.pathway_enrol(
            actor=t.coach.user,
            data=pathways.Enrolment(
                programme=programme,
                unit_id=t.unit.pk,
                origin=Pathway.Origin.OTHER,
                client=client_data(personal_identity_code="", last_name=f"Asiakas {tag}{i}"),
                enrolled_on=on,
                agreement_on=on if programme == "ips" else None,
            ),
        )
        clients.append(pathway.client)
    return clients


def spread(total: int, cells: int) -> list[int]:
    """``total`` visits over ``cells`` client-months, unevenly (some get none) but exactly."""
    weights = [(k * 7) % 5 for k in range(cells)]  # 0 … 4
    scale = sum(weights)
    counts = [total * w // scale for w in weights]
    for k in range(total - sum(counts)):
        counts[[i for i, w in enumerate(weights) if w][k % sum(1 for w in weights if w)]] += 1
    assert sum(counts) == total and min(counts) == 0
    return counts


def months(year: int, first: int, last: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


def period_rows(
    clients: list[Client], month_list: list[str], total: int, visit_type: str = "psychiatric"
) -> list[str]:
    cells = [(c, m) for c in clients for m in month_list]
    return [
        f"{c.pseudonym},{m},{visit_type},{n}"
        for (c, m), n in zip(cells, spread(total, len(cells)), strict=True)
    ]


def csv_bytes(rows: Iterable[str], header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def report_for(actor: Any, query: str) -> Report:
    scope = scope_for(actor)
    return build(scope, parse_filter(QueryDict(query), scope, today=date(2025, 6, 1)))


def values(report: Report, column: str) -> dict[str, Any]:
    return {row["key"]: row["values"][column] for row in report.as_json()["tables"][0]["rows"]}


def displayed(report: Report, column: str) -> dict[str, str]:
    table = report.tables[0]
    index = table.column_index(column)
    return {row.key: row.values[index].display for row in table.rows}


QUERY = (
    "since=2024-01-01&until=2024-09-30&programme=ips&visit_type=psychiatric"
    "&baseline_since=2023-01-01&baseline_until=2023-12-31"
)


def test_the_keski_pohjanmaa_psychiatric_visits() -> None:
    soite = team("Soiten IPS")
    coached = enrol(soite, 73)
    # In the same unit, a lifestyle client: not in the IPS cohort, her visits do not count.
    other = enrol(soite, 1, programme="lifestyle", tag="L")
    rows = [
        *period_rows(coached, months(2023, 1, 12), 1358),
        *period_rows(coached, months(2024, 1, 3), 416),
        *period_rows(coached, months(2024, 4, 6), 326),
        *period_rows(coached, months(2024, 7, 9), 263),
        *period_rows(coached, months(2024, 10, 12), 500),  # after the period
        *period_rows(coached, months(2022, 1, 12), 900),  # before the baseline
        *period_rows(coached, months(2024, 1, 9), 2000, visit_type="somatic"),  # another type
        *period_rows(other, months(2023, 1, 12) + months(2024, 1, 9), 400),
        f"{uuid.uuid4()},2024-01,psychiatric,50",  # nobody's pseudonym
    ]
    data = csv_bytes(rows)
    record = service_use_import(
        actor=soite.coordinator.user, organization_id=soite.organization.pk, source_name="psyk.csv", data=data
    )
    assert (record.rows_read, record.rows_stored, record.rows_unmatched) == (len(rows), len(rows) - 1, 1)
    assert ServiceUse.objects.count() == len(rows) - 1

    with translation.override("en"):
        report = report_for(soite.coordinator.user, QUERY)
        shown = displayed(report, "per_client_month")
    assert shown == {"baseline": "1.55", "2024-q1": "1.90", "2024-q2": "1.49", "2024-q3": "1.20"}
    assert values(report, "per_client_month") == {
        "baseline": 1.55,
        "2024-q1": 1.9,
        "2024-q2": 1.49,
        "2024-q3": 1.2,
    }
    assert values(report, "clients") == dict.fromkeys(shown, 73)
    assert values(report, "months") == {"baseline": 12, "2024-q1": 3, "2024-q2": 3, "2024-q3": 3}
    assert values(report, "visits") == {"baseline": 1358, "2024-q1": 416, "2024-q2": 326, "2024-q3": 263}
    base = 1358 / (73 * 12)
    assert values(report, "change") == {
        "baseline": "",
        "2024-q1": round(100 * (416 / 219 - base) / base),  # 23
        "2024-q2": round(100 * (326 / 219 - base) / base),  # -4
        "2024-q3": round(100 * (263 / 219 - base) / base),  # -23
    }
    assert values(report, "change")["2024-q1"] == 23
    table = report.tables[0]
    assert [str(row.label) for row in table.rows] == ["Baseline 2023", "Q1 2024", "Q2 2024", "Q3 2024"]
    assert table.chart is not None and table.chart.kind == "line" and table.chart.baseline_row == "baseline"
    json.dumps(report.as_json())  # every value is plain JSON

    with translation.override("fi"):
        assert displayed(report_for(soite.coordinator.user, QUERY), "per_client_month")["2024-q1"] == "1,90"
    # Through the registry, and with the default baseline (the calendar year before): the same figures.
    scope = scope_for(soite.coordinator.user)
    f = parse_filter(
        QueryDict("since=2024-01-01&until=2024-09-30&programme=ips&visit_type=psychiatric"), scope
    )
    assert values(BY_KEY["service-use"].build(scope, f), "per_client_month") == values(
        report, "per_client_month"
    )
    # Without the programme filter the lifestyle client joins the cohort; all types count the somatic ones.
    everyone = report_for(soite.coordinator.user, QUERY.replace("&programme=ips", ""))
    assert values(everyone, "clients")["baseline"] == 74
    all_types = report_for(soite.coordinator.user, QUERY.replace("&visit_type=psychiatric", ""))
    assert values(all_types, "visits")["2024-q1"] > 416


def test_the_import_is_logged_once_and_kept_with_its_digest() -> None:
    t = team("Loki")
    clients = enrol(t, 5)
    data = csv_bytes(period_rows(clients, months(2024, 1, 6), 60))
    before = PersonalDataLog.objects.count()
    record = service_use_import(
        actor=t.coordinator.user, organization_id=t.organization.pk, source_name="a.csv", data=data
    )
    entries = list(PersonalDataLog.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.object_id, e.actor_id) for e in entries] == [
        ("import", "reporting.serviceuseimport", str(record.pk), t.coordinator.user.pk)
    ]
    import hashlib

    assert record.source_sha256 == hashlib.sha256(data).hexdigest()
    assert record.imported_by_id == t.coordinator.user.pk and record.source_name == "a.csv"


def test_semicolons_and_a_byte_order_mark_as_finnish_excel_writes() -> None:
    t = team("Excel")
    (client,) = enrol(t, 1)
    data = f"\ufeffPseudonym;Month;Visit_type;Count\r\n{client.pseudonym};2024-03;Psychiatric;4\r\n\r\n"
    record = service_use_import(
        actor=t.coordinator.user, organization_id=t.organization.pk, source_name="x.csv", data=data.encode()
    )
    assert record.rows_stored == 1
    row = ServiceUse.objects.get()
    assert (row.client_id, row.month, row.visit_type, row.count) == (
        client.pk,
        date(2024, 3, 1),
        "psychiatric",
        4,
    )


def _refused(t: Team, data: bytes) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        service_use_import(
            actor=t.coordinator.user, organization_id=t.organization.pk, source_name="b.csv", data=data
        )
    assert not ServiceUseImport.objects.exists() and not ServiceUse.objects.exists()
    return caught.value


def test_bad_files_are_refused_whole(settings: Any) -> None:
    t = team("Virheet")
    a, b = enrol(t, 2)
    good = f"{a.pseudonym},2024-01,psychiatric,2"

    error = _refused(t, csv_bytes([good], header="pseudonym,month,count\n"))
    assert (error.code, error.details["missing"]) == ("missing_columns", ["visit_type"])

    error = _refused(t, csv_bytes([good.replace(",", "\t")], header=HEADER.replace(",", "\t")))
    assert error.code == "unknown_delimiter"

    secret = f"{b.pseudonym},2024-13,psychiatric,3"
    with translation.override("en"):  # the message is put together when the file is refused
        error = _refused(
            t,
            csv_bytes(
                [good, secret, f"{a.pseudonym},2024-02,psychiatric,-1", good.replace("2024-01", "2024-05")]
            ),
        )
    assert error.code == "invalid_rows"
    assert error.details["rows_with_errors"] == 2
    assert [(e["line"], e["field"]) for e in error.details["errors"]] == [(3, "month"), (4, "count")]
    with translation.override("en"):
        assert str(error.message).startswith("Nothing was imported: 2 rows have errors. Line 3: the month")
    message = str(error.message) + json.dumps(error.details)
    assert str(a.pseudonym) not in message and str(b.pseudonym) not in message and "2024-13" not in message

    error = _refused(t, csv_bytes([good, good]))
    assert error.code == "invalid_rows" and error.details["errors"][0]["line"] == 3

    error = _refused(t, csv_bytes([f"{a.pseudonym},2024-01,psychiatric,10001", "x,2024-01,psychiatric,1"]))
    assert [(e["line"], e["field"]) for e in error.details["errors"]] == [(2, "count"), (3, "pseudonym")]

    error = _refused(t, csv_bytes([f"{a.pseudonym},2024-01,Psykiatrinen käynti,1", f"{a.pseudonym},2024-01"]))
    assert [(e["line"], e["field"]) for e in error.details["errors"]] == [(2, "visit_type"), (3, "file")]

    error = _refused(t, csv_bytes([f"{a.pseudonym},2099-01,psychiatric,1"]))
    assert error.details["errors"][0]["field"] == "month"  # the future

    assert _refused(t, b"\xff\xfe\x00p").code == "invalid_encoding"
    assert _refused(t, b"").code == "empty_file"
    assert _refused(t, HEADER.encode()).code == "empty_file"

    settings.HYTE_SERVICE_USE_MAX_BYTES = 100
    assert _refused(t, csv_bytes([good, good.replace("2024-01", "2024-02")])).code == "file_too_large"
    settings.HYTE_SERVICE_USE_MAX_BYTES = 10_000
    settings.HYTE_SERVICE_USE_MAX_ROWS = 2
    rows = [good.replace("2024-01", f"2024-0{m}") for m in (1, 2, 3)]
    error = _refused(t, csv_bytes(rows))
    assert (error.code, error.details["max_rows"]) == ("too_many_rows", 2)


def test_unmatched_pseudonyms_are_counted_not_stored() -> None:
    kokkola, kannus = team("Kokkola"), team("Kannus")
    (ours,) = enrol(kokkola, 1)
    (theirs,) = enrol(kannus, 1)  # a client of another organization: unmatched here, as a stranger is
    data = csv_bytes(
        [
            f"{ours.pseudonym},2024-01,psychiatric,2",
            f"{theirs.pseudonym},2024-01,psychiatric,3",
            f"{uuid.uuid4()},2024-01,psychiatric,4",
        ]
    )
    record = service_use_import(
        actor=kokkola.coordinator.user,
        organization_id=kokkola.organization.pk,
        source_name="c.csv",
        data=data,
    )
    assert (record.rows_read, record.rows_stored, record.rows_unmatched) == (3, 1, 2)
    assert list(ServiceUse.objects.values_list("client_id", "count")) == [(ours.pk, 2)]


def test_a_later_import_replaces_the_count() -> None:
    t = team("Uusinta")
    a, b = enrol(t, 2)
    first = service_use_import(
        actor=t.coordinator.user,
        organization_id=t.organization.pk,
        source_name="1.csv",
        data=csv_bytes([f"{a.pseudonym},2024-01,psychiatric,5", f"{b.pseudonym},2024-01,psychiatric,1"]),
    )
    second = service_use_import(
        actor=t.coordinator.user,
        organization_id=t.organization.pk,
        source_name="2.csv",
        data=csv_bytes([f"{a.pseudonym},2024-01,psychiatric,7", f"{a.pseudonym},2024-02,psychiatric,0"]),
    )
    stored = {(r.client_id, r.month.month): (r.count, r.source_id) for r in ServiceUse.objects.all()}
    assert stored == {
        (a.pk, 1): (7, second.pk),
        (a.pk, 2): (0, second.pk),
        (b.pk, 1): (1, first.pk),
    }


def test_another_organization_sees_nothing_and_others_cannot_import() -> None:
    soite, muu = team("Soite"), team("Muu")
    coached = enrol(soite, 6)
    service_use_import(
        actor=soite.coordinator.user,
        organization_id=soite.organization.pk,
        source_name="d.csv",
        data=csv_bytes(period_rows(coached, months(2023, 1, 12) + months(2024, 1, 3), 120)),
    )
    mine = report_for(soite.coordinator.user, QUERY)
    assert values(mine, "clients")["baseline"] == 6
    # The other organization's coordinator: no cohort, no visits.
    theirs = report_for(muu.coordinator.user, QUERY)
    assert set(values(theirs, "clients").values()) == {0} and set(values(theirs, "visits").values()) == {0}
    assert set(values(theirs, "per_client_month").values()) == {None}
    # Her import of the same pseudonyms stores nothing; counts stored for her organization about the
    # other's clients (as if matched) do not change the other's report.
    record = service_use_import(
        actor=muu.coordinator.user,
        organization_id=muu.organization.pk,
        source_name="e.csv",
        data=csv_bytes(period_rows(coached, months(2024, 1, 3), 999)),
    )
    assert (record.rows_stored, record.rows_unmatched) == (0, 18)
    ServiceUse.objects.create(
        organization=muu.organization,
        client=coached[0],
        month=date(2024, 1, 1),
        visit_type="psychiatric",
        count=500,
        source=record,
    )
    assert values(report_for(soite.coordinator.user, QUERY), "visits") == values(mine, "visits")
    # Nobody imports for an organization she does not coordinate, nor a worker at all.
    for actor, organization in (
        (muu.coordinator.user, soite.organization.pk),
        (soite.coach.user, soite.organization.pk),
        (soite.coordinator.user, "not-an-id"),
        (soite.coordinator.user, uuid.uuid4()),
    ):
        with pytest.raises(NotInUnit):
            service_use_import(
                actor=actor, organization_id=organization, source_name="f.csv", data=csv_bytes([])
            )
    with pytest.raises(NotInUnit):
        scope_for(soite.coach.user)


def test_a_small_cohort_shows_nothing() -> None:
    t = team("Pieni")
    clients = enrol(t, 3)
    service_use_import(
        actor=t.coordinator.user,
        organization_id=t.organization.pk,
        source_name="g.csv",
        data=csv_bytes(period_rows(clients, months(2023, 1, 12) + months(2024, 1, 9), 200)),
    )
    report = report_for(t.coordinator.user, QUERY)
    assert set(displayed(report, "clients").values()) == {"<5"}
    assert set(displayed(report, "visits").values()) == {"x"}
    assert set(values(report, "per_client_month").values()) == {None}
    assert set(values(report, "change").values()) == {None, ""}
    assert "200" not in json.dumps(report.as_json())


def test_a_partial_quarter_counts_only_its_months() -> None:
    t = team("Osa")
    clients = enrol(t, 5)
    service_use_import(
        actor=t.coordinator.user,
        organization_id=t.organization.pk,
        source_name="h.csv",
        data=csv_bytes(
            period_rows(clients, months(2023, 1, 12), 120) + period_rows(clients, months(2024, 7, 9), 99)
        ),
    )
    # Until 15 August: the third quarter has July and August; September's visits are outside.
    report = report_for(t.coordinator.user, "since=2024-07-01&until=2024-08-15")
    assert values(report, "months") == {"baseline": 12, "2024-q3": 2}
    september = sum(ServiceUse.objects.filter(month=date(2024, 9, 1)).values_list("count", flat=True))
    assert values(report, "visits")["2024-q3"] == 99 - september
    assert values(report, "per_client_month")["baseline"] == 2.0  # 120 / (5 × 12)


def test_the_command(tmp_path: Path) -> None:
    t = team("Komento")
    clients = enrol(t, 2)
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes(period_rows(clients, months(2024, 1, 2), 9)))
    out = StringIO()
    call_command(
        "import_service_use",
        str(path),
        organization=str(t.organization.pk),
        user=t.coordinator.user.username,
        stdout=out,
    )
    assert out.getvalue().startswith("Tuotiin 4 riviä: 4 tallennettu, 0 ilman vastaavaa asiakasta")
    assert ServiceUse.objects.count() == 4
    with pytest.raises(CommandError, match="not_in_unit"):
        call_command(
            "import_service_use", str(path), organization=str(t.organization.pk), user=t.coach.user.username
        )
    path.write_bytes(b"pseudonym\tmonth\n")
    with pytest.raises(CommandError, match="unknown_delimiter"):
        call_command(
            "import_service_use",
            str(path),
            organization=str(t.organization.pk),
            user=t.coordinator.user.username,
        )


@pytest.mark.urls(URLS)
def test_the_import_page() -> None:
    t = team("Sivu")
    clients = enrol(t, 2)
    with translation.override("en"):
        url_en = reverse("web:report-service-use-import")
    assert url_en == "/en/reports/service-use/import/"
    page = t.coordinator.client.get(url_en)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content and b"csrfmiddlewaretoken" in page.content
    upload = SimpleUploadedFile(
        "visits.csv", csv_bytes(period_rows(clients, months(2024, 1, 3), 12)), "text/csv"
    )
    done = t.coordinator.client.post(url_en, {"organization": t.organization.pk, "file": upload}, follow=True)
    assert done.status_code == 200
    assert b"6 rows read, 6 stored, 0 without a matching client" in done.content
    assert b"visits.csv" in done.content
    bad = SimpleUploadedFile(
        "bad.csv", csv_bytes([f"{clients[0].pseudonym},2024-1,psychiatric,1"]), "text/csv"
    )
    refused = t.coordinator.client.post(url_en, {"organization": t.organization.pk, "file": bad})
    assert refused.status_code == 400
    assert b"Line 2: the month must be YYYY-MM" in refused.content
    assert ServiceUseImport.objects.count() == 1
    # Workers and people elsewhere: no such page.
    assert t.coach.client.get(url_en).status_code == 404
    other = team("Toinen")
    theirs = other.coordinator.client.get(url_en)
    assert theirs.status_code == 200 and b"visits.csv" not in theirs.content
    upload = SimpleUploadedFile("visits.csv", b"x", "text/csv")
    assert (
        other.coordinator.client.post(url_en, {"organization": t.organization.pk, "file": upload}).status_code
        == 400
    )


@pytest.mark.urls(URLS)
def test_the_import_api() -> None:
    t = team("Rajapinta")
    clients = enrol(t, 2)
    url = reverse("api:service-use-import-list")
    assert url == "/api/v1/service-use-imports/"
    upload = SimpleUploadedFile(
        "api.csv", csv_bytes(period_rows(clients, months(2024, 1, 3), 12)), "text/csv"
    )
    created = t.coordinator.client.post(url, {"organization": str(t.organization.pk), "file": upload})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["rows_read"], body["rows_stored"], body["rows_unmatched"], body["source_name"]) == (
        6,
        6,
        0,
        "api.csv",
    )
    listed = t.coordinator.client.get(url).json()
    assert [r["id"] for r in listed] == [body["id"]]
    bad = SimpleUploadedFile(
        "bad.csv", b"pseudonym;month;visit_type;count\nx;2024-01;psychiatric;1\n", "text/csv"
    )
    refused = t.coordinator.client.post(
        url + "?lang=en", {"organization": str(t.organization.pk), "file": bad}
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_rows"
    assert refused.json()["details"]["errors"] == [
        {"line": 2, "field": "pseudonym", "message": "the pseudonym is not a client pseudonym (a UUID)"}
    ]
    assert t.coordinator.client.post(url, {"organization": str(t.organization.pk)}).status_code == 400
    assert t.coach.client.get(url).json()["code"] == "not_in_unit"
    assert (
        t.coach.client.post(url, {"organization": str(t.organization.pk), "file": upload}).status_code == 403
    )
    from django.test import Client as Browser

    assert Browser().get(url).status_code == 403
