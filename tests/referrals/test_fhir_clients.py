"""An electronic health record as an API client: OAuth 2.0 client credentials, a token with scopes,
acting as a system user that holds the professional role only in the units it sends for."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from hyte.accounts.models import Unit, UnitRole
from hyte.accounts.services import api_client_create
from hyte.core.errors import InvalidParameter
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.referrals.models import Referral
from tests.conftest import Persona
from tests.referrals.test_fhir import URL, outcome, sample

pytestmark = pytest.mark.django_db


def token(client_id: str, secret: str, scope: str = "referrals:write") -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return HttpClient().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        headers={"Authorization": f"Basic {basic}"},
    )


def bearer(access: str, body: Any, path: str = URL) -> Any:
    return HttpClient().post(
        path,
        json.dumps(body),
        content_type="application/fhir+json",
        headers={"Authorization": f"Bearer {access}"},
    )


@pytest.fixture
def ehr(unit_a: Unit) -> dict[str, str]:
    credentials = api_client_create(name="Apotti Kokkola", unit_ids=[unit_a.pk])
    return {"id": credentials.client_id, "secret": credentials.client_secret}


def test_the_client_posts_a_referral_with_a_token(ehr: dict[str, str], unit_a: Unit, unit_c: Unit) -> None:
    response = token(ehr["id"], ehr["secret"])
    assert response.status_code == 200, response.content
    access = response.json()["access_token"]
    assert response.json()["scope"] == "referrals:write"
    created = bearer(access, sample(unit_c))
    assert created.status_code == 201, created.content
    referral = Referral.objects.get()
    assert referral.referring_unit == unit_a and referral.receiving_unit == unit_c
    assert referral.referrer.username == "api-apotti-kokkola"
    # The personal data log names the system user.
    assert set(PersonalDataLog.objects.values_list("actor__username", flat=True)) == {"api-apotti-kokkola"}


def test_the_secret_is_stored_hashed_and_a_wrong_one_gets_no_token(ehr: dict[str, str]) -> None:
    stored = Application.objects.get(client_id=ehr["id"]).client_secret
    assert stored != ehr["secret"] and ehr["secret"] not in stored
    assert token(ehr["id"], ehr["secret"] + "x").status_code == 401
    assert not AccessToken.objects.exists()


def test_the_token_is_limited_to_its_scope(ehr: dict[str, str], unit_a: Unit, unit_c: Unit) -> None:
    write = token(ehr["id"], ehr["secret"]).json()["access_token"]
    bearer(write, sample(unit_c))
    referral = Referral.objects.get()
    detail = f"{URL}/{referral.pk}"
    answer = HttpClient().get(detail, headers={"Authorization": f"Bearer {write}"})
    assert answer.status_code == 403 and outcome(answer)["issue"][0]["code"] == "forbidden"
    read = token(ehr["id"], ehr["secret"], "referrals:read").json()["access_token"]
    assert HttpClient().get(detail, headers={"Authorization": f"Bearer {read}"}).status_code == 200
    assert bearer(read, sample(unit_c)).status_code == 403
    assert Referral.objects.count() == 1


def test_the_token_opens_nothing_but_the_fhir_endpoints(ehr: dict[str, str]) -> None:
    access = token(ehr["id"], ehr["secret"], "referrals:read referrals:write").json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    assert HttpClient().get("/api/v1/referrals/?box=sent", headers=headers).status_code == 403
    assert HttpClient().get("/lahetteet/", headers=headers).status_code == 302  # to the login page


def test_the_client_sends_only_for_its_own_units(ehr: dict[str, str], unit_b: Unit, unit_c: Unit) -> None:
    access = token(ehr["id"], ehr["secret"]).json()["access_token"]
    response = bearer(access, sample(unit_c), path=f"{URL}?referring_unit={unit_b.pk}")
    assert response.status_code == 403 and outcome(response)
    assert not Referral.objects.exists()


def test_the_client_cannot_read_another_units_referral(
    ehr: dict[str, str], pro_b: Persona, unit_b: Unit, unit_c: Unit
) -> None:
    from tests.referrals.test_fhir import create

    theirs = create(pro_b, unit_b, unit_c)
    access = token(ehr["id"], ehr["secret"], "referrals:read").json()["access_token"]
    answer = HttpClient().get(f"{URL}/{theirs.pk}", headers={"Authorization": f"Bearer {access}"})
    assert answer.status_code == 404


def test_expired_revoked_or_deactivated_tokens_are_refused(ehr: dict[str, str], unit_c: Unit) -> None:
    access = token(ehr["id"], ehr["secret"]).json()["access_token"]
    record = AccessToken.objects.get()
    record.expires = timezone.now() - timedelta(seconds=1)
    record.save()
    assert bearer(access, sample(unit_c)).status_code == 401
    fresh = token(ehr["id"], ehr["secret"]).json()["access_token"]
    user = Application.objects.get(client_id=ehr["id"]).user
    user.is_active = False
    user.save()
    assert bearer(fresh, sample(unit_c)).status_code in (401, 403)
    assert not Referral.objects.exists()


def test_staff_sessions_still_work(pro_a: Persona, unit_c: Unit) -> None:
    response = pro_a.client.post(URL, json.dumps(sample(unit_c)), content_type="application/fhir+json")
    assert response.status_code == 201


def test_registering_a_client_is_audited_and_checked(unit_a: Unit, unit_c: Unit) -> None:
    out = StringIO()
    call_command("create_api_client", "Lifecare", "--unit", str(unit_a.pk), stdout=out)
    assert "client_secret: " in out.getvalue()
    role = UnitRole.objects.get(user__username="api-lifecare")
    assert (role.unit, role.role) == (unit_a, UnitRole.Role.PROFESSIONAL)
    assert AuditEvent.objects.filter(action="api_client.create").count() == 1
    with pytest.raises(InvalidParameter):
        api_client_create(name="Lifecare", unit_ids=[unit_a.pk])  # the name is taken
    with pytest.raises(InvalidParameter):
        api_client_create(name="Other", unit_ids=["01900000-0000-7000-8000-000000000000"])
    with pytest.raises(CommandError):
        call_command("create_api_client", "X", "--unit", "not-a-uuid", stdout=StringIO())
    assert Application.objects.count() == 1


def test_tokens_are_stored_hashed_and_refused_in_the_query_string(ehr: dict[str, str]) -> None:
    # RFC 9700: a leaked database gives no usable token, and a token in a URL (logs, history) is refused.
    access = token(ehr["id"], ehr["secret"], "referrals:read").json()["access_token"]
    stored = AccessToken.objects.get().token
    assert access not in stored
    detail = f"{URL}/00000000-0000-0000-0000-000000000000"
    assert HttpClient().get(f"{detail}?access_token={access}").status_code == 401
    # The same token in the header authenticates: the referral is then simply not found.
    assert HttpClient().get(detail, headers={"Authorization": f"Bearer {access}"}).status_code == 404
