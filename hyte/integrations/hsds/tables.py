"""HSDS data as flat tables: nested JSON objects flattened into rows, CSV cells typed, rows indexed.

Every input shape (a list of fully nested services, one JSON file per object list, the tabular CSV
package) becomes the same ``Tables``: table name (``service``, ``phone`` ...) -> rows, each row the
object's own fields plus the id of the object it was nested in (``service_id``, ``location_id`` ...).
The mapping then reads one service with everything that belongs to it from a ``Bundle``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext

Row = dict[str, Any]
Tables = dict[str, list[Row]]

# Arrays nested in an object: field -> (child table, column of the child that points to the parent).
NESTED_LISTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
# Arrays every object may carry.
COMMON_LISTS = {"attributes": ("attribute", "link_id"), "metadata": ("metadata", "resource_id")}
# Single nested objects: field -> (table of the object, column of the parent that holds its id).
NESTED_OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
# Objects that stand on their own: repeated occurrences (the same location under several services)
# are one object, merged field by field.
ENTITY_TABLES = ("organization", "service", "location", "service_at_location", "taxonomy", "taxonomy_term")
INTEGER = re.compile(r"[+-]?\d+")


def flatten(table: str, obj: Row, tables: Tables, links: Row | None = None) -> None:
    """Add ``obj`` and everything nested in it to ``tables``; ``links`` are the parent's ids."""
    lists = NESTED_LISTS.get(table, {}) | COMMON_LISTS
    objects = NESTED_OBJECTS.get(table, {})
    row: Row = {k: v for k, v in obj.items() if k not in lists and k not in objects}
    for key, value in (links or {}).items():
        if value is not None and row.get(key) in (None, ""):
            row[key] = value
    for field, (child, parent_column) in objects.items():
        nested = obj.get(field)
        if isinstance(nested, dict):
            if nested.get("id") and not row.get(parent_column):
                row[parent_column] = nested["id"]
            flatten(child, nested, tables)
    tables.setdefault(table, []).append(row)
    for field, (child, child_column) in lists.items():
        items = obj.get(field)
        if not isinstance(items, list):
            continue
        child_links: Row = {child_column: row.get("id")}
        if child == "attribute":
            child_links["link_entity"] = table
        for item in items:
            if isinstance(item, dict):
                flatten(child, item, tables, child_links)


def merge_entities(tables: Tables) -> Tables:
    """One row per id in the entity tables; a later occurrence only fills fields the first lacked."""
    for table in ENTITY_TABLES:
        merged: dict[Any, Row] = {}
        anonymous: list[Row] = []
        for row in tables.get(table, []):
            key = row.get("id")
            if not isinstance(key, str) or not key:
                anonymous.append(row)
                continue
            if key in merged:
                target = merged[key]
                for field, value in row.items():
                    if target.get(field) in (None, "") and value not in (None, ""):
                        target[field] = value
            else:
                merged[key] = dict(row)
        if table in tables:
            tables[table] = [*merged.values(), *anonymous]
    return tables


class Bundle:
    """Read access to flattened tables: one row by id, the rows pointing to an id."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._by_id: dict[str, dict[str, Row]] = {}
        self._by_column: dict[tuple[str, str], dict[Any, list[Row]]] = {}

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    def get(self, table: str, row_id: Any) -> Row | None:
        if table not in self._by_id:
            self._by_id[table] = {r["id"]: r for r in self.rows(table) if isinstance(r.get("id"), str)}
        return self._by_id[table].get(row_id) if isinstance(row_id, str) else None

    def children(self, table: str, column: str, value: Any) -> list[Row]:
        """Rows of ``table`` whose ``column`` is ``value``; an object nested twice under the same parent
        (a location both in its organization and in a service_at_location) counts once."""
        key = (table, column)
        if key not in self._by_column:
            index: dict[Any, list[Row]] = defaultdict(list)
            seen: set[tuple[Any, Any]] = set()
            for row in self.rows(table):
                parent, row_id = row.get(column), row.get("id")
                if not isinstance(parent, str) or (isinstance(row_id, str) and (parent, row_id) in seen):
                    continue
                seen.add((parent, row_id))
                index[parent].append(row)
            self._by_column[key] = index
        return self._by_column[key].get(value, []) if isinstance(value, str) else []


# --- CSV ---


class CellError(ValueError):
    pass


def typed_cell(value: str, kind: str, column: str) -> Any:
    """A CSV cell as the JSON value the HSDS schema expects (numbers as numbers, the rest as text)."""
    if kind in ("number", "integer"):
        text = value.strip()
        if INTEGER.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or kind == "integer":
            raise CellError(
                gettext("The value “%(value)s” of %(column)s is not a number.")
                % {"value": value[:40], "column": column}
            )
        return number
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise CellError(
            gettext("The value “%(value)s” of %(column)s is not true or false.")
            % {"value": value[:40], "column": column}
        )
    return value


def read_csv_rows(text: str) -> tuple[list[str], list[dict[str | None, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows  # type: ignore[arg-type]


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
