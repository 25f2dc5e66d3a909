"""Pages of the client plans: the list of the worker's units' plans, a new plan, one plan with its
forms (dates and status, the physical activity and participation section, agreed steps, services,
groups and events chosen from the tray with an htmx search, income support grants), and the printable
plan in the client's own language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.catalog import selectors as tray
from hyte.core.errors import DomainError
from hyte.core.views import error_page as _error
from hyte.plans import forms as f
from hyte.plans import selectors, services
from hyte.plans.models import ClientPlan, PlanItem

MAX_EVENTS_SHOWN = 20


def _not_worker(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"message": _("Client plans are for the social workers and other professionals of a unit.")},
        status=403,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@otp_required
@require_GET
def plan_list_page(request: HttpRequest) -> HttpResponse:
    if not selectors.worker_unit_ids(request.user):
        return _not_worker(request)
    status = request.GET.get("status", "")
    plans = selectors.plan_list(actor=request.user, status=status)[:500]
    return render(
        request,
        "plans/list.html",
        {"plans": plans, "status": status, "statuses": ClientPlan.Status.choices},
    )


@otp_required
@require_http_methods(["GET", "POST"])
def plan_new_page(request: HttpRequest) -> HttpResponse:
    if not selectors.worker_unit_ids(request.user):
        return _not_worker(request)
    client_id = request.GET.get("client") or request.POST.get("client") or ""
    known = None
    if client_id:
        try:
            known = selectors.client_for_plan(actor=request.user, client_id=client_id)
        except DomainError as exc:
            return _error(request, exc)
    form = f.NewPlanForm(
        request.POST or None,
        units=selectors.worker_units(request.user),
        known_client=known is not None,
        initial={"assessed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                unit_id=d["unit"].pk,
                client_id=known.pk if known else None,
                client=None if known else form.client_data(),
                assessed_on=d["assessed_on"],
                plan_made_on=d["plan_made_on"],
                review_by=d["review_by"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The client plan is created."))
            return redirect("web:plan", plan_id=plan.pk)
    return render(
        request, "plans/new.html", {"form": form, "known": known}, status=400 if form.errors else 200
    )


def _context(request: HttpRequest, plan: ClientPlan, **bound: forms.Form) -> dict[str, Any]:
    section = selectors.activity_of(plan)
    activity_initial: dict[str, Any] = {}
    if section is not None:
        activity_initial = {
            "activity_level": section.activity_level,
            "minutes_per_week": section.minutes_per_week,
            "participation": section.participation,
            "wish_themes": [t.slug for t in section.wish_themes.all()],
            "wishes": section.wishes,
        }
    return {
        "plan": plan,
        "activity": section,
        "closed": plan.status == ClientPlan.Status.CLOSED,
        "dates_form": bound.get("dates")
        or f.DatesForm(
            prefix="d",
            initial={
                "assessed_on": plan.assessed_on,
                "plan_made_on": plan.plan_made_on,
                "review_by": plan.review_by,
            },
        ),
        "activity_form": bound.get("activity") or f.ActivityForm(prefix="a", initial=activity_initial),
        "step_form": bound.get("step") or f.StepForm(prefix="s"),
        "group_form": bound.get("group")
        or f.ItemForm(prefix="g", initial={"kind": PlanItem.Kind.REHAB_GROUP}),
        "grant_form": bound.get("grant") or f.GrantForm(prefix="m"),
        "item_statuses": PlanItem.Status.choices,
        "themes": tray.theme_list(),
        "kinds": PlanItem.Kind,
    }


@otp_required
@require_GET
def plan_page(request: HttpRequest, plan_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_detail(actor=request.user, plan_id=plan_id)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "plans/detail.html", _context(request, plan))


def _invalid(request: HttpRequest, plan_id: str, **bound: forms.Form) -> HttpResponse:
    try:
        plan = selectors.plan_detail(actor=request.user, plan_id=plan_id)
    except DomainError as exc:
        return _error(request, exc)
    messages.error(request, _("Check the marked fields."))
    return render(request, "plans/detail.html", _context(request, plan, **bound), status=400)


@otp_required
@require_POST
def plan_action(request: HttpRequest, plan_id: str) -> HttpResponse:
    """Every form of the plan page posts here with ``action`` and the version the page showed."""
    action = request.POST.get("action", "")
    version = _int(request.POST.get("version"))
    user = request.user
    form: forms.Form
    try:
        if action == "dates":
            form = f.DatesForm(request.POST, prefix="d")
            if not form.is_valid():
                return _invalid(request, plan_id, dates=form)
            services.plan_update(actor=user, plan_id=plan_id, version=version, **form.cleaned_data)
            messages.success(request, _("The dates are saved."))
        elif action == "status":
            services.plan_set_status(
                actor=user, plan_id=plan_id, version=version, status=request.POST.get("status", "")
            )
            messages.success(request, _("The status of the plan is changed."))
        elif action == "activity":
            form = f.ActivityForm(request.POST, prefix="a")
            if not form.is_valid():
                return _invalid(request, plan_id, activity=form)
            d = form.cleaned_data
            services.activity_save(
                actor=user,
                plan_id=plan_id,
                version=version,
                activity_level=d["activity_level"],
                minutes_per_week=d["minutes_per_week"],
                participation=d["participation"],
                wish_themes=[t.slug for t in d["wish_themes"]],
                wishes=d["wishes"],
            )
            messages.success(request, _("Physical activity and participation are saved."))
        elif action == "step":
            form = f.StepForm(request.POST, prefix="s")
            if not form.is_valid():
                return _invalid(request, plan_id, step=form)
            services.step_add(actor=user, plan_id=plan_id, version=version, **form.cleaned_data)
            messages.success(request, _("The step is added to the plan."))
        elif action in ("step_done", "step_undone"):
            services.step_set_done(
                actor=user, step_id=request.POST.get("step"), version=version, done=action == "step_done"
            )
            messages.success(request, _("The step is updated."))
        elif action == "step_remove":
            services.step_remove(actor=user, step_id=request.POST.get("step"), version=version)
            messages.success(request, _("The step is removed."))
        elif action == "item":
            prefix = "g" if request.POST.get("g-kind") else ""
            form = f.ItemForm(request.POST, prefix=prefix or None)
            if not form.is_valid():
                return _invalid(request, plan_id, group=form) if prefix else _bad(request, plan_id)
            d = form.cleaned_data
            services.item_add(
                actor=user,
                plan_id=plan_id,
                version=version,
                kind=d["kind"],
                service_id=d["service"],
                event_id=d["event"],
                title=d["title"],
                place=d["place"],
                times=d["times"],
                note=d["note"],
                starts_on=d["starts_on"],
            )
            messages.success(request, _("The item is added to the plan."))
        elif action == "item_status":
            services.item_set_status(
                actor=user,
                item_id=request.POST.get("item"),
                version=version,
                status=request.POST.get("status", ""),
            )
            messages.success(request, _("The item is updated."))
        elif action == "grant":
            form = f.GrantForm(request.POST, prefix="m")
            if not form.is_valid():
                return _invalid(request, plan_id, grant=form)
            services.grant_record(actor=user, plan_id=plan_id, version=version, **form.cleaned_data)
            messages.success(request, _("The income support is recorded."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
    return redirect("web:plan", plan_id=plan_id)


def _bad(request: HttpRequest, plan_id: str) -> HttpResponse:
    messages.error(request, _("Check the marked fields."))
    return redirect("web:plan", plan_id=plan_id)


@otp_required
@require_GET
def tray_search(request: HttpRequest, plan_id: str) -> HttpResponse:
    """The htmx part of the plan page: tray services (and upcoming events) matching the words, each with
    a button that adds it to the plan. Uses the tray's own search (``catalog.selectors.service_search``)."""
    try:
        plan = selectors.plan_ref(actor=request.user, plan_id=plan_id)
    except DomainError as exc:
        return _error(request, exc)
    context: dict[str, Any] = {
        "plan": plan,
        "error": None,
        "page": None,
        "events": [],
        "themes": tray.theme_list(),
    }
    status = 200
    try:
        search = tray.parse_service_search(request.GET)
        results = tray.service_search(search)
        context["page"] = tray.paginate(results, search.page, per_page=10)
        if search.q:
            context["events"] = list(
                selectors.choosable_events()
                .filter(title__icontains=search.q)
                .order_by("starts_at")[:MAX_EVENTS_SHOWN]
            )
        context["search"] = search
    except DomainError as exc:
        context["error"] = exc.message
        status = exc.http_status
    template = "plans/_tray_results.html" if request.headers.get("HX-Request") else "plans/tray.html"
    return render(request, template, context, status=status)


@otp_required
@require_GET
def plan_print_page(request: HttpRequest, plan_id: str) -> HttpResponse:
    """The plan for the client, in the client's language (whatever the worker's page language)."""
    try:
        plan = selectors.plan_detail(actor=request.user, plan_id=plan_id)
    except DomainError as exc:
        return _error(request, exc)
    language = plan.client.preferred_language or "fi"
    with translation.override(language):
        printed = selectors.printable_plan(actor=request.user, plan=plan)
        response = render(
            request,
            "plans/print.html",
            {"printed": printed, "LANGUAGE_CODE": language, "print_language": language},
        )
    response["Content-Language"] = language
    return response
