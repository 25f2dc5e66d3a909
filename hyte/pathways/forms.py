"""Page forms of the pathways: they check the shape of the input; the services check the rules (and the
instruments check the measurements, so a page and the API refuse the same values with the same words)."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit
from hyte.catalog.models import Municipality
from hyte.pathways.instruments import Instrument
from hyte.pathways.licensed import item_label
from hyte.pathways.models import MAX_TEXT, Contact, Goal, Outcome, Pathway, Programme
from hyte.referrals.forms import ClientFields
from hyte.referrals.models import Client

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnrolForm(ClientFields):
    programme: forms.ModelChoiceField[Programme] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(active=True)
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    origin = forms.ChoiceField(
        label=_("The client came by"),
        choices=[c for c in Pathway.Origin.choices if c[0] != Pathway.Origin.REFERRAL],
    )
    track = forms.CharField(
        label=_("Track"), max_length=40, required=False, help_text=_("Lifestyle care only.")
    )
    triage = forms.ChoiceField(
        label=_("Triage"), choices=[("", "–"), *Pathway.Triage.choices], required=False
    )
    enrolled_on = forms.DateField(label=_("Enrolled on"), required=False, widget=DATE)
    next_contact_on = forms.DateField(label=_("Next contact"), required=False, widget=DATE)

    field_order = ["programme", "unit", "origin", *ClientFields.base_fields]

    def __init__(self, *args: Any, units: Any = None, from_referral: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        if from_referral:  # the client comes with the referral
            for name in ("origin", "first_name", "last_name", "personal_identity_code", "phone", "email"):
                del self.fields[name]
            del self.fields["preferred_language"]


class ContactForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=Contact.Kind.choices)
    minutes = forms.IntegerField(label=_("Duration (min)"), min_value=1, max_value=600, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_contact_on = forms.DateField(label=_("Next contact"), required=False, widget=DATE)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [c for c in Contact.Kind.choices if c[0] in kinds]  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    target_on = forms.DateField(label=_("Target date"), required=False, widget=DATE)


class GoalStatusForm(forms.Form):
    goal = forms.UUIDField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Kind.choices)
    started_on = forms.DateField(label=_("Start date"), widget=DATE)
    ended_on = forms.DateField(label=_("End date"), required=False, widget=DATE)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), max_digits=4, decimal_places=1, min_value=0, max_value=80, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=MAX_TEXT, required=False)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [c for c in Outcome.Kind.choices if c[0] in kinds]  # type: ignore[attr-defined]


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New end date"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason for extension"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    closure_reason = forms.ChoiceField(label=_("Why the pathway ends"), choices=Pathway.ClosureReason.choices)
    note = forms.CharField(
        label=_("Closing note"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def measurement_form(instrument: Instrument, programme: Programme, data: Any = None) -> forms.Form:
    """A form with one text input per item of the instrument (numbers are parsed and checked by the
    instrument itself, which accepts the decimal comma), plus date, measurement point and sex when the
    instrument has sex-specific limits."""
    fields: dict[str, forms.Field] = {
        "on": forms.DateField(label=_("Date"), widget=DATE),
    }
    points = [("", "–")] + [
        (str(m), _("%(months)s months") % {"months": m}) for m in programme.measurement_months
    ]
    fields["point_months"] = forms.TypedChoiceField(
        label=_("Measurement point"), choices=points, required=False, coerce=int, empty_value=None
    )
    for item in instrument.items:
        hint = ""
        if item.min is not None and item.max is not None:
            hint = f"{item.min}–{item.max}" + (f" {item.unit}" if item.unit else "")
        mode = "decimal" if item.type == "decimal" else ("numeric" if item.type == "int" else "text")
        fields[f"item__{item.code}"] = forms.CharField(
            label=item_label(instrument, item),
            required=item.required,
            help_text=hint,
            max_length=100,
            widget=forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off"}),
        )
    if instrument.uses_context:
        fields["sex"] = forms.ChoiceField(
            label=_("Sex (for the risk limits)"),
            choices=[("", _("Not given")), ("female", _("Female")), ("male", _("Male"))],
            required=False,
        )
    form_class = type("MeasurementForm", (forms.Form,), fields)
    return form_class(data, prefix="m")  # type: ignore[no-any-return]


# --- the public self-referral form ---

MIN_SECONDS, MAX_SECONDS = 3, 2 * 60 * 60
TOKEN_SALT = "hyte.pathways.self-referral"  # noqa: S105  (a signing namespace, not a secret)


def form_token() -> str:
    return signing.dumps(int(time.time()), salt=TOKEN_SALT)


class SelfReferralForm(forms.Form):
    """No CAPTCHA: a hidden field people leave empty, a signed time stamp (a person takes a few seconds,
    and a stale or copied form is refused) and a limit per address in the service."""

    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Service"), queryset=Unit.objects.filter(receives_self_referrals=True), empty_label=None
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        label=_("Home municipality"), queryset=Municipality.objects.order_by("name_fi"), required=False
    )
    message = forms.CharField(
        label=_("What would you like help with?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    preferred_language = forms.ChoiceField(
        label=_("Language we contact you in"), choices=Client.Language.choices
    )
    website = forms.CharField(label=_("Leave this empty"), required=False)  # the honeypot
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("The form could not be sent. Please try again."), code="bot")
        try:
            stamp = int(signing.loads(data.get("token", ""), salt=TOKEN_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("The form could not be sent. Please try again."), code="token"
            ) from None
        age = time.time() - stamp
        if age < MIN_SECONDS or age > MAX_SECONDS:
            raise forms.ValidationError(
                _("The form has expired or was sent too quickly. Please check it and send it again."),
                code="time",
            )
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give a phone number or an e-mail address."))
        return data
