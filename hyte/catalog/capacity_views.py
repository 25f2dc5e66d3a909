"""Staff pages for the capacity of services and receiving units: an overview of what the user may
update, and one small form each. A service editor of the organization updates a service; a unit
administrator or a receiver updates a unit. Others get 404 (never told the object exists)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.decorators import otp_required

from hyte.accounts import services as account_services
from hyte.accounts.selectors import unit_capacity_for_editor, units_capacity_editable_by
from hyte.catalog import services
from hyte.catalog.forms import CapacityForm
from hyte.catalog.selectors import service_capacity_for_editor, services_capacity_editable_by
from hyte.core.errors import DomainError
from hyte.core.views import error_page as _error


@otp_required
@require_GET
def capacity_overview_page(request: HttpRequest) -> HttpResponse:
    services_qs = services_capacity_editable_by(request.user).select_related("organization", "capacity")
    units = units_capacity_editable_by(request.user).select_related("organization", "capacity")
    return render(
        request,
        "catalog/capacity_overview.html",
        {"services": list(services_qs.order_by("name_fi")[:500]), "units": list(units.order_by("name_fi"))},
    )


def _save(request: HttpRequest, form: CapacityForm, save: Any) -> bool:
    """Run the service; put a coded error on its field (or the form). True when saved."""
    if not form.is_valid():
        return False
    try:
        save(**form.values())
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        field = exc.details.get("field")
        form.add_error(field if field in form.fields else None, str(exc.message))
        return False
    return True


def _edit(request: HttpRequest, *, owner: Any, kind: str, save: Any) -> HttpResponse:
    record = getattr(owner, "capacity", None)
    form = CapacityForm(request.POST) if request.method == "POST" else CapacityForm.for_record(record)
    if request.method == "POST":
        try:
            saved = _save(request, form, save)
        except DomainError as exc:
            return _error(request, exc)
        if saved:
            messages.success(request, _("The capacity of “%(name)s” is updated.") % {"name": owner.name})
            return redirect("web:capacity")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalog/capacity_edit.html",
        {"form": form, "owner": owner, "record": record, "kind": kind},
        status=status,
    )


@otp_required
@require_http_methods(["GET", "POST"])
def service_capacity_page(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = service_capacity_for_editor(actor=request.user, service_id=service_id)
    except DomainError as exc:
        return _error(request, exc)

    def save(**values: Any) -> None:
        services.service_capacity_set(actor=request.user, service_id=service.pk, **values)

    return _edit(request, owner=service, kind="service", save=save)


@otp_required
@require_http_methods(["GET", "POST"])
def unit_capacity_page(request: HttpRequest, unit_id: str) -> HttpResponse:
    try:
        unit = unit_capacity_for_editor(actor=request.user, unit_id=unit_id)
    except DomainError as exc:
        return _error(request, exc)

    def save(**values: Any) -> None:
        account_services.unit_capacity_set(actor=request.user, unit_id=unit.pk, **values)

    return _edit(request, owner=unit, kind="unit", save=save)
