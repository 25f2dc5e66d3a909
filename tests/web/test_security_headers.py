"""Security headers on pages and API responses; the Content-Security-Policy allows nothing inline."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.catalog.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/", "/palvelut/", "/en/services/", "/api/v1/services/", "/healthz"])
def test_headers_on_pages_and_api(client: Client, path: str) -> None:
    ServiceFactory()
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert "data:" in csp["img-src"]
    assert not any("unsafe" in v for values in csp.values() for v in values)


def test_map_tile_host_is_allowed_for_images(client: Client) -> None:
    csp = _directives(client.get("/")["Content-Security-Policy"])
    assert "https://tile.openstreetmap.org" in csp["img-src"]


def test_api_docs_allow_inline_styles_only(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["script-src"] == ["'self'"]
    assert "<script>" not in response.content.decode()  # the split view: its script is a file


def test_cookies_http_only_and_same_site() -> None:
    from django.conf import settings as s

    assert s.SESSION_COOKIE_HTTPONLY and s.SESSION_COOKIE_SAMESITE == "Lax"
    assert s.CSRF_COOKIE_SAMESITE == "Lax"


def test_no_inline_scripts_styles_or_handlers_in_templates() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hyte"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offenders.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template}: event-handler attribute")
    assert offenders == []
