"""The demo's fresh-listings data (``catalog/demo/freshness.py``): listings due for a reminder, one
stale, and one listing entered twice that the duplicate scan finds; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from hyte.accounts.models import Membership
from hyte.catalog.demo.freshness import AGES, COPY, seed_freshness
from hyte.catalog.freshness import due_for_reminder
from hyte.catalog.models import DuplicateCandidate, Service, ServiceAtLocation
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_demo_freshness_is_made_once() -> None:
    kokkola = OrganizationFactory(external_id="demo:kunta-272")
    place = LocationFactory(organization=kokkola)
    names = ("Aikuisten opinto-ohjaus", "Kuntosali", "Nuorisotila", "Taidekoulu", "Uimahalli")
    services = [ServiceFactory(organization=kokkola, name_fi=name) for name in names]
    ServiceAtLocation.objects.create(service=services[0], location=place)
    MembershipFactory(organization=kokkola, user__username="kokkola.editor", role=Membership.Role.EDITOR)

    assert seed_freshness(StringIO()) == 1
    copy = Service.objects.get(external_id=COPY)
    assert copy.name_fi == "Aikuisten opinto-ohjaus" and copy.locations.get() == place
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {services[0].pk, copy.pk}
    assert pair.status == DuplicateCandidate.Status.OPEN
    now = timezone.now()
    for service, days in zip(services[1:], AGES, strict=False):
        service.refresh_from_db()
        assert abs(now - timedelta(days=days) - service.last_verified_at) < timedelta(minutes=1)
    assert set(due_for_reminder()) == {*services[1:4], copy}

    before = (Service.objects.count(), DuplicateCandidate.objects.count())
    assert seed_freshness(StringIO()) == 0
    assert (Service.objects.count(), DuplicateCandidate.objects.count()) == before


def test_demo_freshness_needs_the_demo_organization_and_editor() -> None:
    out = StringIO()
    assert seed_freshness(out) == 0
    assert "skipped" in out.getvalue() and not Service.objects.exists()
