"""Pass programmes in the admin, for platform administrators: which tray services a pass covers, how
long it is valid, who issues it, the reward rule and the usage obligation. Passes, visits and meetings
are handled on the staff pages (scoped and logged), not here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hyte.accounts.models import UnitRole
from hyte.attendance.models import PassProgramme
from hyte.catalog.admin import PlatformConfigurationMixin


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
class PassProgrammeAdmin(PlatformConfigurationMixin, TranslationAdmin):  # type: ignore[type-arg]
    form = PassProgrammeForm
    list_display = ["code", "name", "valid_days", "reward_every", "min_visits_per_month", "active"]
    filter_horizontal = ["services"]
    audit_prefix = "pass_programme"
