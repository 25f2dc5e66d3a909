"""The coordinator's report pages: the index, one report with its filter form, tables and charts, its
CSV and XLSX exports, and the printable board report (every report for one filter on one page).

Only coordinators see any of it (``filters.scope_for``); for anyone else the pages do not exist (the
project's 404 page). A bad filter is a 400 page with the translated message and the form again, never
a 500. The exports carry exactly the ``Report`` the page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_otp.decorators import otp_required

from hyte.catalog.models import Municipality, Organization
from hyte.core.disclosure import min_cell
from hyte.core.errors import DomainError
from hyte.pathways.models import Programme
from hyte.reporting import exports
from hyte.reporting.charts import chart_svg
from hyte.reporting.filters import ReportFilter, Scope, parse_filter, scope_for
from hyte.reporting.models import ServiceUse
from hyte.reporting.registry import BY_KEY, REPORTS, ReportSpec
from hyte.reporting.tables import HIDDEN, Report, Table

SERVICE_USE = "service-use"
# The pages where the data behind a report is entered: (report key, URL name, link text).
DATA_PAGES: tuple[tuple[str, str, str | Promise], ...] = (
    ("costs", "web:report-costs-edit", _("Enter programme costs")),
    ("service-use", "web:report-service-use-import", _("Import a service-use extract")),
)
FILTER_FIELDS = (
    "since",
    "until",
    "unit",
    "municipality",
    "programme",
    "breakdown",
    "visit_type",
    "baseline_since",
    "baseline_until",
)


def _scope(request: HttpRequest) -> Scope:
    """The coordinator's scope; anyone else is told the page does not exist."""
    try:
        return scope_for(request.user)  # type: ignore[arg-type]
    except DomainError:
        raise Http404 from None


# --- the filter form ---


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormOptions:
    units: list[Choice]
    municipalities: list[Choice]
    programmes: list[Choice]
    breakdowns: list[Choice]
    visit_types: list[Choice]
    service_use: bool  # the visit type and baseline fields


def _options(scope: Scope, specs: Sequence[ReportSpec], *, breakdowns: bool = True) -> FormOptions:
    units = scope.units().select_related("municipality").order_by("name")
    unit_choices = [Choice(str(u.pk), str(u.name)) for u in units]
    # The municipalities of the scope's counties (from its organizations' and units' municipalities).
    homes = {u.municipality for u in units if u.municipality is not None}
    homes |= {
        o.municipality
        for o in Organization.objects.filter(pk__in=scope.organization_ids).select_related("municipality")
        if o.municipality is not None
    }
    counties = {m.county_id for m in homes if m.county_id}
    municipalities = Municipality.objects.filter(county_id__in=counties) if counties else Municipality.objects
    muni_choices = sorted(
        {Choice(m.pk, str(m.name)) for m in [*municipalities.all(), *homes]}, key=lambda c: c.label
    )
    programmes = [Choice(p.pk, str(p.name)) for p in Programme.objects.order_by("name")]
    breakdown_choices = (
        [Choice(b.key, str(b.label)) for spec in specs for b in spec.breakdowns] if breakdowns else []
    )
    service_use = any(spec.key == SERVICE_USE for spec in specs)
    visit_types = (
        [
            Choice(v, v)
            for v in ServiceUse.objects.filter(organization_id__in=scope.organization_ids)
            .order_by("visit_type")
            .values_list("visit_type", flat=True)
            .distinct()[:100]
        ]
        if service_use
        else []
    )
    return FormOptions(unit_choices, muni_choices, programmes, breakdown_choices, visit_types, service_use)


def _raw_values(params: QueryDict) -> dict[str, str]:
    """What was asked for, to show in the form again (one value each, cut short)."""
    return {name: (params.getlist(name) or [""])[0][:100] for name in FILTER_FIELDS}


def _values(report_filter: ReportFilter) -> dict[str, str]:
    return {name: "" for name in FILTER_FIELDS} | report_filter.as_query()


# --- one report ---


@dataclass(frozen=True)
class TableView:
    table: Table
    chart: SafeString
    anchor: str


def _tables(report: Report, prefix: str) -> list[TableView]:
    return [
        TableView(table, chart_svg(table, id_prefix=prefix), f"{prefix}-{table.key}")
        for table in report.tables
    ]


def _data_links(key: str) -> list[tuple[str, str]]:
    links = []
    for report_key, url_name, label in DATA_PAGES:
        if report_key != key:
            continue
        try:
            links.append((reverse(url_name), str(label)))
        except NoReverseMatch:  # the data-entry pages are not installed
            continue
    return links


def _query(report_filter: ReportFilter, *, board: bool = False) -> str:
    query = report_filter.as_query()
    if board:
        query.pop("breakdown", None)
    return urlencode(query)


def _build(request: HttpRequest, spec: ReportSpec, scope: Scope) -> tuple[ReportFilter, Report]:
    report_filter = parse_filter(request.GET, scope, breakdowns=spec.breakdowns)
    return report_filter, spec.build(scope, report_filter)


def _spec(key: str) -> ReportSpec:
    spec = BY_KEY.get(key)
    if spec is None:
        raise Http404
    return spec


def _report_context(spec: ReportSpec, scope: Scope) -> dict[str, Any]:
    return {
        "spec": spec,
        "scope": scope,
        "options": _options(scope, [spec]),
        "data_links": _data_links(spec.key),
        "hidden_mark": HIDDEN,
    }


def _bad_filter(request: HttpRequest, context: dict[str, Any], exc: DomainError) -> HttpResponse:
    context |= {"error": exc, "values": _raw_values(request.GET)}
    return render(request, "reporting/report.html", context, status=exc.http_status)


@otp_required
@require_GET
def index_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    links = [link for key, _name, _label in DATA_PAGES for link in _data_links(key)]
    return render(request, "reporting/index.html", {"scope": scope, "reports": REPORTS, "data_links": links})


@otp_required
@require_GET
def report_page(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key)
    scope = _scope(request)
    context = _report_context(spec, scope)
    try:
        report_filter, report = _build(request, spec, scope)
    except DomainError as exc:
        return _bad_filter(request, context, exc)
    query = _query(report_filter)
    return render(
        request,
        "reporting/report.html",
        context
        | {
            "report": report,
            "tables": _tables(report, spec.key),
            "values": _values(report_filter),
            "query": query,
            "board_query": _query(report_filter, board=True),
            "small_mark": f"<{report.min_cell}",
        },
    )


def _export(request: HttpRequest, key: str, respond: Any) -> HttpResponse:
    spec = _spec(key)
    scope = _scope(request)
    try:
        _filter, report = _build(request, spec, scope)
    except DomainError as exc:
        return _bad_filter(request, _report_context(spec, scope), exc)
    response: HttpResponse = respond(report)
    return response


@otp_required
@require_GET
def report_csv(request: HttpRequest, key: str) -> HttpResponse:
    return _export(request, key, exports.csv_response)


@otp_required
@require_GET
def report_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    return _export(request, key, exports.xlsx_response)


# --- the board report ---


@dataclass(frozen=True)
class Section:
    spec: ReportSpec
    report: Report
    tables: list[TableView]


@otp_required
@require_GET
def board_page(request: HttpRequest) -> HttpResponse:
    """Every report for the same filter on one printable page (no breakdowns: one line per report)."""
    scope = _scope(request)
    params = request.GET.copy()
    params.pop("breakdown", None)
    context: dict[str, Any] = {
        "scope": scope,
        "options": _options(scope, REPORTS, breakdowns=False),
        "made": timezone.localtime(),
        "hidden_mark": HIDDEN,
    }
    try:
        report_filter = parse_filter(params, scope)
        sections = []
        for spec in REPORTS:
            report = spec.build(scope, report_filter)
            sections.append(Section(spec, report, _tables(report, f"board-{spec.key}")))
    except DomainError as exc:
        context |= {"error": exc, "values": _raw_values(params)}
        return render(request, "reporting/board.html", context, status=exc.http_status)
    return render(
        request,
        "reporting/board.html",
        context
        | {
            "filter": report_filter,
            "sections": sections,
            "values": _values(report_filter),
            "min_cell": min_cell(),
            "small_mark": f"<{min_cell()}",
            "filters": report_filter.described(),
        },
    )
