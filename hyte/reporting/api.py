"""The reports over the API, for coordinators: the list of reports, and one report as JSON for the
same filter parameters as the pages. Every figure is what the page shows: counts of 1 … MIN_CELL-1 are
``"<5"``, counts hidden so that a small one cannot be worked out from the totals are ``"x"``, hidden
rates and numbers are ``null``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.catalog.api import LanguageMixin
from hyte.core.errors import NotFoundForUser
from hyte.referrals.api import IsVerified
from hyte.reporting.filters import parse_filter, scope_for
from hyte.reporting.registry import BY_KEY, REPORTS

FILTER_PARAMETERS = [
    OpenApiParameter("since", OpenApiTypes.DATE, description="First day of the period (default 1 January)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Last day of the period (default today)."),
    OpenApiParameter("unit", OpenApiTypes.UUID, description="One unit of the coordinator's organizations."),
    OpenApiParameter("municipality", OpenApiTypes.STR, description="A municipality code (the client's)."),
    OpenApiParameter("programme", OpenApiTypes.STR, description="A programme code."),
    OpenApiParameter("breakdown", OpenApiTypes.STR, description="One of the report's breakdowns."),
    OpenApiParameter("visit_type", OpenApiTypes.STR, description="Service-use report: one visit type."),
    OpenApiParameter(
        "baseline_since", OpenApiTypes.DATE, description="Service-use report: first day of the baseline."
    ),
    OpenApiParameter(
        "baseline_until", OpenApiTypes.DATE, description="Service-use report: last day of the baseline."
    ),
    OpenApiParameter("lang", OpenApiTypes.STR, enum=["fi", "sv", "en"], description="Language of labels."),
]
NOT_COORDINATOR = OpenApiResponse(description="Not a coordinator (code not_in_unit).")


class ReportListView(LanguageMixin, APIView):
    """The reports a coordinator can ask for, with their breakdowns."""

    permission_classes = [IsVerified]

    @extend_schema(
        operation_id="reports_list",
        parameters=[FILTER_PARAMETERS[-1]],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The coordinator's organizations and the reports: key, title, description, "
                "breakdowns (key, label) and the report's URL.",
            ),
            403: NOT_COORDINATOR,
        },
    )
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)  # type: ignore[arg-type]  # before anything else: others learn nothing
        reports: list[dict[str, Any]] = [
            {
                "key": spec.key,
                "title": str(spec.title),
                "description": str(spec.description),
                "breakdowns": [{"key": b.key, "label": str(b.label)} for b in spec.breakdowns],
                "url": request.build_absolute_uri(reverse("api:report-detail", args=[spec.key])),
            }
            for spec in REPORTS
        ]
        return Response({"organizations": list(scope.organization_names), "reports": reports})


class ReportDetailView(LanguageMixin, APIView):
    """One report for a period, unit, municipality, programme and breakdown: tables of protected values."""

    permission_classes = [IsVerified]

    @extend_schema(
        operation_id="reports_retrieve",
        parameters=FILTER_PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The report: period, organizations, filters in force, min_cell, notes and tables "
                '(columns, rows with values by column key). Counts are integers, or "<5" (hidden small '
                'count) or "x" (hidden so that a small count cannot be worked out from the totals); rates '
                "are shares 0 … 1 and numbers are rounded, both null when based on fewer than min_cell.",
            ),
            400: OpenApiResponse(description="A bad filter value (code invalid_parameter)."),
            403: NOT_COORDINATOR,
            404: OpenApiResponse(description="No such report (code not_found)."),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        scope = scope_for(request.user)  # type: ignore[arg-type]
        spec = BY_KEY.get(key)
        if spec is None:
            raise NotFoundForUser()
        report_filter = parse_filter(request.query_params, scope, breakdowns=spec.breakdowns)
        return Response(spec.build(scope, report_filter).as_json())
