"""Forms of the data protection page: input shapes only; the rules are in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.catalog.models import Municipality
from hyte.privacy.models import MAX_REASON
from hyte.privacy.services import ErasureReason
from hyte.referrals.forms import ClientFields


class LookupForm(forms.Form):
    personal_identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    client_id = forms.UUIDField(label=_("or the client's id"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("personal_identity_code") and not data.get("client_id"):
            raise forms.ValidationError(_("Give the personal identity code or the client's id."))
        return data


class CorrectionForm(ClientFields):
    """Prefilled with the current values; only the changed ones are sent to the service. The client's
    fields are the referral form's (``referrals.forms.ClientFields``), plus year of birth and municipality."""

    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1850, max_value=2100, required=False)
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the client showed that her name was misspelled."),
    )

    def changes(self, initial: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.fields:
            if name == "reason":
                continue
            value = self.cleaned_data.get(name)
            if name == "municipality":
                value = value.pk if value is not None else ""
            text = "" if value is None else str(value)
            if text != ("" if initial.get(name) is None else str(initial.get(name))):
                out[name] = text
        return out


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=ErasureReason.choices)
    confirm = forms.BooleanField(
        label=_("I have checked the client's identity and that the client's records may be erased.")
    )
