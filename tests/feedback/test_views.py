"""The feedback pages: the public form (bad token, bad input, once per link, once per device, expiry,
languages, CSRF), the staff's link and QR pages and buttons, and the coordinators' comments page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from hyte.attendance.models import Meeting
from hyte.catalog.models import Service
from hyte.core.models import AuditEvent
from hyte.feedback import services
from hyte.feedback.models import FeedbackAnswer, FeedbackLink
from tests.conftest import Persona
from tests.feedback.conftest import Team, closed_pathway, completed_referral, enrol, pathway_link

pytestmark = pytest.mark.django_db
GOOD = {"rating": "4", "recommend": "yes", "text": "Kiitos avusta"}


def url(link: FeedbackLink, lang: str = "fi") -> str:
    with translation.override(lang):
        return reverse("web:feedback", args=[link.token])


def test_an_unknown_token_is_the_not_found_page(client: Client) -> None:
    for token in ("a" * 22, "short", "x" * 40):
        with translation.override("en"):
            response = client.get(reverse("web:feedback", args=[token]))
        assert response.status_code == 404
        assert "This feedback link does not work" in response.content.decode()


def test_the_form_is_shown_in_the_language_of_the_address(client: Client, home: Team) -> None:
    link = pathway_link(home)
    response = client.get(url(link, "en"))
    body = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in body
    assert "csrfmiddlewaretoken" in body and 'type="radio"' in body and "<legend>" in body
    assert body.count('name="rating"') == 5 and body.count('name="recommend"') == 3
    assert "Ville" not in body and "Virtanen" not in body  # nothing about the client


def test_missing_and_bad_answers_show_the_form_again_with_errors(client: Client, home: Team) -> None:
    link = pathway_link(home)
    for data in (
        {},
        {"rating": "9", "recommend": "yes"},
        {"rating": "3", "recommend": "perhaps"},
        {"rating": "3", "recommend": "yes", "text": "x" * 1001},
    ):
        with translation.override("en"):
            response = client.post(url(link, "en"), data)
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.content.decode()
    assert not FeedbackAnswer.objects.exists()
    body = client.post(url(link, "en"), {}).content.decode()
    assert (
        "Choose a rating from 1 to 5." in body and "Choose whether you would recommend the service." in body
    )


def test_an_answer_is_stored_once_and_the_second_is_told_kindly(client: Client, home: Team) -> None:
    link = pathway_link(home)
    response = client.post(url(link, "sv"), GOOD)
    with translation.override("sv"):
        assert response.status_code == 302 and response["Location"] == reverse("web:feedback-thanks")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    stored = FeedbackAnswer.objects.get()
    assert (stored.rating, stored.recommend, stored.text, stored.language) == (
        4,
        "yes",
        "Kiitos avusta",
        "sv",
    )
    again = Client().post(url(link, "en"), GOOD | {"rating": "1"})
    assert again.status_code == 409 and "already been received" in again.content.decode()
    reopened = Client().get(url(link, "en"))
    assert "already been received" in reopened.content.decode()
    assert FeedbackAnswer.objects.count() == 1


def test_an_expired_link_says_so(client: Client, home: Team) -> None:
    link = pathway_link(home)
    FeedbackLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    for response in (client.get(url(link, "en")), client.post(url(link, "en"), GOOD)):
        assert response.status_code == 410 and "expired" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_the_form_needs_the_csrf_token(home: Team) -> None:
    link = pathway_link(home)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url(link), GOOD).status_code == 403
    page = browser.get(url(link))
    token = page.context["csrf_token"]
    assert browser.post(url(link), GOOD | {"csrfmiddlewaretoken": str(token)}).status_code == 302


def test_a_meeting_qr_takes_one_answer_per_browser(desk: Persona, group_meeting: Meeting) -> None:
    link = services.link_for_meeting(actor=desk.user, meeting_id=group_meeting.pk)
    first = Client()
    page = first.get(url(link))
    assert page.status_code == 200 and "hyte_feedback" in page.cookies
    assert first.post(url(link), GOOD).status_code == 302
    assert first.get(url(link)).status_code == 409
    assert first.post(url(link), GOOD).status_code == 409
    second = Client()
    second.get(url(link))
    assert second.post(url(link), GOOD).status_code == 302
    # A browser without cookies: the nonce of the form it was shown.
    bare = Client()
    nonce = bare.get(url(link)).context["form"].initial["nonce"]
    bare.cookies.clear()
    assert bare.post(url(link), GOOD | {"nonce": nonce}).status_code == 302
    bare.cookies.clear()
    assert bare.post(url(link), GOOD | {"nonce": nonce}).status_code == 409
    assert FeedbackAnswer.objects.filter(about="meeting").count() == 3


# --- staff ---


def test_a_worker_makes_the_link_of_a_closed_pathway_and_sees_its_qr_code(home: Team, away: Team) -> None:
    pathway = closed_pathway(home)
    detail = home.coach.client.get(reverse("web:pathway", args=[pathway.pk]))
    assert reverse("web:feedback-link-new") in detail.content.decode()
    response = home.coach.client.post(reverse("web:feedback-link-new"), {"pathway": str(pathway.pk)})
    link = FeedbackLink.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:feedback-link", args=[link.pk]
    )
    page = home.coach.client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and link.token in body
    assert away.coach.client.get(response["Location"]).status_code == 404
    assert (
        away.coach.client.post(reverse("web:feedback-link-new"), {"pathway": str(pathway.pk)}).status_code
        == 404
    )
    assert FeedbackLink.objects.count() == 1


def test_no_link_for_an_open_pathway_or_nothing_chosen(home: Team) -> None:
    pathway = enrol(home)
    detail = home.coach.client.get(reverse("web:pathway", args=[pathway.pk]))
    assert reverse("web:feedback-link-new") not in detail.content.decode()
    assert (
        home.coach.client.post(reverse("web:feedback-link-new"), {"pathway": str(pathway.pk)}).status_code
        == 409
    )
    assert home.coach.client.post(reverse("web:feedback-link-new"), {}).status_code == 400
    assert home.coach.client.get(reverse("web:feedback-link-new")).status_code == 405


def test_the_referral_page_offers_the_link_when_completed(home: Team, pro_a: Persona) -> None:
    referral = completed_referral(pro_a, home)
    assert (
        reverse("web:feedback-link-new")
        in home.coach.client.get(reverse("web:referral", args=[referral.pk])).content.decode()
    )
    assert (
        reverse("web:feedback-link-new")
        not in pro_a.client.get(reverse("web:referral", args=[referral.pk])).content.decode()
    )
    response = home.coach.client.post(reverse("web:feedback-link-new"), {"referral": str(referral.pk)})
    assert response.status_code == 302


def test_the_groups_page_makes_a_meeting_qr_code(desk: Persona, group_meeting: Meeting) -> None:
    page = desk.client.get(reverse("web:groups"))
    assert reverse("web:feedback-link-new") in page.content.decode()
    response = desk.client.post(
        reverse("web:feedback-link-new"), {"meeting": str(group_meeting.pk), "language": "sv"}
    )
    link = FeedbackLink.objects.get()
    assert response.status_code == 302 and link.language == "sv" and link.max_answers == 12
    body = desk.client.get(response["Location"]).content.decode()
    with translation.override("sv"):
        assert reverse("web:feedback", args=[link.token]) in body


# --- coordinators' comments ---


def test_a_coordinator_hides_a_comment(home: Team, away: Team, walking_group: Service) -> None:
    from tests.feedback.test_report import add

    add(home, 5, 4, text="Kommentti")
    page = home.coordinator.client.get(reverse("web:feedback-comments"))
    assert page.status_code == 200 and "Kommentti 0" in page.content.decode()
    target = FeedbackAnswer.objects.get(text="Kommentti 0")
    assert (
        away.coordinator.client.post(
            reverse("web:feedback-comments"), {"answer": str(target.pk), "hide": "1"}
        ).status_code
        == 404
    )
    response = home.coordinator.client.post(
        reverse("web:feedback-comments"), {"answer": str(target.pk), "hide": "1"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.text_hidden
    assert AuditEvent.objects.filter(action="feedback_comment_hide", object_id=str(target.pk)).exists()
    report = home.coordinator.client.get(reverse("web:report", args=["feedback"])).content.decode()
    assert "Kommentti 0" not in report and "Kommentti 1" in report
    assert home.coach.client.get(reverse("web:feedback-comments")).status_code == 404
    assert home.coordinator.client.get(reverse("web:feedback-comments"), {"since": "bad"}).status_code == 400
