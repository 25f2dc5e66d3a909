"""Every personal-data URL tried as every persona (``matrix.py``), and a check that no URL pattern is
left undecided."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.security import matrix
from tests.security.world import ANONYMOUS, PERSONAS, World

pytestmark = pytest.mark.django_db


def url_patterns() -> Iterator[tuple[str, str | None]]:
    """(route, name) of every URL pattern the project serves, includes walked (Finnish routes)."""

    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
    ) -> Iterator[tuple[str, str | None]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                yield prefix + str(pattern.pattern), name

    with translation.override("fi"):
        yield from walk(get_resolver().url_patterns, "", None)


def undecided(patterns: list[tuple[str, str | None]]) -> list[str]:
    """The patterns that are neither in the matrix nor listed as public or non-personal."""
    in_matrix = {row.name for row in matrix.MATRIX}
    left = []
    for route, name in patterns:
        if name is None:
            if not route.startswith(tuple(matrix.PUBLIC_UNNAMED_PREFIXES)):
                left.append(route)
            continue
        if name in in_matrix or name in matrix.PUBLIC or route.startswith(tuple(matrix.PUBLIC_PREFIXES)):
            continue
        if name.startswith("admin:"):
            model, _, action = name.removeprefix("admin:").rpartition("_")
            if action in matrix.ADMIN_MODEL_ACTIONS and (
                model in matrix.ADMIN_MODELS or model in matrix.NON_PERSONAL_ADMIN_MODELS
            ):
                continue
        left.append(name)
    return left


def test_every_url_pattern_is_decided() -> None:
    patterns = list(url_patterns())
    assert len(patterns) > 300  # the walk reached the includes (API, pages, HSDS, admin)
    assert undecided(patterns) == []


def test_a_new_url_pattern_is_caught() -> None:
    patterns = [*url_patterns(), ("api/v1/clients/<str:pk>/", "api:client-detail"), ("x/", None)]
    assert undecided(patterns) == ["api:client-detail", "x/"]


def test_the_matrix_names_only_existing_patterns() -> None:
    names = {name for _, name in url_patterns()}
    assert sorted({row.name for row in matrix.MATRIX} - names) == []
    assert sorted(set(matrix.PUBLIC) - names) == []


# --- the matrix ---

CASES = [
    pytest.param(row, method, persona, id=f"{row.name}-{method}-{persona}")
    for row in matrix.MATRIX
    for method in row.methods
    for persona in PERSONAS
]


def outcome(response: HttpResponse, method: str) -> str:
    code = response.status_code
    if code in (301, 302, 303):
        target = response.headers.get("Location", "")
        # otp_required sends to the second-factor page, which sends anonymous users on to the login.
        logins = (reverse("web:login"), reverse("web:login-verify"), reverse("admin:login"))
        return (
            matrix.LOGIN
            if target.split("?")[0] in logins
            else (matrix.PASS if method != "GET" else matrix.REDIRECT)
        )
    if code in (401, 403):
        return matrix.DENIED
    if code == 404:
        return matrix.NOT_FOUND
    if method == "GET":
        return matrix.OK if code == 200 else str(code)
    if code in (200, 201, 204, 400, 409, 422):
        return matrix.PASS
    return str(code)


def request(client: Client, method: str, url: str, row: matrix.Row, world: World) -> HttpResponse:
    body = row.body(world)
    if method == "GET":
        return client.get(url)
    if row.multipart:
        return client.post(url, body)
    if url.startswith("/api/"):
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.generic(method, url, urlencode(body), content_type="application/x-www-form-urlencoded")


def leaks(response: HttpResponse, persona: str, world: World, row: matrix.Row | None = None) -> list[str]:
    """The world's identifying strings in the answer that this persona may not see."""
    if response.status_code != 200 or response.streaming:
        return []
    if "spreadsheetml" in response.headers.get("Content-Type", ""):
        return []  # compressed; the same report's CSV and page are searched
    text = response.content.decode("utf-8", errors="replace")
    revealed = row.reveals(world) if row else {}
    return sorted(
        secret
        for secret, allowed in matrix.secrets(world).items()
        if persona not in (*allowed, *revealed.get(secret, ())) and secret in text
    )


def unknown(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same URL arguments naming objects that do not exist."""
    return {
        key: uuid.uuid4() if isinstance(value, uuid.UUID) else 2**31 - 1 if isinstance(value, int) else value
        for key, value in kwargs.items()
    }


def client_for(world: World, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


@pytest.mark.parametrize(("row", "method", "persona"), CASES)
def test_access(security_world: World, row: matrix.Row, method: str, persona: str, db: Any) -> None:
    caches["default"].clear()  # DRF's throttles and the holder's page count in the default cache
    kwargs = row.kwargs(security_world)
    url = reverse(row.name, kwargs=kwargs) + row.query(security_world)
    response = request(client_for(security_world, persona), method, url, row, security_world)
    expected = row.methods[method][persona]
    got = outcome(response, method)
    if got == matrix.PASS and response.status_code == 400 and expected == matrix.INVALID:
        got = matrix.INVALID
    if dump := os.environ.get("HYTE_ACCESS_MATRIX_DUMP"):  # what everyone got, to write a new row from
        with open(dump, "a", encoding="utf-8") as out:
            out.write(
                f"{row.name}\t{method}\t{persona}\t{got}\t{expected}\t{response.status_code}\t"
                f"{response.headers.get('Location', '')}\n"
            )
    assert got == expected, (
        f"{method} {url} as {persona}: {response.status_code} {response.headers.get('Location', '')}"
    )
    assert leaks(response, persona, security_world, row) == []
    if expected == matrix.INVALID:
        # Refused for its body before any look-up: an object that does not exist gets the same answer.
        url = reverse(row.name, kwargs=unknown(kwargs)) + row.query(security_world)
        again = request(client_for(security_world, persona), method, url, row, security_world)
        assert (again.status_code, again.content) == (response.status_code, response.content)
