from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from hyte.catalog import selectors
from hyte.catalog.errors import InvalidPage, InvalidSearchParameter, MalformedId, ServiceNotFound
from hyte.catalog.models import Service
from hyte.catalog.selectors import ServiceSearch, parse_service_search, service_search
from tests.catalog.factories import LocationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def names(qs) -> list[str]:
    return [s.name_fi for s in qs]


class TestParseServiceSearch:
    def test_valid_parameters(self) -> None:
        search = parse_service_search(
            QueryDict(
                "q=  vesi   jumppa &theme=liikunta&municipality=272&free=true&language=sv"
                "&target_group=KR1.1&accessible=1&page=3"
            )
        )
        assert search == ServiceSearch(
            q="vesi jumppa",
            theme="liikunta",
            municipality="272",
            free=True,
            language="sv",
            target_group="KR1.1",
            accessible=True,
            page=3,
        )

    def test_empty_means_no_filter(self) -> None:
        assert parse_service_search(QueryDict("q=&theme=&free=&page=")) == ServiceSearch()

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("theme=golf", "theme"),
            ("municipality=999", "municipality"),
            ("municipality=' OR 1=1 --", "municipality"),
            ("language=xx", "language"),
            ("target_group=KR9", "target_group"),
            ("free=maybe", "free"),
            ("accessible=2", "accessible"),
            ("theme=liikunta&theme=luonto", "theme"),
            ("q=a%00b", "q"),
        ],
    )
    def test_unknown_or_malformed_values_raise_coded_error(self, query: str, field: str) -> None:
        with pytest.raises(InvalidSearchParameter) as exc:
            parse_service_search(QueryDict(query))
        assert exc.value.http_status == 400
        assert exc.value.details["field"] == field

    def test_too_long_query(self) -> None:
        with pytest.raises(InvalidSearchParameter) as exc:
            parse_service_search(QueryDict(f"q={'a' * 201}"))
        assert exc.value.code == "query_too_long"
        assert parse_service_search(QueryDict(f"q={'a' * 200}")).q == "a" * 200

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "10001", "99999999999999999999", "١"])
    def test_bad_page_numbers(self, page: str) -> None:
        with pytest.raises(InvalidPage):
            parse_service_search(QueryDict(f"page={page}"))


class TestServiceSearch:
    def test_filters(self) -> None:
        gym = ServiceFactory(
            name_fi="Kuntosali",
            themes=["liikunta"],
            municipalities=["272"],
            free=False,
            languages=["fi", "sv"],
            target_groups=["KR1.1"],
        )
        walk = ServiceFactory(name_fi="Luontokävely", themes=["luonto"], municipalities=["217"], free=True)
        assert names(service_search(ServiceSearch(theme="liikunta"))) == ["Kuntosali"]
        assert names(service_search(ServiceSearch(municipality="217"))) == ["Luontokävely"]
        assert names(service_search(ServiceSearch(free=True))) == ["Luontokävely"]
        assert names(service_search(ServiceSearch(free=False))) == ["Kuntosali"]
        assert names(service_search(ServiceSearch(language="sv"))) == ["Kuntosali"]
        assert names(service_search(ServiceSearch(target_group="KR1.1"))) == ["Kuntosali"]
        # A parent target group (citizens) also finds services for its sub-groups (seniors).
        assert names(service_search(ServiceSearch(target_group="KR1"))) == ["Kuntosali"]
        assert {gym.pk, walk.pk} == set(service_search(ServiceSearch()).values_list("pk", flat=True))

    def test_accessible_filter_needs_a_step_free_location(self) -> None:
        ServiceFactory(name_fi="Esteetön", at=[LocationFactory(step_free_access=True)])
        ServiceFactory(name_fi="Portaat", at=[LocationFactory(step_free_access=False)])
        ServiceFactory(name_fi="Puhelin")
        assert names(service_search(ServiceSearch(accessible=True))) == ["Esteetön"]

    def test_text_matches_words_in_any_language(self) -> None:
        ServiceFactory(
            name_fi="Vesijumppa", name_sv="Vattengymnastik", summary_fi="Uimahallilla ikäihmisille"
        )
        ServiceFactory(name_fi="Tuolijumppa", name_sv="Stolgymnastik", summary_fi="Palvelutalolla")
        assert names(service_search(ServiceSearch(q="jumppa"))) == ["Tuolijumppa", "Vesijumppa"]
        # Services that match every word come first; those matching some words follow.
        assert names(service_search(ServiceSearch(q="jumppa uimahalli"))) == ["Vesijumppa", "Tuolijumppa"]
        assert names(service_search(ServiceSearch(q="stolgymnastik"))) == ["Tuolijumppa"]
        assert names(service_search(ServiceSearch(q="golf"))) == []

    def test_name_match_ranks_above_description_match(self) -> None:
        ServiceFactory(name_fi="Kirjasto", description_fi="Lukupiiri ja musiikki")
        ServiceFactory(name_fi="Musiikkiryhmä", description_fi="Laulamme yhdessä")
        assert names(service_search(ServiceSearch(q="musiikki"))) == ["Musiikkiryhmä", "Kirjasto"]

    def test_inactive_services_are_not_public(self) -> None:
        ServiceFactory(name_fi="Lopetettu", status=Service.Status.DEFUNCT)
        ServiceFactory(name_fi="Tauolla", status=Service.Status.INACTIVE)
        assert names(service_search(ServiceSearch())) == []

    def test_special_characters_are_plain_text(self) -> None:
        ServiceFactory(name_fi="100% ilmainen")
        ServiceFactory(name_fi="Muu")
        assert names(service_search(ServiceSearch(q="100%"))) == ["100% ilmainen"]
        assert names(service_search(ServiceSearch(q="%"))) == []
        assert names(service_search(ServiceSearch(q="_"))) == []
        assert names(service_search(ServiceSearch(q="' OR 1=1 --"))) == []


class TestPaging:
    def test_page_beyond_the_last_is_an_error(self) -> None:
        ServiceFactory.create_batch(3)
        page = selectors.paginate(service_search(ServiceSearch()), 1, per_page=2)
        assert page.paginator.num_pages == 2
        with pytest.raises(InvalidPage) as exc:
            selectors.paginate(service_search(ServiceSearch()), 3, per_page=2)
        assert exc.value.details == {"field": "page", "num_pages": 2}

    def test_first_page_of_nothing_is_empty_not_an_error(self) -> None:
        assert list(selectors.paginate(service_search(ServiceSearch()), 1).object_list) == []


class TestServiceDetail:
    def test_found(self) -> None:
        service = ServiceFactory()
        assert selectors.service_detail(service_id=str(service.pk)) == service

    @pytest.mark.parametrize("bad", ["abc", "1", "", "../etc", "00000000-0000-0000-0000-00000000000Z"])
    def test_malformed(self, bad: str) -> None:
        with pytest.raises(MalformedId):
            selectors.service_detail(service_id=bad)

    def test_missing_and_inactive_are_not_found(self) -> None:
        inactive = ServiceFactory(status=Service.Status.INACTIVE)
        with pytest.raises(ServiceNotFound):
            selectors.service_detail(service_id=inactive.pk)
        with pytest.raises(ServiceNotFound):
            selectors.service_detail(service_id="6f1c1c3a-1111-4a4a-9b9b-123456789abc")


class TestStaffScoping:
    def test_stale_listings_are_scoped_to_the_users_organizations(
        self, editor_a, editor_b, org_a, org_b, outsider, platform_admin
    ) -> None:
        old = timezone.now() - timedelta(days=400)
        a_old = ServiceFactory(organization=org_a, last_verified_at=old)
        ServiceFactory(organization=org_a)  # fresh
        b_old = ServiceFactory(organization=org_b, last_verified_at=old)
        assert list(selectors.stale_services_for_user(editor_a.user)) == [a_old]
        assert list(selectors.stale_services_for_user(editor_b.user)) == [b_old]
        assert list(selectors.stale_services_for_user(outsider.user)) == []
        assert set(selectors.stale_services_for_user(platform_admin.user)) == {a_old, b_old}

    def test_exactly_twelve_months_boundary(self, editor_a, org_a) -> None:
        now = timezone.now()
        just_fresh = ServiceFactory(organization=org_a, last_verified_at=now - timedelta(days=364))
        just_stale = ServiceFactory(organization=org_a, last_verified_at=now - timedelta(days=366))
        assert list(selectors.stale_services_for_user(editor_a.user)) == [just_stale]
        assert just_stale.is_stale and not just_fresh.is_stale
