"""The buddies API over HTTP: the same rules as the services, coded errors (never 500), cross-unit
attempts answered 404, and the buddy's answers without the client's surname."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from hyte.accounts.models import Unit
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.pathways.models import Pathway
from tests.buddies.conftest import today
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/buddies/"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_anonymous_and_unverified(client: Client, aino: Buddy) -> None:
    assert client.get(API).status_code in (401, 403)
    unverified = Client()
    unverified.force_login(aino.user)
    assert unverified.get(f"{API}mine/").status_code == 403


def test_register_and_list(counsellor_c: Persona, counsellor_d: Persona, unit_c: Unit) -> None:
    body = {
        "username": "kamu.api",
        "name": "Api Kamu",
        "kind": "student",
        "unit": str(unit_c.pk),
        "languages": ["fi", "en"],
        "municipality": "272",
        "interests": ["liikunta"],
        "training_completed_on": today().isoformat(),
    }
    response = post(counsellor_c.client, API, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["buddy"]["name"] == "Api Kamu" and data["buddy"]["languages"] == ["fi", "en"]
    assert Buddy.objects.get(user__username="kamu.api").user.check_password(data["initial_password"])
    assert [b["name"] for b in counsellor_c.client.get(API).json()] == ["Api Kamu"]
    assert counsellor_d.client.get(API).json() == []
    again = post(counsellor_c.client, API, body)
    assert again.status_code == 409 and again.json()["code"] == "username_taken"
    other = post(counsellor_d.client, API, body | {"username": "kamu.other"})
    assert other.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "X", "kind": "coach"},
        {"name": "X", "kind": "student", "languages": "fi"},
        {"name": "X", "kind": "student", "languages": ["zz"]},
        {"name": "X", "kind": "student", "municipality": "999"},
        {"name": "X", "kind": "student", "available_from": "2026-13-01"},
    ],
)
def test_register_bad_bodies(counsellor_c: Persona, unit_c: Unit, body: dict[str, Any]) -> None:
    response = post(counsellor_c.client, API, {"username": "kamu.bad", "unit": str(unit_c.pk)} | body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "details"}


def test_pro_may_not_list(pro_a: Persona) -> None:
    response = pro_a.client.get(API)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_detail_update_deactivate(counsellor_c: Persona, counsellor_d: Persona, aino: Buddy) -> None:
    assert counsellor_c.client.get(f"{API}{aino.pk}/").json()["name"] == "Aino"
    assert counsellor_d.client.get(f"{API}{aino.pk}/").status_code == 404
    assert counsellor_c.client.get(f"{API}not-a-uuid/").status_code == 404
    response = counsellor_c.client.put(
        f"{API}{aino.pk}/", json.dumps({"name": "Aino K", "kind": "student"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "Aino K"
    assert post(counsellor_d.client, f"{API}{aino.pk}/deactivate/", {}).status_code == 404
    response = post(counsellor_c.client, f"{API}{aino.pk}/deactivate/", {})
    assert response.status_code == 200 and response.json()["active"] is False


def test_matches(counsellor_c: Persona, aino: Buddy, erik: Buddy) -> None:
    response = counsellor_c.client.get(f"{API}matches/", {"language": "sv", "municipality": "217"})
    assert [(m["buddy"]["name"], m["score"]) for m in response.json()] == [("Erik", 5), ("Aino", 3)]
    assert counsellor_c.client.get(f"{API}matches/", {"starts_on": "nope"}).status_code == 400


def pairing_body(buddy: Buddy, pathway: Pathway, **extra: Any) -> dict[str, Any]:
    return {
        "buddy": str(buddy.pk),
        "pathway": str(pathway.pk),
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=30)).isoformat(),
        "shared_email": "ville@example.fi",
        "consent_given_by": "client",
        "consent_method": "written",
    } | extra


def test_pair_and_errors(
    counsellor_c: Persona, counsellor_d: Persona, aino: Buddy, dora: Buddy, pathway_c: Pathway
) -> None:
    response = post(counsellor_c.client, f"{API}pairings/", pairing_body(aino, pathway_c))
    assert response.status_code == 201, response.content
    assert response.json()["shared_first_name"] == "Ville"
    overlap = post(counsellor_c.client, f"{API}pairings/", pairing_body(aino, pathway_c))
    assert overlap.status_code == 409 and overlap.json()["code"] == "pairing_overlaps"
    too_long = post(
        counsellor_c.client,
        f"{API}pairings/",
        pairing_body(aino, pathway_c, ends_on=(today() + timedelta(days=400)).isoformat()),
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "pairing_too_long"
    other_buddy = post(counsellor_c.client, f"{API}pairings/", pairing_body(dora, pathway_c))
    assert other_buddy.status_code == 404 and other_buddy.json()["code"] == "buddy_not_found"
    other_client = post(counsellor_d.client, f"{API}pairings/", pairing_body(dora, pathway_c))
    assert other_client.status_code == 404
    Buddy.objects.filter(pk=aino.pk).update(active=False)
    inactive = post(
        counsellor_c.client,
        f"{API}pairings/",
        pairing_body(
            aino,
            pathway_c,
            starts_on=(today() + timedelta(days=40)).isoformat(),
            ends_on=(today() + timedelta(days=50)).isoformat(),
        ),
    )
    assert inactive.status_code == 409 and inactive.json()["code"] == "buddy_inactive"
    assert Pairing.objects.count() == 1


def test_worker_list_detail_end(counsellor_c: Persona, counsellor_d: Persona, pairing: Pairing) -> None:
    rows = counsellor_c.client.get(f"{API}pairings/").json()
    assert [r["id"] for r in rows] == [str(pairing.pk)] and rows[0]["client_name"] == "Ville Virtanen"
    assert counsellor_d.client.get(f"{API}pairings/").json() == []
    assert counsellor_d.client.get(f"{API}pairings/{pairing.pk}/").status_code == 404
    assert (
        post(counsellor_d.client, f"{API}pairings/{pairing.pk}/end/", {"reason": "other"}).status_code == 404
    )
    assert (
        post(counsellor_c.client, f"{API}pairings/{pairing.pk}/end/", {"reason": "nope"}).status_code == 400
    )
    response = post(
        counsellor_c.client, f"{API}pairings/{pairing.pk}/end/", {"reason": "other", "cancel": True}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_buddy_api_never_shows_the_surname(aino_persona: Persona, pairing: Pairing) -> None:
    mine = aino_persona.client.get(f"{API}mine/")
    assert mine.status_code == 200
    assert mine.json()[0]["first_name"] == "Ville"
    assert "Virtanen" not in mine.content.decode()
    assert str(pairing.client_id) not in mine.content.decode()
    # A buddy is not staff: the worker endpoints show her nothing.
    assert aino_persona.client.get(f"{API}pairings/").json() == []
    assert aino_persona.client.get(f"{API}pairings/{pairing.pk}/").status_code == 404
    assert aino_persona.client.get(API).status_code == 403


def test_buddy_records_corrects_deletes(
    aino_persona: Persona, counsellor_c: Persona, pairing: Pairing
) -> None:
    path = f"{API}mine/{pairing.pk}/meetings/"
    response = post(
        aino_persona.client, path, {"on": today().isoformat(), "activity": "cafe", "duration_minutes": 30}
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    future = post(
        aino_persona.client, path, {"on": (today() + timedelta(days=1)).isoformat(), "activity": "cafe"}
    )
    assert future.status_code == 400 and future.json()["details"]["field"] == "on"
    long_note = post(
        aino_persona.client, path, {"on": today().isoformat(), "activity": "cafe", "note": "x" * 201}
    )
    assert long_note.status_code == 400
    assert post(counsellor_c.client, path, {"on": today().isoformat(), "activity": "cafe"}).status_code == 404
    put = aino_persona.client.put(
        f"{API}meetings/{meeting_id}/",
        json.dumps({"on": today().isoformat(), "activity": "gym"}),
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["activity"] == "gym"
    assert counsellor_c.client.delete(f"{API}meetings/{meeting_id}/").status_code == 404
    assert aino_persona.client.delete(f"{API}meetings/{meeting_id}/").status_code == 204
    assert not BuddyMeeting.objects.exists()


def test_meeting_after_end_is_refused(aino_persona: Persona, counsellor_c: Persona, pairing: Pairing) -> None:
    post(counsellor_c.client, f"{API}pairings/{pairing.pk}/end/", {"reason": "period_over"})
    response = post(
        aino_persona.client,
        f"{API}mine/{pairing.pk}/meetings/",
        {"on": today().isoformat(), "activity": "walk"},
    )
    assert response.status_code == 409 and response.json()["code"] == "pairing_closed"


def test_schema_lists_the_endpoints(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/buddies/",
        "/api/v1/buddies/pairings/",
        "/api/v1/buddies/mine/",
        "/api/v1/buddies/matches/",
    ):
        assert path in schema["paths"]
