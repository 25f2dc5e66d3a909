"""Export: every object of the JSON files and every row of the CSV package against the official schemas."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import date, datetime, time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from hyte.catalog.models import Location, Organization, ServiceClass, TargetGroup, Theme
from hyte.integrations.hsds.exporter import export_csv, export_json
from hyte.integrations.hsds.tables import typed_cell
from tests.integrations.hsds import hsds_schema
from tests.integrations.hsds.conftest import Tray

pytestmark = pytest.mark.django_db

JSON_FILES = {
    "services.json": ["compiled/service_with_definitions.json", "service.json"],
    "organizations.json": ["organization.json"],
    "locations.json": ["location.json"],
    "service_at_locations.json": ["compiled/service_at_location_list.json"],
    "taxonomies.json": ["taxonomy.json"],
    "taxonomy_terms.json": ["taxonomy_term.json"],
}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class TestJson:
    def test_every_object_is_valid(self, tray: Tray, tmp_path: Path) -> None:
        counts = export_json(tmp_path, lang="fi")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(JSON_FILES)
        terms = Theme.objects.count() + ServiceClass.objects.count() + TargetGroup.objects.count()
        assert counts == {
            "taxonomies.json": 3,
            "taxonomy_terms.json": terms,
            "organizations.json": Organization.objects.count(),
            "locations.json": Location.objects.count(),
            "services.json": 3,
            "service_at_locations.json": 3,
        }
        for name, refs in JSON_FILES.items():
            objects = load(tmp_path / name)
            assert isinstance(objects, list) and len(objects) == counts[name]
            for obj in objects:
                for ref in refs:
                    hsds_schema.assert_valid(obj, ref)

    def test_values_in_the_chosen_language(self, tray: Tray, tmp_path: Path) -> None:
        export_json(tmp_path, lang="sv")
        services = {s["id"]: s for s in load(tmp_path / "services.json")}
        assert str(tray.closed.pk) not in services  # inactive: not public
        swim = services[str(tray.swim.pk)]
        assert swim["name"] == "Vattengymnastik"
        assert (
            swim["description"] == "Ledd gymnastik i vattnet.\n\nPassar alla åldrar. Ingen förhandsanmälan."
        )
        assert swim["fees_description"] == "Simhallens inträdesavgift."
        assert swim["phones"][0]["description"] == "Ledare"
        assert [s["description"] for s in swim["schedules"]] == ["Utebassäng"]
        location = swim["service_at_locations"][0]["location"]
        assert (location["name"], location["addresses"][0]["address_1"]) == (
            "Karleby simhall",
            "Vattentornsgatan 2",
        )
        assert location["addresses"][0]["city"] == "Karleby"
        organizations = {o["id"]: o for o in load(tmp_path / "organizations.json")}
        assert organizations[str(tray.org_a.pk)]["name"] == "Karleby stad"
        terms = {t["code"]: t for t in load(tmp_path / "taxonomy_terms.json")}
        assert terms["liikunta"]["name"] == "Motion"
        assert terms["liikunta"]["language"] == "sv"

    def test_missing_translation_falls_back(self, tray: Tray, tmp_path: Path) -> None:
        tray.reading.name_sv = ""
        tray.reading.save()
        export_json(tmp_path, lang="sv")
        services = {s["id"]: s for s in load(tmp_path / "services.json")}
        assert services[str(tray.reading.pk)]["name"] == "Lukupiiri"

    def test_empty_tray(self, db: None, tmp_path: Path) -> None:
        counts = export_json(tmp_path)
        assert counts["services.json"] == 0
        assert load(tmp_path / "services.json") == []


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(StringIO(path.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


class TestCsvPackage:
    def test_a_valid_tabular_data_package(self, tray: Tray, tmp_path: Path) -> None:
        counts = export_csv(tmp_path, lang="fi")
        descriptor = load(tmp_path / "datapackage.json")
        official = load(hsds_schema.SCHEMA_DIR.parent / "datapackage.json")
        assert descriptor["profile"] == "tabular-data-package"
        assert descriptor["resources"] == official["resources"]
        tables: dict[str, list[dict[str, str]]] = {}
        for resource in descriptor["resources"]:
            header, rows = read_table(tmp_path / resource["path"])
            fields = resource["schema"]["fields"]
            assert header == [f["name"] for f in fields], resource["path"]
            assert counts[resource["path"]] == len(rows)
            tables[resource["name"]] = rows
            keys = [row["id"] for row in rows]
            assert len(keys) == len(set(keys)), f"duplicate primary keys in {resource['path']}"
            for row in rows:
                check_row(resource["name"], fields, row)
        for resource in descriptor["resources"]:
            for fk in resource["schema"].get("foreignKeys", []):
                targets = {r[fk["reference"]["fields"]] for r in tables[fk["reference"]["resource"]]}
                for row in tables[resource["name"]]:
                    value = row[fk["fields"]]
                    assert value == "" or value in targets, f"{resource['name']}.{fk['fields']} {value}"
        assert len(tables["service"]) == 3
        assert {r["name"] for r in tables["service"]} == {"Vesijumppa", "Lukupiiri", "Hiihtokoulu"}

    def test_rows_carry_the_values(self, tray: Tray, tmp_path: Path) -> None:
        export_csv(tmp_path, lang="en")
        _header, schedules = read_table(tmp_path / "schedules.csv")
        swim = sorted(
            (r for r in schedules if r["service_id"] == str(tray.swim.pk)), key=lambda r: r["byday"]
        )
        assert [(r["byday"], r["opens_at"], r["closes_at"], r["location_id"]) for r in swim] == [
            ("TH", "18:00:00", "19:00:00", ""),
            ("TU", "10:00:00", "11:30:00", str(tray.pool.pk)),
        ]
        assert swim[0]["description"] == "Outdoor pool"
        assert (swim[1]["valid_from"], swim[1]["valid_to"], swim[1]["freq"]) == (
            "2025-01-07",
            "2025-12-16",
            "WEEKLY",
        )
        _header, locations = read_table(tmp_path / "locations.csv")
        pool = next(r for r in locations if r["id"] == str(tray.pool.pk))
        assert (pool["name"], pool["latitude"], pool["longitude"]) == (
            "Kokkola swimming hall",
            "63.837",
            "23.131",
        )
        _header, phones = read_table(tmp_path / "phones.csv")
        assert {(r["number"], r["service_id"], r["organization_id"]) for r in phones} == {
            ("040 123 4567", str(tray.swim.pk), ""),
            ("050 555 0000", str(tray.skiing.pk), ""),
            ("06 828 9111", "", str(tray.org_a.pk)),
            ("040 765 4321", "", ""),  # the contact's phone (contact_id)
        }
        _header, costs = read_table(tmp_path / "cost_options.csv")
        assert {(r["service_id"], r["amount"], r["currency"]) for r in costs} == {
            (str(tray.swim.pk), "0", "EUR"),
            (str(tray.reading.pk), "", ""),
            (str(tray.skiing.pk), "0", "EUR"),
        }


def check_row(table: str, fields: list[dict[str, Any]], row: dict[str, str]) -> None:
    """Frictionless constraints (required, uuid, types) and the HSDS JSON schema of the table."""
    typed: dict[str, Any] = {}
    for f in fields:
        value = row[f["name"]]
        if value == "":
            assert not f.get("constraints", {}).get("required"), f"{table}.{f['name']} is required: {row}"
            continue
        if f.get("format") == "uuid":
            uuid.UUID(value)
        kind = f["type"]
        if kind == "date":
            date.fromisoformat(value)
        elif kind == "time":
            time.fromisoformat(value)
        elif kind == "datetime":
            assert datetime.fromisoformat(value).tzinfo is not None
        typed[f["name"]] = typed_cell(value, kind, f["name"])
    hsds_schema.assert_valid(typed, f"{table}.json")


def test_command_writes_both_formats(tray: Tray, tmp_path: Path) -> None:
    out = StringIO()
    call_command("export_hsds", str(tmp_path), "--format", "both", "--lang", "en", stdout=out)
    assert (tmp_path / "json" / "services.json").exists()
    assert (tmp_path / "csv" / "datapackage.json").exists()
    assert {s["name"] for s in load(tmp_path / "json" / "services.json")} == {
        "Aqua gym",
        "Reading circle",
        "Ski school",
    }
    assert "services.json 3" in out.getvalue() and "services.csv 3" in out.getvalue()


def test_command_refuses_a_file_as_directory(tmp_path: Path, db: None) -> None:
    from django.core.management.base import CommandError

    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(CommandError):
        call_command("export_hsds", str(target))
