"""Capacity and waiting time of a tray service: the value rules, who updates it, the staff pages, the
public page and the HSDS 3.1 ``service_capacity`` entries of the API."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from hyte.accounts.models import Membership
from hyte.catalog import services
from hyte.catalog.capacity import clean_capacity
from hyte.catalog.errors import (
    CapacityInconsistent,
    CapacityNotANumber,
    CapacityOutOfRange,
    ServiceNotFound,
)
from hyte.catalog.models import Organization, Service, ServiceCapacity
from hyte.core.errors import DomainError
from hyte.core.models import AuditEvent
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parent / "data" / "hsds-3.1-dev"
BASE = "https://example.invalid/hsds/"


# --- the rules for the values ---


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("waiting_weeks", -1, CapacityOutOfRange),
        ("waiting_weeks", 105, CapacityOutOfRange),
        ("waiting_weeks", "-3", CapacityOutOfRange),
        ("waiting_weeks", 10**12, CapacityOutOfRange),
        ("waiting_weeks", "1.5", CapacityNotANumber),
        ("waiting_weeks", 2.5, CapacityNotANumber),
        ("waiting_weeks", "two", CapacityNotANumber),
        ("waiting_weeks", "9" * 40, CapacityNotANumber),
        ("waiting_weeks", True, CapacityNotANumber),
        ("waiting_weeks", [3], CapacityNotANumber),
        ("free_places", -1, CapacityOutOfRange),
        ("free_places", 10000, CapacityOutOfRange),
        ("free_places", "1e3", CapacityNotANumber),
        ("free_places", "\x00", CapacityNotANumber),
        ("free_places", "²", CapacityNotANumber),
        ("free_places", "٣", CapacityNotANumber),
        ("free_places", "+3", CapacityNotANumber),
        ("free_places", float("nan"), CapacityNotANumber),
        ("free_places", float("inf"), CapacityNotANumber),
    ],
)
def test_bad_numbers_are_coded_errors(field: str, value: Any, error: type[DomainError]) -> None:
    with pytest.raises(error) as caught:
        clean_capacity(takes_new_clients="yes", **{field: value})
    assert caught.value.details["field"] == field and caught.value.http_status == 400
    assert caught.value.code.startswith("capacity_")


def test_takes_no_clients_with_free_places_contradicts() -> None:
    with pytest.raises(CapacityInconsistent) as caught:
        clean_capacity(takes_new_clients="no", free_places=3)
    assert caught.value.code == "capacity_inconsistent" and caught.value.details == {"field": "free_places"}
    assert clean_capacity(takes_new_clients="no", free_places=0).free_places == 0


@pytest.mark.parametrize("value", ["maybe", 1, ["yes"], "YES"])
def test_unknown_takes_new_clients(value: Any) -> None:
    with pytest.raises(CapacityOutOfRange) as caught:
        clean_capacity(takes_new_clients=value)
    assert caught.value.details["field"] == "takes_new_clients"


def test_good_values_are_normalised() -> None:
    values = clean_capacity(
        takes_new_clients="yes", waiting_weeks=" 4 ", free_places=2.0, note={"fi": "  Ryhmä  alkaa\n"}
    )
    assert (values.waiting_weeks, values.free_places, values.note) == (4, 2, {"fi": "Ryhmä alkaa"})
    empty = clean_capacity(takes_new_clients="", waiting_weeks="", free_places=None)
    assert (empty.takes_new_clients, empty.waiting_weeks, empty.free_places) == ("not_stated", None, None)
    assert clean_capacity(takes_new_clients="yes", waiting_weeks=104, free_places=9999).free_places == 9999


def test_too_long_note() -> None:
    with pytest.raises(CapacityOutOfRange) as caught:
        clean_capacity(takes_new_clients="yes", note={"sv": "x" * 201})
    assert caught.value.details["field"] == "note_sv"


@pytest.mark.parametrize(
    "values",
    [{"takes_new_clients": "no", "free_places": 4}, {"waiting_weeks": 200}, {"takes_new_clients": "x"}],
)
def test_the_database_refuses_what_the_rules_refuse(values: dict[str, Any]) -> None:
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceCapacity.objects.create(service=service, **values)


# --- who updates it ---


def test_an_editor_updates_her_service_and_it_is_audited(editor_a: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    record = services.service_capacity_set(
        actor=editor_a.user, service_id=service.pk, takes_new_clients="yes", waiting_weeks=3, free_places=5
    )
    assert (record.takes_new_clients, record.waiting_weeks, record.free_places) == ("yes", 3, 5)
    assert record.updated_by == editor_a.user
    services.service_capacity_set(
        actor=editor_a.user, service_id=str(service.pk), takes_new_clients="no", free_places=0
    )
    events = AuditEvent.objects.filter(object_type="catalog.servicecapacity").order_by("at")
    assert [e.action for e in events] == ["service_capacity.create", "service_capacity.update"]
    assert events[1].details["fields"] == ["free_places", "takes_new_clients", "waiting_weeks"]
    assert ServiceCapacity.objects.get().waiting_weeks is None


def test_another_organization_cannot(editor_b: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    with pytest.raises(ServiceNotFound):
        services.service_capacity_set(actor=editor_b.user, service_id=service.pk, takes_new_clients="no")
    assert not ServiceCapacity.objects.exists() and not AuditEvent.objects.exists()


def test_only_the_editor_role_updates(org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    for role in (Membership.Role.COORDINATOR, Membership.Role.FRONT_DESK):
        user = MembershipFactory(organization=org_a, role=role).user
        with pytest.raises(ServiceNotFound):
            services.service_capacity_set(actor=user, service_id=service.pk, takes_new_clients="yes")


def test_bad_input_through_the_service_changes_nothing(editor_a: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    with pytest.raises(DomainError) as caught:
        services.service_capacity_set(actor=editor_a.user, service_id="not-a-uuid", takes_new_clients="yes")
    assert caught.value.code == "malformed_id"
    with pytest.raises(CapacityOutOfRange):
        services.service_capacity_set(
            actor=editor_a.user, service_id=service.pk, takes_new_clients="yes", waiting_weeks=-2
        )
    assert not ServiceCapacity.objects.exists()


# --- pages ---


def _page(service: Service, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("web:service-capacity", args=[service.pk])


def test_capacity_page_round_trip(editor_a: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a, name_en="Water gym")
    with translation.override("en"):
        overview = reverse("web:capacity")
    page = editor_a.client.get(overview)
    assert page.status_code == 200 and "Water gym" in page.content.decode()
    assert editor_a.client.get(_page(service)).status_code == 200
    response = editor_a.client.post(
        _page(service),
        {"takes_new_clients": "yes", "waiting_weeks": "6", "free_places": "", "note_fi": "Ryhmä alkaa"},
    )
    assert response.status_code == 302
    record = ServiceCapacity.objects.get(service=service)
    assert (record.takes_new_clients, record.waiting_weeks, record.free_places) == ("yes", 6, None)
    assert record.note_fi == "Ryhmä alkaa"
    assert "waiting time about 6 weeks" in editor_a.client.get(overview).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"takes_new_clients": "yes", "waiting_weeks": "-1"}, "Give a whole number from 0 to 104."),
        ({"takes_new_clients": "yes", "waiting_weeks": "3,5"}, "Give a whole number, without decimals."),
        ({"takes_new_clients": "yes", "free_places": "100000"}, "Give a whole number from 0 to 9999."),
        ({"takes_new_clients": "no", "free_places": "2"}, "cannot have free places"),
        ({"takes_new_clients": "perhaps"}, "Select a valid choice"),
        ({"takes_new_clients": "yes", "note_en": "x" * 300}, "at most 200 characters"),
    ],
)
def test_capacity_page_bad_input(
    editor_a: Persona, org_a: Organization, data: dict[str, str], message: str
) -> None:
    service = ServiceFactory(organization=org_a)
    response = editor_a.client.post(_page(service), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ServiceCapacity.objects.exists()


def test_capacity_page_of_another_organization_is_not_found(
    editor_b: Persona, outsider: Persona, org_a: Organization
) -> None:
    service = ServiceFactory(organization=org_a)
    for persona in (editor_b, outsider):
        assert persona.client.get(_page(service)).status_code == 404
        assert persona.client.post(_page(service), {"takes_new_clients": "no"}).status_code == 404
    assert not ServiceCapacity.objects.exists()
    assert editor_b.client.get(_page(service).replace(str(service.pk), str(uuid.uuid4()))).status_code == 404


def test_capacity_pages_need_a_login(client: Any, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    assert client.get(_page(service)).status_code == 302
    assert client.post(_page(service), {"takes_new_clients": "no"}).status_code == 302


def test_a_platform_admin_may(platform_admin: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    assert platform_admin.client.post(_page(service), {"takes_new_clients": "no"}).status_code == 302


# --- public page ---


def _state(service: Service, **values: Any) -> ServiceCapacity:
    user = _login(MembershipFactory(organization=service.organization).user).user
    return services.service_capacity_set(actor=user, service_id=service.pk, **values)


def test_public_page_shows_capacity_and_old_dates(client: Any) -> None:
    service = ServiceFactory()
    with translation.override("en"):
        url = reverse("web:service", args=[service.pk])
    assert "capacity-line" not in client.get(url).content.decode()
    record = _state(service, takes_new_clients="yes", waiting_weeks=2)
    html = client.get(url).content.decode()
    assert "Takes new clients · waiting time about 2 weeks" in html and "may be out of date" not in html
    stamp = timezone.now() - timedelta(days=91)
    ServiceCapacity.objects.filter(pk=record.pk).update(updated_at=stamp)
    html = client.get(url).content.decode()
    assert "may be out of date" in html
    # The local date of the stamp: 91 days ago may be across a daylight saving change, so not
    # localdate() - 91 days (that differed between 21 and 22 UTC in winter).
    assert f"updated {timezone.localtime(stamp):%-d.%-m.%Y}" in html


def test_search_results_show_capacity_and_an_unchecked_listing(client: Any) -> None:
    stated, silent = ServiceFactory(name_en="Aqua gym"), ServiceFactory(name_en="Nature walk")
    _state(stated, takes_new_clients="no")
    Service.objects.filter(pk=silent.pk).update(last_verified_at=timezone.now() - timedelta(days=400))
    with translation.override("en"):
        url = reverse("web:search")
    html = client.get(url, {"q": "", "municipality": ""}).content.decode()
    items = re.findall(
        r'<li class="result">.*?<h3><a [^>]*>([^<]+)</a></h3>(.*?)</li>\s*(?=<li class="result">|</ol>)',
        html,
        re.S,
    )
    results = dict(items)
    assert set(results) == {"Aqua gym", "Nature walk"}
    assert "Takes no new clients now" in results["Aqua gym"]
    assert "Not checked for over a year" not in results["Aqua gym"]
    assert "capacity-line" not in results["Nature walk"]
    assert "Not checked for over a year" in results["Nature walk"]


# --- HSDS API ---


@cache
def _capacity_validator() -> Draft202012Validator:
    resources = [
        (BASE + p.name, DRAFT202012.create_resource(json.loads(p.read_text())))
        for p in SCHEMAS.glob("*.json")
    ]
    registry = Registry().with_resources(resources)
    return Draft202012Validator({"$ref": BASE + "service_capacity.json"}, registry=registry)


def _api(client: Any, service: Service) -> dict[str, Any]:
    response = client.get(f"/api/v1/services/{service.pk}/?lang=en")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    for entry in body["capacities"]:
        found = [e.message for e in _capacity_validator().iter_errors(entry)]
        assert not found, found
    return body


def test_api_without_capacity(client: Any) -> None:
    body = _api(client, ServiceFactory())
    assert body["capacities"] == [] and body["takes_new_clients"] == "not_stated"


def test_api_capacities_in_hsds_31_shape(client: Any) -> None:
    service = ServiceFactory()
    record = _state(service, takes_new_clients="yes", waiting_weeks=3, free_places=7, note={"en": "Groups"})
    body = _api(client, service)
    assert body["takes_new_clients"] == "yes"
    places, weeks = body["capacities"]
    assert places["id"] == str(record.pk) and places["service_id"] == str(service.pk)
    assert places["unit"]["identifier"] == "place" and places["available"] == 7
    assert places["description"] == "Groups"
    assert weeks["unit"]["identifier"] == "wk" and weeks["unit"]["scheme"] == "UCUM"
    assert weeks["available"] == 3 and weeks["id"] != places["id"]
    assert places["updated"] == weeks["updated"]
    assert datetime.fromisoformat(places["updated"]) == record.updated_at
    assert "maximum" not in places


def test_api_takes_no_clients_is_zero_places(client: Any) -> None:
    service = ServiceFactory()
    _state(service, takes_new_clients="no")
    body = _api(client, service)
    assert [(c["unit"]["identifier"], c["available"]) for c in body["capacities"]] == [("place", 0)]


def test_api_schema_documents_capacities(client: Any) -> None:
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    detail = components["ServiceDetail"]["properties"]
    assert detail["capacities"]["type"] == "array"
    item = components["ServiceCapacity"]
    assert {"id", "service_id", "unit", "available", "maximum", "description", "updated"} == set(
        item["properties"]
    )
    assert {"id", "unit", "available", "updated"} <= set(item["required"])


def test_demo_capacity_is_seeded_idempotently() -> None:
    import io

    from django.core.management import call_command

    from hyte.accounts.models import UnitCapacity

    call_command("seed_demo", "--no-activity", stdout=io.StringIO())
    counts = (UnitCapacity.objects.count(), ServiceCapacity.objects.count())
    assert counts == (3, 3)
    assert ServiceCapacity.objects.filter(takes_new_clients="no").count() == 1
    assert not UnitCapacity.objects.filter(takes_new_clients="no").exists()
    out = io.StringIO()
    call_command("seed_demo", "--no-activity", stdout=out)
    assert (UnitCapacity.objects.count(), ServiceCapacity.objects.count()) == counts
    assert "Demo capacity" in out.getvalue()


def test_admin_shows_the_capacity_with_a_link(editor_a: Persona, org_a: Organization) -> None:
    service = ServiceFactory(organization=org_a)
    _state(service, takes_new_clients="yes", waiting_weeks=5)
    html = editor_a.client.get(reverse("admin:catalog_service_change", args=[service.pk])).content.decode()
    assert reverse("web:service-capacity", args=[service.pk]) in html and "capacity-full" not in html
