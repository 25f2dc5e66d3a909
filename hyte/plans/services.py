"""Writes of the client plans. Every write checks that the actor is a professional or worker of the
plan's unit (others get "not found"), refuses changes to a closed plan (``plan_closed``, 409), names the
plan's version it read (a stale one is ``stale_version``, 409: the second of two writers is told
instead of overwriting), and is recorded in the personal data log and the audit trail (the audit entry
names fields and codes only, never the client's data).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import Unit
from hyte.catalog.models import Theme
from hyte.core.audit import audit_record
from hyte.core.errors import InvalidParameter, InvalidTransition
from hyte.core.personal_log import log_personal_data
from hyte.plans import selectors
from hyte.plans.errors import (
    EventNotAvailable,
    NotPlanWorker,
    PlanClosed,
    PlanNotFound,
    ServiceNotAvailable,
    StaleVersion,
)
from hyte.plans.models import (
    MAX_GRANT_EUROS,
    MAX_MINUTES_PER_WEEK,
    MAX_NOTE,
    ActivityLevel,
    ActivitySection,
    AgreedStep,
    ClientPlan,
    IncomeSupportGrant,
    PlanItem,
)
from hyte.plans.selectors import PURPOSE, User
from hyte.referrals.services import ClientData, client_record

S = ClientPlan.Status
MAX_STEPS = 30
MAX_ITEMS = 50
MAX_GRANT_DAYS = 366

# status transitions: from -> allowed targets
TRANSITIONS: dict[str, set[str]] = {S.DRAFT: {S.ACTIVE, S.CLOSED}, S.ACTIVE: {S.CLOSED}, S.CLOSED: set()}


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidParameter(
            _("Some fields are missing or invalid."), details={"fields": exc.message_dict}
        ) from exc


def _text(value: str | None, field: str, limit: int = MAX_NOTE) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidParameter(
            _("The text is too long (at most %(limit)d characters).") % {"limit": limit},
            details={"field": field},
        )
    return value


def _not_future(value: date | None, field: str) -> date | None:
    if value is not None and value > timezone.localdate():
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": field})
    return value


def _not_before(value: date | None, earliest: date | None, field: str) -> date | None:
    if value is not None and earliest is not None and value < earliest:
        raise InvalidParameter(
            _("The date cannot be before %(date)s.") % {"date": earliest.strftime("%d.%m.%Y")},
            details={"field": field},
        )
    return value


def _writable(actor: User, plan_id: Any, version: int | None) -> ClientPlan:
    """The plan locked for a write: visible to the actor, not closed, and at the version she read. The
    version moves on in the same locked transaction."""
    plan = selectors.locked_plan(actor, plan_id)
    if plan.status == S.CLOSED:
        raise PlanClosed()
    _bump(plan, version)
    return plan


def _bump(plan: ClientPlan, version: int | None) -> None:
    if version is not None and version != plan.version:
        raise StaleVersion(details={"version": plan.version})
    ClientPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=timezone.now())
    plan.version += 1


def _log(actor: User, plan: ClientPlan, action: str, details: dict[str, Any] | None = None) -> None:
    log_personal_data(
        actor=actor, action="update" if action != "create" else "create", obj=plan, purpose=PURPOSE
    )
    audit_record(actor=actor, action=f"client_plan.{action}", obj=plan, details=details)


# --- the plan ---


@transaction.atomic
def plan_create(
    *,
    actor: User,
    unit_id: Any,
    assessed_on: date,
    client_id: Any = None,
    client: ClientData | None = None,
    plan_made_on: date | None = None,
    review_by: date | None = None,
) -> ClientPlan:
    """A service-need assessment and client plan (a draft) in one of the actor's units, for a client she
    already sees (from her units' plans, referrals or pathways) or a client whose details she gives."""
    units = selectors.worker_unit_ids(actor)
    if not units:
        raise NotPlanWorker()
    try:
        unit = Unit.objects.filter(pk__in=units, pk=unit_id).first()
    except (ValueError, ValidationError):
        unit = None
    if unit is None:
        raise InvalidParameter(_("Choose one of your units."), details={"field": "unit"})
    if client_id:
        person = selectors.client_for_plan(actor=actor, client_id=client_id)
    elif client is not None:
        person = client_record(actor, client)
    else:
        raise InvalidParameter(_("Choose the client or give her details."), details={"field": "client"})
    _not_future(assessed_on, "assessed_on")
    _not_future(plan_made_on, "plan_made_on")
    _not_before(plan_made_on, assessed_on, "plan_made_on")
    _not_before(review_by, plan_made_on or assessed_on, "review_by")
    plan = ClientPlan(
        client=person,
        unit=unit,
        created_by_id=actor.pk,
        assessed_on=assessed_on,
        plan_made_on=plan_made_on,
        review_by=review_by,
    )
    _clean(plan)
    plan.save()
    _log(actor, plan, "create")
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan_id: Any,
    version: int | None,
    assessed_on: date,
    plan_made_on: date | None = None,
    review_by: date | None = None,
) -> ClientPlan:
    plan = _writable(actor, plan_id, version)
    _not_future(assessed_on, "assessed_on")
    _not_future(plan_made_on, "plan_made_on")
    _not_before(plan_made_on, assessed_on, "plan_made_on")
    _not_before(review_by, plan_made_on or assessed_on, "review_by")
    plan.assessed_on, plan.plan_made_on, plan.review_by = assessed_on, plan_made_on, review_by
    _clean(plan)
    plan.save(update_fields=["assessed_on", "plan_made_on", "review_by", "updated_at"])
    _log(actor, plan, "update", {"fields": ["assessed_on", "plan_made_on", "review_by"]})
    return plan


@transaction.atomic
def plan_set_status(*, actor: User, plan_id: Any, version: int | None, status: str) -> ClientPlan:
    """draft → active (the plan is made: ``plan_made_on`` defaults to today), draft or active → closed.
    A closed plan stays closed."""
    plan = selectors.locked_plan(actor, plan_id)
    if status not in S.values:
        raise InvalidParameter(details={"field": "status"})
    if plan.status == S.CLOSED:
        raise PlanClosed()
    if status not in TRANSITIONS[plan.status]:
        raise InvalidTransition(details={"from": plan.status, "to": status})
    _bump(plan, version)
    today = timezone.localdate()
    previous, plan.status = plan.status, status
    if status == S.ACTIVE and plan.plan_made_on is None:
        plan.plan_made_on = max(today, plan.assessed_on)
    if status == S.CLOSED:
        plan.closed_on = today
    plan.save(update_fields=["status", "plan_made_on", "closed_on", "updated_at"])
    _log(actor, plan, "status", {"from": previous, "to": status})
    return plan


# --- physical activity and participation ---


@transaction.atomic
def activity_save(
    *,
    actor: User,
    plan_id: Any,
    version: int | None,
    activity_level: str,
    minutes_per_week: int | None = None,
    participation: str = "",
    wish_themes: Sequence[str] = (),
    wishes: str = "",
) -> ActivitySection:
    plan = _writable(actor, plan_id, version)
    if activity_level not in ActivityLevel.values:
        raise InvalidParameter(
            _("Choose the level of activity from the list."), details={"field": "activity_level"}
        )
    if minutes_per_week is not None and not 0 <= minutes_per_week <= MAX_MINUTES_PER_WEEK:
        raise InvalidParameter(
            _("Give the minutes a week as a number from 0 to %(max)d.") % {"max": MAX_MINUTES_PER_WEEK},
            details={"field": "minutes_per_week"},
        )
    slugs = sorted({str(s) for s in wish_themes})
    themes = list(Theme.objects.filter(slug__in=slugs))
    if len(themes) != len(slugs):
        raise InvalidParameter(_("Unknown theme."), details={"field": "wish_themes"})
    section, _created = ActivitySection.objects.get_or_create(plan=plan)
    section.activity_level = activity_level
    section.minutes_per_week = minutes_per_week
    section.participation = _text(participation, "participation")
    section.wishes = _text(wishes, "wishes")
    _clean(section, exclude=["plan"])
    section.save()
    section.wish_themes.set(themes)
    _log(actor, plan, "activity", {"activity_level": activity_level, "themes": slugs})
    return section


def _step(actor: User, step_id: Any, plan_id: Any = None) -> AgreedStep:
    steps = AgreedStep.objects.filter(plan__in=selectors.plans_visible_to(actor))
    try:
        step = (steps.filter(plan_id=plan_id) if plan_id else steps).filter(pk=step_id).first()
    except (ValueError, ValidationError):
        step = None
    if step is None:
        raise PlanNotFound()
    return step


@transaction.atomic
def step_add(
    *, actor: User, plan_id: Any, version: int | None, text: str, due_on: date | None = None
) -> AgreedStep:
    plan = _writable(actor, plan_id, version)
    text = _text(text, "text", 500)
    if not text:
        raise InvalidParameter(_("Write the step."), details={"field": "text"})
    _not_before(due_on, plan.assessed_on, "due_on")
    existing = plan.steps.aggregate(n=Max("position"))["n"] or 0  # type: ignore[attr-defined]
    if plan.steps.count() >= MAX_STEPS:  # type: ignore[attr-defined]
        raise InvalidParameter(
            _("A plan has at most %(n)d steps.") % {"n": MAX_STEPS}, details={"field": "text"}
        )
    step = AgreedStep(plan=plan, position=existing + 1, text=text, due_on=due_on)
    _clean(step)
    step.save()
    _log(actor, plan, "step_add")
    return step


@transaction.atomic
def step_set_done(
    *, actor: User, step_id: Any, version: int | None, done: bool, plan_id: Any = None
) -> AgreedStep:
    step = _step(actor, step_id, plan_id)
    plan = _writable(actor, step.plan_id, version)
    step.done = bool(done)
    step.done_on = timezone.localdate() if step.done else None
    step.save(update_fields=["done", "done_on"])
    _log(actor, plan, "step_done" if step.done else "step_undone")
    return step


@transaction.atomic
def step_remove(*, actor: User, step_id: Any, version: int | None, plan_id: Any = None) -> None:
    step = _step(actor, step_id, plan_id)
    plan = _writable(actor, step.plan_id, version)
    step.delete()
    _log(actor, plan, "step_remove")


# --- services, groups and events ---


def _service(service_id: Any) -> Any:
    try:
        service = selectors.choosable_services().filter(pk=service_id).first()
    except (ValueError, ValidationError):
        service = None
    if service is None:
        raise ServiceNotAvailable(details={"field": "service"})
    return service


def _event(event_id: Any) -> Any:
    try:
        event = selectors.choosable_events().filter(pk=event_id).first()
    except (ValueError, ValidationError):
        event = None
    if event is None:
        raise EventNotAvailable(details={"field": "event"})
    return event


@transaction.atomic
def item_add(
    *,
    actor: User,
    plan_id: Any,
    version: int | None,
    kind: str,
    service_id: Any = None,
    event_id: Any = None,
    title: str = "",
    place: str = "",
    times: str = "",
    note: str = "",
    starts_on: date | None = None,
) -> PlanItem:
    """A service chosen from the tray (active and published), an event (not cancelled or over), or a
    social rehabilitation group: a tray service or a group named here with its place and times."""
    plan = _writable(actor, plan_id, version)
    if kind not in PlanItem.Kind.values:
        raise InvalidParameter(_("Choose what kind of item this is."), details={"field": "kind"})
    if plan.items.count() >= MAX_ITEMS:  # type: ignore[attr-defined]
        raise InvalidParameter(
            _("A plan has at most %(n)d items.") % {"n": MAX_ITEMS}, details={"field": "kind"}
        )
    item = PlanItem(
        plan=plan,
        kind=kind,
        title=_text(title, "title", 200),
        place=_text(place, "place", 300),
        times=_text(times, "times", 300),
        note=_text(note, "note"),
        starts_on=_not_before(starts_on, plan.assessed_on, "starts_on"),
    )
    K = PlanItem.Kind
    if kind == K.SERVICE:
        if not service_id:
            raise InvalidParameter(_("Choose a service from the tray."), details={"field": "service"})
        item.service = _service(service_id)
    elif kind == K.EVENT:
        if not event_id:
            raise InvalidParameter(_("Choose an event."), details={"field": "event"})
        item.event = _event(event_id)
    else:
        if service_id:
            item.service = _service(service_id)
        if not item.service and not item.title:
            raise InvalidParameter(
                _("Choose the group from the tray or write its name."), details={"field": "title"}
            )
    _clean(item, exclude=["plan", "service", "event"])
    item.save()
    _log(actor, plan, "item_add", {"kind": kind})
    return item


@transaction.atomic
def item_set_status(
    *, actor: User, item_id: Any, version: int | None, status: str, plan_id: Any = None
) -> PlanItem:
    items = PlanItem.objects.filter(plan__in=selectors.plans_visible_to(actor))
    try:
        item = (items.filter(plan_id=plan_id) if plan_id else items).filter(pk=item_id).first()
    except (ValueError, ValidationError):
        item = None
    if item is None:
        raise PlanNotFound()
    if status not in PlanItem.Status.values:
        raise InvalidParameter(details={"field": "status"})
    plan = _writable(actor, item.plan_id, version)
    previous, item.status = item.status, status
    item.save(update_fields=["status"])
    _log(actor, plan, "item_status", {"kind": item.kind, "from": previous, "to": status})
    return item


# --- income support ---


def parse_amount(value: Any) -> Decimal:
    """Euros with at most two decimals, the decimal comma too; more than 0 and at most the cap."""
    try:
        amount = Decimal(
            str(value).strip().replace(",", ".").replace("€", "").replace(" ", "").replace("\xa0", "")
        )
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidParameter(_("Give the amount in euros, for example 45,50."), details={"field": "amount"})
    if amount <= 0:
        raise InvalidParameter(_("The amount must be more than 0 euros."), details={"field": "amount"})
    if amount > MAX_GRANT_EUROS:
        raise InvalidParameter(
            _("The amount is too large: at most %(max)s euros.") % {"max": f"{MAX_GRANT_EUROS:.0f}"},
            details={"field": "amount"},
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidParameter(_("Give the amount to the cent at most."), details={"field": "amount"})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def grant_record(
    *,
    actor: User,
    plan_id: Any,
    version: int | None,
    kind: str,
    amount: Any,
    period_from: date,
    period_to: date,
    purpose: str,
    decided_on: date,
    purpose_text: str = "",
) -> IncomeSupportGrant:
    """That supplementary or preventive income support was granted for the plan's activity costs: the
    amount, the period and what for (no decision contents)."""
    plan = _writable(actor, plan_id, version)
    if kind not in IncomeSupportGrant.Kind.values:
        raise InvalidParameter(_("Choose the kind of income support."), details={"field": "kind"})
    if purpose not in IncomeSupportGrant.Purpose.values:
        raise InvalidParameter(_("Choose what the support is for."), details={"field": "purpose"})
    purpose_text = _text(purpose_text, "purpose_text", 200)
    if purpose == IncomeSupportGrant.Purpose.OTHER and not purpose_text:
        raise InvalidParameter(_("Write what the support is for."), details={"field": "purpose_text"})
    value = parse_amount(amount)
    if period_to < period_from:
        raise InvalidParameter(_("The period cannot end before it starts."), details={"field": "period_to"})
    if period_to - period_from > timedelta(days=MAX_GRANT_DAYS):
        raise InvalidParameter(_("The period can be at most a year."), details={"field": "period_to"})
    _not_future(decided_on, "decided_on")
    grant = IncomeSupportGrant(
        plan=plan,
        kind=kind,
        amount=value,
        period_from=period_from,
        period_to=period_to,
        purpose=purpose,
        purpose_text=purpose_text,
        decided_on=decided_on,
        recorded_by_id=actor.pk,
    )
    _clean(grant, exclude=["plan"])
    grant.save()
    _log(actor, plan, "grant", {"kind": kind, "purpose": purpose})
    return grant
