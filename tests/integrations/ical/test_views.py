"""The public .ics feed of a service and the link to it on the service page."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from hyte.catalog.models import Location, Service
from tests.catalog.factories import ScheduleFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def ics_url(service_id: object, language: str) -> str:
    with translation.override(language):
        return reverse("web:service-ics", args=[service_id])


@pytest.fixture
def weekly(jumppa: Service, uimahalli: Location) -> Service:
    ScheduleFactory(
        service=jumppa,
        location=uimahalli,
        weekday=4,
        opens_at=time(17, 0),
        closes_at=time(18, 0),
        valid_from=date(2026, 1, 1),
        valid_to=None,
    )
    return jumppa


@pytest.mark.parametrize(
    ("language", "summary", "filename"),
    [
        ("fi", "Ikäihmisten jumppa", "ikaihmisten-jumppa.ics"),
        ("sv", "Gympa för seniorer", "gympa-for-seniorer.ics"),
        ("en", "Seniors' gym", "seniors-gym.ics"),
    ],
)
def test_the_feed_in_the_language_of_the_url(
    client: Client, weekly: Service, language: str, summary: str, filename: str
) -> None:
    url = ics_url(weekly.pk, language)
    assert url.startswith({"fi": "/", "sv": "/sv/", "en": "/en/"}[language])
    assert url.startswith(("/sv/", "/en/")) == (language != "fi")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.events
    assert str(event["SUMMARY"]) == summary
    assert event["RRULE"]["BYDAY"] == ["TH"]
    assert event.start.isoweekday() == 4 and event.start.hour == 17
    with translation.override(language):
        page = reverse("web:service", args=[weekly.pk])
    assert str(event["URL"]) == f"http://testserver{page}"


def test_a_service_without_times_has_an_empty_calendar(client: Client, jumppa: Service) -> None:
    response = client.get(ics_url(jumppa.pk, "fi"))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert calendar.events == [] and [tz.tz_name for tz in calendar.timezones] == ["Europe/Helsinki"]


def test_unknown_and_inactive_services_are_not_found(client: Client) -> None:
    assert client.get(ics_url(uuid.uuid4(), "fi")).status_code == 404
    inactive = ServiceFactory(status=Service.Status.INACTIVE)
    ScheduleFactory(service=inactive)
    response = client.get(ics_url(inactive.pk, "en"))
    assert response.status_code == 404
    assert "No such service." in response.content.decode()


def test_only_get(client: Client, weekly: Service) -> None:
    assert client.post(ics_url(weekly.pk, "fi")).status_code == 405


def test_the_service_page_links_to_the_feed(client: Client, weekly: Service) -> None:
    with translation.override("en"):
        page = reverse("web:service", args=[weekly.pk])
    html = client.get(page).content.decode()
    assert f'href="{ics_url(weekly.pk, "en")}"' in html
    assert "Add to calendar (.ics)" in html


def test_no_link_without_weekly_times(client: Client, jumppa: Service) -> None:
    with translation.override("en"):
        page = reverse("web:service", args=[jumppa.pk])
    html = client.get(page).content.decode()
    assert ics_url(jumppa.pk, "en") not in html
