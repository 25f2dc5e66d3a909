"""A client pathway in a real browser (headless Debian Chromium), with axe-core on each page: a resident
asks to be contacted on the public form → the counsellor triages the request and enrols her → records a
contact and two measurements and sees the change → closes the pathway."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Unit
from hyte.pathways.models import Pathway, SelfReferral
from tests.conftest import Persona
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_contact_request_to_closed_pathway(
    browser: Browser,  # noqa: F811
    live_server: Any,
    counsellor_c: Persona,
    unit_c: Unit,
) -> None:
    unit_c.receives_self_referrals = True
    unit_c.save()
    resident = browser.new_page()
    resident.goto(f"{live_server.url}/en/")
    resident.get_by_role("link", name="Ask us to contact you").click()
    assert_accessible(resident)
    resident.get_by_label("Your name").fill("Liisa Laine")
    resident.get_by_label("Phone").fill("040 123 4567")
    resident.get_by_label("What would you like help with?").fill(
        "I would like to move more but my back hurts."
    )
    resident.wait_for_timeout(3200)  # a person takes a few seconds; the form refuses faster senders
    resident.get_by_role("button", name="Send").click()
    expect(resident.get_by_role("status")).to_contain_text("has received your request")
    assert_accessible(resident)
    resident.close()
    assert SelfReferral.objects.get().status == "new"

    today = timezone.localdate()
    for page in logged_in(browser, live_server, counsellor_c):
        page.goto(f"{live_server.url}/en/contact-requests/")
        assert_accessible(page)
        page.get_by_label("Yellow: counselling or walk-in").check()
        page.get_by_role("button", name="Save the triage").click()
        page.get_by_label("Programme").select_option("rehabilitation_counselling")
        page.get_by_role("button", name="Enrol as a client").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Liisa Laine")
        assert_accessible(page)

        page.get_by_text("A contact", exact=True).click()
        page.locator("#id_c-on").fill(today.isoformat())
        page.locator("#id_c-kind").select_option("meeting")
        page.get_by_role("button", name="Record the contact").click()
        expect(page.locator("#timeline")).to_contain_text("Meeting")

        for on, score in ((today, "4"), (today, "7")):  # enrolled today: nothing earlier is accepted
            page.goto(f"{page.url.split('?')[0]}?instrument=was")
            page.locator("#id_m-on").fill(on.isoformat())
            page.locator("#id_m-item__work_ability").fill(score)
            page.get_by_role("button", name="Record the measurement").click()
        expect(page.locator("figure figcaption")).to_contain_text("change 3")
        assert_accessible(page)

        page.get_by_text("Close the pathway", exact=True).click()
        page.locator("#id_z-closure_reason").select_option("goals_met")
        page.get_by_role("button", name="Close", exact=True).click()
        expect(page.locator("#pathway-status")).to_contain_text("Closed")
        assert_accessible(page)

        page.goto(f"{live_server.url}/en/pathways/")
        expect(page.get_by_text("No active clients.")).to_be_visible()
        assert_accessible(page)
    pathway = Pathway.objects.get()
    assert (pathway.status, pathway.triage, pathway.contacts.count(), pathway.measurements.count()) == (
        "closed",
        "yellow",
        1,
        2,
    )


@pytest.mark.parametrize("prefix", ["", "/sv"])
def test_the_contact_form_and_caseload_are_accessible_in_finnish_and_swedish(
    browser: Browser,  # noqa: F811
    live_server: Any,
    counsellor_c: Persona,
    unit_c: Unit,
    prefix: str,
) -> None:
    from django.urls import reverse
    from django.utils import translation

    unit_c.receives_self_referrals = True
    unit_c.save()
    lang = prefix.strip("/") or "fi"
    with translation.override(lang):
        form_url, caseload_url = reverse("web:self-referral"), reverse("web:caseload")
    page = browser.new_page()
    page.goto(f"{live_server.url}{form_url}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)
    page.close()
    for page in logged_in(browser, live_server, counsellor_c):
        page.goto(f"{live_server.url}{caseload_url}")
        assert_accessible(page)
