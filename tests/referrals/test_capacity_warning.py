"""Sending a referral to a unit or service that says it takes no new clients: the form shows the
receiver's capacity and asks for an explicit "send anyway" (without JavaScript too); the API answers
409 ``receiver_not_taking_clients`` unless ``capacity_confirmed``; a confirmed send is audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from hyte.accounts.models import Unit, UnitCapacity
from hyte.catalog.models import ServiceCapacity
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.referrals import services
from hyte.referrals.errors import ReceiverFull
from hyte.referrals.models import Client, Referral
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona
from tests.referrals.conftest import client_data, consent_data
from tests.referrals.test_api import URL, payload, post
from tests.referrals.test_views import NEW, form

pytestmark = pytest.mark.django_db


def full(unit: Unit, **values: Any) -> UnitCapacity:
    return UnitCapacity.objects.create(
        unit=unit, **({"takes_new_clients": "no", "waiting_weeks": 10} | values)
    )


def create(pro: Persona, unit_from: Unit, unit_to: Unit, **extra: Any) -> Referral:
    return services.referral_create(
        actor=pro.user,
        referring_unit_id=unit_from.pk,
        receiving_unit_id=unit_to.pk,
        kind="exercise",
        client=client_data(),
        reason="Liikkuu vähän.",
        consent=consent_data(),
        **extra,
    )


# --- the service ---


def test_full_unit_needs_confirmation_and_nothing_is_written(
    pro_a: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    full(unit_c)
    with pytest.raises(ReceiverFull) as caught:
        create(pro_a, unit_a, unit_c)
    assert caught.value.http_status == 409 and caught.value.code == "receiver_not_taking_clients"
    assert caught.value.details["capacity"]["receiving_unit"]["takes_new_clients"] == "no"
    assert not Referral.objects.exists() and not Client.objects.exists()
    assert not PersonalDataLog.objects.exists()
    referral = create(pro_a, unit_a, unit_c, capacity_confirmed=True)
    assert referral.status == "sent"
    event = AuditEvent.objects.get(action="referral.send_to_full_receiver")
    assert event.details["unit"] == str(unit_c.pk) and "Meikäläinen" not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("values", "needs_confirmation"),
    [
        ({"takes_new_clients": "yes", "free_places": 0}, True),
        ({"takes_new_clients": "not_stated", "free_places": 0}, True),
        ({"takes_new_clients": "yes", "free_places": 3, "waiting_weeks": 20}, False),
        ({"takes_new_clients": "not_stated"}, False),
    ],
)
def test_what_counts_as_full(
    pro_a: Persona, unit_a: Unit, unit_c: Unit, values: dict[str, Any], needs_confirmation: bool
) -> None:
    UnitCapacity.objects.create(unit=unit_c, **values)
    if needs_confirmation:
        with pytest.raises(ReceiverFull):
            create(pro_a, unit_a, unit_c)
    else:
        assert create(pro_a, unit_a, unit_c).status == "sent"


def test_full_service_needs_confirmation_too(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    service = ServiceFactory()
    ServiceCapacity.objects.create(service=service, takes_new_clients="no")
    with pytest.raises(ReceiverFull) as caught:
        create(pro_a, unit_a, unit_c, service_id=service.pk)
    assert set(caught.value.details["capacity"]) == {"service"}
    assert create(pro_a, unit_a, unit_c, service_id=service.pk, capacity_confirmed=True).service == service


def test_a_draft_is_saved_but_sending_it_needs_confirmation(
    pro_a: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    full(unit_c)
    draft = create(pro_a, unit_a, unit_c, send=False)
    assert draft.status == "draft"
    with pytest.raises(ReceiverFull):
        services.referral_transition(actor=pro_a.user, referral_id=draft.pk, action="send")
    sent = services.referral_transition(
        actor=pro_a.user, referral_id=draft.pk, action="send", capacity_confirmed=True
    )
    assert sent.status == "sent"


# --- the API ---


def test_api_answers_409_without_the_flag(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    full(unit_c, waiting_weeks=12)
    response = post(pro_a, URL + "?lang=en", payload(unit_a, unit_c))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "receiver_not_taking_clients" and "takes no new clients" in body["message"]
    assert body["details"]["capacity"]["receiving_unit"]["waiting_weeks"] == 12
    assert not Referral.objects.exists()
    ok = post(pro_a, URL, payload(unit_a, unit_c, capacity_confirmed=True))
    assert ok.status_code == 201 and ok.json()["status"] == "sent"


def test_api_flag_must_be_a_boolean(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    full(unit_c)
    response = post(pro_a, URL, payload(unit_a, unit_c, capacity_confirmed="perhaps"))
    assert response.status_code == 400 and not Referral.objects.exists()


def test_api_sending_a_draft(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    full(unit_c)
    created = post(pro_a, URL, payload(unit_a, unit_c, send=False))
    assert created.status_code == 201, created.content
    url = f"{URL}{created.json()['id']}/transitions/"
    refused = post(pro_a, url, {"action": "send"})
    assert refused.status_code == 409 and refused.json()["code"] == "receiver_not_taking_clients"
    assert post(pro_a, url, {"action": "send", "capacity_confirmed": True}).json()["status"] == "sent"


def test_api_schema_documents_the_flag(pro_a: Persona) -> None:
    import yaml

    schema = yaml.safe_load(pro_a.client.get("/api/schema/").content)
    assert "capacity_confirmed" in schema["components"]["schemas"]["ReferralInRequest"]["properties"]
    assert "409" in schema["paths"]["/api/v1/referrals/"]["post"]["responses"]


# --- the pages ---


def _en(name: str, *args: Any) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_form_warns_and_asks_to_confirm_without_javascript(
    pro_a: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    full(unit_c)
    page = pro_a.client.post(NEW, form(unit_a, unit_c))
    html = page.content.decode()
    assert page.status_code == 200 and not Referral.objects.exists()
    assert 'name="capacity_confirmed"' in html and 'aria-invalid="true"' in html
    assert "capacity-full" in html
    sent = pro_a.client.post(NEW, form(unit_a, unit_c, capacity_confirmed="on"))
    assert sent.status_code == 302 and Referral.objects.get().status == "sent"


def test_form_shows_capacity_of_the_service_at_once(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    service = ServiceFactory(name_en="Water gym")
    ServiceCapacity.objects.create(service=service, takes_new_clients="yes", waiting_weeks=3, free_places=4)
    html = pro_a.client.get(_en("web:referral-new"), {"service": str(service.pk)}).content.decode()
    assert "waiting time about 3 weeks" in html and "4 free places" in html
    assert 'name="capacity_confirmed"' not in html
    assert pro_a.client.post(NEW, form(unit_a, unit_c, service=str(service.pk))).status_code == 302


def test_fragment_for_htmx(pro_a: Persona, unit_c: Unit, unit_d: Unit) -> None:
    full(unit_c)
    UnitCapacity.objects.create(unit=unit_d, takes_new_clients="yes", waiting_weeks=0)
    url = _en("web:referral-capacity")
    html = pro_a.client.get(url, {"receiving_unit": str(unit_c.pk)}).content.decode()
    assert "Takes no new clients now" in html and 'name="capacity_confirmed"' in html
    html = pro_a.client.get(url, {"receiving_unit": str(unit_d.pk)}).content.decode()
    assert "no waiting time" in html and 'name="capacity_confirmed"' not in html
    for bad in ("not-a-uuid", "\x00", "9" * 500, ""):
        response = pro_a.client.get(url, {"receiving_unit": bad, "service": bad})
        assert response.status_code == 200 and "capacity_confirmed" not in response.content.decode()


def test_fragment_is_for_professionals(counsellor_c: Persona, client: Any, unit_c: Unit) -> None:
    url = _en("web:referral-capacity")
    assert counsellor_c.client.get(url, {"receiving_unit": str(unit_c.pk)}).status_code == 404
    assert client.get(url).status_code == 302


def test_a_unit_that_receives_no_referrals_shows_nothing(pro_a: Persona, unit_b: Unit) -> None:
    full(unit_b)  # unit_b does not receive referrals
    html = pro_a.client.get(_en("web:referral-capacity"), {"receiving_unit": str(unit_b.pk)}).content.decode()
    assert html.strip() == ""


def test_sending_a_draft_from_its_page(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    full(unit_c)
    draft = create(pro_a, unit_a, unit_c, send=False)
    page = pro_a.client.get(_en("web:referral", draft.pk)).content.decode()
    assert 'name="capacity_confirmed"' in page
    url = _en("web:referral-action", draft.pk)
    pro_a.client.post(url, {"action": "send"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    pro_a.client.post(url, {"action": "send", "capacity_confirmed": "on"})
    draft.refresh_from_db()
    assert draft.status == "sent"


# --- FHIR ---


def test_fhir_needs_the_query_flag(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    from tests.referrals import test_fhir

    full(unit_c)
    refused = test_fhir.post(pro_a, test_fhir.sample(unit_c))
    assert refused.status_code == 409 and test_fhir.nothing_written()
    assert "receiver_not_taking_clients" in json.dumps(test_fhir.outcome(refused))
    sent = test_fhir.post(pro_a, test_fhir.sample(unit_c), "?capacity_confirmed=true")
    assert sent.status_code == 201 and Referral.objects.get().status == "sent"
