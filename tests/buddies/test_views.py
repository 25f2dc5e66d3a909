"""The buddy pages: staff register, buddy form, pairing form and detail, the buddy's own page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.pathways.models import Pathway
from tests.buddies.conftest import today
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def url(name: str, *args: object, lang: str = "fi") -> str:
    with translation.override(lang):
        return reverse(f"web:{name}", args=args)


def test_paths_are_language_prefixed() -> None:
    # The Finnish and Swedish paths ("kamut/", "kompisar/") come with the merged catalogs.
    assert url("buddies", lang="en") == "/en/buddies/"
    assert url("buddies", lang="sv").startswith("/sv/")
    assert not url("buddies").startswith(("/sv/", "/en/"))


def test_register_page(counsellor_c: Persona, counsellor_d: Persona, aino: Buddy, dora: Buddy) -> None:
    page = counsellor_c.client.get(url("buddies"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Aino" in body and "Dora" not in body
    assert "Dora" in counsellor_d.client.get(url("buddies")).content.decode()


def test_register_page_for_others(pro_a: Persona, client: object) -> None:
    assert pro_a.client.get(url("buddies")).status_code == 403
    response = client.get(url("buddies"))  # type: ignore[attr-defined]
    assert response.status_code == 302


def test_match_filter(counsellor_c: Persona, aino: Buddy, erik: Buddy) -> None:
    page = counsellor_c.client.get(
        url("buddies"), {"language": "sv", "municipality": "217", "theme": "kulttuuri"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert (
        body.index('class="matches"')
        < body.index("Erik", body.index('class="matches"'))
        < body.index("Aino", body.index('class="matches"'))
    )
    bad = counsellor_c.client.get(url("buddies"), {"language": "xx"})
    assert bad.status_code == 200 and 'class="field-error"' in bad.content.decode()


def test_register_a_buddy(counsellor_c: Persona, unit_c: object) -> None:
    response = counsellor_c.client.post(
        url("buddy-new"),
        {
            "username": "kamu.uusi",
            "name": "Uusi Kamu",
            "kind": "volunteer",
            "unit": str(unit_c.pk),  # type: ignore[attr-defined]
            "languages": ["fi", "sv"],
            "municipality": "272",
            "interests": ["liikunta"],
            "training_completed_on": (today() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    buddy = Buddy.objects.get(user__username="kamu.uusi")
    password = response.context["password"]
    assert password in response.content.decode() and buddy.user.check_password(password)
    assert "no-store" in response["Cache-Control"]


def test_register_taken_username_shows_the_error(counsellor_c: Persona, unit_c: object, aino: Buddy) -> None:
    response = counsellor_c.client.post(
        url("buddy-new", lang="en"),
        {"username": "kamu.aino", "name": "X", "kind": "student", "unit": str(unit_c.pk)},  # type: ignore[attr-defined]
    )
    assert response.status_code == 200
    assert (
        "Käyttäjätunnus on jo käytössä" in response.content.decode()
        or "username" in response.content.decode()
    )
    assert Buddy.objects.count() == 1


def test_edit_buddy_and_cross_unit(counsellor_c: Persona, counsellor_d: Persona, aino: Buddy) -> None:
    assert counsellor_d.client.get(url("buddy", aino.pk)).status_code == 404
    response = counsellor_c.client.post(
        url("buddy", aino.pk), {"name": "Aino K", "kind": "student", "languages": ["fi"]}
    )
    assert response.status_code == 302
    aino.refresh_from_db()
    assert aino.name == "Aino K"
    assert counsellor_d.client.post(url("buddy-active", aino.pk), {"active": "0"}).status_code == 404


def test_deactivate_with_active_pairing_keeps_the_buddy(
    counsellor_c: Persona, aino: Buddy, pairing: Pairing
) -> None:
    response = counsellor_c.client.post(url("buddy-active", aino.pk), {"active": "0"}, follow=True)
    assert response.status_code == 200
    aino.refresh_from_db()
    assert aino.active


def test_pairing_form(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    page = counsellor_c.client.get(url("buddy-pairing-new"), {"pathway": str(pathway_c.pk)})
    assert page.status_code == 200
    assert "Aino" in page.content.decode()
    response = counsellor_c.client.post(
        url("buddy-pairing-new"),
        {
            "pathway": str(pathway_c.pk),
            "buddy": str(aino.pk),
            "starts_on": today().isoformat(),
            "ends_on": (today() + timedelta(days=90)).isoformat(),
            "shared_phone": "040 765 4321",
            "consent_given_by": "client",
            "consent_method": "verbal",
            "consent": "on",
        },
    )
    pairing = Pairing.objects.get()
    assert response.status_code == 302 and response["Location"] == url("buddy-pairing", pairing.pk)
    assert pairing.shared_phone == "040 765 4321"


def test_pairing_form_errors(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    base = {
        "pathway": str(pathway_c.pk),
        "buddy": str(aino.pk),
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=400)).isoformat(),
        "shared_phone": "040 765 4321",
        "consent_given_by": "client",
        "consent_method": "verbal",
        "consent": "on",
    }
    too_long = counsellor_c.client.post(url("buddy-pairing-new"), base)
    assert too_long.status_code == 200 and "6" in too_long.content.decode()
    no_consent = counsellor_c.client.post(url("buddy-pairing-new"), base | {"consent": ""})
    assert no_consent.status_code == 200
    reversed_period = counsellor_c.client.post(
        url("buddy-pairing-new"), base | {"ends_on": (today() - timedelta(days=1)).isoformat()}
    )
    assert reversed_period.status_code == 200 and 'class="field-error"' in reversed_period.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_form_of_another_units_client(counsellor_d: Persona, pathway_c: Pathway) -> None:
    assert (
        counsellor_d.client.get(url("buddy-pairing-new"), {"pathway": str(pathway_c.pk)}).status_code == 404
    )
    assert counsellor_d.client.get(url("buddy-pairing-new")).status_code == 400
    assert counsellor_d.client.get(url("buddy-pairing-new"), {"pathway": "x"}).status_code == 400


def test_pairing_detail(
    counsellor_c: Persona, counsellor_d: Persona, aino_persona: Persona, pairing: Pairing
) -> None:
    BuddyMeeting.objects.create(pairing=pairing, on=today(), activity="walk", recorded_by=aino_persona.user)
    page = counsellor_c.client.get(url("buddy-pairing", pairing.pk, lang="en"))
    assert page.status_code == 200
    assert "Ville Virtanen" in page.content.decode()
    assert "1 meeting<" in page.content.decode()
    assert counsellor_d.client.get(url("buddy-pairing", pairing.pk)).status_code == 404
    assert aino_persona.client.get(url("buddy-pairing", pairing.pk)).status_code == 404


def test_end_pairing_page(counsellor_c: Persona, counsellor_d: Persona, pairing: Pairing) -> None:
    assert counsellor_d.client.post(url("buddy-pairing", pairing.pk), {"reason": "other"}).status_code == 404
    response = counsellor_c.client.post(url("buddy-pairing", pairing.pk), {"reason": "goal_reached"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED


def test_buddys_own_page(aino_persona: Persona, pairing: Pairing) -> None:
    page = aino_persona.client.get(url("my-buddy"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Ville" in body and "+358 40 765 4321" in body
    assert "Virtanen" not in body
    response = aino_persona.client.post(
        url("my-buddy"),
        {
            "pairing": str(pairing.pk),
            "on": (today() - timedelta(days=1)).isoformat(),
            "activity": "walk",
            "note": "Lenkki",
        },
    )
    assert response.status_code == 302
    meeting = BuddyMeeting.objects.get()
    assert meeting.note == "Lenkki"
    page = aino_persona.client.get(url("my-buddy"))
    assert url("my-buddy-meeting", meeting.pk) in page.content.decode()


def test_buddys_page_errors(aino_persona: Persona, counsellor_c: Persona, pairing: Pairing) -> None:
    future = aino_persona.client.post(
        url("my-buddy"),
        {"pairing": str(pairing.pk), "on": (today() + timedelta(days=1)).isoformat(), "activity": "walk"},
    )
    assert future.status_code == 200 and 'class="field-error"' in future.content.decode()
    long_note = aino_persona.client.post(
        url("my-buddy"),
        {"pairing": str(pairing.pk), "on": today().isoformat(), "activity": "walk", "note": "x" * 201},
    )
    assert long_note.status_code == 200
    assert not BuddyMeeting.objects.exists()
    assert counsellor_c.client.get(url("my-buddy")).status_code == 403


def test_meeting_edit_and_delete_pages(
    aino_persona: Persona, counsellor_c: Persona, pairing: Pairing
) -> None:
    meeting = BuddyMeeting.objects.create(
        pairing=pairing, on=today(), activity="walk", recorded_by=aino_persona.user
    )
    assert counsellor_c.client.get(url("my-buddy-meeting", meeting.pk)).status_code == 403
    assert aino_persona.client.get(url("my-buddy-meeting", meeting.pk)).status_code == 200
    response = aino_persona.client.post(
        url("my-buddy-meeting", meeting.pk), {"on": today().isoformat(), "activity": "gym"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.activity == "gym"
    assert counsellor_c.client.post(url("my-buddy-meeting-delete", meeting.pk)).status_code == 404
    assert aino_persona.client.post(url("my-buddy-meeting-delete", meeting.pk)).status_code == 302
    assert not BuddyMeeting.objects.exists()


def test_navigation_links(counsellor_c: Persona, aino_persona: Persona, pro_a: Persona, aino: Buddy) -> None:
    assert url("buddies") in counsellor_c.client.get(url("caseload")).content.decode()
    assert url("my-buddy") in aino_persona.client.get("/").content.decode()
    assert url("buddies") not in pro_a.client.get("/").content.decode()


def test_pathway_page_links_to_the_pairing_form(counsellor_c: Persona, pathway_c: Pathway) -> None:
    page = counsellor_c.client.get(url("pathway", pathway_c.pk))
    assert f"{url('buddy-pairing-new')}?pathway={pathway_c.pk}" in page.content.decode()
