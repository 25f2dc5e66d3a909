"""Page forms of reporting: they check the shape of the input; the services check the rules, so the pages
and the API refuse the same values with the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.catalog.models import Organization
from hyte.pathways.models import Programme
from hyte.reporting.models import ProgrammeCost
from hyte.reporting.services import MAX_AMOUNT, MAX_DESCRIPTION

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _OrganizationChoice(forms.Form):
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()  # type: ignore[attr-defined]
        if organizations is not None and len(organizations) == 1:
            field.initial = organizations[0].pk


class ServiceUseImportForm(_OrganizationChoice):
    file = forms.FileField(
        label=_("Extract (CSV)"),
        help_text=_(
            "Columns pseudonym, month (YYYY-MM), visit_type and count, separated by commas or semicolons, "
            "with the header on the first line."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ProgrammeCostForm(_OrganizationChoice):
    programme: forms.ModelChoiceField[Programme] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all()
    )
    starts_on = forms.DateField(label=_("Period start"), widget=DATE)
    ends_on = forms.DateField(label=_("Period end"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=10,
        decimal_places=2,
        localize=True,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=ProgrammeCost.Category.choices, initial=ProgrammeCost.Category.OTHER
    )
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION, required=False)
