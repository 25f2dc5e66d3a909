"""Reads of the client plans, scoped to the acting user: a plan is seen by the professionals and workers
(``UnitRole.Role.PROFESSIONAL``/``RECEIVER``) of the unit that owns it; anyone else, coordinators
included, gets "not found". Reads of one plan (and its printout) are in the personal data log.
Coordinators get counts only, from ``plan_figures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Event, Location, Schedule, Service
from hyte.core.personal_log import log_personal_data
from hyte.pathways.selectors import pathways_visible_to
from hyte.plans.errors import ClientNotFound, PlanNotFound
from hyte.plans.models import ActivitySection, AgreedStep, ClientPlan, IncomeSupportGrant, PlanItem
from hyte.referrals.models import Client
from hyte.referrals.selectors import referrals_visible_to

User = AbstractBaseUser | AnonymousUser
WORKER_ROLES = (UnitRole.Role.PROFESSIONAL, UnitRole.Role.RECEIVER)
PURPOSE = "client_plan"


def worker_unit_ids(actor: User) -> set[Any]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    roles = UnitRole.objects.filter(user_id=actor.pk, role__in=WORKER_ROLES)  # type: ignore[misc]
    return set(roles.values_list("unit_id", flat=True))


def worker_units(actor: User) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=worker_unit_ids(actor)).order_by("name")


def plans_visible_to(actor: User) -> QuerySet[ClientPlan]:
    return ClientPlan.objects.filter(unit_id__in=worker_unit_ids(actor))


def plan_list(*, actor: User, status: str = "") -> QuerySet[ClientPlan]:
    """The plans of the actor's units (names of the clients, no plan contents)."""
    plans = plans_visible_to(actor).select_related("client", "unit").order_by("-updated_at")
    if status in ClientPlan.Status.values:
        plans = plans.filter(status=status)
    return plans


def _get(qs: QuerySet[ClientPlan], plan_id: Any) -> ClientPlan:
    try:
        plan = qs.filter(pk=plan_id).first()
    except (ValueError, ValidationError):
        plan = None
    if plan is None:
        raise PlanNotFound()
    return plan


def locked_plan(actor: User, plan_id: Any) -> ClientPlan:
    """The plan under a row lock, for a write by a worker of its unit."""
    return _get(plans_visible_to(actor).select_for_update(of=("self",)), plan_id)


def plan_ref(*, actor: User, plan_id: Any) -> ClientPlan:
    """Only the plan's id, status and version (for the tray search beside it): no client data, so the
    look-up is not in the personal data log; still "not found" outside the actor's units."""
    return _get(plans_visible_to(actor).only("id", "status", "version"), plan_id)


def plan_detail(*, actor: User, plan_id: Any) -> ClientPlan:
    """One plan with its client, section, steps, items and grants; the read is logged."""
    plan = _get(
        plans_visible_to(actor)
        .select_related("client", "unit", "created_by", "activity")
        .prefetch_related(
            "activity__wish_themes",
            "steps",
            Prefetch("items", queryset=PlanItem.objects.select_related("service", "event")),
            "grants",
        ),
        plan_id,
    )
    log_personal_data(actor=actor, action="read", obj=plan, purpose=PURPOSE)
    return plan


def activity_of(plan: ClientPlan) -> ActivitySection | None:
    try:
        return plan.activity
    except ActivitySection.DoesNotExist:
        return None


def clients_visible_to(actor: User) -> QuerySet[Client]:
    """The clients a worker may make a plan for: those of her units' plans, of the referrals she sees
    and of her units' pathways."""
    units = worker_unit_ids(actor)
    if not units:
        return Client.objects.none()
    return Client.objects.filter(
        Q(client_plans__unit_id__in=units)
        | Q(pk__in=referrals_visible_to(actor).values("client_id"))
        | Q(pk__in=pathways_visible_to(actor).values("client_id"))
    ).distinct()


def client_for_plan(*, actor: User, client_id: Any) -> Client:
    try:
        client = clients_visible_to(actor).filter(pk=client_id).first()
    except (ValueError, ValidationError):
        client = None
    if client is None:
        raise ClientNotFound()
    return client


# --- the tray: what may be chosen ---


def choosable_services() -> QuerySet[Service]:
    """Services a plan item may point at: published and active in the tray."""
    return Service.objects.filter(status=Service.Status.ACTIVE)


def choosable_events(now: Any = None) -> QuerySet[Event]:
    """Events a plan item may point at: not cancelled, not over, and of an active service if of one."""
    now = now or timezone.now()
    upcoming = Q(ends_at__gte=now) | (
        ~Q(rrule="") & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gte=now))
    )
    service_ok = Q(service__isnull=True) | Q(service__status=Service.Status.ACTIVE)
    return Event.objects.filter(upcoming, service_ok, cancelled=False).select_related("location", "service")


# --- the printable plan ---


@dataclass
class PrintedItem:
    item: PlanItem
    name: str
    places: list[Location] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    event: Event | None = None
    place_text: str = ""
    times_text: str = ""


@dataclass
class PrintedPlan:
    plan: ClientPlan
    activity: ActivitySection | None
    steps: list[AgreedStep]
    items: list[PrintedItem]


def printable_plan(*, actor: User, plan: ClientPlan, today: date | None = None) -> PrintedPlan:
    """What the client gets on paper: the agreed steps and, for each chosen service, group or event that
    is not dropped, its name, places and times. No internal notes, no grants. Names and texts come in
    the active language (call it inside ``translation.override(client.preferred_language)``). The plan
    comes from ``plan_detail`` (so the actor may see it); the printout is logged too."""
    today = today or timezone.localdate()
    items = []
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    for item in plan.items.exclude(status=PlanItem.Status.DROPPED):  # type: ignore[attr-defined]
        printed = PrintedItem(item=item, name=item.title, place_text=item.place, times_text=item.times)
        service, event = item.service, item.event
        if service is not None:
            printed.name = printed.name or service.name
            printed.places = list(service.locations.select_related("municipality").order_by("name"))
            printed.schedules = list(
                service.schedules.filter(current).select_related("location").order_by("weekday", "opens_at")
            )
        if event is not None:
            printed.event = event
            printed.name = printed.name or event.title
            if event.location is not None:
                printed.places = [event.location]
            printed.place_text = printed.place_text or event.location_text
        items.append(printed)
    log_personal_data(actor=actor, action="print", obj=plan, purpose=PURPOSE)
    return PrintedPlan(plan=plan, activity=activity_of(plan), steps=list(plan.steps.all()), items=items)  # type: ignore[attr-defined]


# --- figures (counts only; reporting applies disclosure control) ---


@dataclass
class PlanFigures:
    plans: int = 0
    with_activity: int = 0
    items: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> count
    grants: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, purpose) -> count
    grant_euros: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def grant_count(self) -> int:
        return sum(self.grants.values())

    @property
    def grant_total(self) -> Decimal:
        return sum(self.grant_euros.values(), Decimal("0"))


def plan_figures(*, unit_ids: Any, since: date, until: date, municipality: str | None = None) -> PlanFigures:
    """Counts for the units in the period: plans whose assessment falls in it (and how many of them have
    an activity section), their items by kind and status, and grants decided in the period (count and
    euros by kind and purpose); optionally only of clients living in one municipality. No client is
    named; the caller (reporting, for coordinators) decides who may see the counts and protects them."""
    plans = ClientPlan.objects.filter(unit_id__in=unit_ids, assessed_on__gte=since, assessed_on__lte=until)
    grants = IncomeSupportGrant.objects.filter(
        plan__unit_id__in=unit_ids, decided_on__gte=since, decided_on__lte=until
    )
    if municipality:
        plans = plans.filter(client__municipality_id=municipality)
        grants = grants.filter(plan__client__municipality_id=municipality)
    figures = PlanFigures(
        plans=plans.count(),
        with_activity=plans.filter(activity__isnull=False).count(),
    )
    for row in (
        PlanItem.objects.filter(plan__in=plans).values("kind", "status").annotate(n=Count("id")).order_by()
    ):
        figures.items[(row["kind"], row["status"])] = row["n"]
    for grant in grants.values("kind", "purpose").annotate(n=Count("id"), euros=Sum("amount")).order_by():
        figures.grants[(grant["kind"], grant["purpose"])] = grant["n"]
        figures.grant_euros[(grant["kind"], grant["purpose"])] = Decimal(grant["euros"] or 0)
    return figures
