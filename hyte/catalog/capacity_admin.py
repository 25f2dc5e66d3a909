"""The admin shows a service's or unit's capacity read-only: it is updated on the staff capacity pages
(``web:capacity``), whose service checks the values and writes the audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

CAPACITY_FIELDS = ["takes_new_clients", "waiting_weeks", "free_places", "note", "updated_at", "updated_by"]


class ReadOnlyCapacityInline(admin.StackedInline):  # type: ignore[type-arg]
    fields = tuple(CAPACITY_FIELDS)
    readonly_fields = tuple(CAPACITY_FIELDS)
    extra = 0
    max_num = 1
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the parent admin scopes which objects are shown at all

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
