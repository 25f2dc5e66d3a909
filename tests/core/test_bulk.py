"""insert_rows/update_rows write what the ORM would write, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hyte.catalog.models import Location, Schedule, Service, ServiceAtLocation
from hyte.core.bulk import insert_rows, update_rows
from hyte.core.ids import new_id
from hyte.core.models import AuditEvent
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_insert_reads_back_through_the_orm() -> None:
    org = OrganizationFactory()
    pk = new_id()
    verified = timezone.now() - timedelta(days=3)
    insert_rows(
        Service,
        [
            {
                "id": pk,
                "external_id": "ptv:x",
                "organization_id": org.pk,
                "name": "Kuntosali",
                "name_fi": "Kuntosali",
                "name_sv": "Gym",
                "free": True,
                "last_verified_at": verified,
            }
        ],
    )
    service = Service.objects.get(pk=pk)
    assert (service.name_fi, service.name_sv, service.free, service.organization) == (
        "Kuntosali",
        "Gym",
        True,
        org,
    )
    assert service.last_verified_at == verified
    assert service.status == Service.Status.ACTIVE  # model default
    assert service.created_at is not None and service.updated_at is not None  # auto_now(_add)
    assert service.description == "" and service.withdrawn_at is None


def test_dates_times_decimals_and_json() -> None:
    location = LocationFactory()
    service = ServiceFactory(organization=location.organization)
    insert_rows(
        Schedule,
        [
            {
                "service_id": service.pk,
                "location_id": location.pk,
                "weekday": 2,
                "opens_at": time(9, 30),
                "closes_at": time(15),
                "valid_from": date(2026, 1, 1),
            }
        ],
    )
    row = Schedule.objects.get(service=service)
    assert (row.weekday, row.opens_at, row.closes_at, row.valid_from) == (
        2,
        time(9, 30),
        time(15),
        date(2026, 1, 1),
    )
    update_rows(
        Location, [{"pk": location.pk, "latitude": Decimal("63.838123"), "longitude": Decimal("23.130456")}]
    )
    location.refresh_from_db()
    assert location.latitude == Decimal("63.838123") and location.longitude == Decimal("23.130456")
    insert_rows(
        AuditEvent, [{"action": "x.y", "object_type": "t", "object_id": "1", "details": {"å": [1, "ö"]}}]
    )
    assert AuditEvent.objects.get(action="x.y").details == {"å": [1, "ö"]}


def test_update_sets_auto_now_and_only_the_given_fields() -> None:
    service = ServiceFactory(name_fi="Vanha", summary_fi="Pysyy")
    before = service.updated_at
    update_rows(Service, [{"pk": service.pk, "name_fi": "Uusi"}])
    service.refresh_from_db()
    assert (service.name_fi, service.summary_fi) == ("Uusi", "Pysyy")
    assert service.updated_at > before


def test_conflicts_fail_unless_ignored() -> None:
    location = LocationFactory()
    service = ServiceFactory(organization=location.organization)
    row = {"service_id": service.pk, "location_id": location.pk}
    insert_rows(ServiceAtLocation, [{"id": new_id(), **row}])
    insert_rows(ServiceAtLocation, [{"id": new_id(), **row}, {"id": new_id(), **row}], ignore_conflicts=True)
    assert ServiceAtLocation.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ServiceAtLocation, [{"id": new_id(), **row}])


def test_nothing_to_write() -> None:
    assert insert_rows(Service, []) == 0
    assert update_rows(Service, []) == 0


def test_new_ids_are_version_7_and_ordered() -> None:
    ids = [new_id() for _ in range(1000)]
    assert all(type(i) is uuid.UUID and i.version == 7 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 1000
