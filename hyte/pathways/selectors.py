"""Reads of the pathways context, scoped to the acting user: a pathway is seen only by the workers
(``UnitRole.Role.RECEIVER``) of its unit; anyone else gets "not found". Reads of one client's pathway are
logged in the personal data log; lists carry names only for the worker's own unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hyte.accounts.models import UnitRole
from hyte.core.personal_log import log_personal_data
from hyte.pathways import instruments
from hyte.pathways.errors import PathwayNotFound
from hyte.pathways.models import Pathway, SelfReferral

User = AbstractBaseUser | AnonymousUser
S = Pathway.Status


def worker_unit_ids(actor: User) -> set[Any]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    roles = UnitRole.objects.filter(user_id=actor.pk, role=UnitRole.Role.RECEIVER)  # type: ignore[misc]
    return set(roles.values_list("unit_id", flat=True))


def pathways_visible_to(actor: User) -> QuerySet[Pathway]:
    return Pathway.objects.filter(unit_id__in=worker_unit_ids(actor))


def locked_pathway(actor: User, pathway_id: Any) -> Pathway:
    """The pathway under a row lock, for a write by a worker of its unit."""
    try:
        pathway = (
            pathways_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk=pathway_id)
            .first()
        )
    except (ValueError, ValidationError):
        pathway = None
    if pathway is None:
        raise PathwayNotFound()
    return pathway


def pathway_detail(*, actor: User, pathway_id: Any) -> Pathway:
    """One pathway with its client for a worker of its unit; the read is logged."""
    try:
        pathway = (
            pathways_visible_to(actor)
            .select_related("programme", "client", "unit", "worker", "referral")
            .filter(pk=pathway_id)
            .first()
        )
    except (ValueError, ValidationError):
        pathway = None
    if pathway is None:
        raise PathwayNotFound()
    log_personal_data(actor=actor, action="read", obj=pathway, purpose="pathway")
    return pathway


# --- the caseload ---


@dataclass
class CaseloadRow:
    pathway: Pathway
    flags: list[str] = field(default_factory=list)  # "contact_overdue", "measurement_due", "limit_near", ...
    due_point: int | None = None  # months of the measurement point that is due


def caseload(*, actor: User, mine_only: bool = True, today: date | None = None) -> list[CaseloadRow]:
    """Active pathways of the actor (or of all the actor's units), soonest next contact first, with
    flags: next contact overdue, a measurement point due (within a fortnight either side, or passed
    without a measurement), and the time limit near (from the programme's warning day) or passed."""
    today = today or timezone.localdate()
    pathways = (
        pathways_visible_to(actor)
        .filter(status=S.ACTIVE)
        .select_related("programme", "client", "unit")
        .prefetch_related("measurements")
        .order_by("next_contact_on", "enrolled_on")
    )
    if mine_only:
        pathways = pathways.filter(worker_id=actor.pk)
    rows = []
    for pathway in pathways:
        row = CaseloadRow(pathway)
        if pathway.next_contact_on and pathway.next_contact_on < today:
            row.flags.append("contact_overdue")
        row.due_point = due_measurement_point(pathway, today)
        if row.due_point is not None:
            row.flags.append("measurement_due")
        if pathway.ends_by and today > pathway.ends_by:
            row.flags.append("limit_passed")
        else:
            warn_on = pathway.limit_warning_on()
            if warn_on and today >= warn_on:
                row.flags.append("limit_near")
        rows.append(row)
    return rows


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def due_measurement_point(pathway: Pathway, today: date) -> int | None:
    """The earliest measurement point (months) whose window has opened (two weeks before) and which
    has no measurement recorded for it."""
    done = {m.point_months for m in pathway.measurements.all()}
    for months in sorted(pathway.programme.measurement_months):
        if months in done:
            continue
        # today + 14 rather than point - 14: an enrolment date early in year 1 must not overflow.
        if today + timedelta(days=14) >= add_months(pathway.enrolled_on, months):
            return int(months)
    return None


# --- the client's timeline ---


@dataclass
class TimelineItem:
    on: date
    kind: str  # referral, enrolment, contact, measurement, goal, outcome, extension, closure
    title: str
    detail: str = ""
    obj: Any = None


EVENT_LABELS = {
    "enrol": gettext_lazy("Enrolled"),
    "extend": gettext_lazy("Extended"),
    "close": gettext_lazy("Closed"),
    "edit_after_closure": gettext_lazy("Changed after closure"),
    "goal_after_closure": gettext_lazy("Plan changed after closure"),
    "contact_after_closure": gettext_lazy("Contact recorded after closure"),
    "measurement_after_closure": gettext_lazy("Measurement recorded after closure"),
    "outcome_after_closure": gettext_lazy("Outcome recorded after closure"),
}


def timeline(pathway: Pathway) -> list[TimelineItem]:
    """Everything on the pathway in date order: the referral's steps, enrolment, contacts,
    measurements, goals, outcomes, extensions and closure (the pathway was read and logged already)."""
    items: list[TimelineItem] = []
    if pathway.referral_id:
        for event in pathway.referral.events.all():  # type: ignore[union-attr]
            items.append(
                TimelineItem(
                    timezone.localdate(event.at), "referral", event.get_to_status_display(), obj=event
                )
            )
    for event in pathway.events.all():
        title = str(EVENT_LABELS.get(event.action, event.action))
        items.append(TimelineItem(timezone.localdate(event.at), event.action, title, event.reason, event))
    for contact in pathway.contacts.all():
        items.append(TimelineItem(contact.on, "contact", contact.get_kind_display(), contact.note, contact))
    for measurement in pathway.measurements.all():
        spec = instruments.INSTRUMENTS.get(measurement.instrument)
        name = str(spec.name) if spec else measurement.instrument
        items.append(TimelineItem(measurement.on, "measurement", name, obj=measurement))
    for goal in pathway.goals.all():
        items.append(TimelineItem(timezone.localdate(goal.created_at), "goal", goal.text, obj=goal))
    for outcome in pathway.outcomes.all():
        items.append(
            TimelineItem(outcome.started_on, "outcome", outcome.get_kind_display(), outcome.note, outcome)
        )
    order = {"referral": 0, "enrol": 1}
    return sorted(items, key=lambda item: (item.on, order.get(item.kind, 2)))


@dataclass
class Series:
    instrument: str
    score: str
    points: list[tuple[date, Decimal]]

    @property
    def change(self) -> Decimal | None:
        return self.points[-1][1] - self.points[0][1] if len(self.points) > 1 else None


def measurement_series(pathway: Pathway) -> list[Series]:
    """Per instrument, the headline score over time (for the small charts of change)."""
    found: dict[str, Series] = {}
    for measurement in pathway.measurements.all():
        spec = instruments.INSTRUMENTS.get(measurement.instrument)
        key = spec.headline[0] if spec is not None and spec.headline else None
        value = _number((measurement.scores or {}).get(key) if key else None)
        if key is None or value is None:
            continue
        found.setdefault(measurement.instrument, Series(measurement.instrument, key, [])).points.append(
            (measurement.on, value)
        )
    return list(found.values())


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


# --- self-referrals ---


def self_referral_queue(*, actor: User, status: str | None = None) -> QuerySet[SelfReferral]:
    """Contact requests to the actor's units, oldest first; red ones first among the triaged."""
    queue = SelfReferral.objects.filter(unit_id__in=worker_unit_ids(actor)).select_related(
        "unit", "municipality"
    )
    if status:
        queue = queue.filter(status=status)
    else:
        queue = queue.filter(Q(status=SelfReferral.Status.NEW) | Q(status=SelfReferral.Status.TRIAGED))
    return queue.order_by("created_at")
