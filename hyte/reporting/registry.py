"""The reports there are: one entry per report, the same list for pages, API, exports and the board
report. A builder takes the coordinator's scope and a checked filter and returns a ``Report``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.reporting.filters import (
    BY_KIND,
    BY_MUNICIPALITY,
    BY_PROGRAMME,
    BY_UNIT,
    Breakdown,
    ReportFilter,
    Scope,
)
from hyte.reporting.tables import Report

Builder = Callable[[Scope, ReportFilter], Report]


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str | Promise
    description: str | Promise
    builder_path: str  # "module:function", imported when first used
    breakdowns: tuple[Breakdown, ...] = ()

    def build(self, scope: Scope, report_filter: ReportFilter) -> Report:
        module, name = self.builder_path.split(":")
        builder: Builder = getattr(import_module(module), name)
        return builder(scope, report_filter)


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        "funnel",
        _("Referral funnel"),
        _(
            "Sent, accepted, first contact and completed referrals, with conversion rates, waiting times "
            "and the reasons for declining and ending."
        ),
        "hyte.reporting.funnel:build",
        (BY_UNIT, BY_KIND, BY_MUNICIPALITY),
    ),
    ReportSpec(
        "outcomes",
        _("Programme outcomes"),
        _(
            "IPS employment and progress rates, link-worker caseloads and durations, activity passes and "
            "rewards, group meetings and visits."
        ),
        "hyte.reporting.outcomes:build",
        (BY_UNIT,),
    ),
    ReportSpec(
        "prepost",
        _("Change between measurements"),
        _(
            "Paired change from the first measurement to 3, 6 and 12 months, with confidence intervals, "
            "tests and effect sizes, and the share meeting the UKK recommendation."
        ),
        "hyte.reporting.prepost:build",
        (),
    ),
    ReportSpec(
        "service-use",
        _("Service use"),
        _(
            "Visits per client per month by quarter, against a baseline period, from an imported health "
            "record extract."
        ),
        "hyte.reporting.service_use:build",
        (),
    ),
    ReportSpec(
        "costs",
        _("Costs"),
        _("Programme costs in the period, per enrolled client and per completed pathway."),
        "hyte.reporting.costs:build",
        (BY_PROGRAMME,),
    ),
    ReportSpec(
        "feedback",
        _("Customer feedback"),
        _(
            "Anonymous feedback after pathways, group meetings and referrals: answers, mean rating, "
            "would recommend and the ratings per service and programme, and the comments."
        ),
        "hyte.feedback.report:build",
        (),
    ),
    ReportSpec(
        "plans",
        _("Client plans and income support"),
        _(
            "Adult social work: client plans with a physical activity and participation section, the "
            "services, groups and events chosen, and income support granted for activity costs."
        ),
        "hyte.reporting.plans:build",
        (),
    ),
)

BY_KEY = {spec.key: spec for spec in REPORTS}
