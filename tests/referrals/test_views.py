"""The referral pages: write, queue, act; scoped like the API."""

from __future__ import annotations

from typing import Any

import pytest

from hyte.accounts.models import Unit
from hyte.referrals.models import Referral
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona

pytestmark = pytest.mark.django_db
NEW, LIST = "/lahetteet/uusi/", "/lahetteet/"


def form(unit_from: Unit, unit_to: Unit, **extra: str) -> dict[str, Any]:
    data = {
        "idempotency_key": "page-1",
        "kind": "exercise",
        "referring_unit": str(unit_from.pk),
        "receiving_unit": str(unit_to.pk),
        "first_name": "Maija",
        "last_name": "Meikäläinen",
        "personal_identity_code": "131052-308T",
        "preferred_language": "fi",
        "needs": ["liikunta"],
        "reason": "Liikkuu vähän.",
        "activity_level": "inactive",
        "urgency": "routine",
        "consent_given": "on",
        "consent_given_by": "client",
        "consent_method": "verbal",
        "consent_scope": "referral",
    }
    return data | extra


def test_write_from_a_service_page(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    service = ServiceFactory(name_fi="Vesijumppa", themes=["liikunta"])
    assert "Ohjaa asiakas tähän palveluun" in pro_a.client.get(f"/palvelut/{service.pk}/").content.decode()
    page = pro_a.client.get(NEW, {"service": str(service.pk)})
    assert page.status_code == 200 and "Vesijumppa" in page.content.decode()
    response = pro_a.client.post(f"{NEW}?service={service.pk}", form(unit_a, unit_c, service=str(service.pk)))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.service == service and referral.status == "sent"
    assert pro_a.client.post(NEW, form(unit_a, unit_c)).status_code == 302  # the same key: no second one
    assert Referral.objects.count() == 1


def test_no_consent_no_referral(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    data = form(unit_a, unit_c)
    del data["consent_given"]
    page = pro_a.client.post(NEW, data)
    assert page.status_code == 200 and "suostumu" in page.content.decode()
    assert not Referral.objects.exists()


def test_bad_code_is_shown_without_echo(pro_a: Persona, unit_a: Unit, unit_c: Unit) -> None:
    page = pro_a.client.post(NEW, form(unit_a, unit_c, personal_identity_code="131052-308U"))
    assert page.status_code == 200 and not Referral.objects.exists()
    html = page.content.decode()
    assert 'role="alert"' in html and "131052-308U" not in html.split('name="personal_identity_code"')[0]


def test_the_loop_through_the_pages(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    pro_a.client.post(NEW, form(unit_a, unit_c))
    referral = Referral.objects.get()
    assert "Liikuntalähete" in counsellor_c.client.get(LIST).content.decode()
    url = f"/lahetteet/{referral.pk}/"
    for action in ("receive", "accept", "first_contact"):
        assert counsellor_c.client.post(f"{url}toiminto/", {"action": action}).status_code == 302
    counsellor_c.client.post(
        f"{url}toiminto/", {"action": "complete", "complete-outcome_summary": "Aloitti ryhmän."}
    )
    assert "Aloitti ryhmän." in pro_a.client.get(url).content.decode()


def test_other_units_and_non_professionals(
    pro_a: Persona, pro_b: Persona, counsellor_d: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    pro_a.client.post(NEW, form(unit_a, unit_c))
    referral = Referral.objects.get()
    for persona in (pro_b, counsellor_d):
        assert persona.client.get(f"/lahetteet/{referral.pk}/").status_code == 404
        assert (
            persona.client.post(f"/lahetteet/{referral.pk}/toiminto/", {"action": "receive"}).status_code
            == 404
        )
        assert "Meikäläinen" not in persona.client.get(LIST).content.decode()
    assert counsellor_d.client.get(NEW).status_code == 403
    assert (
        pro_b.client.post(NEW, form(unit_a, unit_c, idempotency_key="x")).status_code == 200
    )  # not her unit
    assert Referral.objects.count() == 1


def test_anonymous_is_sent_to_login(client: Any) -> None:
    assert client.get(LIST).status_code == 302


def test_booking_an_appointment(
    pro_a: Persona, counsellor_c: Persona, counsellor_d: Persona, unit_a: Unit, unit_c: Unit
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    pro_a.client.post(NEW, form(unit_a, unit_c))
    referral = Referral.objects.get()
    url = f"/lahetteet/{referral.pk}/"
    for action in ("receive", "accept"):
        counsellor_c.client.post(f"{url}toiminto/", {"action": action})
    assert "Varaa tapaaminen" in counsellor_c.client.get(url).content.decode()
    assert "Varaa tapaaminen" not in pro_a.client.get(url).content.decode()
    local = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    past = timezone.localtime(timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for bad in ({"appointment-at": past}, {"appointment-at": "not a time"}):
        assert (
            counsellor_c.client.post(f"{url}toiminto/", {"action": "appointment", **bad}).status_code == 302
        )
        assert Referral.objects.get().appointment_at is None
    other = counsellor_d.client.post(f"{url}toiminto/", {"action": "appointment", "appointment-at": local})
    assert other.status_code == 404 and Referral.objects.get().appointment_at is None
    ok = {"action": "appointment", "appointment-at": local, "appointment-place": "Urheilutalo"}
    assert counsellor_c.client.post(f"{url}toiminto/", ok).status_code == 302
    booked = Referral.objects.get()
    assert booked.appointment_place == "Urheilutalo"
    assert timezone.localtime(booked.appointment_at).strftime("%Y-%m-%dT%H:%M") == local
