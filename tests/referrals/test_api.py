"""The referrals API: scoped, coded errors, no henkilötunnus out, idempotent create."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hyte.accounts.models import Unit
from hyte.core.models import PersonalDataLog
from hyte.referrals.models import Referral
from tests.conftest import Persona

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"


def payload(unit_from: Unit, unit_to: Unit, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "exercise",
        "referring_unit": str(unit_from.pk),
        "receiving_unit": str(unit_to.pk),
        "reason": "Liikkuu vähän.",
        "needs": ["liikunta"],
        "client": {
            "first_name": "Maija",
            "last_name": "Meikäläinen",
            "personal_identity_code": "131052-308T",
        },
        "consent": {"given_by": "client", "method": "verbal", "scope": "referral"},
    }
    return body | extra


def post(persona: Persona, url: str, body: Any, **headers: str) -> Any:
    return persona.client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_create_and_read_back(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    response = post(pro_a, URL, payload(unit_a, unit_c), **{"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "sent" and body["client"]["last_name"] == "Meikäläinen"
    assert body["needs"] == ["liikunta"] and [h["action"] for h in body["history"]] == ["create", "send"]
    assert "131052" not in response.content.decode() and "personal_identity_code" not in body["client"]
    again = post(pro_a, URL, payload(unit_a, unit_c), **{"Idempotency-Key": "k1"})
    assert again.json()["id"] == body["id"] and Referral.objects.count() == 1


def test_the_whole_loop_over_the_api(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
    queue = counsellor_c.client.get(URL, {"box": "received"}).json()
    assert [r["id"] for r in queue] == [referral_id] and "client" not in queue[0]
    for action in ("receive", "accept", "first_contact"):
        assert post(counsellor_c, f"{URL}{referral_id}/transitions/", {"action": action}).status_code == 200
    done = post(
        counsellor_c, f"{URL}{referral_id}/transitions/", {"action": "complete", "outcome_summary": "Hyvä."}
    )
    assert done.json()["status"] == "completed"
    mine = pro_a.client.get(URL, {"box": "sent"}).json()
    assert mine[0]["status"] == "completed"
    assert pro_a.client.get(f"{URL}{referral_id}/").json()["outcome_summary"] == "Hyvä."


def test_impossible_transition_is_409_in_the_users_language(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
    response = post(
        counsellor_c,
        f"{URL}{referral_id}/transitions/?lang=en",
        {"action": "complete", "outcome_summary": "x"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "referral_transition_not_allowed"
    assert response.json()["message"] == "A referral that is “Sent” cannot be changed that way."
    fi = post(
        counsellor_c,
        f"{URL}{referral_id}/transitions/?lang=fi",
        {"action": "complete", "outcome_summary": "x"},
    )
    assert fi.json()["message"] != response.json()["message"]


def test_other_units_get_404_everywhere(
    pro_a: Persona, pro_b: Persona, counsellor_d: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
    for persona in (pro_b, counsellor_d):
        assert persona.client.get(f"{URL}{referral_id}/").status_code == 404
        assert post(persona, f"{URL}{referral_id}/transitions/", {"action": "receive"}).status_code == 404
        assert post(persona, f"{URL}{referral_id}/consent-withdrawal/", {}).status_code == 404
        for box in ("received", "sent"):
            assert persona.client.get(URL, {"box": box}).json() == []
    assert not PersonalDataLog.objects.filter(actor__username__in=["pro_b", "counsellor_d"]).exists()


def test_anonymous_gets_nothing(client: Any, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{referral_id}/").status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (
            {"client": {"first_name": "M", "last_name": "M", "personal_identity_code": "131052-308U"}},
            400,
            "invalid_personal_identity_code",
        ),
        ({"consent": None}, 422, "consent_missing"),
        ({"reason": "x" * 4001}, 400, "invalid"),
        ({"needs": ["not-a-theme"]}, 400, "invalid_parameter"),
        ({"service": "00000000-0000-7000-8000-000000000000"}, 400, "invalid_parameter"),
        ({"kind": "magic"}, 400, "invalid"),
        ({"receiving_unit": "not-a-uuid"}, 400, "invalid"),
    ],
)
def test_bad_input_is_a_clear_error_and_leaves_nothing(
    pro_a: Persona, unit_a: Unit, unit_c: Unit, change: dict[str, Any], status: int, code: str
) -> None:
    response = post(pro_a, URL, payload(unit_a, unit_c, **change))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert not Referral.objects.exists()
    assert "131052" not in response.content.decode()


def test_broken_json_and_bad_parameters(pro_a: Persona, counsellor_c: Persona) -> None:
    response = pro_a.client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert counsellor_c.client.get(URL, {"box": "everything"}).status_code == 400
    assert counsellor_c.client.get(URL, {"status": "lost"}).status_code == 400
    assert counsellor_c.client.get(f"{URL}not-a-uuid/").status_code == 404


class TestPersonalDataLogPage:
    URL = "/henkilosto/henkilotietoloki/"

    def test_only_the_data_protection_officer(
        self, pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        from hyte.accounts.models import UnitRole
        from tests.accounts.factories import UnitRoleFactory
        from tests.conftest import _login

        referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
        dpo = _login(UnitRoleFactory(unit=unit_a, role=UnitRole.Role.DATA_PROTECTION_OFFICER).user)
        for persona in (pro_a, counsellor_c):
            assert persona.client.get(self.URL).status_code == 403
        html = dpo.client.get(self.URL, {"object_id": referral_id, "verify": "1"}).content.decode()
        assert referral_id in html and "pro_a" in html and "131052" not in html
        assert 'role="status"' in html  # the chain is intact


def test_openapi_schema_builds_without_warnings(tmp_path: Any) -> None:
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/referrals/{id}/transitions/" in schema and "ReferralStatusEnum" in schema


def test_booking_an_appointment_over_the_api(
    pro_a: Persona, counsellor_c: Persona, counsellor_d: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    referral_id = post(pro_a, URL, payload(unit_a, unit_c)).json()["id"]
    url = f"{URL}{referral_id}/appointment/"
    when = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    body = {"appointment_at": when.isoformat(), "appointment_place": "Liikuntatoimisto"}
    # Not before the referral is accepted; never by another unit or the sender.
    assert post(counsellor_c, url, body).status_code == 409
    for step in ("receive", "accept"):
        assert post(counsellor_c, f"{URL}{referral_id}/transitions/", {"action": step}).status_code == 200
    assert post(counsellor_d, url, body).status_code == 404
    assert post(pro_a, url, body).status_code == 403
    for bad in ({"appointment_at": "tomorrow"}, {"appointment_at": "2020-01-01T10:00:00+02:00"}, {}):
        response = post(counsellor_c, url, bad)
        assert response.status_code == 400 and response.json()["message"], bad
    assert Referral.objects.get().appointment_at is None
    response = post(counsellor_c, url, body)
    assert response.status_code == 200, response.content
    assert response.json()["appointment_place"] == "Liikuntatoimisto"
    assert Referral.objects.get().appointment_at == when
    assert PersonalDataLog.objects.filter(action="appointment", actor=counsellor_c.user).count() == 1
