"""Staff admin: an organization's staff edit only their own organization's content."""

from __future__ import annotations

import pytest

from hyte.catalog.models import Location, Service
from hyte.core.models import AuditEvent
from tests.catalog.factories import LocationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def change_url(service: Service) -> str:
    return f"/admin/catalog/service/{service.pk}/change/"


def form_data(service: Service, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": str(service.organization_id),
        "status": service.status,
        "name_fi": service.name_fi,
        "name_sv": service.name_sv,
        "name_en": service.name_en,
        "summary_fi": service.summary_fi,
        "summary_sv": "",
        "summary_en": "",
        "description_fi": "",
        "description_sv": "",
        "description_en": "",
        "plain_summary_fi": "",
        "keywords_fi": "",
        "keywords_sv": "",
        "keywords_en": "",
        "url": "",
        "email": "",
        "cost_description_fi": "",
        "cost_description_sv": "",
        "cost_description_en": "",
        "last_verified_at_0": "1.1.2026",
        "last_verified_at_1": "12:00:00",
        "municipalities": ["272"],
    }
    for prefix in ("service_at_locations", "schedules", "phones", "contacts"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_editor_lists_only_own_services(editor_a, org_a, org_b) -> None:
    ServiceFactory(organization=org_a, name_fi="Oma palvelu")
    ServiceFactory(organization=org_b, name_fi="Toisen palvelu")
    response = editor_a.client.get("/admin/catalog/service/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Oma palvelu" in html and "Toisen palvelu" not in html


def test_editor_edits_own_service_with_audit(editor_a, org_a) -> None:
    service = ServiceFactory(organization=org_a, name_fi="Vanha nimi")
    response = editor_a.client.post(change_url(service), form_data(service, name_fi="Uusi nimi"))
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.name_fi == "Uusi nimi"
    event = AuditEvent.objects.get(action="service.update", object_id=str(service.pk))
    assert event.actor == editor_a.user and "name_fi" in event.details["fields"]


def test_colleague_in_same_organization_may_edit(colleague_a, org_a) -> None:
    service = ServiceFactory(organization=org_a)
    assert colleague_a.client.get(change_url(service)).status_code == 200


def test_editor_cannot_open_or_change_another_organizations_service(editor_a, org_b) -> None:
    other = ServiceFactory(organization=org_b, name_fi="Toisen palvelu")
    response = editor_a.client.get(change_url(other))
    assert response.status_code == 302  # admin says "does not exist" and goes to the index
    response = editor_a.client.post(change_url(other), form_data(other, name_fi="Kaapattu"))
    other.refresh_from_db()
    assert other.name_fi == "Toisen palvelu"
    assert (
        editor_a.client.post(f"/admin/catalog/service/{other.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert Service.objects.filter(pk=other.pk).exists()
    assert not AuditEvent.objects.filter(object_id=str(other.pk)).exists()


def test_editor_cannot_move_a_service_to_another_organization(editor_a, org_a, org_b) -> None:
    service = ServiceFactory(organization=org_a)
    response = editor_a.client.post(change_url(service), form_data(service, organization=str(org_b.pk)))
    assert response.status_code == 200  # the form comes back with an error
    service.refresh_from_db()
    assert service.organization == org_a


def test_editor_cannot_attach_another_organizations_location(editor_a, org_a, org_b) -> None:
    service = ServiceFactory(organization=org_a)
    foreign = LocationFactory(organization=org_b)
    data = form_data(
        service,
        **{"service_at_locations-TOTAL_FORMS": "1", "service_at_locations-0-location": str(foreign.pk)},
    )
    response = editor_a.client.post(change_url(service), data)
    assert response.status_code == 200
    assert not service.service_at_locations.exists()


def test_editor_cannot_see_other_locations_or_organizations(editor_a, org_a, org_b) -> None:
    mine = LocationFactory(organization=org_a)
    theirs = LocationFactory(organization=org_b)
    assert editor_a.client.get(f"/admin/catalog/location/{mine.pk}/change/").status_code == 200
    assert editor_a.client.get(f"/admin/catalog/location/{theirs.pk}/change/").status_code == 302
    assert editor_a.client.get(f"/admin/catalog/organization/{org_a.pk}/change/").status_code == 200
    assert editor_a.client.get(f"/admin/catalog/organization/{org_b.pk}/change/").status_code == 302
    assert editor_a.client.get("/admin/catalog/organization/add/").status_code == 403
    assert Location.objects.count() == 2


def test_staff_without_organization_sees_nothing(outsider, org_a) -> None:
    ServiceFactory(organization=org_a)
    assert outsider.client.get("/admin/catalog/service/").status_code == 403
    assert outsider.client.get("/admin/catalog/service/add/").status_code == 403


def test_editor_cannot_edit_code_lists_or_memberships(editor_a) -> None:
    assert editor_a.client.get("/admin/catalog/municipality/").status_code == 403
    assert editor_a.client.get("/admin/accounts/membership/").status_code == 403
    assert editor_a.client.get("/admin/core/auditevent/").status_code == 403


def test_platform_admin_sees_all(platform_admin, org_a, org_b) -> None:
    ServiceFactory(organization=org_a, name_fi="Aaa")
    ServiceFactory(organization=org_b, name_fi="Bbb")
    html = platform_admin.client.get("/admin/catalog/service/").content.decode()
    assert "Aaa" in html and "Bbb" in html


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/admin/catalog/service/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_entering_a_likely_duplicate_warns_and_can_be_confirmed(editor_a, org_a) -> None:
    place = LocationFactory(organization=org_a, street_address_fi="Rantakatu 5")
    existing = ServiceFactory(organization=org_a, name_fi="Vesijumppa ikäihmisille")
    existing.service_at_locations.create(location=place)
    new = Service(organization=org_a, name_fi="Vesijumppa, ikäihmisille", name_sv="", name_en="")
    data = form_data(new, summary_fi="")
    data.update(
        {
            "service_at_locations-TOTAL_FORMS": "1",
            "service_at_locations-0-location": str(place.pk),
        }
    )
    response = editor_a.client.post("/admin/catalog/service/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vesijumppa ikäihmisille" in html and f"/admin/catalog/service/{existing.pk}/change/" in html
    assert Service.objects.count() == 1
    # Another address: no warning.
    other = LocationFactory(organization=org_a, street_address_fi="Torikatu 1")
    elsewhere = data | {"service_at_locations-0-location": str(other.pk)}
    # Confirmed: saved, and the pair is remembered as not a duplicate.
    response = editor_a.client.post("/admin/catalog/service/add/", data | {"not_a_duplicate": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    from hyte.catalog.models import DuplicateCandidate

    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.DISMISSED
    response = editor_a.client.post(
        "/admin/catalog/service/add/", elsewhere | {"name_fi": "Vesijumppa ikäihmisille"}
    )
    assert response.status_code == 302
    assert Service.objects.count() == 3
