"""Forms of the buddy pages: input shapes only; the rules are in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit
from hyte.buddies.models import NOTE_MAX, TAGS_MAX, Buddy, BuddyMeeting, Pairing
from hyte.catalog.models import Municipality, ServiceLanguage, Theme
from hyte.referrals.models import Consent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BuddyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Buddy.Kind.choices)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Coordinating unit"), queryset=Unit.objects.none(), empty_label=None
    )
    languages: forms.ModelMultipleChoiceField[ServiceLanguage] = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=ServiceLanguage.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    interests: forms.ModelMultipleChoiceField[Theme] = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = forms.CharField(
        label=_("Other interests"),
        max_length=TAGS_MAX,
        required=False,
        help_text=_("Separated by commas, e.g. Nordic walking, board games."),
    )
    training_completed_on = forms.DateField(label=_("Training completed"), widget=DATE, required=False)
    available_from = forms.DateField(label=_("Available from"), widget=DATE, required=False)
    available_until = forms.DateField(label=_("Available until"), widget=DATE, required=False)


class BuddyRegisterForm(BuddyForm):
    username = forms.CharField(
        label=_("Username for the buddy's own login"),
        max_length=150,
        help_text=_("The buddy logs in with this and a password shown once after saving."),
    )

    field_order = ["username"]


class MatchForm(forms.Form):
    language: forms.ModelChoiceField[ServiceLanguage] = forms.ModelChoiceField(
        label=_("Language"), queryset=ServiceLanguage.objects.all(), required=False, to_field_name="code"
    )
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    theme: forms.ModelMultipleChoiceField[Theme] = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class PairingForm(forms.Form):
    buddy = forms.ChoiceField(label=_("Buddy"))
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE)
    shared_phone = forms.CharField(label=_("Phone the client agreed to share"), max_length=40, required=False)
    shared_email = forms.EmailField(label=_("E-mail the client agreed to share"), required=False)
    consent_given_by = forms.ChoiceField(label=_("Consent given by"), choices=Consent.GivenBy.choices)
    consent_method = forms.ChoiceField(label=_("How the consent was given"), choices=Consent.Method.choices)
    consent = forms.BooleanField(
        label=_(
            "The client agreed that the buddy sees their first name and the contact details above, "
            "and nothing else."
        )
    )
    pathway = forms.UUIDField(widget=forms.HiddenInput, required=False)
    referral = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, buddies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buddy"].choices = buddies  # type: ignore[attr-defined]


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Pairing.EndReason.choices)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)
    cancel = forms.BooleanField(label=_("Cancel: the pairing never really started"), required=False)


class MeetingForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    activity = forms.ChoiceField(label=_("Activity"), choices=BuddyMeeting.Activity.choices)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=600, required=False
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("No health details: only what you did, e.g. “walked the river path”."),
    )


class NewMeetingForm(MeetingForm):
    pairing = forms.ChoiceField(label=_("With whom"))

    field_order = ["pairing"]

    def __init__(self, *args: Any, pairings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pairing"].choices = pairings  # type: ignore[attr-defined]
