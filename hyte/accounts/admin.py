from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.accounts.selectors import is_platform_admin
from hyte.accounts.services import unit_ids_administered_by, unit_role_delete, unit_role_save
from hyte.catalog.capacity_admin import capacity_display


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["organization"]
    search_fields = ["user__username", "organization__name_fi"]


@admin.register(Unit)
class UnitAdmin(TranslationAdmin):  # type: ignore[type-arg]
    """Platform admins keep the units; a unit admin sees and edits her own units' contact details."""

    list_display = [
        "name",
        "organization",
        "kind",
        "receives_referrals",
        "receives_self_referrals",
        "first_contact_days",
    ]
    list_filter = ["kind", "receives_referrals"]
    search_fields = ["name_fi", "name_sv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        units = super().get_queryset(request).select_related("organization")
        if is_platform_admin(request.user):
            return units
        return units.filter(pk__in=unit_ids_administered_by(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if is_platform_admin(request.user):
            return ["capacity_summary"]
        return ["organization", "kind", "receives_referrals", "capacity_summary"]

    @admin.display(description=_("Capacity"))
    def capacity_summary(self, obj: Unit) -> Any:
        return capacity_display(obj, "web:unit-capacity")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user) or bool(unit_ids_administered_by(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user) or (
            bool(unit_ids_administered_by(request.user))
            and (obj is None or obj.pk in unit_ids_administered_by(request.user))
        )

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)


@admin.register(UnitRole)
class UnitRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Roles in units: a unit admin grants and revokes roles only in the units she administers (audited)."""

    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name_fi"]

    def _units(self, request: HttpRequest) -> set[object]:
        return unit_ids_administered_by(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitRole]:
        roles = super().get_queryset(request).select_related("user", "unit")
        return roles if is_platform_admin(request.user) else roles.filter(unit_id__in=self._units(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "unit" and not is_platform_admin(request.user):
            kwargs["queryset"] = Unit.objects.filter(pk__in=list(self._units(request)))  # type: ignore[misc]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_platform_admin(request.user):
            return True
        units = self._units(request)
        return bool(units) and (obj is None or obj.unit_id in units)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def save_model(self, request: HttpRequest, obj: UnitRole, form: Any, change: bool) -> None:
        unit_role_save(actor=request.user, role=obj, created=not change)

    def delete_model(self, request: HttpRequest, obj: UnitRole) -> None:
        unit_role_delete(actor=request.user, role=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[UnitRole]) -> None:
        for role in queryset:
            unit_role_delete(actor=request.user, role=role)
