"""The desk's check-in page in a real browser (headless Debian Chromium), with axe-core: one tap marks a
visit; marks made offline wait in the browser and are sent once when the connection is back; a queue
sent again counts once; an unknown code is an alert. Without the script the form still marks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from hyte.accounts.models import Membership, UnitRole
from hyte.attendance import services
from hyte.attendance.checkin_views import token_from_scan
from hyte.attendance.models import Pass, PassProgramme, Visit
from hyte.catalog.models import Service
from hyte.referrals.services import ClientData
from tests.accounts.factories import MembershipFactory, UnitRoleFactory, UserFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.web.test_browser import assert_accessible, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "'hyte.checkin.queue.' + document.getElementById('checkin').dataset.user"


def get_queue(page: Page) -> str:
    return str(page.evaluate(f"() => localStorage.getItem({QUEUE})"))


def set_queue(page: Page, value: str) -> None:
    page.evaluate(f"value => localStorage.setItem({QUEUE}, value)", value)


def checkin_url(lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("web:checkin")


@pytest.fixture
def desk() -> dict[str, Any]:
    """A provider with two services the LiiKu pass covers, its front desk, and two passes."""
    provider = OrganizationFactory(name_fi="Kokkolan liikuntapalvelut")
    gym = ServiceFactory(organization=provider, name_en="Gym", name_fi="Kuntosali")
    pool = ServiceFactory(organization=provider, name_en="Swimming hall", name_fi="Uimahalli")
    PassProgramme.objects.get(code="liiku").services.add(gym, pool)
    staff = MembershipFactory(organization=provider, role=Membership.Role.FRONT_DESK).user
    issuer = UnitRoleFactory(role=UnitRole.Role.PROFESSIONAL)
    passes = [
        services.pass_issue(
            actor=issuer.user,
            data=services.PassIssue(
                programme="liiku", unit_id=issuer.unit_id, client=ClientData(first_name=first, last_name=last)
            ),
        )
        for first, last in (("Maija", "Meikäläinen"), ("Matti", "Virtanen"))
    ]
    return {"persona": _login(staff), "gym": gym, "pool": pool, "passes": passes}


def desk_page(browser: Browser, live_server: Any, persona: Persona) -> Iterator[Page]:  # noqa: F811
    client = persona.client  # a verified two-factor session
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Europe/Helsinki")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def mark(page: Page, service: Service, token: str) -> None:
    page.get_by_label("Service").select_option(str(service.pk))
    page.get_by_label("Pass code").fill(token)
    page.get_by_role("button", name="Mark visit").click()


def visits() -> set[tuple[str, Any]]:
    return {(v.pass_card.token, v.service_id) for v in Visit.objects.select_related("pass_card")}


def test_marks_online_offline_and_once(
    browser: Browser,  # noqa: F811
    live_server: Any,
    desk: dict[str, Any],
) -> None:
    gym, pool = desk["gym"], desk["pool"]
    first, second = (card.token for card in desk["passes"])
    Pass.objects.filter(token=second).update(visit_count=19)  # the next visit earns the reward
    for page in desk_page(browser, live_server, desk["persona"]):
        page.goto(f"{live_server.url}{checkin_url()}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mark pass visits")
        expect(page.get_by_label("Pass code")).to_be_focused()
        queue = page.locator("#checkin-queue")
        expect(queue).to_have_text("0 marks waiting to be sent")
        assert_accessible(page)

        # online: one tap, the count at once
        mark(page, gym, first)
        expect(page.locator("#checkin-result")).to_contain_text("Visit marked: 1 visit")
        expect(page.get_by_label("Pass code")).to_have_value("")
        expect(queue).to_have_text("0 marks waiting to be sent")
        assert visits() == {(first, gym.pk)}
        assert_accessible(page)

        # offline: the marks wait in the browser (a link to the pass is read as its token)
        page.context.set_offline(True)
        mark(page, pool, f"https://hyte.example/passi/{first}/")
        mark(page, gym, second)
        expect(queue).to_have_text("2 marks waiting to be sent")
        expect(page.locator("#checkin-result")).to_contain_text("No connection")
        assert Visit.objects.count() == 1
        waiting = get_queue(page)
        assert len(json.loads(waiting)) == 2

        # back online: sent by themselves, each once
        page.context.set_offline(False)
        expect(queue).to_have_text("0 marks waiting to be sent")
        expect(page.locator("#checkin-result")).to_contain_text("2 waiting marks sent.")
        expect(page.locator("#checkin-result")).to_contain_text("Reward earned: Two cinema tickets")
        expected = {(first, gym.pk), (first, pool.pk), (second, gym.pk)}
        assert visits() == expected
        assert Visit.objects.count() == 3

        # the same queue sent again, on reload and from another tab with "Send now" tapped twice: once
        set_queue(page, waiting)
        page.reload()
        expect(queue).to_have_text("0 marks waiting to be sent")
        expect(page.locator("#checkin-result")).to_contain_text("2 waiting marks sent.")
        other = page.context.new_page()
        other.goto(f"{live_server.url}{checkin_url()}")
        set_queue(other, waiting)
        expect(queue).to_have_text("2 marks waiting to be sent")  # told by the other tab
        page.get_by_role("button", name="Send now").click()
        page.get_by_role("button", name="Send now").click(force=True)  # a second tap while sending
        expect(queue).to_have_text("0 marks waiting to be sent")
        other.close()
        assert visits() == expected
        assert Visit.objects.count() == 3
        assert Pass.objects.get(token=first).visit_count == 2
        assert Pass.objects.get(token=second).rewards.count() == 1

        # the same pass at the same service the same day again: refused, and the alert says why
        mark(page, gym, second)
        expect(page.get_by_role("alert")).to_contain_text("already")
        expect(queue).to_have_text("0 marks waiting to be sent")

        # an unknown code: an alert, and nothing stays queued
        mark(page, gym, "no-such-pass")
        expect(page.get_by_role("alert")).to_contain_text("No pass has this code")
        expect(page.locator("#checkin-result")).to_be_empty()
        expect(queue).to_have_text("0 marks waiting to be sent")
        assert_accessible(page)
        assert Visit.objects.count() == 3


def test_a_server_error_keeps_the_mark_and_a_bad_mark_does_not_hold_back_the_rest(
    browser: Browser,  # noqa: F811
    live_server: Any,
    desk: dict[str, Any],
) -> None:
    gym, pool = desk["gym"], desk["pool"]
    first, second = (card.token for card in desk["passes"])
    for page in desk_page(browser, live_server, desk["persona"]):
        page.goto(f"{live_server.url}{checkin_url()}")
        queue = page.locator("#checkin-queue")
        page.route("**/api/v1/checkins/**", lambda route: route.fulfill(status=502, body="Bad gateway"))
        mark(page, gym, first)
        expect(page.get_by_role("alert")).to_contain_text("could not be sent now")
        expect(queue).to_have_text("1 mark waiting to be sent")
        page.get_by_role("button", name="Send now").click()
        expect(page.get_by_role("alert")).to_contain_text("could not be sent now")
        expect(queue).to_have_text("1 mark waiting to be sent")
        assert Visit.objects.count() == 0
        page.unroute("**/api/v1/checkins/**")

        # a malformed mark in the queue spoils the batch: the marks go one by one, only it is refused
        bad = {"token": "x" * 100, "service": str(pool.pk), "key": "bad-mark-0001", "on": "2020-01-01"}
        marks = json.loads(get_queue(page))
        set_queue(page, json.dumps([bad, *marks, {**marks[0], "token": second, "key": "good-mark-0002"}]))
        page.get_by_role("button", name="Send now").click()
        expect(queue).to_have_text("0 marks waiting to be sent")
        expect(page.locator("#checkin-result")).to_contain_text("2 waiting marks sent.")
        expect(page.get_by_role("alert")).to_contain_text("Not marked (code xxxx")
        assert visits() == {(first, gym.pk), (second, gym.pk)}


def test_the_chosen_service_is_remembered(
    browser: Browser,  # noqa: F811
    live_server: Any,
    desk: dict[str, Any],
) -> None:
    for page in desk_page(browser, live_server, desk["persona"]):
        page.goto(f"{live_server.url}{checkin_url()}")
        page.get_by_label("Service").select_option(str(desk["pool"].pk))
        page.reload()
        expect(page.get_by_label("Service")).to_have_value(str(desk["pool"].pk))


def test_staff_without_a_desk_get_403(desk: dict[str, Any]) -> None:
    outsider = _login(UserFactory())
    response = outsider.client.get(checkin_url())
    assert response.status_code == 403
    assert "Only the front desk" in response.content.decode()
    # an issuing professional is not a desk either
    issuer = _login(UnitRoleFactory(role=UnitRole.Role.PROFESSIONAL).user)
    assert issuer.client.get(checkin_url()).status_code == 403


def test_the_form_marks_without_the_script(desk: dict[str, Any]) -> None:
    client = desk["persona"].client
    page = client.get(checkin_url())
    assert page.status_code == 200
    key = page.context["key"]
    data = {"service": str(desk["pool"].pk), "token": desk["passes"][0].token, "key": key}
    response = client.post(checkin_url(), data)
    assert response.status_code == 200
    assert "Visit marked: 1 visit" in response.content.decode()
    again = client.post(checkin_url(), data)  # the same form sent twice
    assert "Visit marked: 1 visit" in again.content.decode()
    assert Visit.objects.count() == 1
    unknown = client.post(checkin_url(), data | {"token": "nope", "key": "another-key-1"})
    assert unknown.status_code == 404
    assert "No pass has this code" in unknown.content.decode()


def test_a_desk_without_covered_services_sees_why(desk: dict[str, Any]) -> None:
    other = _login(
        MembershipFactory(organization=OrganizationFactory(), role=Membership.Role.FRONT_DESK).user
    )
    response = other.client.get(checkin_url())
    assert response.status_code == 200
    assert "None of your organization's services is covered by a pass yet" in response.content.decode()


@pytest.mark.parametrize(
    ("scanned", "token"),
    [
        ("abc123_-XY", "abc123_-XY"),
        ("  abc123  ", "abc123"),
        ("https://hyte.example/passi/abc123/", "abc123"),
        ("https://hyte.example/passi/abc123?x=1", "abc123"),
        ("/", ""),
    ],
)
def test_token_from_scan(scanned: str, token: str) -> None:
    assert token_from_scan(scanned) == token
