"""The API's shared parts: malformed bodies are a coded 400 everywhere, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Persona
from tests.referrals.conftest import pro_a, unit_a  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000, "{not json", "\x00"])
@pytest.mark.parametrize("path", ["/api/v1/self-referrals/", "/api/v1/referrals/", "/api/v1/pathways/"])
def test_malformed_json_is_a_parse_error(
    client: Any,
    pro_a: Persona,  # noqa: F811
    body: str,
    path: str,
) -> None:
    who = client if path == "/api/v1/self-referrals/" else pro_a.client
    response = who.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["code"] == "parse_error"
