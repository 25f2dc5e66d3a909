"""Recording import runs (PTV, HSDS, iCalendar) so staff can see what came in and what was skipped.

A run is started before anything is read and finished afterwards, outside the import's own transaction,
so a run that fails still leaves its row behind.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hyte.integrations.models import ImportRun

MAX_ERRORS_KEPT = 1000


def import_run_start(
    *,
    source: str,
    location: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    organization_id: Any = None,
    options: dict[str, Any] | None = None,
) -> ImportRun:
    return ImportRun.objects.create(
        source=source,
        location=location[:500],
        organization_id=organization_id,
        options=options or {},
        started_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )


def import_run_finish(
    run: ImportRun,
    *,
    created: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    withdrawn: int = 0,
    errors: list[dict[str, str]] | None = None,
    failure: str = "",
) -> ImportRun:
    """Counts and errors (``[{id, reason}]``) of a finished run; ``failure`` for a run that stopped."""
    errors = errors or []
    run.created, run.updated, run.unchanged, run.withdrawn = created, updated, unchanged, withdrawn
    run.failed = len(errors)
    run.errors = errors[:MAX_ERRORS_KEPT]
    run.message = failure[:1000]
    if failure:
        run.status = ImportRun.Status.FAILED
    else:
        run.status = ImportRun.Status.PARTIAL if errors else ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return run
