"""The PTV import records likely duplicates of local listings for staff, without blocking anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyte.catalog.models import DuplicateCandidate, Service
from hyte.integrations.ptv.client import FileSource
from hyte.integrations.ptv.services import ptv_import
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.integrations.ptv.test_ptv_import import POOL, kokkola_dir  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_import_records_duplicates_of_local_listings(kokkola_dir: Path) -> None:  # noqa: F811
    org = OrganizationFactory(
        external_id="ptv:0a0a0a0a-0000-4000-8000-000000000272", name_fi="Kokkolan kaupunki"
    )
    local = ServiceFactory(organization=org, name_fi="Uimahalli")  # no location, as PTV's pool
    ServiceFactory(organization=org, name_fi="Kirjasto")
    ServiceFactory(name_fi="Uimahalli")  # another organization
    run = ptv_import(actor=None, source=FileSource(kokkola_dir))
    pool = Service.objects.get(external_id=f"ptv:{POOL}")
    assert pool.status == Service.Status.ACTIVE  # nothing blocked
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.first_id, candidate.second_id} == {local.pk, pool.pk}
    assert candidate.found_by == "import" and candidate.import_run == run.pk
    assert run.options["duplicates"] == 1
    # A second identical run writes nothing and finds nothing new.
    again = ptv_import(actor=None, source=FileSource(kokkola_dir))
    assert again.options["duplicates"] == 0
    assert DuplicateCandidate.objects.count() == 1
