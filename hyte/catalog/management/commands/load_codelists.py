"""python manage.py load_codelists: refresh Suomi.fi code lists and themes from the shipped files."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from hyte.catalog import codelists, models


class Command(BaseCommand):
    help = (
        "Load or refresh municipalities, counties, PTV service classes, target groups, languages and themes."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        counts = codelists.load_all(
            SimpleNamespace(
                County=models.WellbeingServicesCounty,
                Municipality=models.Municipality,
                ServiceClass=models.ServiceClass,
                TargetGroup=models.TargetGroup,
                ServiceLanguage=models.ServiceLanguage,
                Theme=models.Theme,
            )
        )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
