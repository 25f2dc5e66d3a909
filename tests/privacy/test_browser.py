"""The data protection officer's page in a real browser with axe-core, in Finnish, Swedish and English:
the look-up form, a malformed code, and the client's page with its three forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from tests.conftest import Persona
from tests.privacy.conftest import HETU, LAST, Records
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_officer_finds_a_client_on_an_accessible_page(
    browser: Browser,  # noqa: F811
    live_server: Any,
    dpo_a: Persona,
    ilmatar: Records,
    lang: str,
) -> None:
    with translation.override(lang):
        url = reverse("web:privacy")
    for page in logged_in(browser, live_server, dpo_a):
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        field = page.locator("input[name=personal_identity_code]")
        field.fill("131052-308X")  # wrong check character
        page.locator("form button[type=submit]").first.click()
        expect(page.locator(".field-error, .errorlist").first).to_be_visible()
        assert_accessible(page)
        page.locator("input[name=personal_identity_code]").fill(HETU)
        page.locator("form button[type=submit]").first.click()
        expect(page.locator("main")).to_contain_text(LAST)
        assert "131052" not in page.url  # the code travels in the form body, never in the address
        assert_accessible(page)
