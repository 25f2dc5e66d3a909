"""The official HSDS 3.0 schemas (copied under data/hsds-3.0) and validation against them.

The per-object schemas refer to each other by relative file name (``"$ref": "phone.json"``); they are
registered under the upstream base URI so the references resolve offline, exactly as upstream.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

HSDS_VERSION = "3.0"
DATA_DIR = Path(__file__).resolve().parent / "data" / "hsds-3.0"
SCHEMA_DIR = DATA_DIR / "schema"
BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URL = BASE_URI + "openapi.json"
MAX_REASON = 300


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def registry() -> Registry[Any]:
    """Every schema file under its upstream URI (compiled ones under ``compiled/``)."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name != "openapi.json":
            resources.append((BASE_URI + path.name, DRAFT202012.create_resource(_load(path))))
    for path in sorted((SCHEMA_DIR / "compiled").glob("*.json")):
        resources.append((f"{BASE_URI}compiled/{path.name}", DRAFT202012.create_resource(_load(path))))
    return Registry().with_resources(resources)


@cache
def validator(table: str) -> Draft202012Validator:
    """A validator for one HSDS object (``service``, ``phone`` ...), nested objects included.

    Only the ``uuid`` format is checked: HSDS identifiers must be UUIDs, while a bad e-mail address or
    web address is dropped with a warning by the mapping rather than failing the whole record.
    """
    schema: dict[str, Any] = {"$ref": f"{BASE_URI}{table}.json"}
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker(formats=["uuid"]))


def schema_errors(table: str, obj: Any) -> list[str]:
    """Readable errors of ``obj`` against the HSDS schema of ``table`` ("$.phones[0].id: ..."), sorted."""
    errors = sorted(
        validator(table).iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    return [f"{e.json_path}: {_short(e.message)}" for e in errors]


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


@lru_cache(maxsize=1)
def datapackage() -> dict[str, Any]:
    """The official Frictionless descriptor of the HSDS tables (CSV serialization)."""
    data: dict[str, Any] = _load(DATA_DIR / "datapackage.json")
    return data


def resources() -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = datapackage()["resources"]
    return resources


@cache
def resource(table: str) -> dict[str, Any]:
    for item in resources():
        if item["name"] == table:
            return item
    raise KeyError(table)


def field_types(table: str) -> dict[str, str]:
    """Column -> Frictionless type (string, number, date, time, datetime) of one table."""
    return {f["name"]: f["type"] for f in resource(table)["schema"]["fields"]}


def columns(table: str) -> list[str]:
    return [f["name"] for f in resource(table)["schema"]["fields"]]
