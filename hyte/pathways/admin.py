"""Programmes in the admin, for platform administrators: a county adapts a programme's rules (duration,
measurement points, instruments, outcomes) without code. Pathways themselves hold personal data and are
not in the admin; they are handled on the staff pages, scoped and logged."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from hyte.catalog.admin import PlatformConfigurationMixin
from hyte.pathways import instruments
from hyte.pathways.models import PROGRAMME_FIELDS, Contact, Outcome, Programme


class ProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Programme
        fields = [*PROGRAMME_FIELDS, "active"]

    def _codes(self, field: str, allowed: set[str]) -> list[str]:
        value = self.cleaned_data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
            raise forms.ValidationError(
                _("Give a list of these codes: %(codes)s") % {"codes": ", ".join(sorted(allowed))}
            )
        return value

    def clean_instruments(self) -> list[str]:
        return self._codes("instruments", set(instruments.INSTRUMENTS))

    def clean_outcome_kinds(self) -> list[str]:
        return self._codes("outcome_kinds", set(Outcome.Kind.values))

    def clean_contact_kinds(self) -> list[str]:
        return self._codes("contact_kinds", set(Contact.Kind.values))

    def clean_measurement_months(self) -> list[int]:
        value = self.cleaned_data.get("measurement_months") or []
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120 for v in value
        ):
            raise forms.ValidationError(_("Give a list of whole months from 0 to 120, e.g. [0, 3, 6, 12]."))
        return sorted(set(value))

    def clean_tracks(self) -> list[str]:
        value = self.cleaned_data.get("tracks") or []
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 40 for v in value):
            raise forms.ValidationError(_("Give a list of short codes."))
        return value


@admin.register(Programme)
class ProgrammeAdmin(PlatformConfigurationMixin, TranslationAdmin):  # type: ignore[type-arg]
    form = ProgrammeForm
    list_display = ["code", "name", "max_days", "triage", "walk_in", "active"]
    audit_prefix = "programme"
