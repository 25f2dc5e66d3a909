from __future__ import annotations

import uuid

import pytest
import yaml
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from hyte.catalog.models import Service
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/services/"


def get(client: Client, url: str, **params: str):
    return client.get(url, params)


class TestServiceList:
    def test_shape_and_fields(self, client: Client) -> None:
        service = ServiceFactory(
            name_fi="Vesijumppa",
            name_sv="Vattengymnastik",
            name_en="Aqua gym",
            themes=["liikunta"],
            municipalities=["272", "217"],
            url="https://example.fi/vesi",
        )
        response = get(client, LIST)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 1 and body["next"] is None and body["previous"] is None
        item = body["results"][0]
        assert item["id"] == str(service.pk)
        assert item["name"] == "Vesijumppa"
        assert item["organization"] == {
            "id": str(service.organization.pk),
            "name": service.organization.name_fi,
            "type": "association",
        }
        assert item["themes"] == [{"slug": "liikunta", "name": "Liikunta"}]
        assert [m["code"] for m in item["municipalities"]] == ["217", "272"]
        assert item["free"] is True
        assert item["url"] == "https://example.fi/vesi"
        assert item["web_url"] == f"http://testserver/palvelut/{service.pk}/"
        assert item["api_url"] == f"http://testserver/api/v1/services/{service.pk}/"

    @pytest.mark.parametrize(
        ("lang", "name", "theme", "web"),
        [
            ("fi", "Vesijumppa", "Liikunta", "/palvelut/"),
            ("sv", "Vattengymnastik", "Motion", "/sv/tjanster/"),
            ("en", "Aqua gym", "Exercise", "/en/services/"),
        ],
    )
    def test_lang_parameter(self, client: Client, lang: str, name: str, theme: str, web: str) -> None:
        ServiceFactory(
            name_fi="Vesijumppa", name_sv="Vattengymnastik", name_en="Aqua gym", themes=["liikunta"]
        )
        response = get(client, LIST, lang=lang)
        item = response.json()["results"][0]
        assert (item["name"], item["themes"][0]["name"]) == (name, theme)
        assert web in item["web_url"]
        assert response["Content-Language"] == lang

    def test_missing_translation_falls_back_to_finnish(self, client: Client) -> None:
        ServiceFactory(name_fi="Lukupiiri", name_sv="", name_en="")
        assert get(client, LIST, lang="en").json()["results"][0]["name"] == "Lukupiiri"

    def test_filters_and_query(self, client: Client) -> None:
        ServiceFactory(name_fi="Kuntosali", themes=["liikunta"], free=False)
        ServiceFactory(name_fi="Lukupiiri", themes=["kulttuuri"], free=True, municipalities=["217"])
        assert [r["name"] for r in get(client, LIST, theme="kulttuuri").json()["results"]] == ["Lukupiiri"]
        assert [r["name"] for r in get(client, LIST, free="false").json()["results"]] == ["Kuntosali"]
        assert [r["name"] for r in get(client, LIST, municipality="217").json()["results"]] == ["Lukupiiri"]
        assert [r["name"] for r in get(client, LIST, q="kunto").json()["results"]] == ["Kuntosali"]

    def test_paging_links(self, client: Client, settings) -> None:
        settings.HYTE_SEARCH_PAGE_SIZE = 2
        ServiceFactory.create_batch(5)
        first = get(client, LIST, theme="", q="").json()
        assert first["count"] == 5 and len(first["results"]) == 2
        assert first["previous"] is None
        assert "page=2" in first["next"]
        second = client.get(first["next"]).json()
        assert "page=3" in second["next"] and "page=" not in second["previous"]
        third = client.get(second["next"]).json()
        assert third["next"] is None and len(third["results"]) == 1
        ids = {r["id"] for page in (first, second, third) for r in page["results"]}
        assert len(ids) == 5

    @pytest.mark.parametrize(
        ("params", "code", "field"),
        [
            ({"theme": "golf"}, "invalid_search_parameter", "theme"),
            ({"municipality": "1234"}, "invalid_search_parameter", "municipality"),
            ({"target_group": "KR99"}, "invalid_search_parameter", "target_group"),
            ({"language": "klingon"}, "invalid_search_parameter", "language"),
            ({"free": "kyllä"}, "invalid_search_parameter", "free"),
            ({"page": "0"}, "invalid_page", "page"),
            ({"page": "x"}, "invalid_page", "page"),
            ({"page": "5"}, "invalid_page", "page"),
            ({"q": "x" * 5000}, "query_too_long", "q"),
            ({"lang": "de"}, "invalid_search_parameter", "lang"),
        ],
    )
    def test_bad_input_is_a_coded_400(
        self, client: Client, params: dict[str, str], code: str, field: str
    ) -> None:
        ServiceFactory()
        response = get(client, LIST, **params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code
        assert body["details"]["field"] == field
        assert body["message"]

    @pytest.mark.parametrize("lang", ["fi", "sv", "en"])
    def test_error_message_in_requested_language(self, client: Client, lang: str) -> None:
        body = get(client, LIST, page="0", lang=lang).json()
        with translation.override(lang):
            expected = gettext("The page number must be a whole number from 1 to %(max)d.") % {"max": 10000}
        assert body["message"] == expected
        if lang != "en":
            assert body["message"] != "The page number must be a whole number from 1 to 10000."

    def test_error_language_follows_accept_language_without_lang(self, client: Client) -> None:
        body = client.get(LIST, {"page": "0"}, HTTP_ACCEPT_LANGUAGE="sv").json()
        with translation.override("sv"):
            assert body["message"] == gettext("The page number must be a whole number from 1 to %(max)d.") % {
                "max": 10000
            }

    def test_only_active_services(self, client: Client) -> None:
        ServiceFactory(status=Service.Status.DEFUNCT)
        assert get(client, LIST).json()["count"] == 0

    def test_api_is_read_only(self, client: Client) -> None:
        assert client.post(LIST, {}).status_code == 405
        assert client.post(LIST, {}).json()["code"] == "method_not_allowed"


class TestServiceDetail:
    def test_full_detail(self, client: Client) -> None:
        loc = LocationFactory(name_fi="Uimahalli")
        service = ServiceFactory(
            name_fi="Vesijumppa",
            keywords_fi="vesi, jumppa",
            at=[loc],
            languages=["fi", "sv"],
            target_groups=["KR1.1"],
            plain_summary_fi="Jumppaa vedessä.",
        )
        ScheduleFactory(service=service, location=loc, weekday=3)
        body = client.get(f"{LIST}{service.pk}/").json()
        assert body["name"] == "Vesijumppa"
        assert body["keywords"] == ["vesi", "jumppa"]
        assert [lang["code"] for lang in body["languages"]] == ["fi", "sv"]
        assert body["target_groups"] == [{"code": "KR1.1", "name": "Ikäihmiset"}]
        assert body["plain_summary_fi"] == "Jumppaa vedessä."
        location = body["locations"][0]
        assert location["name"] == "Uimahalli"
        assert location["latitude"] == pytest.approx(63.8385)
        assert location["accessibility"] == ["Sisäänkäynnillä on luiska.", "Esteetön wc on aulassa."]
        assert location["municipality"]["code"] == "272"
        assert body["schedules"] == [
            {
                "weekday": 3,
                "opens_at": "10:00",
                "closes_at": "11:30",
                "valid_from": None,
                "valid_to": None,
                "description": "Ohjattu ryhmä",
                "location": str(loc.pk),
            }
        ]
        assert body["is_stale"] is False

    def test_malformed_id_is_400(self, client: Client) -> None:
        response = client.get(f"{LIST}not-a-uuid/")
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_id"

    def test_unknown_id_is_404(self, client: Client) -> None:
        response = client.get(f"{LIST}{uuid.uuid4()}/")
        assert response.status_code == 404
        assert response.json()["code"] == "service_not_found"

    def test_inactive_is_404(self, client: Client) -> None:
        service = ServiceFactory(status=Service.Status.INACTIVE)
        assert client.get(f"{LIST}{service.pk}/").status_code == 404


class TestOtherResources:
    def test_organizations(self, client: Client) -> None:
        service = ServiceFactory()
        body = client.get("/api/v1/organizations/").json()
        assert body["count"] == 1 and body["results"][0]["id"] == str(service.organization.pk)
        detail = client.get(f"/api/v1/organizations/{service.organization.pk}/")
        assert detail.status_code == 200 and detail.json()["type"] == "association"
        assert client.get("/api/v1/organizations/xyz/").status_code == 400
        assert client.get(f"/api/v1/organizations/{uuid.uuid4()}/").status_code == 404
        assert client.get("/api/v1/organizations/", {"page": "9"}).status_code == 400

    def test_themes(self, client: Client) -> None:
        body = client.get("/api/v1/themes/", {"lang": "sv"}).json()
        assert [t["slug"] for t in body] == [
            "liikunta",
            "luonto",
            "kulttuuri",
            "ravinto-ja-uni",
            "mieli",
            "yhteiso",
            "toimeentulo",
            "neuvonta",
        ]
        assert body[0]["name"] == "Motion" and "P27.1" in body[0]["service_classes"]

    def test_municipalities(self, client: Client) -> None:
        body = client.get("/api/v1/municipalities/", {"county": "18", "lang": "sv"}).json()
        assert [m["code"] for m in body] == ["074", "217", "236", "272", "421", "584", "849", "924"]
        assert {m["name"] for m in body} >= {"Karleby", "Kaustby", "Vetil"}
        assert len(client.get("/api/v1/municipalities/").json()) == 309
        ServiceFactory(municipalities=["217"])
        assert [m["code"] for m in client.get("/api/v1/municipalities/", {"in_use": "true"}).json()] == [
            "217"
        ]
        assert client.get("/api/v1/municipalities/", {"county": "77"}).status_code == 400
        assert client.get("/api/v1/municipalities/", {"in_use": "perhaps"}).status_code == 400

    def test_unknown_api_path_is_json_404(self, client: Client) -> None:
        response = client.get("/api/v1/nothing/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestOpenAPI:
    def test_schema_is_openapi_3_and_lists_the_endpoints(self, client: Client) -> None:
        response = client.get("/api/schema/")
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        assert schema["openapi"].startswith("3.")
        assert {
            "/api/v1/services/",
            "/api/v1/services/{id}/",
            "/api/v1/organizations/",
            "/api/v1/themes/",
            "/api/v1/municipalities/",
        } <= set(schema["paths"])
        params = {p["name"] for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
        assert {"q", "lang", "theme", "municipality", "free", "target_group", "page"} <= params

    def test_docs_page_uses_local_assets(self, client: Client) -> None:
        response = client.get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn.jsdelivr" not in html and "/static/drf_spectacular_sidecar/" in html
