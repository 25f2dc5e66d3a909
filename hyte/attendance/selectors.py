"""Reads of the attendance context, scoped to the acting user.

Pass holders (personal data) are seen by the issuing unit's professionals and workers only; the desk of
a provider sees only what a token shows (the programme, the count, rewards waiting), never a name.
Group attendance is anonymous counts, seen by the providing organization's staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from hyte.accounts.models import UnitRole
from hyte.attendance.models import Meeting, Pass, Reward, Visit
from hyte.attendance.services import _desk_org_ids
from hyte.catalog.models import Service
from hyte.referrals.selectors import User

ISSUER_ROLES = (UnitRole.Role.PROFESSIONAL, UnitRole.Role.RECEIVER)


def issuer_unit_ids(actor: User) -> set[Any]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    roles = UnitRole.objects.filter(user_id=actor.pk, role__in=ISSUER_ROLES)  # type: ignore[misc]
    return set(roles.values_list("unit_id", flat=True))


def passes_visible_to(actor: User) -> QuerySet[Pass]:
    return Pass.objects.filter(unit_id__in=issuer_unit_ids(actor))


def desk_services(actor: User) -> QuerySet[Service]:
    """The services whose visits the actor marks: her organizations' services that some pass covers."""
    return (
        Service.objects.filter(organization_id__in=_desk_org_ids(actor), pass_programmes__active=True)
        .distinct()
        .order_by("name")
    )


def is_desk(actor: User) -> bool:
    return bool(_desk_org_ids(actor))


@dataclass
class Holder:
    card: Pass
    visits_in_period: int
    rewards_waiting: int
    non_user: bool


def pass_holders(*, actor: User, since: date, until: date, today: date | None = None) -> list[Holder]:
    """The issuing units' passes with their use in the period and whether the holder is a non-user: a
    programme with a monthly obligation, past the grace period, with fewer visits in the last 30 days."""
    today = today or timezone.localdate()
    cards = (
        passes_visible_to(actor)
        .select_related("programme", "client", "unit")
        .annotate(
            in_period=Count(
                "visits",
                filter=Q(visits__on__gte=since, visits__on__lte=until, visits__confirmed=True),
                distinct=True,
            ),
            last_30=Count(
                "visits",
                filter=Q(visits__on__gt=today - timedelta(days=30), visits__confirmed=True),
                distinct=True,
            ),
            waiting=Count("rewards", filter=Q(rewards__handed_out_at__isnull=True), distinct=True),
        )
        .order_by("-issued_on")
    )
    holders = []
    for card in cards:
        programme = card.programme
        non_user = bool(
            card.status == Pass.Status.ACTIVE
            and programme.min_visits_per_month
            and card.issued_on + timedelta(days=programme.grace_days) <= today <= card.valid_until
            and card.last_30 < programme.min_visits_per_month  # type: ignore[attr-defined]
        )
        holders.append(Holder(card, card.in_period, card.waiting, non_user))  # type: ignore[attr-defined]
    return holders


def unconfirmed_visits(*, actor: User) -> QuerySet[Visit]:
    """Visits clients reported at the actor's organizations' services, waiting for confirmation."""
    return (
        Visit.objects.filter(service__organization_id__in=_desk_org_ids(actor), confirmed=False)
        .select_related("service", "pass_card__programme")
        .order_by("on")
    )


def rewards_waiting_for_token(token: str) -> QuerySet[Reward]:
    return Reward.objects.filter(pass_card__token=token, handed_out_at__isnull=True)


def meetings(*, actor: User, since: date, until: date) -> QuerySet[Meeting]:
    """Meetings of the groups the actor's organizations provide, in the period."""
    return (
        Meeting.objects.filter(
            service__organization_id__in=_desk_org_ids(actor),
            starts_at__date__gte=since,
            starts_at__date__lte=until,
        )
        .select_related("service")
        .order_by("-starts_at")
    )


def group_totals(*, actor: User, since: date, until: date) -> list[dict[str, Any]]:
    """Per group: meetings and visits in the period."""
    rows = (
        meetings(actor=actor, since=since, until=until)
        .values("service_id", "service__name")
        .annotate(meetings=Count("id"), visits=Sum("head_count"), new=Sum("new_visitors"))
        .order_by("service__name")
    )
    return [dict(row) for row in rows]


def pass_by_token(token: str) -> Pass:
    """The pass behind a token (the holder's own view); unknown tokens are "not found"."""
    from hyte.attendance.errors import UnknownPass

    card = (
        Pass.objects.select_related("programme").filter(token=(token or "")[:32]).first()
        if token and len(token) <= 32
        else None
    )
    if card is None:
        raise UnknownPass()
    return card
