"""Staff forms of the catalog: the capacity of a service or a receiving unit.

The numbers are text inputs on purpose: ``catalog.capacity.clean_capacity`` checks them once for the
pages, the API and the services, and its coded errors are put on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.catalog.capacity import NOTE_MAX, CapacityBase, TakesNewClients


class CapacityForm(forms.Form):
    takes_new_clients = forms.ChoiceField(
        label=_("Takes new clients"),
        choices=[
            (TakesNewClients.YES, _("Yes")),
            (TakesNewClients.NO, _("No, not now")),
            (TakesNewClients.NOT_STATED, _("Not stated")),
        ],
        widget=forms.RadioSelect,
        initial=TakesNewClients.NOT_STATED,
    )
    waiting_weeks = forms.CharField(
        label=_("Waiting time in weeks"),
        required=False,
        max_length=20,
        help_text=_(
            "About how many weeks a new client waits to start, 0–104. Leave empty if you do not know."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "autocomplete": "off"}),
    )
    free_places = forms.CharField(
        label=_("Free places"),
        required=False,
        max_length=20,
        help_text=_("How many new clients fit in now, 0–9999. Leave empty if not counted."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5, "autocomplete": "off"}),
    )
    note_fi = forms.CharField(label=_("Note in Finnish"), required=False, max_length=NOTE_MAX)
    note_sv = forms.CharField(label=_("Note in Swedish"), required=False, max_length=NOTE_MAX)
    note_en = forms.CharField(label=_("Note in English"), required=False, max_length=NOTE_MAX)

    @classmethod
    def for_record(cls, record: CapacityBase | None) -> CapacityForm:
        if record is None:
            return cls()
        initial: dict[str, Any] = {
            "takes_new_clients": record.takes_new_clients,
            "waiting_weeks": "" if record.waiting_weeks is None else record.waiting_weeks,
            "free_places": "" if record.free_places is None else record.free_places,
        }
        for lang in ("fi", "sv", "en"):
            initial[f"note_{lang}"] = getattr(record, f"note_{lang}", "") or ""
        return cls(initial=initial)

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "takes_new_clients": d["takes_new_clients"],
            "waiting_weeks": d["waiting_weeks"],
            "free_places": d["free_places"],
            "note": {lang: d[f"note_{lang}"] for lang in ("fi", "sv", "en")},
        }
