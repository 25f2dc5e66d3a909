"""The report pages in a real browser (headless Debian Chromium), with axe-core on each page: a
coordinator opens the reports index, a report and the board report in Finnish, Swedish and English;
printed, the board report has no navigation, no form, and each report starts on a new page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Unit
from hyte.reporting.registry import REPORTS
from tests.conftest import Persona
from tests.referrals.conftest import coordinator, counsellor_c, pro_a, unit_a, unit_c  # noqa: F401
from tests.referrals.test_browser import logged_in
from tests.reporting.test_views import funnel_data  # noqa: F401 (fixture)
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path(name: str, *args: str, lang: str) -> str:
    with translation.override(lang):
        return reverse(f"web:{name}", args=args)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_coordinator_reads_the_reports(
    browser: Browser,  # noqa: F811
    live_server: Any,
    coordinator: Persona,  # noqa: F811
    funnel_data: None,  # noqa: F811
    unit_a: Unit,  # noqa: F811
    lang: str,
) -> None:
    for page in logged_in(browser, live_server, coordinator):
        page.goto(live_server.url + path("reports", lang=lang))
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)

        page.locator(f'a[href="{path("report", "funnel", lang=lang)}"]').click()
        expect(page.locator("h1")).to_be_visible()
        stages = page.locator('section[aria-labelledby="funnel-stages-title"]')
        expect(stages.locator("tbody tr").first.locator("td").first).to_have_text("12")
        expect(stages.locator("svg[role=img] text.value").first).to_have_text("12")
        assert_accessible(page)

        # A breakdown through the form, then the board report for the same filter.
        page.locator("#f-breakdown").select_option("unit")
        page.locator("form.report-filters button[type=submit]").click()
        expect(page.locator('section[aria-labelledby="funnel-breakdown-title"]')).to_be_visible()
        assert_accessible(page)

        page.locator(f'a[href^="{path("report-board", lang=lang)}?"]').click()
        expect(page.locator(".board-section")).to_have_count(len(REPORTS))
        assert_accessible(page)
        expect(page.locator("footer")).to_be_visible()
        expect(page.locator(".report-filters")).to_be_visible()

        page.emulate_media(media="print")
        for hidden in ("header.site-header", "footer", ".report-filters", ".board-contents", ".breadcrumb"):
            expect(page.locator(hidden)).to_be_hidden()
        expect(page.locator(".board-meta")).to_be_visible()  # the date and the scope stay on top
        breaks = page.locator(".board-section").evaluate_all(
            "sections => sections.map(s => getComputedStyle(s).breakBefore)"
        )
        assert breaks == ["auto"] + ["page"] * (
            len(REPORTS) - 1
        )  # the first report follows the date and scope
        page.emulate_media(media="screen")
