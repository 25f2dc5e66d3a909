"""Pass programmes in the admin, for platform administrators: which tray services a pass covers, how
long it is valid, who issues it, the reward rule and the usage obligation. Passes, visits and meetings
are handled on the staff pages (scoped and logged), not here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hyte.accounts.models import UnitRole
from hyte.accounts.selectors import is_platform_admin
from hyte.attendance.models import PassProgramme
from hyte.core.audit import audit_record


class PassProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PassProgramme
        fields = [
            "code",
            "name",
            "description",
            "services",
            "valid_days",
            "issuer_roles",
            "reward_every",
            "reward_text",
            "min_visits_per_month",
            "grace_days",
            "active",
        ]

    def clean_issuer_roles(self) -> list[str]:
        value = self.cleaned_data.get("issuer_roles") or []
        allowed = {UnitRole.Role.PROFESSIONAL, UnitRole.Role.RECEIVER}
        if not isinstance(value, list) or not value or not all(v in allowed for v in value):
            raise forms.ValidationError(_("Give a list of roles: professional, receiver."))
        return value


@admin.register(PassProgramme)
class PassProgrammeAdmin(TranslationAdmin):  # type: ignore[type-arg]
    form = PassProgrammeForm
    list_display = ["code", "name", "valid_days", "reward_every", "min_visits_per_month", "active"]
    filter_horizontal = ["services"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # passes refer to it; switch it off with "active"

    def save_model(self, request: HttpRequest, obj: PassProgramme, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="pass_programme.update" if change else "pass_programme.create",
            obj=obj,
            details={"fields": sorted(form.changed_data)},
        )
