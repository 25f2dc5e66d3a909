"""The data protection officer's page: who gets in, look-up by a code in the body, download, correct,
erase."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from hyte.core.models import PersonalDataLog
from hyte.privacy.models import ClientCorrection
from hyte.referrals.models import Client
from tests.conftest import Persona
from tests.privacy.conftest import FIRST, HETU, Records, age

pytestmark = pytest.mark.django_db


def url() -> str:
    with translation.override("en"):
        return reverse("web:privacy")


def test_anonymous_visitors_are_sent_to_log_in(client: HttpClient, ilmatar: Records) -> None:
    response = client.post(url(), {"action": "find", "personal_identity_code": HETU})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert HETU not in response["Location"]


def test_a_worker_is_refused(worker_a: Persona, ilmatar: Records) -> None:
    assert worker_a.client.get(url()).status_code == 403
    response = worker_a.client.post(url(), {"action": "export", "client_id": str(ilmatar.client.pk)})
    assert response.status_code == 403
    assert FIRST.encode() not in response.content


def test_another_organizations_officer_gets_not_found(dpo_b: Persona, ilmatar: Records) -> None:
    found = dpo_b.client.post(url(), {"action": "find", "personal_identity_code": HETU})
    assert found.status_code == 404
    exported = dpo_b.client.post(url(), {"action": "export", "client_id": str(ilmatar.client.pk)})
    assert exported.status_code == 404
    assert FIRST.encode() not in found.content + exported.content


def test_the_officer_finds_the_client_and_sees_the_history(dpo_a: Persona, ilmatar: Records) -> None:
    page = dpo_a.client.get(url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b'<label for="id_personal_identity_code">' in page.content
    response = dpo_a.client.post(url(), {"action": "find", "personal_identity_code": HETU})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert FIRST in html and HETU in html and "+358409998887" in html  # the old phone in the history
    entry = PersonalDataLog.objects.order_by("-seq").first()
    assert entry is not None and (entry.action, entry.object_id) == ("read", str(ilmatar.client.pk))


def test_a_malformed_code_is_a_form_error_that_does_not_repeat_it(dpo_a: Persona, ilmatar: Records) -> None:
    response = dpo_a.client.post(url(), {"action": "find", "personal_identity_code": "131052-308X"})
    assert response.status_code == 400
    assert response.content.count(b"131052-308X") == 1  # the field's own value, not the message


def test_the_download_is_the_export(dpo_a: Persona, ilmatar: Records) -> None:
    response = dpo_a.client.post(url(), {"action": "export", "client_id": str(ilmatar.client.pk)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="hyte-client-{ilmatar.client.pk}.json"'
    data = json.loads(response.content)
    assert data["client"]["fields"]["personal_identity_code"] == HETU
    assert len(data["records"]) == sum(len(v) for v in ilmatar.objects.values()) + 1


def test_a_correction_from_the_page(dpo_a: Persona, ilmatar: Records) -> None:
    form = {
        "action": "correct",
        "client_id": str(ilmatar.client.pk),
        "first_name": "Ilma",
        "last_name": "Meikäläinen-Testi",
        "personal_identity_code": HETU,
        "birth_year": "1952",
        "email": "ilmatar@example.invalid",
        "phone": "+358401112223",
        "preferred_language": "fi",
        "municipality": "272",
        "reason": "Kutsumanimi",
    }
    response = dpo_a.client.post(url(), form)
    assert response.status_code == 200
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == "Ilma"
    assert list(ClientCorrection.objects.filter(source="correction").values_list("field", "reason")) == [
        ("first_name", "Kutsumanimi")
    ]


def test_erasure_from_the_page(dpo_a: Persona, ilmatar: Records) -> None:
    form = {"action": "erase", "client_id": str(ilmatar.client.pk), "reason": "request", "confirm": "on"}
    refused = dpo_a.client.post(url(), form, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == FIRST
    age(ilmatar)
    unconfirmed = dpo_a.client.post(url(), {**form, "confirm": ""})
    assert unconfirmed.status_code == 400
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == FIRST
    done = dpo_a.client.post(url(), form)
    assert done.status_code == 200
    assert Client.objects.get(pk=ilmatar.client.pk).first_name == ""


def test_the_navigation_shows_the_page_to_officers_only(dpo_a: Persona, worker_a: Persona) -> None:
    with translation.override("en"):
        home = reverse("web:home")
    assert url().encode() in dpo_a.client.get(home).content
    assert url().encode() not in worker_a.client.get(home).content


@pytest.mark.parametrize("action", ["export", "correct", "erase"])
@pytest.mark.parametrize("client_id", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "x" * 5000])
def test_a_bad_client_id_is_not_found_never_an_error(dpo_a: Persona, action: str, client_id: str) -> None:
    response = dpo_a.client.post(url(), {"action": action, "client_id": client_id})
    assert response.status_code == 404
