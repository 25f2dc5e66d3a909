"""The referral's life: consent, the state machine, scoping, idempotency, the personal data log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hyte.accounts.models import Unit
from hyte.core.crypto import decrypt
from hyte.core.errors import InvalidParameter
from hyte.core.models import PersonalDataLog
from hyte.core.personal_log import verify_personal_data_log
from hyte.referrals.errors import (
    ConsentMissing,
    ConsentWithdrawn,
    NotInUnit,
    ReferralNotFound,
    ReferralTransitionNotAllowed,
)
from hyte.referrals.hetu import InvalidPersonalIdentityCode
from hyte.referrals.models import Client, Referral, ReferralEvent
from hyte.referrals.selectors import is_overdue, referral_detail, referral_queue, referrals_sent
from hyte.referrals.services import consent_withdraw, referral_create, referral_transition
from tests.conftest import Persona
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db
S = Referral.Status


def send(pro: Persona, unit_from: Unit, unit_to: Unit, **extra: object) -> Referral:
    values: dict[str, object] = {
        "actor": pro.user,
        "referring_unit_id": unit_from.pk,
        "receiving_unit_id": unit_to.pk,
        "kind": Referral.Kind.EXERCISE,
        "client": client_data(),
        "reason": "Liikkuu vähän, verenpaine koholla.",
        "consent": consent_data(),
    }
    return referral_create(**(values | extra))  # type: ignore[arg-type]


def step(persona: Persona, referral: Referral, action: str, **fields: str) -> Referral:
    return referral_transition(actor=persona.user, referral_id=referral.pk, action=action, **fields)


class TestCreate:
    def test_sent_with_consent_and_the_code_only_encrypted(self, pro_a, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        assert referral.status == S.SENT and referral.sent_at is not None
        assert (
            referral.first_contact_due == (timezone.localtime(referral.sent_at) + timedelta(days=14)).date()
        )
        client = Client.objects.get()
        assert "131052" not in client.hetu_encrypted and decrypt(client.hetu_encrypted) == "131052-308T"
        assert len(client.hetu_hash or "") == 64 and client.birth_year == 1952
        assert list(referral.events.values_list("from_status", "to_status")) == [
            ("", S.DRAFT),
            (S.DRAFT, S.SENT),
        ]

    def test_the_same_code_is_the_same_client(self, pro_a, unit_a, unit_c) -> None:
        send(pro_a, unit_a, unit_c)
        send(pro_a, unit_a, unit_c, client=client_data(personal_identity_code="131052-308t", phone="040 123"))
        client = Client.objects.get()
        assert client.phone == "040 123" and client.referrals.count() == 2

    def test_no_consent_no_referral(self, pro_a, unit_a, unit_c) -> None:
        with pytest.raises(ConsentMissing):
            send(pro_a, unit_a, unit_c, consent=None)
        assert not Referral.objects.exists() and not Client.objects.exists()

    def test_a_draft_without_consent_cannot_be_sent(self, pro_a, unit_a, unit_c) -> None:
        draft = send(pro_a, unit_a, unit_c, consent=None, send=False)
        assert draft.status == S.DRAFT
        with pytest.raises(ConsentMissing):
            step(pro_a, draft, "send")

    def test_invalid_code_leaves_nothing(self, pro_a, unit_a, unit_c) -> None:
        with pytest.raises(InvalidPersonalIdentityCode):
            send(pro_a, unit_a, unit_c, client=client_data(personal_identity_code="131052-308U"))
        assert not Client.objects.exists() and not PersonalDataLog.objects.exists()

    def test_oversized_text_is_refused(self, pro_a, unit_a, unit_c) -> None:
        with pytest.raises(InvalidParameter):
            send(pro_a, unit_a, unit_c, reason="x" * 4001)
        assert not Referral.objects.exists() and not Client.objects.exists()

    def test_double_submission_creates_one(self, pro_a, unit_a, unit_c) -> None:
        first = send(pro_a, unit_a, unit_c, idempotency_key="form-123")
        again = send(pro_a, unit_a, unit_c, idempotency_key="form-123")
        assert again.pk == first.pk and Referral.objects.count() == 1

    def test_only_professionals_of_the_unit_send(self, pro_b, counsellor_c, unit_a, unit_c) -> None:
        for persona in (pro_b, counsellor_c):
            with pytest.raises(NotInUnit):
                send(persona, unit_a, unit_c)

    def test_the_receiver_must_receive_referrals(self, pro_a, unit_a, unit_b) -> None:
        with pytest.raises(InvalidParameter):
            send(pro_a, unit_a, unit_b)


class TestStateMachine:
    def test_the_whole_loop(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        for action in ("receive", "accept", "first_contact", "start"):
            referral = step(counsellor_c, referral, action)
        referral = step(
            counsellor_c, referral, "complete", outcome_summary="Käy vesijumpassa kahdesti viikossa."
        )
        assert referral.status == S.COMPLETED and referral.closed_at is not None
        seen = referrals_sent(actor=pro_a.user).get()
        assert seen.outcome_summary == "Käy vesijumpassa kahdesti viikossa."
        history = list(
            ReferralEvent.objects.filter(referral=referral).values_list("action", "actor__username")
        )
        assert history == [
            ("create", "pro_a"),
            ("send", "pro_a"),
            ("receive", "counsellor_c"),
            ("accept", "counsellor_c"),
            ("first_contact", "counsellor_c"),
            ("start", "counsellor_c"),
            ("complete", "counsellor_c"),
        ]

    @pytest.mark.parametrize("action", ["accept", "first_contact", "complete", "send"])
    def test_impossible_transitions_are_409(self, pro_a, counsellor_c, unit_a, unit_c, action) -> None:
        referral = send(pro_a, unit_a, unit_c)
        persona = pro_a if action == "send" else counsellor_c
        fields = {"outcome_summary": "x"} if action == "complete" else {}
        with pytest.raises(ReferralTransitionNotAllowed) as excinfo:
            step(persona, referral, action, **fields)
        assert excinfo.value.http_status == 409
        assert Referral.objects.get().status == S.SENT

    def test_decline_needs_a_reason(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = step(counsellor_c, send(pro_a, unit_a, unit_c), "receive")
        with pytest.raises(InvalidParameter):
            step(counsellor_c, referral, "decline", decline_reason=" ")
        referral = step(counsellor_c, referral, "decline", decline_reason="Ei asu kunnassa.")
        assert referral.status == S.DECLINED and referral.decline_reason == "Ei asu kunnassa."

    def test_discontinue_needs_a_known_reason(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        for action in ("receive", "accept"):
            referral = step(counsellor_c, referral, action)
        with pytest.raises(InvalidParameter):
            step(counsellor_c, referral, "discontinue", end_reason="bored")
        referral = step(counsellor_c, referral, "discontinue", end_reason="no_show")
        assert (referral.status, referral.end_reason) == (S.DISCONTINUED, "no_show")

    def test_unknown_action_and_fields(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        with pytest.raises(InvalidParameter):
            step(counsellor_c, referral, "teleport")
        with pytest.raises(InvalidParameter):
            step(counsellor_c, referral, "receive", outcome_summary="sneaky")

    def test_the_referrer_cancels(self, pro_a, colleague_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        referral = step(colleague_a, referral, "cancel")  # a colleague in the same unit may
        assert referral.status == S.CANCELLED
        assert not referral_queue(actor=counsellor_c.user, status=S.SENT).exists()


class TestScope:
    def test_other_units_cannot_see_or_act(
        self, pro_a, pro_b, counsellor_c, counsellor_d, unit_a, unit_c
    ) -> None:
        referral = send(pro_a, unit_a, unit_c)
        for persona in (pro_b, counsellor_d):
            with pytest.raises(ReferralNotFound):
                referral_detail(actor=persona.user, referral_id=referral.pk)
            with pytest.raises(ReferralNotFound):
                step(persona, referral, "receive")
            assert not referral_queue(actor=persona.user).exists()
            assert not referrals_sent(actor=persona.user).exists()
        assert referral_queue(actor=counsellor_c.user).get() == referral

    def test_the_receiver_never_sees_drafts(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        draft = send(pro_a, unit_a, unit_c, send=False)
        with pytest.raises(ReferralNotFound):
            referral_detail(actor=counsellor_c.user, referral_id=draft.pk)

    def test_a_guessed_or_broken_id_is_not_found(self, counsellor_c) -> None:
        for guess in ("00000000-0000-7000-8000-000000000000", "not-a-uuid", "1' OR '1'='1"):
            with pytest.raises(ReferralNotFound):
                referral_detail(actor=counsellor_c.user, referral_id=guess)

    def test_coordinator_sees_no_personal_data(self, pro_a, coordinator, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        with pytest.raises(ReferralNotFound):
            referral_detail(actor=coordinator.user, referral_id=referral.pk)
        assert not referrals_sent(actor=coordinator.user).exists()


class TestConsentWithdrawal:
    def test_withdrawal_stops_sharing_and_is_recorded(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        for action in ("receive", "accept"):
            referral = step(counsellor_c, referral, action)
        referral = consent_withdraw(actor=pro_a.user, referral_id=referral.pk)
        assert referral.status == S.DISCONTINUED and referral.end_reason == "client_declined"
        assert referral.consent.withdrawn_at is not None
        with pytest.raises(ReferralNotFound):
            referral_detail(actor=counsellor_c.user, referral_id=referral.pk)
        assert referral_detail(actor=pro_a.user, referral_id=referral.pk) == referral
        assert PersonalDataLog.objects.filter(action="consent_withdraw").count() == 1

    def test_nothing_moves_after_withdrawal(self, pro_a, unit_a, unit_c) -> None:
        draft = send(pro_a, unit_a, unit_c, send=False, consent=consent_data())
        consent_withdraw(actor=pro_a.user, referral_id=draft.pk)
        with pytest.raises((ConsentWithdrawn, ReferralTransitionNotAllowed)):
            step(pro_a, draft, "send")


class TestOverdue:
    def test_flagged_after_the_units_days(self, pro_a, counsellor_c, unit_a, unit_c) -> None:
        referral = send(pro_a, unit_a, unit_c)
        assert referral.first_contact_due is not None
        late = referral.first_contact_due + timedelta(days=1)
        assert not is_overdue(referral, today=referral.first_contact_due)
        assert is_overdue(referral, today=late)
        assert referral_queue(actor=counsellor_c.user, overdue_only=True, today=late).get() == referral
        for action in ("receive", "accept", "first_contact"):
            referral = step(counsellor_c, referral, action)
        assert not is_overdue(referral, today=late)


def test_every_read_and_write_is_in_the_chained_log(pro_a, counsellor_c, unit_a, unit_c) -> None:
    referral = send(pro_a, unit_a, unit_c)
    step(counsellor_c, referral, "receive")
    referral_detail(actor=counsellor_c.user, referral_id=referral.pk)
    actions = list(
        PersonalDataLog.objects.order_by("seq").values_list("action", "actor__username", "purpose")
    )
    assert actions == [
        ("create", "pro_a", "referral"),
        ("create", "pro_a", "referral"),
        ("send", "pro_a", "referral"),
        ("receive", "counsellor_c", "referral"),
        ("read", "counsellor_c", "referral"),
    ]
    assert verify_personal_data_log().ok and verify_personal_data_log().entries == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_transitions_one_wins(pro_a, counsellor_c, unit_a, unit_c) -> None:
    """Two counsellors accept the same referral at the same moment: the row lock lets one through and
    the other finds the referral already accepted (409)."""
    import threading

    from django.db import connections

    from hyte.accounts.models import UnitRole
    from tests.accounts.factories import UnitRoleFactory

    other = UnitRoleFactory(unit=unit_c, role=UnitRole.Role.RECEIVER, user__username="counsellor_c2").user
    referral = step(counsellor_c, send(pro_a, unit_a, unit_c), "receive")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user: object) -> None:
        try:
            barrier.wait()
            referral_transition(actor=user, referral_id=referral.pk, action="accept")  # type: ignore[arg-type]
            outcomes.append("ok")
        except ReferralTransitionNotAllowed:
            outcomes.append("409")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (counsellor_c.user, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "ok"]
    assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1


def test_key_rotation_command(pro_a, unit_a, unit_c, settings) -> None:
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HYTE_PERSONAL_DATA_KEYS = [old]
    send(pro_a, unit_a, unit_c)
    settings.HYTE_PERSONAL_DATA_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_personal_data_keys", stdout=out)
    assert "re-encrypted 1 " in out.getvalue()
    settings.HYTE_PERSONAL_DATA_KEYS = [new]
    assert decrypt(Client.objects.get().hetu_encrypted) == "131052-308T"
