"""The report pages: the index, one report, its exports and the board report, for coordinators only;
bad and hostile filters are 400 pages with the message and the form, never a 500."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook

from hyte.accounts.models import Unit, UnitRole
from hyte.referrals.models import Referral
from hyte.referrals.services import referral_create, referral_transition
from hyte.reporting.registry import REPORTS
from hyte.reporting.tables import Report
from tests.accounts.factories import UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import (  # noqa: F401 (fixtures)
    client_data,
    consent_data,
    coordinator,
    counsellor_c,
    pro_a,
    unit_a,
    unit_b,
    unit_c,
)

pytestmark = pytest.mark.django_db

LANGS = ("fi", "sv", "en")


def url(name: str, *args: str, lang: str = "fi") -> str:
    from django.urls import reverse

    with translation.override(lang):
        return reverse(f"web:{name}", args=args)


@pytest.fixture
def funnel_data(pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit) -> None:  # noqa: F811
    """12 referrals sent from unit A today: 8 accepted, 3 declined for lack of capacity, 1 waiting."""
    for n in range(12):
        referral = referral_create(
            actor=pro_a.user,
            referring_unit_id=unit_a.pk,
            receiving_unit_id=unit_c.pk,
            kind=Referral.Kind.EXERCISE,
            client=client_data(personal_identity_code="", last_name=f"Asiakas {n}"),
            reason="Liikkuu vähän.",
            consent=consent_data(),
        )
        if n == 11:
            continue
        referral_transition(actor=counsellor_c.user, referral_id=referral.pk, action="receive")
        if n < 8:
            referral_transition(actor=counsellor_c.user, referral_id=referral.pk, action="accept")
        else:
            referral_transition(
                actor=counsellor_c.user,
                referral_id=referral.pk,
                action="decline",
                decline_reason="Ei tilaa.",
                decline_code="no_capacity",
            )


@pytest.fixture
def elsewhere(unit_b: Unit) -> Persona:  # noqa: F811
    """A coordinator of another organization."""
    return _login(UnitRoleFactory(unit=unit_b, role=UnitRole.Role.COORDINATOR, user__username="coord_b").user)


def cell_values(report: Report, table: str, column: str) -> dict[str, Any]:
    index = report.table(table).column_index(column)
    return {row.key: row.values[index].as_json() for row in report.table(table).rows}


@pytest.mark.parametrize("lang", LANGS)
def test_a_coordinator_sees_the_funnel_in_every_language(
    coordinator: Persona,  # noqa: F811
    funnel_data: None,
    lang: str,
) -> None:
    response = coordinator.client.get(url("report", "funnel", lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    report: Report = response.context["report"]
    counts = cell_values(report, "stages", "count")
    assert (counts["sent"], counts["accepted"]) == (12, 8)
    assert cell_values(report, "declined", "count")["no_capacity"] == "<5"
    with translation.override(lang):
        assert escape(str(report.title)) in html
        for table in report.tables:
            assert escape(str(table.title)) in html
            for row in table.rows:
                assert f'<th scope="row">{escape(str(row.label))}</th>' in html
    # The figures are in the table and the chart, the hidden count only as its mark.
    assert "<td>12</td>" in html and "<td>8</td>" in html
    assert '<td class="hidden-value">&lt;5</td>' in html
    assert html.count('role="img"') >= 1 and "<desc" in html
    assert "Counts under 5 are shown as &lt;5" in html or lang != "en"
    # Exports with the same filter, and the board report.
    query = response.context["query"]
    assert f'href="{url("report-csv", "funnel", lang=lang)}?{escape(query)}"' in html
    assert f'href="{url("report-xlsx", "funnel", lang=lang)}?{escape(query)}"' in html
    assert url("report-board", lang=lang) in html


def test_the_index_lists_every_report_and_the_organizations(coordinator: Persona, unit_a: Unit) -> None:  # noqa: F811
    response = coordinator.client.get(url("reports"))
    assert response.status_code == 200
    html = response.content.decode()
    for spec in REPORTS:
        assert url("report", spec.key) in html
    assert escape(str(unit_a.organization.name)) in html
    assert url("report-board") in html
    assert url("report-costs-edit") in html and url("report-service-use-import") in html
    assert f'href="{url("reports")}"' in html  # the staff navigation links to the reports


def test_the_staff_navigation_shows_reports_to_coordinators_only(
    pro_a: Persona,  # noqa: F811
    coordinator: Persona,  # noqa: F811
) -> None:
    link = f'href="{url("reports")}"'
    assert link in coordinator.client.get(url("referrals")).content.decode()
    assert link not in pro_a.client.get(url("referrals")).content.decode()


def test_costs_and_service_use_pages_link_to_their_data_pages(coordinator: Persona) -> None:  # noqa: F811
    html = coordinator.client.get(url("report", "costs")).content.decode()
    assert url("report-costs-edit") in html
    html = coordinator.client.get(url("report", "service-use")).content.decode()
    assert url("report-service-use-import") in html and 'name="visit_type"' in html
    assert 'name="baseline_since"' in html


def test_others_get_not_found(pro_a: Persona, funnel_data: None) -> None:  # noqa: F811
    for path in (
        url("reports"),
        url("report", "funnel"),
        url("report-csv", "funnel"),
        url("report-xlsx", "funnel"),
        url("report-board"),
    ):
        response = pro_a.client.get(path)
        assert response.status_code == 404, path
        assert b"<td>12</td>" not in response.content
    # Not logged in: the two-factor login first.
    from django.test import Client

    assert Client().get(url("report", "funnel")).status_code == 302


def test_a_coordinator_elsewhere_sees_none_of_it(elsewhere: Persona, funnel_data: None, unit_a: Unit) -> None:  # noqa: F811
    response = elsewhere.client.get(url("report", "funnel"))
    assert response.status_code == 200
    counts = cell_values(response.context["report"], "stages", "count")
    assert counts["sent"] == 0
    assert "<td>12</td>" not in response.content.decode()
    # Nor can she pick unit A: answered like a unit that does not exist.
    response = elsewhere.client.get(url("report", "funnel"), {"unit": str(unit_a.pk)})
    assert response.status_code == 400
    assert escape(str(unit_a.name)) not in response.content.decode()


def test_unknown_report_is_not_found(coordinator: Persona) -> None:  # noqa: F811
    assert coordinator.client.get(url("report", "nope")).status_code == 404
    assert coordinator.client.get(url("report-csv", "nope")).status_code == 404


@pytest.mark.parametrize(
    ("params", "message", "field"),
    [
        ({"since": "2024-13-01"}, "Give the date as YYYY-MM-DD.", "since"),
        ({"since": "2024-05-01", "until": "2024-01-01"}, "The start date is after the end date.", "since"),
        ({"unit": str(uuid.uuid4())}, "Unknown unit.", "unit"),
        ({"unit": "../../"}, "Unknown unit.", "unit"),
        ({"breakdown": "shoe-size"}, "Unknown breakdown.", "breakdown"),
        ({"municipality": "999"}, "Unknown municipality.", "municipality"),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_a_bad_filter_is_a_400_page_with_the_message_and_the_form(
    coordinator: Persona,  # noqa: F811
    params: dict[str, str],
    message: str,
    field: str,
    lang: str,
) -> None:
    response = coordinator.client.get(url("report", "funnel", lang=lang), params)
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override(lang):
        assert escape(gettext(message)) in html
    assert 'role="alert"' in html and f'name="{field}"' in html and 'aria-invalid="true"' in html
    assert "report" not in response.context or response.context.get("report") is None


@pytest.mark.parametrize(
    "query",
    [
        "since=2024-01-01&since=2024-02-01",
        "unit=a&unit=b",
        "since=" + "9" * 100_000,
        "unit=" + "x" * 100_000,
        "programme=" + "p" * 10_000,
        "municipality=%00%00",
        "programme=ips%00",
        "since=%00",
        "visit_type=" + "v" * 5_000,
        "baseline_since=2024-01-01",
        "baseline_since=1899-01-01&baseline_until=2024-01-01",
        "since=1990-01-01&until=2024-01-01",
        "breakdown=%F0%9F%92%A3",
        "until=2024-02-30",
    ],
)
@pytest.mark.parametrize("name", ["report", "report-csv", "report-xlsx"])
def test_hostile_parameters_are_400s_not_500s(coordinator: Persona, query: str, name: str) -> None:  # noqa: F811
    key = "service-use" if "visit_type" in query or "baseline" in query else "funnel"
    response = coordinator.client.get(f"{url(name, key)}?{query}")
    assert response.status_code == 400, (query, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert 'role="alert"' in response.content.decode()


def test_hostile_parameters_on_the_board(coordinator: Persona) -> None:  # noqa: F811
    for query in ("since=x", "unit=../../", "since=2024-01-01&since=2024-01-02", "until=" + "1" * 50_000):
        response = coordinator.client.get(f"{url('report-board')}?{query}")
        assert response.status_code == 400, query
        assert 'role="alert"' in response.content.decode()


def test_csv_and_xlsx_exports_carry_what_the_page_shows(coordinator: Persona, funnel_data: None) -> None:  # noqa: F811
    today = timezone.localdate()
    params = {"since": (today - timedelta(days=30)).isoformat(), "until": today.isoformat()}
    page = coordinator.client.get(url("report", "funnel", lang="en"), params)
    report: Report = page.context["report"]

    response = coordinator.client.get(url("report-csv", "funnel", lang="en"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="funnel-{params["since"]}-{params["until"]}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [str(report.title)]
    start = rows.index([str(report.table("stages").title)])
    sent = rows[start + 2]
    assert sent[:2] == ["Sent", "12"]
    assert ["Referrals", "<5"] not in rows  # the hidden reason is its mark in its own row
    declined = rows.index(["Reasons for declining"])
    assert any(r[1:] == ["<5"] for r in rows[declined : declined + 10])

    response = coordinator.client.get(url("report-xlsx", "funnel", lang="en"), params)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 1 + len(report.tables)
    stages = book.worksheets[1]
    assert [c.value for c in stages[4]][:2] == ["Sent", 12]
    values = [c.value for sheet in book.worksheets[1:] for row in sheet.iter_rows() for c in row]
    assert "<5" in values


def test_the_board_report_has_every_report_for_one_filter(
    coordinator: Persona,  # noqa: F811
    funnel_data: None,
    unit_a: Unit,  # noqa: F811
) -> None:
    response = coordinator.client.get(url("report-board", lang="en"), {"breakdown": "unit"})
    assert response.status_code == 200  # a breakdown is not the board's: left out
    html = response.content.decode()
    sections = response.context["sections"]
    assert [s.spec.key for s in sections] == [spec.key for spec in REPORTS]
    for section in sections:
        assert f'id="board-{section.spec.key}"' in html
        assert escape(str(section.report.title)) in html
    funnel_report = sections[0].report
    assert cell_values(funnel_report, "stages", "count")["sent"] == 12
    assert escape(str(unit_a.organization.name)) in html
    assert "Made" in html and "Counts under 5 are shown as &lt;5." in html
