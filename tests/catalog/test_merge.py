"""Merging a duplicate listing into the one kept: everything follows the survivor, nothing is lost, and
bad requests are refused with a clear code."""

# ruff: noqa: F811  (fixtures imported from the attendance tests)

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit
from hyte.attendance.models import GroupYear, Meeting, Pass, PassProgramme, Visit
from hyte.catalog.errors import MergeRefused, ServiceNotFound
from hyte.catalog.models import (
    Contact,
    DuplicateCandidate,
    Event,
    Phone,
    Schedule,
    SearchPosting,
    Service,
    ServiceAtLocation,
)
from hyte.catalog.search.index import index_services
from hyte.catalog.services import MERGE_RELATIONS, MergeChoices, service_merge
from hyte.core.models import AuditEvent
from hyte.referrals.models import Referral
from tests.accounts.factories import MembershipFactory
from tests.attendance.conftest import (  # noqa: F401  (fixtures)
    counsellor_c,
    liiku,
    liiku_pass,
    mark,
    museum,
    other_provider,
    provider,
    ski_track,
    swimming_hall,
    unit_c,
)
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.referrals.test_services import send

pytestmark = pytest.mark.django_db


def relations_to_service() -> set[str]:
    found = set()
    for f in Service._meta.get_fields(include_hidden=True):
        if f.auto_created and not f.concrete and f.related_model is not None:
            if f.related_model._meta.auto_created:  # a many-to-many table of Service's own fields
                continue
            found.add(f"{f.related_model._meta.label}.{f.field.name}")
    return found


def test_every_relation_to_service_is_handled_by_the_merge() -> None:
    """A new ForeignKey or ManyToMany to Service must be added to MERGE_RELATIONS (and service_merge)."""
    assert relations_to_service() == set(MERGE_RELATIONS)


@pytest.fixture
def editor(provider) -> Persona:
    return _login(MembershipFactory(organization=provider, user__username="provider_editor").user)


def test_referrals_follow_the_survivor(
    pro_a_unit: tuple[Persona, Unit, Unit], editor: Persona, museum, swimming_hall
) -> None:
    pro, unit_from, unit_to = pro_a_unit
    referral = send(pro, unit_from, unit_to, service_id=museum.pk)
    service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    referral.refresh_from_db()
    museum.refresh_from_db()
    assert referral.service_id == swimming_hall.pk
    assert museum.merged_into_id == swimming_hall.pk
    assert museum.status == Service.Status.INACTIVE
    assert Referral.objects.filter(service=museum).count() == 0
    merge = AuditEvent.objects.get(action="service.merge")
    assert merge.object_id == str(swimming_hall.pk)
    assert merge.details["moved"]["referrals"] == 1
    assert AuditEvent.objects.filter(action="service.merged_away", object_id=str(museum.pk)).exists()


@pytest.fixture
def pro_a_unit(db: None) -> tuple[Persona, Unit, Unit]:
    from tests.accounts.factories import UnitFactory, UnitRoleFactory

    unit_from, unit_to = UnitFactory(), UnitFactory(receives_referrals=True)
    user = UnitRoleFactory(unit=unit_from, role="professional", user__username="merge_pro").user
    return _login(user), unit_from, unit_to


def test_visit_clash_keeps_one_visit_and_the_count_right(
    counsellor_c: Persona,
    liiku_pass: Pass,
    swimming_hall: Service,
    museum: Service,
    provider,
    editor: Persona,
) -> None:
    desk = _login(MembershipFactory(organization=provider, role="front_desk", user__username="desk2").user)
    today = timezone.localdate()
    mark(desk, liiku_pass, swimming_hall, on=today)
    mark(desk, liiku_pass, museum, on=today)
    Visit.objects.create(
        pass_card=liiku_pass, service=museum, on=today - timedelta(days=1), idempotency_key="k-y"
    )
    Pass.objects.filter(pk=liiku_pass.pk).update(visit_count=3)
    liiku_pass.refresh_from_db()
    assert liiku_pass.visit_count == 3
    result = service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    liiku_pass.refresh_from_db()
    assert liiku_pass.visit_count == 2
    assert Visit.objects.filter(pass_card=liiku_pass, service=swimming_hall).count() == 2
    assert not Visit.objects.filter(service=museum).exists()
    assert result.moved["visits"] == 1 and result.moved["visits_joined"] == 1
    programme = PassProgramme.objects.get(code="liiku")
    assert set(programme.services.values_list("pk", flat=True)) >= {swimming_hall.pk}
    assert museum.pk not in set(programme.services.values_list("pk", flat=True))


def test_an_unconfirmed_visit_gives_way_to_a_confirmed_one(
    liiku_pass: Pass,
    swimming_hall: Service,
    museum: Service,
    editor: Persona,
) -> None:
    today = timezone.localdate()
    Visit.objects.create(
        pass_card=liiku_pass, service=swimming_hall, on=today, confirmed=False, idempotency_key="k-unconf-1"
    )
    kept = Visit.objects.create(pass_card=liiku_pass, service=museum, on=today, idempotency_key="k-conf-1")
    Pass.objects.filter(pk=liiku_pass.pk).update(visit_count=1)
    service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    liiku_pass.refresh_from_db()
    assert liiku_pass.visit_count == 1
    assert list(Visit.objects.filter(pass_card=liiku_pass).values_list("pk", "service_id", "confirmed")) == [
        (kept.pk, swimming_hall.pk, True)
    ]


def test_meetings_group_years_events_and_details_move(
    swimming_hall: Service,
    museum: Service,
    editor: Persona,
) -> None:
    at = timezone.now() - timedelta(days=3)
    Meeting.objects.create(service=swimming_hall, starts_at=at, head_count=10)
    Meeting.objects.create(service=museum, starts_at=at, head_count=9)
    Meeting.objects.create(service=museum, starts_at=at - timedelta(days=7), head_count=8)
    GroupYear.objects.create(service=museum, year=2025, continues=True)
    GroupYear.objects.create(service=swimming_hall, year=2026, continues=True)
    GroupYear.objects.create(service=museum, year=2026, continues=False)
    Event.objects.create(
        external_id="test:1",
        uid="1",
        organization=museum.organization,
        service=museum,
        title="Avoimet ovet",
        starts_at=at,
        ends_at=at,
    )
    place = LocationFactory(organization=museum.organization)
    both = LocationFactory(organization=museum.organization)
    ServiceAtLocation.objects.create(service=museum, location=place)
    ServiceAtLocation.objects.create(service=museum, location=both)
    ServiceAtLocation.objects.create(service=swimming_hall, location=both)
    Phone.objects.create(service=museum, number="040 123 4567")
    Phone.objects.create(service=swimming_hall, number="0401234567")
    Phone.objects.create(service=museum, number="06 828 9111")
    Contact.objects.create(service=museum, name="Neuvonta")
    Schedule.objects.create(service=museum, weekday=1, opens_at=time(9), closes_at=time(12))
    service_merge(
        actor=editor.user,
        survivor_id=swimming_hall.pk,
        duplicate_id=museum.pk,
        choices=MergeChoices(contacts=False),
    )
    assert sorted(Meeting.objects.filter(service=swimming_hall).values_list("head_count", flat=True)) == [
        8,
        10,
    ]
    assert sorted(GroupYear.objects.filter(service=swimming_hall).values_list("year", "continues")) == [
        (2025, True),
        (2026, True),
    ]
    assert Event.objects.get(external_id="test:1").service_id == swimming_hall.pk
    assert set(swimming_hall.locations.values_list("pk", flat=True)) == {place.pk, both.pk}
    assert sorted(swimming_hall.phones.values_list("number", flat=True)) == ["0401234567", "06 828 9111"]
    assert swimming_hall.schedules.count() == 1
    assert swimming_hall.contacts.count() == 0 and museum.contacts.count() == 1  # not chosen: stays


def test_search_index_drops_the_duplicate(
    swimming_hall: Service, museum: Service, editor: Persona, django_capture_on_commit_callbacks
) -> None:
    index_services([swimming_hall.pk, museum.pk])
    assert SearchPosting.objects.filter(service_id=museum.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    assert not SearchPosting.objects.filter(service_id=museum.pk).exists()
    assert SearchPosting.objects.filter(service_id=swimming_hall.pk).exists()


def test_refusals(swimming_hall: Service, museum: Service, ski_track: Service, editor: Persona) -> None:
    with pytest.raises(MergeRefused) as exc:
        service_merge(actor=editor.user, survivor_id=museum.pk, duplicate_id=museum.pk)
    assert exc.value.code == "merge_into_itself"
    # The other organization's service is "not found" for this editor.
    with pytest.raises(ServiceNotFound):
        service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=ski_track.pk)
    # Someone who edits both organizations is still refused: duplicates are of one organization.
    two = MembershipFactory(organization=swimming_hall.organization, user__username="two_orgs").user
    MembershipFactory(organization=ski_track.organization, user=two)
    with pytest.raises(MergeRefused) as exc:
        service_merge(actor=two, survivor_id=swimming_hall.pk, duplicate_id=ski_track.pk)
    assert exc.value.code == "merge_other_organization"
    service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    with pytest.raises(MergeRefused) as exc:
        service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    assert exc.value.code == "already_merged"
    with pytest.raises(MergeRefused) as exc:
        service_merge(actor=editor.user, survivor_id=museum.pk, duplicate_id=swimming_hall.pk)
    assert exc.value.code == "survivor_merged"
    with pytest.raises(Exception) as malformed:
        service_merge(actor=editor.user, survivor_id="not-a-uuid", duplicate_id=museum.pk)
    assert getattr(malformed.value, "code", "") == "malformed_id"


def test_an_imported_listing_is_never_merged_away(editor: Persona, provider) -> None:
    local = ServiceFactory(organization=provider, name_fi="Uimakoulu")
    imported = ServiceFactory(organization=provider, name_fi="Uimakoulu", external_id="ptv:0001")
    with pytest.raises(MergeRefused) as exc:
        service_merge(actor=editor.user, survivor_id=local.pk, duplicate_id=imported.pk)
    assert exc.value.code == "merge_imported_duplicate"
    imported.refresh_from_db()
    assert imported.status == Service.Status.ACTIVE and imported.merged_into_id is None
    service_merge(actor=editor.user, survivor_id=imported.pk, duplicate_id=local.pk)  # the other way works


def test_merge_is_one_transaction(
    editor: Persona, swimming_hall: Service, museum: Service, monkeypatch
) -> None:
    """A failure halfway leaves everything as it was."""
    Event.objects.create(
        external_id="test:2",
        uid="2",
        organization=museum.organization,
        service=museum,
        title="x",
        starts_at=timezone.now(),
        ends_at=timezone.now(),
    )
    import hyte.catalog.services as catalog_services

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stop")

    monkeypatch.setattr(catalog_services, "_merge_details", boom)
    with pytest.raises(RuntimeError):
        service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    assert Event.objects.get(external_id="test:2").service_id == museum.pk
    museum.refresh_from_db()
    assert museum.merged_into_id is None


def test_merge_settles_candidates_and_repoints_earlier_merges(editor: Persona, provider) -> None:
    a, b, c = (ServiceFactory(organization=provider, name_fi=f"Kerho {n}") for n in "abc")
    service_merge(actor=editor.user, survivor_id=b.pk, duplicate_id=c.pk)
    first, second = sorted([a.pk, b.pk])
    DuplicateCandidate.objects.create(
        organization=provider, first_id=first, second_id=second, similarity=90, found_by="scan"
    )
    service_merge(actor=editor.user, survivor_id=a.pk, duplicate_id=b.pk)
    c.refresh_from_db()
    assert c.merged_into_id == a.pk
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.MERGED


def test_cross_organization_editor_gets_not_found(provider) -> None:
    other_editor = _login(MembershipFactory(organization=OrganizationFactory()).user)
    a = ServiceFactory(organization=provider)
    b = ServiceFactory(organization=provider)
    with pytest.raises(ServiceNotFound):
        service_merge(actor=other_editor.user, survivor_id=a.pk, duplicate_id=b.pk)


def test_capacity_and_feedback_follow_the_survivor(editor: Persona, museum, swimming_hall, provider) -> None:
    """The duplicate's capacity moves when the survivor states none; anonymous feedback answers about
    the duplicate count for the survivor afterwards."""
    from datetime import date

    from hyte.catalog.models import ServiceCapacity
    from hyte.feedback.models import FeedbackAnswer

    ServiceCapacity.objects.create(service=museum, takes_new_clients="no")
    FeedbackAnswer.objects.create(
        about="meeting",
        organization=provider,
        service=museum,
        rating=4,
        recommend="yes",
        language="fi",
        submitted_on=date(2026, 1, 5),
    )
    service_merge(actor=editor.user, survivor_id=swimming_hall.pk, duplicate_id=museum.pk)
    assert ServiceCapacity.objects.get(service=swimming_hall).takes_new_clients == "no"
    assert FeedbackAnswer.objects.filter(service=swimming_hall).count() == 1
    moved = AuditEvent.objects.get(action="service.merge").details["moved"]
    assert moved["capacity"] == 1 and moved["feedback_answers"] == 1
