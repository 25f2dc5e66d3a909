"""Writes of the buddies context.

Who may do what:
- register, update and deactivate a buddy: a unit administrator or a worker (receiver) of the buddy's
  coordinating unit;
- pair a client with a buddy: a worker (receiver) of the unit that has the client's pathway or received
  the client's referral, with a buddy coordinated by one of the worker's units; end or cancel it: a
  worker of the pairing's unit;
- record a meeting: only the paired buddy, within the pairing period, not in the future, while the
  pairing is active; correct or delete it: the buddy who recorded it, within
  ``HYTE_BUDDY_MEETING_EDIT_HOURS``.
Every write is in the audit trail; writes that touch the client's shared details are in the personal
data log (purpose ``buddy``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import UnitRole
from hyte.buddies import errors
from hyte.buddies.models import NOTE_MAX, TAGS_MAX, Buddy, BuddyMeeting, Pairing
from hyte.catalog.models import Municipality, ServiceLanguage, Theme
from hyte.core.audit import audit_record
from hyte.core.errors import InvalidParameter
from hyte.core.personal_log import log_personal_data
from hyte.referrals.models import Consent, Referral
from hyte.referrals.selectors import User

PURPOSE = "buddy"
STAFF_ROLES = (UnitRole.Role.RECEIVER, UnitRole.Role.UNIT_ADMIN)
PAIRABLE_REFERRAL = (Referral.Status.ACCEPTED, Referral.Status.FIRST_CONTACT, Referral.Status.IN_PROGRESS)
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,30}")
USERNAME = re.compile(r"[A-Za-z0-9@.+_-]{3,150}")
MAX_BACKDATE_DAYS = 31


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise InvalidParameter(details={"field": field}) from None


def staff_unit_ids(actor: User, roles: tuple[str, ...] = STAFF_ROLES) -> set[Any]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    found = UnitRole.objects.filter(user_id=actor.pk, role__in=roles)  # type: ignore[misc]
    return set(found.values_list("unit_id", flat=True))


# --- buddies ---


@dataclass
class BuddyData:
    name: str
    kind: str
    unit_id: Any = None
    languages: list[str] = field(default_factory=list)
    municipality: str | None = None
    interests: list[str] = field(default_factory=list)
    tags: str = ""
    training_completed_on: date | None = None
    available_from: date | None = None
    available_until: date | None = None


def _check_buddy(data: BuddyData) -> tuple[list[ServiceLanguage], Municipality | None, list[Theme]]:
    name = (data.name or "").strip()
    if not name or len(name) > 100:
        raise InvalidParameter(
            _("Give the buddy's name (at most 100 characters)."), details={"field": "name"}
        )
    data.name = name
    if data.kind not in Buddy.Kind.values:
        raise InvalidParameter(_("Choose the kind of buddy."), details={"field": "kind"})
    data.tags = (data.tags or "").strip()
    if len(data.tags) > TAGS_MAX:
        raise InvalidParameter(
            _("Other interests: at most %(n)d characters.") % {"n": TAGS_MAX}, details={"field": "tags"}
        )
    if data.available_from and data.available_until and data.available_until < data.available_from:
        raise InvalidParameter(
            _("The end of availability is before its start."), details={"field": "available_until"}
        )
    if data.training_completed_on and data.training_completed_on > timezone.localdate():
        raise InvalidParameter(
            _("The training date cannot be in the future."), details={"field": "training_completed_on"}
        )
    languages = list(ServiceLanguage.objects.filter(code__in=set(data.languages)))
    if len(languages) != len(set(data.languages)):
        raise InvalidParameter(_("Unknown language."), details={"field": "languages"})
    municipality = None
    if data.municipality:
        municipality = Municipality.objects.filter(code=str(data.municipality)[:3]).first()
        if municipality is None:
            raise InvalidParameter(_("Unknown municipality."), details={"field": "municipality"})
    themes = list(Theme.objects.filter(slug__in=set(data.interests)))
    if len(themes) != len(set(data.interests)):
        raise InvalidParameter(_("Unknown interest."), details={"field": "interests"})
    return languages, municipality, themes


def _buddy_for_staff(actor: User, buddy_id: Any) -> Buddy:
    try:
        buddy = (
            Buddy.objects.select_for_update(of=("self",))
            .filter(pk=_uuid(buddy_id, "buddy"), unit_id__in=staff_unit_ids(actor))
            .first()
        )
    except InvalidParameter:
        buddy = None
    if buddy is None:
        raise errors.BuddyNotFound()
    return buddy


@transaction.atomic
def buddy_register(*, actor: User, data: BuddyData, username: str) -> tuple[Buddy, str]:
    """A new buddy with a new user account of her own; returns the buddy and a one-time initial password
    to hand over in person (two-factor login is set up at the first login)."""
    unit_id = _uuid(data.unit_id, "unit")
    if unit_id not in staff_unit_ids(actor):
        raise errors.BuddyNotFound(
            _("You may register buddies only in your own units."), code="unit_not_found"
        )
    languages, municipality, themes = _check_buddy(data)
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise InvalidParameter(
            _("The username may have 3–150 letters, digits and @ . + - _ (no spaces)."),
            details={"field": "username"},
        )
    UserModel = get_user_model()
    if UserModel.objects.filter(username__iexact=username).exists():
        raise errors.UsernameTaken(details={"field": "username"})
    password = secrets.token_urlsafe(12)
    user = UserModel(username=username, first_name=data.name[:150], is_staff=False)
    user.set_password(password)
    user.save()
    buddy = Buddy(
        user=user,
        unit_id=unit_id,
        name=data.name,
        kind=data.kind,
        municipality=municipality,
        tags=data.tags,
        training_completed_on=data.training_completed_on,
        available_from=data.available_from,
        available_until=data.available_until,
    )
    buddy.full_clean(exclude=["user", "unit"])
    buddy.save()
    buddy.languages.set(languages)
    buddy.interests.set(themes)
    audit_record(actor=actor, action="buddy_register", obj=buddy, details={"unit": str(unit_id)})
    return buddy, password


@transaction.atomic
def buddy_update(*, actor: User, buddy_id: Any, data: BuddyData) -> Buddy:
    buddy = _buddy_for_staff(actor, buddy_id)
    languages, municipality, themes = _check_buddy(data)
    if data.available_until or data.available_from:
        blocking = buddy.pairings.filter(status=Pairing.Status.ACTIVE)
        outside = Q()
        if data.available_until:
            outside |= Q(ends_on__gt=data.available_until)
        if data.available_from:
            outside |= Q(starts_on__lt=data.available_from)
        if blocking.filter(outside).exists():
            raise errors.BuddyUnavailable(
                _("An active pairing of this buddy falls outside the new availability. End it first."),
                details={"field": "available_until"},
            )
    for name in ("name", "kind", "tags", "training_completed_on", "available_from", "available_until"):
        setattr(buddy, name, getattr(data, name))
    buddy.municipality = municipality
    buddy.full_clean(exclude=["user", "unit"])
    buddy.save()
    buddy.languages.set(languages)
    buddy.interests.set(themes)
    audit_record(actor=actor, action="buddy_update", obj=buddy)
    return buddy


@transaction.atomic
def buddy_set_active(*, actor: User, buddy_id: Any, active: bool) -> Buddy:
    """Deactivate (or reactivate) a buddy. A buddy with active pairings is not deactivated: nothing of
    an ongoing pairing is left without its buddy silently."""
    buddy = _buddy_for_staff(actor, buddy_id)
    if not active and buddy.pairings.filter(status=Pairing.Status.ACTIVE).exists():
        raise errors.BuddyHasActivePairings()
    if buddy.active != active:
        buddy.active = active
        buddy.save(update_fields=["active", "updated_at"])
        audit_record(actor=actor, action="buddy_activate" if active else "buddy_deactivate", obj=buddy)
    return buddy


# --- pairings ---


@dataclass
class PairingData:
    buddy_id: Any
    starts_on: date
    ends_on: date
    consent_given_by: str
    consent_method: str
    pathway_id: Any = None
    referral_id: Any = None
    shared_phone: str = ""
    shared_email: str = ""
    consent_given_at: datetime | None = None


def _client_source(actor: User, data: PairingData) -> tuple[Any, Any, Any, Any]:
    """(client, unit, pathway, referral) for a receiver of the unit that works with the client."""
    from hyte.pathways.models import Pathway
    from hyte.pathways.selectors import pathway_detail
    from hyte.referrals.selectors import referral_detail

    if data.pathway_id:
        pathway = pathway_detail(actor=actor, pathway_id=data.pathway_id)
        if pathway.status != Pathway.Status.ACTIVE:
            raise InvalidParameter(_("The pathway is closed."), details={"field": "pathway"})
        return pathway.client, pathway.unit, pathway, None
    if data.referral_id:
        referral = referral_detail(actor=actor, referral_id=data.referral_id, purpose=PURPOSE)
        may = UnitRole.objects.filter(
            user_id=actor.pk,  # type: ignore[misc]
            unit_id=referral.receiving_unit_id,
            role=UnitRole.Role.RECEIVER,
        ).exists()
        if not may:  # the referrer does not pair; the receiving unit does
            from hyte.referrals.errors import ReferralNotFound

            raise ReferralNotFound()
        if referral.status not in PAIRABLE_REFERRAL:
            raise InvalidParameter(
                _("A buddy can be paired once the referral is accepted and until it is closed."),
                details={"field": "referral"},
            )
        return referral.client, referral.receiving_unit, None, referral
    raise InvalidParameter(_("Choose the pathway or referral of the client."), details={"field": "pathway"})


def max_end(starts_on: date) -> date:
    from hyte.pathways.selectors import add_months

    return add_months(starts_on, settings.HYTE_BUDDY_PAIRING_MAX_MONTHS)


def _check_contact(phone: str, email: str) -> tuple[str, str]:
    phone, email = (phone or "").strip(), (email or "").strip()
    if phone and not PHONE.fullmatch(phone):
        raise InvalidParameter(_("Check the phone number."), details={"field": "shared_phone"})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidParameter(
                _("Check the e-mail address."), details={"field": "shared_email"}
            ) from None
    if not phone and not email:
        raise InvalidParameter(
            _("Give the phone number or e-mail address the client agreed to share with the buddy."),
            details={"field": "shared_phone"},
        )
    return phone, email


@transaction.atomic
def pairing_create(*, actor: User, data: PairingData) -> Pairing:
    if not isinstance(data.starts_on, date) or not isinstance(data.ends_on, date):
        raise InvalidParameter(_("Give the start and end dates."), details={"field": "starts_on"})
    if data.ends_on < data.starts_on:
        raise InvalidParameter(_("The end is before the start."), details={"field": "ends_on"})
    today = timezone.localdate()
    if data.starts_on < today - timedelta(days=MAX_BACKDATE_DAYS):
        raise InvalidParameter(_("The start can be at most a month back."), details={"field": "starts_on"})
    if data.ends_on > max_end(data.starts_on):
        raise errors.PairingTooLong(
            _("A pairing lasts at most %(months)d months.")
            % {"months": settings.HYTE_BUDDY_PAIRING_MAX_MONTHS},
            details={"field": "ends_on"},
        )
    if data.consent_given_by not in Consent.GivenBy.values:
        raise InvalidParameter(_("Record who gave the consent."), details={"field": "consent_given_by"})
    if data.consent_method not in Consent.Method.values:
        raise InvalidParameter(_("Record how the consent was given."), details={"field": "consent_method"})
    given_at = data.consent_given_at or timezone.now()
    if given_at > timezone.now() + timedelta(minutes=5):
        raise InvalidParameter(
            _("The consent cannot be in the future."), details={"field": "consent_given_at"}
        )
    phone, email = _check_contact(data.shared_phone, data.shared_email)
    client, unit, pathway, referral = _client_source(actor, data)
    try:
        buddy = (
            Buddy.objects.select_for_update()
            .filter(pk=_uuid(data.buddy_id, "buddy"), unit_id__in=staff_unit_ids(actor))
            .first()
        )
    except InvalidParameter:
        buddy = None
    if buddy is None:
        raise errors.BuddyNotFound(details={"field": "buddy"})
    if not buddy.active or not buddy.user.is_active:
        raise errors.BuddyInactive(details={"field": "buddy"})
    if buddy.training_completed_on is None:
        raise errors.BuddyNotTrained(details={"field": "buddy"})
    if (buddy.available_from and data.starts_on < buddy.available_from) or (
        buddy.available_until and data.ends_on > buddy.available_until
    ):
        raise errors.BuddyUnavailable(details={"field": "buddy"})
    overlapping = Pairing.objects.filter(
        client=client,
        buddy=buddy,
        status=Pairing.Status.ACTIVE,
        starts_on__lte=data.ends_on,
        ends_on__gte=data.starts_on,
    )
    if overlapping.exists():
        raise errors.PairingOverlaps()
    pairing = Pairing(
        client=client,
        buddy=buddy,
        unit=unit,
        pathway=pathway,
        referral=referral,
        paired_by_id=actor.pk,  # type: ignore[misc]
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        shared_first_name=client.first_name,
        shared_phone=phone,
        shared_email=email,
        consent_given_by=data.consent_given_by,
        consent_given_at=given_at,
        consent_method=data.consent_method,
        consent_recorded_by_id=actor.pk,  # type: ignore[misc]
    )
    pairing.full_clean(
        exclude=["client", "buddy", "unit", "pathway", "referral", "paired_by", "consent_recorded_by"]
    )
    pairing.save()
    audit_record(actor=actor, action="buddy_pairing_create", obj=pairing, details={"buddy": str(buddy.pk)})
    log_personal_data(actor=actor, action="create", obj=pairing, purpose=PURPOSE)
    return pairing


def _worker_pairing(actor: User, pairing_id: Any) -> Pairing:
    try:
        pairing = (
            Pairing.objects.select_for_update(of=("self",))
            .filter(
                pk=_uuid(pairing_id, "pairing"), unit_id__in=staff_unit_ids(actor, (UnitRole.Role.RECEIVER,))
            )
            .first()
        )
    except InvalidParameter:
        pairing = None
    if pairing is None:
        raise errors.PairingNotFound()
    return pairing


@transaction.atomic
def pairing_end(
    *, actor: User, pairing_id: Any, reason: str, note: str = "", cancel: bool = False
) -> Pairing:
    """End a pairing (or cancel one made by mistake or that never started). Its meetings stay."""
    pairing = _worker_pairing(actor, pairing_id)
    if pairing.status != Pairing.Status.ACTIVE:
        raise errors.PairingClosed(_("The pairing has been closed already."))
    if reason not in Pairing.EndReason.values:
        raise InvalidParameter(_("Choose the reason for ending."), details={"field": "reason"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidParameter(
            _("The note may have at most %(n)d characters.") % {"n": NOTE_MAX}, details={"field": "note"}
        )
    pairing.status = Pairing.Status.CANCELLED if cancel else Pairing.Status.ENDED
    pairing.closed_on = timezone.localdate()
    pairing.end_reason, pairing.end_note = reason, note
    pairing.save(update_fields=["status", "closed_on", "end_reason", "end_note"])
    audit_record(
        actor=actor,
        action="buddy_pairing_cancel" if cancel else "buddy_pairing_end",
        obj=pairing,
        details={"reason": reason},
    )
    log_personal_data(actor=actor, action="update", obj=pairing, purpose=PURPOSE)
    return pairing


# --- meetings ---


@dataclass
class MeetingData:
    on: date
    activity: str
    note: str = ""
    duration_minutes: int | None = None


def _check_meeting(pairing: Pairing, data: MeetingData) -> None:
    if not isinstance(data.on, date):
        raise InvalidParameter(_("Give the date of the meeting."), details={"field": "on"})
    if data.on > timezone.localdate():
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "on"})
    if data.on < pairing.starts_on or data.on > pairing.ends_on:
        raise InvalidParameter(
            _("The date must be within the pairing period (%(start)s–%(end)s).")
            % {"start": f"{pairing.starts_on:%d.%m.%Y}", "end": f"{pairing.ends_on:%d.%m.%Y}"},
            details={"field": "on"},
        )
    if data.activity not in BuddyMeeting.Activity.values:
        raise InvalidParameter(_("Choose the activity."), details={"field": "activity"})
    data.note = (data.note or "").strip()
    if len(data.note) > NOTE_MAX:
        raise InvalidParameter(
            _("The note may have at most %(n)d characters.") % {"n": NOTE_MAX}, details={"field": "note"}
        )
    if data.duration_minutes is not None and not 1 <= data.duration_minutes <= 600:
        raise InvalidParameter(_("The duration is 1–600 minutes."), details={"field": "duration_minutes"})


def _own_pairing(actor: User, pairing_id: Any) -> Pairing:
    if not actor.is_authenticated or not actor.is_active:
        raise errors.PairingNotFound()
    try:
        pairing = (
            Pairing.objects.select_for_update(of=("self",))
            .filter(pk=_uuid(pairing_id, "pairing"), buddy__user_id=actor.pk, buddy__active=True)
            .first()
        )
    except InvalidParameter:
        pairing = None
    if pairing is None:
        raise errors.PairingNotFound()
    return pairing


@transaction.atomic
def meeting_record(*, actor: User, pairing_id: Any, data: MeetingData) -> BuddyMeeting:
    pairing = _own_pairing(actor, pairing_id)
    if pairing.status != Pairing.Status.ACTIVE:
        raise errors.PairingClosed()
    _check_meeting(pairing, data)
    meeting = BuddyMeeting.objects.create(
        pairing=pairing,
        on=data.on,
        activity=data.activity,
        note=data.note,
        duration_minutes=data.duration_minutes,
        recorded_by_id=actor.pk,  # type: ignore[misc]
    )
    audit_record(
        actor=actor, action="buddy_meeting_record", obj=meeting, details={"pairing": str(pairing.pk)}
    )
    log_personal_data(actor=actor, action="create", obj=pairing, purpose=PURPOSE)
    return meeting


def _own_meeting(actor: User, meeting_id: Any) -> BuddyMeeting:
    if not actor.is_authenticated or not actor.is_active:
        raise errors.MeetingNotFound()
    try:
        meeting = (
            BuddyMeeting.objects.select_for_update(of=("self",))
            .select_related("pairing")
            .filter(
                pk=_uuid(meeting_id, "meeting"),
                recorded_by_id=actor.pk,
                pairing__buddy__user_id=actor.pk,
                pairing__buddy__active=True,
            )
            .first()
        )
    except InvalidParameter:
        meeting = None
    if meeting is None:
        raise errors.MeetingNotFound()
    if timezone.now() - meeting.recorded_at > timedelta(hours=settings.HYTE_BUDDY_MEETING_EDIT_HOURS):
        raise errors.EditWindowPassed()
    return meeting


@transaction.atomic
def meeting_update(*, actor: User, meeting_id: Any, data: MeetingData) -> BuddyMeeting:
    meeting = _own_meeting(actor, meeting_id)
    _check_meeting(meeting.pairing, data)
    meeting.on, meeting.activity, meeting.note = data.on, data.activity, data.note
    meeting.duration_minutes = data.duration_minutes
    meeting.save(update_fields=["on", "activity", "note", "duration_minutes"])
    audit_record(actor=actor, action="buddy_meeting_update", obj=meeting)
    log_personal_data(actor=actor, action="update", obj=meeting.pairing, purpose=PURPOSE)
    return meeting


@transaction.atomic
def meeting_delete(*, actor: User, meeting_id: Any) -> None:
    meeting = _own_meeting(actor, meeting_id)
    pairing = meeting.pairing
    audit_record(
        actor=actor, action="buddy_meeting_delete", obj=meeting, details={"on": meeting.on.isoformat()}
    )
    meeting.delete()
    log_personal_data(actor=actor, action="update", obj=pairing, purpose=PURPOSE)
