"""The coordinator's referral figures: scoped to the organization, counts only, small ones hidden."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from hyte.accounts.models import Unit, UnitRole
from hyte.referrals.figures import referral_figures
from hyte.referrals.models import Referral
from hyte.referrals.services import referral_create, referral_transition
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db
API = "/api/v1/referrals/figures/"
GROUPS = ["waiting", "in_progress", "completed", "declined", "discontinued", "cancelled"]


def send(persona: Persona, unit_from: Unit, unit_to: Unit, n: int, kind: str = "exercise") -> list[Referral]:
    return [
        referral_create(
            actor=persona.user,
            referring_unit_id=unit_from.pk,
            receiving_unit_id=unit_to.pk,
            kind=kind,
            client=client_data(),
            reason="Liikkuu vähän.",
            consent=consent_data(),
        )
        for _ in range(n)
    ]


def complete(receiver: Persona, referral: Referral) -> None:
    for action in ("receive", "accept", "first_contact"):
        referral_transition(actor=receiver.user, referral_id=referral.pk, action=action)
    referral_transition(
        actor=receiver.user, referral_id=referral.pk, action="complete", outcome_summary="Aloitti ryhmän."
    )


def coordinator_of(unit: Unit, username: str) -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR, user__username=username).user)


@pytest.fixture
def referrals(
    pro_a: Persona,
    pro_b: Persona,
    counsellor_c: Persona,
    unit_a: Unit,
    unit_b: Unit,
    unit_c: Unit,
    unit_d: Unit,
) -> list[Referral]:
    """Organization A (unit_a) sent ten referrals to unit_c: five exercise referrals wait (all overdue),
    five wellbeing referrals are completed, first contact after 1, 2, 3, 4 and 5 days. Organization B
    sent three to unit_d; A also has a draft, which is never counted."""
    waiting = send(pro_a, unit_a, unit_c, 5, kind="exercise")
    done = send(pro_a, unit_a, unit_c, 5, kind="wellbeing")
    for referral in done:
        complete(counsellor_c, referral)
    for days, referral in enumerate(done, start=1):
        Referral.objects.filter(pk=referral.pk).update(first_contact_at=F("sent_at") + timedelta(days=days))
    yesterday = timezone.localdate() - timedelta(days=1)
    Referral.objects.filter(pk__in=[r.pk for r in waiting]).update(first_contact_due=yesterday)
    send(pro_b, unit_b, unit_d, 3)
    referral_create(
        actor=pro_a.user,
        referring_unit_id=unit_a.pk,
        receiving_unit_id=unit_c.pk,
        kind="exercise",
        client=client_data(),
        reason="Luonnos.",
        consent=consent_data(),
        send=False,
    )
    return [*waiting, *done]


def counts(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = body["by_receiving_unit"]
    return {row["unit"]["name"]: {**row["counts"], "total": row["total"]} for row in rows}


def test_the_coordinator_sees_the_organizations_figures(
    coordinator: Persona, referrals: list[Referral], unit_c: Unit
) -> None:
    response = coordinator.client.get(API)
    assert response.status_code == 200, response.content
    body = response.json()
    assert counts(body) == {
        "Kokkolan liikuntaneuvonta": {
            "waiting": 5,
            "in_progress": 0,
            "completed": 5,
            "declined": 0,
            "discontinued": 0,
            "cancelled": 0,
            "total": 10,
        }
    }
    assert body["total"] == 10 and body["by_status_group"]["completed"] == 5
    assert body["by_kind"] == {"counts": {"wellbeing": 5, "exercise": 5}, "total": 10}
    assert body["overdue"] == 5
    assert body["median_days_to_first_contact"] == 3.0
    assert body["completed_share"] == 1.0
    assert body["min_cell"] == 5 and [g["key"] for g in body["status_groups"]] == GROUPS
    assert body["by_receiving_unit"][0]["unit"]["id"] == str(unit_c.pk)


def test_the_receiving_organizations_coordinator_sees_them_too(
    referrals: list[Referral], unit_c: Unit
) -> None:
    figures = referral_figures(actor=coordinator_of(unit_c, "coordinator_c").user, since=None, until=None)
    assert figures.by_receiving_unit.total.value == 10 and figures.overdue.value == 5


def test_small_counts_are_hidden_and_cannot_be_worked_out(
    coordinator: Persona, pro_a: Persona, referrals: list[Referral], unit_a: Unit, unit_d: Unit
) -> None:
    send(pro_a, unit_a, unit_d, 2)  # two to another organization's unit: a row of "<5"
    body = coordinator.client.get(API).json()
    rows = counts(body)
    assert rows["Kannuksen liikuntaneuvonta"]["waiting"] == "<5"
    assert rows["Kannuksen liikuntaneuvonta"]["total"] == "<5"
    # 12 in all: with unit_c's total (10) or its waiting count (5) shown, the 2 would follow.
    assert body["total"] == 12
    assert rows["Kokkolan liikuntaneuvonta"]["total"] == "x"
    assert rows["Kokkolan liikuntaneuvonta"]["waiting"] == "x"
    # Waiting: 7 = x + "<5" with x at least 5 leaves 1 or 2 for unit_d: not one value.
    assert body["by_status_group"]["waiting"] == 7 and rows["Kokkolan liikuntaneuvonta"]["completed"] == 5
    assert body["by_kind"]["counts"] == {"wellbeing": 5, "exercise": 7}
    assert body["overdue"] == 5
    html = coordinator.client.get(reverse("web:referral-figures")).content.decode()
    assert "&lt;5" in html


def test_small_single_figures(coordinator: Persona, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    send(pro_a, unit_a, unit_c, 3)
    body = coordinator.client.get(API).json()
    assert body["total"] == "<5" and body["overdue"] == 0
    assert body["by_kind"] == {"counts": {"wellbeing": 0, "exercise": "<5"}, "total": "<5"}
    assert body["median_days_to_first_contact"] is None and body["completed_share"] is None


def test_another_organizations_coordinator_sees_none_of_them(
    pro_b: Persona, referrals: list[Referral], unit_b: Unit
) -> None:
    body = coordinator_of(unit_b, "coordinator_b").client.get(API).json()
    assert body["total"] == "<5"  # only B's own three
    assert list(counts(body)) == ["Kannuksen liikuntaneuvonta"]
    unrelated = coordinator_of(UnitFactory(name_fi="Muu yksikkö"), "coordinator_x")
    body = unrelated.client.get(API).json()
    assert body["total"] == 0 and body["by_receiving_unit"] == [] and body["overdue"] == 0
    page = unrelated.client.get(reverse("web:referral-figures"))
    assert page.status_code == 200 and "Kokkolan liikuntaneuvonta" not in page.content.decode()


@pytest.mark.parametrize("persona", ["pro_a", "counsellor_c", "pro_b"])
def test_everyone_else_gets_nothing(persona: str, request: pytest.FixtureRequest, referrals: Any) -> None:
    who: Persona = request.getfixturevalue(persona)
    response = who.client.get(API)
    assert response.status_code == 403 and response.json()["code"] == "not_in_unit"
    assert who.client.get(API, {"since": "nonsense"}).status_code == 403  # nothing else is looked at
    page = who.client.get(reverse("web:referral-figures"))
    assert page.status_code == 404 and "Kokkolan liikuntaneuvonta" not in page.content.decode()
    assert reverse("web:referral-figures") not in who.client.get(reverse("web:referrals")).content.decode()


def test_anonymous_gets_nothing(client: Any) -> None:
    assert client.get(API).status_code == 403
    assert client.get(reverse("web:referral-figures")).status_code == 302  # to the login


def test_no_client_data_and_no_referral_ids(coordinator: Persona, referrals: list[Referral]) -> None:
    api = coordinator.client.get(API).content.decode()
    page = coordinator.client.get(reverse("web:referral-figures")).content.decode()
    for text in (api, page):
        assert "Maija" not in text and "Meikäläinen" not in text and "131052" not in text
        for referral in Referral.objects.all():
            assert str(referral.pk) not in text and str(referral.client.pseudonym) not in text
            assert str(referral.client_id) not in text


def test_the_period(coordinator: Persona, referrals: list[Referral]) -> None:
    today = timezone.localdate()
    assert coordinator.client.get(API, {"since": today.isoformat()}).json()["total"] == 10
    assert coordinator.client.get(API, {"until": today.isoformat()}).json()["total"] == 10
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert coordinator.client.get(API, {"since": tomorrow.isoformat()}).json()["total"] == 0
    body = coordinator.client.get(API, {"until": yesterday.isoformat()}).json()
    assert body["total"] == 0 and body["until"] == yesterday.isoformat()
    Referral.objects.filter(pk=referrals[0].pk).update(sent_at=F("sent_at") - timedelta(days=30))
    old = coordinator.client.get(API, {"until": yesterday.isoformat()}).json()
    assert old["total"] == "<5" and old["overdue"] == "<5"


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-13-01"},
        {"since": "yesterday"},
        {"until": "2026-02-30"},
        {"until": "20260101"},
        {"since": "0001-01-01"},
        {"since": "2026-01-01\x00"},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"since": ["2026-01-01", "2026-02-01"]},
    ],
)
def test_bad_dates_are_400(coordinator: Persona, params: dict[str, Any]) -> None:
    response = coordinator.client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter" and body["details"]["field"] in ("since", "until")
    page = coordinator.client.get(reverse("web:referral-figures"), params)
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()


def test_the_page(coordinator: Persona, referrals: list[Referral]) -> None:
    response = coordinator.client.get(reverse("web:referral-figures"), {"since": "2020-01-01"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.by_receiving_unit.total.value == 10 and figures.median_days_to_first_contact == 3.0
    html = response.content.decode()
    assert "<caption>" in html and '<th scope="row">Kokkolan liikuntaneuvonta</th>' in html
    assert 'value="2020-01-01"' in html and "100 %" in html
    listing = coordinator.client.get(reverse("web:referrals")).content.decode()
    assert reverse("web:referral-figures") in listing  # the link for coordinators


def test_the_page_in_each_language(coordinator: Persona, referrals: list[Referral]) -> None:
    for language, prefix in (("fi", "/"), ("sv", "/sv/"), ("en", "/en/")):
        with translation.override(language):
            url = reverse("web:referral-figures")
        assert url.startswith(prefix) and (language == "fi") != url.startswith(("/sv/", "/en/"))
        response = coordinator.client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{language}">' in html and "Kokkolan liikuntaneuvonta" in html
