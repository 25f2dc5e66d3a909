"""The capacity pages and the referral form's warning in a real browser with axe-core, in Finnish,
Swedish and English: choosing a full receiving unit brings its capacity and the "send anyway" box
(htmx); the unit's capacity page with a bad value shows its error; both pages have no axe violations."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Unit, UnitCapacity, UnitRole
from hyte.catalog.models import ServiceCapacity
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona
from tests.referrals.conftest import _persona
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_referral_form_warns_of_a_full_unit(
    browser: Browser,  # noqa: F811
    live_server: Any,
    pro_a: Persona,
    unit_c: Unit,
    unit_d: Unit,
    lang: str,
) -> None:
    UnitCapacity.objects.create(unit=unit_c, takes_new_clients="no", waiting_weeks=8)
    UnitCapacity.objects.create(unit=unit_d, takes_new_clients="yes", waiting_weeks=2, free_places=5)
    service = ServiceFactory()
    ServiceCapacity.objects.create(service=service, takes_new_clients="yes", waiting_weeks=1)
    with translation.override(lang):
        new = reverse("web:referral-new")
    for page in logged_in(browser, live_server, pro_a):
        page.goto(f"{live_server.url}{new}?service={service.pk}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#receiver-capacity li")).to_have_count(1)  # the service's, at once
        page.locator("select[name=receiving_unit]").select_option(str(unit_c.pk))
        expect(page.locator("#receiver-capacity input[name=capacity_confirmed]")).to_be_visible()
        expect(page.locator("#receiver-capacity li")).to_have_count(2)
        assert_accessible(page)
        page.locator("select[name=receiving_unit]").select_option(str(unit_d.pk))
        expect(page.locator("#receiver-capacity input[name=capacity_confirmed]")).to_have_count(0)
        expect(page.locator("#receiver-capacity .capacity").first).to_be_visible()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_capacity_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    unit_c: Unit,
    lang: str,
) -> None:
    admin = _persona(unit_c, UnitRole.Role.UNIT_ADMIN, "admin_c")
    with translation.override(lang):
        overview, edit = reverse("web:capacity"), reverse("web:unit-capacity", args=[unit_c.pk])
    for page in logged_in(browser, live_server, admin):
        page.goto(f"{live_server.url}{overview}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        page.goto(f"{live_server.url}{edit}")
        assert_accessible(page)
        page.locator("input[name=takes_new_clients][value=no]").check()
        page.locator("input[name=free_places]").fill("3")
        page.locator("form.capacity-form button[type=submit]").click()
        expect(page.locator(".field-error")).to_have_count(1)
        assert_accessible(page)
        page.locator("input[name=free_places]").fill("0")
        page.locator("form.capacity-form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}{overview}")
        assert UnitCapacity.objects.get(unit=unit_c).is_full
