"""The reports API: the list and one report as JSON, for coordinators; coded errors otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from hyte.accounts.models import Unit, UnitRole
from hyte.reporting.registry import REPORTS
from tests.accounts.factories import UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import coordinator, counsellor_c, pro_a, unit_a, unit_b, unit_c  # noqa: F401
from tests.reporting.test_views import funnel_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/reports/"


def get(persona: Persona, path: str, params: dict[str, Any] | None = None) -> Any:
    return persona.client.get(path, params or {})


def test_the_list_of_reports(coordinator: Persona, unit_a: Unit) -> None:  # noqa: F811
    response = get(coordinator, LIST, {"lang": "en"})
    assert response.status_code == 200
    body = response.json()
    with translation.override("en"):
        assert body["organizations"] == [str(unit_a.organization.name)]
    assert [r["key"] for r in body["reports"]] == [spec.key for spec in REPORTS]
    funnel = body["reports"][0]
    assert funnel["title"] == "Referral funnel"
    assert [b["key"] for b in funnel["breakdowns"]] == ["unit", "kind", "municipality"]
    assert funnel["url"].endswith("/api/v1/reports/funnel/")


def test_one_report_as_json(coordinator: Persona, funnel_data: None) -> None:  # noqa: F811
    response = get(coordinator, f"{LIST}funnel/", {"lang": "en", "breakdown": "kind"})
    assert response.status_code == 200 and response["Content-Language"] == "en"
    body = response.json()
    assert body["report"] == "funnel" and body["min_cell"] == 5
    stages = next(t for t in body["tables"] if t["key"] == "stages")
    by_key = {row["key"]: row["values"] for row in stages["rows"]}
    assert by_key["sent"]["count"] == 12 and by_key["accepted"]["count"] == 8
    assert by_key["sent"]["of_sent"] == 1.0
    declined = next(t for t in body["tables"] if t["key"] == "declined")
    assert {row["key"]: row["values"]["count"] for row in declined["rows"]}["no_capacity"] == "<5"
    assert any(t["key"] == "breakdown" for t in body["tables"])


def test_others_are_refused_and_learn_nothing(pro_a: Persona, funnel_data: None) -> None:  # noqa: F811
    for path in (LIST, f"{LIST}funnel/", f"{LIST}nope/"):
        response = get(pro_a, path, {"since": "bad"})
        assert response.status_code == 403, path
        assert response.json()["code"] == "not_in_unit"
    from django.test import Client

    assert Client().get(LIST).status_code in (401, 403)


def test_a_coordinator_elsewhere_gets_zeros(unit_b: Unit, funnel_data: None) -> None:  # noqa: F811
    other = _login(UnitRoleFactory(unit=unit_b, role=UnitRole.Role.COORDINATOR).user)
    body = get(other, f"{LIST}funnel/").json()
    stages = next(t for t in body["tables"] if t["key"] == "stages")
    assert {row["key"]: row["values"]["count"] for row in stages["rows"]}["sent"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2024-02-30"}, "since"),
        ({"unit": "../../"}, "unit"),
        ({"municipality": "27\x00"}, "municipality"),  # NUL: a 400 on PostgreSQL too
        ({"programme": "\x00"}, "programme"),
        ({"breakdown": "programme"}, "breakdown"),  # the funnel has no programme breakdown
    ],
)
def test_bad_parameters_are_coded_400s(coordinator: Persona, params: dict[str, str], field: str) -> None:  # noqa: F811
    response = get(coordinator, f"{LIST}funnel/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter" and body["details"]["field"] == field


def test_repeated_parameters_and_unknown_reports(coordinator: Persona) -> None:  # noqa: F811
    response = coordinator.client.get(f"{LIST}funnel/?since=2024-01-01&since=2024-01-02")
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
    response = get(coordinator, f"{LIST}nope/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = coordinator.client.get(f"{LIST}..%2F..%2F/")
    assert response.status_code == 404


def test_the_messages_follow_the_language(coordinator: Persona) -> None:  # noqa: F811
    fi = get(coordinator, f"{LIST}funnel/", {"unit": "x", "lang": "fi"}).json()["message"]
    en = get(coordinator, f"{LIST}funnel/", {"unit": "x", "lang": "en"}).json()["message"]
    assert en == "Unknown unit." and fi == "Tuntematon yksikkö."


def test_openapi_schema_builds_without_warnings(tmp_path: Path) -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/reports/{key}/:" in schema and "/api/v1/reports/:" in schema
    assert "baseline_since" in schema
