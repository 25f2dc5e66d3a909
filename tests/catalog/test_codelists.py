from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hyte.catalog.models import Municipality, ServiceClass, TargetGroup, Theme, WellbeingServicesCounty

pytestmark = pytest.mark.django_db

KESKI_POHJANMAA = {"074", "217", "236", "272", "421", "584", "849", "924"}


def test_municipalities_and_counties_from_suomi_fi() -> None:
    assert Municipality.objects.count() == 309
    assert WellbeingServicesCounty.objects.count() == 23
    kokkola = Municipality.objects.get(code="272")
    assert (kokkola.name_fi, kokkola.name_sv, kokkola.county_id) == ("Kokkola", "Karleby", "18")
    assert set(Municipality.objects.filter(county_id="18").values_list("code", flat=True)) == KESKI_POHJANMAA


def test_service_classes_and_target_groups_form_trees() -> None:
    assert ServiceClass.objects.count() == 228
    gym = ServiceClass.objects.get(code="P27.1")
    assert gym.parent_id == "P27" and gym.name_en == "Sports and exercise"
    assert TargetGroup.objects.get(code="KR1.1").parent_id == "KR1"


def test_eight_themes_each_mapped_to_service_classes() -> None:
    themes = list(Theme.objects.order_by("order"))
    assert len(themes) == 8
    for theme in themes:
        assert theme.name_fi and theme.name_sv and theme.name_en, theme.slug
        assert theme.service_classes.exists(), theme.slug
    assert set(Theme.objects.get(slug="kulttuuri").service_classes.values_list("code", flat=True)) >= {
        "P25.1"
    }


def test_loading_again_changes_nothing() -> None:
    out = io.StringIO()
    call_command("load_codelists", stdout=out)
    assert "municipalities: 309" in out.getvalue()
    assert Municipality.objects.count() == 309 and Theme.objects.count() == 8
