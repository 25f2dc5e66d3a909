"""The Content-Security-Policy breaks no page: the main pages load in Chromium without a single
violation (reported through the `securitypolicyviolation` event and the console)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.web.test_browser import browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _page(browser: Browser, live_server: Any, persona: Persona | None = None) -> tuple[Page, list[str]]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if persona is not None:
        client = _login(persona.user).client
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    context.add_init_script(LISTEN)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page, console


def _assert_no_violation(page: Page, console: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{page.url}: {violations}"
    assert console == [], f"{page.url}: {console}"


@pytest.fixture
def no_tiles(settings: Any) -> Iterator[None]:
    settings.HYTE_MAP_TILE_URL = ""  # no network in tests
    yield


def test_public_pages_and_api_docs(browser: Browser, live_server: Any, no_tiles: None) -> None:  # noqa: F811
    service = ServiceFactory(name_fi="Kuntosali")
    ScheduleFactory(service=service, location=LocationFactory(), weekday=2)
    page, console = _page(browser, live_server)
    for path in ("/", "/palvelut/?q=kuntosali", f"/palvelut/{service.pk}/", "/en/services/"):
        page.goto(f"{live_server.url}{path}")
        _assert_no_violation(page, console)
    # htmx search: the results are swapped in without a violation (htmx adds no <style> of its own).
    page.goto(f"{live_server.url}/palvelut/")
    page.get_by_role("searchbox").first.fill("kunto")
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_contain_text("Kuntosali")
    _assert_no_violation(page, console)
    assert page.locator("head style").count() == 0
    # Swagger UI, served from our static files (its script in a file of its own, not inline).
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    _assert_no_violation(page, console)
    page.context.close()


def test_staff_page(browser: Browser, live_server: Any, editor_a: Persona, no_tiles: None) -> None:  # noqa: F811
    page, console = _page(browser, live_server, editor_a)
    page.goto(f"{live_server.url}/henkilosto/vanhentuneet/")
    expect(page.locator("h1")).to_be_visible()
    _assert_no_violation(page, console)
    page.context.close()
