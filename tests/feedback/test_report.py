"""The feedback report: per service, programme and occasion with small-cell suppression, comments only
for large enough groups and never with dates, the filters, and the same report through the pages, the
API, the board report and the CSV/XLSX exports (all from the registry)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from hyte.catalog.models import Service
from hyte.feedback.models import FeedbackAnswer
from hyte.feedback.report import build
from hyte.reporting.filters import parse_filter, scope_for
from hyte.reporting.registry import BY_KEY
from hyte.reporting.tables import Report
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def add(t: Team, n: int, rating: int, recommend: str = "yes", *, text: str = "", **keys: Any) -> None:
    values: dict[str, Any] = {
        "about": "pathway",
        "organization_id": t.organization.pk,
        "unit_id": t.unit.pk,
        "programme_id": "exercise_counselling",
        "language": "fi",
        "submitted_on": TODAY(),
    } | keys
    for i in range(n):
        FeedbackAnswer.objects.create(
            rating=rating, recommend=recommend, text=f"{text} {i}".strip() if text else "", **values
        )


def group_answers(
    t: Team, group: Service, n: int, rating: int, recommend: str = "dont_know", **extra: Any
) -> None:
    add(
        t,
        n,
        rating,
        recommend,
        about="meeting",
        unit_id=None,
        programme_id=None,
        service_id=group.pk,
        **extra,
    )


def report_for(t: Team, query: str = "") -> Report:
    scope = scope_for(t.coordinator.user)
    return build(scope, parse_filter(QueryDict(query), scope, breakdowns=BY_KEY["feedback"].breakdowns))


def values(report: Report, table: str) -> dict[str, dict[str, Any]]:
    found = next(t for t in report.as_json()["tables"] if t["key"] == table)
    return {row["key"]: row["values"] for row in found["rows"]}


@pytest.fixture
def answered(home: Team, away: Team, walking_group: Service) -> None:
    """Ten pathway answers (5 × rating 5, 5 × rating 4; half would recommend), five of the walking
    group (rating 3, don't know), and answers to another organization that never count here."""
    add(home, 5, 5, "yes", text="Hyvä ohjaaja")
    add(home, 5, 4, "no")
    group_answers(home, walking_group, 5, 3, text="Mukava ryhmä")
    add(away, 7, 1, "no", text="Vieraan kommentti")


def test_per_programme_service_and_occasion(home: Team, walking_group: Service, answered: None) -> None:
    report = report_for(home)
    assert report.key == "feedback" and report.min_cell == 5
    programme = values(report, "by_programme")
    assert programme["exercise_counselling"] == {
        "answers": 10,
        "mean": 4.5,
        "recommend": 0.5,
        "r1": 0,
        "r2": 0,
        "r3": 0,
        "r4": 5,
        "r5": 5,
    }
    assert programme["none"] == {
        "answers": 5,
        "mean": 3.0,
        "recommend": 0.0,
        "r1": 0,
        "r2": 0,
        "r3": 5,
        "r4": 0,
        "r5": 0,
    }
    assert programme["total"]["answers"] == 15 and programme["total"]["mean"] == 4.0
    assert programme["total"]["recommend"] == pytest.approx(5 / 15, abs=1e-4)
    service = values(report, "by_service")
    assert service[str(walking_group.pk)]["answers"] == 5 and service["none"]["answers"] == 10
    kind = values(report, "by_kind")
    assert set(kind) == {"pathway", "meeting", "total"} and kind["meeting"]["mean"] == 3.0


def test_small_groups_are_suppressed_and_their_comments_not_listed(
    home: Team, walking_group: Service, answered: None
) -> None:
    other_group = Service.objects.create(
        organization=home.organization, name="Tuolijumppa", name_fi="Tuolijumppa"
    )
    group_answers(home, other_group, 2, 1, "no", text="Tunnistettava kommentti")
    report = report_for(home)
    service = values(report, "by_service")
    small = service[str(other_group.pk)]
    assert small["answers"] == "<5" and small["mean"] is None and small["recommend"] is None
    assert small["r1"] == "<5"
    # The small count could be worked out from the total and the other rows: something else hides too.
    assert "x" in [v for row in service.values() for v in row.values()]
    texts = [row["text"] for row in values(report, "comments").values()]
    assert "Tunnistettava kommentti 0" not in texts and not any("Vieraan" in t for t in texts)
    assert "Hyvä ohjaaja 0" in texts and "Mukava ryhmä 4" in texts


def test_comments_have_no_dates_or_ratings_and_come_in_alphabetical_order(home: Team, answered: None) -> None:
    table = next(t for t in report_for(home).as_json()["tables"] if t["key"] == "comments")
    assert [c["key"] for c in table["columns"]] == ["group", "text"]
    texts = [(row["values"]["group"], row["values"]["text"]) for row in table["rows"]]
    assert texts == sorted(texts) and len(texts) == 10
    assert [row["key"] for row in table["rows"]] == [f"c{i}" for i in range(1, 11)]


def test_hidden_comments_are_left_out(home: Team, answered: None) -> None:
    FeedbackAnswer.objects.filter(text="Hyvä ohjaaja 0").update(text_hidden=True)
    texts = [row["text"] for row in values(report_for(home), "comments").values()]
    assert "Hyvä ohjaaja 0" not in texts and "Hyvä ohjaaja 1" in texts
    assert values(report_for(home), "by_programme")["exercise_counselling"]["answers"] == 10  # still counts


def test_filters_period_unit_programme_and_municipality(home: Team, answered: None) -> None:
    FeedbackAnswer.objects.filter(rating=4).update(submitted_on=TODAY() - timedelta(days=400))
    since = (TODAY() - timedelta(days=30)).isoformat()
    assert values(report_for(home, f"since={since}"), "by_kind")["total"]["answers"] == 10
    by_unit = values(report_for(home, f"unit={home.unit.pk}&since=2020-01-01"), "by_kind")
    assert by_unit["total"]["answers"] == 10  # the group's answers belong to no unit
    programme = values(report_for(home, "programme=exercise_counselling&since=2020-01-01"), "by_programme")
    assert set(programme) == {"exercise_counselling", "total"}
    report = report_for(home, "municipality=272")
    without = report_for(home, "")
    with translation.override("en"):
        assert any("municipality filter does not apply" in str(note) for note in report.notes)
        assert not any("municipality" in str(note) for note in without.notes)


def test_no_answers_is_an_empty_report(home: Team) -> None:
    report = report_for(home)
    assert values(report, "by_service") == {
        "total": {"answers": 0, "mean": None, "recommend": None, "r1": 0, "r2": 0, "r3": 0, "r4": 0, "r5": 0}
    }
    assert values(report, "comments") == {}


# --- the same report everywhere ---


def test_the_api_lists_and_answers_the_report(home: Team, away: Team, answered: None) -> None:
    listed = home.coordinator.client.get("/api/v1/reports/", {"lang": "en"}).json()
    assert "feedback" in [r["key"] for r in listed["reports"]]
    response = home.coordinator.client.get("/api/v1/reports/feedback/", {"lang": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["report"] == "feedback" and body["title"] == "Customer feedback"
    assert [t["key"] for t in body["tables"]] == ["by_service", "by_programme", "by_kind", "comments"]
    assert "Vieraan kommentti 0" not in response.content.decode()
    refused = home.coach.client.get("/api/v1/reports/feedback/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_in_unit"
    bad = home.coordinator.client.get("/api/v1/reports/feedback/", {"unit": str(away.unit.pk)})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_parameter"


def test_the_page_the_board_and_the_exports(home: Team, answered: None) -> None:
    browser = home.coordinator.client
    with translation.override("en"):
        page = browser.get(reverse("web:report", args=["feedback"]))
        board = browser.get(reverse("web:report-board"))
        index = browser.get(reverse("web:reports"))
        report_path = reverse("web:report", args=["feedback"])
        csv_response = browser.get(reverse("web:report-csv", args=["feedback"]))
        xlsx_response = browser.get(reverse("web:report-xlsx", args=["feedback"]))
    assert page.status_code == 200 and "Hyvä ohjaaja 0" in page.content.decode()
    assert board.status_code == 200 and "Customer feedback" in board.content.decode()
    assert index.status_code == 200 and report_path in index.content.decode()
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert "Hyvä ohjaaja 0" in flat and "4.5" in " ".join(flat).replace(",", ".")
    assert xlsx_response.status_code == 200
    book = load_workbook(io.BytesIO(xlsx_response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Hyvä ohjaaja 0" in cells and 4.5 in cells
    assert home.coach.client.get(reverse("web:report", args=["feedback"])).status_code == 404


def test_a_comment_that_looks_like_a_formula_is_neutralised_in_the_csv(home: Team) -> None:
    add(home, 5, 3, text='=HYPERLINK("http://evil","x")')
    response = home.coordinator.client.get(reverse("web:report-csv", args=["feedback"]))
    cells = [
        c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";") for c in row
    ]
    assert not [c for c in cells if c.startswith("=")]
