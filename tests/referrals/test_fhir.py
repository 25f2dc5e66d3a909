"""FHIR R4B: the referral as a Bundle (Gravity's ServiceRequest + Task pattern) and a referral from an
EHR's Bundle, with every refusal an OperationOutcome that leaves nothing behind."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from hyte.accounts.models import Unit, UnitRole
from hyte.core.crypto import lookup_hash
from hyte.core.errors import InvalidParameter
from hyte.core.models import PersonalDataLog
from hyte.referrals import fhir
from hyte.referrals.errors import ReferralNotFound
from hyte.referrals.models import Client, Consent, Referral, ReferralEvent
from hyte.referrals.services import consent_withdraw, referral_create, referral_transition
from tests.accounts.factories import UnitRoleFactory
from tests.conftest import Persona, _login
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db
S = Referral.Status
URL = "/api/v1/fhir/ServiceRequest"
SAMPLE = Path(__file__).parent / "data" / "fhir" / "servicerequest-transaction.json"
HETU = "131052-308T"


# --- helpers ---


def create(pro: Persona, unit_from: Unit, unit_to: Unit, **extra: Any) -> Referral:
    values: dict[str, Any] = {
        "actor": pro.user,
        "referring_unit_id": unit_from.pk,
        "receiving_unit_id": unit_to.pk,
        "kind": Referral.Kind.EXERCISE,
        "client": client_data(email="maija@example.fi", phone="+358401234567", preferred_language="sv"),
        "reason": "Liikkuu vähän.",
        "goals": "Kävelee kolmesti viikossa.",
        "risk_notes": "Polvi.",
        "needs": ["liikunta"],
        "urgency": Referral.Urgency.SOON,
        "consent": consent_data(),
    }
    return referral_create(**(values | extra))


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}
    assert len(found) == len(bundle["entry"]), "one resource of each type"
    return found


def export(referral: Referral, **kwargs: Any) -> dict[str, Any]:
    bundle = fhir.referral_bundle(Referral.objects.get(pk=referral.pk), **kwargs)
    return json.loads(bundle.model_dump_json())


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def sample(unit: Unit | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text())
    if unit is not None:
        request(data)["performer"] = [{"reference": f"Organization/{unit.pk}"}]
    return data


def entry(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for e in data["entry"] if e["resource"]["resourceType"] == kind)


def request(data: dict[str, Any]) -> dict[str, Any]:
    return entry(data, "ServiceRequest")["resource"]


def post(persona: Persona, body: Any, query: str = "", **headers: str) -> Any:
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    content_type = headers.pop("content_type", "application/fhir+json")
    return persona.client.post(f"{URL}{query}", content, content_type=content_type, headers=headers)


def outcome(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/fhir+json"), response["Content-Type"]
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["resourceType"] == "OperationOutcome" and body["issue"]
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in body["issue"])
    return body


def nothing_written() -> bool:
    return not (
        Referral.objects.exists()
        or Client.objects.exists()
        or Consent.objects.exists()
        or ReferralEvent.objects.exists()
    )


# --- export ---


class TestExport:
    def test_the_four_resources_validate_and_reference_each_other(
        self, pro_a: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        bundle = export(referral)
        assert Bundle.model_validate(bundle).type == "collection"
        found = resources(bundle)
        assert set(found) == {"ServiceRequest", "Task", "Patient", "Consent"}
        urls = {e["fullUrl"] for e in bundle["entry"]}
        assert all(url.startswith("urn:uuid:") for url in urls)
        internal = [ref for ref in references(bundle) if ref.startswith("urn:uuid:")]
        assert internal and set(internal) <= urls, "every urn:uuid reference resolves in the bundle"

        request, task, patient, consent = (found[k] for k in ("ServiceRequest", "Task", "Patient", "Consent"))
        by_type = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
        assert request["id"] == str(referral.pk)
        assert (request["status"], request["intent"], request["priority"]) == ("active", "order", "urgent")
        assert request["category"][0]["coding"][0] == fhir.REFERRAL_TO_SERVICE
        assert request["code"]["coding"][0]["code"] == "exercise"
        assert request["subject"]["reference"] == by_type["Patient"]
        assert request["performer"][0]["reference"] == f"Organization/{unit_c.pk}"
        assert request["supportingInfo"][0]["reference"] == by_type["Consent"]
        assert request["reasonCode"][0]["text"] == "Liikkuu vähän."
        assert request["reasonCode"][1]["coding"][0] == {
            "system": fhir.NEED_SYSTEM,
            "code": "liikunta",
            "display": request["reasonCode"][1]["coding"][0]["display"],
        }
        assert [n["text"] for n in request["note"]] == ["Kävelee kolmesti viikossa.", "Polvi."]

        assert (task["intent"], task["status"]) == ("order", "requested")
        assert task["code"]["coding"][0]["code"] == "fulfill"
        assert task["focus"]["reference"] == by_type["ServiceRequest"]
        assert task["for"]["reference"] == by_type["Patient"]
        assert task["owner"]["reference"] == f"Organization/{unit_c.pk}"
        assert task["businessStatus"]["coding"][0] == {
            "system": fhir.STATUS_SYSTEM,
            "code": "sent",
            "display": task["businessStatus"]["text"],
        }

        assert patient["name"] == [{"use": "official", "family": "Meikäläinen", "given": ["Maija"]}]
        assert {t["system"] for t in patient["telecom"]} == {"phone", "email"}
        assert patient["communication"][0]["language"]["coding"][0]["code"] == "sv"
        assert "birthDate" not in patient

        assert consent["status"] == "active"
        assert consent["scope"]["coding"][0]["code"] == "patient-privacy"
        assert consent["category"][0]["coding"][0] == fhir.CONSENT_DOCUMENT
        assert consent["patient"]["reference"] == by_type["Patient"]
        assert consent["performer"][0]["reference"] == by_type["Patient"]
        assert consent["provision"]["type"] == "permit" and "end" not in consent["provision"]["period"]

    def test_no_henkilotunnus_unless_asked_for(self, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
        referral = create(pro_a, unit_a, unit_c)
        default = export(referral)
        assert "131052" not in json.dumps(default)
        assert fhir.HETU_SYSTEM not in json.dumps(default)
        pseudonym = Client.objects.get().pseudonym
        identifiers = resources(default)["Patient"]["identifier"]
        assert identifiers == [{"use": "secondary", "system": fhir.PSEUDONYM_SYSTEM, "value": str(pseudonym)}]
        full = resources(export(referral, include_identifier=True))["Patient"]["identifier"]
        assert {"use": "official", "system": fhir.HETU_SYSTEM, "value": HETU} in full

    def test_the_task_follows_the_referral_through_the_loop(
        self, pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        steps = [
            (None, "active", "requested"),
            ("receive", "active", "received"),
            ("accept", "active", "accepted"),
            ("first_contact", "active", "in-progress"),
            ("start", "active", "in-progress"),
            ("complete", "completed", "completed"),
        ]
        for action, request_status, task_status in steps:
            if action:
                fields = {"outcome_summary": "Liikkuu nyt säännöllisesti."} if action == "complete" else {}
                referral_transition(actor=counsellor_c.user, referral_id=referral.pk, action=action, **fields)
            found = resources(export(referral))
            assert found["ServiceRequest"]["status"] == request_status, action
            assert found["Task"]["status"] == task_status, action
            assert found["Task"]["businessStatus"]["coding"][0]["code"] == Referral.objects.get().status
        task = found["Task"]
        assert task["output"][0]["valueString"] == "Liikkuu nyt säännöllisesti."
        assert task["executionPeriod"]["end"]

    @pytest.mark.parametrize(
        ("actions", "request_status", "task_status", "reason"),
        [
            (
                [("receive", {}), ("decline", {"decline_reason": "Ei tilaa."})],
                "revoked",
                "rejected",
                "Ei tilaa.",
            ),
            (
                [
                    ("receive", {}),
                    ("accept", {}),
                    ("discontinue", {"end_reason": "no_show", "end_note": "Ei tullut."}),
                ],
                "revoked",
                "failed",
                "Ei tullut.",
            ),
            ([("cancel", {})], "revoked", "cancelled", None),
        ],
    )
    def test_closed_referrals(
        self,
        pro_a: Persona,
        counsellor_c: Persona,
        unit_a: Unit,
        unit_c: Unit,
        actions: list[tuple[str, dict[str, str]]],
        request_status: str,
        task_status: str,
        reason: str | None,
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        for action, fields in actions:
            actor = pro_a if action == "cancel" else counsellor_c
            referral_transition(actor=actor.user, referral_id=referral.pk, action=action, **fields)
        found = resources(export(referral))
        assert (found["ServiceRequest"]["status"], found["Task"]["status"]) == (request_status, task_status)
        assert found["Task"].get("statusReason", {}).get("text") == reason
        assert "output" not in found["Task"]

    def test_a_draft_without_consent_and_a_withdrawn_consent(
        self, pro_a: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        draft = create(pro_a, unit_a, unit_c, consent=None, send=False)
        found = resources(export(draft))
        assert set(found) == {"ServiceRequest", "Task", "Patient"}
        assert (found["ServiceRequest"]["status"], found["Task"]["status"]) == ("draft", "draft")

        sent = create(pro_a, unit_a, unit_c, client=client_data(personal_identity_code="010101A123N"))
        consent_withdraw(actor=pro_a.user, referral_id=sent.pk)
        found = resources(export(sent))
        assert found["Consent"]["status"] == "inactive"
        assert found["Consent"]["provision"]["period"]["end"]
        assert (found["ServiceRequest"]["status"], found["Task"]["status"]) == ("revoked", "cancelled")

    def test_export_then_import_gives_the_same_referral(
        self, pro_a: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        incoming = fhir.service_request_from_bundle(export(referral, include_identifier=True))
        assert incoming.receiving_unit_id == unit_c.pk
        assert (incoming.kind, incoming.reason, incoming.goals, incoming.risk_notes) == (
            "exercise",
            "Liikkuu vähän.",
            "Kävelee kolmesti viikossa.",
            "Polvi.",
        )
        assert (incoming.needs, incoming.urgency, incoming.send) == (["liikunta"], "soon", True)
        assert incoming.client.personal_identity_code == HETU and incoming.client.preferred_language == "sv"
        assert incoming.consent is not None and incoming.consent.scope == "referral"


class TestReadEndpoint:
    def test_both_units_read_it_as_fhir_json_and_the_read_is_logged(
        self, pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        for persona in (pro_a, counsellor_c):
            response = persona.client.get(f"{URL}/{referral.pk}")
            assert response.status_code == 200, response.content
            assert response["Content-Type"].startswith("application/fhir+json")
            bundle = Bundle.model_validate(response.json())
            assert bundle.type == "collection" and "131052" not in response.content.decode()
        assert PersonalDataLog.objects.filter(actor=counsellor_c.user, action="read").exists()
        plain = pro_a.client.get(f"{URL}/{referral.pk}", headers={"Accept": "application/json"})
        assert plain.status_code == 200 and plain["Content-Type"].startswith("application/json")

    def test_other_units_and_strangers_get_an_operation_outcome(
        self, pro_a: Persona, pro_b: Persona, counsellor_d: Persona, client: Any, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        for persona in (pro_b, counsellor_d):
            response = persona.client.get(f"{URL}/{referral.pk}")
            assert response.status_code == 404
            assert outcome(response)["issue"][0]["code"] == "not-found"
        assert not PersonalDataLog.objects.filter(actor__username__in=["pro_b", "counsellor_d"]).exists()
        assert outcome(pro_a.client.get(f"{URL}/not-a-uuid"))["issue"][0]["code"] == "not-found"
        anonymous = client.get(f"{URL}/{referral.pk}")
        assert anonymous.status_code == 401 and outcome(anonymous)["issue"][0]["code"] == "login"
        assert anonymous["WWW-Authenticate"].startswith("Bearer")

    def test_the_receiver_no_longer_sees_it_once_consent_is_withdrawn(
        self, pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        referral = create(pro_a, unit_a, unit_c)
        consent_withdraw(actor=pro_a.user, referral_id=referral.pk)
        assert counsellor_c.client.get(f"{URL}/{referral.pk}").status_code == 404
        assert pro_a.client.get(f"{URL}/{referral.pk}").status_code == 200


# --- import ---


class TestImport:
    def test_a_session_with_the_csrf_token_can_post(self, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
        """The CSRF check of a session reads request.POST; that was a 415 (found by the API fuzzing)."""
        browser = TestClient(enforce_csrf_checks=True)
        browser.cookies = pro_a.client.cookies
        browser.cookies["csrftoken"] = "a" * 32
        content = json.dumps(sample(unit_c))
        headers = {"X-CSRFToken": "a" * 32}
        response = browser.post(URL, content, content_type="application/fhir+json", headers=headers)
        assert response.status_code == 201, response.content
        assert Referral.objects.get().receiving_unit == unit_c
        refused = browser.post(URL, content, content_type="application/fhir+json")
        assert refused.status_code == 403 and Referral.objects.count() == 1

    def test_the_sample_bundle_creates_a_referral(self, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
        response = post(pro_a, sample(unit_c))
        assert response.status_code == 201, response.content
        assert response["Content-Type"].startswith("application/fhir+json")
        assert "131052" not in response.content.decode()
        referral = Referral.objects.get()
        assert response["Location"] == f"{URL}/{referral.pk}"
        found = resources(response.json())
        assert found["ServiceRequest"]["id"] == str(referral.pk) and found["Task"]["status"] == "requested"

        assert (referral.status, referral.kind, referral.urgency) == (S.SENT, "exercise", "routine")
        assert (referral.referrer, referral.referring_unit, referral.receiving_unit) == (
            pro_a.user,
            unit_a,
            unit_c,
        )
        assert referral.reason.startswith("Liikkuu vähän, verenpaine koholla.")
        assert referral.goals.startswith("Kävelee 30 minuuttia")
        assert referral.risk_notes == "Polven nivelrikko: vältä hyppyjä."
        assert referral.activity_level == "inactive"
        assert list(referral.needs.values_list("slug", flat=True)) == ["liikunta"]
        client = referral.client
        assert (client.first_name, client.last_name, client.birth_year) == (
            "Maija Liisa",
            "Meikäläinen",
            1952,
        )
        assert (client.phone, client.email, client.preferred_language) == (
            "+358401234567",
            "maija.meikalainen@example.fi",
            "fi",
        )
        assert client.hetu_hash == lookup_hash(HETU, purpose="hetu")
        consent = Consent.objects.get(referral=referral)
        assert (consent.given_by, consent.method, consent.scope) == ("client", "verbal", "referral")
        assert consent.given_at.isoformat().startswith("2025-03-11T07:35:00")
        assert consent.recorded_by == pro_a.user
        assert list(referral.events.values_list("action", flat=True)) == ["create", "send"]

    def test_the_bundle_identifier_or_the_header_makes_it_idempotent(
        self, pro_a: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        first = post(pro_a, sample(unit_c))
        again = post(pro_a, sample(unit_c))
        assert (first.status_code, again.status_code) == (201, 200)
        assert (
            resources(again.json())["ServiceRequest"]["id"] == resources(first.json())["ServiceRequest"]["id"]
        )
        assert Referral.objects.count() == 1

        other = sample(unit_c)
        other["identifier"]["value"] = "LAHETE-2025-000124"
        assert post(pro_a, other, **{"Idempotency-Key": "ehr-1"}).status_code == 201
        other["identifier"]["value"] = "LAHETE-2025-000125"
        assert post(pro_a, other, **{"Idempotency-Key": "ehr-1"}).status_code == 200
        assert Referral.objects.count() == 2

    def test_performer_by_identifier_or_by_an_organization_entry(
        self, pro_a: Persona, unit_a: Unit, unit_c: Unit
    ) -> None:
        data = sample()
        del data["identifier"]
        request(data)["performer"] = [{"identifier": {"system": fhir.UNIT_SYSTEM, "value": str(unit_c.pk)}}]
        assert post(pro_a, data).status_code == 201
        data["entry"].append(
            {
                "fullUrl": "urn:uuid:11111111-2222-4333-8444-555555555555",
                "resource": {
                    "resourceType": "Organization",
                    "identifier": [{"system": fhir.UNIT_SYSTEM, "value": str(unit_c.pk)}],
                    "name": "Kokkolan liikuntaneuvonta",
                },
            }
        )
        request(data)["performer"] = [{"reference": "urn:uuid:11111111-2222-4333-8444-555555555555"}]
        assert post(pro_a, data).status_code == 201
        assert Referral.objects.filter(receiving_unit=unit_c).count() == 2

    def test_a_draft_needs_no_consent(self, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
        data = sample(unit_c)
        request(data)["status"] = "draft"
        data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Consent"]
        del request(data)["supportingInfo"]
        response = post(pro_a, data)
        assert response.status_code == 201, response.content
        assert Referral.objects.get().status == S.DRAFT and not Consent.objects.exists()
        assert resources(response.json())["Task"]["status"] == "draft"

    def test_a_professional_in_several_units_names_the_referring_unit(
        self, pro_a: Persona, unit_a: Unit, unit_b: Unit, unit_c: Unit
    ) -> None:
        UnitRoleFactory(user=pro_a.user, unit=unit_b, role=UnitRole.Role.PROFESSIONAL)
        response = post(pro_a, sample(unit_c))
        assert response.status_code == 400
        assert outcome(response)["issue"][0]["details"]["coding"][0]["code"] == "invalid_parameter"
        assert nothing_written()
        response = post(pro_a, sample(unit_c), f"?referring_unit={unit_b.pk}")
        assert response.status_code == 201 and Referral.objects.get().referring_unit == unit_b

    def test_only_professionals_send(
        self, pro_a: Persona, counsellor_c: Persona, unit_b: Unit, unit_c: Unit, client: Any
    ) -> None:
        for persona, query in ((counsellor_c, ""), (pro_a, f"?referring_unit={unit_b.pk}")):
            response = post(persona, sample(unit_c), query)
            assert response.status_code == 403 and outcome(response)["issue"][0]["code"] == "forbidden"
        anonymous = client.post(URL, json.dumps(sample(unit_c)), content_type="application/fhir+json")
        assert anonymous.status_code == 401 and outcome(anonymous)["issue"][0]["code"] == "login"
        assert anonymous["WWW-Authenticate"].startswith("Bearer")
        assert nothing_written()

    def test_errors_are_in_the_requests_language(self, pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
        data = sample(unit_c)
        data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Consent"]
        del request(data)["supportingInfo"]
        english = outcome(post(pro_a, data, "?lang=en"))["issue"][0]["diagnostics"]
        finnish = outcome(post(pro_a, data, "?lang=fi"))["issue"][0]["diagnostics"]
        assert english == "The client's consent is needed before the referral can be sent." != finnish
        assert nothing_written()


def _drop(kind: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != kind]
        if kind == "Consent":
            del request(data)["supportingInfo"]

    return change


def _twice(kind: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        extra = copy.deepcopy(entry(data, kind))
        extra["fullUrl"] = "urn:uuid:22222222-2222-4222-8222-222222222222"
        data["entry"].append(extra)

    return change


def _set(path: str, value: Any) -> Any:
    kind, _dot, key = path.partition(".")

    def change(data: dict[str, Any]) -> None:
        entry(data, kind)["resource"][key] = value

    return change


def _hetu(value: str) -> Any:
    return _set("Patient.identifier", [{"system": fhir.HETU_SYSTEM, "value": value}])


UNKNOWN_UNIT = "Organization/01900000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("change", "http_status", "code", "expression"),
    [
        pytest.param(
            _drop("Patient"), 400, "required", "Bundle.entry.resource.ofType(Patient)", id="no-patient"
        ),
        pytest.param(_twice("ServiceRequest"), 400, "invalid", "Bundle.entry[4].resource", id="two-requests"),
        pytest.param(_twice("Consent"), 400, "invalid", "Bundle.entry[4].resource", id="two-consents"),
        pytest.param(
            _hetu("131052-308U"),
            400,
            "invalid",
            "Bundle.entry[1].resource.identifier[0].value",
            id="bad-hetu",
        ),
        pytest.param(
            _hetu("131052-9001"),
            400,
            "invalid",
            "Bundle.entry[1].resource.identifier[0].value",
            id="temp-hetu",
        ),
        pytest.param(
            _set("Patient.identifier", []),
            400,
            "required",
            "Bundle.entry[1].resource.identifier",
            id="no-hetu",
        ),
        pytest.param(
            _set("ServiceRequest.performer", [{"reference": UNKNOWN_UNIT}]),
            422,
            "not-found",
            "Bundle.entry[0].resource.performer[0]",
            id="unknown-unit",
        ),
        pytest.param(
            _set("ServiceRequest.performer", [{"reference": "Organization/kokkola"}]),
            400,
            "invalid",
            "Bundle.entry[0].resource.performer[0]",
            id="malformed-unit",
        ),
        pytest.param(
            _set("ServiceRequest.performer", []),
            400,
            "required",
            "Bundle.entry[0].resource.performer",
            id="no-unit",
        ),
        pytest.param(
            _drop("Consent"), 422, "business-rule", "Bundle.entry.resource.ofType(Consent)", id="no-consent"
        ),
        pytest.param(
            _set("Consent.status", "inactive"),
            422,
            "business-rule",
            "Bundle.entry[2].resource.status",
            id="inactive-consent",
        ),
        pytest.param(
            _set("Consent.provision", {"type": "permit", "period": {"end": "2020-01-01"}}),
            422,
            "business-rule",
            "Bundle.entry[2].resource.provision.period.end",
            id="expired-consent",
        ),
        pytest.param(
            _set("Consent.dateTime", "2999-01-01"),
            400,
            "invalid",
            "Bundle.entry[2].resource.dateTime",
            id="consent-in-the-future",
        ),
        pytest.param(
            _set("ServiceRequest.reasonCode", [{"text": "x" * 4001}]),
            400,
            "too-long",
            "Bundle.entry[0].resource.reasonCode[0].text",
            id="oversized-reason",
        ),
        pytest.param(
            _set("ServiceRequest.note", [{"text": "x" * 4001}]),
            400,
            "too-long",
            "Bundle.entry[0].resource.note[0]",
            id="oversized-goals",
        ),
        pytest.param(
            _set("ServiceRequest.reasonCode", []),
            400,
            "required",
            "Bundle.entry[0].resource.reasonCode",
            id="no-reason",
        ),
        pytest.param(
            _set("ServiceRequest.code", {"coding": [{"system": fhir.KIND_SYSTEM, "code": "magic"}]}),
            400,
            "code-invalid",
            "Bundle.entry[0].resource.code",
            id="unknown-kind",
        ),
        pytest.param(
            _set("ServiceRequest.status", "completed"),
            400,
            "invalid",
            "Bundle.entry[0].resource.status",
            id="status",
        ),
        pytest.param(
            _set("ServiceRequest.subject", {"reference": "Patient/someone-else"}),
            400,
            "invalid",
            "Bundle.entry[0].resource.subject",
            id="wrong-subject",
        ),
        pytest.param(
            _set(
                "ServiceRequest.reasonCode",
                [{"text": "x"}, {"coding": [{"system": fhir.NEED_SYSTEM, "code": "x"}]}],
            ),
            400,
            "code-invalid",
            "Bundle.entry[0].resource.reasonCode[1]",
            id="unknown-need",
        ),
        pytest.param(
            _set("Patient.birthDate", "1952-13-13"),
            400,
            "invalid",
            "Bundle.entry[1].resource.birthDate",
            id="not-r4b",
        ),
        pytest.param(
            _set("Patient.favouriteColour", "blue"),
            400,
            "structure",
            "Bundle.entry[1].resource.favouriteColour",
            id="unknown-element",
        ),
        pytest.param(
            _set("Patient.telecom", [{"system": "email", "value": "not an address"}]),
            400,
            "invalid",
            "Bundle.entry[1].resource.telecom[0]",
            id="bad-email",
        ),
    ],
)
def test_bad_bundles_are_an_operation_outcome_and_leave_no_rows(
    pro_a: Persona, unit_a: Unit, unit_c: Unit, change: Any, http_status: int, code: str, expression: str
) -> None:
    data = sample(unit_c)
    change(data)
    response = post(pro_a, data)
    assert response.status_code == http_status, response.content
    issues = outcome(response)["issue"]
    assert any(issue["code"] == code and expression in issue.get("expression", []) for issue in issues), (
        issues
    )
    assert "131052" not in response.content.decode() and "9001" not in response.content.decode()
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "content_type", "http_status", "code"),
    [
        pytest.param("{not json", "application/fhir+json", 400, "structure", id="not-json"),
        pytest.param("[1, 2]", "application/fhir+json", 400, "structure", id="not-an-object"),
        pytest.param("[" * 100_000, "application/json", 400, "structure", id="deeply-nested"),
        pytest.param(
            json.dumps({"resourceType": "ServiceRequest", "status": "active"}),
            "application/fhir+json",
            400,
            "invalid",
            id="wrong-resource-type",
        ),
        pytest.param(
            json.dumps({"resourceType": "Bundle", "type": "searchset"}),
            "application/fhir+json",
            400,
            "invalid",
            id="wrong-bundle-type",
        ),
        pytest.param(
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": {"resourceType": "Foo"}}],
                }
            ),
            "application/fhir+json",
            400,
            "not-supported",
            id="unknown-resource-type",
        ),
        pytest.param("x" * 300_000, "application/fhir+json", 413, "too-long", id="too-large"),
        pytest.param("<Bundle/>", "application/fhir+xml", 415, "not-supported", id="xml"),
    ],
)
def test_unusable_bodies(
    pro_a: Persona, unit_a: Unit, body: str, content_type: str, http_status: int, code: str
) -> None:
    response = post(pro_a, body, content_type=content_type)
    assert response.status_code == http_status, response.content
    assert outcome(response)["issue"][0]["code"] == code
    assert nothing_written()


def test_the_henkilotunnus_is_never_echoed(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    """Even where the code lands in a field the FHIR library itself rejects."""
    data = sample(unit_c)
    entry(data, "Patient")["resource"]["active"] = HETU
    entry(data, "Patient")["resource"]["gender"] = {"code": HETU}
    response = post(pro_a, data)
    assert response.status_code == 400
    assert HETU not in response.content.decode() and "131052" not in response.content.decode()
    assert nothing_written()


class TestErrorMapping:
    def test_domain_errors_become_issues(self) -> None:
        paths = {"receiving_unit": "Bundle.entry[0].resource.performer[0]"}
        issues, http_status = fhir.issues_for_error(
            InvalidParameter("x", details={"field": "receiving_unit"}), paths
        )
        assert (
            http_status == 422
            and issues[0].code == "not-found"
            and issues[0].expression == (paths["receiving_unit"],)
        )
        issues, http_status = fhir.issues_for_error(ReferralNotFound())
        assert (http_status, issues[0].code) == (404, "not-found")
        fields = InvalidParameter("x", details={"fields": {"email": ["Enter a valid email address."]}})
        issues, http_status = fhir.issues_for_error(fields, {"email": "Bundle.entry[1].resource.telecom[0]"})
        assert http_status == 400 and issues[0].expression == ("Bundle.entry[1].resource.telecom[0]",)

    def test_scrub(self) -> None:
        assert fhir.scrub(f"bad {HETU} and 010101a123n") == "bad *** and ***"

    def test_a_multi_unit_professional_is_asked_in_their_language(self, unit_a: Unit, unit_b: Unit) -> None:
        role = UnitRoleFactory(unit=unit_a, role=UnitRole.Role.PROFESSIONAL)
        UnitRoleFactory(user=role.user, unit=unit_b, role=UnitRole.Role.PROFESSIONAL)
        persona = _login(role.user)
        response = post(persona, sample(), "?lang=en")
        assert response.status_code == 400
        assert "referring_unit" in outcome(response)["issue"][0]["diagnostics"]
