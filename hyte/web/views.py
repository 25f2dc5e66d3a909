"""Public pages of the service tray and the staff's stale-listings page.

Views only parse the request, call selectors/services and render; domain errors become a
friendly inline message with the right status code.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from hyte.accounts.selectors import is_data_protection_officer
from hyte.catalog import selectors
from hyte.catalog.errors import InvalidPage
from hyte.catalog.models import Weekday
from hyte.catalog.search.analyzer import voikko_available
from hyte.catalog.selectors import ServiceSearch
from hyte.catalog.services import service_mark_verified
from hyte.core.errors import DomainError
from hyte.core.personal_log import personal_data_log_for, verify_personal_data_log
from hyte.core.ratelimit import rate_limited
from hyte.integrations.ical.selectors import upcoming_event_occurrences
from hyte.integrations.selectors import import_runs

EVENT_DAYS = 60  # upcoming events shown on a service page: the next two months,
EVENT_LIMIT = 10  # at most ten of them


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer and monitoring: 200 when the database answers and every migration is applied.

    503 otherwise, with a short code (no details of the error: the endpoint is public).
    """
    from django.db.migrations.executor import MigrationExecutor

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "error", "migrations": "pending"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    choices = selectors.filter_choices()
    return render(
        request,
        "web/home.html",
        {"choices": choices, "search": ServiceSearch(), "service_count": selectors.public_services().count()},
    )


def _query_string(search: ServiceSearch, page: int | None = None) -> str:
    from urllib.parse import urlencode

    params: dict[str, Any] = {
        "q": search.q,
        "theme": search.theme,
        "municipality": search.municipality,
        "free": "" if search.free is None else ("true" if search.free else "false"),
        "language": search.language,
        "target_group": search.target_group,
        "accessible": "true" if search.accessible else "",
        "weekday": search.weekday or "",
        "near": f"{search.near[0]},{search.near[1]}" if search.near else "",
    }
    if page and page > 1:
        params["page"] = page
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


@require_GET
@rate_limited("search", methods=("GET",))
def service_search_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "choices": selectors.filter_choices(),
        "weekdays": Weekday.choices,
        "error": None,
    }
    status = 200
    try:
        search = selectors.parse_service_search(request.GET)
        results = selectors.service_search(search)
        try:
            page = selectors.paginate_services(results, search.page)
        except InvalidPage as exc:
            context["error"] = exc.message
            status = exc.http_status
            search = search.with_page(1)
            page = selectors.paginate_services(results, 1)
        context.update(
            search=search,
            page=page,
            map_points=selectors.map_points(results),
            prev_qs=_query_string(search, page.previous_page_number()) if page.has_previous() else None,
            next_qs=_query_string(search, page.next_page_number()) if page.has_next() else None,
            self_qs=_query_string(search),
        )
    except DomainError as exc:
        context.update(error=exc.message, search=ServiceSearch(), page=None, map_points=[], raw=request.GET)
        status = exc.http_status
    template = "web/_results.html" if request.headers.get("HX-Request") else "web/search.html"
    return render(request, template, context, status=status)


@require_GET
def service_detail_page(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = selectors.service_detail(service_id=service_id)
    except DomainError as exc:
        if target := selectors.merged_target(service_id):  # a merged duplicate: its links lead on
            return redirect("web:service", target.pk, permanent=True)
        return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)
    return render(
        request,
        "web/service_detail.html",
        {
            "service": service,
            "map_points": selectors.service_map_points(service),
            "events": upcoming_event_occurrences(service_id=service.pk, days=EVENT_DAYS, limit=EVENT_LIMIT),
        },
    )


@require_GET
def organization_page(request: HttpRequest, organization_id: str) -> HttpResponse:
    try:
        organization = selectors.organization_detail(organization_id=organization_id)
        page = selectors.paginate(
            selectors.organization_services(organization=organization),
            selectors.parse_page(request.GET.get("page", "")),
        )
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)
    return render(request, "web/organization.html", {"organization": organization, "page": page})


@otp_required
@require_GET
def stale_listings_page(request: HttpRequest) -> HttpResponse:
    services = selectors.stale_services_for_user(request.user)
    return render(request, "web/stale.html", {"services": services, "voikko_available": voikko_available()})


@otp_required
@require_GET
def import_runs_page(request: HttpRequest) -> HttpResponse:
    """The latest import runs (PTV, HSDS, iCalendar) for staff: what came in and what was skipped, and why."""
    if not request.user.is_staff:
        return permission_denied(request)
    return render(request, "web/imports.html", {"runs": import_runs(actor=request.user, limit=50)})


@otp_required
@require_POST
def verify_service(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = service_mark_verified(actor=request.user, service_id=service_id)
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)
    messages.success(request, _("“%(name)s” is marked as verified today.") % {"name": service.name})
    if request.POST.get("next") == "review":
        return redirect("web:review", service.pk)
    return redirect("web:stale")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"message": _("The request was not understood.")}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "web/error.html", {"message": _("You do not have permission to see this page.")}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "details": {}}, status=404)
    return render(request, "web/error.html", {"message": _("The page was not found.")}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500. A database that cannot be reached (a restart, a failover) is a 503 with
    Retry-After, on a page that does not itself need the database; the API answers in JSON."""
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if request.path.startswith("/api/"):
        # As the API chooses its language (catalog.api.LanguageMixin): ?lang=, else cookie or header.
        lang = request.GET.get("lang", "")
        if lang not in {code for code, _name in settings.LANGUAGES}:
            lang = translation.get_language_from_request(request, check_path=False)
        translation.activate(lang)
    if unavailable:
        status, code = 503, "service_unavailable"
        message = _("The service is briefly unavailable. Please try again in a moment.")
    else:
        status, code = 500, "server_error"
        message = _("Something went wrong on our side. Please try again later.")
    if request.path.startswith("/api/"):
        body = {"code": code, "message": message, "details": {}}
        response: HttpResponse = JsonResponse(body, status=status)
    elif unavailable:
        response = render(request, "web/unavailable.html", {"message": message}, status=status)
    else:
        response = render(request, "web/error.html", {"message": message}, status=status)
    if unavailable:
        response["Retry-After"] = "10"
    return response


@otp_required
@require_GET
def personal_data_log_page(request: HttpRequest) -> HttpResponse:
    """The data protection officer's view of the personal data log; ``?verify=1`` checks the chain."""
    if not is_data_protection_officer(request.user):
        return permission_denied(request)
    filters = {key: request.GET.get(key, "")[:150] for key in ("object_id", "actor_name", "action")}
    page = Paginator(personal_data_log_for(actor=request.user, **filters), 100).get_page(
        request.GET.get("page")
    )
    verification = verify_personal_data_log() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "web/personal_data_log.html",
        {"page": page, "filters": filters, "verification": verification},
    )
