"""The access matrix's world, built once per module (see ``world.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def security_world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    """Seeded once per module inside a transaction that is rolled back afterwards; every test then runs
    in a savepoint of it (pytest-django's ``db`` fixture nests its atomic blocks), so a test's writes
    never reach the next test and the seed costs once, not once per test."""
    from hyte.attendance.models import PassProgramme
    from hyte.attendance.programmes import load_pass_programmes
    from hyte.catalog import models as catalog
    from hyte.pathways.models import Programme
    from hyte.pathways.programmes import load_programmes
    from tests.conftest import load_codelists

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # Transactional tests earlier in the session may have flushed the data migrations' rows.
            if not catalog.Theme.objects.exists():
                load_codelists()
            if not Programme.objects.exists():
                load_programmes(Programme)
            if not PassProgramme.objects.exists():
                load_pass_programmes(PassProgramme)
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
