"""The coordinator's figures: aggregate counts of referrals, never a client or a referral.

A user with the coordinator role in a unit sees the referrals of every unit of the same organization,
as referrer or as receiver, and only as counts that went through ``hyte.core.disclosure``. Everyone
else gets nothing: ``NotInUnit`` (403) from the API, "not found" on the page. Drafts were never sent
and are not counted; the period (``since`` … ``until``, inclusive, local dates) is the day the referral
was sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.api import LanguageMixin
from hyte.catalog.models import Organization
from hyte.core import disclosure
from hyte.core.disclosure import Cell, ProtectedCounts, ProtectedTable
from hyte.core.errors import InvalidParameter
from hyte.referrals.api import IsVerified
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Referral
from hyte.referrals.selectors import WAITING_FOR_CONTACT, User

S = Referral.Status


@dataclass(frozen=True)
class StatusGroup:
    key: str
    label: str | Promise
    statuses: tuple[str, ...]


# Every status but the draft falls in exactly one group.
STATUS_GROUPS: tuple[StatusGroup, ...] = (
    StatusGroup("waiting", _("Waiting for first contact"), tuple(WAITING_FOR_CONTACT)),
    StatusGroup("in_progress", _("In progress"), (S.FIRST_CONTACT, S.IN_PROGRESS)),
    StatusGroup("completed", _("Completed"), (S.COMPLETED,)),
    StatusGroup("declined", _("Declined"), (S.DECLINED,)),
    StatusGroup("discontinued", _("Discontinued"), (S.DISCONTINUED,)),
    StatusGroup("cancelled", _("Cancelled"), (S.CANCELLED,)),
)
GROUP_OF_STATUS = {status: group.key for group in STATUS_GROUPS for status in group.statuses}
CLOSED = (S.COMPLETED, S.DECLINED, S.DISCONTINUED, S.CANCELLED)


@dataclass(frozen=True, order=True)
class UnitRow:
    """A receiving unit as a row of the table (ordered by name)."""

    name: str
    id: Any


@dataclass(frozen=True)
class Figures:
    since: date | None
    until: date | None
    organizations: tuple[str, ...]
    threshold: int
    status_groups: tuple[StatusGroup, ...]
    by_receiving_unit: ProtectedTable[UnitRow, str]  # rows: receiving units; columns: status group keys
    by_kind: ProtectedCounts[str]  # Referral.Kind values
    overdue: Cell  # waiting for first contact past the unit's due date, today
    median_days_to_first_contact: float | None
    completed_share: float | None  # completed / closed (completed, declined, discontinued, cancelled)

    @property
    def kinds(self) -> list[tuple[str, Cell]]:
        """(label, count) of each kind of referral, for the page."""
        return [(str(Referral.Kind(kind).label), cell) for kind, cell in self.by_kind.items()]

    @property
    def completed_percent(self) -> int | None:
        return None if self.completed_share is None else round(self.completed_share * 100)

    def as_json(self) -> dict[str, Any]:
        """What the API answers: no client data, no referral ids; hidden counts as their marks."""
        table = self.by_receiving_unit
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "organizations": list(self.organizations),
            "min_cell": self.threshold,
            "status_groups": [{"key": g.key, "label": str(g.label)} for g in self.status_groups],
            "by_receiving_unit": [
                {
                    "unit": {"id": str(line.key.id), "name": line.key.name},
                    "counts": {c: cell.as_json() for c, cell in zip(table.columns, line.cells, strict=True)},
                    "total": line.total.as_json(),
                }
                for line in table.lines
            ],
            "by_status_group": {c: table.column_totals[c].as_json() for c in table.columns},
            "total": table.total.as_json(),
            "by_kind": {
                "counts": {kind: cell.as_json() for kind, cell in self.by_kind.items()},
                "total": self.by_kind.total.as_json(),
            },
            "overdue": self.overdue.as_json(),
            "median_days_to_first_contact": self.median_days_to_first_contact,
            "completed_share": self.completed_share,
        }


# --- who sees what ---


def _coordinator_organizations(actor: User) -> QuerySet[UnitRole]:
    roles = UnitRole.objects.filter(user__pk=actor.pk, role=UnitRole.Role.COORDINATOR)  # type: ignore[misc]
    return roles.values("unit__organization_id")  # type: ignore[return-value]


def is_coordinator(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.is_active and _coordinator_organizations(actor).exists())


def _referrals_for(actor: User) -> QuerySet[Referral]:
    """Sent referrals of the coordinator's organizations (as referrer or receiver)."""
    organizations = _coordinator_organizations(actor)
    return Referral.objects.filter(
        Q(referring_unit__organization__in=organizations) | Q(receiving_unit__organization__in=organizations),
        sent_at__isnull=False,  # drafts were never sent
    )


# --- the period ---

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_YEAR, MAX_YEAR = 1900, 2999


def _date(params: QueryDict, name: str) -> date | None:
    values = params.getlist(name)
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise InvalidParameter(_("Give each parameter only once."), details={"field": name})
    value = values[0]
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(_("Give the date as YYYY-MM-DD."), details={"field": name}) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidParameter(_("Give the date as YYYY-MM-DD."), details={"field": name})
    return parsed


def parse_period(params: QueryDict) -> tuple[date | None, date | None]:
    """``since`` and ``until`` (ISO dates, both optional), for the page and the API alike."""
    since, until = _date(params, "since"), _date(params, "until")
    if since and until and since > until:
        raise InvalidParameter(_("The start date is after the end date."), details={"field": "since"})
    return since, until


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- the figures ---


def referral_figures(*, actor: User, since: date | None, until: date | None) -> Figures:
    """Counts of the referrals the coordinator's organizations sent or received, in the period."""
    if not is_coordinator(actor):
        raise NotInUnit()
    threshold = disclosure.min_cell()
    referrals = _referrals_for(actor)
    if since:
        referrals = referrals.filter(sent_at__gte=_start_of(since))
    if until:
        referrals = referrals.filter(sent_at__lt=_start_of(until + timedelta(days=1)))

    # Counts by receiving unit and status: one aggregate row per (unit, status).
    counts: dict[Any, dict[str, int]] = {}
    for row in referrals.order_by().values("receiving_unit_id", "status").annotate(n=Count("id")):
        group = GROUP_OF_STATUS[row["status"]]
        unit_counts = counts.setdefault(row["receiving_unit_id"], {})
        unit_counts[group] = unit_counts.get(group, 0) + row["n"]
    units = {u.pk: UnitRow(u.name, u.pk) for u in Unit.objects.filter(pk__in=list(counts))}
    by_unit = disclosure.protect_table(
        {units[unit_id]: row for unit_id, row in counts.items()},
        rows=sorted(units.values()),
        columns=[g.key for g in STATUS_GROUPS],
        threshold=threshold,
    )

    by_kind = {row["kind"]: row["n"] for row in referrals.order_by().values("kind").annotate(n=Count("id"))}
    totals = referrals.aggregate(
        overdue=Count(
            "id", filter=Q(status__in=WAITING_FOR_CONTACT, first_contact_due__lt=timezone.localdate())
        ),
        closed=Count("id", filter=Q(status__in=CLOSED)),
        completed=Count("id", filter=Q(status=S.COMPLETED)),
    )
    waits = (
        referrals.filter(first_contact_at__isnull=False)
        .order_by()
        .annotate(wait=ExpressionWrapper(F("first_contact_at") - F("sent_at"), output_field=DurationField()))
        .values_list("wait", flat=True)
    )
    median = disclosure.safe_median(
        (w.total_seconds() / 86400 for w in waits if w is not None), threshold=threshold
    )
    organizations = tuple(
        sorted(str(o.name) for o in Organization.objects.filter(pk__in=_coordinator_organizations(actor)))
    )
    return Figures(
        since=since,
        until=until,
        organizations=organizations,
        threshold=threshold,
        status_groups=STATUS_GROUPS,
        by_receiving_unit=by_unit,
        by_kind=disclosure.protect_counts(by_kind, keys=list(Referral.Kind.values), threshold=threshold),
        overdue=disclosure.protect_count(totals["overdue"], threshold=threshold),
        median_days_to_first_contact=round(median, 1) if median is not None else None,
        completed_share=disclosure.safe_share(totals["completed"], totals["closed"], threshold=threshold),
    )


class ReferralFiguresView(LanguageMixin, APIView):
    """Aggregate figures of referrals for coordinators; counts of 1–4 are hidden ("<5"), and counts
    that would let one work them out from the totals too ("x")."""

    permission_classes = [IsVerified]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="Sent on or after this day."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Sent on or before this day."),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='Counts are integers, or "<5" (hidden small count) or "x" (hidden so that a '
                "small count cannot be worked out from the totals).",
            ),
            400: OpenApiResponse(description="A bad date (code invalid_parameter)."),
            403: OpenApiResponse(description="Not a coordinator (code not_in_unit)."),
        },
    )
    def get(self, request: Request) -> Response:
        if not is_coordinator(request.user):  # before anything else: others learn nothing
            raise NotInUnit()
        since, until = parse_period(request.query_params)
        figures = referral_figures(actor=request.user, since=since, until=until)
        return Response(figures.as_json())
