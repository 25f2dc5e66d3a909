"""HSDS -> plain values (no database) and the helpers around it."""

from __future__ import annotations

import filecmp
from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest
from django.utils import translation

from hyte.integrations.hsds import mapping
from hyte.integrations.hsds.errors import HsdsRecordError
from hyte.integrations.hsds.tables import Bundle, CellError, flatten, merge_entities, typed_cell
from tests.integrations.hsds import hsds_schema

SID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def schedule(**fields: Any) -> dict[str, Any]:
    return {"id": "48102e86-bb50-41c4-8f1e-e269368c41d1", "opens_at": "10:00", "closes_at": "12:00"} | fields


class TestSchedules:
    def test_one_slot_per_weekday(self) -> None:
        warnings: list[str] = []
        values = mapping.schedule_values(
            schedule(
                freq="WEEKLY", byday="MO, we,FR", valid_from="2025-01-01", until="2025-06-30", description="x"
            ),
            SID,
            "loc",
            warnings,
        )
        assert [(v.weekday, v.opens_at, v.closes_at, v.valid_from, v.valid_to) for v in values] == [
            (1, time(10), time(12), date(2025, 1, 1), date(2025, 6, 30)),
            (3, time(10), time(12), date(2025, 1, 1), date(2025, 6, 30)),
            (5, time(10), time(12), date(2025, 1, 1), date(2025, 6, 30)),
        ]
        assert {v.location_hsds_id for v in values} == {"loc"} and warnings == []

    @pytest.mark.parametrize(
        ("fields", "reason"),
        [
            ({"freq": "MONTHLY", "byday": "1MO"}, "only weekly schedules can be shown"),
            ({"freq": "WEEKLY", "interval": 2, "byday": "MO"}, "only weekly schedules can be shown"),
            ({"freq": "WEEKLY"}, "it has no weekdays (byday)"),
            ({"byday": "XX"}, "it has no weekdays (byday)"),
            ({"byday": "MO", "closes_at": None}, "it has no opening or closing time"),
            ({"byday": "MO", "opens_at": "22:00", "closes_at": "02:00"}, "it closes before it opens"),
        ],
    )
    def test_what_we_cannot_show_is_left_out_with_a_warning(
        self, fields: dict[str, Any], reason: str
    ) -> None:
        warnings: list[str] = []
        assert mapping.schedule_values(schedule(**fields), SID, None, warnings) == []
        assert warnings == [f"The schedule 48102e86-bb50-41c4-8f1e-e269368c41d1 is left out: {reason}."]

    @pytest.mark.parametrize("fields", [{"opens_at": "25:00"}, {"valid_from": "2025-02-30"}])
    def test_malformed_values_fail_the_record(self, fields: dict[str, Any]) -> None:
        with pytest.raises(HsdsRecordError) as raised:
            mapping.schedule_values(schedule(byday="MO", **fields), SID, None, [])
        assert raised.value.record_id == SID


def test_description_and_summary() -> None:
    assert mapping.split_description("Lyhyt.\n\nPitkä kuvaus.\n\nToinen kappale.") == (
        "Lyhyt.",
        "Pitkä kuvaus.\n\nToinen kappale.",
    )
    assert mapping.split_description("Vain yksi kappale.") == ("", "Vain yksi kappale.")
    assert mapping.split_description("x" * 301 + "\n\nloput") == ("", "x" * 301 + "\n\nloput")


@pytest.mark.parametrize(
    ("code", "ours"), [("fin", "fi"), ("SWE", "sv"), ("eng", "en"), ("sme", "se"), ("fi", "fi")]
)
def test_language_codes(code: str, ours: str) -> None:
    assert mapping.language_code(code) == ours


def test_derived_ids_are_stable_uuids() -> None:
    first = mapping.derived_id("schedule", 7)
    assert first == mapping.derived_id("schedule", 7) != mapping.derived_id("schedule", 8)
    assert hsds_schema.errors({"id": first, "number": "1"}, "phone.json") == []


def test_flatten_links_nested_objects_to_their_parents() -> None:
    tables: dict[str, list[dict[str, Any]]] = {}
    loc = {"id": "L", "location_type": "physical", "addresses": [{"id": "A", "city": "Kokkola"}]}
    flatten(
        "service",
        {
            "id": "S",
            "organization": {"id": "O", "name": "Org", "locations": [loc]},
            "service_at_locations": [{"id": "SAL", "location": loc, "schedules": [{"id": "SCH"}]}],
            "attributes": [{"id": "AT", "taxonomy_term": {"id": "T", "taxonomy_detail": {"id": "TX"}}}],
        },
        tables,
    )
    merge_entities(tables)
    bundle = Bundle(tables)
    assert bundle.get("service", "S")["organization_id"] == "O"  # type: ignore[index]
    assert bundle.get("location", "L")["organization_id"] == "O"  # type: ignore[index]
    assert len(tables["location"]) == 1  # the same location nested twice is one object
    assert [a["id"] for a in bundle.children("address", "location_id", "L")] == ["A"]  # and its address once
    assert bundle.get("service_at_location", "SAL") == {"id": "SAL", "service_id": "S", "location_id": "L"}
    assert bundle.children("schedule", "service_at_location_id", "SAL") == [
        {"id": "SCH", "service_at_location_id": "SAL"}
    ]
    assert bundle.get("attribute", "AT") == {
        "id": "AT",
        "link_id": "S",
        "link_entity": "service",
        "taxonomy_term_id": "T",
    }
    assert bundle.get("taxonomy_term", "T") == {"id": "T", "taxonomy_id": "TX"}


@pytest.mark.parametrize(
    ("value", "kind", "typed"),
    [("12", "number", 12), ("63.84", "number", 63.84), ("-1e2", "number", -100.0), ("x", "string", "x")],
)
def test_typed_cells(value: str, kind: str, typed: Any) -> None:
    assert typed_cell(value, kind, "c") == typed


@pytest.mark.parametrize("value", ["north", "nan", "inf", ""])
def test_not_a_number(value: str) -> None:
    with pytest.raises(CellError):
        typed_cell(value, "number", "latitude")


def test_coordinates_outside_wgs84_are_left_out() -> None:
    bundle = Bundle({})
    values = mapping.location_values(
        bundle, {"id": "L", "name": "Paikka", "latitude": 63.8, "longitude": 23.1}
    )
    assert (str(values.latitude), str(values.longitude), values.warnings) == ("63.8", "23.1", [])
    values = mapping.location_values(bundle, {"id": "L", "name": "Paikka", "latitude": 95, "longitude": 23.1})
    assert (values.latitude, values.longitude) == (None, None)
    assert values.warnings == ["The coordinates 95, 23.1 are not a WGS84 point; left out."]
    values = mapping.location_values(bundle, {"id": "L", "name": "Paikka", "latitude": 63.8})
    assert (values.latitude, values.longitude) == (None, None)


def test_organization_type_from_legal_status() -> None:
    assert mapping.organization_type("parish") == "parish"
    assert mapping.organization_type("Seurakunta") == "parish"
    assert mapping.organization_type("Limited Company") is None


class TestTheSchemaCheck:
    """The validator of these tests really rejects what HSDS forbids (so passing means something)."""

    def test_rejects_broken_objects(self) -> None:
        good = {"id": SID, "name": "N", "status": "active"}
        assert hsds_schema.errors(good, "service.json") == []
        assert hsds_schema.errors({"id": SID, "name": "N"}, "service.json")  # status is required
        assert hsds_schema.errors(good | {"id": "42"}, "service.json")  # not a uuid
        assert hsds_schema.errors(good | {"url": "www.example.fi"}, "service.json")  # not a URI
        assert hsds_schema.errors(good | {"last_modified": "yesterday"}, "service.json")
        assert hsds_schema.errors(good | {"phones": [{"id": SID}]}, "service.json")  # a phone needs a number
        assert hsds_schema.errors(good | {"status": "open"}, "compiled/service_with_definitions.json")

    def test_the_official_example_is_valid(self) -> None:
        import json

        example = json.loads((hsds_schema.EXAMPLES / "service_full.json").read_text())
        hsds_schema.assert_valid(example, "compiled/service_with_definitions.json")
        hsds_schema.assert_valid(example, "service.json")


def test_the_copied_schemas_are_the_official_ones() -> None:
    """hyte/integrations/hsds/data is an unchanged copy of the HSDS 3.0 reference (when it is at hand)."""
    if not hsds_schema.OFFICIAL_DIR.exists():
        pytest.skip("the shared HSDS reference is not checked out next to the project")
    for ours in hsds_schema.SCHEMA_DIR.rglob("*.json"):
        official = hsds_schema.OFFICIAL_DIR / "schema" / ours.relative_to(hsds_schema.SCHEMA_DIR)
        assert filecmp.cmp(ours, official, shallow=False), ours
    assert filecmp.cmp(
        hsds_schema.SCHEMA_DIR.parent / "datapackage.json", hsds_schema.OFFICIAL_DIR / "datapackage.json"
    )
