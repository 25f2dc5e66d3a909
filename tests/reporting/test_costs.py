"""Programme costs: entered by coordinators (service, page, API), audited, and the cost report. The
seed figure: Pieksämäki's "Hoitava liikunta-aktivointi", 246,392 € of public funding for 2015–2017."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from hyte.core.errors import InvalidParameter
from hyte.core.models import AuditEvent
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway
from hyte.referrals.errors import NotInUnit
from hyte.reporting.costs import build, prorated
from hyte.reporting.filters import parse_filter, scope_for
from hyte.reporting.models import ProgrammeCost
from hyte.reporting.registry import BY_KEY
from hyte.reporting.services import CostNotFound, programme_cost_add, programme_cost_delete
from hyte.reporting.tables import Report
from tests.referrals.conftest import client_data
from tests.reporting.test_service_use import URLS, Team, team

pytestmark = pytest.mark.django_db
FUNDING = Decimal("246392")


def enrol(t: Team, on: date, *, programme: str = "exercise_counselling", tag: str = "") -> Pathway:
    return pathways.pathway_enrol(
        actor=t.coach.user,
        data=pathways.Enrolment(
            programme=programme,
            unit_id=t.unit.pk,
            origin=Pathway.Origin.OTHER,
            client=client_data(personal_identity_code="", last_name=f"Asiakas {tag}{on.isoformat()}"),
            enrolled_on=on,
        ),
    )


def close(t: Team, pathway: Pathway, on: date, reason: str) -> None:
    pathways.pathway_close(
        actor=t.coach.user, pathway_id=pathway.pk, version=None, reason=reason, closed_on=on
    )


def add_funding(t: Team, **overrides: Any) -> ProgrammeCost:
    values: dict[str, Any] = {
        "organization_id": t.organization.pk,
        "programme": "exercise_counselling",
        "starts_on": date(2015, 1, 1),
        "ends_on": date(2017, 12, 31),
        "amount": FUNDING,
        "category": ProgrammeCost.Category.SERVICES,
        "description": "Hoitava liikunta-aktivointi, julkinen rahoitus",
    }
    return programme_cost_add(actor=t.coordinator.user, **(values | overrides))


def report_for(actor: Any, query: str) -> Report:
    scope = scope_for(actor)
    return build(scope, parse_filter(QueryDict(query), scope, breakdowns=BY_KEY["costs"].breakdowns))


def row(report: Report, key: str) -> dict[str, Any]:
    (found,) = [r for r in report.as_json()["tables"][0]["rows"] if r["key"] == key]
    return found["values"]  # type: ignore[no-any-return]


def shown(report: Report, key: str) -> dict[str, str]:
    table = report.tables[0]
    (found,) = [r for r in table.rows if r.key == key]
    return {c.key: v.display for c, v in zip(table.columns, found.values, strict=True)}


@pytest.fixture
def pieksamaki() -> Team:
    """40 clients enrolled in 2015–2017 (15, 15, 10); 16 pathways completed (6 in 2016, 10 in 2017) and
    4 ended otherwise (not completed)."""
    t = team("Pieksämäen liikuntaneuvonta")
    enrolled = [
        *(enrol(t, date(2015, 2, 1 + n)) for n in range(15)),
        *(enrol(t, date(2016, 3, 1 + n)) for n in range(15)),
        *(enrol(t, date(2017, 1, 10 + n)) for n in range(10)),
    ]
    for n, pathway in enumerate(enrolled[:6]):
        close(t, pathway, date(2016, 6, 1 + n), "goals_met" if n % 2 else "plan_completed")
    for n, pathway in enumerate(enrolled[15:25]):
        close(t, pathway, date(2017, 9, 1 + n), "goals_met")
    for n, pathway in enumerate(enrolled[6:10]):
        close(t, pathway, date(2016, 5, 1 + n), "client_declined")
    return t


def test_pieksamaki_cost_per_participant(pieksamaki: Team) -> None:
    t = pieksamaki
    cost = add_funding(t)
    assert (cost.amount, cost.entered_by_id, cost.organization_id) == (
        Decimal("246392.00"),
        t.coordinator.user.pk,
        t.organization.pk,
    )
    with translation.override("en"):
        report = report_for(t.coordinator.user, "since=2015-01-01&until=2017-12-31")
        figures = shown(report, "exercise_counselling")
        total = shown(report, "total")
    assert row(report, "exercise_counselling") == {
        "cost": 246392.0,
        "enrolled": 40,
        "completed": 16,
        "per_enrolled": 6159.8,
        "per_completed": 15399.5,
    }
    assert figures == {
        "cost": "246392.00 €",
        "enrolled": "40",
        "completed": "16",
        "per_enrolled": "6159.80 €",
        "per_completed": "15399.50 €",
    }
    assert total == figures
    assert [r.key for r in report.tables[0].rows] == ["exercise_counselling", "total"]
    json.dumps(report.as_json())

    # 2016 only: the cost is prorated by days (366 of 1096), the counts are those of 2016.
    part = (FUNDING * 366 / 1096).quantize(Decimal("0.01"))
    assert (
        part
        == Decimal("82280.54")
        == prorated(
            FUNDING, date(2015, 1, 1), date(2017, 12, 31), date(2016, 1, 1), date(2016, 12, 31)
        ).quantize(Decimal("0.01"))
    )
    year = report_for(t.coordinator.user, "since=2016-01-01&until=2016-12-31&programme=exercise_counselling")
    assert row(year, "exercise_counselling") == {
        "cost": 82280.54,
        "enrolled": 15,
        "completed": 6,
        "per_enrolled": round(82280.54 / 15, 2),  # 5485.37
        "per_completed": round(82280.54 / 6, 2),  # 13713.42
    }
    with translation.override("fi"):
        assert shown(year, "exercise_counselling")["per_enrolled"] == "5485,37 €"
    # A period outside the cost: nothing spent, nobody enrolled.
    later = report_for(t.coordinator.user, "since=2019-01-01&until=2019-12-31")
    assert row(later, "total") == {
        "cost": 0.0,
        "enrolled": 0,
        "completed": 0,
        "per_enrolled": None,
        "per_completed": None,
    }


def test_small_counts_hide_the_cost_per_client() -> None:
    t = team("Pieni kunta")
    for n in range(15):
        enrol(t, date(2016, 3, 1 + n))
    for n in range(3):
        enrol(t, date(2016, 4, 1 + n), programme="lifestyle", tag="L")
    add_funding(t)
    add_funding(
        t, programme="lifestyle", amount="1000,00", starts_on=date(2016, 1, 1), ends_on=date(2016, 12, 31)
    )
    report = report_for(t.coordinator.user, "since=2016-01-01&until=2016-12-31")
    lifestyle, exercise, total = (
        row(report, "lifestyle"),
        row(report, "exercise_counselling"),
        row(report, "total"),
    )
    assert (lifestyle["enrolled"], lifestyle["per_enrolled"], lifestyle["cost"]) == ("<5", None, 1000.0)
    # 18 in all would give the 3 away: the other programme's count is hidden too, and its cost per client.
    assert (exercise["enrolled"], exercise["per_enrolled"]) == ("x", None)
    assert (total["enrolled"], total["per_enrolled"]) == (18, round((82280.54 + 1000) / 18, 2))
    assert total["per_completed"] is None and total["completed"] == 0


def test_validation_and_permissions(pieksamaki: Team) -> None:
    t = pieksamaki
    cases: list[tuple[dict[str, Any], str]] = [
        ({"starts_on": date(2018, 1, 1)}, "ends_on"),
        ({"starts_on": date(2000, 1, 1), "ends_on": date(2010, 12, 31)}, "ends_on"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": Decimal("100000000")}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"programme": "yoga"}, "programme"),
        ({"category": "travel"}, "category"),
        ({"description": "x" * 201}, "description"),
        ({"description": "a\x00b"}, "description"),
    ]
    for overrides, field in cases:
        with pytest.raises(InvalidParameter) as caught:
            add_funding(t, **overrides)
        assert caught.value.details["field"] == field, overrides
    with translation.override("en"), pytest.raises(InvalidParameter) as caught:
        add_funding(t, amount="1,234")
    assert (
        str(caught.value.message)
        == "Give the amount in euros, from 0 to 99,999,999.99, with at most two decimals."
    )
    assert not ProgrammeCost.objects.exists()
    assert add_funding(t, amount="99999999.99", ends_on=date(2024, 12, 30)).amount == Decimal("99999999.99")

    other = team("Muu kunta")
    with pytest.raises(NotInUnit):
        add_funding(t, organization_id=other.organization.pk)
    with pytest.raises(NotInUnit):
        programme_cost_add(
            actor=t.coach.user,
            organization_id=t.organization.pk,
            programme="ips",
            starts_on=date(2020, 1, 1),
            ends_on=date(2020, 1, 1),
            amount=1,
            category="other",
            description="",
        )
    cost = ProgrammeCost.objects.get()
    with pytest.raises(CostNotFound):
        programme_cost_delete(actor=other.coordinator.user, cost_id=cost.pk)
    with pytest.raises(CostNotFound):
        programme_cost_delete(actor=t.coordinator.user, cost_id="nonsense")
    with pytest.raises(NotInUnit):
        programme_cost_delete(actor=t.coach.user, cost_id=cost.pk)
    # The other organization's report has none of it.
    assert (
        row(report_for(other.coordinator.user, "since=2015-01-01&until=2017-12-31"), "total")["cost"] == 0.0
    )

    programme_cost_delete(actor=t.coordinator.user, cost_id=cost.pk)
    assert not ProgrammeCost.objects.exists()
    events = list(AuditEvent.objects.filter(object_id=str(cost.pk)).order_by("id"))
    assert [(e.action, e.actor_id) for e in events] == [
        ("programme_cost.create", t.coordinator.user.pk),
        ("programme_cost.delete", t.coordinator.user.pk),
    ]
    assert events[0].details == {
        "organization": str(t.organization.pk),
        "programme": "exercise_counselling",
        "starts_on": "2015-01-01",
        "ends_on": "2024-12-30",
        "amount": "99999999.99",
        "category": "services",
    }


@pytest.mark.urls(URLS)
def test_the_cost_page(pieksamaki: Team) -> None:
    t = pieksamaki
    with translation.override("en"):
        url = reverse("web:report-costs-edit")
    assert url == "/en/reports/costs/edit/"
    page = t.coordinator.client.get(url)
    assert page.status_code == 200 and b"No costs entered yet." in page.content
    form = {
        "organization": t.organization.pk,
        "programme": "exercise_counselling",
        "starts_on": "2015-01-01",
        "ends_on": "2017-12-31",
        "amount": "246392.00",
        "category": "services",
        "description": "Julkinen rahoitus",
    }
    added = t.coordinator.client.post(url, form, follow=True)
    assert added.status_code == 200 and b"The cost was added." in added.content
    cost = ProgrammeCost.objects.get()
    assert cost.amount == Decimal("246392.00") and b"Julkinen rahoitus" in added.content
    assert f'name="delete" value="{cost.pk}"'.encode() in added.content
    refused = t.coordinator.client.post(url, form | {"starts_on": "2018-01-01"})
    assert refused.status_code == 400 and b"The start date is after the end date." in refused.content
    assert t.coordinator.client.post(url, form | {"amount": "-5"}).status_code == 400
    assert ProgrammeCost.objects.count() == 1
    # Others: no page; they cannot delete this cost either.
    assert t.coach.client.get(url).status_code == 404
    assert t.coach.client.post(url, {"delete": cost.pk}).status_code == 404
    other = team("Muu")
    theirs = other.coordinator.client.get(url)
    assert theirs.status_code == 200 and b"Julkinen rahoitus" not in theirs.content
    denied = other.coordinator.client.post(url, {"delete": cost.pk}, follow=True)
    assert b"The cost was not found." in denied.content and ProgrammeCost.objects.count() == 1
    assert other.coordinator.client.post(url, form).status_code == 400  # not her organization
    deleted = t.coordinator.client.post(url, {"delete": cost.pk}, follow=True)
    assert b"The cost was deleted." in deleted.content and not ProgrammeCost.objects.exists()


@pytest.mark.urls(URLS)
def test_the_cost_api(pieksamaki: Team) -> None:
    t = pieksamaki
    url = reverse("api:report-cost-list")
    assert url == "/api/v1/report-costs/"
    body = {
        "organization": str(t.organization.pk),
        "programme": "exercise_counselling",
        "starts_on": "2015-01-01",
        "ends_on": "2017-12-31",
        "amount": 246392,
        "category": "services",
    }
    created = t.coordinator.client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert (created.json()["amount"], created.json()["programme"]) == ("246392.00", "exercise_counselling")
    assert [c["id"] for c in t.coordinator.client.get(url).json()] == [created.json()["id"]]
    bad = t.coordinator.client.post(
        url + "?lang=en", body | {"amount": "1.001"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["code"], bad.json()["details"]["field"]) == (
        400,
        "invalid_parameter",
        "amount",
    )
    assert t.coordinator.client.post(url, [1], content_type="application/json").status_code == 400
    assert (
        t.coordinator.client.post(url, body | {"starts_on": "x"}, content_type="application/json").status_code
        == 400
    )
    assert t.coach.client.get(url).status_code == 403
    assert Browser().get(url).status_code == 403

    detail = reverse("api:report-cost-detail", kwargs={"pk": created.json()["id"]})
    other = team("Toinen")
    assert other.coordinator.client.get(url).json() == []
    assert other.coordinator.client.delete(detail).json()["code"] == "cost_not_found"
    assert (
        other.coordinator.client.delete(
            reverse("api:report-cost-detail", kwargs={"pk": uuid.uuid4()})
        ).status_code
        == 404
    )
    assert t.coordinator.client.delete(detail).status_code == 204
    assert t.coordinator.client.delete(detail).status_code == 404


def test_the_admin_lists_are_read_only_and_scoped(pieksamaki: Team) -> None:
    from tests.accounts.factories import UserFactory
    from tests.conftest import _login

    mine = add_funding(pieksamaki)
    other = team("Muu kunta")
    theirs = add_funding(other, programme="lifestyle", description="Toisen kunnan kulu")
    admin = _login(UserFactory(username="root", is_superuser=True))
    url = "/admin/reporting/programmecost/"

    page = pieksamaki.coordinator.client.get(url)
    assert page.status_code == 200
    assert b"Hoitava liikunta-aktivointi" in page.content and b"Toisen kunnan kulu" not in page.content
    assert pieksamaki.coordinator.client.get(f"{url}{theirs.pk}/change/").status_code == 302  # not found
    own = pieksamaki.coordinator.client.get(f"{url}{mine.pk}/change/")
    assert own.status_code == 200 and b'name="_save"' not in own.content  # read-only
    assert pieksamaki.coordinator.client.get(f"{url}add/").status_code == 403
    assert pieksamaki.coach.client.get(url).status_code == 403
    everything = admin.client.get(url)
    assert (
        b"Hoitava liikunta-aktivointi" in everything.content and b"Toisen kunnan kulu" in everything.content
    )
    assert admin.client.get("/admin/reporting/serviceuseimport/").status_code == 200
    assert admin.client.get("/admin/reporting/serviceuse/").status_code == 404  # per client: not in the admin
