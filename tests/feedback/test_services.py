"""Feedback links and answers: who may make a link, answering once, expiry, the cap of a meeting's QR
code, bad input, anonymity, hiding a comment, and two answers at once (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.utils import timezone, translation

from hyte.attendance.models import Meeting
from hyte.catalog.models import Service
from hyte.core.errors import DomainError, InvalidParameter, NotFoundForUser
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.feedback import services
from hyte.feedback.errors import (
    AlreadyAnswered,
    FeedbackFull,
    FeedbackLinkExpired,
    NotFeedbackable,
    UnknownFeedbackLink,
)
from hyte.feedback.models import FeedbackAnswer, FeedbackLink, FeedbackReceipt
from tests.conftest import Persona
from tests.feedback.conftest import (
    Team,
    answer,
    closed_pathway,
    completed_referral,
    enrol,
    meeting,
    pathway_link,
)

pytestmark = pytest.mark.django_db
NONCE = "n" * 32


def test_a_closed_pathway_gets_a_single_use_link_with_its_keys(home: Team) -> None:
    pathway = closed_pathway(home, "link_worker", language="sv")
    link = services.link_for_pathway(actor=home.coach.user, pathway_id=pathway.pk)
    assert (link.kind, link.about, link.max_answers, link.answer_count) == ("single", "pathway", 1, 0)
    assert (link.pathway_id, link.unit_id, link.organization_id) == (
        pathway.pk,
        home.unit.pk,
        home.organization.pk,
    )
    assert (link.programme_id, link.service_id, link.language) == ("link_worker", None, "sv")
    assert len(link.token) == 22  # 128 random bits, URL-safe
    assert timezone.now() + timedelta(days=59) < link.expires_at <= timezone.now() + timedelta(days=60)
    again = services.link_for_pathway(actor=home.coach.user, pathway_id=pathway.pk)
    assert (again.pk, again.token) == (link.pk, link.token)
    assert FeedbackLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="feedback_link_create", object_id=str(link.pk)).count() == 1
    assert PersonalDataLog.objects.filter(action="feedback_link", object_id=str(pathway.pk)).count() == 2


def test_an_open_pathway_gets_no_link(home: Team) -> None:
    pathway = enrol(home)
    with pytest.raises(NotFeedbackable):
        services.link_for_pathway(actor=home.coach.user, pathway_id=pathway.pk)


def test_another_units_worker_and_the_coordinator_do_not_find_the_pathway(home: Team, away: Team) -> None:
    pathway = closed_pathway(home)
    for actor in (away.coach.user, home.coordinator.user):
        with pytest.raises(NotFoundForUser):
            services.link_for_pathway(actor=actor, pathway_id=pathway.pk)
    with pytest.raises(NotFoundForUser):
        services.link_for_pathway(actor=home.coach.user, pathway_id="not-a-uuid")
    assert not FeedbackLink.objects.exists()


def test_an_answer_keeps_the_keys_and_the_link_forgets_the_pathway(home: Team) -> None:
    link = pathway_link(home)
    stored = answer(link.token, rating=5, recommend="yes", text="  Hyvä ohjaaja!  ", language="sv")
    assert (stored.rating, stored.recommend, stored.text, stored.language) == (
        5,
        "yes",
        "Hyvä ohjaaja!",
        "sv",
    )
    assert (stored.organization_id, stored.unit_id, stored.programme_id, stored.service_id) == (
        home.organization.pk,
        home.unit.pk,
        "exercise_counselling",
        None,
    )
    assert (stored.about, stored.submitted_on) == ("pathway", timezone.localdate())
    link.refresh_from_db()
    assert (link.pathway_id, link.referral_id, link.answer_count, link.answered) == (None, None, 1, True)


def test_an_answer_cannot_be_tied_to_the_client() -> None:
    """No field of an answer points to a client, a link, a pathway, a referral or a meeting, and it
    holds no time of day, address or browser details."""
    fields = {f.name: f for f in FeedbackAnswer._meta.get_fields()}
    targets = {f.related_model._meta.label for f in fields.values() if f.is_relation}  # type: ignore[union-attr]
    assert targets == {"catalog.Organization", "accounts.Unit", "catalog.Service", "pathways.Programme"}
    assert not [
        f for f in fields.values() if isinstance(f, models.DateTimeField | models.GenericIPAddressField)
    ]
    assert not {"ip", "user_agent", "client", "link", "pathway", "referral", "meeting", "created_at"} & set(
        fields
    )
    assert isinstance(fields["submitted_on"], models.DateField)
    receipt = {f.name for f in FeedbackReceipt._meta.get_fields()}
    assert receipt == {"id", "link", "nonce"}  # no answer, no time


def test_answering_writes_no_log_entry(home: Team) -> None:
    link = pathway_link(home)
    logs, audits = PersonalDataLog.objects.count(), AuditEvent.objects.count()
    answer(link.token, text="Kiitos")
    assert (PersonalDataLog.objects.count(), AuditEvent.objects.count()) == (logs, audits)


def test_a_second_answer_from_the_same_link_is_refused_kindly_and_counted_once(home: Team) -> None:
    link = pathway_link(home)
    answer(link.token, rating=2)
    with translation.override("fi"), pytest.raises(AlreadyAnswered) as caught:
        answer(link.token, rating=5)
    assert caught.value.http_status == 409
    assert "Kiitos" in str(caught.value.message) or "Thank you" in str(caught.value.message)
    assert list(FeedbackAnswer.objects.values_list("rating", flat=True)) == [2]


def test_an_expired_link_is_refused_and_made_again_with_a_new_token(home: Team) -> None:
    pathway = closed_pathway(home)
    link = services.link_for_pathway(actor=home.coach.user, pathway_id=pathway.pk)
    FeedbackLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(FeedbackLinkExpired) as caught:
        answer(link.token)
    assert caught.value.http_status == 410
    renewed = services.link_for_pathway(actor=home.coach.user, pathway_id=pathway.pk)
    assert renewed.pk == link.pk and renewed.token != link.token and renewed.expires_at > timezone.now()
    answer(renewed.token)
    with pytest.raises(UnknownFeedbackLink):
        answer(link.token)
    assert FeedbackAnswer.objects.count() == 1


@pytest.mark.parametrize("token", ["", "x", "a" * 33, "a" * 22, "../../etc", "a\x00" * 10])
def test_unknown_and_malformed_tokens(token: str) -> None:
    with pytest.raises(UnknownFeedbackLink):
        answer(token)


@pytest.mark.parametrize(
    ("rating", "recommend", "text", "field"),
    [
        (0, "yes", "", "rating"),
        (6, "yes", "", "rating"),
        ("x", "yes", "", "rating"),
        (None, "yes", "", "rating"),
        (True, "yes", "", "rating"),
        (3, "maybe", "", "recommend"),
        (3, "yes", "x" * 1001, "text"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(
    home: Team, rating: Any, recommend: str, text: str, field: str
) -> None:
    link = pathway_link(home)
    with pytest.raises(InvalidParameter) as caught:
        answer(link.token, rating=rating, recommend=recommend, text=text)
    assert caught.value.details["field"] == field
    link.refresh_from_db()
    assert (FeedbackAnswer.objects.count(), link.answer_count, link.pathway_id is not None) == (0, 0, True)


def test_a_thousand_characters_are_fine(home: Team) -> None:
    link = pathway_link(home)
    assert len(answer(link.token, text="ä" * 1000).text) == 1000


def test_a_meeting_link_takes_one_answer_per_device_up_to_the_head_count(
    home: Team, desk: Persona, walking_group: Service
) -> None:
    group_meeting = meeting(desk, walking_group, head_count=2)
    link = services.link_for_meeting(actor=desk.user, meeting_id=group_meeting.pk, language="en")
    assert (link.kind, link.about, link.max_answers, link.language) == ("multi", "meeting", 2, "en")
    assert (link.service_id, link.organization_id, link.unit_id, link.meeting_id) == (
        walking_group.pk,
        home.organization.pk,
        None,
        group_meeting.pk,
    )
    answer(link.token, nonce="a" * 32)
    with pytest.raises(AlreadyAnswered):
        answer(link.token, nonce="a" * 32)
    answer(link.token, nonce="b" * 32)
    with pytest.raises(FeedbackFull):
        answer(link.token, nonce="c" * 32)
    with pytest.raises(InvalidParameter):
        answer(link.token, nonce="")
    link.refresh_from_db()
    assert (link.answer_count, link.meeting_id) == (2, group_meeting.pk)  # a meeting is not a person
    assert FeedbackAnswer.objects.filter(service=walking_group, about="meeting").count() == 2


def test_a_meeting_link_for_another_organizations_group_is_not_found(
    away: Team, group_meeting: Meeting, home: Team
) -> None:
    from hyte.accounts.models import Membership
    from tests.accounts.factories import MembershipFactory

    stranger = MembershipFactory(organization=away.organization, role=Membership.Role.EDITOR).user
    for actor in (stranger, home.coach.user, home.coordinator.user):
        with pytest.raises(NotFoundForUser):
            services.link_for_meeting(actor=actor, meeting_id=group_meeting.pk)


def test_a_meeting_cap_out_of_range_is_refused(desk: Persona, group_meeting: Meeting) -> None:
    for cap in (0, 1001, True):
        with pytest.raises(InvalidParameter):
            services.link_for_meeting(actor=desk.user, meeting_id=group_meeting.pk, max_answers=cap)


def test_a_completed_referral_gets_a_link_from_the_receiving_unit(
    home: Team, pro_a: Persona, walking_group: Service
) -> None:
    referral = completed_referral(pro_a, home, walking_group)
    with pytest.raises(NotFoundForUser):
        services.link_for_referral(actor=pro_a.user, referral_id=referral.pk)  # the referrer
    link = services.link_for_referral(actor=home.coach.user, referral_id=referral.pk)
    assert (link.about, link.unit_id, link.service_id, link.programme_id) == (
        "referral",
        home.unit.pk,
        walking_group.pk,
        None,
    )
    answer(link.token)
    link.refresh_from_db()
    assert link.referral_id is None
    assert FeedbackAnswer.objects.get().service_id == walking_group.pk


def test_a_referral_in_progress_gets_no_link(home: Team, pro_a: Persona) -> None:
    from hyte.referrals.models import Referral

    referral = completed_referral(pro_a, home)

    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.IN_PROGRESS)
    with pytest.raises(NotFeedbackable):
        services.link_for_referral(actor=home.coach.user, referral_id=referral.pk)
    with pytest.raises(NotFoundForUser):
        services.link_for_referral(actor=home.coach.user, referral_id="nope")


def test_a_coordinator_hides_a_comment_and_it_is_audited(home: Team, away: Team) -> None:
    link = pathway_link(home)
    stored = answer(link.token, text="Asiaton kommentti")
    with pytest.raises(NotFoundForUser):
        services.comment_hide(actor=away.coordinator.user, answer_id=stored.pk)
    with pytest.raises(NotFoundForUser):
        services.comment_hide(actor=home.coach.user, answer_id=stored.pk)
    services.comment_hide(actor=home.coordinator.user, answer_id=stored.pk)
    stored.refresh_from_db()
    assert stored.text_hidden and stored.text == "Asiaton kommentti"
    services.comment_hide(actor=home.coordinator.user, answer_id=stored.pk, hidden=False)
    actions = list(AuditEvent.objects.filter(object_id=str(stored.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["feedback_comment_hide", "feedback_comment_show"]
    with pytest.raises(NotFoundForUser):
        services.comment_hide(actor=home.coordinator.user, answer_id="bad")


# --- at the same moment (row locks and the receipt's unique constraint need PostgreSQL) ---


def _at_once(work: Any, args: list[Any]) -> list[str]:
    barrier = threading.Barrier(len(args))
    results: list[str] = []

    def run(arg: Any) -> None:
        try:
            barrier.wait()
            work(arg)
            results.append("ok")
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
def test_a_single_use_link_sent_twice_at_once_counts_once(home: Team) -> None:
    link = pathway_link(home)
    results = _at_once(lambda rating: answer(link.token, rating=rating), [1, 5])
    assert results == ["already_answered", "ok"]
    assert FeedbackAnswer.objects.count() == 1
    link.refresh_from_db()
    assert link.answer_count == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_meeting_answer_from_one_device_sent_twice_at_once_counts_once(
    desk: Persona, group_meeting: Meeting
) -> None:
    link = services.link_for_meeting(actor=desk.user, meeting_id=group_meeting.pk)
    results = _at_once(lambda _: answer(link.token, nonce=NONCE), [1, 2])
    assert results == ["already_answered", "ok"]
    assert FeedbackAnswer.objects.count() == 1
