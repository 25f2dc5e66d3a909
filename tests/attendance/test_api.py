"""The attendance API over HTTP: issuing and the holder list, the desk's check-in (201, 200 for the same
key, coded 409/404/400), the offline batch, rewards, self-reports and their confirmation, the holder's
phone view without a name, groups, and bodies or users that must be 400 or 403, never 500.

The rules themselves are tested at the service level in ``test_services.py``; here the HTTP layer."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from hyte.accounts.models import Unit
from hyte.attendance import services
from hyte.attendance.models import GroupYear, Meeting, Pass, PassProgramme, Reward, Visit
from hyte.catalog.models import Service
from hyte.core.models import PersonalDataLog
from tests.accounts.factories import UserFactory
from tests.attendance.conftest import issue, new_key
from tests.conftest import Persona, _login
from tests.pathways.conftest import accepted_referral, days_ago, walk_in

pytestmark = pytest.mark.django_db
API = "/api/v1/"
PASSES = f"{API}passes/"
CHECKIN = f"{API}checkins/"
BATCH = f"{API}checkins/batch/"
MEETINGS = f"{API}meetings/"
TODAY = timezone.localdate


def _client(who: Persona | Client) -> Client:
    return who.client if isinstance(who, Persona) else who


def post(who: Persona | Client, url: str, body: Any = None) -> Any:
    return _client(who).post(
        url, json.dumps(body if body is not None else {}), content_type="application/json"
    )


def error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The coded error body, after checking status and (if given) code."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"} and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def checkin(who: Persona | Client, card: Pass, service: Service, key: str | None = None, **extra: Any) -> Any:
    body = {"token": card.token, "service": str(service.pk), "key": key or new_key()}
    return post(who, CHECKIN, body | extra)


def count(card: Pass) -> int:
    return Pass.objects.get(pk=card.pk).visit_count


# --- issuing and the holder list ---


def test_issue_from_a_pathway(counsellor_c: Persona, unit_c: Unit, liiku: PassProgramme) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    response = post(
        counsellor_c, PASSES, {"programme": "liiku", "unit": str(unit_c.pk), "pathway": str(pathway.pk)}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    card = Pass.objects.get(pk=body["id"])
    assert card.client_id == pathway.client_id and card.pathway_id == pathway.pk
    assert body["programme"]["code"] == "liiku" and body["visit_count"] == 0 and body["status"] == "active"
    assert body["token"] == card.token and len(card.token) >= 20
    assert body["client_name"] == "Ville Virtanen"  # the issuer sees whose pass it is
    assert "virtanen" not in card.token.lower() and "ville" not in card.token.lower()


def test_issue_from_a_referral_and_with_client_details(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit, liiku: PassProgramme
) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    response = post(
        pro_a, PASSES, {"programme": "liiku", "unit": str(unit_a.pk), "referral": str(referral.pk)}
    )
    assert response.status_code == 201, response.content
    assert Pass.objects.get(pk=response.json()["id"]).client_id == referral.client_id
    client = {"first_name": "Maija", "last_name": "Meikäläinen", "personal_identity_code": "131052-308T"}
    response = post(pro_a, PASSES, {"programme": "liiku", "unit": str(unit_a.pk), "client": client})
    assert response.status_code == 201, response.content
    body = response.json()
    card = Pass.objects.get(pk=body["id"])
    assert card.client.last_name == "Meikäläinen"
    assert "131052" not in json.dumps(body) and "308T" not in json.dumps(body)
    for part in ("maija", "meik", "131052", "308t"):
        assert part not in card.token.lower()


def test_who_may_issue(
    coordinator: Persona,
    pro_b: Persona,
    desk: Persona,
    pro_a: Persona,
    unit_a: Unit,
    liiku: PassProgramme,
    exercise_card: PassProgramme,
) -> None:
    client = {"first_name": "Maija", "last_name": "Meikäläinen"}
    for persona, programme in (
        (coordinator, "liiku"),
        (pro_b, "liiku"),
        (desk, "liiku"),
        (pro_a, "exercise_card"),
    ):
        response = post(persona, PASSES, {"programme": programme, "unit": str(unit_a.pk), "client": client})
        error(response, 403, "permission_denied")
    body = error(
        post(pro_a, PASSES, {"programme": "kulttuuri", "unit": str(unit_a.pk), "client": client}),
        400,
        "invalid_parameter",
    )
    assert body["details"] == {"field": "programme"}
    body = error(post(pro_a, PASSES, {"programme": "liiku", "unit": "nonsense", "client": client}), 400)
    assert "unit" in body["details"]
    body = error(post(pro_a, PASSES, {"programme": "liiku", "unit": str(unit_a.pk)}), 400)
    assert body["details"] == {"field": "referral"}
    assert not Pass.objects.exists()


def test_the_holder_list_shows_only_my_units_passes(
    pro_a: Persona,
    counsellor_c: Persona,
    counsellor_d: Persona,
    desk: Persona,
    unit_a: Unit,
    unit_c: Unit,
    liiku: PassProgramme,
    swimming_hall: Service,
) -> None:
    mine = issue(counsellor_c, unit_c)
    checkin(desk, mine, swimming_hall)
    issue(pro_a, unit_a, client=services.ClientData(first_name="Maija", last_name="Meikäläinen"))
    response = counsellor_c.client.get(PASSES)
    assert response.status_code == 200
    [row] = response.json()
    assert row["card"]["id"] == str(mine.pk) and row["card"]["client_name"] == "Ville Virtanen"
    assert (row["visits_in_period"], row["rewards_waiting"], row["non_user"]) == (1, 0, False)
    assert [r["card"]["client_name"] for r in pro_a.client.get(PASSES).json()] == ["Maija Meikäläinen"]
    for persona in (counsellor_d, desk):
        assert persona.client.get(PASSES).json() == []
    error(counsellor_c.client.get(PASSES, {"since": "yesterday"}), 400, "invalid_parameter")
    error(
        counsellor_c.client.get(PASSES, {"since": TODAY().isoformat(), "until": days_ago(1).isoformat()}), 400
    )


def test_a_non_user_is_flagged_in_the_list(
    counsellor_c: Persona, desk: Persona, unit_c: Unit, exercise_card: PassProgramme, swimming_hall: Service
) -> None:
    idle = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(40))
    checkin(desk, idle, swimming_hall)
    fresh = issue(counsellor_c, unit_c, "exercise_card")
    flags = {row["card"]["id"]: row["non_user"] for row in counsellor_c.client.get(PASSES).json()}
    assert flags == {str(idle.pk): True, str(fresh.pk): False}


def test_withdrawing(
    counsellor_c: Persona, counsellor_d: Persona, desk: Persona, liiku_pass: Pass, museum: Service
) -> None:
    url = f"{PASSES}{liiku_pass.pk}/withdraw/"
    error(post(counsellor_d, url, {"reason": "Muutti"}), 404, "not_found")
    error(post(counsellor_c, f"{PASSES}nonsense/withdraw/", {"reason": "Muutti"}), 404)
    error(post(counsellor_c, url, {}), 400)
    response = post(counsellor_c, url, {"reason": "Muutti pois"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    error(post(counsellor_c, url, {"reason": "Taas"}), 409, "pass_not_usable")
    error(checkin(desk, liiku_pass, museum), 409, "pass_not_usable")


# --- the desk ---


def test_checkin_and_the_same_key_again(desk: Persona, liiku_pass: Pass, swimming_hall: Service) -> None:
    key = new_key()
    response = checkin(desk, liiku_pass, swimming_hall, key)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visits"] == 1 and body["repeated"] is False and body["reward"] is None
    assert body["rewards_waiting"] == [] and body["programme"]
    again = checkin(desk, liiku_pass, swimming_hall, key)
    assert again.status_code == 200 and again.json()["repeated"] is True and again.json()["visits"] == 1
    assert count(liiku_pass) == 1 and Visit.objects.count() == 1
    assert "Virtanen" not in response.content.decode()  # the desk never sees a name


def test_checkin_refusals(
    desk: Persona,
    other_desk: Persona,
    counsellor_c: Persona,
    liiku_pass: Pass,
    swimming_hall: Service,
    museum: Service,
    gym: Service,
    ski_track: Service,
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    key = new_key()
    assert checkin(desk, liiku_pass, swimming_hall, key).status_code == 201
    error(checkin(desk, liiku_pass, swimming_hall), 409, "already_marked")
    assert checkin(desk, liiku_pass, museum).status_code == 201  # another service, the same day
    error(checkin(desk, liiku_pass, gym), 409, "pass_not_usable")
    error(checkin(desk, liiku_pass, ski_track), 404, "not_found")
    error(
        post(desk, CHECKIN, {"token": "x" * 22, "service": str(swimming_hall.pk), "key": new_key()}),
        404,
        "unknown_pass",
    )
    error(
        post(desk, CHECKIN, {"token": "x" * 40, "service": str(swimming_hall.pk), "key": new_key()}),
        404,
        "unknown_pass",
    )
    body = error(checkin(desk, liiku_pass, swimming_hall, on=(TODAY() + timedelta(days=1)).isoformat()), 400)
    assert body["details"] == {"field": "on"}
    body = error(checkin(desk, liiku_pass, swimming_hall, on=days_ago(8).isoformat()), 400)
    assert body["details"] == {"field": "on"}
    error(checkin(desk, liiku_pass, swimming_hall, on="2026-02-30"), 400)
    for bad in ("short", "with spaces", "ääääääääää", "<script>x</script>", "k" * 65):
        body = error(checkin(desk, liiku_pass, swimming_hall, bad), 400)
        assert body["details"] == {"field": "key"} or "key" in body["details"]
    body = error(
        checkin(other_desk, liiku_pass, ski_track, key), 400, "invalid_parameter"
    )  # someone else's key
    assert body["details"] == {"field": "key"}
    error(checkin(counsellor_c, liiku_pass, swimming_hall), 404)  # an issuer is no desk
    assert count(liiku_pass) == 2
    # an expired pass (valid_until set in the past)
    Pass.objects.filter(pk=liiku_pass.pk).update(valid_until=days_ago(1))
    error(checkin(desk, liiku_pass, swimming_hall, on=TODAY().isoformat()), 409, "pass_not_usable")
    assert count(liiku_pass) == 2


def test_the_error_is_in_the_desks_language(desk: Persona, liiku_pass: Pass, gym: Service) -> None:
    body = error(
        post(
            desk, f"{CHECKIN}?lang=en", {"token": liiku_pass.token, "service": str(gym.pk), "key": new_key()}
        ),
        409,
    )
    assert body["message"] == "This pass does not cover Gym."
    body = error(
        post(
            desk, f"{CHECKIN}?lang=fi", {"token": liiku_pass.token, "service": str(gym.pk), "key": new_key()}
        ),
        409,
    )
    assert "Kuntosali" in body["message"]


def test_the_twentieth_visit_and_the_reward(
    desk: Persona, counsellor_c: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    Visit.objects.bulk_create(
        Visit(pass_card=liiku_pass, service=museum, on=days_ago(10 + n), idempotency_key=new_key())
        for n in range(19)
    )
    Pass.objects.filter(pk=liiku_pass.pk).update(visit_count=19)
    response = post(
        desk,
        f"{CHECKIN}?lang=en",
        {"token": liiku_pass.token, "service": str(swimming_hall.pk), "key": new_key()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visits"] == 20 and body["reward"] == "Two cinema tickets"
    [waiting] = body["rewards_waiting"]
    assert (waiting["number"], waiting["text"], waiting["handed_out_at"]) == (1, "Two cinema tickets", None)
    # the next visit still shows the reward waiting at the desk
    body = checkin(desk, liiku_pass, museum).json()
    assert body["reward"] is None and [r["id"] for r in body["rewards_waiting"]] == [waiting["id"]]
    assert counsellor_c.client.get(PASSES).json()[0]["rewards_waiting"] == 1

    url = f"{API}rewards/{waiting['id']}/hand-out/"
    error(post(Client(), url), 403)
    error(post(desk, f"{API}rewards/nonsense/hand-out/"), 404)
    response = post(desk, url)
    assert response.status_code == 200 and response.json()["handed_out_at"]
    error(post(desk, url), 409, "reward_handed_out")
    error(post(counsellor_c, url), 409, "reward_handed_out")
    reward = Reward.objects.get()
    assert reward.handed_out_by_id == desk.user.pk
    assert checkin(desk, liiku_pass, museum, on=days_ago(1).isoformat()).json()["rewards_waiting"] == []


# --- the offline batch ---


def test_a_batch_counts_each_mark_once(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service, gym: Service, museum: Service
) -> None:
    good, refused, bad_token = new_key(), new_key(), new_key()
    marks = [
        {"token": liiku_pass.token, "service": str(swimming_hall.pk), "key": good},
        {"token": liiku_pass.token, "service": str(swimming_hall.pk), "key": good},  # queued twice
        {"token": liiku_pass.token, "service": str(gym.pk), "key": refused},
        {"token": "z" * 22, "service": str(museum.pk), "key": bad_token},
    ]
    response = post(desk, BATCH, {"marks": marks})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["key"], r["ok"]) for r in results] == [
        (good, True),
        (good, True),
        (refused, False),
        (bad_token, False),
    ]
    assert (results[0]["repeated"], results[1]["repeated"]) == (False, True)
    assert results[0]["visits"] == results[1]["visits"] == 1
    assert (results[2]["code"], results[3]["code"]) == ("pass_not_usable", "unknown_pass")
    assert count(liiku_pass) == 1
    # the whole queue sent again
    results = post(desk, BATCH, {"marks": marks}).json()["results"]
    assert [r.get("repeated") for r in results] == [True, True, None, None]
    assert [r.get("code") for r in results] == [None, None, "pass_not_usable", "unknown_pass"]
    assert count(liiku_pass) == 1 and Visit.objects.count() == 1


def test_bad_batches(desk: Persona, liiku_pass: Pass, swimming_hall: Service) -> None:
    mark_ = {"token": liiku_pass.token, "service": str(swimming_hall.pk), "key": new_key()}
    for body in (
        {},
        {"marks": "x"},
        {"marks": [1, 2]},
        {"marks": [mark_] * 501},
        {"marks": [{"token": "x"}]},
    ):
        error(post(desk, BATCH, body), 400)
    results = post(desk, BATCH, {"marks": [mark_ | {"key": "bad key"}]}).json()["results"]
    assert results[0]["ok"] is False and results[0]["code"] == "invalid_parameter"
    assert count(liiku_pass) == 0


# --- self-reports ---


def test_a_self_report_and_its_confirmation(
    desk: Persona, other_desk: Persona, liiku_pass: Pass, swimming_hall: Service, gym: Service
) -> None:
    url = f"{API}pass/{liiku_pass.token}/visits/"
    body = {"service": str(swimming_hall.pk), "on": TODAY().isoformat(), "key": new_key()}
    anonymous = Client()
    response = post(anonymous, url, body)
    assert response.status_code == 201 and response.json() == {"received": True}
    assert post(anonymous, url, body).status_code == 201  # sent twice: the same report
    visit = Visit.objects.get()
    assert not visit.confirmed and count(liiku_pass) == 0
    assert anonymous.get(f"{API}pass/{liiku_pass.token}/").json()["visits"] == 0
    error(post(anonymous, url, body | {"key": new_key()}), 409, "already_marked")
    error(post(anonymous, url, body | {"service": str(gym.pk), "key": new_key()}), 409, "pass_not_usable")
    error(post(anonymous, f"{API}pass/{'q' * 22}/visits/", body | {"key": new_key()}), 404, "unknown_pass")
    error(
        post(anonymous, url, body | {"on": (TODAY() + timedelta(days=1)).isoformat(), "key": new_key()}), 400
    )

    listed = desk.client.get(f"{API}visits/unconfirmed/").json()
    assert [v["id"] for v in listed] == [visit.pk] and listed[0]["service"]
    assert "Virtanen" not in json.dumps(listed)
    assert other_desk.client.get(f"{API}visits/unconfirmed/").json() == []
    confirm = f"{API}visits/{visit.pk}/confirm/"
    error(post(other_desk, confirm), 404, "not_found")
    error(post(anonymous, confirm), 403)
    error(post(desk, f"{API}visits/nonsense/confirm/"), 404)
    response = post(desk, confirm)
    assert response.status_code == 200 and response.json() == {"confirmed": True}
    assert count(liiku_pass) == 1
    error(post(desk, confirm), 409, "already_marked")
    assert count(liiku_pass) == 1 and desk.client.get(f"{API}visits/unconfirmed/").json() == []


def test_a_rejected_self_report_is_deleted(desk: Persona, liiku_pass: Pass, museum: Service) -> None:
    post(
        Client(),
        f"{API}pass/{liiku_pass.token}/visits/",
        {"service": str(museum.pk), "on": TODAY().isoformat(), "key": new_key()},
    )
    visit = Visit.objects.get()
    response = post(desk, f"{API}visits/{visit.pk}/confirm/", {"accept": False})
    assert response.status_code == 200 and response.json() == {"confirmed": False}
    assert not Visit.objects.exists() and count(liiku_pass) == 0
    error(post(desk, f"{API}visits/{visit.pk}/confirm/"), 404)


# --- the holder's phone view ---


def test_the_holders_view_shows_no_personal_data(
    pro_a: Persona, desk: Persona, unit_a: Unit, liiku: PassProgramme, swimming_hall: Service
) -> None:
    card = issue(
        pro_a,
        unit_a,
        client=services.ClientData(
            first_name="Maija", last_name="Meikäläinen", personal_identity_code="131052-308T"
        ),
    )
    checkin(desk, card, swimming_hall)
    response = Client().get(f"{API}pass/{card.token}/?lang=en")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["programme"]["code"] == "liiku" and body["programme"]["name"] == "LiiKu pass"
    assert body["programme"]["reward_every"] == 20 and body["visits"] == 1 and body["status"] == "active"
    assert body["valid_until"] == card.valid_until.isoformat() and body["rewards"] == []
    assert {s["name"] for s in body["services"]} == {"Swimming hall", "Museum", "Ski track"}
    text = response.content.decode()
    for secret in ("Maija", "Meik", "131052", "308T", str(card.client_id), str(card.pk), "client", "unit"):
        assert secret not in text, secret


def test_an_unknown_pass(db: None) -> None:
    for token in ("x" * 22, "x" * 33, "%20"):
        error(Client().get(f"{API}pass/{token}/"), 404, "unknown_pass")


# --- groups ---


def meeting(service: Service, **extra: Any) -> dict[str, Any]:
    starts = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    return {"service": str(service.pk), "starts_at": starts.isoformat(), "head_count": 10} | extra


def test_recording_meetings(
    desk: Persona, other_desk: Persona, swimming_hall: Service, ski_track: Service
) -> None:
    body = meeting(
        swimming_hall, by_age={"18-29": 4, "65+": 6}, by_gender={"female": 7, "male": 3}, new_visitors=2
    )
    response = post(desk, MEETINGS, body)
    assert response.status_code == 201, response.content
    assert response.json()["head_count"] == 10 and response.json()["by_age"] == {"18-29": 4, "65+": 6}
    error(post(desk, MEETINGS, body), 409)
    assert post(other_desk, MEETINGS, meeting(ski_track)).status_code == 201
    error(post(desk, MEETINGS, meeting(ski_track, head_count=3)), 404, "not_found")
    mine = desk.client.get(MEETINGS).json()
    assert [m["service"] for m in mine] == [str(swimming_hall.pk)]
    assert [m["service"] for m in other_desk.client.get(MEETINGS).json()] == [str(ski_track.pk)]
    assert Meeting.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": (timezone.now() + timedelta(days=1)).isoformat()}, "starts_at"),
        ({"head_count": -1}, "head_count"),
        ({"head_count": 5000}, "head_count"),
        ({"head_count": "many"}, "head_count"),
        ({"by_age": {"18-29": 4, "30-64": 4}}, "by_age"),
        ({"by_age": {"18-29": 4, "teens": 6}}, "by_age"),
        ({"by_gender": {"female": 11, "male": -1}}, "by_gender"),
        ({"new_visitors": 11}, "new_visitors"),
        ({"service": "nonsense"}, "service"),
    ],
)
def test_bad_meetings(desk: Persona, swimming_hall: Service, changes: dict[str, Any], field: str) -> None:
    body = error(post(desk, MEETINGS, meeting(swimming_hall) | changes), 400)
    assert body["details"] == {"field": field} or field in body["details"], body
    assert not Meeting.objects.exists()


def test_group_years(desk: Persona, other_desk: Persona, swimming_hall: Service) -> None:
    url = f"{API}group-years/"
    year = TODAY().year
    body = {"service": str(swimming_hall.pk), "year": year, "continues": True}
    assert post(desk, url, body).json() == {
        "service": str(swimming_hall.pk),
        "year": year,
        "continues": True,
        "note": "",
    }
    response = post(desk, url, body | {"continues": False, "note": "Ohjaaja lopettaa"})
    assert response.status_code == 200 and response.json()["continues"] is False
    assert GroupYear.objects.get().note == "Ohjaaja lopettaa"
    error(post(other_desk, url, body), 404)
    error(post(desk, url, body | {"year": 1999}), 400)


# --- the personal data log ---


def test_the_api_writes_the_personal_data_log(
    counsellor_c: Persona, desk: Persona, unit_c: Unit, liiku: PassProgramme, swimming_hall: Service
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    card_id = post(
        counsellor_c, PASSES, {"programme": "liiku", "unit": str(unit_c.pk), "pathway": str(pathway.pk)}
    ).json()["id"]
    card = Pass.objects.get(pk=card_id)
    key = new_key()
    checkin(desk, card, swimming_hall, key)
    checkin(desk, card, swimming_hall, key)  # repeated: nothing new, no log entry
    post(counsellor_c, f"{PASSES}{card_id}/withdraw/", {"reason": "Muutti pois"})
    entries = list(
        PersonalDataLog.objects.filter(object_type="attendance.pass", object_id=card_id)
        .order_by("seq")
        .values_list("action", "actor__username")
    )
    assert entries == [("create", "counsellor_c"), ("visit", "desk"), ("withdraw", "counsellor_c")]
    assert PersonalDataLog.objects.filter(
        action="read", object_id=str(pathway.pk), actor__username="counsellor_c"
    ).exists()


# --- bad bodies, ids and users ---


def test_bad_ids_are_404(desk: Persona, counsellor_c: Persona) -> None:
    for pk in ("99999999999999999999999", "-1", "0", "1e5", "\u0663", "nonsense"):
        error(post(desk, f"{API}visits/{pk}/confirm/"), 404)
        error(post(desk, f"{API}rewards/{pk}/hand-out/"), 404)
        error(post(counsellor_c, f"{PASSES}{pk}/withdraw/", {"reason": "Muutti"}), 404)


def test_a_bad_personal_identity_code_is_400_and_not_repeated(
    pro_a: Persona, unit_a: Unit, liiku: PassProgramme
) -> None:
    client = {"first_name": "Maija", "last_name": "Meikäläinen", "personal_identity_code": "131052-308X"}
    response = post(pro_a, PASSES, {"programme": "liiku", "unit": str(unit_a.pk), "client": client})
    error(response, 400)
    assert "131052" not in response.content.decode()
    assert not Pass.objects.exists()


POSTS = [
    PASSES,
    f"{PASSES}01890000-0000-7000-8000-000000000000/withdraw/",
    CHECKIN,
    BATCH,
    f"{API}visits/1/confirm/",
    MEETINGS,
    f"{API}group-years/",
]


@pytest.mark.parametrize("raw", ["{", "[]", '"text"', "null", "42", "[" * 5000, '{"marks": {}}', "\x00"])
def test_bad_bodies_are_400_never_500(
    raw: str, counsellor_c: Persona, desk: Persona, liiku_pass: Pass
) -> None:
    for persona in (counsellor_c, desk):
        for url in [*POSTS, f"{API}pass/{liiku_pass.token}/visits/"]:
            response = persona.client.post(url, raw, content_type="application/json")
            assert response.status_code in (400, 404), (url, response.status_code, response.content)
            if url in (PASSES, CHECKIN, BATCH, MEETINGS):
                error(response, 400)
    assert not Visit.objects.exists()


def test_anonymous_and_unverified_users_get_403(desk: Persona, liiku_pass: Pass) -> None:
    unverified = Client()
    unverified.force_login(UserFactory(username="no_second_factor"))
    for who in (Client(), unverified):
        for url in (PASSES, f"{API}visits/unconfirmed/", MEETINGS):
            error(who.get(url), 403)
        for url in [*POSTS, f"{API}rewards/1/hand-out/"]:
            error(post(who, url, {}), 403)
    assert desk.client.get(MEETINGS).status_code == 200


# --- two desks at once (PostgreSQL) ---


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_key_from_two_requests_at_once(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    key = new_key()
    clients = [desk.client, _login(desk.user).client]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(checkin(client, liiku_pass, swimming_hall, key).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Visit.objects.filter(pass_card=liiku_pass).count() == 1 and count(liiku_pass) == 1
