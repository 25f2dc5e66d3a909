"""Coordinators' pages for the data reports need: importing service-use extracts and entering programme
costs. For anyone who coordinates no unit the pages do not exist (404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.decorators import otp_required

from hyte.catalog.models import Organization
from hyte.core.errors import DomainError
from hyte.reporting import services
from hyte.reporting.costs import costs_visible_to
from hyte.reporting.forms import ProgrammeCostForm, ServiceUseImportForm
from hyte.reporting.service_use import imports_visible_to

LISTED = 200


def _organizations(request: HttpRequest) -> tuple[frozenset[Any], Any]:
    ids = services.coordinator_organization_ids(request.user)
    if not ids:
        raise Http404
    return ids, Organization.objects.filter(pk__in=ids).order_by("name")


def _form_error(form: forms.Form, exc: DomainError) -> None:
    field = (exc.details or {}).get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


@otp_required
@require_http_methods(["GET", "POST"])
def service_use_import_page(request: HttpRequest) -> HttpResponse:
    ids, organizations = _organizations(request)
    form = ServiceUseImportForm(request.POST or None, request.FILES or None, organizations=organizations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # One byte over the limit is enough for the service to refuse a file that is too big.
                record = services.service_use_import(
                    actor=request.user,
                    organization_id=form.cleaned_data["organization"].pk,
                    source_name=upload.name or "",
                    data=upload.read(services.max_bytes() + 1),
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request,
                    _(
                        "The extract was imported: %(read)d rows read, %(stored)d stored, "
                        "%(unmatched)d without a matching client."
                    )
                    % {
                        "read": record.rows_read,
                        "stored": record.rows_stored,
                        "unmatched": record.rows_unmatched,
                    },
                )
                return redirect("web:report-service-use-import")
        else:
            status = 400
    imports = list(imports_visible_to(ids)[:LISTED])
    return render(
        request, "reporting/service_use_import.html", {"form": form, "imports": imports}, status=status
    )


@otp_required
@require_http_methods(["GET", "POST"])
def costs_edit_page(request: HttpRequest) -> HttpResponse:
    ids, organizations = _organizations(request)
    status = 200
    adding = request.method == "POST" and "delete" not in request.POST
    form = ProgrammeCostForm(request.POST if adding else None, organizations=organizations)
    if request.method == "POST" and not adding:
        try:
            services.programme_cost_delete(actor=request.user, cost_id=request.POST.get("delete", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The cost was deleted."))
        return redirect("web:report-costs-edit")
    if adding:
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.programme_cost_add(
                    actor=request.user,
                    organization_id=d["organization"].pk,
                    programme=d["programme"].pk,
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    amount=d["amount"],
                    category=d["category"],
                    description=d["description"],
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The cost was added."))
                return redirect("web:report-costs-edit")
        else:
            status = 400
    costs = list(costs_visible_to(ids)[:LISTED])
    return render(request, "reporting/costs_edit.html", {"form": form, "costs": costs}, status=status)
