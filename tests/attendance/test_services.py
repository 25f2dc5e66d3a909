"""The attendance services and selectors: who issues a pass and from what, the desk's one mark per pass,
service and day (idempotent by key), rewards, self-reports and their confirmation, the non-user flag,
group meetings, the personal data log, and two desks marking at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from hyte.accounts.models import Membership, Unit
from hyte.attendance import selectors, services
from hyte.attendance.errors import AlreadyMarked, PassNotUsable, RewardHandedOut, UnknownPass
from hyte.attendance.models import GroupYear, Meeting, Pass, PassProgramme, Reward, Visit
from hyte.catalog.models import Organization, Service
from hyte.core.errors import DomainError, InvalidParameter, NotFoundForUser, PermissionDenied
from hyte.core.models import PersonalDataLog
from hyte.core.personal_log import verify_personal_data_log
from hyte.pathways.errors import PathwayNotFound
from hyte.referrals.errors import ReferralNotFound
from tests.accounts.factories import MembershipFactory
from tests.attendance.conftest import issue, mark, new_key
from tests.conftest import Persona
from tests.pathways.conftest import accepted_referral, days_ago, walk_in
from tests.referrals.conftest import client_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def count(card: Pass) -> int:
    return Pass.objects.get(pk=card.pk).visit_count


def seed_visits(card: Pass, service: Service, n: int) -> None:
    """``n`` confirmed visits stored directly (older days), as if marked before."""
    Visit.objects.bulk_create(
        Visit(pass_card=card, service=service, on=days_ago(10 + i), idempotency_key=new_key())
        for i in range(n)
    )
    Pass.objects.filter(pk=card.pk).update(visit_count=n)


# --- issuing ---


def test_a_pass_from_a_pathway_takes_its_client(
    counsellor_c: Persona, unit_c: Unit, liiku: PassProgramme
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    card = issue(counsellor_c, unit_c, pathway_id=pathway.pk)
    assert card.client_id == pathway.client_id and card.pathway_id == pathway.pk and card.referral_id is None
    assert card.unit_id == unit_c.pk and card.issued_by_id == counsellor_c.user.pk
    assert card.issued_on == TODAY() and card.valid_until == TODAY() + timedelta(days=365)
    assert card.status == Pass.Status.ACTIVE and card.visit_count == 0


def test_a_pass_from_a_referral(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit, liiku: PassProgramme
) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    for persona, unit in ((pro_a, unit_a), (counsellor_c, unit_c)):
        card = issue(persona, unit, referral_id=referral.pk)
        assert card.client_id == referral.client_id and card.referral_id == referral.pk
        assert card.unit_id == unit.pk


def test_a_pass_with_client_details(pro_a: Persona, unit_a: Unit, liiku: PassProgramme) -> None:
    card = issue(pro_a, unit_a, client=client_data())
    assert card.client.first_name == "Maija" and card.client.hetu_hash


def test_the_token_is_random_and_says_nothing_of_the_client(
    pro_a: Persona, unit_a: Unit, liiku: PassProgramme
) -> None:
    cards = [issue(pro_a, unit_a, client=client_data()) for _ in range(5)]
    tokens = {card.token for card in cards}
    assert len(tokens) == 5  # the same client gets a new token each time
    for token in tokens:
        assert len(token) >= 20
        folded = token.lower()
        for part in ("maija", "meik", "131052", "308t", str(cards[0].client_id)[:8]):
            assert part not in folded
    assert {card.client_id for card in cards} == {cards[0].client_id}


def test_only_the_programmes_issuers_in_the_unit_may_issue(
    pro_a: Persona,
    pro_b: Persona,
    coordinator: Persona,
    counsellor_c: Persona,
    desk: Persona,
    unit_a: Unit,
    unit_c: Unit,
    liiku: PassProgramme,
    exercise_card: PassProgramme,
) -> None:
    for persona, unit, programme in (
        (coordinator, unit_a, "liiku"),  # a coordinator sees figures only
        (pro_b, unit_a, "liiku"),  # another unit's professional
        (counsellor_c, unit_a, "liiku"),  # a role, but in another unit
        (desk, unit_a, "liiku"),  # a front desk has no unit role
        (pro_a, unit_a, "exercise_card"),  # the exercise card is for receivers only
    ):
        with pytest.raises(PermissionDenied) as error:
            issue(persona, unit, programme, client=client_data())
        assert error.value.http_status == 403
    assert not Pass.objects.exists()
    assert issue(counsellor_c, unit_c, "exercise_card").programme_id == "exercise_card"


def test_another_units_pathway_or_referral_is_not_found(
    pro_a: Persona,
    counsellor_c: Persona,
    counsellor_d: Persona,
    unit_a: Unit,
    unit_c: Unit,
    unit_d: Unit,
    liiku: PassProgramme,
) -> None:
    pathway = walk_in(counsellor_c, unit_c)
    with pytest.raises(PathwayNotFound):
        issue(counsellor_d, unit_d, pathway_id=pathway.pk)
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    with pytest.raises(ReferralNotFound):
        issue(counsellor_d, unit_d, referral_id=referral.pk)
    assert not Pass.objects.exists()


def test_bad_issue_requests(pro_a: Persona, unit_a: Unit, liiku: PassProgramme) -> None:
    with pytest.raises(InvalidParameter) as error:
        issue(pro_a, unit_a, "no_such_programme", client=client_data())
    assert error.value.details == {"field": "programme"}
    PassProgramme.objects.filter(code="liiku").update(active=False)
    with pytest.raises(InvalidParameter):
        issue(pro_a, unit_a, "liiku", client=client_data())
    PassProgramme.objects.filter(code="liiku").update(active=True)
    with pytest.raises(InvalidParameter) as error:
        services.pass_issue(actor=pro_a.user, data=services.PassIssue(programme="liiku", unit_id=unit_a.pk))
    assert error.value.details == {"field": "referral"}
    with pytest.raises(InvalidParameter) as error:
        issue(pro_a, unit_a, client=client_data(), issued_on=TODAY() + timedelta(days=1))
    assert error.value.details == {"field": "issued_on"}
    with pytest.raises(InvalidParameter) as error:
        services.pass_issue(
            actor=pro_a.user,
            data=services.PassIssue(programme="liiku", unit_id="not-a-uuid", client=client_data()),
        )
    assert error.value.details == {"field": "unit"}
    assert not Pass.objects.exists()


def test_the_holder_list_shows_only_my_units_passes(
    pro_a: Persona,
    counsellor_c: Persona,
    counsellor_d: Persona,
    desk: Persona,
    unit_a: Unit,
    unit_c: Unit,
    liiku: PassProgramme,
) -> None:
    mine = issue(counsellor_c, unit_c)
    theirs = issue(pro_a, unit_a, client=client_data())
    since, until = days_ago(30), TODAY()
    assert [h.card for h in selectors.pass_holders(actor=counsellor_c.user, since=since, until=until)] == [
        mine
    ]
    assert [h.card for h in selectors.pass_holders(actor=pro_a.user, since=since, until=until)] == [theirs]
    for persona in (counsellor_d, desk):
        assert selectors.pass_holders(actor=persona.user, since=since, until=until) == []


def test_withdrawing(
    counsellor_c: Persona, counsellor_d: Persona, desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    for persona in (counsellor_d, desk):
        with pytest.raises(NotFoundForUser):
            services.pass_withdraw(actor=persona.user, pass_id=liiku_pass.pk, reason="Muutti pois")
    with pytest.raises(NotFoundForUser):
        services.pass_withdraw(actor=counsellor_c.user, pass_id="not-a-uuid", reason="Muutti pois")
    with pytest.raises(InvalidParameter):
        services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="  ")
    with pytest.raises(InvalidParameter):
        services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="x" * 501)
    card = services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Muutti pois")
    assert (
        card.status == Pass.Status.WITHDRAWN and card.withdrawn_at and card.withdrawal_reason == "Muutti pois"
    )
    with pytest.raises(PassNotUsable):
        services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Taas")
    with pytest.raises(PassNotUsable):
        mark(desk, liiku_pass, swimming_hall)


# --- marking visits ---


def test_a_mark_and_the_same_mark_again(desk: Persona, liiku_pass: Pass, swimming_hall: Service) -> None:
    key = new_key()
    first = mark(desk, liiku_pass, swimming_hall, key)
    assert not first.repeated and first.visits == 1 and first.reward is None
    assert first.visit.confirmed and first.visit.marked_by_id == desk.user.pk and first.visit.on == TODAY()
    again = mark(desk, liiku_pass, swimming_hall, key)
    assert again.repeated and again.visits == 1 and again.visit.pk == first.visit.pk
    assert count(liiku_pass) == 1 and Visit.objects.count() == 1


def test_one_mark_per_pass_service_and_day(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    mark(desk, liiku_pass, swimming_hall)
    with pytest.raises(AlreadyMarked) as error:
        mark(desk, liiku_pass, swimming_hall)
    assert error.value.http_status == 409
    assert mark(desk, liiku_pass, museum).visits == 2  # another service the same day
    assert mark(desk, liiku_pass, swimming_hall, on=days_ago(1)).visits == 3  # the same service another day
    assert count(liiku_pass) == 3 and Visit.objects.count() == 3


def test_services_the_pass_does_not_cover_or_the_desk_does_not_provide(
    desk: Persona,
    other_desk: Persona,
    counsellor_c: Persona,
    liiku_pass: Pass,
    gym: Service,
    ski_track: Service,
    swimming_hall: Service,
) -> None:
    with pytest.raises(PassNotUsable):
        mark(desk, liiku_pass, gym)
    with pytest.raises(NotFoundForUser):
        mark(desk, liiku_pass, ski_track)  # another organization's service
    with pytest.raises(NotFoundForUser):
        mark(other_desk, liiku_pass, swimming_hall)
    with pytest.raises(NotFoundForUser):
        mark(counsellor_c, liiku_pass, swimming_hall)  # an issuer is no desk
    with pytest.raises(NotFoundForUser):
        services.visit_mark(actor=desk.user, token=liiku_pass.token, service_id="nonsense", key=new_key())
    assert mark(other_desk, liiku_pass, ski_track).visits == 1
    assert count(liiku_pass) == 1


def test_an_editor_of_the_provider_may_mark(
    provider: Organization, liiku_pass: Pass, museum: Service
) -> None:
    editor = MembershipFactory(organization=provider, role=Membership.Role.EDITOR).user
    coordinator = MembershipFactory(organization=provider, role=Membership.Role.COORDINATOR).user
    assert (
        services.visit_mark(actor=editor, token=liiku_pass.token, service_id=museum.pk, key=new_key()).visits
        == 1
    )
    with pytest.raises(NotFoundForUser):
        services.visit_mark(actor=coordinator, token=liiku_pass.token, service_id=museum.pk, key=new_key())


def test_unknown_withdrawn_and_expired_passes(
    desk: Persona, counsellor_c: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    for token in ("x" * 22, "", "   ", "x" * 33, liiku_pass.token + "x"):
        with pytest.raises(UnknownPass) as error:
            services.visit_mark(actor=desk.user, token=token, service_id=swimming_hall.pk, key=new_key())
        assert error.value.http_status == 404
    with pytest.raises(PassNotUsable):  # before the pass was issued
        mark(desk, liiku_pass, swimming_hall, on=days_ago(1))
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(400), valid_until=days_ago(1))
    with pytest.raises(PassNotUsable) as error:
        mark(desk, liiku_pass, swimming_hall)
    assert error.value.http_status == 409
    assert mark(desk, liiku_pass, swimming_hall, on=days_ago(1)).visits == 1  # was valid that day
    Pass.objects.filter(pk=liiku_pass.pk).update(valid_until=TODAY())
    services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Ei enää tarvetta")
    with pytest.raises(PassNotUsable):
        mark(desk, liiku_pass, museum)
    assert count(liiku_pass) == 1


def test_the_day_of_a_mark(desk: Persona, liiku_pass: Pass, swimming_hall: Service) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    for on in (TODAY() + timedelta(days=1), days_ago(8)):
        with pytest.raises(InvalidParameter) as error:
            mark(desk, liiku_pass, swimming_hall, on=on)
        assert error.value.details == {"field": "on"}
    assert mark(desk, liiku_pass, swimming_hall, on=days_ago(7)).visits == 1


def test_bad_keys(
    desk: Persona, other_desk: Persona, liiku_pass: Pass, ski_track: Service, swimming_hall: Service
) -> None:
    bad = ["short", "", "with space", "ääääääääää", "k" * 65, "drop;table", "a/b/c/d/e/f", None, 12345678]
    bad += ["abcdefgh\n", "k" * 64 + "\n"]  # "$" would match before a final newline
    for key in bad:
        with pytest.raises(InvalidParameter) as error:
            services.visit_mark(actor=desk.user, token=liiku_pass.token, service_id=swimming_hall.pk, key=key)  # type: ignore[arg-type]
        assert error.value.details == {"field": "key"}
    key = new_key()
    mark(desk, liiku_pass, swimming_hall, key)
    with pytest.raises(InvalidParameter) as error:
        mark(other_desk, liiku_pass, ski_track, key)  # someone else's key
    assert error.value.details == {"field": "key"}
    assert count(liiku_pass) == 1 and Visit.objects.count() == 1


# --- rewards ---


def test_the_twentieth_visit_earns_a_reward_handed_out_once(
    desk: Persona,
    counsellor_c: Persona,
    counsellor_d: Persona,
    liiku_pass: Pass,
    swimming_hall: Service,
    museum: Service,
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    # 16 marks at the desk (two services, eight days) and three self-reports it confirms: 19 visits.
    with translation.override("en"):
        for n in range(8):
            for service in (swimming_hall, museum):
                assert mark(desk, liiku_pass, service, on=days_ago(n)).reward is None
        for n in range(8, 11):
            visit = services.visit_self_report(
                token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=days_ago(n)
            )
            services.visit_confirm(actor=desk.user, visit_id=visit.pk)
        assert count(liiku_pass) == 19 and not Reward.objects.exists()
        # the 20th, confirmed
        visit = services.visit_self_report(
            token=liiku_pass.token, service_id=museum.pk, key=new_key(), on=days_ago(11)
        )
        services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    assert count(liiku_pass) == 20
    reward = Reward.objects.get()
    assert (reward.pass_card_id, reward.number, reward.text) == (liiku_pass.pk, 1, "Two cinema tickets")
    assert [r.pk for r in selectors.rewards_waiting_for_token(liiku_pass.token)] == [reward.pk]
    [holder] = selectors.pass_holders(actor=counsellor_c.user, since=days_ago(30), until=TODAY())
    assert holder.rewards_waiting == 1 and holder.visits_in_period == 20

    with pytest.raises(NotFoundForUser):
        services.reward_hand_out(actor=counsellor_d.user, reward_id=reward.pk)
    with pytest.raises(NotFoundForUser):
        services.reward_hand_out(actor=desk.user, reward_id="nonsense")
    handed = services.reward_hand_out(actor=desk.user, reward_id=reward.pk)
    assert handed.handed_out_at and handed.handed_out_by_id == desk.user.pk
    with pytest.raises(RewardHandedOut) as error:
        services.reward_hand_out(actor=counsellor_c.user, reward_id=reward.pk)
    assert error.value.http_status == 409
    assert Reward.objects.get().handed_out_by_id == desk.user.pk
    assert not selectors.rewards_waiting_for_token(liiku_pass.token).exists()


def test_a_reward_at_the_desk_and_every_twentieth_after(
    desk: Persona, counsellor_c: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(30))
    seed_visits(liiku_pass, museum, 19)
    with translation.override("en"):
        marked = mark(desk, liiku_pass, swimming_hall)
    assert marked.visits == 20 and marked.reward is not None
    assert (marked.reward.number, marked.reward.text) == (1, "Two cinema tickets")
    assert services.reward_hand_out(actor=counsellor_c.user, reward_id=marked.reward.pk).handed_out_by_id == (
        counsellor_c.user.pk
    )
    Pass.objects.filter(pk=liiku_pass.pk).update(visit_count=39)
    marked = mark(desk, liiku_pass, museum)
    assert marked.visits == 40 and marked.reward is not None and marked.reward.number == 2
    assert mark(desk, liiku_pass, swimming_hall, on=days_ago(1)).reward is None


def test_no_reward_for_a_programme_without_one(
    counsellor_c: Persona, desk: Persona, unit_c: Unit, exercise_card: PassProgramme, swimming_hall: Service
) -> None:
    card = issue(counsellor_c, unit_c, "exercise_card")
    seed_visits(card, swimming_hall, 19)
    assert mark(desk, card, swimming_hall).reward is None and not Reward.objects.exists()


# --- self-reports ---


def test_a_self_report_counts_when_the_desk_confirms_it(
    desk: Persona, other_desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    key = new_key()
    visit = services.visit_self_report(
        token=liiku_pass.token, service_id=swimming_hall.pk, key=key, on=TODAY()
    )
    assert not visit.confirmed and visit.source == Visit.Source.SELF_REPORT and visit.marked_by_id is None
    assert (
        services.visit_self_report(
            token=liiku_pass.token, service_id=swimming_hall.pk, key=key, on=TODAY()
        ).pk
        == visit.pk
    )  # sent twice
    assert count(liiku_pass) == 0 and Visit.objects.count() == 1
    assert list(selectors.unconfirmed_visits(actor=desk.user)) == [visit]
    assert not selectors.unconfirmed_visits(actor=other_desk.user).exists()

    with pytest.raises(NotFoundForUser):
        services.visit_confirm(actor=other_desk.user, visit_id=visit.pk)
    with pytest.raises(NotFoundForUser):
        services.visit_confirm(actor=desk.user, visit_id="nonsense")
    confirmed = services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    assert confirmed is not None and confirmed.confirmed and confirmed.confirmed_by_id == desk.user.pk
    assert count(liiku_pass) == 1
    with pytest.raises(AlreadyMarked) as error:
        services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    assert error.value.http_status == 409
    assert count(liiku_pass) == 1 and not selectors.unconfirmed_visits(actor=desk.user).exists()


def test_a_rejected_self_report_is_deleted(desk: Persona, liiku_pass: Pass, museum: Service) -> None:
    visit = services.visit_self_report(
        token=liiku_pass.token, service_id=museum.pk, key=new_key(), on=TODAY()
    )
    assert services.visit_confirm(actor=desk.user, visit_id=visit.pk, accept=False) is None
    assert not Visit.objects.exists() and count(liiku_pass) == 0
    with pytest.raises(NotFoundForUser):
        services.visit_confirm(actor=desk.user, visit_id=visit.pk)


def test_a_confirmed_desk_mark_cannot_be_confirmed_again(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    visit = mark(desk, liiku_pass, swimming_hall).visit
    with pytest.raises(AlreadyMarked):
        services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    with pytest.raises(AlreadyMarked):
        services.visit_confirm(actor=desk.user, visit_id=visit.pk, accept=False)
    assert count(liiku_pass) == 1 and Visit.objects.count() == 1


def test_bad_self_reports(
    liiku_pass: Pass, gym: Service, swimming_hall: Service, counsellor_c: Persona
) -> None:
    Pass.objects.filter(pk=liiku_pass.pk).update(issued_on=days_ago(60))
    report = services.visit_self_report
    with pytest.raises(PassNotUsable):
        report(token=liiku_pass.token, service_id=gym.pk, key=new_key(), on=TODAY())
    with pytest.raises(UnknownPass):
        report(token="y" * 22, service_id=swimming_hall.pk, key=new_key(), on=TODAY())
    for on in (TODAY() + timedelta(days=1), days_ago(32)):
        with pytest.raises(InvalidParameter):
            report(token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=on)
    with pytest.raises(InvalidParameter):
        report(token=liiku_pass.token, service_id=swimming_hall.pk, key="bad key", on=TODAY())
    with pytest.raises(InvalidParameter):
        report(token=liiku_pass.token, service_id="nonsense", key=new_key(), on=TODAY())
    report(token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=TODAY())
    with pytest.raises(AlreadyMarked):
        report(token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=TODAY())
    services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Muutti pois")
    with pytest.raises(PassNotUsable):
        report(token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=days_ago(1))
    assert Visit.objects.count() == 1 and count(liiku_pass) == 0


# --- non-users ---


def test_non_users_of_an_exercise_card_are_flagged(
    counsellor_c: Persona,
    desk: Persona,
    unit_c: Unit,
    exercise_card: PassProgramme,
    swimming_hall: Service,
    museum: Service,
) -> None:
    idle = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(40))
    mark(desk, idle, swimming_hall)
    fresh = issue(counsellor_c, unit_c, "exercise_card")  # within the grace period, no visits
    busy = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(40))
    for n in (0, 1):
        for service in (swimming_hall, museum):
            mark(desk, busy, service, on=days_ago(n))
    old_visits = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(60))
    Visit.objects.bulk_create(  # four visits, but more than 30 days ago
        Visit(pass_card=old_visits, service=swimming_hall, on=days_ago(35 + n), idempotency_key=new_key())
        for n in range(4)
    )
    gone = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(40))
    services.pass_withdraw(actor=counsellor_c.user, pass_id=gone.pk, reason="Muutti pois")
    liiku_card = issue(counsellor_c, unit_c, "liiku", issued_on=days_ago(40))  # no obligation
    holders = {
        h.card.pk: h
        for h in selectors.pass_holders(actor=counsellor_c.user, since=days_ago(30), until=TODAY())
    }
    flags = {pk: h.non_user for pk, h in holders.items()}
    assert flags == {
        idle.pk: True,
        fresh.pk: False,
        busy.pk: False,
        old_visits.pk: True,
        gone.pk: False,
        liiku_card.pk: False,
    }
    assert holders[busy.pk].visits_in_period == 4 and holders[idle.pk].visits_in_period == 1
    assert holders[old_visits.pk].visits_in_period == 0


def test_unconfirmed_visits_do_not_count_against_the_flag(
    counsellor_c: Persona, unit_c: Unit, exercise_card: PassProgramme, swimming_hall: Service, museum: Service
) -> None:
    card = issue(counsellor_c, unit_c, "exercise_card", issued_on=days_ago(40))
    for n in (0, 1):
        for service in (swimming_hall, museum):
            services.visit_self_report(token=card.token, service_id=service.pk, key=new_key(), on=days_ago(n))
    [holder] = selectors.pass_holders(actor=counsellor_c.user, since=days_ago(30), until=TODAY())
    assert holder.non_user and holder.visits_in_period == 0


# --- groups ---


def an_hour_ago() -> datetime:
    return (timezone.now() - timedelta(hours=1)).replace(microsecond=0)


def test_recording_a_meeting(
    desk: Persona, other_desk: Persona, swimming_hall: Service, other_provider: Organization
) -> None:
    starts = an_hour_ago()
    meeting = services.meeting_record(
        actor=desk.user,
        service_id=swimming_hall.pk,
        starts_at=starts,
        head_count=12,
        new_visitors=3,
        by_age={"18-29": 2, "30-64": 6, "65+": 4},
        by_gender={"female": 8, "male": 4},
        place=" Allas 2 ",
        leader_ids=[other_provider.pk],
    )
    assert (meeting.head_count, meeting.new_visitors, meeting.place) == (12, 3, "Allas 2")
    assert meeting.by_age == {"18-29": 2, "30-64": 6, "65+": 4} and meeting.recorded_by_id == desk.user.pk
    assert list(meeting.leaders.all()) == [other_provider]
    assert list(selectors.meetings(actor=desk.user, since=days_ago(1), until=TODAY())) == [meeting]
    assert not selectors.meetings(actor=other_desk.user, since=days_ago(1), until=TODAY()).exists()
    [row] = selectors.group_totals(actor=desk.user, since=days_ago(1), until=TODAY())
    assert (row["meetings"], row["visits"], row["new"]) == (1, 12, 3)
    with pytest.raises(AlreadyMarked) as error:
        services.meeting_record(actor=desk.user, service_id=swimming_hall.pk, starts_at=starts, head_count=5)
    assert error.value.http_status == 409
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": timezone.now() + timedelta(hours=2)}, "starts_at"),
        ({"starts_at": datetime(2025, 1, 1, 10)}, "starts_at"),  # no time zone
        ({"head_count": -1}, "head_count"),
        ({"head_count": 5000}, "head_count"),
        ({"head_count": True}, "head_count"),
        ({"new_visitors": 11}, "new_visitors"),
        ({"by_age": {"18-29": 5, "30-64": 4}}, "by_age"),
        ({"by_age": {"18-29": 5, "30-64": 4, "teen": 1}}, "by_age"),
        ({"by_age": {"18-29": 11, "30-64": -1}}, "by_age"),
        ({"by_age": ["18-29"]}, "by_age"),
        ({"by_gender": {"female": 3}}, "by_gender"),
        ({"leader_ids": ["01890000-0000-7000-8000-000000000000"]}, "leaders"),
    ],
)
def test_bad_meetings(desk: Persona, swimming_hall: Service, changes: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"service_id": swimming_hall.pk, "starts_at": an_hour_ago(), "head_count": 10}
    with pytest.raises(InvalidParameter) as error:
        services.meeting_record(actor=desk.user, **(values | changes))
    assert error.value.details == {"field": field}
    assert not Meeting.objects.exists()


def test_another_organizations_group_is_not_found(
    desk: Persona, counsellor_c: Persona, ski_track: Service, swimming_hall: Service
) -> None:
    with pytest.raises(NotFoundForUser):
        services.meeting_record(
            actor=desk.user, service_id=ski_track.pk, starts_at=an_hour_ago(), head_count=3
        )
    with pytest.raises(NotFoundForUser):
        services.meeting_record(
            actor=counsellor_c.user, service_id=swimming_hall.pk, starts_at=an_hour_ago(), head_count=3
        )
    with pytest.raises(NotFoundForUser):
        services.group_year_set(actor=desk.user, service_id=ski_track.pk, year=TODAY().year, continues=True)


def test_group_years_are_one_per_year(desk: Persona, swimming_hall: Service) -> None:
    year = TODAY().year
    services.group_year_set(actor=desk.user, service_id=swimming_hall.pk, year=year, continues=True)
    record = services.group_year_set(
        actor=desk.user, service_id=swimming_hall.pk, year=year, continues=False, note=" Ohjaaja lopettaa "
    )
    assert (record.continues, record.note) == (False, "Ohjaaja lopettaa")
    assert GroupYear.objects.count() == 1
    for bad in (1999, year + 2):
        with pytest.raises(InvalidParameter):
            services.group_year_set(actor=desk.user, service_id=swimming_hall.pk, year=bad, continues=True)


# --- the personal data log ---


def test_pass_events_are_in_the_personal_data_log(
    desk: Persona, counsellor_c: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    seed_visits(liiku_pass, museum, 19)
    reward = mark(desk, liiku_pass, swimming_hall).reward
    assert reward is not None
    services.reward_hand_out(actor=desk.user, reward_id=reward.pk)
    visit = services.visit_self_report(
        token=liiku_pass.token, service_id=museum.pk, key=new_key(), on=TODAY()
    )
    services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Muutti pois")
    entries = list(
        PersonalDataLog.objects.filter(object_type="attendance.pass", object_id=str(liiku_pass.pk))
        .order_by("seq")
        .values_list("action", "actor__username", "purpose")
    )
    assert entries == [
        ("create", "counsellor_c", "activity_pass"),
        ("visit", "desk", "activity_pass"),
        ("reward", "desk", "activity_pass"),
        ("self_report", None, "activity_pass"),
        ("visit_confirmed", "desk", "activity_pass"),
        ("withdraw", "counsellor_c", "activity_pass"),
    ]
    assert verify_personal_data_log().ok


def test_a_repeated_or_refused_mark_is_not_logged(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    key = new_key()
    mark(desk, liiku_pass, swimming_hall, key)
    mark(desk, liiku_pass, swimming_hall, key)
    with pytest.raises(AlreadyMarked):
        mark(desk, liiku_pass, swimming_hall)
    assert PersonalDataLog.objects.filter(action="visit", object_id=str(liiku_pass.pk)).count() == 1


# --- two desks at once (PostgreSQL) ---


def _at_once(work: Any, args: list[Any]) -> list[str]:
    barrier = threading.Barrier(len(args))
    results: list[str] = []

    def run(arg: Any) -> None:
        try:
            barrier.wait()
            marked = work(arg)
            results.append("repeated" if marked.repeated else "ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_mark_twice_at_once_is_stored_once(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    key = new_key()
    results = _at_once(lambda _: mark(desk, liiku_pass, swimming_hall, key), [1, 2])
    assert results == ["ok", "repeated"]
    assert Visit.objects.filter(pass_card=liiku_pass).count() == 1 and count(liiku_pass) == 1
    assert PersonalDataLog.objects.filter(action="visit", object_id=str(liiku_pass.pk)).count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_marks_of_one_pass_service_and_day_at_once(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    results = _at_once(lambda key: mark(desk, liiku_pass, swimming_hall, key), [new_key(), new_key()])
    assert results == ["already_marked", "ok"]
    assert Visit.objects.filter(pass_card=liiku_pass).count() == 1 and count(liiku_pass) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_marks_at_two_services_at_once_both_count(
    desk: Persona, liiku_pass: Pass, swimming_hall: Service, museum: Service
) -> None:
    results = _at_once(lambda service: mark(desk, liiku_pass, service), [swimming_hall, museum])
    assert results == ["ok", "ok"]
    assert count(liiku_pass) == 2


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_and_an_issue_at_once_do_not_deadlock(
    desk: Persona, counsellor_c: Persona, unit_c: Unit, liiku_pass: Pass, swimming_hall: Service
) -> None:
    """Confirming a visit locks the visit and its pass, not the programme or the service. Otherwise: an
    issue holds the personal data log and inserts a pass (which needs the programme row) while a
    confirmation holds the programme row and waits for the log: a deadlock."""
    visit = services.visit_self_report(
        token=liiku_pass.token, service_id=swimming_hall.pk, key=new_key(), on=TODAY()
    )
    outcome: list[str] = []

    def confirm() -> None:
        try:
            services.visit_confirm(actor=desk.user, visit_id=visit.pk)
            outcome.append("ok")
        except Exception as exc:
            outcome.append(repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=confirm)
    try:
        with transaction.atomic():
            # the issuer's transaction has written to the personal data log (as pass_issue does)
            walk_in(counsellor_c, unit_c)
            thread.start()
            for _ in range(100):  # until the confirmation waits for the log
                if _waiting_for_a_lock():
                    break
                time.sleep(0.05)
            issue(counsellor_c, unit_c)
    finally:
        thread.join()
    assert outcome == ["ok"]
    assert count(liiku_pass) == 1 and Pass.objects.count() == 2


# --- rules added after review ---


def test_only_an_issuer_withdraws(
    counsellor_c: Persona, unit_c: Unit, exercise_card: PassProgramme, pro_a: Persona, unit_a: Unit
) -> None:
    """The exercise card is issued by receivers only: a professional of the same unit cannot withdraw it."""
    from hyte.accounts.models import UnitRole

    card = issue(counsellor_c, unit_c, "exercise_card")
    UnitRole.objects.create(user=pro_a.user, unit=unit_c, role=UnitRole.Role.PROFESSIONAL)
    with pytest.raises(PermissionDenied):
        services.pass_withdraw(actor=pro_a.user, pass_id=card.pk, reason="Ei käytä.")
    services.pass_withdraw(actor=counsellor_c.user, pass_id=card.pk, reason="Ei käytä.")
    assert Pass.objects.get().status == "withdrawn"


def test_a_pass_is_issued_in_the_pathways_unit_and_not_born_expired(
    counsellor_c: Persona, unit_c: Unit, unit_d: Unit, liiku: PassProgramme
) -> None:
    from hyte.accounts.models import UnitRole

    UnitRole.objects.create(user=counsellor_c.user, unit=unit_d, role=UnitRole.Role.RECEIVER)
    pathway = walk_in(counsellor_c, unit_c)
    with pytest.raises(InvalidParameter) as error:
        issue(counsellor_c, unit_d, pathway_id=pathway.pk)
    assert error.value.details == {"field": "unit"}
    with pytest.raises(InvalidParameter) as error:
        issue(counsellor_c, unit_c, pathway_id=pathway.pk, issued_on=days_ago(366))  # valid 365 days
    assert error.value.details == {"field": "issued_on"}
    assert not Pass.objects.exists()


def test_a_self_report_key_belongs_to_its_pass(
    counsellor_c: Persona, unit_c: Unit, liiku_pass: Pass, swimming_hall: Service
) -> None:
    other = issue(counsellor_c, unit_c)
    today = timezone.localdate()
    services.visit_self_report(
        token=liiku_pass.token, service_id=swimming_hall.pk, key="shared-key-1", on=today
    )
    with pytest.raises(InvalidParameter):
        services.visit_self_report(
            token=other.token, service_id=swimming_hall.pk, key="shared-key-1", on=today
        )


def test_no_confirmation_after_withdrawal(
    counsellor_c: Persona, desk: Persona, liiku_pass: Pass, swimming_hall: Service
) -> None:
    visit = services.visit_self_report(
        token=liiku_pass.token, service_id=swimming_hall.pk, key="reported-late", on=timezone.localdate()
    )
    services.pass_withdraw(actor=counsellor_c.user, pass_id=liiku_pass.pk, reason="Muutti pois.")
    with pytest.raises(PassNotUsable):
        services.visit_confirm(actor=desk.user, visit_id=visit.pk)
    assert Pass.objects.get().visit_count == 0
