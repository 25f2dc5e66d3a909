"""Whatever a client sends to the search API, it gets a 200 or a coded 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.catalog.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_search_rate_limit(settings: Any) -> None:
    """Hundreds of generated queries from one address: the search rate limit is not under test here."""
    settings.HYTE_RATE_LIMITS = {**settings.HYTE_RATE_LIMITS, "search": "100000/m"}


PARAMS = ["q", "theme", "municipality", "free", "language", "target_group", "accessible", "page", "lang"]
NASTY = st.sampled_from(
    [
        '"',
        "*",
        "OR",
        "NEAR(",
        ":",
        "&",
        "!",
        "%",
        "_",
        "\\",
        "'; DROP TABLE catalog_service; --",
        "😀" * 3,
        "\u202e",
        "  ",
        "0",
        "-1",
        "1e9",
        "null",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "../../etc/passwd",
    ]
)
VALUE = st.one_of(NASTY, st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=30))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(PARAMS), VALUE, max_size=4))
def test_search_never_fails_with_a_server_error(client: Client, params: dict[str, str]) -> None:
    response = client.get("/api/v1/services/", params)
    assert response.status_code in (200, 400), (params, response.content[:300])
    body = response.json()
    if response.status_code == 400:
        assert set(body) == {"code", "message", "details"} and body["message"]
    page = client.get("/palvelut/", params)
    assert page.status_code in (200, 400), params


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service_id=st.text(max_size=80).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_detail_with_any_id_is_400_or_404(client: Client, service_id: str) -> None:
    response = client.get(f"/api/v1/services/{service_id}/")
    assert response.status_code in (400, 404), (service_id, response.status_code)


def test_ten_thousand_character_query_is_a_clear_400(client: Client) -> None:
    ServiceFactory()
    response = client.get("/api/v1/services/", {"q": "jumppa " * 1500})
    assert response.status_code == 400 and response.json()["code"] == "query_too_long"
