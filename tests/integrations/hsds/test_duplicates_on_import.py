"""The HSDS import records likely duplicates of local listings for staff, without blocking anything."""

from __future__ import annotations

import pytest

from hyte.catalog.models import DuplicateCandidate, Service, ServiceAtLocation
from hyte.integrations.hsds.importer import import_hsds
from hyte.integrations.models import ImportRun
from tests.catalog.factories import ServiceFactory
from tests.integrations.hsds.test_import import OFFICIAL_JSON, SERVICE_ID

pytestmark = pytest.mark.django_db


def test_import_records_duplicates_of_local_listings() -> None:
    import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
    imported = Service.objects.get(external_id=f"hsds:{SERVICE_ID}")
    local = ServiceFactory(
        organization=imported.organization, name_fi="", name_sv="", name_en="Community counselling"
    )
    for link in imported.service_at_locations.all():
        ServiceAtLocation.objects.create(service=local, location=link.location)
    import_hsds(OFFICIAL_JSON, lang="en", default_municipality="272")
    run = ImportRun.objects.filter(source="hsds").first()
    assert run is not None and run.options["duplicates"] == 1
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.first_id, candidate.second_id} == {local.pk, imported.pk}
    imported.refresh_from_db()
    assert imported.status == Service.Status.ACTIVE
