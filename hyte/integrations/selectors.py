from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from hyte.accounts.selectors import is_platform_admin, organization_ids_for_user
from hyte.integrations.models import ImportRun


def import_runs(*, actor: AbstractBaseUser | AnonymousUser, limit: int = 50) -> QuerySet[ImportRun]:
    """The latest import runs the actor may see: platform-wide ones (PTV, HSDS) and those of the
    actor's own organizations (calendar feeds); a platform admin sees all. Runs hold record ids and
    reasons, never personal data."""
    runs = ImportRun.objects.select_related("organization").order_by("-started_at", "-id")
    if not is_platform_admin(actor):
        runs = runs.filter(
            Q(organization__isnull=True) | Q(organization_id__in=organization_ids_for_user(actor))
        )
    return runs[:limit]
