"""Page forms of the referrals: they check the shape of the input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Theme
from hyte.referrals.models import MAX_TEXT, Client, Consent, Referral


class ClientFields(forms.Form):
    """The client's details: the referral form and the pathway enrolment form ask the same."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    personal_identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("For example 131052-308T. Stored encrypted."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Client.Language.choices)

    def client_data(self) -> Any:
        """The cleaned client fields for the services (``ClientData``)."""
        from hyte.referrals.services import ClientData

        d = self.cleaned_data
        fields = ("first_name", "last_name", "personal_identity_code", "email", "phone", "preferred_language")
        return ClientData(**{name: d[name] for name in fields})


class ReferralForm(ClientFields):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(label=_("Kind of referral"), choices=Referral.Kind.choices)
    referring_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Your unit"), queryset=Unit.objects.none()
    )
    receiving_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Receiving unit"), queryset=Unit.objects.none()
    )
    service = forms.UUIDField(widget=forms.HiddenInput, required=False)
    needs: forms.ModelMultipleChoiceField[Theme] = forms.ModelMultipleChoiceField(
        label=_("Needs"),
        queryset=Theme.objects.order_by("order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    goals = forms.CharField(
        label=_("Goals"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    activity_level = forms.ChoiceField(
        label=_("Physical activity now"), choices=Referral.ActivityLevel.choices
    )
    risk_notes = forms.CharField(
        label=_("Risks to note"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    consent_given = forms.BooleanField(
        label=_("The client has consented to this referral"),
        required=True,
        error_messages={"required": _("The referral can be sent only with the client's consent.")},
    )
    consent_given_by = forms.ChoiceField(label=_("Consent given by"), choices=Consent.GivenBy.choices)
    consent_method = forms.ChoiceField(
        label=_("How the consent was recorded"), choices=Consent.Method.choices
    )
    consent_scope = forms.ChoiceField(label=_("Scope of the consent"), choices=Consent.Scope.choices)
    # Shown (in the capacity panel) only when the receiver says it takes no new clients.
    capacity_confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = UnitRole.objects.filter(user__pk=user.pk, role=UnitRole.Role.PROFESSIONAL).values("unit_id")
        mine = Unit.objects.filter(pk__in=own)
        self.fields["referring_unit"].queryset = mine  # type: ignore[attr-defined]
        if len(units := list(mine[:2])) == 1:  # the usual case: one's own unit, chosen already
            self.fields["referring_unit"].initial = units[0].pk
        self.fields["receiving_unit"].queryset = Unit.objects.filter(receives_referrals=True)  # type: ignore[attr-defined]
        # Choosing the receiver refreshes its capacity beside the field (htmx; without JavaScript the
        # capacity of the chosen unit is shown when the form comes back).
        self.fields["receiving_unit"].widget.attrs |= {
            "hx-get": reverse("web:referral-capacity"),
            "hx-trigger": "change",
            "hx-target": "#receiver-capacity",
            "hx-include": "[name='service']",
            "aria-describedby": "receiver-capacity",
        }


class DeclineForm(forms.Form):
    decline_code = forms.ChoiceField(label=_("Why"), choices=Referral.DeclineCode.choices)
    decline_reason = forms.CharField(
        label=_("Reason for declining"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    outcome_summary = forms.CharField(
        label=_("Outcome summary for the referrer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DiscontinueForm(forms.Form):
    end_reason = forms.ChoiceField(label=_("Reason for ending"), choices=Referral.EndReason.choices)
    end_note = forms.CharField(label=_("Note"), max_length=MAX_TEXT, required=False)


class AppointmentForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Time of the appointment"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
