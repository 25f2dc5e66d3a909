"""Writes of the buddies context: who may do what, and every bad input a coded error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from hyte.accounts.models import Unit
from hyte.buddies import errors, services
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.core.errors import InvalidParameter, NotFoundForUser
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.pathways.models import Pathway
from hyte.referrals.errors import ReferralNotFound
from tests.buddies.conftest import pair, register, today
from tests.conftest import Persona
from tests.pathways.conftest import accepted_referral

pytestmark = pytest.mark.django_db


def meet(persona: Persona, pairing: Pairing, days_ago: int = 1, **extra: object) -> BuddyMeeting:
    data = services.MeetingData(on=today() - timedelta(days=days_ago), activity="walk", note="Lenkki")
    for key, value in extra.items():
        setattr(data, key, value)
    return services.meeting_record(actor=persona.user, pairing_id=pairing.pk, data=data)


# --- buddies ---


def test_register_creates_an_account_and_audits(counsellor_c: Persona, unit_c: Unit) -> None:
    buddy, password = services.buddy_register(
        actor=counsellor_c.user,
        data=services.BuddyData(
            name="Aino",
            kind="student",
            unit_id=unit_c.pk,
            languages=["fi", "sv"],
            municipality="272",
            interests=["liikunta", "luonto"],
            tags="sähly, kävely",
        ),
        username="kamu.aino",
    )
    buddy.refresh_from_db()
    assert buddy.unit == unit_c and buddy.active
    assert sorted(buddy.languages.values_list("code", flat=True)) == ["fi", "sv"]
    assert sorted(buddy.interests.values_list("slug", flat=True)) == ["liikunta", "luonto"]
    assert buddy.tag_list == ["sähly", "kävely"]
    assert buddy.user.check_password(password) and not buddy.user.is_staff
    event = AuditEvent.objects.get(action="buddy_register")
    assert event.object_id == str(buddy.pk) and event.actor == counsellor_c.user


def test_unit_admin_registers_too(admin_c: Persona, unit_c: Unit) -> None:
    buddy = register(admin_c, unit_c, "kamu.x", "X")
    assert buddy.unit == unit_c


def test_register_in_another_unit_is_refused(counsellor_d: Persona, unit_c: Unit) -> None:
    with pytest.raises(NotFoundForUser):
        register(counsellor_d, unit_c, "kamu.x", "X")
    assert not Buddy.objects.exists()


def test_professional_may_not_register(pro_a: Persona, unit_a: Unit) -> None:
    with pytest.raises(NotFoundForUser):
        register(pro_a, unit_a, "kamu.x", "X")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "coach"}, "kind"),
        ({"languages": ["xx"]}, "languages"),
        ({"municipality": "999"}, "municipality"),
        ({"interests": ["nope"]}, "interests"),
        ({"tags": "x" * 201}, "tags"),
        (
            {
                "available_from": timezone.localdate(),
                "available_until": timezone.localdate() - timedelta(days=1),
            },
            "available_until",
        ),
        ({"training_completed_on": timezone.localdate() + timedelta(days=1)}, "training_completed_on"),
    ],
)
def test_register_bad_input(
    counsellor_c: Persona, unit_c: Unit, extra: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameter) as exc:
        register(counsellor_c, unit_c, "kamu.x", **({"name": "X"} | extra))  # type: ignore[arg-type]
    assert exc.value.details["field"] == field
    assert not Buddy.objects.exists()


@pytest.mark.parametrize("username", ["ab", "with space", "x" * 151, "ääkkönen"])
def test_register_bad_username(counsellor_c: Persona, unit_c: Unit, username: str) -> None:
    with pytest.raises(InvalidParameter):
        register(counsellor_c, unit_c, username, "X")


def test_register_taken_username(counsellor_c: Persona, unit_c: Unit, aino: Buddy) -> None:
    with pytest.raises(errors.UsernameTaken):
        register(counsellor_c, unit_c, "KAMU.AINO", "Toinen")
    assert Buddy.objects.count() == 1


def test_update(counsellor_c: Persona, aino: Buddy) -> None:
    services.buddy_update(
        actor=counsellor_c.user,
        buddy_id=aino.pk,
        data=services.BuddyData(name="Aino K.", kind="volunteer", languages=["en"], interests=[]),
    )
    aino.refresh_from_db()
    assert (aino.name, aino.kind) == ("Aino K.", "volunteer")
    assert list(aino.languages.values_list("code", flat=True)) == ["en"]
    assert AuditEvent.objects.filter(action="buddy_update", object_id=str(aino.pk)).exists()


def test_update_of_another_units_buddy_is_not_found(counsellor_d: Persona, aino: Buddy) -> None:
    with pytest.raises(errors.BuddyNotFound):
        services.buddy_update(
            actor=counsellor_d.user, buddy_id=aino.pk, data=services.BuddyData(name="Z", kind="student")
        )
    aino.refresh_from_db()
    assert aino.name == "Aino"


def test_update_may_not_cut_an_active_pairing(counsellor_c: Persona, aino: Buddy, pairing: Pairing) -> None:
    with pytest.raises(errors.BuddyUnavailable):
        services.buddy_update(
            actor=counsellor_c.user,
            buddy_id=aino.pk,
            data=services.BuddyData(name="Aino", kind="student", available_until=today()),
        )


def test_deactivate_and_reactivate(counsellor_c: Persona, aino: Buddy) -> None:
    services.buddy_set_active(actor=counsellor_c.user, buddy_id=aino.pk, active=False)
    aino.refresh_from_db()
    assert not aino.active
    services.buddy_set_active(actor=counsellor_c.user, buddy_id=aino.pk, active=True)
    aino.refresh_from_db()
    assert aino.active
    assert list(
        AuditEvent.objects.filter(object_id=str(aino.pk)).order_by("id").values_list("action", flat=True)
    ) == ["buddy_register", "buddy_deactivate", "buddy_activate"]


def test_deactivate_with_active_pairing_is_refused(
    counsellor_c: Persona, aino: Buddy, pairing: Pairing
) -> None:
    with pytest.raises(errors.BuddyHasActivePairings):
        services.buddy_set_active(actor=counsellor_c.user, buddy_id=aino.pk, active=False)
    aino.refresh_from_db()
    assert aino.active


def test_malformed_buddy_id_is_not_found(counsellor_c: Persona) -> None:
    with pytest.raises(errors.BuddyNotFound):
        services.buddy_set_active(actor=counsellor_c.user, buddy_id="not-a-uuid", active=False)


# --- pairings ---


def test_pair_from_pathway(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway, unit_c: Unit) -> None:
    pairing = pair(counsellor_c, aino, pathway_c, shared_email="ville@example.fi")
    pairing.refresh_from_db()
    assert pairing.client == pathway_c.client and pairing.unit == unit_c and pairing.pathway == pathway_c
    assert pairing.shared_first_name == "Ville"
    assert (pairing.shared_phone, pairing.shared_email) == ("+358 40 765 4321", "ville@example.fi")
    assert pairing.consent_recorded_by == counsellor_c.user and pairing.paired_by == counsellor_c.user
    assert pairing.status == Pairing.Status.ACTIVE
    assert AuditEvent.objects.filter(action="buddy_pairing_create", object_id=str(pairing.pk)).exists()
    assert PersonalDataLog.objects.filter(
        action="create", object_id=str(pairing.pk), purpose="buddy", actor=counsellor_c.user
    ).exists()


def test_pair_from_referral(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit, aino: Buddy
) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    pairing = pair(counsellor_c, aino, referral_id=referral.pk)
    assert pairing.referral == referral and pairing.unit == unit_c
    assert pairing.shared_first_name == "Maija"


def test_referrer_may_not_pair(
    pro_a: Persona, counsellor_c: Persona, unit_a: Unit, unit_c: Unit, aino: Buddy
) -> None:
    referral = accepted_referral(pro_a, counsellor_c, unit_a, unit_c)
    with pytest.raises(ReferralNotFound):
        pair(pro_a, aino, referral_id=referral.pk)


def test_other_units_worker_may_not_pair_the_client(
    counsellor_d: Persona, dora: Buddy, pathway_c: Pathway
) -> None:
    with pytest.raises(NotFoundForUser):
        pair(counsellor_d, dora, pathway_c)
    assert not Pairing.objects.exists()


def test_buddy_of_another_unit_is_not_found(counsellor_c: Persona, dora: Buddy, pathway_c: Pathway) -> None:
    with pytest.raises(errors.BuddyNotFound):
        pair(counsellor_c, dora, pathway_c)
    assert not Pairing.objects.exists()


def test_inactive_buddy(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    services.buddy_set_active(actor=counsellor_c.user, buddy_id=aino.pk, active=False)
    with pytest.raises(errors.BuddyInactive) as exc:
        pair(counsellor_c, aino, pathway_c)
    assert exc.value.code == "buddy_inactive" and exc.value.http_status == 409
    assert not Pairing.objects.exists()


def test_untrained_buddy(counsellor_c: Persona, unit_c: Unit, pathway_c: Pathway) -> None:
    buddy = register(counsellor_c, unit_c, "kamu.new", "Uusi", training_completed_on=None)
    with pytest.raises(errors.BuddyNotTrained):
        pair(counsellor_c, buddy, pathway_c)


@pytest.mark.parametrize(("avail_from", "avail_until"), [(-5, None), (None, 30), (20, 90)])
def test_unavailable_buddy(
    counsellor_c: Persona, unit_c: Unit, pathway_c: Pathway, avail_from: int | None, avail_until: int | None
) -> None:
    buddy = register(
        counsellor_c,
        unit_c,
        "kamu.busy",
        "Kiireinen",
        available_from=today() + timedelta(days=avail_from) if avail_from is not None else None,
        available_until=today() + timedelta(days=avail_until) if avail_until is not None else None,
    )
    with pytest.raises(errors.BuddyUnavailable):
        pair(counsellor_c, buddy, pathway_c)


def test_overlapping_pairing(
    counsellor_c: Persona, aino: Buddy, pathway_c: Pathway, pairing: Pairing
) -> None:
    with pytest.raises(errors.PairingOverlaps):
        pair(
            counsellor_c,
            aino,
            pathway_c,
            starts_on=today() + timedelta(days=30),
            ends_on=today() + timedelta(days=90),
        )
    assert Pairing.objects.count() == 1


def test_after_ending_the_same_buddy_can_be_paired_again(
    counsellor_c: Persona, aino: Buddy, pathway_c: Pathway, pairing: Pairing
) -> None:
    services.pairing_end(actor=counsellor_c.user, pairing_id=pairing.pk, reason="other")
    assert pair(counsellor_c, aino, pathway_c).status == Pairing.Status.ACTIVE


def test_another_buddy_for_the_same_client_is_fine(
    counsellor_c: Persona, erik: Buddy, pathway_c: Pathway, pairing: Pairing
) -> None:
    assert pair(counsellor_c, erik, pathway_c).buddy == erik


def test_end_before_start(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    with pytest.raises(InvalidParameter) as exc:
        pair(counsellor_c, aino, pathway_c, ends_on=today() - timedelta(days=11))
    assert exc.value.details["field"] == "ends_on"


def test_period_too_long(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    start = today()
    with pytest.raises(errors.PairingTooLong):
        pair(
            counsellor_c,
            aino,
            pathway_c,
            starts_on=start,
            ends_on=services.max_end(start) + timedelta(days=1),
        )
    assert pair(counsellor_c, aino, pathway_c, starts_on=start, ends_on=services.max_end(start))


@override_settings(HYTE_BUDDY_PAIRING_MAX_MONTHS=1)
def test_max_length_is_a_setting(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    with pytest.raises(errors.PairingTooLong):
        pair(counsellor_c, aino, pathway_c, starts_on=today(), ends_on=today() + timedelta(days=40))


def test_start_far_back_is_refused(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    with pytest.raises(InvalidParameter):
        pair(counsellor_c, aino, pathway_c, starts_on=today() - timedelta(days=60), ends_on=today())


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"shared_phone": "", "shared_email": ""}, "shared_phone"),
        ({"shared_phone": "call me"}, "shared_phone"),
        ({"shared_email": "not-an-address"}, "shared_email"),
        ({"consent_given_by": "neighbour"}, "consent_given_by"),
        ({"consent_method": "telepathy"}, "consent_method"),
        ({"consent_given_at": timezone.now() + timedelta(days=1)}, "consent_given_at"),
    ],
)
def test_pair_bad_input(
    counsellor_c: Persona, aino: Buddy, pathway_c: Pathway, extra: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameter) as exc:
        pair(counsellor_c, aino, pathway_c, **extra)
    assert exc.value.details["field"] == field
    assert not Pairing.objects.exists()


def test_pair_without_source(counsellor_c: Persona, aino: Buddy) -> None:
    with pytest.raises(InvalidParameter):
        pair(counsellor_c, aino)


def test_pair_closed_pathway(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway) -> None:
    Pathway.objects.filter(pk=pathway_c.pk).update(status=Pathway.Status.CLOSED)
    with pytest.raises(InvalidParameter):
        pair(counsellor_c, aino, pathway_c)


def test_end_and_cancel(counsellor_c: Persona, aino: Buddy, pathway_c: Pathway, pairing: Pairing) -> None:
    services.pairing_end(
        actor=counsellor_c.user, pairing_id=pairing.pk, reason="goal_reached", note="Jatkaa itse"
    )
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.closed_on) == ("ended", "goal_reached", today())
    with pytest.raises(errors.PairingClosed):
        services.pairing_end(actor=counsellor_c.user, pairing_id=pairing.pk, reason="other")
    second = pair(counsellor_c, aino, pathway_c)
    services.pairing_end(actor=counsellor_c.user, pairing_id=second.pk, reason="mistake", cancel=True)
    second.refresh_from_db()
    assert second.status == Pairing.Status.CANCELLED
    assert AuditEvent.objects.filter(action="buddy_pairing_cancel").count() == 1


def test_end_bad_input_and_other_unit(counsellor_c: Persona, counsellor_d: Persona, pairing: Pairing) -> None:
    with pytest.raises(InvalidParameter):
        services.pairing_end(actor=counsellor_c.user, pairing_id=pairing.pk, reason="bored")
    with pytest.raises(InvalidParameter):
        services.pairing_end(actor=counsellor_c.user, pairing_id=pairing.pk, reason="other", note="x" * 201)
    with pytest.raises(errors.PairingNotFound):
        services.pairing_end(actor=counsellor_d.user, pairing_id=pairing.pk, reason="other")
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


# --- meetings ---


def test_record_meeting(aino_persona: Persona, pairing: Pairing) -> None:
    meeting = meet(aino_persona, pairing, duration_minutes=45)
    meeting.refresh_from_db()
    assert (meeting.on, meeting.activity, meeting.note, meeting.duration_minutes) == (
        today() - timedelta(days=1),
        "walk",
        "Lenkki",
        45,
    )
    assert meeting.recorded_by == aino_persona.user
    assert AuditEvent.objects.filter(action="buddy_meeting_record", object_id=str(meeting.pk)).exists()
    assert PersonalDataLog.objects.filter(object_id=str(pairing.pk), actor=aino_persona.user).exists()


def test_only_the_paired_buddy_records(counsellor_c: Persona, erik: Buddy, pairing: Pairing) -> None:
    from tests.conftest import _login

    for persona in (counsellor_c, _login(erik.user)):
        with pytest.raises(errors.PairingNotFound):
            meet(persona, pairing)
    assert not BuddyMeeting.objects.exists()


def test_deactivated_buddy_cannot_record(
    counsellor_c: Persona, aino_persona: Persona, aino: Buddy, pairing: Pairing
) -> None:
    Buddy.objects.filter(pk=aino.pk).update(active=False)
    with pytest.raises(errors.PairingNotFound):
        meet(aino_persona, pairing)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"on": None}, "on"),
        ({"days_ago": -1}, "on"),
        ({"days_ago": 11}, "on"),
        ({"activity": "surgery"}, "activity"),
        ({"note": "x" * 201}, "note"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
    ],
)
def test_meeting_bad_input(
    aino_persona: Persona, pairing: Pairing, extra: dict[str, object], field: str
) -> None:
    days_ago = int(extra.pop("days_ago", 1))  # type: ignore[call-overload]
    with pytest.raises(InvalidParameter) as exc:
        meet(aino_persona, pairing, days_ago=days_ago, **extra)
    assert exc.value.details["field"] == field
    assert not BuddyMeeting.objects.exists()


def test_no_meetings_after_the_pairing_ended(
    counsellor_c: Persona, aino_persona: Persona, pairing: Pairing
) -> None:
    services.pairing_end(actor=counsellor_c.user, pairing_id=pairing.pk, reason="period_over")
    with pytest.raises(errors.PairingClosed):
        meet(aino_persona, pairing)


def test_edit_and_delete_own_meeting(aino_persona: Persona, pairing: Pairing) -> None:
    meeting = meet(aino_persona, pairing)
    services.meeting_update(
        actor=aino_persona.user,
        meeting_id=meeting.pk,
        data=services.MeetingData(on=today() - timedelta(days=2), activity="gym", note="Kuntosali"),
    )
    meeting.refresh_from_db()
    assert (meeting.activity, meeting.note) == ("gym", "Kuntosali")
    services.meeting_delete(actor=aino_persona.user, meeting_id=meeting.pk)
    assert not BuddyMeeting.objects.exists()
    assert AuditEvent.objects.filter(action="buddy_meeting_delete", object_id=str(meeting.pk)).exists()


def test_edit_window(aino_persona: Persona, pairing: Pairing) -> None:
    meeting = meet(aino_persona, pairing)
    BuddyMeeting.objects.filter(pk=meeting.pk).update(recorded_at=timezone.now() - timedelta(hours=49))
    with pytest.raises(errors.EditWindowPassed):
        services.meeting_delete(actor=aino_persona.user, meeting_id=meeting.pk)
    assert BuddyMeeting.objects.filter(pk=meeting.pk).exists()


def test_others_may_not_edit(
    counsellor_c: Persona, aino_persona: Persona, erik: Buddy, pairing: Pairing
) -> None:
    from tests.conftest import _login

    meeting = meet(aino_persona, pairing)
    for persona in (counsellor_c, _login(erik.user)):
        with pytest.raises(errors.MeetingNotFound):
            services.meeting_delete(actor=persona.user, meeting_id=meeting.pk)
    assert BuddyMeeting.objects.filter(pk=meeting.pk).exists()


def test_database_refuses_a_reversed_period(pairing: Pairing) -> None:
    pairing.ends_on = pairing.starts_on - timedelta(days=1)
    with pytest.raises(ValidationError):
        pairing.full_clean()
