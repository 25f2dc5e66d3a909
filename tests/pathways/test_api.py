"""The pathways API over HTTP: enrolment and the caseload, versioned writes (409 in the user's language),
coded 400s naming the field, nothing seen or changed across units, the public self-referral form and its
queue, IPS fidelity reviews, and bad bodies or ids that are 400 or 404, never 500.

The rules themselves are tested at the service level in ``test_services.py``; here the HTTP layer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from hyte.accounts.models import Unit, UnitRole
from hyte.core.models import PersonalDataLog
from hyte.pathways import services
from hyte.pathways.errors import StaleVersion
from hyte.pathways.models import Pathway, PathwayEvent, SelfReferral
from tests.conftest import Persona
from tests.pathways.conftest import _persona, days_ago, walk_in

pytestmark = pytest.mark.django_db
API = "/api/v1/"
URL = f"{API}pathways/"
SELF = f"{API}self-referrals/"
TODAY = timezone.localdate
SWEMWBS = {f"item_{n}": 3 for n in range(1, 8)}


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """The self-referral throttle counts in the (LocMem) cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


def _client(who: Persona | Client) -> Client:
    return who.client if isinstance(who, Persona) else who


def post(who: Persona | Client, url: str, body: Any) -> Any:
    return _client(who).post(url, json.dumps(body), content_type="application/json")


def patch(who: Persona | Client, url: str, body: Any) -> Any:
    return _client(who).patch(url, json.dumps(body), content_type="application/json")


def enrolment(unit: Unit, programme: str = "exercise_counselling", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": programme,
        "unit": str(unit.pk),
        "origin": "other",
        "client": {"first_name": "Ville", "last_name": "Virtanen", "phone": "+358401112223"},
    }
    return body | extra


def reads_of(pathway_id: Any) -> int:
    return PersonalDataLog.objects.filter(action="read", object_id=str(pathway_id)).count()


def error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The coded error body, after checking status and (if given) code."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"} and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


# --- enrolment, detail, caseload ---


def test_enrol_a_walk_in_and_read_it_back(counsellor_c: Persona, unit_c: Unit) -> None:
    response = post(
        counsellor_c,
        URL,
        enrolment(unit_c, "rehabilitation_counselling", origin="walk_in", triage="yellow"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["client_name"], body["origin"]) == (1, "Ville Virtanen", "walk_in")
    assert (body["status"], body["triage"], body["unit"]["id"]) == ("active", "yellow", str(unit_c.pk))
    assert body["enrolled_on"] == TODAY().isoformat() and body["referral"] is None
    assert body["goals"] == body["contacts"] == body["measurements"] == body["outcomes"] == []
    pathway = Pathway.objects.get()
    assert body["id"] == str(pathway.pk) and pathway.worker_id == counsellor_c.user.pk
    assert PersonalDataLog.objects.filter(action="create", object_id=body["id"]).count() == 1

    before = reads_of(body["id"])
    detail = counsellor_c.client.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200 and detail.json()["client_name"] == "Ville Virtanen"
    assert reads_of(body["id"]) == before + 1
    entry = PersonalDataLog.objects.filter(action="read", object_id=body["id"]).latest("seq")
    assert entry.actor_id == counsellor_c.user.pk and entry.object_type == "pathways.pathway"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"origin": "walk_in"}, "origin"),  # exercise counselling takes no walk-ins
        ({"triage": "red"}, "triage"),  # nor triages
        ({"programme": "astrology"}, "programme"),
        ({"enrolled_on": "tomorrow"}, "enrolled_on"),
        ({"client": None}, "client"),  # None: left out
    ],
)
def test_enrolment_errors_name_the_field(
    counsellor_c: Persona, unit_c: Unit, change: dict[str, Any], field: str
) -> None:
    body = {key: value for key, value in (enrolment(unit_c) | change).items() if value is not None}
    if body.get("enrolled_on") == "tomorrow":
        body["enrolled_on"] = (TODAY() + timedelta(days=1)).isoformat()
    assert error(post(counsellor_c, URL, body), 400, "invalid_parameter")["details"] == {"field": field}
    assert not Pathway.objects.exists()


def test_the_caseload_flags_and_all_of_my_units(counsellor_c: Persona, unit_c: Unit) -> None:
    colleague = _persona(unit_c, UnitRole.Role.RECEIVER, "colleague_c")
    late = post(
        counsellor_c,
        URL,
        enrolment(unit_c, enrolled_on=days_ago(100).isoformat(), next_contact_on=days_ago(1).isoformat()),
    ).json()
    fresh = post(
        counsellor_c, URL, enrolment(unit_c, next_contact_on=(TODAY() + timedelta(days=7)).isoformat())
    ).json()
    theirs = walk_in(colleague, unit_c)
    closed = walk_in(counsellor_c, unit_c)
    services.pathway_close(actor=counsellor_c.user, pathway_id=closed.pk, version=1, reason="goals_met")

    response = counsellor_c.client.get(URL)
    assert response.status_code == 200
    rows = {row["pathway"]["id"]: row for row in response.json()}
    assert set(rows) == {late["id"], fresh["id"]}
    assert rows[late["id"]]["flags"] == ["contact_overdue", "measurement_due"]
    assert rows[late["id"]]["due_point"] == 0
    assert rows[late["id"]]["pathway"]["client_name"] == "Ville Virtanen"
    assert rows[fresh["id"]]["flags"] == ["measurement_due"]  # month 0 is due at once
    assert "goals" not in rows[late["id"]]["pathway"]

    for flag in ("1", "true"):
        everyone = {row["pathway"]["id"] for row in counsellor_c.client.get(URL, {"all": flag}).json()}
        assert everyone == {late["id"], fresh["id"], str(theirs.pk)}
    assert {row["pathway"]["id"] for row in colleague.client.get(URL).json()} == {str(theirs.pk)}
    # The list names clients but reads none of their pathways: no log entry per row.
    assert not PersonalDataLog.objects.filter(action="read", object_id=str(theirs.pk)).exists()


def test_handing_a_pathway_to_a_colleague(counsellor_c: Persona, counsellor_d: Persona, unit_c: Unit) -> None:
    colleague = _persona(unit_c, UnitRole.Role.RECEIVER, "colleague_c")
    pathway = walk_in(counsellor_c, unit_c)
    url = f"{URL}{pathway.pk}/"
    outsider = {"version": 1, "worker": counsellor_d.user.pk}  # works in unit D
    assert error(patch(counsellor_c, url, outsider), 400)["details"] == {"field": "worker"}
    response = patch(counsellor_c, url, {"version": 1, "worker": colleague.user.pk})
    assert response.status_code == 200, response.content
    assert counsellor_c.client.get(URL).json() == []
    assert [row["pathway"]["id"] for row in colleague.client.get(URL).json()] == [str(pathway.pk)]
    assert patch(colleague, url, {"version": 2, "worker": None}).status_code == 200
    assert Pathway.objects.get(pk=pathway.pk).worker_id is None


def test_the_caseload_warns_of_the_time_limit(link_worker: Persona, unit_l: Unit) -> None:
    near = walk_in(link_worker, unit_l, "link_worker", enrolled_on=days_ago(160))
    passed = walk_in(link_worker, unit_l, "link_worker", enrolled_on=days_ago(200))
    rows = {row["pathway"]["id"]: row for row in link_worker.client.get(URL).json()}
    assert "limit_near" in rows[str(near.pk)]["flags"] and "limit_passed" not in rows[str(near.pk)]["flags"]
    assert "limit_passed" in rows[str(passed.pk)]["flags"]
    assert rows[str(near.pk)]["pathway"]["ends_by"] == (days_ago(160) + timedelta(days=183)).isoformat()


def test_an_ancient_enrolment_date_does_not_break_the_caseload(counsellor_c: Persona, unit_c: Unit) -> None:
    # Accepted or refused (no lower bound is decided yet), but never a caseload that answers 500.
    response = post(counsellor_c, URL, enrolment(unit_c, enrolled_on="0001-01-01"))
    assert response.status_code in (201, 400), response.content
    assert counsellor_c.client.get(URL).status_code == 200


# --- the plan: versioned writes ---


def test_a_stale_version_is_409_in_the_requested_language(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    url = f"{URL}{pathway.pk}/"
    next_on = (TODAY() + timedelta(days=14)).isoformat()
    ok = patch(counsellor_c, url, {"version": 1, "next_contact_on": next_on})
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2 and ok.json()["next_contact_on"] == next_on

    messages = {}
    for lang in ("fi", "sv", "en"):
        response = patch(counsellor_c, f"{url}?lang={lang}", {"version": 1, "next_contact_on": None})
        body = error(response, 409, "stale_version")
        assert body["details"] == {"version": 2}
        assert response["Content-Language"] == lang
        with translation.override(lang):
            assert body["message"] == str(StaleVersion.default_message)
        messages[lang] = body["message"]
    assert messages["en"].startswith("Someone else changed this plan")
    assert len(set(messages.values())) == 3, messages  # fi and sv are translated, not the English source
    refreshed = Pathway.objects.get(pk=pathway.pk)
    assert (refreshed.version, refreshed.next_contact_on.isoformat()) == (2, next_on)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        {"next_contact_on": "2030-01-01"},  # no version
        {"version": 0},
        {"version": "one"},
        {"version": 1, "triage": "purple"},
        {"version": 1, "triage": "red"},  # exercise counselling does not triage
        {"version": 1, "track": "nicotine"},  # nor has tracks
        {"version": 1, "worker": 987654321},
        {"version": 1, "worker": 2**70},
    ],
)
def test_bad_plan_changes_are_400_and_leave_the_version(
    counsellor_c: Persona, unit_c: Unit, body: dict[str, Any]
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    error(patch(counsellor_c, f"{URL}{pathway.pk}/", body), 400)
    assert Pathway.objects.get(pk=pathway.pk).version == 1


def test_goals_are_added_and_marked_with_the_version(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    other = walk_in(counsellor_c, unit_c)
    goals = f"{URL}{pathway.pk}/goals/"
    response = post(counsellor_c, goals, {"version": 1, "text": "Kävely 3 x viikossa"})
    assert response.status_code == 201, response.content
    goal = response.json()
    assert (goal["text"], goal["status"]) == ("Kävely 3 x viikossa", "open")
    error(post(counsellor_c, goals, {"version": 1, "text": "Uinti"}), 409, "stale_version")
    assert error(post(counsellor_c, goals, {"version": 2, "text": "  "}), 400)["code"] in (
        "invalid",
        "invalid_parameter",
    )

    url = f"{goals}{goal['id']}/"
    done = patch(counsellor_c, url, {"version": 2, "status": "achieved"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "achieved"
    error(patch(counsellor_c, url, {"version": 2, "status": "partly"}), 409, "stale_version")
    error(patch(counsellor_c, url, {"version": 3, "status": "finished"}), 400, "invalid")
    # The goal belongs to another pathway than the one in the address.
    error(patch(counsellor_c, f"{URL}{other.pk}/goals/{goal['id']}/", {"version": 1, "status": "open"}), 404)
    detail = counsellor_c.client.get(f"{URL}{pathway.pk}/").json()
    assert detail["version"] == 3 and [g["status"] for g in detail["goals"]] == ["achieved"]


# --- contacts, measurements, outcomes ---


def test_contact_dates_are_checked_over_the_api(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(10))
    url = f"{URL}{pathway.pk}/contacts/"
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    future = error(post(counsellor_c, url, {"on": tomorrow, "kind": "meeting"}), 400, "invalid_parameter")
    assert future["details"] == {"field": "on"}
    early = error(
        post(counsellor_c, url, {"on": days_ago(11).isoformat(), "kind": "meeting"}), 400, "invalid_parameter"
    )
    assert early["details"] == {"field": "on"} and days_ago(10).strftime("%d.%m.%Y") in early["message"]
    backwards = {"on": days_ago(2).isoformat(), "kind": "meeting", "next_contact_on": days_ago(3).isoformat()}
    assert error(post(counsellor_c, url, backwards), 400)["details"] == {"field": "next_contact_on"}
    wrong_kind = {"on": TODAY().isoformat(), "kind": "employer"}  # an IPS contact
    assert error(post(counsellor_c, url, wrong_kind), 400)["details"] == {"field": "kind"}
    assert "on" in error(post(counsellor_c, url, {"on": "yesterday", "kind": "meeting"}), 400)["details"]
    assert (
        "minutes"
        in error(post(counsellor_c, url, {**wrong_kind, "kind": "phone", "minutes": 0}), 400)["details"]
    )
    assert not pathway.contacts.exists()

    good = {"on": days_ago(2).isoformat(), "kind": "meeting", "minutes": 45, "next_contact_on": tomorrow}
    response = post(counsellor_c, url, good)
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["minutes"]) == ("meeting", 45)
    assert Pathway.objects.get(pk=pathway.pk).next_contact_on == TODAY() + timedelta(days=1)


def test_measurements_over_the_api(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(10))
    url = f"{URL}{pathway.pk}/measurements/"
    on = TODAY().isoformat()
    out_of_range = error(
        post(counsellor_c, url, {"instrument": "swemwbs", "values": SWEMWBS | {"item_3": 6}, "on": on}),
        400,
        "invalid_parameter",
    )
    assert out_of_range["details"]["field"] == "item_3"
    assert (out_of_range["details"]["min"], out_of_range["details"]["max"]) == (1, 5)
    for values, field in (
        ({k: v for k, v in SWEMWBS.items() if k != "item_7"}, "item_7"),
        (SWEMWBS | {"item_1": "3,5"}, "item_1"),
        (SWEMWBS | {"item_1": True}, "item_1"),
        (SWEMWBS | {"item_8": 3}, "item_8"),
    ):
        body = {"instrument": "swemwbs", "values": values, "on": on}
        assert error(post(counsellor_c, url, body), 400)["details"]["field"] == field
    for body, field in (
        ({"instrument": "was", "values": {"work_ability": 5}, "on": on}, "instrument"),  # not used here
        ({"instrument": "swemwbs", "values": SWEMWBS, "on": on, "point_months": 4}, "point_months"),
        ({"instrument": "swemwbs", "values": SWEMWBS, "on": days_ago(11).isoformat()}, "on"),
    ):
        assert error(post(counsellor_c, url, body), 400)["details"]["field"] == field
    assert (
        "values"
        in error(post(counsellor_c, url, {"instrument": "swemwbs", "values": [3], "on": on}), 400)["details"]
    )
    assert not pathway.measurements.exists()

    response = post(
        counsellor_c, url, {"instrument": "swemwbs", "values": SWEMWBS, "on": on, "point_months": 0}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scores"]["raw"] == 21 and body["scores"]["metric"] == "19.25"
    assert (body["instrument_version"], body["point_months"]) == ("1", 0)
    row = counsellor_c.client.get(URL).json()[0]
    assert row["due_point"] is None and "measurement_due" not in row["flags"]


def test_audit_c_risk_depends_on_the_sex_given(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, "lifestyle", track="nicotine")
    url = f"{URL}{pathway.pk}/measurements/"
    answers = {"question_1": 2, "question_2": 2, "question_3": 1}  # 5: risky for women (5+), not men (6+)
    risks = {}
    for sex in ("female", "male", None):
        body: dict[str, Any] = {"instrument": "auditc", "values": answers, "on": TODAY().isoformat()}
        if sex:
            body["sex"] = sex
        response = post(counsellor_c, url, body)
        assert response.status_code == 201, response.content
        assert response.json()["scores"]["total"] == 5
        risks[sex] = response.json()["scores"]["risk"]
    assert risks == {"female": True, "male": False, None: None}
    bad = {"instrument": "auditc", "values": answers, "on": TODAY().isoformat(), "sex": "other"}
    assert "sex" in error(post(counsellor_c, url, bad), 400, "invalid")["details"]


def test_ips_outcomes_need_hours_for_a_job(coach: Persona, unit_i: Unit) -> None:
    pathway = walk_in(coach, unit_i, "ips", enrolled_on=days_ago(30), agreement_on=days_ago(30))
    url = f"{URL}{pathway.pk}/outcomes/"
    job = {"kind": "competitive_employment", "started_on": days_ago(1).isoformat()}
    assert error(post(coach, url, job), 400, "invalid_parameter")["details"] == {"field": "hours_per_week"}
    assert error(post(coach, url, job | {"kind": "quit_nicotine"}), 400)["details"] == {"field": "kind"}
    assert "hours_per_week" in error(post(coach, url, job | {"hours_per_week": 81}), 400)["details"]
    ended_before = job | {"hours_per_week": 20, "ended_on": days_ago(2).isoformat()}
    assert error(post(coach, url, ended_before), 400)["details"] == {"field": "ended_on"}
    assert not pathway.outcomes.exists()
    response = post(coach, url, job | {"hours_per_week": "20.5"})
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["hours_per_week"]) == ("competitive_employment", "20.5")


def test_closing_twice_and_writing_after_closure(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(5))
    close = f"{URL}{pathway.pk}/close/"
    assert (
        "closure_reason"
        in error(post(counsellor_c, close, {"version": 1, "closure_reason": "bored"}), 400)["details"]
    )
    early = {"version": 1, "closure_reason": "goals_met", "closed_on": days_ago(6).isoformat()}
    assert error(post(counsellor_c, close, early), 400)["details"] == {"field": "closed_on"}
    response = post(counsellor_c, close, {"version": 1, "closure_reason": "goals_met", "note": "Hyvä."})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("closed", 2)
    error(post(counsellor_c, close, {"version": 2, "closure_reason": "goals_met"}), 409, "pathway_closed")
    assert counsellor_c.client.get(URL).json() == []  # the caseload holds active pathways only

    contacts = f"{URL}{pathway.pk}/contacts/"
    contact = {"on": TODAY().isoformat(), "kind": "phone"}
    body = error(post(counsellor_c, contacts, contact), 400, "reason_required")
    assert body["details"] == {"field": "reason"}
    response = post(counsellor_c, contacts, contact | {"reason": "Kirjaus jäi tekemättä."})
    assert response.status_code == 201, response.content
    event = PathwayEvent.objects.get(pathway=pathway, action="contact_after_closure")
    assert event.reason == "Kirjaus jäi tekemättä." and event.actor_id == counsellor_c.user.pk
    error(
        patch(counsellor_c, f"{URL}{pathway.pk}/", {"version": 2, "next_contact_on": None}),
        400,
        "reason_required",
    )
    extend = {"version": 2, "until": (TODAY() + timedelta(days=30)).isoformat(), "reason": "x"}
    error(post(counsellor_c, f"{URL}{pathway.pk}/extend/", extend), 409, "pathway_closed")


def test_extend_over_the_api(link_worker: Persona, unit_l: Unit) -> None:
    pathway = walk_in(link_worker, unit_l, "link_worker", enrolled_on=days_ago(160))
    url = f"{URL}{pathway.pk}/extend/"
    until = (pathway.ends_by + timedelta(days=60)).isoformat()  # type: ignore[operator]
    assert error(post(link_worker, url, {"version": 1, "until": until}), 400)["details"] == {
        "field": "reason"
    }
    response = post(link_worker, url, {"version": 1, "until": until, "reason": "Ryhmä alkaa syksyllä."})
    assert response.status_code == 200, response.content
    assert (response.json()["ends_by"], response.json()["version"]) == (until, 2)


# --- configuration ---


def test_programmes_and_instruments_for_staff_only(counsellor_c: Persona, client: Client) -> None:
    response = counsellor_c.client.get(f"{API}programmes/", {"lang": "sv"})
    assert response.status_code == 200
    programmes = {p["code"]: p for p in response.json()}
    assert set(programmes) == {
        "exercise_counselling",
        "link_worker",
        "ips",
        "money_counselling",
        "rehabilitation_counselling",
        "lifestyle",
    }
    assert programmes["exercise_counselling"]["name"] == "Motionsrådgivning"
    assert (
        programmes["lifestyle"]["instruments"][-1] == "auditc"
        and programmes["link_worker"]["max_days"] == 183
    )
    assert programmes["rehabilitation_counselling"]["triage"] is True

    response = counsellor_c.client.get(f"{API}instruments/", {"lang": "en"})
    assert response.status_code == 200
    found = {i["code"]: i for i in response.json()}
    swemwbs = found["swemwbs"]
    assert swemwbs["licensed_wording"] is True
    assert [item["label"] for item in swemwbs["items"]] == [f"Item {n}" for n in range(1, 8)]
    assert {(item["min"], item["max"]) for item in swemwbs["items"]} == {(1, 5)}
    assert found["auditc"]["uses_context"] == ["sex"]

    for path in ("programmes/", "instruments/"):
        error(client.get(f"{API}{path}"), 403)


# --- nobody else ---


def _pathway_requests(pathway_id: str, goal_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every request on one pathway, each with a body valid for it."""
    url = f"{URL}{pathway_id}/"
    today = TODAY().isoformat()
    return [
        ("get", url, {}),
        ("patch", url, {"version": 2, "next_contact_on": today}),
        ("post", f"{url}goals/", {"version": 2, "text": "Uinti"}),
        ("patch", f"{url}goals/{goal_id}/", {"version": 2, "status": "achieved"}),
        ("post", f"{url}contacts/", {"on": today, "kind": "meeting"}),
        ("post", f"{url}measurements/", {"instrument": "swemwbs", "values": SWEMWBS, "on": today}),
        ("post", f"{url}outcomes/", {"kind": "group_joined", "started_on": today}),
        ("post", f"{url}extend/", {"version": 2, "until": "2099-01-01", "reason": "x"}),
        ("post", f"{url}close/", {"version": 2, "closure_reason": "goals_met"}),
    ]


def _send(who: Persona | Client, method: str, url: str, body: dict[str, Any]) -> Any:
    if method == "get":
        return _client(who).get(url)
    return (post if method == "post" else patch)(who, url, body)


def test_other_units_and_referrers_get_404_and_see_nothing(
    counsellor_c: Persona, counsellor_d: Persona, pro_a: Persona, unit_c: Unit
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    goal = services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Kävely")
    for persona in (counsellor_d, pro_a):
        for method, url, body in _pathway_requests(str(pathway.pk), str(goal.pk)):
            error(_send(persona, method, url, body), 404, "pathway_not_found")
        for query in ({}, {"all": "1"}):
            response = persona.client.get(URL, query)
            assert response.status_code == 200 and response.json() == []
    refreshed = Pathway.objects.get(pk=pathway.pk)
    assert (refreshed.version, refreshed.status, refreshed.next_contact_on) == (2, "active", None)
    assert not refreshed.contacts.exists() and not refreshed.measurements.exists()
    assert [g.status for g in refreshed.goals.all()] == ["open"]
    assert not PersonalDataLog.objects.filter(actor__in=[counsellor_d.user, pro_a.user]).exists()
    # Nor can they enrol anyone into unit C.
    error(post(counsellor_d, URL, enrolment(unit_c)), 403, "not_in_unit")
    error(post(pro_a, URL, enrolment(unit_c)), 403, "not_in_unit")
    assert Pathway.objects.count() == 1
    # The worker of the unit can do all of it.
    for method, url, body in _pathway_requests(str(pathway.pk), str(goal.pk))[:2]:
        assert _send(counsellor_c, method, url, body).status_code == 200


def test_anonymous_and_half_logged_in_get_403_everywhere(
    client: Client, counsellor_c: Persona, unit_c: Unit, unit_i: Unit
) -> None:
    from tests.accounts.factories import UnitRoleFactory

    pathway = walk_in(counsellor_c, unit_c)
    goal = services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Kävely")
    record = SelfReferral.objects.create(
        unit=unit_c, name="Liisa Laine", phone="0401234567", message="Apua.", source_hash="x"
    )
    # A worker of the unit who has not given the second factor.
    half = Client()
    half.force_login(UnitRoleFactory(unit=unit_c, role=UnitRole.Role.RECEIVER).user)
    requests = [
        *_pathway_requests(str(pathway.pk), str(goal.pk)),
        ("get", URL, {}),
        ("post", URL, enrolment(unit_c)),
        ("get", f"{API}programmes/", {}),
        ("get", f"{API}instruments/", {}),
        ("get", f"{API}fidelity-reviews/", {}),
        ("post", f"{API}fidelity-reviews/", {"unit": str(unit_i.pk)}),
        ("get", SELF, {}),
        ("post", f"{SELF}{record.pk}/triage/", {"triage": "red"}),
        ("post", f"{SELF}{record.pk}/enrol/", {"programme": "exercise_counselling"}),
        ("post", f"{SELF}{record.pk}/refer/", {}),
        ("post", f"{SELF}{record.pk}/close/", {"note": "x"}),
    ]
    for who in (client, half):
        for method, url, body in requests:
            assert _send(who, method, url, body).status_code == 403, (method, url)
    refreshed = Pathway.objects.get(pk=pathway.pk)
    assert (refreshed.version, refreshed.status) == (2, "active")
    assert SelfReferral.objects.get().status == "new" and Pathway.objects.count() == 1


# --- self-referrals ---


def self_referral_body(unit: Unit, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "unit": str(unit.pk),
        "name": "Liisa Laine",
        "message": "Haluaisin aloittaa liikunnan.",
        "phone": "0401234567",
        "preferred_language": "sv",
    }
    return body | extra


def test_the_public_form_answers_only_that_it_arrived(client: Client, unit_c: Unit, unit_d: Unit) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    response = post(client, SELF, self_referral_body(unit_c))
    assert response.status_code == 201, response.content
    assert response.json() == {"received": True}
    record = SelfReferral.objects.get()
    assert (record.unit_id, record.status, record.preferred_language) == (unit_c.pk, "new", "sv")
    assert "127.0.0.1" not in record.source_hash
    entry = PersonalDataLog.objects.get(object_id=str(record.pk))
    assert (entry.action, entry.actor_id) == ("create", None)

    for change, field in (
        ({"phone": "", "email": ""}, "phone"),
        ({"unit": str(unit_d.pk)}, "unit"),  # takes no contact requests
        ({"municipality": "999"}, "municipality"),
    ):
        body = error(post(client, SELF, self_referral_body(unit_c) | change), 400)
        assert body["details"] == {"field": field}
    for change, field in (
        ({"email": "not-an-address", "phone": ""}, "email"),
        ({"unit": "not-a-uuid"}, "unit"),
        ({"name": "  "}, "name"),
        ({"message": "x" * 2001}, "message"),
        ({"preferred_language": "de"}, "preferred_language"),
    ):
        assert (
            field in error(post(client, SELF, self_referral_body(unit_c) | change), 400, "invalid")["details"]
        )
    no_phone = self_referral_body(unit_c, email="liisa@example.org")
    no_phone.pop("phone")
    assert post(client, SELF, no_phone).status_code == 201
    assert SelfReferral.objects.count() == 2


def test_the_queue_triage_enrolment_and_closure(
    client: Client, counsellor_c: Persona, counsellor_d: Persona, unit_c: Unit
) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    for name in ("Liisa Laine", "Olli Ojala"):
        assert post(client, SELF, self_referral_body(unit_c, name=name)).status_code == 201
    error(client.get(SELF), 403)
    assert counsellor_d.client.get(SELF).json() == []
    queue = counsellor_c.client.get(SELF).json()
    assert [r["name"] for r in queue] == ["Liisa Laine", "Olli Ojala"]
    assert queue[0]["unit"]["id"] == str(unit_c.pk) and queue[0]["status"] == "new"
    liisa, olli = (r["id"] for r in queue)
    assert "status" in error(counsellor_c.client.get(SELF, {"status": "lost"}), 400)["details"]["field"]

    for action, body in (
        ("triage", {"triage": "red"}),
        ("enrol", {"programme": "lifestyle"}),
        ("close", {"note": "x"}),
    ):
        error(post(counsellor_d, f"{SELF}{liisa}/{action}/", body), 404, "self_referral_not_found")
    error(post(counsellor_c, f"{SELF}{liisa}/triage/", {"triage": "purple"}), 400, "invalid")
    triaged = post(counsellor_c, f"{SELF}{liisa}/triage/", {"triage": "yellow"})
    assert triaged.status_code == 200, triaged.content
    assert (triaged.json()["status"], triaged.json()["triage"]) == ("triaged", "yellow")

    unknown = error(post(counsellor_c, f"{SELF}{liisa}/enrol/", {"programme": "astrology"}), 400)
    assert unknown["details"] == {"field": "programme"}
    enrolled = post(counsellor_c, f"{SELF}{liisa}/enrol/", {"programme": "rehabilitation_counselling"})
    assert enrolled.status_code == 201, enrolled.content
    pathway = enrolled.json()
    assert (pathway["origin"], pathway["triage"], pathway["client_name"]) == (
        "self_referral",
        "yellow",
        "Liisa Laine",
    )
    assert pathway["version"] == 1 and pathway["unit"]["id"] == str(unit_c.pk)
    assert SelfReferral.objects.get(pk=liisa).pathway_id == Pathway.objects.get().pk
    error(post(counsellor_c, f"{SELF}{liisa}/close/", {"note": "x"}), 409, "invalid_transition")

    assert "note" in error(post(counsellor_c, f"{SELF}{olli}/close/", {"note": ""}), 400)["details"]
    closed = post(counsellor_c, f"{SELF}{olli}/close/", {"note": "Ohjattu palvelutarjottimelle."})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert counsellor_c.client.get(SELF).json() == []
    handled = counsellor_c.client.get(SELF, {"status": "closed"}).json()
    assert [r["id"] for r in handled] == [olli]
    for action in ("triage", "enrol", "close"):
        error(
            post(
                counsellor_c,
                f"{SELF}not-a-uuid/{action}/",
                {"triage": "red", "programme": "ips", "note": "x"},
            ),
            404,
        )


# --- IPS fidelity ---


def test_fidelity_reviews(coach: Persona, counsellor_c: Persona, unit_i: Unit) -> None:
    url = f"{API}fidelity-reviews/"
    items = dict.fromkeys(services.FIDELITY_ITEMS, 4)
    review = {
        "unit": str(unit_i.pk),
        "reviewed_on": TODAY().isoformat(),
        "scale_version": "IPS-25 2008 revised",
        "items": items,
        "reviewers": "Kaisa ja Jussi",
    }
    response = post(coach, url, review)
    assert response.status_code == 201, response.content
    assert (response.json()["total"], response.json()["band"]) == (100, "good")
    missing = error(post(coach, url, review | {"items": {k: v for k, v in items.items() if k != "V14"}}), 400)
    assert missing["details"]["missing"] == ["V14"] and missing["details"]["field"] == "items"
    for bad_items in (
        items | {"V3": 6},
        items | {"S1": "x"},
        items | {"S1": True},
        items | {"S1": [4]},
        items | {"S1": "²"},  # a digit to str.isdigit(), not to int()
        items | {"S1": "4" * 5000},  # more digits than int() takes
        items | {"S1": "-1"},
    ):
        error(post(coach, url, review | {"items": bad_items}), 400)
    for bad_items in (5, [[1]], "S1", None, True, [1, 2], {"S1": {"x": 1}}):
        error(post(coach, url, review | {"items": bad_items}), 400)
    future = (TODAY() + timedelta(days=1)).isoformat()
    assert error(post(coach, url, review | {"reviewed_on": future}), 400)["details"] == {
        "field": "reviewed_on"
    }
    error(post(counsellor_c, url, review), 403, "not_in_unit")
    assert len(coach.client.get(url).json()) == 1 and counsellor_c.client.get(url).json() == []


# --- bad bodies and ids ---


def test_malformed_and_non_object_bodies_are_400(
    client: Client, counsellor_c: Persona, coach: Persona, unit_c: Unit, unit_i: Unit
) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    pathway = walk_in(counsellor_c, unit_c)
    goal = services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Kävely")
    record = SelfReferral.objects.create(
        unit=unit_c, name="Liisa Laine", phone="0401234567", message="Apua.", source_hash="x"
    )
    writes = [
        (counsellor_c, method, url)
        for method, url, _body in _pathway_requests(str(pathway.pk), str(goal.pk))
        if method != "get"
    ] + [
        (counsellor_c, "post", URL),
        (coach, "post", f"{API}fidelity-reviews/"),
        (counsellor_c, "post", f"{SELF}{record.pk}/triage/"),
        (counsellor_c, "post", f"{SELF}{record.pk}/enrol/"),
        (counsellor_c, "post", f"{SELF}{record.pk}/refer/"),
        (counsellor_c, "post", f"{SELF}{record.pk}/close/"),
        (client, "post", SELF),
    ]
    for who, method, url in writes:
        send = getattr(_client(who), method)
        error(send(url, "{not json", content_type="application/json"), 400, "parse_error")
        error(send(url, '{"version": NaN}', content_type="application/json"), 400, "parse_error")
        error(send(url, b"\xff\xfe{", content_type="application/json"), 400, "parse_error")
        for body in ([], [1, 2], "text", 1, None, True, [{"version": 2}]):
            error(send(url, json.dumps(body), content_type="application/json"), 400)
    refreshed = Pathway.objects.get(pk=pathway.pk)
    assert (refreshed.version, refreshed.status) == (
        2,
        "active",
    ) and SelfReferral.objects.get().status == "new"


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-7000-8000-000000000000", "1", "%00"])
def test_unknown_or_malformed_pathway_ids_are_404(counsellor_c: Persona, unit_c: Unit, bad: str) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    goal = services.goal_add(actor=counsellor_c.user, pathway_id=pathway.pk, version=1, text="Kävely")
    for method, url, body in _pathway_requests(bad, str(goal.pk)):
        error(_send(counsellor_c, method, url, body), 404)
    # A real pathway with a malformed goal id.
    url = f"{URL}{pathway.pk}/goals/{bad}/"
    error(patch(counsellor_c, url, {"version": 2, "status": "achieved"}), 404)
    assert Pathway.objects.get(pk=pathway.pk).version == 2
