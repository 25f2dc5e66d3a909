"""Rate limits: the request after the limit within the window gets 429 (a translated page, or the coded
JSON error on the API), other addresses are not affected, and the proxy's X-Forwarded-For names the
client. No sleeping: the limits are set low for the test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def low_limits(settings: Any) -> None:
    settings.HYTE_RATE_LIMITS = {
        name: f"{LIMIT}/h" for name in ("login", "self_referral", "search", "feedback")
    }
    caches["ratelimit"].clear()


def _url(name: str, *args: Any) -> str:
    with translation.override("fi"):
        return reverse(name, args=args)


ENDPOINTS = [
    ("post", lambda: _url("web:login"), {"username": "someone", "password": "wrong"}),
    ("post", lambda: _url("web:self-referral"), {"name": "x"}),
    ("post", lambda: _url("web:feedback", "unknown-token"), {"answer": "x"}),
    ("get", lambda: _url("web:search"), {"q": "kunto"}),
]


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS)
def test_the_request_after_the_limit_gets_429(method: str, url: Any, data: dict[str, str]) -> None:
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(LIMIT):
        assert getattr(client, method)(url(), data).status_code != 429
    response = getattr(client, method)(url(), data)
    assert response.status_code == 429
    assert (
        "Liian monta pyyntöä" in response.content.decode() or "Too many requests" in response.content.decode()
    )
    other = Client(REMOTE_ADDR="192.0.2.11")
    other_data = {**data, "username": "another"} if "username" in data else data  # login: per username too
    assert getattr(other, method)(url(), other_data).status_code != 429


def test_api_search_answers_with_the_coded_error() -> None:
    client = Client(REMOTE_ADDR="192.0.2.20")
    for _ in range(LIMIT):
        assert client.get("/api/v1/services/", {"q": "kunto"}).status_code == 200
    response = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Client(REMOTE_ADDR="192.0.2.21").get("/api/v1/services/").status_code == 200


def test_gets_of_forms_are_not_counted() -> None:
    client = Client(REMOTE_ADDR="192.0.2.30")
    for _ in range(LIMIT + 2):
        assert client.get(_url("web:login")).status_code == 200


def test_login_is_limited_per_username_across_addresses() -> None:
    data = {"username": "Maija", "password": "wrong"}
    for i in range(LIMIT):
        assert Client(REMOTE_ADDR=f"192.0.2.{40 + i}").post(_url("web:login"), data).status_code != 429
    assert (
        Client(REMOTE_ADDR="192.0.2.99").post(_url("web:login"), {**data, "username": "maija"}).status_code
        == 429
    )
    other_user = {"username": "matti", "password": "wrong"}
    assert Client(REMOTE_ADDR="192.0.2.98").post(_url("web:login"), other_user).status_code != 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings: Any) -> None:
    settings.HYTE_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT):
        assert proxy.get(_url("web:search"), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert proxy.get(_url("web:search"), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert proxy.get(_url("web:search"), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
