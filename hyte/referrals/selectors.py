"""Reads of the referrals context, scoped to the acting user.

A referrer's unit (professional role) sees the referrals it sent, a receiving unit (receiver role)
those sent to it (never drafts, and nothing of the client once consent is withdrawn), a platform admin
nothing more than anyone else: personal data is for the units that handle the referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from hyte.accounts.models import Unit, UnitCapacity, UnitRole
from hyte.catalog.models import Service, ServiceCapacity
from hyte.core.personal_log import log_personal_data
from hyte.referrals.errors import ReferralNotFound
from hyte.referrals.models import Referral

User = AbstractBaseUser | AnonymousUser
S = Referral.Status
WAITING_FOR_CONTACT = (S.SENT, S.RECEIVED, S.ACCEPTED)


def _units(actor: User, role: str) -> QuerySet[UnitRole]:
    roles = UnitRole.objects.filter(user__pk=actor.pk, role=role)  # type: ignore[misc]
    return roles.values("unit_id")  # type: ignore[return-value]


def referrals_visible_to(actor: User) -> QuerySet[Referral]:
    if not actor.is_authenticated or not actor.is_active:
        return Referral.objects.none()
    sent = Q(referring_unit__in=_units(actor, UnitRole.Role.PROFESSIONAL))
    received = Q(receiving_unit__in=_units(actor, UnitRole.Role.RECEIVER)) & ~Q(status=S.DRAFT)
    received &= Q(consent__withdrawn_at__isnull=True)
    return Referral.objects.filter(sent | received)


Roles = frozenset[tuple[Any, str]]


def actor_roles(actor: User) -> Roles:
    """The (unit id, role) pairs the actor holds; empty for anonymous or deactivated users."""
    if not actor.is_authenticated or not actor.is_active:
        return frozenset()
    pairs = UnitRole.objects.filter(user_id=actor.pk).values_list("unit_id", "role")  # type: ignore[misc]
    return frozenset(pairs)


def is_visible(referral: Referral, roles: Roles) -> bool:
    """The rule of ``referrals_visible_to`` for one referral already loaded with its consent (used where
    the referral is read under a row lock by its id; tests hold the two to the same answers)."""
    if (referral.referring_unit_id, UnitRole.Role.PROFESSIONAL) in roles:
        return True
    consent = getattr(referral, "consent", None)
    return (
        (referral.receiving_unit_id, UnitRole.Role.RECEIVER) in roles
        and referral.status != S.DRAFT
        and (consent is None or consent.withdrawn_at is None)
    )


def referral_queue(
    *, actor: User, status: str | None = None, overdue_only: bool = False, today: date | None = None
) -> QuerySet[Referral]:
    """A receiving unit's work queue: referrals sent to the actor's units, oldest first."""
    today = today or timezone.localdate()
    referrals = (
        referrals_visible_to(actor)
        .filter(receiving_unit__in=_units(actor, UnitRole.Role.RECEIVER))
        .select_related("receiving_unit", "referring_unit", "service")
        .order_by("sent_at")
    )
    if status:
        referrals = referrals.filter(status=status)
    if overdue_only:
        referrals = referrals.filter(status__in=WAITING_FOR_CONTACT, first_contact_due__lt=today)
    return referrals


def referrals_sent(*, actor: User) -> QuerySet[Referral]:
    """ "My referrals": those the actor's units sent, newest first, with their status."""
    return (
        referrals_visible_to(actor)
        .filter(referring_unit__in=_units(actor, UnitRole.Role.PROFESSIONAL))
        .select_related("receiving_unit", "service")
        .order_by("-created_at")
    )


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        referral.status in WAITING_FOR_CONTACT
        and referral.first_contact_due is not None
        and referral.first_contact_due < today
    )


def referral_detail(*, actor: User, referral_id: Any, purpose: str = "referral") -> Referral:
    """One referral with its client, for a user who may see it; the read is logged."""
    try:
        referral = (
            referrals_visible_to(actor)
            .select_related("client", "receiving_unit", "referring_unit", "service", "consent")
            .filter(pk=referral_id)
            .first()
        )
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        referral = None
    if referral is None:
        raise ReferralNotFound()
    log_personal_data(actor=actor, action="read", obj=referral.client, purpose=purpose)
    return referral


def available_actions(*, actor: User, referral: Referral, roles: Roles | None = None) -> list[str]:
    """The state changes this user may make to this referral now (for the page's buttons)."""
    from hyte.referrals.services import TRANSITIONS

    roles = actor_roles(actor) if roles is None else roles
    actions = []
    for action, rule in TRANSITIONS.items():
        unit_id = (
            referral.referring_unit_id
            if rule.role == UnitRole.Role.PROFESSIONAL
            else referral.receiving_unit_id
        )
        if referral.status in rule.sources and (unit_id, rule.role) in roles:
            actions.append(action)
    return actions


def is_professional(actor: User) -> bool:
    return bool(actor.is_authenticated and _units(actor, UnitRole.Role.PROFESSIONAL).exists())


def is_receiver(actor: User) -> bool:
    return bool(actor.is_authenticated and _units(actor, UnitRole.Role.RECEIVER).exists())


def may_book_appointment(*, actor: User, referral: Referral) -> bool:
    """A receiver of the receiving unit, while the referral is being worked on."""
    return referral.status in (S.ACCEPTED, S.FIRST_CONTACT, S.IN_PROGRESS) and (
        UnitRole.objects.filter(  # type: ignore[misc]
            user__pk=actor.pk, unit_id=referral.receiving_unit_id, role=UnitRole.Role.RECEIVER
        ).exists()
    )


# --- capacity of the receiver ---


@dataclass
class ReceiverCapacity:
    """What the referral form shows of the receiving unit and the chosen service: whether they take new
    clients, waiting time, free places. ``full`` when either says it takes no new clients (or has 0 free
    places): sending then needs an explicit confirmation."""

    unit: Unit | None = None
    unit_capacity: UnitCapacity | None = None
    service: Service | None = None
    service_capacity: ServiceCapacity | None = None

    @property
    def rows(self) -> list[tuple[Any, Any]]:
        return [
            (owner, capacity)
            for owner, capacity in ((self.unit, self.unit_capacity), (self.service, self.service_capacity))
            if owner is not None
        ]

    @property
    def full(self) -> bool:
        return any(c is not None and c.is_full for c in (self.unit_capacity, self.service_capacity))

    def as_details(self) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if self.unit_capacity is not None:
            details["receiving_unit"] = self.unit_capacity.as_dict()
        if self.service_capacity is not None:
            details["service"] = self.service_capacity.as_dict()
        return details


def receiver_capacity(*, unit_id: Any = None, service_id: Any = None) -> ReceiverCapacity:
    """The capacity of a unit that receives referrals and of an active tray service (unknown or
    malformed ids are simply left out: this is shown beside a form, whose own checks name bad input)."""
    found = ReceiverCapacity()
    try:
        unit = (
            Unit.objects.select_related("capacity").filter(pk=unit_id, receives_referrals=True).first()
            if unit_id
            else None
        )
    except (ValueError, ValidationError):
        unit = None
    try:
        service = (
            Service.objects.select_related("capacity")
            .filter(pk=service_id, status=Service.Status.ACTIVE)
            .first()
            if service_id
            else None
        )
    except (ValueError, ValidationError):
        service = None
    if unit is not None:
        found.unit, found.unit_capacity = unit, getattr(unit, "capacity", None)
    if service is not None:
        found.service, found.service_capacity = service, getattr(service, "capacity", None)
    return found
