"""The public feedback form and the thank-you page in a real browser with axe-core, in Finnish, Swedish
and English, on a phone, without JavaScript: errors first, then an answer; and the worker's QR page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, expect

from hyte.feedback.models import FeedbackAnswer
from tests.feedback.conftest import Team, pathway_link
from tests.referrals.test_browser import logged_in
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_feedback_form_and_thanks_are_accessible_without_javascript(
    browser: Browser,  # noqa: F811
    live_server: Any,
    home: Team,
    lang: str,
) -> None:
    link = pathway_link(home)
    with translation.override(lang):
        form_url = reverse("web:feedback", args=[link.token])
        thanks_url = reverse("web:feedback-thanks")
        link_page = reverse("web:feedback-link", args=[link.pk])

    # axe needs scripts in the page: checked in a normal phone browser, errors first, then an answer.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}{form_url}")
    expect(phone.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(phone)
    box = phone.locator("label.choice").first.bounding_box()
    assert box is not None and box["height"] >= 44  # a large touch target
    phone.locator("form.feedback-form button[type=submit]").click()
    expect(phone.locator(".field-error").first).to_be_visible()
    assert_accessible(phone)
    phone.locator("label.choice").nth(4).click()  # rating 5
    phone.locator("input[name=recommend]").first.check()
    phone.locator("textarea[name=text]").fill("Hyvä palvelu")
    phone.locator("form.feedback-form button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}{thanks_url}")
    assert_accessible(phone)
    phone.goto(f"{live_server.url}{form_url}")
    expect(phone.locator(".notice")).to_be_visible()  # "already received"
    assert_accessible(phone)
    phone.context.close()

    stored = FeedbackAnswer.objects.get()
    assert (stored.rating, stored.recommend, stored.text, stored.language) == (5, "yes", "Hyvä palvelu", lang)

    for page in logged_in(browser, live_server, home.coach):
        page.goto(f"{live_server.url}{link_page}")
        assert_accessible(page)


def test_the_form_works_without_javascript(browser: Browser, live_server: Any, home: Team) -> None:  # noqa: F811
    link = pathway_link(home)
    with translation.override("en"):
        form_url = reverse("web:feedback", args=[link.token])
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{form_url}")
    page.locator("label.choice").nth(2).click()
    page.locator("input[name=recommend]").nth(2).check()
    page.locator("form.feedback-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Thank you for your feedback")
    context.close()
    assert FeedbackAnswer.objects.get().rating == 3
