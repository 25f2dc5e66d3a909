"""Licensed wording comes only from the deployment's own file; without it, item numbers only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from hyte.accounts.models import Unit
from hyte.pathways import licensed
from hyte.pathways.forms import measurement_form
from hyte.pathways.instruments import get_instrument
from hyte.pathways.models import Programme
from tests.conftest import Persona
from tests.pathways.conftest import walk_in

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    licensed._load.cache_clear()
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps({"swemwbs": {"item_1": {"fi": "Testiteksti yksi", "en": "Test text one"}}}))
    return path


@pytest.mark.django_db
def test_item_numbers_only_without_the_file() -> None:
    with translation.override("en"):
        form = measurement_form(get_instrument("swemwbs"), Programme.objects.get(code="exercise_counselling"))
        assert form.fields["item__item_1"].label == "Item 1"


@pytest.mark.django_db
def test_the_deployments_texts_are_shown(texts: Path, counsellor_c: Persona, unit_c: Unit) -> None:
    with override_settings(HYTE_LICENSED_TEXTS_FILE=str(texts)):
        pathway = walk_in(counsellor_c, unit_c)
        page = counsellor_c.client.get(reverse("web:pathway", args=[pathway.pk]), {"instrument": "swemwbs"})
        assert "Testiteksti yksi" in page.content.decode()
        with translation.override("sv"):  # no Swedish text in the file: the item number only
            form = measurement_form(get_instrument("swemwbs"), pathway.programme)
            assert "Test" not in str(form.fields["item__item_1"].label)
        body = counsellor_c.client.get("/api/v1/instruments/?lang=en").json()
        swemwbs = next(i for i in body if i["code"] == "swemwbs")
        assert swemwbs["items"][0]["text"] == "Test text one" and "text" not in swemwbs["items"][1]
    licensed._load.cache_clear()


def test_a_broken_file_is_no_text(tmp_path: Path) -> None:
    licensed._load.cache_clear()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with override_settings(HYTE_LICENSED_TEXTS_FILE=str(broken)):
        assert licensed.licensed_text("swemwbs", "item_1", "fi") is None
    licensed._load.cache_clear()


def test_no_licensed_wording_in_the_repository() -> None:
    """A guard: no JSON file of licensed texts committed next to the code."""
    for path in (REPOSITORY / "hyte").rglob("*.json"):
        data = path.read_text(encoding="utf-8", errors="ignore")
        assert '"swemwbs"' not in data or "item_1" not in data, path
