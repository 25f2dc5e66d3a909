"""The pages in a real browser: headless Debian Chromium driven by Playwright, checked with axe-core.

No browser is downloaded: Playwright drives /usr/bin/chromium (installed by `make test` with apt-get).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hyte.catalog.models import Service, ServiceCapacity
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("HYTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH = {"fi": "/palvelut/", "sv": "/sv/tjanster/", "en": "/en/services/"}
HOME = {"fi": "/", "sv": "/sv/", "en": "/en/"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get when root."
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Browser, settings: Any) -> Iterator[Page]:
    settings.HYTE_MAP_TILE_URL = ""  # no network: the map must work without tiles
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def tray() -> dict[str, Service]:
    pool = LocationFactory(
        name_fi="Kokkolan uimahalli", name_sv="Karleby simhall", name_en="Kokkola swimming hall"
    )
    park = LocationFactory(
        name_fi="Kaustisen kuntopolku",
        latitude="63.548100",
        longitude="23.697000",
        accessibility_fi="",
        accessibility_sv="",
        accessibility_en="",
        step_free_access=False,
    )
    aqua = ServiceFactory(
        name_fi="Vesijumppa ikäihmisille",
        name_sv="Vattengymnastik för seniorer",
        name_en="Aqua gym for seniors",
        summary_fi="Ohjattua jumppaa lämpimässä vedessä.",
        summary_sv="Ledd gymnastik i varmt vatten.",
        summary_en="Guided exercise in warm water.",
        themes=["liikunta"],
        at=[pool],
        target_groups=["KR1.1"],
        plain_summary_fi="Jumppaa vedessä. Ohjaaja neuvoo.",
        languages=["fi", "sv"],
    )
    ScheduleFactory(service=aqua, location=pool, weekday=2)
    walk = ServiceFactory(
        name_fi="Luontokävely",
        name_sv="Naturpromenad",
        name_en="Nature walk",
        themes=["luonto"],
        at=[park],
        municipalities=["236"],
    )
    ServiceFactory(
        name_fi="Lukupiiri",
        name_sv="Läsecirkel",
        name_en="Reading circle",
        themes=["kulttuuri"],
        last_verified_at=timezone.now() - timedelta(days=400),  # the results say it is not checked
    )
    ServiceCapacity.objects.create(service=aqua, takes_new_clients="yes", free_places=3)  # in the results too
    return {"aqua": aqua, "walk": walk}


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_front_results_and_detail_pages_have_no_axe_violations(
    live_server: Any, page: Page, tray: dict[str, Service], lang: str
) -> None:
    page.goto(live_server.url + HOME[lang])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)

    page.goto(live_server.url + SEARCH[lang] + "?q=")
    expect(page.locator(".result")).to_have_count(3)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    expect(page.locator(".result .capacity-line")).to_have_count(1)
    expect(page.locator(".result .tags li.stale")).to_have_count(1)
    assert_accessible(page)

    page.goto(f"{live_server.url}{SEARCH[lang]}{tray['aqua'].pk}/")
    expect(page.locator("h1")).to_have_text(
        {"fi": "Vesijumppa ikäihmisille", "sv": "Vattengymnastik för seniorer", "en": "Aqua gym for seniors"}[
            lang
        ]
    )
    assert_accessible(page)


def test_error_page_has_no_axe_violations(live_server: Any, page: Page, tray: dict[str, Service]) -> None:
    response = page.goto(live_server.url + "/palvelut/?theme=golf")
    assert response is not None and response.status == 400
    expect(page.locator("[role=alert]")).to_be_visible()
    assert_accessible(page)


def test_search_and_filter_without_reload(live_server: Any, page: Page, tray: dict[str, Service]) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Mitä etsit?").fill("jumppa")
    page.get_by_role("button", name="Hae").click()
    expect(page.locator(".result h3")).to_have_text(["Vesijumppa ikäihmisille"])
    assert "q=jumppa" in page.url
    # The click navigated: the results are in the document before the deferred htmx has run. Wait for
    # the load event, or under load the filter change below happens before htmx listens (no request).
    page.wait_for_load_state("load")
    # Changing a filter updates the results in place (htmx) and the address (so the back button works).
    page.get_by_label("Hakusanat").fill("")
    page.get_by_label("Teema").select_option("luonto")
    expect(page.locator(".result h3")).to_have_text(["Luontokävely"])
    assert "theme=luonto" in page.url
    page.get_by_role("link", name="Luontokävely").click()
    expect(page.locator("h1")).to_have_text("Luontokävely")


def test_language_switch_keeps_the_search(live_server: Any, page: Page, tray: dict[str, Service]) -> None:
    page.goto(live_server.url + "/palvelut/?theme=liikunta")
    page.get_by_role("link", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert "/sv/tjanster/" in page.url and "theme=liikunta" in page.url
    expect(page.locator(".result h3")).to_have_text(["Vattengymnastik för seniorer"])
    page.get_by_role("link", name="English").click()
    expect(page.locator(".result h3")).to_have_text(["Aqua gym for seniors"])


def test_map_works_without_tiles_and_markers_link_to_services(
    live_server: Any, page: Page, tray: dict[str, Service]
) -> None:
    page.goto(live_server.url + "/palvelut/?theme=liikunta")
    marker = page.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    marker.click()
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Vesijumppa ikäihmisille")
    popup_link.click()
    expect(page.locator("h1")).to_have_text("Vesijumppa ikäihmisille")


def test_mobile_layout_has_no_horizontal_scroll(
    browser: Browser, live_server: Any, settings: Any, tray: dict[str, Service]
) -> None:
    settings.HYTE_MAP_TILE_URL = ""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    for path in ("/", "/palvelut/?q=", f"/palvelut/{tray['aqua'].pk}/"):
        pg.goto(live_server.url + path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
    context.close()


def test_skip_link_moves_focus_to_main(live_server: Any, page: Page, tray: dict[str, Service]) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
