"""The staff pages of fresh listings and duplicates in a real browser with axe-core, in Finnish, Swedish
and English: the review of a listing, possible duplicates, the merge page and the freshness report; and
the public page's "checked on"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Membership
from hyte.catalog.models import DuplicateCandidate, Service
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.conftest import _login
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_freshness_and_duplicate_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    lang: str,
) -> None:
    org = OrganizationFactory(name_fi="Kokkolan kaupunki")
    editor = _login(
        MembershipFactory(organization=org, role=Membership.Role.COORDINATOR, user__username="ed").user
    )
    place = LocationFactory(organization=org)
    old = ServiceFactory(
        organization=org, name_fi="Vesijumppa", last_verified_at=timezone.now() - timedelta(days=400)
    )
    old.service_at_locations.create(location=place)
    twin = ServiceFactory(organization=org, name_fi="Vesi-jumppa")
    twin.service_at_locations.create(location=place)
    first, second = sorted([old.pk, twin.pk])
    candidate = DuplicateCandidate.objects.create(
        organization=org, first_id=first, second_id=second, similarity=94.1, found_by="scan"
    )
    with translation.override(lang):
        pages = [
            reverse("web:stale"),
            reverse("web:review", args=[old.pk]),
            reverse("web:duplicates"),
            reverse("web:duplicate-merge", args=[candidate.pk]),
            reverse("web:freshness"),
        ]
        public = reverse("web:service", args=[old.pk])

    for page in logged_in(browser, live_server, editor):
        for target in pages:
            page.goto(f"{live_server.url}{target}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(page)
        # One click after the review: verified.
        page.goto(f"{live_server.url}{pages[1]}")
        page.locator("form.actions button[type=submit]").click()
        expect(page.locator(".notice, .messages, [role=status]").first).to_be_visible()
        old.refresh_from_db()
        assert not old.is_stale
        # Merge from the page: the twin goes, its address leads to the one kept.
        page.goto(f"{live_server.url}{pages[3]}")
        page.locator(f"input[name=survivor][value='{old.pk}']").check()
        page.locator("form button[type=submit]").last.click()
        expect(page).to_have_url(f"{live_server.url}{pages[2]}")
        assert Service.objects.get(pk=twin.pk).merged_into_id == old.pk

    anonymous = browser.new_page()
    anonymous.goto(f"{live_server.url}{public}")
    expect(anonymous.locator("time[datetime]").last).to_be_visible()
    assert_accessible(anonymous)
    anonymous.close()
