"""Security headers on pages and API responses; the Content-Security-Policy allows nothing inline."""

from __future__ import annotations

from pathlib import Path

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


def _production_env(**extra: str) -> dict[str, str]:
    import os

    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYTE_", "DATABASE_URL", "EMAIL_"))}
    env.update(
        HYTE_PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY="a-long-test-secret-that-is-not-used-anywhere-else-0123456789-abcdefghij",
        HYTE_PERSONAL_DATA_KEYS=Fernet.generate_key().decode(),
        HYTE_LOOKUP_KEY="a-test-lookup-key-0123456789",
        ALLOWED_HOSTS="hyte.example.fi",
        EMAIL_HOST="smtp.example.fi",
        DJANGO_SETTINGS_MODULE="hyte.config.settings",
    )
    env.update(extra)
    return env


def _run_in_production(code: str, **extra: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=Path(__file__).resolve().parents[2],
        env=_production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_production_settings_pass_the_deployment_checks() -> None:
    # Every warning of `check --deploy` is an error here: HSTS with subdomains, the https redirect,
    # secure cookies, RFC 9700 OAuth settings, a real mail server. Only the preload warning is silenced.
    out = _run_in_production(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING'); print('ok')"
    )
    assert out.strip().endswith("ok")


def test_production_settings_without_a_mail_server_fail_the_deployment_checks() -> None:
    import subprocess
    import sys

    env = _production_env()
    del env["EMAIL_HOST"]
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "mail.E001" in done.stderr


def test_production_redirects_to_https_but_not_the_health_check(tmp_path: Path) -> None:
    out = _run_in_production(
        "from django.test import Client; "
        "c = Client(HTTP_HOST='hyte.example.fi', raise_request_exception=False); "
        "r = c.get('/palvelut/?q=x'); print(r.status_code, r['Location']); "
        "print(c.get('/api/schema/', HTTP_X_FORWARDED_PROTO='https').status_code); "
        "print(c.get('/healthz').status_code); "
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_REDIRECT_EXEMPT)",
        HYTE_VAR_DIR=str(tmp_path),
    )
    lines = out.splitlines()
    assert lines[0] == "301 https://hyte.example.fi/palvelut/?q=x"
    assert lines[1] == "200"  # behind the proxy, which says the request came over https
    assert lines[2] == "503"  # not redirected: answered (this empty database has no migrations applied)
    assert lines[3] == "31536000 True True True ['^healthz$']"


def test_a_tile_url_with_subdomains_allows_every_subdomain_for_images() -> None:
    out = _run_in_production(
        "from django.conf import settings as s; print(' '.join(s.SECURE_CSP['img-src']))",
        HYTE_MAP_TILE_URL="https://{s}.tile.example.fi/{z}/{x}/{y}.png",
    )
    assert out.split() == ["'self'", "data:", "https://*.tile.example.fi"]
