"""Validation against the official HSDS 3.0 JSON Schemas (Draft 2020-12), for the tests.

Built here from the schema files rather than through the code under test. ``$ref``s between the
per-object files are resolved by a ``referencing`` Registry; formats are checked (uuid, email, date,
and uri and date-time, which jsonschema does not check without extra packages).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PROJECT_DIR = Path(__file__).resolve().parents[3]
SCHEMA_DIR = PROJECT_DIR / "hyte" / "integrations" / "hsds" / "data" / "hsds-3.0" / "schema"
OFFICIAL_DIR = PROJECT_DIR.parent / "shared" / "reference" / "hsds" / "3.0"
EXAMPLES = Path(__file__).resolve().parent / "data" / "official"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

checker = FormatChecker()


@checker.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc)


@checker.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value).tzinfo is not None


@cache
def registry() -> Registry[Any]:
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name != "openapi.json":
            resources.append((BASE + path.name, DRAFT202012.create_resource(json.loads(path.read_text()))))
    for path in sorted((SCHEMA_DIR / "compiled").glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((f"{BASE}compiled/{path.name}", DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources)


@cache
def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": BASE + ref}, registry=registry(), format_checker=checker)


def errors(instance: Any, ref: str) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in _validator(ref).iter_errors(instance)]


def assert_valid(instance: Any, ref: str) -> None:
    """``ref``: a per-object file (``service.json``) or a compiled one (``compiled/service_list.json``)."""
    found = errors(instance, ref)
    assert not found, f"not valid against {ref}:\n" + "\n".join(found[:20])


def page_schema() -> dict[str, Any]:
    openapi = json.loads((SCHEMA_DIR / "openapi.json").read_text())
    schema: dict[str, Any] = openapi["components"]["schemas"]["Page"]
    return schema


def assert_valid_page(body: Any, item_ref: str) -> None:
    """The paging envelope of the official openapi.json, every property present, and each item valid."""
    page = page_schema()
    Draft202012Validator(page, format_checker=checker).validate(body)
    assert set(body) == {*page["properties"], "contents"}
    for name, prop in page["properties"].items():
        expected = {"integer": int, "boolean": bool}[prop["type"]]
        assert type(body[name]) is expected, name
    assert isinstance(body["contents"], list)
    for item in body["contents"]:
        assert_valid(item, item_ref)
