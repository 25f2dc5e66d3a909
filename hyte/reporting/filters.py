"""Who may see reports, and which slice of the data a report is about.

**Scope.** Reports are for coordinators: a user with the coordinator role in some unit sees the data
of every unit of the same organizations (as in ``hyte.referrals.figures``). Anyone else gets
``NotInUnit``: a 403 from the API, "not found" on the pages.

**Filter.** Every report takes the same parameters, on pages, in the API and in exports:
``since`` and ``until`` (ISO dates, inclusive; by default 1 January of this year until today),
``unit`` (a unit of the scope), ``municipality`` (a municipality code), ``programme`` (a programme
code) and ``breakdown`` (one of the report's own). A bad value is a 400 ``invalid_parameter`` with a
translated message; a unit outside the scope is answered exactly like a unit that does not exist."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Municipality, Organization
from hyte.core.errors import InvalidParameter
from hyte.pathways.models import Programme
from hyte.referrals.errors import NotInUnit
from hyte.referrals.figures import parse_period
from hyte.referrals.selectors import User

_SLUG = re.compile(r"[a-z0-9_-]{1,40}")
MAX_DAYS = 3660  # ten years: longer periods are refused rather than computed


@dataclass(frozen=True)
class Scope:
    """The organizations whose data the coordinator may see, as counts."""

    actor: Any
    organization_ids: frozenset[Any]
    organization_names: tuple[str, ...]

    def units(self) -> QuerySet[Unit]:
        return Unit.objects.filter(organization_id__in=self.organization_ids)


def is_reporter(actor: User) -> bool:
    if not (actor.is_authenticated and actor.is_active):
        return False
    return UnitRole.objects.filter(user__pk=actor.pk, role=UnitRole.Role.COORDINATOR).exists()  # type: ignore[misc]


def scope_for(actor: User) -> Scope:
    if not (actor.is_authenticated and actor.is_active):
        raise NotInUnit()
    ids = frozenset(
        UnitRole.objects.filter(user__pk=actor.pk, role=UnitRole.Role.COORDINATOR).values_list(  # type: ignore[misc]
            "unit__organization_id", flat=True
        )
    )
    if not ids:
        raise NotInUnit()
    names = tuple(sorted(str(o.name) for o in Organization.objects.filter(pk__in=ids)))
    return Scope(actor=actor, organization_ids=ids, organization_names=names)


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str | Promise


NO_BREAKDOWN = Breakdown("", _("No breakdown"))
BY_UNIT = Breakdown("unit", _("Unit"))
BY_MUNICIPALITY = Breakdown("municipality", _("Client's municipality"))
BY_PROGRAMME = Breakdown("programme", _("Programme"))
BY_KIND = Breakdown("kind", _("Kind of referral"))


@dataclass(frozen=True)
class ReportFilter:
    since: date
    until: date
    unit: Unit | None = None
    municipality: Municipality | None = None
    programme: Programme | None = None
    breakdown: str = ""
    # The service-use report only: the visit type (blank: all) and the baseline period
    # (by default the calendar year before ``since``).
    visit_type: str = ""
    baseline_since: date | None = None
    baseline_until: date | None = None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def described(self) -> tuple[tuple[str | Promise, str], ...]:
        """The filters in force, as (label, value) for the reader of a page or an export."""
        shown: list[tuple[str | Promise, str]] = []
        if self.unit is not None:
            shown.append((_("Unit"), str(self.unit.name)))
        if self.municipality is not None:
            shown.append((_("Municipality"), str(self.municipality.name)))
        if self.programme is not None:
            shown.append((_("Programme"), str(self.programme.name)))
        return tuple(shown)

    def as_query(self) -> dict[str, str]:
        """The filter as query parameters (for links to exports and other reports)."""
        query = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.unit is not None:
            query["unit"] = str(self.unit.pk)
        if self.municipality is not None:
            query["municipality"] = self.municipality.pk
        if self.programme is not None:
            query["programme"] = self.programme.pk
        if self.breakdown:
            query["breakdown"] = self.breakdown
        if self.visit_type:
            query["visit_type"] = self.visit_type
        if self.baseline_since and self.baseline_until:
            query["baseline_since"] = self.baseline_since.isoformat()
            query["baseline_until"] = self.baseline_until.isoformat()
        return query


def _one(params: QueryDict, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(_("Give each parameter only once."), details={"field": name})
    value = values[0].strip() if values else ""
    if "\x00" in value:  # PostgreSQL refuses NUL in a text comparison (a 500, not a 400)
        raise InvalidParameter(_("A parameter has an invalid value."), details={"field": name})
    return value


def parse_filter(
    params: QueryDict,
    scope: Scope,
    *,
    breakdowns: Sequence[Breakdown] = (),
    today: date | None = None,
) -> ReportFilter:
    """The report filter from query parameters, every value checked against the scope."""
    today = today or timezone.localdate()
    since, until = parse_period(params)
    until = until or today
    since = since or date(until.year, 1, 1)
    if since > until:
        raise InvalidParameter(_("The start date is after the end date."), details={"field": "since"})
    if (until - since).days >= MAX_DAYS:
        raise InvalidParameter(
            _("A report covers at most ten years."), details={"field": "since", "max_days": MAX_DAYS}
        )

    unit = None
    if raw := _one(params, "unit"):
        try:
            unit_id = uuid.UUID(raw)
        except ValueError:
            unit_id = None
        unit = scope.units().filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            raise InvalidParameter(_("Unknown unit."), details={"field": "unit"})

    municipality = None
    if raw := _one(params, "municipality"):
        municipality = Municipality.objects.filter(pk=raw[:3]).first() if len(raw) <= 3 else None
        if municipality is None:
            raise InvalidParameter(_("Unknown municipality."), details={"field": "municipality"})

    programme = None
    if raw := _one(params, "programme"):
        programme = Programme.objects.filter(pk=raw[:40]).first() if len(raw) <= 40 else None
        if programme is None:
            raise InvalidParameter(_("Unknown programme."), details={"field": "programme"})

    breakdown = _one(params, "breakdown")
    allowed = {b.key for b in breakdowns} | {""}
    if breakdown not in allowed:
        raise InvalidParameter(
            _("Unknown breakdown."), details={"field": "breakdown", "allowed": sorted(allowed - {""})}
        )
    visit_type = _one(params, "visit_type")
    if visit_type and not _SLUG.fullmatch(visit_type):
        raise InvalidParameter(_("Unknown visit type."), details={"field": "visit_type"})
    baseline = QueryDict(mutable=True)
    for name in ("since", "until"):
        if value := _one(params, f"baseline_{name}"):
            baseline[name] = value
    try:
        baseline_since, baseline_until = parse_period(baseline)
    except InvalidParameter as error:
        field = (error.details or {}).get("field", "since")
        error.details = {**(error.details or {}), "field": f"baseline_{field}"}
        raise
    if (baseline_since is None) != (baseline_until is None):
        raise InvalidParameter(
            _("Give both the start and the end of the baseline period."), details={"field": "baseline_since"}
        )
    if baseline_since is None:
        baseline_since, baseline_until = date(since.year - 1, 1, 1), date(since.year - 1, 12, 31)
    return ReportFilter(
        since=since,
        until=until,
        unit=unit,
        municipality=municipality,
        programme=programme,
        breakdown=breakdown,
        visit_type=visit_type,
        baseline_since=baseline_since,
        baseline_until=baseline_until,
    )


def day_after(day: date) -> date:
    return day + timedelta(days=1)
