"""Staff pages of fresh listings and duplicates: the review of one listing before it is marked verified,
possible duplicates with "not a duplicate" and the merge tool, and the coordinators' freshness report
(with a CSV export). Everything needs a two-factor login; another organization's listing is "not found"."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.catalog import selectors
from hyte.catalog.freshness import freshness_report, may_see_report
from hyte.catalog.models import Service
from hyte.catalog.services import (
    IMPORT_PREFIXES,
    MergeChoices,
    duplicate_dismiss,
    duplicate_scan,
    service_merge,
)
from hyte.core.errors import DomainError
from hyte.core.views import error_page as _error


def _is_editor(request: HttpRequest) -> bool:
    return bool(selectors.organizations_editable_by(request.user).exists())


@otp_required
@require_GET
def review_page(request: HttpRequest, service_id: str) -> HttpResponse:
    """Everything the public page shows of one listing, with one button to mark it verified."""
    try:
        service = selectors.service_for_review(request.user, service_id)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "catalog/review.html", {"service": service})


def _service_facts(service: Service) -> dict[str, Any]:
    return {
        "service": service,
        "addresses": [
            ", ".join(filter(None, [loc.street_address, f"{loc.postal_code} {loc.post_office}".strip()]))
            for loc in service.locations.all()
        ],
        "referrals": service.referrals.count(),  # type: ignore[attr-defined]
        "source": (service.external_id or "").split(":", 1)[0],
    }


@otp_required
@require_GET
def duplicates_page(request: HttpRequest) -> HttpResponse:
    if not _is_editor(request):
        raise Http404
    candidates = list(selectors.duplicate_candidates_for(request.user)[:200])
    return render(request, "catalog/duplicates.html", {"candidates": candidates})


@otp_required
@require_POST
def duplicates_scan(request: HttpRequest) -> HttpResponse:
    if not _is_editor(request):
        raise Http404
    found = duplicate_scan(actor=request.user)
    messages.success(request, _("Possible duplicates found: %(count)d new.") % {"count": found})
    return redirect("web:duplicates")


@otp_required
@require_POST
def duplicate_dismiss_view(request: HttpRequest, candidate_id: str) -> HttpResponse:
    try:
        duplicate_dismiss(actor=request.user, candidate_id=candidate_id)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Marked as not a duplicate. The pair will not be proposed again."))
    return redirect("web:duplicates")


@otp_required
@require_http_methods(["GET", "POST"])
def merge_page(request: HttpRequest, candidate_id: str) -> HttpResponse:
    """Both listings side by side; staff choose the one to keep and which details move, then confirm."""
    try:
        candidate = selectors.duplicate_candidate_for(request.user, candidate_id)
    except DomainError as exc:
        return _error(request, exc)
    pair = [candidate.first, candidate.second]
    imported = [s.pk for s in pair if (s.external_id or "").startswith(IMPORT_PREFIXES)]
    context: dict[str, Any] = {
        "candidate": candidate,
        "sides": [_service_facts(s) for s in pair],
        # An imported listing cannot be merged away: proposed as the one to keep.
        "survivor": str(imported[0] if imported else pair[0].pk),
        "error": None,
    }
    if request.method == "POST":
        survivor = request.POST.get("survivor", "")
        if survivor not in {str(s.pk) for s in pair}:
            context["error"] = _("Choose the listing to keep.")
            return render(request, "catalog/merge.html", context, status=400)
        duplicate = next(s for s in pair if str(s.pk) != survivor)
        choices = MergeChoices(
            **{key: request.POST.get(key) == "on" for key in ("locations", "schedules", "phones", "contacts")}
        )
        try:
            result = service_merge(
                actor=request.user, survivor_id=survivor, duplicate_id=duplicate.pk, choices=choices
            )
        except DomainError as exc:
            context["error"] = exc.message
            context["survivor"] = survivor
            return render(request, "catalog/merge.html", context, status=exc.http_status)
        messages.success(
            request,
            _("“%(duplicate)s” is merged into “%(survivor)s”. Its old address leads to the listing kept.")
            % {"duplicate": result.duplicate.name, "survivor": result.survivor.name},
        )
        return redirect("web:duplicates")
    return render(request, "catalog/merge.html", context)


@otp_required
@require_GET
def freshness_page(request: HttpRequest) -> HttpResponse:
    if not may_see_report(request.user):
        raise Http404
    return render(request, "catalog/freshness.html", {"rows": freshness_report(request.user)})


@otp_required
@require_GET
def freshness_csv(request: HttpRequest) -> HttpResponse:
    if not may_see_report(request.user):
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="freshness-{timezone.localdate():%Y-%m-%d}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Organization"),
            _("Listings"),
            _("Verified within 6 months"),
            _("6–11 months"),
            _("11–12 months"),
            _("Over 12 months"),
            _("Oldest verification"),
            _("Reminders sent"),
        ]
    )
    for row in freshness_report(request.user):
        writer.writerow(
            [
                _csv_text(row.organization),
                row.listings,
                row.within_6,
                row.months_6_11,
                row.months_11_12,
                row.over_12,
                timezone.localtime(row.oldest).date().isoformat() if row.oldest else "",
                row.reminders,
            ]
        )
    return response


def _csv_text(value: str) -> str:
    """Names never start a formula in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
