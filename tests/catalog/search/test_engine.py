"""Search behaviour over small, made-up catalogs (never the demo data)."""

from __future__ import annotations

import io
from datetime import time

import pytest
from django.core.management import call_command
from django.http import QueryDict

from hyte.catalog import selectors
from hyte.catalog.models import SearchPosting, SearchTerm, Service
from hyte.catalog.search import analyzer
from hyte.catalog.services import catalog_object_delete, catalog_object_save
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not analyzer.voikko_available(), reason="Voikko is not installed"),
]


def search(q: str, **filters: str) -> list[str]:
    params = QueryDict(mutable=True)
    params["q"] = q
    params.update(filters)
    return [s.name_fi for s in selectors.service_search(selectors.parse_service_search(params))]


@pytest.fixture
def tray() -> None:
    ServiceFactory(name_fi="Kuntosali", name_sv="Gym", name_en="Gym", keywords_fi="voimaharjoittelu")
    ServiceFactory(
        name_fi="Vesijumppa",
        name_sv="Vattengymnastik",
        name_en="Aqua gym",
        summary_fi="Jumppaa lämpimässä vedessä uimahallissa.",
        summary_sv="Simning och gymnastik i varmt vatten.",
    )
    ServiceFactory(
        name_fi="Tuolijumppa",
        name_sv="Stolgymnastik",
        name_en="Chair exercise",
        summary_fi="Istumajumppaa ikäihmisille.",
        target_groups=["KR1.1"],
    )
    ServiceFactory(
        name_fi="Liikunnan neuvonta",
        name_sv="Motionsrådgivning",
        name_en="Exercise counselling",
        summary_fi="Henkilökohtaista neuvontaa liikkumiseen.",
    )
    ServiceFactory(
        name_fi="Talous- ja velkaneuvonta",
        name_sv="Ekonomi- och skuldrådgivning",
        name_en="Money and debt advice",
        keywords_fi="velka, budjetti",
        keywords_en="debt, money",
    )
    ServiceFactory(
        name_fi="Uniryhmä",
        name_sv="Sömngrupp",
        name_en="Sleep group",
        summary_fi="Apua unettomuuteen ja univaikeuksiin.",
        summary_en="Help with insomnia.",
    )
    ServiceFactory(
        name_fi="Ystävätoiminta",
        name_sv="Vänverksamhet",
        name_en="Befriending",
        summary_fi="Vapaaehtoinen ystävä yksinäiselle.",
        summary_en="A volunteer friend if you are lonely.",
    )
    ServiceFactory(
        name_fi="Kävelyryhmä",
        name_sv="Promenadgrupp",
        name_en="Walking group",
        summary_fi="Kävelemme yhdessä puistossa.",
    )
    ServiceFactory(name_fi="Kirjasto", name_sv="Bibliotek", name_en="Library", summary_fi="Lainaa kirjoja.")


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("kuntosalille", "Kuntosali"),
        ("vesijumppaan", "Vesijumppa"),
        ("yksinäiselle", "Ystävätoiminta"),
        ("kirjastoon", "Kirjasto"),
    ],
)
def test_inflected_finnish(tray: None, query: str, first: str) -> None:
    assert search(query)[0] == first


def test_compound_parts_find_compounds(tray: None) -> None:
    assert set(search("jumppa")[:2]) == {"Vesijumppa", "Tuolijumppa"}
    assert search("liikuntaneuvonta")[0] == "Liikunnan neuvonta"
    assert search("sali")[0] == "Kuntosali"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("kuntosli", "Kuntosali"),
        ("vesijumpa", "Vesijumppa"),
        ("kirjasot", "Kirjasto"),
        ("libary", "Kirjasto"),
        ("bibliotk", "Kirjasto"),
    ],
)
def test_typos(tray: None, query: str, first: str) -> None:
    assert search(query)[0] == first


def test_short_typos_are_not_guessed(tray: None) -> None:
    assert search("gmy") == []  # under five letters: no typo tolerance


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("simning", "Vesijumppa"),
        ("skuldrådgivning", "Talous- ja velkaneuvonta"),
        ("walking group", "Kävelyryhmä"),
        ("debt advice", "Talous- ja velkaneuvonta"),
        ("sleep", "Uniryhmä"),
    ],
)
def test_swedish_and_english(tray: None, query: str, first: str) -> None:
    assert search(query)[0] == first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rahat ei riitä", "Talous- ja velkaneuvonta"),
        ("en saa unta", "Uniryhmä"),
        ("yksinäisyys", "Ystävätoiminta"),
        ("lonely", "Ystävätoiminta"),
        ("pengarna räcker inte", "Talous- ja velkaneuvonta"),
    ],
)
def test_needs_find_services(tray: None, query: str, expected: str) -> None:
    assert expected in search(query)[:2]


def test_name_beats_description(db: None) -> None:
    ServiceFactory(name_fi="Lukupiiri", description_fi="Joskus myös musiikkia.")
    ServiceFactory(name_fi="Musiikkiryhmä", description_fi="Soitamme yhdessä.")
    assert search("musiikki") == ["Musiikkiryhmä", "Lukupiiri"]


def test_services_matching_every_word_come_first(tray: None) -> None:
    results = search("tuolijumppa ikäihmisille")
    assert results[0] == "Tuolijumppa"


def test_text_and_filters_together(tray: None) -> None:
    assert search("jumppa", target_group="KR1.1") == ["Tuolijumppa"]
    assert search("jumppa", municipality="217") == []


def test_weekday_filter(db: None) -> None:
    tuesday = ServiceFactory(name_fi="Tiistaijumppa")
    ScheduleFactory(service=tuesday, weekday=2, opens_at=time(10), closes_at=time(11))
    friday = ServiceFactory(name_fi="Perjantaijumppa")
    ScheduleFactory(service=friday, weekday=5, opens_at=time(10), closes_at=time(11))
    assert search("jumppa", weekday="2") == ["Tiistaijumppa"]
    assert search("", weekday="5") == ["Perjantaijumppa"]


def test_near_brings_nearer_services_up(db: None) -> None:
    far = LocationFactory(latitude="60.169900", longitude="24.938400")  # Helsinki
    near = LocationFactory(latitude="63.840000", longitude="23.130000")  # Kokkola
    ServiceFactory(name_fi="Kuntosali A", at=[far])
    ServiceFactory(name_fi="Kuntosali B", at=[near])
    assert search("kuntosali") == ["Kuntosali A", "Kuntosali B"]
    assert search("kuntosali", near="63.84,23.13") == ["Kuntosali B", "Kuntosali A"]
    assert search("", near="60.17,24.94")[0] == "Kuntosali A"


def test_highlighted_snippets(tray: None) -> None:
    params = QueryDict("q=vesijumppaan")
    page = selectors.paginate_services(selectors.service_search(selectors.parse_service_search(params)), 1)
    first = page.object_list[0]
    assert str(first.hl_name) == "<mark>Vesijumppa</mark>"
    assert "<mark>Jumppaa</mark>" in str(first.hl_summary)


def test_highlight_escapes_html(db: None) -> None:
    ServiceFactory(name_fi="<b>Jumppa</b> & muuta", summary_fi="<script>alert(1)</script> jumppa")
    page = selectors.paginate_services(
        selectors.service_search(selectors.parse_service_search(QueryDict("q=jumppa"))), 1
    )
    service = page.object_list[0]
    assert str(service.hl_name) == "&lt;b&gt;<mark>Jumppa</mark>&lt;/b&gt; &amp; muuta"
    assert "<script>" not in str(service.hl_summary)


@pytest.mark.parametrize(
    "query",
    ["", "   ", "😀😀", '" * OR NEAR( : & !', "'; DROP TABLE catalog_service; --", "a" * 200, "%_%", "\\"],
)
def test_hostile_queries_are_plain_text(tray: None, query: str) -> None:
    results = search(query)
    assert isinstance(results, list)
    assert Service.objects.count() == 9


class TestIndexFollowsChanges:
    def test_editing_a_service_updates_the_index(
        self, db: None, editor_a, org_a, django_capture_on_commit_callbacks
    ) -> None:
        service = ServiceFactory(organization=org_a, name_fi="Kuntosali")
        service.name_fi = "Keilahalli"
        with django_capture_on_commit_callbacks(execute=True):
            catalog_object_save(actor=editor_a.user, obj=service, created=False, changed_fields=["name_fi"])
        assert search("keilahalli") == ["Keilahalli"]
        assert search("kuntosali") == []

    def test_withdrawing_and_deleting_remove_it(
        self, db: None, editor_a, org_a, django_capture_on_commit_callbacks
    ) -> None:
        service = ServiceFactory(organization=org_a, name_fi="Kuntosali")
        other = ServiceFactory(organization=org_a, name_fi="Kuntosali kaksi")
        service.status = Service.Status.INACTIVE
        with django_capture_on_commit_callbacks(execute=True):
            catalog_object_save(actor=editor_a.user, obj=service, created=False, changed_fields=["status"])
        assert search("kuntosali") == ["Kuntosali kaksi"]
        with django_capture_on_commit_callbacks(execute=True):
            catalog_object_delete(actor=editor_a.user, obj=other)
        assert search("kuntosali") == []
        assert not SearchPosting.objects.exists() and not SearchTerm.objects.filter(df__gt=0).exists()

    def test_renaming_a_location_reindexes_its_services(
        self, db: None, editor_a, org_a, django_capture_on_commit_callbacks
    ) -> None:
        loc = LocationFactory(organization=org_a, name_fi="Urheilutalo")
        ServiceFactory(organization=org_a, name_fi="Sulkapallo", at=[loc])
        loc.name_fi = "Jäähalli"
        with django_capture_on_commit_callbacks(execute=True):
            catalog_object_save(actor=editor_a.user, obj=loc, created=False, changed_fields=["name_fi"])
        assert search("jäähalli") == ["Sulkapallo"]

    def test_rebuild_command(self, tray: None) -> None:
        SearchPosting.objects.all().delete()
        assert search("kuntosali") == []
        out = io.StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert "Indexed 9 services" in out.getvalue()
        assert search("kuntosali")[0] == "Kuntosali"
