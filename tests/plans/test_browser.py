"""The plan pages in a real browser with axe-core, in Finnish, Swedish and English: the plan list, the
plan page (adding a tray service through the htmx search), and the printable plan in the client's own
language."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Unit
from hyte.catalog.models import Service
from hyte.plans import services
from hyte.plans.models import PlanItem
from tests.conftest import Persona
from tests.plans.conftest import new_plan
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = {"fi": "Vesijumppa", "sv": "Vattengymnastik", "en": "Water aerobics"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_plan_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    social_worker: Persona,
    unit_s: Unit,
    swim_hall: Service,
    lang: str,
) -> None:
    plan = new_plan(social_worker, unit_s, language=lang)
    services.activity_save(
        actor=social_worker.user,
        plan_id=plan.pk,
        version=None,
        activity_level="some",
        minutes_per_week=45,
        wish_themes=["liikunta"],
        wishes="Uinti",
    )
    services.step_add(actor=social_worker.user, plan_id=plan.pk, version=None, text="Käy uimassa")
    services.item_add(
        actor=social_worker.user,
        plan_id=plan.pk,
        version=None,
        kind="rehab_group",
        title="Kävelyryhmä",
        place="Sosiaaliasema",
        times="Ma 10–11",
        note="SISÄINEN",
    )
    with translation.override(lang):
        listing, detail = reverse("web:plans"), reverse("web:plan", args=[plan.pk])
        printable = reverse("web:plan-print", args=[plan.pk])

    for page in logged_in(browser, live_server, social_worker):
        page.goto(f"{live_server.url}{listing}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        page.goto(f"{live_server.url}{detail}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        # choose a service from the tray with the htmx search and add it
        page.locator("#tray-q").fill("vesijumppa")
        page.locator("#tray-q").press("Enter")
        expect(page.locator(".tray-results li").first).to_contain_text(NAMES[lang])
        assert_accessible(page)
        page.locator(".tray-results li").first.locator("button").first.click()
        expect(page.locator("#items-title ~ table")).to_contain_text(NAMES[lang])
        assert PlanItem.objects.filter(plan=plan, service=swim_hall).exists()

        page.goto(f"{live_server.url}{printable}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator(".plan-print")).to_contain_text(NAMES[lang])
        expect(page.locator(".plan-print")).not_to_contain_text("SISÄINEN")
        assert_accessible(page)
        page.emulate_media(media="print")
        expect(page.locator("footer")).to_be_hidden()
        expect(page.locator(".plan-print")).to_be_visible()
