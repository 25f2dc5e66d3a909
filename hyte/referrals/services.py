"""Writes of the referrals context: create a referral with the client's consent, move it through its
states, withdraw consent. Every change is one transaction with a row lock on the referral, a history
row (``ReferralEvent``) and an entry in the personal data log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Service, Theme
from hyte.core.audit import audit_record
from hyte.core.crypto import encrypt, lookup_hash
from hyte.core.errors import InvalidParameter
from hyte.core.personal_log import log_personal_data
from hyte.privacy.history import record_changes, snapshot
from hyte.privacy.models import ClientCorrection
from hyte.referrals import hetu, notifications
from hyte.referrals.errors import (
    ConsentMissing,
    ConsentWithdrawn,
    NotInUnit,
    ReceiverFull,
    ReferralNotFound,
    ReferralTransitionNotAllowed,
)
from hyte.referrals.models import Client, Consent, Referral, ReferralEvent
from hyte.referrals.selectors import Roles, actor_roles, is_visible, receiver_capacity

User = AbstractBaseUser | AnonymousUser
S = Referral.Status
PURPOSE = "referral"
HETU_PURPOSE = "hetu"


# --- who may do what ---


def _holds(roles: Roles, unit_id: Any, role: str) -> bool:
    try:
        unit = unit_id if isinstance(unit_id, uuid.UUID) else uuid.UUID(str(unit_id))
    except ValueError:
        return False
    return (unit, role) in roles


# --- clients ---


@dataclass
class ClientData:
    first_name: str
    last_name: str
    personal_identity_code: str = ""
    email: str = ""
    phone: str = ""
    preferred_language: str = Client.Language.FINNISH
    municipality: str | None = None


@transaction.atomic
def client_record(actor: User, data: ClientData) -> Client:
    """The client with this henkilötunnus (found by its keyed hash), or a new one; contact details
    given now replace the old ones (the old values go to the correction history, ``hyte.privacy``)."""
    code = hetu.validate(data.personal_identity_code) if data.personal_identity_code else ""
    digest = lookup_hash(code, purpose=HETU_PURPOSE) if code else None
    client = Client.objects.select_for_update().filter(hetu_hash=digest).first() if digest else None
    created = client is None
    client = client or Client(hetu_hash=digest, hetu_encrypted=encrypt(code) if code else "")
    before = snapshot(client)  # the correction history keeps what new details replace
    if code:
        client.birth_year = hetu.birth_date(code).year
    client.first_name, client.last_name = data.first_name.strip(), data.last_name.strip()
    client.email, client.phone = data.email.strip(), data.phone.strip()
    client.preferred_language = data.preferred_language
    client.municipality_id = data.municipality
    _clean(client)
    client.save()
    record_changes(actor=actor, client=client, before=before, source=ClientCorrection.Source.RECORD)
    log_personal_data(actor=actor, action="create" if created else "update", obj=client, purpose=PURPOSE)
    return client


def _clean(obj: Any, exclude: list[str] | None = None, *, validate_unique: bool = True) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_unique)
    except ValidationError as exc:
        raise InvalidParameter(
            _("Some fields are missing or invalid."), details={"fields": exc.message_dict}
        ) from exc


# --- creating ---


@dataclass
class ConsentData:
    given_by: str
    method: str
    scope: str
    given_at: datetime | None = None


@transaction.atomic
def referral_create(
    *,
    actor: User,
    referring_unit_id: Any,
    receiving_unit_id: Any,
    kind: str,
    client: ClientData,
    reason: str,
    consent: ConsentData | None,
    goals: str = "",
    needs: list[str] | None = None,
    activity_level: str = Referral.ActivityLevel.UNKNOWN,
    risk_notes: str = "",
    urgency: str = Referral.Urgency.ROUTINE,
    service_id: Any = None,
    idempotency_key: str | None = None,
    send: bool = True,
    capacity_confirmed: bool = False,
) -> Referral:
    """A new referral (sent at once unless ``send=False``). The same ``idempotency_key`` from the same
    referrer gives back the referral the first request made, so a double submission creates one.
    Sending to a unit or service that says it takes no new clients (or has 0 free places) raises
    ``ReceiverFull`` unless ``capacity_confirmed``."""
    roles = actor_roles(actor)
    if not _holds(roles, referring_unit_id, UnitRole.Role.PROFESSIONAL):
        raise NotInUnit()
    if idempotency_key:
        if len(idempotency_key) > 64:
            raise InvalidParameter(details={"field": "idempotency_key"})
        existing = Referral.objects.filter(referrer_id=actor.pk, idempotency_key=idempotency_key).first()
        if existing is not None:
            existing.replayed = True
            return existing
    receiving = Unit.objects.filter(pk=receiving_unit_id, receives_referrals=True).first()
    if receiving is None:
        raise InvalidParameter(
            _("Choose a unit that receives referrals."), details={"field": "receiving_unit"}
        )
    if send and consent is None:
        raise ConsentMissing()
    if needs and Theme.objects.filter(slug__in=set(needs)).count() != len(set(needs)):
        raise InvalidParameter(_("Unknown need."), details={"field": "needs"})
    if (
        service_id is not None
        and not Service.objects.filter(pk=service_id, status=Service.Status.ACTIVE).exists()
    ):
        raise InvalidParameter(_("The service was not found in the tray."), details={"field": "service"})
    if send:
        _check_capacity(actor, receiving.pk, service_id, confirmed=capacity_confirmed)
    person = client_record(actor, client)
    referral = Referral(
        kind=kind,
        client=person,
        referrer_id=actor.pk,  # type: ignore[misc]
        referring_unit_id=referring_unit_id,
        receiving_unit=receiving,
        service_id=service_id,
        reason=reason.strip(),
        goals=goals.strip(),
        activity_level=activity_level,
        risk_notes=risk_notes.strip(),
        urgency=urgency,
        idempotency_key=idempotency_key or None,
    )
    # The units and the service were checked above; the idempotency key's uniqueness is the database's
    # (the IntegrityError below): no need to ask again.
    _clean(
        referral,
        exclude=["client", "referrer", "referring_unit", "receiving_unit", "service"],
        validate_unique=False,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:  # the same key from a concurrent request won the race
        existing = Referral.objects.filter(referrer_id=actor.pk, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        existing.replayed = True
        return existing
    if needs:
        referral.needs.set(needs)  # type: ignore[arg-type]  # theme slugs are the primary keys
    if consent is not None:
        record = Consent(
            referral=referral,
            given_by=consent.given_by,
            method=consent.method,
            scope=consent.scope,
            given_at=consent.given_at or timezone.now(),
            recorded_by_id=actor.pk,  # type: ignore[misc]
        )
        _clean(record, exclude=["referral", "recorded_by"])
        record.save()
    _event(referral, "", S.DRAFT, "create", actor)
    log_personal_data(actor=actor, action="create", obj=referral, purpose=PURPOSE)
    if send:
        _apply(referral, "send", actor, roles)
    return referral


# --- capacity of the receiver ---


def _check_capacity(actor: User, unit_id: Any, service_id: Any, *, confirmed: bool) -> None:
    """A receiver that says it takes no new clients (or has 0 free places) gets the referral only when
    the sender confirms; a confirmed send is in the audit trail (no personal data: unit, service and
    the capacity as stated)."""
    capacity = receiver_capacity(unit_id=unit_id, service_id=service_id)
    if not capacity.full:
        return
    if not confirmed:
        raise ReceiverFull(details={"capacity": capacity.as_details()})
    record = capacity.unit_capacity if capacity.unit_capacity is not None else capacity.service_capacity
    assert record is not None
    audit_record(
        actor=actor,
        action="referral.send_to_full_receiver",
        obj=record,
        details={"unit": str(unit_id), "service": str(service_id) if service_id else None}
        | capacity.as_details(),
    )


# --- the state machine ---


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    role: str  # UnitRole.Role in the referring unit (professional) or the receiving unit (receiver)


TRANSITIONS: dict[str, Transition] = {
    "send": Transition(frozenset({S.DRAFT}), S.SENT, UnitRole.Role.PROFESSIONAL),
    "receive": Transition(frozenset({S.SENT}), S.RECEIVED, UnitRole.Role.RECEIVER),
    "accept": Transition(frozenset({S.RECEIVED}), S.ACCEPTED, UnitRole.Role.RECEIVER),
    "decline": Transition(frozenset({S.RECEIVED}), S.DECLINED, UnitRole.Role.RECEIVER),
    "first_contact": Transition(frozenset({S.ACCEPTED}), S.FIRST_CONTACT, UnitRole.Role.RECEIVER),
    "start": Transition(frozenset({S.FIRST_CONTACT}), S.IN_PROGRESS, UnitRole.Role.RECEIVER),
    "complete": Transition(frozenset({S.FIRST_CONTACT, S.IN_PROGRESS}), S.COMPLETED, UnitRole.Role.RECEIVER),
    "discontinue": Transition(
        frozenset({S.ACCEPTED, S.FIRST_CONTACT, S.IN_PROGRESS}), S.DISCONTINUED, UnitRole.Role.RECEIVER
    ),
    "cancel": Transition(
        frozenset({S.DRAFT, S.SENT, S.RECEIVED, S.ACCEPTED}), S.CANCELLED, UnitRole.Role.PROFESSIONAL
    ),
}
OPEN = frozenset({S.DRAFT, S.SENT, S.RECEIVED, S.ACCEPTED, S.FIRST_CONTACT, S.IN_PROGRESS})


def _locked(referral_id: Any, actor: User) -> tuple[Referral, Roles]:
    """The referral under a row lock, and the actor's roles; not found unless the actor may see it.

    Locked by its id and checked in Python (``is_visible``, the rule of ``referrals_visible_to``): the
    transition is the hottest write and this saves compiling the visibility query and a role query."""
    try:
        found = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("receiving_unit", "referring_unit", "consent")
            .filter(pk=referral_id)
            .first()
        )
    except (ValueError, ValidationError):
        found = None
    roles = actor_roles(actor)
    if found is None or not is_visible(found, roles):
        raise ReferralNotFound()
    return found, roles


def _event(referral: Referral, source: str, target: str, action: str, actor: User) -> None:
    ReferralEvent.objects.create(
        referral=referral, from_status=source, to_status=target, action=action, actor_id=actor.pk
    )


def _apply(referral: Referral, action: str, actor: User, roles: Roles, **fields: Any) -> Referral:
    rule = TRANSITIONS[action]
    unit_id = (
        referral.referring_unit_id if rule.role == UnitRole.Role.PROFESSIONAL else referral.receiving_unit_id
    )
    if (unit_id, rule.role) not in roles:
        raise NotInUnit()
    if referral.status not in rule.sources:
        raise ReferralTransitionNotAllowed(
            _("A referral that is “%(status)s” cannot be changed that way.")
            % {"status": referral.get_status_display()},
            details={"status": referral.status, "action": action},
        )
    consent = getattr(referral, "consent", None)
    if action != "cancel":
        if consent is None:
            raise ConsentMissing()
        if not consent.active:
            raise ConsentWithdrawn()
    now = timezone.now()
    source = referral.status
    changed: dict[str, Any] = {"status": rule.target}
    if action == "send":
        days = referral.receiving_unit.first_contact_days
        changed |= {
            "sent_at": now,
            "first_contact_due": (timezone.localtime(now) + timedelta(days=days)).date(),
        }
    elif action == "receive":
        changed["received_at"] = now
    elif action == "accept":
        changed["accepted_at"] = now
    elif action == "first_contact":
        changed["first_contact_at"] = now
    if rule.target in (S.COMPLETED, S.DISCONTINUED, S.DECLINED, S.CANCELLED):
        changed["closed_at"] = now
    changed |= {key: value.strip() if isinstance(value, str) else value for key, value in fields.items()}
    for key, value in changed.items():
        setattr(referral, key, value)
    # Only what changed is checked and written (the rest was checked when the referral was made).
    untouched = [f.name for f in Referral._meta.fields if f.name not in changed]
    try:
        referral.full_clean(exclude=untouched, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidParameter(
            _("Some fields are missing or invalid."), details={"fields": exc.message_dict}
        ) from exc
    referral.save(update_fields=[*changed, "updated_at"])
    _event(referral, source, rule.target, action, actor)
    log_personal_data(actor=actor, action=action, obj=referral, purpose=PURPOSE)
    notifications.on_transition(referral, action)
    return referral


def _required(value: str, field: str) -> str:
    if not value or not value.strip():
        raise InvalidParameter(_("This field is required."), details={"field": field})
    return value


@transaction.atomic
def referral_transition(
    *, actor: User, referral_id: Any, action: str, capacity_confirmed: bool = False, **fields: Any
) -> Referral:
    """Apply ``action`` to the referral under a row lock: of two users acting at once, one wins and the
    other gets ReferralTransitionNotAllowed (409). Unknown actions are a 400. Sending a draft to a full
    receiver needs ``capacity_confirmed`` (see ``referral_create``)."""
    if action not in TRANSITIONS:
        raise InvalidParameter(details={"field": "action"})
    allowed: dict[str, set[str]] = {
        "decline": {"decline_reason", "decline_code"},
        "complete": {"outcome_summary"},
        "discontinue": {"end_reason", "end_note"},
    }
    if set(fields) - allowed.get(action, set()):
        raise InvalidParameter(details={"fields": sorted(set(fields) - allowed.get(action, set()))})
    if action == "decline":
        _required(fields.get("decline_reason", ""), "decline_reason")
        fields.setdefault("decline_code", Referral.DeclineCode.OTHER)
        if fields["decline_code"] not in Referral.DeclineCode.values:
            raise InvalidParameter(
                _("Choose why the referral is declined."), details={"field": "decline_code"}
            )
    if action == "complete":
        _required(fields.get("outcome_summary", ""), "outcome_summary")
    if action == "discontinue" and fields.get("end_reason") not in Referral.EndReason.values:
        raise InvalidParameter(_("Choose why the referral ended."), details={"field": "end_reason"})
    referral, roles = _locked(referral_id, actor)
    if action == "send" and referral.status in TRANSITIONS["send"].sources:
        _check_capacity(actor, referral.receiving_unit_id, referral.service_id, confirmed=capacity_confirmed)
    return _apply(referral, action, actor, roles, **fields)


@transaction.atomic
def consent_withdraw(*, actor: User, referral_id: Any) -> Referral:
    """The client withdrew the consent: recorded, and the referral closes (cancelled before the
    receiver took it on, discontinued after), so the receiver no longer sees the client."""
    referral, _roles = _locked(referral_id, actor)
    consent = Consent.objects.select_for_update().filter(referral=referral).first()
    if consent is None or not consent.active:
        raise ConsentMissing(_("There is no consent in force to withdraw."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_recorded_by_id = actor.pk
    consent.save(update_fields=["withdrawn_at", "withdrawal_recorded_by"])
    referral.consent = consent  # the locked referral came with the consent as it was
    log_personal_data(actor=actor, action="consent_withdraw", obj=referral, purpose=PURPOSE)
    if referral.status in OPEN:
        source = referral.status
        if source in (S.DRAFT, S.SENT, S.RECEIVED):
            referral.status = S.CANCELLED
        else:
            referral.status = S.DISCONTINUED
            referral.end_reason = Referral.EndReason.CLIENT_DECLINED
        referral.closed_at = consent.withdrawn_at
        referral.save()
        _event(referral, source, referral.status, "consent_withdraw", actor)
    return referral


@transaction.atomic
def referral_set_appointment(*, actor: User, referral_id: Any, at: datetime, place: str = "") -> Referral:
    """The receiver books a meeting with the client; the client gets an SMS reminder the day before
    (``manage.py send_appointment_reminders``)."""
    referral, roles = _locked(referral_id, actor)
    if not _holds(roles, referral.receiving_unit_id, UnitRole.Role.RECEIVER):
        raise NotInUnit()
    if referral.status not in (S.ACCEPTED, S.FIRST_CONTACT, S.IN_PROGRESS):
        raise ReferralTransitionNotAllowed(
            _("Appointments can be booked only for an accepted referral."),
            details={"status": referral.status},
        )
    if timezone.is_naive(at) or at <= timezone.now():
        raise InvalidParameter(_("Give a time in the future."), details={"field": "appointment_at"})
    referral.appointment_at, referral.appointment_place = at, place.strip()
    referral.reminder_sent_at = None
    _clean(referral, exclude=["client", "referrer"])
    referral.save()
    log_personal_data(actor=actor, action="appointment", obj=referral, purpose=PURPOSE)
    return referral
