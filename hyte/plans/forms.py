"""Page forms of the client plans: they check the shape of the input; the services check the rules, so
a page and the API refuse the same values with the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit
from hyte.catalog.models import Theme
from hyte.plans.models import MAX_MINUTES_PER_WEEK, MAX_NOTE, ActivityLevel, IncomeSupportGrant, PlanItem
from hyte.referrals.forms import ClientFields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DatesForm(forms.Form):
    assessed_on = forms.DateField(label=_("Service need assessed on"), widget=DATE)
    plan_made_on = forms.DateField(label=_("Plan made on"), required=False, widget=DATE)
    review_by = forms.DateField(label=_("Review by"), required=False, widget=DATE)


class NewPlanForm(ClientFields, DatesForm):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    field_order = ["unit", *ClientFields.base_fields, *DatesForm.base_fields]

    def __init__(self, *args: Any, units: Any = None, known_client: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        if known_client:  # the client comes from the referral, pathway or plan the worker came from
            for name in ClientFields.base_fields:
                del self.fields[name]


class ActivityForm(forms.Form):
    activity_level = forms.ChoiceField(label=_("Current physical activity"), choices=ActivityLevel.choices)
    minutes_per_week = forms.IntegerField(
        label=_("Minutes of activity a week"), min_value=0, max_value=MAX_MINUTES_PER_WEEK, required=False
    )
    participation = forms.CharField(
        label=_("Current participation"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Hobbies, groups, culture, community: what the client does now."),
    )
    wish_themes: forms.ModelMultipleChoiceField[Theme] = forms.ModelMultipleChoiceField(
        label=_("Would like to try"),
        queryset=Theme.objects.order_by("order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    wishes = forms.CharField(
        label=_("What the client would like to try, in her words"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StepForm(forms.Form):
    text = forms.CharField(label=_("Agreed step"), max_length=500)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanItem.Kind.choices, widget=forms.HiddenInput)
    service = forms.UUIDField(required=False, widget=forms.HiddenInput)
    event = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Name of the group"), max_length=200, required=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    times = forms.CharField(
        label=_("Times"), max_length=300, required=False, help_text=_("For example: Tuesdays 10–12.")
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Not printed on the client's plan."),
    )


class GrantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of income support"), choices=IncomeSupportGrant.Kind.choices)
    amount = forms.CharField(
        label=_("Amount (€)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("For example 45,50."),
    )
    period_from = forms.DateField(label=_("Period from"), widget=DATE)
    period_to = forms.DateField(label=_("Period to"), widget=DATE)
    purpose = forms.ChoiceField(label=_("What for"), choices=IncomeSupportGrant.Purpose.choices)
    purpose_text = forms.CharField(
        label=_("What for, in words"), max_length=200, required=False, help_text=_("Needed for “Other”.")
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=DATE)
