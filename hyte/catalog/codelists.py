"""Load the Suomi.fi code lists (shipped under catalog/data/codelists) and the curated themes.

Functions take the model classes as arguments so a data migration can pass its historical models.
Loading is idempotent: codes are upserted, never duplicated.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CODELISTS = DATA_DIR / "codelists"
LANGS = ("fi", "sv", "en")


def _labels(pref: dict[str, str]) -> dict[str, str]:
    fi = pref.get("fi") or pref.get("en") or pref.get("sv") or ""
    return {f"name_{lang}": (pref.get(lang) or fi) for lang in LANGS} | {"name": fi}


def _json(name: str) -> Any:
    return json.loads((CODELISTS / name).read_text(encoding="utf-8"))


def _parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def load_counties(County: Any) -> int:
    data = _json("hyvinvointialue_wellbeing_services_counties.json")
    for item in data["codes"]:
        County.objects.update_or_create(code=item["codeValue"], defaults=_labels(item["prefLabel"]))
    return len(data["codes"])


def load_municipalities(Municipality: Any, County: Any) -> int:
    county_of: dict[str, str] = {}
    with (CODELISTS / "municipality_to_wellbeing_services_county_2022.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter=";"):
            if len(row) >= 3 and row[0].startswith("'"):
                county_of[row[0].strip("'")] = row[2].strip("'")
    counties = {c.code: c for c in County.objects.all()}
    data = _json("kunta_municipalities_2023.json")["results"]
    for item in data:
        code = item["codeValue"]
        Municipality.objects.update_or_create(
            code=code, defaults=_labels(item["prefLabel"]) | {"county": counties.get(county_of.get(code, ""))}
        )
    return len(data)


def _load_tree(Model: Any, items: list[dict[str, Any]]) -> int:
    for item in sorted(items, key=lambda i: i["codeValue"].count(".")):
        code = item["codeValue"]
        parent = _parent_code(code)
        Model.objects.update_or_create(
            code=code, defaults=_labels(item["prefLabel"]) | {"parent_id": parent if parent else None}
        )
    return len(items)


def load_service_classes(ServiceClass: Any) -> int:
    return _load_tree(ServiceClass, _json("ptvserclass2_service_classes_2023.json")["results"])


def load_target_groups(TargetGroup: Any) -> int:
    return _load_tree(TargetGroup, _json("ptvkohderyhmat_target_groups.json")["codes"])


def load_languages(ServiceLanguage: Any) -> int:
    items = json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))
    for item in items:
        ServiceLanguage.objects.update_or_create(
            code=item["code"], defaults=_labels(item["name"]) | {"order": item["order"]}
        )
    return len(items)


def load_themes(Theme: Any, ServiceClass: Any) -> int:
    items = json.loads((DATA_DIR / "themes.json").read_text(encoding="utf-8"))
    for item in items:
        defaults = _labels(item["name"]) | {
            "order": item["order"],
            "icon": item["icon"],
            "description": item["description"]["fi"],
            **{f"description_{lang}": item["description"][lang] for lang in LANGS},
        }
        theme, _ = Theme.objects.update_or_create(slug=item["slug"], defaults=defaults)
        theme.service_classes.set(ServiceClass.objects.filter(code__in=item["service_classes"]))
    return len(items)


def load_all(models: Any) -> dict[str, int]:
    """``models`` has attributes County, Municipality, ServiceClass, TargetGroup, ServiceLanguage, Theme."""
    return {
        "counties": load_counties(models.County),
        "municipalities": load_municipalities(models.Municipality, models.County),
        "service_classes": load_service_classes(models.ServiceClass),
        "target_groups": load_target_groups(models.TargetGroup),
        "languages": load_languages(models.ServiceLanguage),
        "themes": load_themes(models.Theme, models.ServiceClass),
    }
