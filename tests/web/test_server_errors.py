"""Django's handler500: a database outage is a 503 with Retry-After (JSON on the API), a bug a 500."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.urls_failing")]


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


def test_the_api_answers_503_in_json_while_the_database_is_unreachable(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/gone/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "code": "service_unavailable",
        "message": "The service is briefly unavailable. Please try again in a moment.",
        "details": {},
    }


def test_an_api_bug_is_a_json_500_without_retry(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/bug/?lang=sv")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert response.json()["message"] == "Ett fel uppstod hos oss. Försök igen senare."
    assert "Retry-After" not in response


@override_settings(LANGUAGE_CODE="fi")
def test_a_page_answers_503_with_a_page_that_needs_no_database(
    anonymous: Client, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = anonymous.get("/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert 'role="alert"' in html and "<h1>" in html


def test_a_page_bug_is_the_ordinary_500_page(anonymous: Client) -> None:
    response = anonymous.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
