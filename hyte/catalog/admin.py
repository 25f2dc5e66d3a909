"""Staff side: an organization's own staff edit only their organization's services and locations.

Permissions come from accounts.Membership (not from Django's per-model permissions): a staff user
with a membership may view and edit the objects of that organization and nothing else. Platform
admins (superusers) see everything. Every save goes through catalog.services with an audit entry.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from hyte.accounts.selectors import is_platform_admin, organization_ids_for_user
from hyte.catalog import selectors
from hyte.catalog.capacity_admin import capacity_display
from hyte.catalog.models import (
    Contact,
    Location,
    Municipality,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClass,
    ServiceLanguage,
    TargetGroup,
    Theme,
    WellbeingServicesCounty,
)
from hyte.catalog.services import catalog_object_delete, catalog_object_save
from hyte.core.audit import audit_record


def _org_id(obj: Any) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj.pk
    return getattr(obj, "organization_id", None)


class OrganizationScopedMixin:
    """Scope an admin to the acting user's organizations (via selectors), with audited writes."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scoped_queryset(request)  # type: ignore[no-any-return]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def _member(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active and request.user.is_staff and organization_ids_for_user(request.user)
        )

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        if is_platform_admin(request.user):
            return True
        if not self._member(request):
            return False
        return obj is None or _org_id(obj) in organization_ids_for_user(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user) or self._member(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = selectors.organizations_editable_by(request.user)
        elif db_field.name == "location":
            kwargs["queryset"] = selectors.locations_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        catalog_object_save(
            actor=request.user, obj=obj, created=not change, changed_fields=list(form.changed_data)
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        catalog_object_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            catalog_object_delete(actor=request.user, obj=obj)


class ScopedInlineMixin:
    """Inlines follow their parent's permission; location choices are limited to the user's own."""

    def _parent_ok(self, request: HttpRequest, obj: Any) -> bool:
        if is_platform_admin(request.user):
            return True
        return obj is None or _org_id(obj) in organization_ids_for_user(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_ok(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_ok(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_ok(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_ok(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "location":
            kwargs["queryset"] = selectors.locations_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ServiceAtLocationInline(ScopedInlineMixin, admin.TabularInline):
    model = ServiceAtLocation
    extra = 0


class ScheduleInline(ScopedInlineMixin, TranslationTabularInline):
    model = Schedule
    extra = 0


class PhoneInline(ScopedInlineMixin, TranslationTabularInline):
    model = Phone
    extra = 0


class ContactInline(ScopedInlineMixin, TranslationTabularInline):
    model = Contact
    extra = 0


class StaleFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Not verified for 12 months"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.stale_services_for_user(request.user).values("pk"))
        return queryset


_LOCATION_FIELD = re.compile(r"service_at_locations-(\d+)-location")


class ServiceAdminForm(forms.ModelForm):
    """Warns of likely duplicates (same organization, similar name, same address) before saving; staff
    may save anyway by confirming that the listing is a different service (the pair is then remembered
    as "not a duplicate")."""

    not_a_duplicate = forms.BooleanField(
        label=_("I have checked the possible duplicates: this is a different service."),
        required=False,
    )
    request: HttpRequest | None = None

    def _locations(self, organization: Organization) -> list[Location]:
        """The locations chosen in the form's location rows (not yet saved)."""
        data = self.request.POST if self.request is not None else {}
        ids = []
        for key, value in data.items():
            match = _LOCATION_FIELD.fullmatch(key)
            if match and value and not data.get(f"service_at_locations-{match[1]}-DELETE"):
                ids.append(value)
        try:
            return list(Location.objects.filter(organization=organization, pk__in=ids))
        except (ValidationError, ValueError):  # a malformed id: the inline form reports it
            return []

    def clean(self) -> dict[str, Any]:
        from hyte.catalog.duplicates import LANGS, duplicates_of, listing_of

        cleaned = super().clean() or {}
        organization = cleaned.get("organization")
        self.possible_duplicates: list[tuple[Service, float]] = []
        if organization is None or self.errors:
            return cleaned
        listing = listing_of(
            organization_id=organization.pk,
            names={lang: cleaned.get(f"name_{lang}") or "" for lang in LANGS},
            locations=self._locations(organization),
            pk=self.instance.pk,
        )
        self.possible_duplicates = duplicates_of(listing)
        if self.possible_duplicates and not cleaned.get("not_a_duplicate"):
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:catalog_service_change", args=[s.pk]), s.name)
                    for s, _score in self.possible_duplicates
                ),
            )
            raise ValidationError(
                format_html(
                    "{} {} {}",
                    _("This organization already has a listing like this at the same address:"),
                    links,
                    _(
                        "If it is the same service, edit that listing instead. If this is a different "
                        "service, tick the box below and save again."
                    ),
                ),
                code="possible_duplicate",
            )
        return cleaned


@admin.register(Service)
class ServiceAdmin(OrganizationScopedMixin, TranslationAdmin):
    form = ServiceAdminForm
    list_display = ["name", "organization", "status", "free", "last_verified_at"]
    list_filter = [StaleFilter, "status", "free", "themes"]
    search_fields = ["name_fi", "name_sv", "name_en", "external_id"]
    filter_horizontal = ["themes", "service_classes", "target_groups", "municipalities", "languages"]
    readonly_fields = ["external_id", "merged_into", "created_at", "updated_at", "capacity_summary"]
    inlines = [ServiceAtLocationInline, ScheduleInline, PhoneInline, ContactInline]
    list_select_related = ["organization"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.services_editable_by(request.user)

    @admin.display(description=_("Capacity"))
    def capacity_summary(self, obj: Service) -> Any:
        return capacity_display(obj, "web:service-capacity")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]  # a class made for this request
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        confirmed = getattr(form, "possible_duplicates", None)
        if confirmed and form.cleaned_data.get("not_a_duplicate"):
            from hyte.catalog.duplicates import ordered, record_candidates
            from hyte.catalog.models import DuplicateCandidate

            record_candidates(
                [(*ordered(obj.pk, other.pk), score) for other, score in confirmed],
                found_by=DuplicateCandidate.FoundBy.ENTRY,
                status=DuplicateCandidate.Status.DISMISSED,
                decided_by=request.user,
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            catalog_object_delete(actor=request.user, obj=obj)
        for obj in instances:
            catalog_object_save(actor=request.user, obj=obj, created=obj._state.adding, changed_fields=[])
        formset.save_m2m()


@admin.register(Location)
class LocationAdmin(OrganizationScopedMixin, TranslationAdmin):
    list_display = ["name", "organization", "municipality", "step_free_access"]
    list_filter = ["municipality", "step_free_access"]
    search_fields = ["name_fi", "name_sv", "street_address_fi"]
    readonly_fields = ["external_id"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.locations_editable_by(request.user)


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedMixin, TranslationAdmin):
    list_display = ["name", "org_type", "municipality"]
    list_filter = ["org_type"]
    search_fields = ["name_fi", "name_sv", "name_en"]
    readonly_fields = ["external_id"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.organizations_editable_by(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_platform_admin(request.user)  # new organizations come from PTV or a platform admin

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)


class PlatformAdminReadOnlyMixin:
    """Only platform admins look, and nobody edits here (the data comes from elsewhere)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CodeListAdmin(PlatformAdminReadOnlyMixin, TranslationAdmin):
    """Code lists are loaded from Suomi.fi files; only platform admins look at them here."""

    search_fields = ["code", "name_fi"]


for model in (WellbeingServicesCounty, Municipality, ServiceClass, TargetGroup, ServiceLanguage):
    admin.site.register(model, CodeListAdmin)


@admin.register(Theme)
class ThemeAdmin(CodeListAdmin):
    search_fields = ["slug", "name_fi"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)


class PlatformConfigurationMixin:
    """Configuration kept as data (programmes, pass programmes): platform admins add and change it,
    nobody deletes it (records refer to it; switch it off instead), and every save is audited as
    ``<audit_prefix>.create`` or ``.update`` with the changed fields."""

    audit_prefix = "configuration"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        audit_record(
            actor=request.user,
            action=f"{self.audit_prefix}.update" if change else f"{self.audit_prefix}.create",
            obj=obj,
            details={"fields": sorted(form.changed_data)},
        )
