"""The pathway pages and the public contact form: scoped like the API, errors shown on the page."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from hyte.accounts.models import Unit
from hyte.core.models import PersonalDataLog
from hyte.pathways.forms import TOKEN_SALT
from hyte.pathways.models import Contact, Measurement, Pathway, SelfReferral
from hyte.pathways.views import FLAG_LABELS
from tests.conftest import Persona
from tests.pathways.conftest import accepted_referral, days_ago, walk_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=args)


def test_caseload_and_enrolment(counsellor_c: Persona, pro_a: Persona, unit_c: Unit) -> None:
    assert pro_a.client.get(url("caseload")).status_code == 403  # not a worker
    page = counsellor_c.client.get(url("pathway-new"))
    assert page.status_code == 200
    response = counsellor_c.client.post(
        url("pathway-new"),
        {
            "programme": "exercise_counselling",
            "unit": str(unit_c.pk),
            "origin": "other",
            "first_name": "Ville",
            "last_name": "Virtanen",
            "preferred_language": "fi",
            "next_contact_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    pathway = Pathway.objects.get()
    assert response.status_code == 302 and response["Location"] == url("pathway", pathway.pk)
    caseload = counsellor_c.client.get(url("caseload")).content.decode()
    with translation.override("fi"):
        overdue = str(FLAG_LABELS["contact_overdue"])
    assert "Ville Virtanen" in caseload and overdue in caseload
    bad = counsellor_c.client.post(url("pathway-new"), {"programme": "nope", "unit": str(unit_c.pk)})
    assert bad.status_code == 200 and Pathway.objects.count() == 1


def test_enrolment_from_a_referral(pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    page = counsellor_c.client.get(url("pathway-new"), {"referral": str(referral.pk)})
    assert page.status_code == 200 and 'name="first_name"' not in page.content.decode()
    response = counsellor_c.client.post(
        f"{url('pathway-new')}?referral={referral.pk}",
        {"programme": "exercise_counselling", "unit": str(unit_c.pk), "referral": str(referral.pk)},
    )
    assert response.status_code == 302
    assert Pathway.objects.get().referral == referral


def test_the_pathway_page_records_and_refuses(
    counsellor_c: Persona, counsellor_d: Persona, unit_c: Unit
) -> None:
    pathway = walk_in(counsellor_c, unit_c, enrolled_on=days_ago(20))
    page_url, action = url("pathway", pathway.pk), url("pathway-action", pathway.pk)
    assert counsellor_d.client.get(page_url).status_code == 404
    assert counsellor_d.client.post(action, {"action": "contact"}).status_code == 404
    page = counsellor_c.client.get(page_url, {"instrument": "swemwbs"})
    assert page.status_code == 200 and "m-item__item_7" in page.content.decode()
    ok = counsellor_c.client.post(
        action, {"action": "contact", "c-on": days_ago(1).isoformat(), "c-kind": "meeting", "c-minutes": "30"}
    )
    assert ok.status_code == 302 and Contact.objects.count() == 1
    # A value out of range: the page says which item, nothing is stored, no 500.
    values = {f"m-item__item_{i}": "3" for i in range(1, 8)} | {"m-item__item_4": "9"}
    refused = counsellor_c.client.post(
        action,
        {"action": "measurement", "instrument": "swemwbs", "m-on": days_ago(1).isoformat(), **values},
        follow=True,
    )
    assert refused.status_code == 200 and not Measurement.objects.exists()
    assert "4" in " ".join(str(m) for m in refused.context["messages"])
    values["m-item__item_4"] = "4"
    stored = counsellor_c.client.post(
        action,
        {
            "action": "measurement",
            "instrument": "swemwbs",
            "m-on": days_ago(1).isoformat(),
            "m-point_months": "0",
            **values,
        },
    )
    assert stored.status_code == 302 and Measurement.objects.get().scores["raw"] == 22
    # Two tabs: the plan was changed in one, the other is told.
    for text in ("Kävely", "Uinti"):
        counsellor_c.client.post(action, {"action": "goal", "version": "1", "g-text": text})
    assert [g.text for g in Pathway.objects.get().goals.all()] == ["Kävely"]
    page = counsellor_c.client.get(page_url).content.decode()
    assert "<svg" in page and "Kävely" in page


def test_pages_in_swedish_and_english(counsellor_c: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    for lang in ("sv", "en"):
        with translation.override(lang):
            for target in (url("caseload"), url("pathway", pathway.pk), url("self-referral-queue")):
                assert target.startswith(f"/{lang}/")
                response = counsellor_c.client.get(target)
                assert response.status_code == 200 and f'lang="{lang}"' in response.content.decode()


# --- the public contact form ---


def token(seconds_ago: int = 10) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=TOKEN_SALT)


def contact_form(unit: Unit, **extra: str) -> dict[str, str]:
    return {
        "unit": str(unit.pk),
        "name": "Liisa Laine",
        "phone": "0401234567",
        "message": "Haluaisin liikkua enemmän.",
        "preferred_language": "fi",
        "token": token(),
    } | extra


def test_the_public_form_sends_without_login(client: Any, unit_c: Unit, counsellor_c: Persona) -> None:
    assert client.get(url("self-referral")).status_code == 404  # no unit takes requests yet
    unit_c.receives_self_referrals = True
    unit_c.save()
    page = client.get(url("self-referral"))
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    sent = client.post(url("self-referral"), contact_form(unit_c))
    assert sent.status_code == 200 and "Liisa" not in sent.content.decode()
    record = SelfReferral.objects.get()
    assert record.unit == unit_c and record.status == "new"
    assert PersonalDataLog.objects.filter(object_id=str(record.pk), action="create", actor=None).exists()
    queue = counsellor_c.client.get(url("self-referral-queue")).content.decode()
    assert "Liisa Laine" in queue


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"website": "http://spam.example"}, "honeypot"),
        ({"token": token(0)}, "too quick"),
        ({"token": token(3 * 60 * 60)}, "too old"),
        ({"token": "forged"}, "forged"),
        ({"phone": "", "email": ""}, "no contact"),
    ],
)
def test_the_public_form_refuses_bots_and_gaps(
    client: Any, unit_c: Unit, extra: dict[str, str], reason: str
) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    if reason == "too quick":
        extra = {"token": signing.dumps(int(time.time()), salt=TOKEN_SALT)}
    response = client.post(url("self-referral"), contact_form(unit_c, **extra))
    assert response.status_code == 400, reason
    assert 'role="alert"' in response.content.decode()
    assert not SelfReferral.objects.exists()


def test_the_referral_page_refers_a_contact_request(
    counsellor_c: Persona, unit_a: Unit, unit_c: Unit, unit_d: Unit
) -> None:
    from hyte.accounts.models import UnitRole
    from hyte.pathways import services
    from hyte.referrals.models import Referral

    unit_c.receives_self_referrals = True
    unit_c.save()
    record = services.self_referral_submit(
        data=services.SelfReferralData(unit_id=unit_c.pk, name="Liisa Laine", message="Apua", phone="040"),
        source="192.0.2.9",
    )
    UnitRole.objects.create(user=counsellor_c.user, unit=unit_a, role=UnitRole.Role.PROFESSIONAL)
    queue = counsellor_c.client.get(url("self-referral-queue")).content.decode()
    assert f"contact_request={record.pk}" in queue
    page = counsellor_c.client.get(url("referral-new"), {"contact_request": str(record.pk)})
    assert 'value="Liisa"' in page.content.decode()
    data = {
        "idempotency_key": "cr-1",
        "contact_request": str(record.pk),
        "kind": "wellbeing",
        "referring_unit": str(unit_a.pk),
        "receiving_unit": str(unit_d.pk),
        "first_name": "Liisa",
        "last_name": "Laine",
        "phone": "040",
        "preferred_language": "fi",
        "reason": "Tarvitsee arvion.",
        "activity_level": "unknown",
        "urgency": "routine",
        "consent_given": "on",
        "consent_given_by": "client",
        "consent_method": "verbal",
        "consent_scope": "referral",
    }
    response = counsellor_c.client.post(url("referral-new"), data)
    assert response.status_code == 302, response.content
    assert SelfReferral.objects.get().referral == Referral.objects.get()
