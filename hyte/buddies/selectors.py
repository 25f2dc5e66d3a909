"""Reads of the buddies context, scoped to the acting user.

- Staff (receivers and unit administrators) see the buddies their units coordinate;
- workers (receivers) see the pairings of their units, with the client;
- a buddy sees only her own pairings, and of the client only what the client agreed to share (first
  name and the chosen contact), through ``BuddyPairingView``: never the client record, the surname, the
  personal identity code, the referral or pathway.
Reads of shared details are in the personal data log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hyte.accounts.models import UnitRole
from hyte.buddies.errors import PairingNotFound
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.buddies.services import PURPOSE, staff_unit_ids
from hyte.core.personal_log import log_personal_data
from hyte.referrals.selectors import User


def worker_unit_ids(actor: User) -> set[Any]:
    return staff_unit_ids(actor, (UnitRole.Role.RECEIVER,))


def is_buddy_staff(actor: User) -> bool:
    return bool(staff_unit_ids(actor))


def buddy_of(actor: User) -> Buddy | None:
    """The actor's own active buddy record, if she is a buddy."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    return Buddy.objects.filter(user_id=actor.pk, active=True).first()


def buddies_visible_to(actor: User) -> QuerySet[Buddy]:
    return Buddy.objects.filter(unit_id__in=staff_unit_ids(actor))


def buddy_for_staff(actor: User, buddy_id: Any) -> Buddy | None:
    try:
        return (
            buddies_visible_to(actor)
            .select_related("unit", "municipality", "user")
            .prefetch_related("languages", "interests")
            .filter(pk=buddy_id)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def buddy_register_list(actor: User) -> QuerySet[Buddy]:
    return (
        buddies_visible_to(actor)
        .select_related("unit", "municipality")
        .prefetch_related("languages", "interests")
        .annotate(active_pairings=Count("pairings", filter=Q(pairings__status=Pairing.Status.ACTIVE)))
        .order_by("-active", "name")
    )


# --- matching ---


@dataclass
class Match:
    buddy: Buddy
    score: int
    reasons: list[str] = field(default_factory=list)  # "language", "municipality", "interest"
    active_pairings: int = 0


def buddy_matches(
    *,
    actor: User,
    language: str = "",
    municipality: str = "",
    themes: list[str] | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> list[Match]:
    """Active, trained buddies of the actor's units available on the whole period (today by default),
    best fit first: a language match counts 3, the municipality 2, each shared interest 1; then fewer
    active pairings, then the name."""
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or starts_on
    themes = themes or []
    buddies = (
        buddies_visible_to(actor)
        .filter(active=True, user__is_active=True, training_completed_on__isnull=False)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=starts_on))
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=ends_on))
        .select_related("unit", "municipality")
        .prefetch_related("languages", "interests")
        .annotate(active_pairings=Count("pairings", filter=Q(pairings__status=Pairing.Status.ACTIVE)))
    )
    matches = []
    for buddy in buddies:
        score, reasons = 0, list[str]()
        if language and any(lang.code == language for lang in buddy.languages.all()):
            score, reasons = score + 3, [*reasons, "language"]
        if municipality and buddy.municipality_id == municipality:
            score, reasons = score + 2, [*reasons, "municipality"]
        shared = {t.slug for t in buddy.interests.all()} & set(themes)
        if shared:
            score, reasons = score + len(shared), [*reasons, "interest"]
        matches.append(Match(buddy, score, reasons, buddy.active_pairings))  # type: ignore[attr-defined]
    matches.sort(key=lambda m: (-m.score, m.active_pairings, m.buddy.name.casefold()))
    return matches


# --- pairings for workers ---


def pairings_visible_to(actor: User) -> QuerySet[Pairing]:
    return Pairing.objects.filter(unit_id__in=worker_unit_ids(actor))


def pairing_list(actor: User, status: str = "") -> QuerySet[Pairing]:
    pairings = (
        pairings_visible_to(actor)
        .select_related("buddy", "unit", "client")
        .annotate(meeting_count=Count("meetings"))
        .order_by("-starts_on", "-created_at")
    )
    if status in Pairing.Status.values:
        pairings = pairings.filter(status=status)
    return pairings


def pairing_detail(*, actor: User, pairing_id: Any) -> Pairing:
    """One pairing with its client, for a worker of its unit; the read is logged."""
    try:
        pairing = (
            pairings_visible_to(actor)
            .select_related("buddy", "unit", "client", "paired_by", "pathway", "referral")
            .filter(pk=pairing_id)
            .first()
        )
    except (ValueError, ValidationError):
        pairing = None
    if pairing is None:
        raise PairingNotFound()
    log_personal_data(actor=actor, action="read", obj=pairing, purpose=PURPOSE)
    return pairing


def meetings_of(pairing: Pairing) -> QuerySet[BuddyMeeting]:
    return pairing.meetings.order_by("-on", "-recorded_at")


# --- the buddy's own view ---


@dataclass
class BuddyPairingView:
    """All a buddy sees of a pairing. Built field by field, never from the client record."""

    id: Any
    first_name: str
    phone: str
    email: str
    starts_on: date
    ends_on: date
    status: str
    status_label: str
    unit_name: str
    meetings: list[BuddyMeeting]

    @property
    def active(self) -> bool:
        return self.status == Pairing.Status.ACTIVE


def _view(pairing: Pairing) -> BuddyPairingView:
    return BuddyPairingView(
        id=pairing.pk,
        first_name=pairing.shared_first_name,
        phone=pairing.shared_phone,
        email=pairing.shared_email,
        starts_on=pairing.starts_on,
        ends_on=pairing.ends_on,
        status=pairing.status,
        status_label=str(pairing.get_status_display()),
        unit_name=pairing.unit.name,
        meetings=list(pairing.meetings.all()),
    )


def _own_pairings(actor: User) -> QuerySet[Pairing]:
    if not actor.is_authenticated or not actor.is_active:
        return Pairing.objects.none()
    # .only(): the client's row is never even joined for a buddy.
    return (
        Pairing.objects.filter(buddy__user_id=actor.pk, buddy__active=True)
        .select_related("unit")
        .prefetch_related("meetings")
        .only(
            "id",
            "shared_first_name",
            "shared_phone",
            "shared_email",
            "starts_on",
            "ends_on",
            "status",
            "unit__name",
            "unit__name_fi",
            "unit__name_sv",
            "unit__name_en",
            "created_at",
        )
    )


def my_pairings(*, actor: User, include_closed: bool = True) -> list[BuddyPairingView]:
    """The buddy's own pairings, active first; each read of the shared details is logged."""
    pairings = _own_pairings(actor).order_by("status", "-starts_on")
    if not include_closed:
        pairings = pairings.filter(status=Pairing.Status.ACTIVE)
    views = []
    for pairing in pairings:
        log_personal_data(actor=actor, action="read", obj=pairing, purpose=PURPOSE)
        views.append(_view(pairing))
    return views


def my_pairing(*, actor: User, pairing_id: Any) -> BuddyPairingView:
    try:
        pairing = _own_pairings(actor).filter(pk=pairing_id).first()
    except (ValueError, ValidationError):
        pairing = None
    if pairing is None:
        raise PairingNotFound()
    log_personal_data(actor=actor, action="read", obj=pairing, purpose=PURPOSE)
    return _view(pairing)


# --- figures for reports ---


def active_pairing_count(*, unit_ids: set[Any], on: date | None = None) -> int:
    """Pairings active on the day (status active and the day within the period) in the units."""
    on = on or timezone.localdate()
    return Pairing.objects.filter(
        unit_id__in=unit_ids, status=Pairing.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on
    ).count()


def meetings_by_month(*, unit_ids: set[Any], since: date, until: date) -> dict[Any, dict[date, int]]:
    """Meetings per unit (of the pairing) per month (first day of the month), for reports: counts only."""
    rows = (
        BuddyMeeting.objects.filter(pairing__unit_id__in=unit_ids, on__gte=since, on__lte=until)
        .annotate(month=TruncMonth("on"))
        .values("pairing__unit_id", "month")
        .annotate(n=Count("id"))
        .order_by("pairing__unit_id", "month")
    )
    result: dict[Any, dict[date, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        result[row["pairing__unit_id"]][month] = row["n"]
    return dict(result)


def own_meeting(*, actor: User, meeting_id: Any) -> BuddyMeeting | None:
    """A meeting the actor recorded in one of her own pairings (for the correction form)."""
    if not actor.is_authenticated or not actor.is_active:
        return None
    try:
        return BuddyMeeting.objects.filter(
            pk=meeting_id,
            recorded_by_id=actor.pk,
            pairing__buddy__user_id=actor.pk,
            pairing__buddy__active=True,
        ).first()
    except (ValueError, ValidationError):
        return None


def _month_starts(since: date, until: date) -> list[date]:
    months, month = [], since.replace(day=1)
    while month <= until:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def monthly_figures(
    *, unit_ids: list[Any] | set[Any], since: date, until: date, municipality: str | None = None
) -> dict[date, dict[str, int]]:
    """Per month of the period (first day), for reports: ``pairings`` active at some time in the month
    (cancelled ones never count; an ended one until it was closed) and ``meetings`` recorded in it. Raw
    counts: the report protects them. Months with neither are left out."""
    client = Q(client__municipality_id=municipality) if municipality else Q()
    pairings = (
        Pairing.objects.filter(client, unit_id__in=unit_ids, starts_on__lte=until, ends_on__gte=since)
        .exclude(status=Pairing.Status.CANCELLED)
        .values_list("starts_on", "ends_on", "closed_on")
    )
    months = _month_starts(since, until)
    figures: dict[date, dict[str, int]] = {m: {"pairings": 0, "meetings": 0} for m in months}
    for starts_on, ends_on, closed_on in pairings:
        last = min(ends_on, closed_on) if closed_on else ends_on
        for month in months:
            month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            if starts_on <= min(month_end, until) and last >= max(month, since):
                figures[month]["pairings"] += 1
    meetings = Q(pairing__client__municipality_id=municipality) if municipality else Q()
    for month, n in meetings_by_month_rows(unit_ids, since, until, meetings):
        figures[month]["meetings"] += n
    return {m: v for m, v in figures.items() if v["pairings"] or v["meetings"]}


def meetings_by_month_rows(
    unit_ids: list[Any] | set[Any], since: date, until: date, extra: Q | None = None
) -> list[tuple[date, int]]:
    rows = (
        BuddyMeeting.objects.filter(extra or Q(), pairing__unit_id__in=unit_ids, on__gte=since, on__lte=until)
        .annotate(month=TruncMonth("on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    result = []
    for row in rows:
        month = row["month"]
        result.append((month.date() if isinstance(month, datetime) else month, row["n"]))
    return result
