"""Shared personas and fixtures.

Personas: ``editor_a`` and ``colleague_a`` edit organization A, ``editor_b`` edits organization B,
``platform_admin`` is a superuser, ``outsider`` is a staff user with no organization, and the
plain ``client`` fixture is an anonymous visitor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hyte.attendance.models import PassProgramme
from hyte.attendance.programmes import load_pass_programmes
from hyte.catalog import codelists, models
from hyte.catalog.models import Organization
from hyte.pathways.models import Programme
from hyte.pathways.programmes import load_programmes
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.catalog.factories import OrganizationFactory


def load_codelists() -> None:
    codelists.load_all(
        SimpleNamespace(
            County=models.WellbeingServicesCounty,
            Municipality=models.Municipality,
            ServiceClass=models.ServiceClass,
            TargetGroup=models.TargetGroup,
            ServiceLanguage=models.ServiceLanguage,
            Theme=models.Theme,
        )
    )


@pytest.fixture(autouse=True)
def _codelists(request: pytest.FixtureRequest) -> None:
    """Code lists come from a data migration; transactional tests flush them, so put them back."""
    names = set(request.fixturenames)
    transactional = bool({"transactional_db", "live_server"} & names)
    if not transactional and "db" not in names and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not models.Theme.objects.exists():
        load_codelists()
    if not Programme.objects.exists():
        load_programmes(Programme)
    if not PassProgramme.objects.exists():
        load_pass_programmes(PassProgramme)


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language. A test client request activates its page's language in
    the test's thread (LocaleMiddleware) and nothing deactivates it, so without this a test after one
    that fetched an /en/ page would run in English: an order-dependent result."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with empty rate-limit counters (all tests come from 127.0.0.1)."""
    from django.core.cache import caches

    caches["ratelimit"].clear()


@dataclass
class Persona:
    user: AbstractUser
    client: Client


def _login(user: AbstractUser) -> Persona:
    """A logged-in client with a verified two-factor session (a confirmed TOTP device)."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return Persona(user=user, client=client)


@pytest.fixture
def org_a(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kokkolan kaupunki", org_type=Organization.Type.MUNICIPALITY)


@pytest.fixture
def org_b(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kannuksen Latu ry", org_type=Organization.Type.ASSOCIATION)


@pytest.fixture
def editor_a(org_a: Organization) -> Persona:
    return _login(MembershipFactory(organization=org_a, user__username="editor_a").user)


@pytest.fixture
def colleague_a(org_a: Organization) -> Persona:
    return _login(MembershipFactory(organization=org_a, user__username="colleague_a").user)


@pytest.fixture
def editor_b(org_b: Organization) -> Persona:
    return _login(MembershipFactory(organization=org_b, user__username="editor_b").user)


@pytest.fixture
def outsider(db: None) -> Persona:
    return _login(UserFactory(username="outsider"))


@pytest.fixture
def platform_admin(db: None) -> Persona:
    return _login(UserFactory(username="platform_admin", is_superuser=True))
