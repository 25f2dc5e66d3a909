"""A small tray for the HSDS tests, built with the catalog factories (never the demo data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

import pytest

from hyte.catalog.models import (
    Contact,
    Location,
    Municipality,
    Organization,
    Phone,
    Service,
    ServiceClass,
)
from tests.catalog.factories import LocationFactory, ScheduleFactory, ServiceFactory


@dataclass
class Tray:
    org_a: Organization
    org_b: Organization
    pool: Location
    library: Location
    ski_hut: Location
    swim: Service
    reading: Service
    skiing: Service
    closed: Service


@pytest.fixture
def tray(org_a: Organization, org_b: Organization) -> Tray:
    """Three active services of two organizations and one inactive one, with everything HSDS can carry."""
    org_a.email, org_a.website, org_a.phone = "kirjaamo@kokkola.fi", "https://www.kokkola.fi", "06 828 9111"
    org_a.name_sv, org_a.name_en = "Karleby stad", "City of Kokkola"
    org_a.description_fi = "Kokkolan kaupungin liikunta- ja kulttuuripalvelut."
    org_a.description_sv = "Karleby stads idrotts- och kulturtjänster."
    org_a.description_en = "Sports and culture services of the City of Kokkola."
    org_a.save()
    pool = LocationFactory(
        organization=org_a,
        name_fi="Kokkolan uimahalli",
        name_sv="Karleby simhall",
        name_en="Kokkola swimming hall",
        street_address_fi="Vesitorninkatu 2",
        street_address_sv="Vattentornsgatan 2",
        street_address_en="Vesitorninkatu 2",
        postal_code="67100",
        latitude=Decimal("63.837000"),
        longitude=Decimal("23.131000"),
    )
    library = LocationFactory(
        organization=org_a,
        name_fi="Kokkolan kaupunginkirjasto",
        name_sv="Karleby stadsbibliotek",
        name_en="Kokkola City Library",
        street_address_fi="Pitkänsillankatu 28",
        street_address_sv="Långbrogatan 28",
        street_address_en="Pitkänsillankatu 28",
        accessibility_fi="Sisäänkäynti on porrastettu.",
        accessibility_sv="Ingången har trappor.",
        accessibility_en="The entrance has steps.",
        step_free_access=False,
    )
    ski_hut = LocationFactory(
        organization=org_b,
        name_fi="Kannuksen latumaja",
        name_sv="Kannus skidstuga",
        name_en="Kannus ski hut",
        street_address_fi="Latutie 1",
        street_address_sv="Latutie 1",
        street_address_en="Latutie 1",
        postal_code="69100",
        post_office_fi="Kannus",
        post_office_sv="Kannus",
        post_office_en="Kannus",
        municipality=Municipality.objects.get(code="217"),
        latitude=Decimal("63.897700"),
        longitude=Decimal("23.913500"),
    )
    swim = ServiceFactory(
        organization=org_a,
        name_fi="Vesijumppa",
        name_sv="Vattengymnastik",
        name_en="Aqua gym",
        summary_fi="Ohjattua jumppaa vedessä.",
        summary_sv="Ledd gymnastik i vattnet.",
        summary_en="Guided exercise in the water.",
        description_fi="Sopii kaikenikäisille. Ei ennakkoilmoittautumista.",
        description_sv="Passar alla åldrar. Ingen förhandsanmälan.",
        description_en="Suits all ages. No registration.",
        url="https://www.kokkola.fi/vesijumppa",
        email="liikunta@kokkola.fi",
        free=True,
        cost_description_fi="Uimahallin pääsymaksu.",
        cost_description_sv="Simhallens inträdesavgift.",
        cost_description_en="The entrance fee of the hall.",
        themes=["liikunta"],
        municipalities=["272", "217"],
        languages=["fi", "sv"],
        target_groups=["KR1.1"],
        at=[pool],
    )
    swim.service_classes.set(ServiceClass.objects.filter(code="P27.1"))
    ScheduleFactory(
        service=swim,
        location=pool,
        weekday=2,
        opens_at=time(10, 0),
        closes_at=time(11, 30),
        valid_from=date(2025, 1, 7),
        valid_to=date(2025, 12, 16),
    )
    ScheduleFactory(
        service=swim,
        location=None,
        weekday=4,
        opens_at=time(18, 0),
        closes_at=time(19, 0),
        description_fi="Ulkoallas",
        description_sv="Utebassäng",
        description_en="Outdoor pool",
    )
    Phone.objects.create(
        service=swim,
        number="040 123 4567",
        description_fi="Ohjaaja",
        description_sv="Ledare",
        description_en="Instructor",
    )
    Contact.objects.create(
        service=swim,
        name="Liisa Liikuttaja",
        title_fi="Liikuntaohjaaja",
        title_sv="Idrottsinstruktör",
        title_en="Exercise instructor",
        email="liisa.liikuttaja@kokkola.fi",
        phone="040 765 4321",
    )
    reading = ServiceFactory(
        organization=org_a,
        name_fi="Lukupiiri",
        name_sv="Läscirkel",
        name_en="Reading circle",
        free=False,
        cost_description_fi="5 € kerralta.",
        cost_description_sv="5 € per gång.",
        cost_description_en="5 € a time.",
        themes=["kulttuuri"],
        at=[library],
    )
    ScheduleFactory(
        service=reading, location=library, weekday=1, opens_at=time(17, 0), closes_at=time(18, 30)
    )
    skiing = ServiceFactory(
        organization=org_b,
        name_fi="Hiihtokoulu",
        name_sv="Skidskola",
        name_en="Ski school",
        themes=["liikunta", "luonto"],
        municipalities=["217"],
        target_groups=["KR1.3"],
        at=[ski_hut],
    )
    Phone.objects.create(service=skiing, number="050 555 0000")
    closed = ServiceFactory(
        organization=org_a,
        name_fi="Suljettu kerho",
        name_sv="Stängd klubb",
        name_en="Closed club",
        status=Service.Status.INACTIVE,
        themes=["liikunta"],
        at=[pool],
    )
    return Tray(org_a, org_b, pool, library, ski_hut, swim, reading, skiing, closed)
