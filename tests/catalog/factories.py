from __future__ import annotations

from datetime import time
from decimal import Decimal

import factory
from django.utils import timezone

from hyte.catalog.models import (
    Location,
    Municipality,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.index import index_services


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    org_type = Organization.Type.ASSOCIATION
    name_fi = factory.Sequence(lambda n: f"Yhdistys {n} ry")
    name_sv = factory.Sequence(lambda n: f"Förening {n} rf")
    name_en = factory.Sequence(lambda n: f"Association {n}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="272"))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name_fi = factory.Sequence(lambda n: f"Toimipaikka {n}")
    name_sv = factory.Sequence(lambda n: f"Verksamhetsställe {n}")
    name_en = factory.Sequence(lambda n: f"Venue {n}")
    street_address_fi = "Rantakatu 5"
    street_address_sv = "Strandgatan 5"
    street_address_en = "Rantakatu 5"
    postal_code = "67100"
    post_office_fi = "Kokkola"
    post_office_sv = "Karleby"
    post_office_en = "Kokkola"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="272"))
    latitude = Decimal("63.838500")
    longitude = Decimal("23.130700")
    accessibility_fi = "Sisäänkäynnillä on luiska.\nEsteetön wc on aulassa."
    accessibility_sv = "Vid ingången finns en ramp.\nTillgänglig toalett finns i lobbyn."
    accessibility_en = "There is a ramp at the entrance.\nAn accessible toilet is in the lobby."
    step_free_access = True


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name_fi = factory.Sequence(lambda n: f"Palvelu {n}")
    name_sv = factory.Sequence(lambda n: f"Tjänst {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    summary_fi = "Lyhyt kuvaus palvelusta."
    summary_sv = "Kort beskrivning av tjänsten."
    summary_en = "A short description of the service."
    description_fi = "Pidempi kuvaus."
    description_sv = "En längre beskrivning."
    description_en = "A longer description."
    free = True
    last_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(Theme.objects.filter(slug__in=extracted))

    @factory.post_generation
    def municipalities(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.municipalities.set(Municipality.objects.filter(code__in=extracted or ["272"]))

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.languages.set(ServiceLanguage.objects.filter(code__in=extracted or ["fi"]))

    @factory.post_generation
    def target_groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.target_groups.set(TargetGroup.objects.filter(code__in=extracted))

    @factory.post_generation
    def at(self, create: bool, extracted: list[Location] | None, **kwargs: object) -> None:
        for loc in extracted or []:
            ServiceAtLocation.objects.create(service=self, location=loc)

    @factory.post_generation
    def index(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Index like the write path does (catalog.services refreshes the index on commit)."""
        if create and extracted is not False:
            index_services([self.pk])


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    weekday = 2
    opens_at = time(10, 0)
    closes_at = time(11, 30)
    description_fi = "Ohjattu ryhmä"
    description_sv = "Ledd grupp"
    description_en = "Guided group"
