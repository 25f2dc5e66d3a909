"""The demo tray file itself: loads cleanly, twice, and covers what the issue asks for."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hyte.accounts.models import Membership
from hyte.catalog.models import Service, Theme

pytestmark = pytest.mark.django_db

KESKI_POHJANMAA = ["074", "217", "236", "272", "421", "584", "849", "924"]


@pytest.fixture
def seeded() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--no-activity", stdout=out)  # the activity has its own test
    return out.getvalue()


def test_demo_covers_region_themes_and_languages(seeded: str) -> None:
    services = Service.objects.all()
    assert services.count() >= 150
    for code in KESKI_POHJANMAA:
        assert services.filter(municipalities__code=code).count() >= 8, code
    for theme in Theme.objects.all():
        assert services.filter(themes=theme).count() >= 10, theme.slug
    for service in services:
        for lang in ("fi", "sv", "en"):
            assert getattr(service, f"name_{lang}"), (service.external_id, lang)
            assert getattr(service, f"summary_{lang}"), (service.external_id, lang)
        assert service.external_id.startswith("demo:")
    assert services.filter(free=True).exists() and services.filter(free=False).exists()
    assert services.filter(schedules__isnull=False).distinct().count() >= 75
    assert services.filter(plain_summary_fi__gt="").exists()
    assert {o for o in services.values_list("organization__org_type", flat=True)} >= {
        "county",
        "municipality",
        "association",
        "parish",
    }


def test_demo_has_stale_and_fresh_listings(seeded: str) -> None:
    stale = [s for s in Service.objects.all() if s.is_stale]
    assert 0 < len(stale) < Service.objects.count() / 2


def test_seed_is_idempotent_and_prints_logins(seeded: str) -> None:
    before = (Service.objects.count(), Membership.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--no-activity", stdout=out)  # the activity has its own test
    assert (Service.objects.count(), Membership.objects.count()) == before
    assert "admin / hyte-demo-2026" in out.getvalue()
    assert "kokkola.editor" in out.getvalue()
