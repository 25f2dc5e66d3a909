"""The pass and group pages: issue from a pathway, print, the holder's phone view, groups, CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hyte.accounts.models import Membership, Unit
from hyte.attendance import services
from hyte.attendance.models import Meeting, Pass, PassProgramme, Visit
from hyte.catalog.models import Service
from tests.accounts.factories import UserFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login
from tests.pathways.conftest import walk_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=args)


@pytest.fixture
def hall(db: None) -> Service:
    service = ServiceFactory(
        name_fi="Uimahalli", organization=OrganizationFactory(name_fi="Kokkolan kaupunki")
    )
    PassProgramme.objects.get(code="liiku").services.add(service)
    return service


@pytest.fixture
def desk(hall: Service) -> Persona:
    user = UserFactory(username="kassa")
    Membership.objects.create(user=user, organization=hall.organization, role=Membership.Role.FRONT_DESK)
    return _login(user)


def test_issue_from_a_pathway_print_and_list(counsellor_c: Persona, pro_a: Persona, unit_c: Unit) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    assert pro_a.client.get(url("passes")).status_code == 200  # a professional of another unit: empty
    page = counsellor_c.client.get(url("passes"), {"pathway": str(pathway.pk)})
    assert page.status_code == 200 and 'name="programme"' in page.content.decode()
    response = counsellor_c.client.post(
        f"{url('passes')}?pathway={pathway.pk}",
        {"programme": "liiku", "unit": str(unit_c.pk), "pathway": str(pathway.pk)},
    )
    card = Pass.objects.get()
    assert response.status_code == 302 and response["Location"] == url("pass-card", card.pk)
    printed = counsellor_c.client.get(url("pass-card", card.pk)).content.decode()
    assert "<svg" in printed and card.token in printed
    listing = counsellor_c.client.get(url("passes")).content.decode()
    assert "Ville Virtanen" in listing
    assert "Ville" not in pro_a.client.get(url("passes")).content.decode()
    assert pro_a.client.get(url("pass-card", card.pk)).status_code == 404
    export = counsellor_c.client.get(url("passes-csv")).content.decode()
    assert str(card.client.pseudonym) in export and "Virtanen" not in export


def test_the_holders_phone_view(
    counsellor_c: Persona, unit_c: Unit, hall: Service, desk: Persona, client: Any
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    card = services.pass_issue(
        actor=counsellor_c.user,
        data=services.PassIssue(programme="liiku", unit_id=unit_c.pk, pathway_id=pathway.pk),
    )
    page = client.get(url("holder-pass", card.token))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "Uimahalli" in body
    assert "Virtanen" not in body and str(card.client_id) not in body
    assert client.get(url("holder-pass", "not-a-token")).status_code == 404
    today = timezone.localdate()
    reported = client.post(
        url("holder-pass", card.token),
        {"service": str(hall.pk), "on": today.isoformat(), "key": "self-report-1"},
    )
    assert reported.status_code == 302
    visit = Visit.objects.get()
    assert (visit.source, visit.confirmed) == ("self_report", False)
    future = client.post(
        url("holder-pass", card.token),
        {"service": str(hall.pk), "on": (today + timedelta(days=1)).isoformat(), "key": "self-report-2"},
    )
    assert future.status_code == 400 and Visit.objects.count() == 1


def test_groups_page_records_a_meeting(desk: Persona, hall: Service, counsellor_c: Persona) -> None:
    assert counsellor_c.client.get(url("groups")).status_code == 403
    # The export is refused like the page (not an empty file), and the desk cannot export passes.
    assert counsellor_c.client.get(url("meetings-csv")).status_code == 403
    assert desk.client.get(url("passes-csv")).status_code == 403
    started = timezone.localtime() - timedelta(hours=2)
    data = {
        "service": str(hall.pk),
        "starts_at": started.strftime("%Y-%m-%dT%H:%M"),
        "head_count": "14",
        "new_visitors": "3",
    }
    assert desk.client.post(url("groups"), data).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.head_count, meeting.new_visitors) == (14, 3)
    again = desk.client.post(url("groups"), data)
    assert again.status_code == 400 and 'role="alert"' in again.content.decode()
    bad = desk.client.post(url("groups"), data | {"head_count": "-1", "starts_at": "2020-01-01T10:00"})
    assert bad.status_code == 400 and Meeting.objects.count() == 1
    page = desk.client.get(url("groups")).content.decode()
    assert "Uimahalli" in page and "14" in page
    export = desk.client.get(url("meetings-csv")).content.decode()
    assert "Uimahalli" in export and ";14;3;" in export


def test_rewards_are_handed_out_once_from_the_pass_page(
    counsellor_c: Persona, unit_c: Unit, hall: Service, desk: Persona
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    card = services.pass_issue(
        actor=counsellor_c.user,
        data=services.PassIssue(programme="liiku", unit_id=unit_c.pk, pathway_id=pathway.pk),
    )
    Pass.objects.filter(pk=card.pk).update(visit_count=19)
    marked = services.visit_mark(actor=desk.user, token=card.token, service_id=hall.pk, key="twentieth-visit")
    assert marked.reward is not None and marked.visits == 20
    page = counsellor_c.client.get(url("pass-card", card.pk)).content.decode()
    hand_out = url("reward-hand-out", marked.reward.pk)
    assert hand_out in page
    assert counsellor_c.client.post(hand_out, {"next": url("pass-card", card.pk)}).status_code == 302
    again = counsellor_c.client.post(hand_out, {"next": "https://evil.example/"}, follow=True)
    assert again.redirect_chain[-1][0] == url("passes")  # never off the site
    marked.reward.refresh_from_db()
    assert marked.reward.handed_out_by == counsellor_c.user


def test_the_desk_confirms_reported_visits(
    counsellor_c: Persona, unit_c: Unit, hall: Service, desk: Persona
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    card = services.pass_issue(
        actor=counsellor_c.user,
        data=services.PassIssue(
            programme="liiku",
            unit_id=unit_c.pk,
            pathway_id=pathway.pk,
            issued_on=timezone.localdate() - timedelta(days=1),
        ),
    )
    today = timezone.localdate()
    first = services.visit_self_report(token=card.token, service_id=hall.pk, key="reported-1", on=today)
    second = services.visit_self_report(
        token=card.token, service_id=hall.pk, key="reported-2", on=today - timedelta(days=1)
    )
    assert counsellor_c.client.get(url("visits-unconfirmed")).status_code == 403
    page = desk.client.get(url("visits-unconfirmed")).content.decode()
    assert "Uimahalli" in page and "Virtanen" not in page
    desk.client.post(url("visits-unconfirmed"), {"visit": str(first.pk), "accept": "1"})
    desk.client.post(url("visits-unconfirmed"), {"visit": str(second.pk), "accept": "0"})
    assert list(Visit.objects.values_list("pk", "confirmed")) == [(first.pk, True)]
    assert Pass.objects.get().visit_count == 1


def test_meeting_breakdowns_and_continuation(desk: Persona, hall: Service) -> None:
    from hyte.attendance.models import GroupYear

    started = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    base = {"service": str(hall.pk), "starts_at": started, "head_count": "10"}
    wrong = desk.client.post(url("groups"), base | {"age_18_29": "4", "age_65": "5"})
    assert wrong.status_code == 400 and not Meeting.objects.exists()  # 9, not 10
    organiser = hall.organization
    ok = desk.client.post(
        url("groups"),
        base | {"age_18_29": "4", "age_65": "6", "women": "7", "men": "3", "leaders": [str(organiser.pk)]},
    )
    assert ok.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.by_age == {"0-17": 0, "18-29": 4, "30-64": 0, "65+": 6}
    assert meeting.by_gender == {"female": 7, "male": 3, "other": 0}
    assert list(meeting.leaders.all()) == [organiser]
    year = timezone.localdate().year
    desk.client.post(
        url("groups"), {"form": "year", "service": str(hall.pk), "year": str(year), "continues": "on"}
    )
    assert GroupYear.objects.get(service=hall, year=year).continues is True
