"""Likely duplicates: same organization, similar name, same address; "not a duplicate" is remembered."""

from __future__ import annotations

import pytest

from hyte.catalog.duplicates import (
    duplicates_of,
    listing_of,
    listings,
    normalise_address,
    normalise_name,
    pairs_within,
    record_candidates,
)
from hyte.catalog.errors import CandidateNotFound
from hyte.catalog.models import DuplicateCandidate, Location, Service, ServiceAtLocation
from hyte.catalog.selectors import duplicate_candidates_for
from hyte.catalog.services import duplicate_dismiss, duplicate_scan
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def test_normalising() -> None:
    assert normalise_name("  Café-ilta:  Ikäihmisille! ") == "cafe ilta ikäihmisille"
    assert normalise_name("Åbo Akademi") == "åbo akademi"
    assert normalise_address("Rantakatu 5 B.", "67100") == ("rantakatu5b", "67100")
    assert normalise_address("RANTAKATU 5 b", "67100 ") == ("rantakatu5b", "67100")
    assert normalise_address("", "67100") is None


def at(service: Service, location: Location) -> Service:
    ServiceAtLocation.objects.create(service=service, location=location)
    return service


def test_same_organization_similar_name_same_address(org_a, org_b) -> None:
    place = LocationFactory(organization=org_a, street_address_fi="Rantakatu 5")
    same_street = LocationFactory(organization=org_a, street_address_fi="rantakatu 5")
    elsewhere = LocationFactory(organization=org_a, street_address_fi="Torikatu 1")
    original = at(ServiceFactory(organization=org_a, name_fi="Vesijumppa ikäihmisille"), place)
    twin = at(ServiceFactory(organization=org_a, name_fi="Vesijumppa, ikäihmisille"), same_street)
    reordered = at(ServiceFactory(organization=org_a, name_fi="Ikäihmisille vesijumppa"), place)
    at(ServiceFactory(organization=org_a, name_fi="Vesijumppa ikäihmisille"), elsewhere)  # another address
    ServiceFactory(organization=org_a, name_fi="Vesijumppa ikäihmisille")  # no location, original has one
    ServiceFactory(organization=org_b, name_fi="Vesijumppa ikäihmisille")  # another organization
    at(ServiceFactory(organization=org_a, name_fi="Kuntosali"), place)  # another name
    [listing] = listings(Service.objects.filter(pk=original.pk))
    found = [s.pk for s, _score in duplicates_of(listing)]
    assert set(found) == {twin.pk, reordered.pk}


def test_both_without_location_count_as_same_address(org_a) -> None:
    a = ServiceFactory(organization=org_a, name_fi="Puhelinneuvonta")
    b = ServiceFactory(organization=org_a, name_fi="Puhelin-neuvonta")
    pairs = pairs_within(listings(Service.objects.filter(pk__in=[a.pk, b.pk])))
    assert [(p[0], p[1]) for p in pairs] == [tuple(sorted([a.pk, b.pk]))]


def test_entry_listing_and_dismissed_pairs_are_not_proposed_again(org_a, editor_a: Persona) -> None:
    a = ServiceFactory(organization=org_a, name_fi="Senioritanssit")
    b = ServiceFactory(organization=org_a, name_fi="Senioritanssit")
    new = listing_of(organization_id=org_a.pk, names={"fi": "Senioritanssit"}, locations=[])
    assert {s.pk for s, _ in duplicates_of(new)} == {a.pk, b.pk}
    assert duplicate_scan(actor=editor_a.user) == 1
    assert duplicate_scan(actor=editor_a.user) == 0  # found once
    candidate = duplicate_candidates_for(editor_a.user).get()
    duplicate_dismiss(actor=editor_a.user, candidate_id=candidate.pk)
    assert not duplicate_candidates_for(editor_a.user).exists()
    assert duplicate_scan(actor=editor_a.user) == 0  # remembered
    [listing_a] = listings(Service.objects.filter(pk=a.pk))
    assert duplicates_of(listing_a) == []


def test_dismiss_is_scoped(org_a, editor_a: Persona, editor_b: Persona) -> None:
    a = ServiceFactory(organization=org_a, name_fi="Kerho")
    b = ServiceFactory(organization=org_a, name_fi="Kerho")
    record_candidates([(*sorted([a.pk, b.pk]), 100.0)], found_by="scan")
    candidate = DuplicateCandidate.objects.get()
    with pytest.raises(CandidateNotFound):
        duplicate_dismiss(actor=editor_b.user, candidate_id=candidate.pk)
    assert not duplicate_candidates_for(editor_b.user).exists()
    with pytest.raises(Exception) as exc:
        duplicate_dismiss(actor=editor_a.user, candidate_id="nope")
    assert getattr(exc.value, "code", "") == "malformed_id"


def test_scan_of_a_large_organization_compares_only_within_addresses() -> None:
    org = OrganizationFactory()
    places = [LocationFactory(organization=org, street_address_fi=f"Katu {n}") for n in range(50)]
    for n, place in enumerate(places):
        at(ServiceFactory(organization=org, name_fi=f"Palvelu numero {n}"), place)
    assert pairs_within(listings(Service.objects.filter(organization=org))) == []


def test_pairs_between_finds_what_the_full_comparison_finds() -> None:
    """The cdist prefilter of imports must not lose pairs: compounds written apart, word order, and
    listings without a Finnish name (compared one by one)."""
    from hyte.catalog.duplicates import Listing, pairs_between

    def lst(pk: int, fi: str, sv: str = "", org: int = 1) -> Listing:
        return Listing(
            pk=pk,
            organization_id=org,
            names=(normalise_name(fi), normalise_name(sv), ""),
            addresses=frozenset(),
        )

    new = [
        lst(1, "Puhelin neuvonta"),
        lst(2, "Ikäihmisten vesijumppa"),
        lst(3, "", "Simskola"),
        lst(4, "Ryhmä 2"),
    ]
    old = [
        lst(11, "Puhelinneuvonta"),
        lst(12, "Vesijumppa ikäihmisten"),
        lst(13, "", "Simskola."),
        lst(14, "Ryhmä 1"),
        lst(15, "Puhelinneuvonta", org=2),
    ]
    assert sorted((a, b) for a, b, _s in pairs_between(new, old)) == [(1, 11), (2, 12), (3, 13)]
