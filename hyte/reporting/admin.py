"""Programme costs and service-use imports in the admin: read-only lists, for platform administrators
(everything) and for coordinators with staff access (their organizations only). Costs are entered and
deleted on the coordinators' page, extracts imported there, so each change is checked and audited in
one place. The imported visit counts themselves are per client and are not in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from hyte.accounts.selectors import is_platform_admin
from hyte.reporting.models import ProgrammeCost, ServiceUseImport
from hyte.reporting.services import coordinator_organization_ids


class CoordinatorReadOnlyMixin:
    """Platform admins see all rows; a coordinator sees the rows of her organizations; nobody edits."""

    def _organization_ids(self, request: HttpRequest) -> frozenset[Any]:
        user = request.user
        if not (user.is_active and user.is_staff):
            return frozenset()
        return coordinator_organization_ids(user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows: QuerySet[Any] = super().get_queryset(request).select_related("organization")  # type: ignore[misc]
        if is_platform_admin(request.user):
            return rows
        return rows.filter(organization_id__in=self._organization_ids(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user) or bool(self._organization_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_platform_admin(request.user):
            return True
        ids = self._organization_ids(request)
        return bool(ids) and (obj is None or obj.organization_id in ids)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProgrammeCost)
class ProgrammeCostAdmin(CoordinatorReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["programme", "organization", "starts_on", "ends_on", "amount", "category", "description"]
    list_filter = ["programme", "category"]
    date_hierarchy = "starts_on"
    search_fields = ["description"]


@admin.register(ServiceUseImport)
class ServiceUseImportAdmin(CoordinatorReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "imported_at",
        "organization",
        "source_name",
        "rows_read",
        "rows_stored",
        "rows_unmatched",
    ]
    date_hierarchy = "imported_at"
