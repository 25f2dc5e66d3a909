"""Export the public tray as Open Referral HSDS 3.0, in one language.

JSON: one file per HSDS object list, each a JSON array: ``services.json`` (fully nested services, as
``GET /services/{id}``), ``organizations.json``, ``locations.json``, ``service_at_locations.json``,
``taxonomies.json``, ``taxonomy_terms.json``.

CSV: a Frictionless tabular data package like the official examples/csv: every table of the HSDS
data package (empty ones with their header only, so every foreign key resolves) and datapackage.json.

Only active services are exported (as in the API); organizations, their locations and the taxonomy
terms are public. Files are written as a stream, so a large tray does not have to fit in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from hyte.integrations.hsds import mapping, schema, selectors
from hyte.integrations.hsds.tables import Row, Tables, csv_cell, flatten

CHUNK = 200


def _iterate(qs: QuerySet[Any]) -> Iterator[Any]:
    return qs.iterator(chunk_size=CHUNK)


def _object_lists(lang: str) -> Iterator[tuple[str, str, Iterable[dict[str, Any]]]]:
    """(file stem, HSDS table, objects) in an order where every object comes before its users."""
    yield "taxonomies", "taxonomy", (mapping.taxonomy_dict(t, lang) for t in mapping.TAXONOMIES)
    yield (
        "taxonomy_terms",
        "taxonomy_term",
        (mapping.term_of(t.obj, lang) for t in selectors.terms()),
    )
    yield (
        "organizations",
        "organization",
        (
            mapping.organization_core(o, lang) | {"phones": mapping.organization_phones(o)}
            for o in _iterate(selectors.organizations())
        ),
    )
    yield (
        "locations",
        "location",
        (mapping.location_full(loc, lang) for loc in _iterate(selectors.all_locations())),
    )
    yield (
        "services",
        "service",
        (mapping.service_full(s, lang) for s in _iterate(selectors.all_public_services())),
    )
    yield (
        "service_at_locations",
        "service_at_location",
        (
            mapping.service_at_location_list_item(x, lang)
            for x in _iterate(selectors.all_service_at_locations())
        ),
    )


def _write_json_array(path: Path, objects: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for obj in objects:
            fh.write(",\n" if count else "\n")
            fh.write(json.dumps(obj, ensure_ascii=False, indent=2))
            count += 1
        fh.write("\n]\n" if count else "]\n")
    return count


def export_json(directory: Path, *, lang: str = "fi") -> dict[str, int]:
    """Write the JSON object lists into ``directory``; returns file name -> number of objects."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for stem, _table, objects in _object_lists(lang):
        counts[f"{stem}.json"] = _write_json_array(directory / f"{stem}.json", objects)
    return counts


class _CsvPackage:
    """One CSV writer per HSDS table; nested objects are flattened into the tables' rows."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.columns: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.seen: dict[str, set[str]] = {}
        for res in schema.resources():
            fh = (directory / res["path"]).open("w", encoding="utf-8", newline="")
            self.files[res["name"]] = fh
            self.writers[res["name"]] = csv.writer(fh, lineterminator="\n")
            self.columns[res["name"]] = schema.columns(res["name"])
            self.counts[res["path"]] = 0
            self.writers[res["name"]].writerow(self.columns[res["name"]])

    def add(self, table: str, obj: dict[str, Any]) -> None:
        tables: Tables = {}
        flatten(table, obj, tables)
        for name, rows in tables.items():
            for row in rows:
                self._write(name, row)

    def _write(self, table: str, row: Row) -> None:
        seen = self.seen.setdefault(table, set())
        if row["id"] in seen:  # e.g. an organization or location nested again under a service
            return
        seen.add(row["id"])
        self.writers[table].writerow([csv_cell(row.get(c)) for c in self.columns[table]])
        self.counts[schema.resource(table)["path"]] += 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def _descriptor(lang: str) -> dict[str, Any]:
    official = schema.datapackage()
    return {
        "name": "hyte-service-tray",
        "title": "HYTE service tray (Open Referral HSDS 3.0)",
        "description": f"Public services of the HYTE service tray as HSDS {schema.HSDS_VERSION} tables, "
        f"texts in language '{lang}'.",
        "profile": official["profile"],
        "created": timezone.now().isoformat(timespec="seconds"),
        "resources": official["resources"],
    }


def export_csv(directory: Path, *, lang: str = "fi") -> dict[str, int]:
    """Write the tabular CSV package into ``directory``; returns CSV file name -> number of rows."""
    directory.mkdir(parents=True, exist_ok=True)
    package = _CsvPackage(directory)
    try:
        for _stem, table, objects in _object_lists(lang):
            if table == "service_at_location":
                continue  # already in the services, with their schedules
            for obj in objects:
                package.add(table, obj)
    finally:
        package.close()
    with (directory / "datapackage.json").open("w", encoding="utf-8") as fh:
        json.dump(_descriptor(lang), fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return package.counts
