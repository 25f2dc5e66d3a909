"""Staff side of the imports: an organization's calendar feeds (with "import now"), the events they
brought in (read-only: the feed is the source), and the import runs for platform admins."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hyte.accounts.selectors import is_platform_admin
from hyte.catalog import selectors as catalog_selectors
from hyte.catalog.admin import OrganizationScopedMixin, PlatformAdminReadOnlyMixin
from hyte.catalog.models import Event, ICalFeed
from hyte.core.errors import DomainError
from hyte.integrations.ical.selectors import ical_feeds_editable_by
from hyte.integrations.ical.services import ical_feed_import
from hyte.integrations.models import ImportRun


class ICalFeedForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ICalFeed
        fields = ["organization", "url", "service", "language", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, organization = data.get("service"), data.get("organization")
        if service is not None and organization is not None and service.organization_id != organization.pk:
            self.add_error("service", _("The service must belong to the organization of the calendar feed."))
        return data


@admin.register(ICalFeed)
class ICalFeedAdmin(OrganizationScopedMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    form = ICalFeedForm
    list_display = ["url", "organization", "service", "language", "active", "last_fetched_at", "last_error"]
    list_filter = ["active", "language"]
    search_fields = ["url"]
    readonly_fields = ["last_fetched_at", "last_error"]
    actions = ["import_now"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[ICalFeed]:
        return ical_feeds_editable_by(request.user).select_related("organization", "service")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "service":
            kwargs["queryset"] = catalog_selectors.services_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Import the selected feeds now"))
    def import_now(self, request: HttpRequest, queryset: QuerySet[ICalFeed]) -> None:
        done = 0
        for feed in queryset:
            try:
                result = ical_feed_import(actor=request.user, feed=feed)
            except DomainError as exc:
                self.message_user(request, f"{feed.url}: {exc.message}", messages.ERROR)
                continue
            done += 1
            self.message_user(request, f"{feed.url}: {result.summary()}", messages.INFO)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d feed imported.", "%(count)d feeds imported.", done) % {"count": done},
                messages.SUCCESS,
            )


@admin.register(Event)
class EventAdmin(OrganizationScopedMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Events come from calendar feeds and files: staff look, the next import decides."""

    list_display = ["title", "starts_at", "organization", "service", "cancelled", "feed"]
    list_filter = ["cancelled"]
    search_fields = ["title", "uid"]
    date_hierarchy = "starts_at"

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        events = Event.objects.select_related("organization", "service", "feed")
        if is_platform_admin(request.user):
            return events
        return events.filter(organization__in=catalog_selectors.organizations_editable_by(request.user))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(PlatformAdminReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Every run, read-only, for platform admins (staff see theirs at /henkilosto/tuonnit/)."""

    list_display = [
        "started_at",
        "source",
        "organization",
        "status",
        "created",
        "updated",
        "withdrawn",
        "failed",
    ]
    list_filter = ["source", "status"]
