"""The HSDS 3.0 API under /hsds/: every response body is validated against the official schemas."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, timedelta
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hyte.catalog.models import Organization, Phone, Service, ServiceClass, TargetGroup, Theme
from hyte.integrations.hsds.mapping import SERVICE_CLASSES, TARGET_GROUPS, THEMES, derived_id, term_id
from tests.catalog.factories import ScheduleFactory, ServiceFactory
from tests.integrations.hsds import hsds_schema
from tests.integrations.hsds.conftest import Tray

pytestmark = pytest.mark.django_db

SERVICE_LIST = "compiled/service_list.json"
SERVICE_FULL = "compiled/service_with_definitions.json"
ORGANIZATION_LIST = "compiled/organization_list.json"
SAL_LIST = "compiled/service_at_location_list.json"


TRUE = ("1", "true", "yes", "on")


def get(client: Client, path: str, **params: Any) -> Any:
    """GET /hsds/<path>; every body is checked: a 200 against the official schema of its endpoint, an
    error against our error shape."""
    response = client.get(f"/hsds/{path}", params)
    assert response["Content-Type"] == "application/json"
    if response.status_code == 200:
        check_body(path, {k: str(v).lower() for k, v in params.items()}, response.json())
    else:
        assert set(response.json()) == {"code", "message", "details"}
    return response


def check_body(path: str, params: dict[str, str], body: Any) -> None:
    endpoint, _sep, item_id = path.partition("/")
    full = params.get("full", "") in TRUE
    full_service = params.get("full_service", "") in TRUE
    if endpoint == "":
        openapi = json.loads((hsds_schema.SCHEMA_DIR / "openapi.json").read_text())
        schema = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        hsds_schema.Draft202012Validator(schema, format_checker=hsds_schema.checker).validate(body)
        return
    refs = {
        "services": SERVICE_FULL if (full or full_service or item_id) else SERVICE_LIST,
        "organizations": "organization.json" if (full or full_service or item_id) else ORGANIZATION_LIST,
        "taxonomies": "taxonomy.json",
        "taxonomy_terms": "taxonomy_term.json",
        "service_at_locations": "service_at_location.json" if (full or item_id) else SAL_LIST,
    }
    items = [body] if item_id else body["contents"]
    if not item_id:
        hsds_schema.assert_valid_page(body, refs[endpoint])
    for item in items:
        hsds_schema.assert_valid(item, refs[endpoint])
        if endpoint == "organizations" and "services" in item:  # services of an organization
            for service in item["services"]:
                hsds_schema.assert_valid(service, SERVICE_FULL if full_service else SERVICE_LIST)
        if endpoint == "service_at_locations" and (full or item_id):
            hsds_schema.assert_valid(item["service"], SERVICE_FULL)


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["contents"]]


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


class TestRoot:
    def test_base_information(self, client: Client) -> None:
        response = get(client, "")
        assert response.status_code == 200
        body = response.json()
        official = json.loads((hsds_schema.EXAMPLES / "base.json").read_text())
        assert set(body) == set(official)
        assert body["version"] == "3.0"
        assert body["openapi_url"] == official["openapi_url"]
        openapi = json.loads((hsds_schema.SCHEMA_DIR / "openapi.json").read_text())
        schema = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        hsds_schema.Draft202012Validator(schema, format_checker=hsds_schema.checker).validate(body)

    def test_always_json(self, client: Client, db: None) -> None:
        """Even for a browser, and ``?format=json`` is HSDS's parameter, not DRF's renderer switch."""
        response = client.get("/hsds/services", HTTP_ACCEPT="text/html")
        assert response["Content-Type"] == "application/json"
        assert get(client, "services", format="json").json()["total_items"] == 0


class TestServiceList:
    def test_paging_envelope(self, client: Client, tray: Tray) -> None:
        first = get(client, "services", per_page=2).json()
        hsds_schema.assert_valid_page(first, SERVICE_LIST)
        assert {k: v for k, v in first.items() if k != "contents"} == {
            "total_items": 3,
            "total_pages": 2,
            "page_number": 1,
            "size": 2,
            "first_page": True,
            "last_page": False,
            "empty": False,
        }
        assert names(first) == ["Hiihtokoulu", "Lukupiiri"]
        second = get(client, "services", per_page=2, page=2).json()
        hsds_schema.assert_valid_page(second, SERVICE_LIST)
        assert (second["page_number"], second["size"], second["first_page"], second["last_page"]) == (
            2,
            1,
            False,
            True,
        )
        assert names(second) == ["Vesijumppa"]

    def test_empty_result(self, client: Client, db: None) -> None:
        body = get(client, "services").json()
        hsds_schema.assert_valid_page(body, SERVICE_LIST)
        assert {k: v for k, v in body.items() if k != "contents"} == {
            "total_items": 0,
            "total_pages": 0,
            "page_number": 1,
            "size": 0,
            "first_page": True,
            "last_page": True,
            "empty": True,
        }

    def test_list_item_fields(self, client: Client, tray: Tray) -> None:
        item = next(i for i in get(client, "services").json()["contents"] if i["id"] == str(tray.swim.pk))
        tray.swim.refresh_from_db()
        with translation.override("fi"):
            municipality = str(Organization.Type.MUNICIPALITY.label)
        assert item == {
            "id": str(tray.swim.pk),
            "organization_id": str(tray.org_a.pk),
            "name": "Vesijumppa",
            "description": "Ohjattua jumppaa vedessä.\n\nSopii kaikenikäisille. Ei ennakkoilmoittautumista.",
            "url": "https://www.kokkola.fi/vesijumppa",
            "email": "liikunta@kokkola.fi",
            "status": "active",
            "fees_description": "Uimahallin pääsymaksu.",
            "assured_date": timezone.localdate(tray.swim.last_verified_at).isoformat(),
            "last_modified": tray.swim.updated_at.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "organization": {
                "id": str(tray.org_a.pk),
                "name": "Kokkolan kaupunki",
                "description": "Kokkolan kaupungin liikunta- ja kulttuuripalvelut.",
                "email": "kirjaamo@kokkola.fi",
                "website": "https://www.kokkola.fi",
                "legal_status": municipality,
            },
        }

    def test_inactive_services_are_not_public(self, client: Client, tray: Tray) -> None:
        body = get(client, "services", per_page=100).json()
        assert "Suljettu kerho" not in names(body)
        assert body["total_items"] == Service.objects.filter(status=Service.Status.ACTIVE).count() == 3

    @pytest.mark.parametrize("flag", ["full_service", "full"])
    def test_full_services(self, client: Client, tray: Tray, flag: str) -> None:
        body = get(client, "services", **{flag: "true"}).json()
        hsds_schema.assert_valid_page(body, SERVICE_FULL)
        swim = next(i for i in body["contents"] if i["id"] == str(tray.swim.pk))
        assert [s["byday"] for s in swim["schedules"]] == ["TH"]
        assert [s["byday"] for s in swim["service_at_locations"][0]["schedules"]] == ["TU"]
        assert [p["number"] for p in swim["phones"]] == ["040 123 4567"]

    def test_language(self, client: Client, tray: Tray) -> None:
        for lang, name in (("fi", "Vesijumppa"), ("sv", "Vattengymnastik"), ("en", "Aqua gym")):
            response = get(client, "services", lang=lang, organization_id=str(tray.org_a.pk))
            assert response["Content-Language"] == lang
            assert name in names(response.json())

    def test_search_uses_the_tray_search_engine(self, client: Client, tray: Tray) -> None:
        # "jumppa" is the head of the compound "vesijumppa": only the tray's analyzer finds it.
        body = get(client, "services", search="jumppa").json()
        hsds_schema.assert_valid_page(body, SERVICE_LIST)
        assert names(body) == ["Vesijumppa"]
        assert body["total_items"] == 1
        assert names(get(client, "services", search="hiihto").json()) == ["Hiihtokoulu"]
        assert get(client, "services", search="hiihto", organization_id=str(tray.org_a.pk)).json()["empty"]

    def test_search_with_full_services_and_paging(self, client: Client, tray: Tray) -> None:
        body = get(client, "services", search="kokkola", full_service="1", per_page=1).json()
        hsds_schema.assert_valid_page(body, SERVICE_FULL)
        assert body["total_items"] >= 1 and body["size"] == 1

    def test_taxonomy_term_id(self, client: Client, tray: Tray) -> None:
        exercise = term_id(THEMES, "liikunta")
        assert names(get(client, "services", taxonomy_term_id=exercise).json()) == [
            "Hiihtokoulu",
            "Vesijumppa",
        ]
        seniors = term_id(TARGET_GROUPS, "KR1.1")
        assert names(get(client, "services", taxonomy_term_id=seniors).json()) == ["Vesijumppa"]
        citizens = term_id(TARGET_GROUPS, "KR1")  # the broader term finds KR1.1 and KR1.3
        assert names(get(client, "services", taxonomy_term_id=citizens).json()) == [
            "Hiihtokoulu",
            "Vesijumppa",
        ]
        sports = term_id(SERVICE_CLASSES, "P27.1")
        assert names(get(client, "services", taxonomy_term_id=sports).json()) == ["Vesijumppa"]

    def test_taxonomy_id(self, client: Client, tray: Tray) -> None:
        assert names(get(client, "services", taxonomy_id=TARGET_GROUPS.id).json()) == [
            "Hiihtokoulu",
            "Vesijumppa",
        ]
        assert names(get(client, "services", taxonomy_id=SERVICE_CLASSES.id).json()) == ["Vesijumppa"]
        assert len(names(get(client, "services", taxonomy_id=THEMES.id).json())) == 3

    def test_organization_id(self, client: Client, tray: Tray) -> None:
        assert names(get(client, "services", organization_id=str(tray.org_b.pk)).json()) == ["Hiihtokoulu"]

    def test_modified_after(self, client: Client, tray: Tray) -> None:
        long_ago = timezone.now() - timedelta(days=30)
        Service.objects.filter(pk__in=[tray.reading.pk, tray.skiing.pk]).update(updated_at=long_ago)
        since = (timezone.now() - timedelta(days=1)).isoformat()
        assert names(get(client, "services", modified_after=since).json()) == ["Vesijumppa"]
        before = (long_ago - timedelta(seconds=1)).isoformat()
        assert len(names(get(client, "services", modified_after=before).json())) == 3
        # A date alone and a naive time are read in the tray's time zone.
        assert names(get(client, "services", modified_after=timezone.localdate().isoformat()).json()) == [
            "Vesijumppa"
        ]


class TestBadParameters:
    @pytest.mark.parametrize(
        ("params", "code", "field"),
        [
            ({"page": "0"}, "invalid_page", "page"),
            ({"page": "x"}, "invalid_page", "page"),
            ({"per_page": "10000"}, "invalid_per_page", "per_page"),
            ({"per_page": "0"}, "invalid_per_page", "per_page"),
            ({"per_page": "-5"}, "invalid_per_page", "per_page"),
            ({"modified_after": "garbage"}, "invalid_hsds_parameter", "modified_after"),
            ({"modified_after": "2024-13-45"}, "invalid_hsds_parameter", "modified_after"),
            ({"taxonomy_term_id": str(uuid.uuid4())}, "invalid_hsds_parameter", "taxonomy_term_id"),
            ({"taxonomy_term_id": "liikunta"}, "malformed_id", "taxonomy_term_id"),
            ({"taxonomy_id": str(uuid.uuid4())}, "invalid_hsds_parameter", "taxonomy_id"),
            ({"taxonomy_id": "ptvserclass2"}, "malformed_id", "taxonomy_id"),
            ({"organization_id": str(uuid.uuid4())}, "invalid_hsds_parameter", "organization_id"),
            ({"organization_id": "1234"}, "malformed_id", "organization_id"),
            ({"full_service": "maybe"}, "invalid_hsds_parameter", "full_service"),
            ({"format": "ndjson"}, "unsupported_format", "format"),
            ({"search": "x" * 201}, "query_too_long", "search"),
            ({"search": "a\x00b"}, "invalid_hsds_parameter", "search"),
        ],
    )
    def test_400_with_code(
        self, client: Client, tray: Tray, params: dict[str, str], code: str, field: str
    ) -> None:
        body = error(get(client, "services", **params), 400, code)
        assert body["details"]["field"] == field
        assert body["message"]

    def test_repeated_parameter(self, client: Client, db: None) -> None:
        body = error(get(client, "services", page=["1", "2"]), 400, "invalid_hsds_parameter")
        assert body["details"] == {"field": "page"}

    def test_page_after_the_last(self, client: Client, tray: Tray) -> None:
        body = error(get(client, "services", page=3, per_page=2), 400, "invalid_page")
        assert body["details"] == {"field": "page", "num_pages": 2}

    def test_unknown_language(self, client: Client, db: None) -> None:
        error(get(client, "services", lang="de"), 400, "invalid_search_parameter")

    @pytest.mark.parametrize("lang", ["fi", "sv", "en"])
    def test_messages_in_the_requested_language(self, client: Client, db: None, lang: str) -> None:
        body = error(get(client, "services", page="0", lang=lang), 400, "invalid_page")
        with translation.override(lang):
            expected = gettext("The page number must be a whole number from 1 to %(max)d.") % {"max": 10000}
        assert body["message"] == expected
        if lang != "en":  # this message is in the catalogs: really translated, not the English source
            assert body["message"] != "The page number must be a whole number from 1 to 10000."
        body = error(get(client, "services", per_page="10000", lang=lang), 400, "invalid_per_page")
        with translation.override(lang):
            expected = gettext("The number of results per page must be a whole number from 1 to %(max)d.") % {
                "max": 500
            }
        assert body["message"] == expected
        body = error(
            get(client, "services", modified_after="eilen", lang=lang), 400, "invalid_hsds_parameter"
        )
        with translation.override(lang):
            expected = gettext(
                "“%(value)s” is not a date and time in ISO 8601 form, e.g. 2024-05-31T12:00:00+03:00."
            ) % {"value": "eilen"}
        assert body["message"] == expected


class TestServiceDetail:
    def test_fully_nested_service(self, client: Client, tray: Tray) -> None:
        response = get(client, f"services/{tray.swim.pk}", lang="en")
        assert response.status_code == 200
        body = response.json()
        hsds_schema.assert_valid(body, SERVICE_FULL)
        hsds_schema.assert_valid(body, "service.json")
        assert body["name"] == "Aqua gym"
        assert body["cost_options"] == [
            {
                "id": derived_id("cost_option", tray.swim.pk),
                "service_id": str(tray.swim.pk),
                "option": "Free of charge",
                "amount": 0,
                "currency": "EUR",
                "amount_description": "The entrance fee of the hall.",
            }
        ]
        assert [(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in body["attributes"]] == [
            ("hyte-theme", "liikunta"),
            ("ptvserclass2", "P27.1"),
            ("ptvkohderyhmat", "KR1.1"),
        ]
        assert [a["service_id"] for a in body["service_areas"]] == [str(tray.swim.pk)] * 2
        assert sorted(a["uri"][-3:] for a in body["service_areas"]) == ["217", "272"]
        assert [(lang["code"], lang["name"]) for lang in body["languages"]] == [
            ("fi", "Finnish"),
            ("sv", "Swedish"),
        ]
        (link,) = body["service_at_locations"]
        assert link["location"]["name"] == "Kokkola swimming hall"
        assert (link["location"]["latitude"], link["location"]["longitude"]) == (63.837, 23.131)
        assert link["location"]["addresses"][0] | {"id": None} == {
            "id": None,
            "location_id": str(tray.pool.pk),
            "address_1": "Vesitorninkatu 2",
            "city": "Kokkola",
            "region": "Kokkola",
            "state_province": tray.pool.municipality.county.name_en,
            "postal_code": "67100",
            "country": "FI",
            "address_type": "physical",
        }
        assert [a["description"] for a in link["location"]["accessibility"]] == [
            "There is a ramp at the entrance.",
            "An accessible toilet is in the lobby.",
        ]
        assert link["schedules"][0] | {"id": None} == {
            "id": None,
            "service_id": str(tray.swim.pk),
            "location_id": str(tray.pool.pk),
            "service_at_location_id": link["id"],
            "valid_from": "2025-01-07",
            "valid_to": "2025-12-16",
            "wkst": "MO",
            "freq": "WEEKLY",
            "interval": 1,
            "byday": "TU",
            "opens_at": "10:00:00",
            "closes_at": "11:30:00",
            "description": "Guided group",
        }
        assert body["contacts"][0]["name"] == "Liisa Liikuttaja"
        assert body["contacts"][0]["title"] == "Exercise instructor"
        assert body["contacts"][0]["phones"][0]["number"] == "040 765 4321"

    def test_inactive_unknown_and_malformed(self, client: Client, tray: Tray) -> None:
        error(get(client, f"services/{tray.closed.pk}"), 404, "service_not_found")
        error(get(client, f"services/{uuid.uuid4()}"), 404, "service_not_found")
        error(get(client, "services/not-a-uuid"), 400, "malformed_id")


class TestOrganizations:
    def test_list(self, client: Client, tray: Tray) -> None:
        body = get(client, "organizations").json()
        hsds_schema.assert_valid_page(body, "compiled/organization_list.json")
        assert names(body) == ["Kannuksen Latu ry", "Kokkolan kaupunki"]
        assert body["contents"][0]["description"] == "Kannuksen Latu ry"  # none given: the name
        assert names(get(client, "organizations", search="latu").json()) == ["Kannuksen Latu ry"]
        assert names(get(client, "organizations", search="karleby").json()) == ["Kokkolan kaupunki"]

    def test_list_with_full_services(self, client: Client, tray: Tray) -> None:
        body = get(client, "organizations", full_service="true").json()
        hsds_schema.assert_valid_page(body, "organization.json")
        kokkola = body["contents"][1]
        assert [s["name"] for s in kokkola["services"]] == ["Lukupiiri", "Vesijumppa"]
        for service in kokkola["services"]:
            hsds_schema.assert_valid(service, SERVICE_FULL)
        assert [loc["name"] for loc in kokkola["locations"]] == [
            "Kokkolan kaupunginkirjasto",
            "Kokkolan uimahalli",
        ]

    def test_detail(self, client: Client, tray: Tray) -> None:
        body = get(client, f"organizations/{tray.org_a.pk}", lang="sv").json()
        hsds_schema.assert_valid(body, "organization.json")
        assert body["name"] == "Karleby stad"
        assert body["phones"] == [
            {
                "id": derived_id("organization_phone", tray.org_a.pk),
                "organization_id": str(tray.org_a.pk),
                "number": "06 828 9111",
            }
        ]
        assert [s["name"] for s in body["services"]] == ["Läscirkel", "Vattengymnastik"]
        for service in body["services"]:
            hsds_schema.assert_valid(service, SERVICE_LIST)
        for location in body["locations"]:
            hsds_schema.assert_valid(location, "location.json")
        full = get(client, f"organizations/{tray.org_a.pk}", full_service="true").json()
        for service in full["services"]:
            hsds_schema.assert_valid(service, SERVICE_FULL)
            assert "service_at_locations" in service

    def test_unknown_and_malformed(self, client: Client, db: None) -> None:
        error(get(client, f"organizations/{uuid.uuid4()}"), 404, "organization_not_found")
        error(get(client, "organizations/42"), 400, "malformed_id")


class TestTaxonomies:
    def test_list_and_detail(self, client: Client, db: None) -> None:
        body = get(client, "taxonomies", lang="en").json()
        hsds_schema.assert_valid_page(body, "taxonomy.json")
        assert names(body) == ["hyte-theme", "ptvserclass2", "ptvkohderyhmat"]
        assert body["contents"][1]["uri"] == "http://uri.suomi.fi/codelist/ptv/ptvserclass2"
        assert names(get(client, "taxonomies", search="kohde").json()) == ["ptvkohderyhmat"]
        detail = get(client, f"taxonomies/{THEMES.id}").json()
        hsds_schema.assert_valid(detail, "taxonomy.json")
        assert detail["name"] == "hyte-theme"
        error(get(client, f"taxonomies/{uuid.uuid4()}"), 404, "taxonomy_not_found")
        error(get(client, "taxonomies/hyte-theme"), 400, "malformed_id")

    def test_terms(self, client: Client, db: None) -> None:
        total = Theme.objects.count() + ServiceClass.objects.count() + TargetGroup.objects.count()
        body = get(client, "taxonomy_terms", per_page=500).json()
        hsds_schema.assert_valid_page(body, "taxonomy_term.json")
        assert body["total_items"] == total == len(body["contents"])
        assert len({t["id"] for t in body["contents"]}) == total
        themes = get(client, "taxonomy_terms", taxonomy_id=THEMES.id, lang="en").json()
        assert names(themes) == [t.name_en for t in Theme.objects.order_by("order")]
        under = get(client, "taxonomy_terms", parent_id=term_id(TARGET_GROUPS, "KR1")).json()
        assert [t["code"] for t in under["contents"]] == list(
            TargetGroup.objects.filter(parent="KR1").order_by("code").values_list("code", flat=True)
        )
        top = get(client, "taxonomy_terms", top_only="true", taxonomy_id=TARGET_GROUPS.id).json()
        assert [t["code"] for t in top["contents"]] == list(
            TargetGroup.objects.filter(parent=None).order_by("code").values_list("code", flat=True)
        )
        found = get(client, "taxonomy_terms", search="P27.1").json()
        assert [t["code"] for t in found["contents"]] == ["P27.1"]
        error(get(client, "taxonomy_terms", parent_id=str(uuid.uuid4())), 400, "invalid_hsds_parameter")
        error(get(client, "taxonomy_terms", top_only="perhaps"), 400, "invalid_hsds_parameter")

    def test_term_detail(self, client: Client, db: None) -> None:
        body = get(client, f"taxonomy_terms/{term_id(SERVICE_CLASSES, 'P27.1')}", lang="en").json()
        hsds_schema.assert_valid(body, "taxonomy_term.json")
        assert body | {"taxonomy_detail": None} == {
            "id": term_id(SERVICE_CLASSES, "P27.1"),
            "code": "P27.1",
            "name": ServiceClass.objects.get(code="P27.1").name_en,
            "description": ServiceClass.objects.get(code="P27.1").name_en,
            "parent_id": term_id(SERVICE_CLASSES, "P27"),
            "taxonomy": "ptvserclass2",
            "taxonomy_id": SERVICE_CLASSES.id,
            "taxonomy_detail": None,
            "language": "en",
            "term_uri": "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P27.1",
        }
        error(get(client, f"taxonomy_terms/{uuid.uuid4()}"), 404, "taxonomy_term_not_found")
        error(get(client, "taxonomy_terms/P27.1"), 400, "malformed_id")


class TestServiceAtLocations:
    def test_list(self, client: Client, tray: Tray) -> None:
        body = get(client, "service_at_locations").json()
        hsds_schema.assert_valid_page(body, "compiled/service_at_location_list.json")
        assert [(i["service"]["name"], i["location"]["name"]) for i in body["contents"]] == [
            ("Hiihtokoulu", "Kannuksen latumaja"),
            ("Lukupiiri", "Kokkolan kaupunginkirjasto"),
            ("Vesijumppa", "Kokkolan uimahalli"),
        ]  # the inactive service's link is not public
        by_org = get(client, "service_at_locations", organization_id=str(tray.org_b.pk)).json()
        assert [i["service_id"] for i in by_org["contents"]] == [str(tray.skiing.pk)]
        by_term = get(client, "service_at_locations", taxonomy_term_id=term_id(THEMES, "kulttuuri")).json()
        assert [i["service_id"] for i in by_term["contents"]] == [str(tray.reading.pk)]
        by_code = get(client, "service_at_locations", postcode="69100").json()
        assert [i["location_id"] for i in by_code["contents"]] == [str(tray.ski_hut.pk)]
        searched = get(client, "service_at_locations", search="hiihtokoulu").json()
        assert [i["service_id"] for i in searched["contents"]] == [str(tray.skiing.pk)]
        error(get(client, "service_at_locations", per_page="10000"), 400, "invalid_per_page")

    def test_full_list_and_detail(self, client: Client, tray: Tray) -> None:
        body = get(client, "service_at_locations", full="true").json()
        hsds_schema.assert_valid_page(body, "service_at_location.json")
        for item in body["contents"]:
            hsds_schema.assert_valid(item["service"], SERVICE_FULL)
        link = tray.swim.service_at_locations.get()
        detail = get(client, f"service_at_locations/{link.pk}").json()
        hsds_schema.assert_valid(detail, "service_at_location.json")
        hsds_schema.assert_valid(detail["service"], SERVICE_FULL)
        assert [s["byday"] for s in detail["schedules"]] == ["TU"]
        assert detail["location"]["name"] == "Kokkolan uimahalli"
        closed_link = tray.closed.service_at_locations.get()
        error(get(client, f"service_at_locations/{closed_link.pk}"), 404, "service_at_location_not_found")
        error(get(client, "service_at_locations/xyz"), 400, "malformed_id")


def test_openapi_schema_documents_the_hsds_endpoints(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert {"/hsds/", "/hsds/services", "/hsds/services/{id}", "/hsds/taxonomy_terms"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/hsds/services"]["get"]["parameters"]}
    assert {
        "search",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "page",
    } <= params
    assert {"per_page", "full_service", "lang"} <= params


@pytest.mark.parametrize(
    "path",
    [
        "services?full_service=true",
        "services?search=jumppa&full_service=true",
        "organizations?full_service=true",
        "service_at_locations?full=true",
        "service_at_locations",
    ],
)
def test_query_count_does_not_grow_with_the_page(client: Client, tray: Tray, path: str) -> None:
    """Nested objects are prefetched for the whole page: no query per service or organization."""

    def queries() -> int:
        endpoint, _sep, query = path.partition("?")
        params = dict(pair.split("=") for pair in query.split("&") if pair)
        with CaptureQueriesContext(connection) as captured:
            assert get(client, endpoint, **params).status_code == 200
        return len(captured)

    before = queries()
    for n in range(3):
        service = ServiceFactory(
            organization=tray.org_a, name_fi=f"Vesijumppa {n}", themes=["liikunta"], at=[tray.pool]
        )
        ScheduleFactory(service=service, location=tray.pool)
        Phone.objects.create(service=service, number=f"040 000 000{n}")
    assert queries() == before


def test_paths_with_and_without_a_trailing_slash(client: Client, tray: Tray) -> None:
    assert reverse("hsds:service-list") == "/hsds/services"
    assert reverse("hsds:service-detail", kwargs={"id": tray.swim.pk}) == f"/hsds/services/{tray.swim.pk}"
    for path in ("services/", f"services/{tray.swim.pk}/", "taxonomy_terms/", "service_at_locations/"):
        response = get(client, path.rstrip("/"))
        assert client.get(f"/hsds/{path}").json() == response.json()
