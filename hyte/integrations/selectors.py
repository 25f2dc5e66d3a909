from __future__ import annotations

from django.db.models import QuerySet

from hyte.integrations.models import ImportRun


def import_runs(*, limit: int = 50) -> QuerySet[ImportRun]:
    """The latest import runs. They hold record ids and reasons, never personal data."""
    return ImportRun.objects.order_by("-started_at", "-id")[:limit]
