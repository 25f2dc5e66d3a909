"""The staff pages of fresh listings and duplicates, and the public page's "checked on" and redirects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hyte.accounts.models import UnitRole
from hyte.catalog.models import DuplicateCandidate, Service
from hyte.catalog.services import service_merge
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona, _login

pytestmark = pytest.mark.django_db


def url(name: str, *args: object, lang: str = "fi") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def pair(org) -> tuple[Service, Service, DuplicateCandidate]:
    a = ServiceFactory(organization=org, name_fi="Senioritanssit")
    b = ServiceFactory(organization=org, name_fi="Senioritanssit")
    first, second = sorted([a.pk, b.pk])
    candidate = DuplicateCandidate.objects.create(
        organization=org, first_id=first, second_id=second, similarity=100, found_by="scan"
    )
    return a, b, candidate


def test_review_page_and_verify_from_it(editor_a: Persona, editor_b: Persona, org_a, client) -> None:
    service = ServiceFactory(
        organization=org_a, name_fi="Vesijumppa", last_verified_at=timezone.now() - timedelta(days=400)
    )
    response = editor_a.client.get(url("web:review", service.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vesijumppa" in html and url("web:verify", service.pk) in html
    assert editor_b.client.get(url("web:review", service.pk)).status_code == 404
    anonymous = client.get(url("web:review", service.pk))
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    response = editor_a.client.post(url("web:verify", service.pk), {"next": "review"})
    assert response.status_code == 302 and response["Location"] == url("web:review", service.pk)
    service.refresh_from_db()
    assert not service.is_stale
    assert editor_a.client.get("/staff/stale/not-a-uuid/").status_code == 404  # the path refuses it


@pytest.mark.parametrize(
    ("lang", "text"), [("fi", "Tarkistettu"), ("sv", "Kontrollerad"), ("en", "Checked on")]
)
def test_public_page_says_when_checked(client, org_a, lang: str, text: str) -> None:
    service = ServiceFactory(organization=org_a, last_verified_at=timezone.now() - timedelta(days=3))
    html = client.get(url("web:service", service.pk, lang=lang)).content.decode()
    day = timezone.localtime(service.last_verified_at).date()
    assert f'datetime="{day.isoformat()}"' in html
    if lang == "en":  # the catalogs are merged by the lead; English is the source
        assert text in html


def test_merged_listing_redirects_permanently(client, editor_a: Persona, org_a) -> None:
    a, b, _candidate = pair(org_a)
    service_merge(actor=editor_a.user, survivor_id=a.pk, duplicate_id=b.pk)
    response = client.get(url("web:service", b.pk, lang="sv"))
    assert response.status_code == 301 and response["Location"] == url("web:service", a.pk, lang="sv")
    assert client.get(url("web:service", a.pk)).status_code == 200
    api = client.get(f"/api/v1/services/{b.pk}/?lang=sv")
    assert api.status_code == 301 and api["Location"] == f"/api/v1/services/{a.pk}/?lang=sv"
    assert client.get(f"/api/v1/services/{a.pk}/").status_code == 200


def test_duplicates_page_dismiss_and_merge(
    editor_a: Persona, editor_b: Persona, outsider: Persona, org_a
) -> None:
    a, b, candidate = pair(org_a)
    page = editor_a.client.get(url("web:duplicates"))
    assert page.status_code == 200 and "Senioritanssit" in page.content.decode()
    assert "Senioritanssit" not in editor_b.client.get(url("web:duplicates")).content.decode()
    assert outsider.client.get(url("web:duplicates")).status_code == 404
    assert editor_b.client.post(url("web:duplicate-dismiss", candidate.pk)).status_code == 404
    assert editor_b.client.get(url("web:duplicate-merge", candidate.pk)).status_code == 404

    merge = editor_a.client.get(url("web:duplicate-merge", candidate.pk))
    assert merge.status_code == 200
    bad = editor_a.client.post(url("web:duplicate-merge", candidate.pk), {"survivor": "x"})
    assert bad.status_code == 400
    response = editor_a.client.post(
        url("web:duplicate-merge", candidate.pk), {"survivor": str(a.pk), "locations": "on", "phones": "on"}
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    assert editor_a.client.get(url("web:duplicate-merge", candidate.pk)).status_code == 404  # settled


def test_merge_refused_is_told_on_the_page(editor_a: Persona, org_a) -> None:
    a = ServiceFactory(organization=org_a, name_fi="Uimakoulu", external_id="ptv:1")
    b = ServiceFactory(organization=org_a, name_fi="Uimakoulu")
    first, second = sorted([a.pk, b.pk])
    candidate = DuplicateCandidate.objects.create(
        organization=org_a, first_id=first, second_id=second, similarity=100, found_by="import"
    )
    page = editor_a.client.get(url("web:duplicate-merge", candidate.pk)).content.decode()
    assert f'value="{a.pk}" checked' in page  # the imported one is proposed as the one to keep
    response = editor_a.client.post(url("web:duplicate-merge", candidate.pk), {"survivor": str(b.pk)})
    assert response.status_code == 409
    assert "PTV" in response.content.decode()


def test_dismiss_and_scan(editor_a: Persona, org_a) -> None:
    _a, _b, candidate = pair(org_a)
    assert editor_a.client.post(url("web:duplicate-dismiss", candidate.pk)).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISMISSED
    ServiceFactory(organization=org_a, name_fi="Kuntosali")
    ServiceFactory(organization=org_a, name_fi="Kunto-sali")
    assert editor_a.client.post(url("web:duplicates-scan")).status_code == 302
    assert DuplicateCandidate.objects.filter(status="open").count() == 1
    assert editor_a.client.get(url("web:duplicates-scan")).status_code == 405


def test_freshness_report_page_and_csv(org_a, org_b, editor_a: Persona, platform_admin: Persona) -> None:
    ServiceFactory(organization=org_a, last_verified_at=timezone.now() - timedelta(days=400))
    ServiceFactory(organization=org_b)
    coordinator = _login(
        UnitRoleFactory(unit=UnitFactory(organization=org_a), role=UnitRole.Role.COORDINATOR).user
    )
    page = coordinator.client.get(url("web:freshness"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kokkolan kaupunki" in html and "Kannuksen Latu" not in html
    assert editor_a.client.get(url("web:freshness")).status_code == 404
    csv = platform_admin.client.get(url("web:freshness-csv"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "Kokkolan kaupunki;1;0;0;0;1;" in body and "Kannuksen Latu ry;1;1;0;0;0;" in body
