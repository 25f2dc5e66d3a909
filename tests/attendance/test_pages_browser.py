"""The pass and group pages in a real browser with axe-core, in Finnish, Swedish and English: the issuing
unit's passes page, the printable pass, the holder's own pass on a phone, and the groups page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.accounts.models import Membership, Unit
from hyte.attendance import services
from hyte.attendance.models import PassProgramme
from tests.accounts.factories import UserFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.pathways.conftest import walk_in
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pass_and_group_pages_are_accessible(
    browser: Browser,  # noqa: F811
    live_server: Any,
    counsellor_c: Persona,
    unit_c: Unit,
    lang: str,
) -> None:
    hall = ServiceFactory(name_fi="Uimahalli", organization=OrganizationFactory(name_fi="Kokkolan kaupunki"))
    PassProgramme.objects.get(code="liiku").services.add(hall)
    desk_user = UserFactory(username="kassa")
    Membership.objects.create(user=desk_user, organization=hall.organization, role=Membership.Role.FRONT_DESK)
    card = services.pass_issue(
        actor=counsellor_c.user,
        data=services.PassIssue(
            programme="liiku", unit_id=unit_c.pk, pathway_id=walk_in(counsellor_c, unit_c).pk
        ),
    )
    with translation.override(lang):
        passes, printable = reverse("web:passes"), reverse("web:pass-card", args=[card.pk])
        holder, groups = reverse("web:holder-pass", args=[card.token]), reverse("web:groups")

    for page in logged_in(browser, live_server, counsellor_c):
        for target in (passes, printable):
            page.goto(f"{live_server.url}{target}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(page)
        expect(page.locator(".qr svg")).to_be_visible()

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}{holder}")
    expect(phone.locator(".qr svg")).to_be_visible()
    assert "Virtanen" not in phone.content()
    assert_accessible(phone)
    phone.context.close()

    for page in logged_in(browser, live_server, _login(desk_user)):
        page.goto(f"{live_server.url}{groups}")
        assert_accessible(page)
