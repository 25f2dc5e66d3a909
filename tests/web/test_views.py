from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hyte.core.models import AuditEvent
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

SEARCH = {"fi": "/palvelut/", "sv": "/sv/tjanster/", "en": "/en/services/"}


class TestPublicPages:
    @pytest.mark.parametrize(
        ("prefix", "lang", "heading"),
        [
            ("/", "fi", "Liikunta"),
            ("/sv/", "sv", "Motion"),
            ("/en/", "en", "Exercise"),
        ],
    )
    def test_front_page_in_three_languages(
        self, client: Client, prefix: str, lang: str, heading: str
    ) -> None:
        response = client.get(prefix)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html
        assert heading in html
        # the language switch links to the same page in the other languages
        assert 'hreflang="sv"' in html and 'hreflang="en"' in html and 'hreflang="fi"' in html

    def test_language_switch_keeps_the_page_and_query(self, client: Client) -> None:
        html = client.get("/palvelut/", {"q": "jumppa"}).content.decode()
        assert 'href="/sv/tjanster/?q=jumppa"' in html
        assert 'href="/en/services/?q=jumppa"' in html

    def test_finnish_is_the_default_even_with_a_swedish_browser(self, client: Client) -> None:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
        assert '<html lang="fi">' in html

    @pytest.mark.parametrize("lang", ["fi", "sv", "en"])
    def test_search_results(self, client: Client, lang: str) -> None:
        ServiceFactory(
            name_fi="Vesijumppa",
            name_sv="Vattengymnastik",
            name_en="Aqua gym",
            themes=["liikunta"],
            at=[LocationFactory()],
        )
        ServiceFactory(
            name_fi="Lukupiiri", name_sv="Läsecirkel", name_en="Reading circle", themes=["kulttuuri"]
        )
        response = client.get(SEARCH[lang], {"theme": "liikunta"})
        assert response.status_code == 200
        html = response.content.decode()
        expected = {"fi": "Vesijumppa", "sv": "Vattengymnastik", "en": "Aqua gym"}[lang]
        assert expected in html
        assert "Lukupiiri" not in html and "Läsecirkel" not in html
        assert 'id="map-points"' in html  # map data for the one located result

    def test_htmx_request_gets_only_the_results(self, client: Client) -> None:
        ServiceFactory(name_fi="Vesijumppa")
        response = client.get("/palvelut/", {"q": "vesi"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "Vesijumppa" in html and "<html" not in html

    def test_paging(self, client: Client, settings) -> None:
        settings.HYTE_SEARCH_PAGE_SIZE = 2
        ServiceFactory.create_batch(3, themes=["luonto"])
        html = client.get("/palvelut/", {"theme": "luonto"}).content.decode()
        assert 'rel="next" href="?theme=luonto&amp;page=2"' in html
        html2 = client.get("/palvelut/", {"theme": "luonto", "page": "2"}).content.decode()
        assert 'rel="prev" href="?theme=luonto"' in html2

    @pytest.mark.parametrize(
        "params",
        [
            {"theme": "golf"},
            {"municipality": "999"},
            {"page": "abc"},
            {"page": "0"},
            {"free": "kyllä"},
            {"q": "x" * 300},
            {"language": "<script>"},
        ],
    )
    def test_bad_input_is_a_friendly_400(self, client: Client, params: dict[str, str]) -> None:
        response = client.get("/palvelut/", params)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html
        assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0]

    def test_page_past_the_end_shows_first_page_with_a_message(self, client: Client) -> None:
        ServiceFactory(name_fi="Ainoa")
        response = client.get("/palvelut/", {"page": "7"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ainoa" in html and 'role="alert"' in html

    def test_service_page_lists_upcoming_events(self, client: Client) -> None:
        from hyte.catalog.models import Event

        service = ServiceFactory(name_fi="Latu")
        soon = timezone.now().replace(microsecond=0) + timedelta(days=3)
        common = {
            "organization": service.organization,
            "service": service,
            "ends_at": soon + timedelta(hours=2),
        }
        Event.objects.create(uid="a", external_id="t:a", title_fi="Hiihtokoulu", starts_at=soon, **common)
        Event.objects.create(
            uid="b", external_id="t:b", title_fi="Peruttu retki", starts_at=soon, cancelled=True, **common
        )
        past = soon - timedelta(days=30)
        Event.objects.create(
            uid="c",
            external_id="t:c",
            title_fi="Mennyt",
            starts_at=past,
            **{**common, "ends_at": past + timedelta(hours=1)},
        )
        html = client.get(f"/palvelut/{service.pk}/").content.decode()
        assert "Tulevat tapahtumat" in html and "Hiihtokoulu" in html and "Mennyt" not in html
        assert "Peruttu retki" in html and "peruttu" in html

    def test_service_detail(self, client: Client) -> None:
        loc = LocationFactory(name_fi="Kokkolan uimahalli")
        service = ServiceFactory(
            name_fi="Vesijumppa",
            plain_summary_fi="Jumppaa vedessä.",
            at=[loc],
            cost_description_fi="5 € / kerta",
            free=False,
        )
        ScheduleFactory(service=service, location=loc, weekday=2)
        response = client.get(f"/palvelut/{service.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            "Vesijumppa",
            "Jumppaa vedessä.",
            "Kokkolan uimahalli",
            "Sisäänkäynnillä on luiska.",
            "5 € / kerta",
            "10:00–11:30",
            service.organization.name_fi,
        ):
            assert text in html

    def test_stale_listing_is_flagged_on_the_page(self, client: Client) -> None:
        service = ServiceFactory(last_verified_at=timezone.now() - timedelta(days=500))
        assert 'class="notice stale"' in client.get(f"/palvelut/{service.pk}/").content.decode()

    def test_unknown_service_is_a_friendly_404(self, client: Client) -> None:
        response = client.get(f"/palvelut/{uuid.uuid4()}/")
        assert response.status_code == 404
        assert 'role="alert"' in response.content.decode()

    def test_malformed_url_is_a_friendly_404(self, client: Client) -> None:
        response = client.get("/palvelut/not-a-uuid/")
        assert response.status_code == 404
        assert "<html" in response.content.decode()

    def test_organization_page(self, client: Client) -> None:
        service = ServiceFactory(name_fi="Perhekahvila")
        response = client.get(f"/organisaatiot/{service.organization.pk}/")
        assert response.status_code == 200
        assert "Perhekahvila" in response.content.decode()
        assert client.get(f"/organisaatiot/{service.organization.pk}/", {"page": "x"}).status_code == 400

    def test_healthz(self, client: Client) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}


class TestStaleListingsPage:
    def test_anonymous_is_sent_to_login(self, client: Client) -> None:
        response = client.get("/henkilosto/vanhentuneet/")
        assert response.status_code == 302 and "/kirjaudu/" in response["Location"]

    def test_editor_sees_own_stale_listings_only(self, editor_a, org_a, org_b) -> None:
        old = timezone.now() - timedelta(days=400)
        ServiceFactory(organization=org_a, name_fi="Oma vanha", last_verified_at=old)
        ServiceFactory(organization=org_a, name_fi="Oma tuore")
        ServiceFactory(organization=org_b, name_fi="Toisen vanha", last_verified_at=old)
        html = editor_a.client.get("/henkilosto/vanhentuneet/").content.decode()
        assert "Oma vanha" in html
        assert "Oma tuore" not in html and "Toisen vanha" not in html

    def test_mark_verified(self, editor_a, org_a) -> None:
        service = ServiceFactory(organization=org_a, last_verified_at=timezone.now() - timedelta(days=400))
        response = editor_a.client.post(f"/henkilosto/vanhentuneet/{service.pk}/vahvista/")
        assert response.status_code == 302
        service.refresh_from_db()
        assert not service.is_stale
        assert (
            AuditEvent.objects.filter(
                action="service.verify", object_id=str(service.pk), actor=editor_a.user
            ).count()
            == 1
        )

    def test_cannot_verify_another_organizations_listing(self, editor_a, org_b) -> None:
        old = timezone.now() - timedelta(days=400)
        other = ServiceFactory(organization=org_b, last_verified_at=old)
        response = editor_a.client.post(f"/henkilosto/vanhentuneet/{other.pk}/vahvista/")
        assert response.status_code == 404
        other.refresh_from_db()
        assert other.is_stale
        assert not AuditEvent.objects.exists()

    def test_verify_needs_post(self, editor_a, org_a) -> None:
        service = ServiceFactory(organization=org_a)
        assert editor_a.client.get(f"/henkilosto/vanhentuneet/{service.pk}/vahvista/").status_code == 405


class TestSearchAnalyzerNotice:
    def test_staff_page_warns_when_voikko_is_missing(self, editor_a, monkeypatch) -> None:
        monkeypatch.setattr("hyte.web.views.voikko_available", lambda: False)
        html = editor_a.client.get("/henkilosto/vanhentuneet/").content.decode()
        assert "Voikko" in html and 'role="alert"' in html

    def test_no_warning_with_voikko(self, editor_a, monkeypatch) -> None:
        monkeypatch.setattr("hyte.web.views.voikko_available", lambda: True)
        assert "Voikko" not in editor_a.client.get("/henkilosto/vanhentuneet/").content.decode()


def test_search_page_highlights_and_keeps_filters(client: Client) -> None:
    ServiceFactory(name_fi="Vesijumppa", summary_fi="Jumppaa vedessä")
    html = client.get("/palvelut/", {"q": "jumppa", "weekday": "", "near": "63.84,23.13"}).content.decode()
    assert "<mark>Vesijumppa</mark>" in html
    assert 'name="near" value="63.84,23.13"' in html
    assert client.get("/palvelut/", {"weekday": "8"}).status_code == 400
    assert client.get("/palvelut/", {"near": "95,23"}).status_code == 400
    assert client.get("/palvelut/", {"near": "nan,nan"}).status_code == 400
