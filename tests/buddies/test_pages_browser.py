"""The buddy's own page and the pairing form in a real browser with axe-core, in Finnish, Swedish and
English; the buddy's page never shows the client's surname."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Unit
from hyte.buddies.models import Buddy, BuddyMeeting
from hyte.pathways.models import Pathway
from tests.buddies.conftest import today
from tests.conftest import Persona
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_buddy_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    counsellor_c: Persona,
    unit_c: Unit,
    aino: Buddy,
    aino_persona: Persona,
    pathway_c: Pathway,
    lang: str,
) -> None:
    with translation.override(lang):
        form_url = reverse("web:buddy-pairing-new") + f"?pathway={pathway_c.pk}"
        mine, register = reverse("web:my-buddy"), reverse("web:buddies")

    for page in logged_in(browser, live_server, counsellor_c):
        page.goto(f"{live_server.url}{register}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        page.goto(f"{live_server.url}{form_url}")
        assert_accessible(page)
        page.locator("#id_buddy").select_option(str(aino.pk))
        page.locator("#id_shared_phone").fill("040 765 4321")
        page.locator("#id_consent").check()
        page.locator("form[method=post] button[type=submit]").click()
        expect(page.locator(".notice")).to_be_visible()
        assert "Virtanen" in page.content()  # the worker's pairing page names the client
        assert_accessible(page)

    pairing = aino.pairings.get()
    for page in logged_in(browser, live_server, aino_persona):
        page.goto(f"{live_server.url}{mine}")
        assert_accessible(page)
        page.locator("#id_on").fill((today() - timedelta(days=0)).isoformat())
        page.locator("#id_activity").select_option("walk")
        page.locator("#id_note").fill("Kävely")
        page.locator("form[method=post] button[type=submit]").last.click()
        expect(page.locator(".notice")).to_be_visible()
        assert BuddyMeeting.objects.filter(pairing=pairing).count() == 1
        content = page.content()
        assert "Ville" in content and "Virtanen" not in content
        assert_accessible(page)
