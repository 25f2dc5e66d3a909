"""The whole referral chain in a real browser (headless Debian Chromium), with axe-core on each page:
professional sends → counsellor receives, accepts, records first contact → completes with a summary →
the professional sees the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hyte.accounts.models import Unit
from tests.conftest import Persona, _login
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(browser: Browser, live_server: Any, persona: Persona) -> Iterator[Page]:  # noqa: F811
    client = _login(persona.user).client  # a verified two-factor session
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_whole_chain(
    browser: Browser,  # noqa: F811
    live_server: Any,
    pro_a: Persona,
    counsellor_c: Persona,
    unit_a: Unit,
    unit_c: Unit,
) -> None:
    for page in logged_in(browser, live_server, pro_a):
        page.goto(f"{live_server.url}/lahetteet/uusi/")
        assert_accessible(page)
        page.get_by_label("Lähetteen laji").select_option("exercise")
        page.get_by_label("Vastaanottava yksikkö").select_option(label="Kokkolan liikuntaneuvonta")
        page.get_by_label("Etunimi").fill("Maija")
        page.get_by_label("Sukunimi").fill("Meikäläinen")
        page.get_by_label("Henkilötunnus").fill("131052-308T")
        page.locator("#id_reason").fill("Liikkuu vähän, verenpaine koholla.")
        page.get_by_label("Asiakas on antanut suostumuksensa tähän lähetteeseen").check()
        page.get_by_role("button", name="Lähetä lähete").click()
        expect(page.locator("#referral-status")).to_have_text("Lähetetty")
        assert_accessible(page)
        referral_url = page.url

    for page in logged_in(browser, live_server, counsellor_c):
        page.goto(f"{live_server.url}/lahetteet/")
        assert_accessible(page)
        page.get_by_role("link", name="Liikuntalähete").click()
        for button in ("Merkitse vastaanotetuksi", "Hyväksy", "Ensimmäinen yhteydenotto tehty"):
            page.get_by_role("button", name=button).click()
        expect(page.get_by_role("heading", name="Varaa tapaaminen")).to_be_visible()
        assert_accessible(page)  # with the appointment form
        page.get_by_label("Tulosyhteenveto lähettäjälle").fill("Aloitti vesijumpan kahdesti viikossa.")
        page.get_by_role("button", name="Päätä onnistuneesti").click()
        expect(page.locator("#referral-status")).to_have_text("Päättynyt")
        assert_accessible(page)

    for page in logged_in(browser, live_server, pro_a):
        page.goto(referral_url)
        expect(page.locator("#outcome")).to_have_text("Aloitti vesijumpan kahdesti viikossa.")
        page.goto(f"{live_server.url}/lahetteet/")
        expect(page.get_by_role("cell", name="Päättynyt")).to_be_visible()
        assert_accessible(page)


@pytest.mark.parametrize(
    ("prefix", "new_label"), [("/sv/remisser/", "Skriv en remiss"), ("/en/referrals/", "Write a referral")]
)
def test_swedish_and_english_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    pro_a: Persona,
    unit_a: Unit,
    unit_c: Unit,
    prefix: str,
    new_label: str,
) -> None:
    for page in logged_in(browser, live_server, pro_a):
        page.goto(f"{live_server.url}{prefix}")
        assert_accessible(page)
        page.get_by_role("link", name=new_label).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(new_label)
        assert_accessible(page)
