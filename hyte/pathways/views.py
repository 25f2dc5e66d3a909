"""Pages of the pathways: the worker's caseload, enrolment, one client's timeline with its forms, the
queue of contact requests, and the public contact form ("Kunto-nappi")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.accounts.models import Unit
from hyte.core.errors import DomainError
from hyte.core.origin import client_ip
from hyte.core.ratelimit import rate_limited
from hyte.core.views import error_page as _error
from hyte.pathways import forms as f
from hyte.pathways import instruments, selectors, services
from hyte.pathways.models import Pathway, Programme, SelfReferral
from hyte.referrals.selectors import is_professional

FLAG_LABELS = {
    "contact_overdue": gettext_lazy("contact overdue"),
    "measurement_due": gettext_lazy("measurement due"),
    "limit_near": gettext_lazy("time limit near"),
    "limit_passed": gettext_lazy("time limit passed"),
}


def _not_worker(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"message": _("Client pathways are for the counsellors and link workers of a unit.")},
        status=403,
    )


@otp_required
@require_GET
def caseload_page(request: HttpRequest) -> HttpResponse:
    if not selectors.worker_unit_ids(request.user):
        return _not_worker(request)
    mine = request.GET.get("all") != "1"
    rows = selectors.caseload(actor=request.user, mine_only=mine)
    labels = {str(k): str(v) for k, v in FLAG_LABELS.items()}
    for row in rows:
        row.labels = [labels[flag] for flag in row.flags]  # type: ignore[attr-defined]
    waiting = selectors.self_referral_queue(actor=request.user, status=SelfReferral.Status.NEW).count()
    return render(request, "pathways/caseload.html", {"rows": rows, "mine": mine, "waiting": waiting})


@otp_required
@require_http_methods(["GET", "POST"])
def enrol_page(request: HttpRequest) -> HttpResponse:
    unit_ids = selectors.worker_unit_ids(request.user)
    if not unit_ids:
        return _not_worker(request)
    units = Unit.objects.filter(pk__in=unit_ids)
    referral_id = request.GET.get("referral") or request.POST.get("referral") or ""
    form = f.EnrolForm(request.POST or None, units=units, from_referral=bool(referral_id))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        client = None if referral_id else form.client_data()
        try:
            pathway = services.pathway_enrol(
                actor=request.user,
                data=services.Enrolment(
                    programme=d["programme"].code,
                    unit_id=d["unit"].pk,
                    origin=Pathway.Origin.REFERRAL if referral_id else d["origin"],
                    referral_id=referral_id or None,
                    client=client,
                    track=d["track"],
                    triage=d["triage"],
                    enrolled_on=d["enrolled_on"],
                    next_contact_on=d["next_contact_on"],
                ),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The client is enrolled."))
            return redirect("web:pathway", pathway_id=pathway.pk)
    return render(request, "pathways/enrol.html", {"form": form, "referral_id": referral_id})


def _context(request: HttpRequest, pathway: Pathway, **forms: Any) -> dict[str, Any]:
    programme = pathway.programme
    chosen = request.GET.get("instrument") or (programme.instruments[0] if programme.instruments else "")
    spec = instruments.INSTRUMENTS.get(chosen) if chosen in programme.instruments else None
    series = selectors.measurement_series(pathway)
    return {
        "pathway": pathway,
        "programme": programme,
        "timeline": selectors.timeline(pathway),
        "charts": [_chart(s) for s in series],
        "closed": pathway.status == Pathway.Status.CLOSED,
        "today": timezone.localdate(),
        "instrument": spec,
        "instrument_choices": [(code, instruments.INSTRUMENTS[code].name) for code in programme.instruments],
        "measurement_form": forms.get("measurement")
        or (measurement_form_for(spec, programme) if spec else None),
        "contact_form": forms.get("contact") or f.ContactForm(prefix="c", kinds=programme.contact_kinds),
        "goal_form": forms.get("goal") or f.GoalForm(prefix="g"),
        "outcome_form": forms.get("outcome") or f.OutcomeForm(prefix="o", kinds=programme.outcome_kinds),
        "extend_form": f.ExtendForm(prefix="x") if pathway.ends_by and pathway.status == "active" else None,
        "close_form": f.CloseForm(prefix="z") if pathway.status == "active" else None,
        "goal_statuses": f.GoalStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
    }


def measurement_form_for(spec: instruments.Instrument, programme: Programme, data: Any = None) -> Any:
    return f.measurement_form(spec, programme, data)


def _chart(series: selectors.Series) -> dict[str, Any]:
    """A small line chart as SVG coordinates (100 × 30 box), with the values for a text alternative."""
    values = [float(v) for _on, v in series.points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    count = len(values)
    points = " ".join(
        f"{(i * 100 / (count - 1)) if count > 1 else 50:.1f},{28 - (v - low) * 26 / span:.1f}"
        for i, v in enumerate(values)
    )
    spec = instruments.INSTRUMENTS[series.instrument]
    return {"name": spec.name, "score": series.score, "points": points, "series": series}


@otp_required
@require_GET
def pathway_page(request: HttpRequest, pathway_id: str) -> HttpResponse:
    try:
        pathway = selectors.pathway_detail(actor=request.user, pathway_id=pathway_id)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "pathways/detail.html", _context(request, pathway))


@otp_required
@require_POST
def pathway_action(request: HttpRequest, pathway_id: str) -> HttpResponse:
    """Every form of the pathway page posts here with ``action``; the plan's forms carry the version
    the page showed, so a second writer is told instead of overwriting."""
    action = request.POST.get("action", "")
    version = _int(request.POST.get("version"))
    reason = request.POST.get("reason", "")
    user = request.user
    form: forms.Form
    try:
        if action == "contact":
            form = f.ContactForm(request.POST, prefix="c")
            if not form.is_valid():
                return _invalid(request, pathway_id, contact=form)
            services.contact_add(actor=user, pathway_id=pathway_id, reason=reason, **form.cleaned_data)
            messages.success(request, _("The contact is recorded."))
        elif action == "measurement":
            spec = instruments.get_instrument(request.POST.get("instrument", ""))
            pathway = selectors.pathway_detail(actor=user, pathway_id=pathway_id)
            form = f.measurement_form(spec, pathway.programme, request.POST)
            if not form.is_valid():
                return _invalid(request, pathway_id, measurement=form)
            d = form.cleaned_data
            values = {k.removeprefix("item__"): v for k, v in d.items() if k.startswith("item__") and v != ""}
            services.measurement_add(
                actor=user,
                pathway_id=pathway_id,
                instrument=spec.code,
                values=values,
                on=d["on"],
                point_months=d.get("point_months"),
                context={"sex": d["sex"]} if d.get("sex") else {},
                reason=reason,
            )
            messages.success(request, _("The measurement is recorded."))
        elif action == "goal":
            form = f.GoalForm(request.POST, prefix="g")
            if not form.is_valid():
                return _invalid(request, pathway_id, goal=form)
            services.goal_add(
                actor=user, pathway_id=pathway_id, version=version, reason=reason, **form.cleaned_data
            )
            messages.success(request, _("The goal is added to the plan."))
        elif action == "goal_status":
            form = f.GoalStatusForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a status."))
                return redirect("web:pathway", pathway_id=pathway_id)
            services.goal_set_status(
                actor=user,
                goal_id=form.cleaned_data["goal"],
                version=version,
                status=form.cleaned_data["status"],
                reason=reason,
            )
            messages.success(request, _("The goal is updated."))
        elif action == "outcome":
            form = f.OutcomeForm(request.POST, prefix="o")
            if not form.is_valid():
                return _invalid(request, pathway_id, outcome=form)
            services.outcome_add(actor=user, pathway_id=pathway_id, reason=reason, **form.cleaned_data)
            messages.success(request, _("The outcome is recorded."))
        elif action == "extend":
            form = f.ExtendForm(request.POST, prefix="x")
            if not form.is_valid():
                messages.error(request, _("Give the new end date and the reason."))
                return redirect("web:pathway", pathway_id=pathway_id)
            services.pathway_extend(actor=user, pathway_id=pathway_id, version=version, **form.cleaned_data)
            messages.success(request, _("The pathway is extended."))
        elif action == "close":
            form = f.CloseForm(request.POST, prefix="z")
            if not form.is_valid():
                messages.error(request, _("Choose why the pathway ends."))
                return redirect("web:pathway", pathway_id=pathway_id)
            services.pathway_close(
                actor=user,
                pathway_id=pathway_id,
                version=version,
                reason=form.cleaned_data["closure_reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The pathway is closed."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
    return redirect("web:pathway", pathway_id=pathway_id)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _invalid(request: HttpRequest, pathway_id: str, **forms: Any) -> HttpResponse:
    """Show the page again with the form's errors (and what was typed)."""
    try:
        pathway = selectors.pathway_detail(actor=request.user, pathway_id=pathway_id)
    except DomainError as exc:
        return _error(request, exc)
    messages.error(request, _("Check the marked fields."))
    return render(request, "pathways/detail.html", _context(request, pathway, **forms), status=400)


# --- contact requests ---


@otp_required
@require_GET
def self_referral_queue_page(request: HttpRequest) -> HttpResponse:
    if not selectors.worker_unit_ids(request.user):
        return _not_worker(request)
    queue = list(selectors.self_referral_queue(actor=request.user)[:200])
    for record in queue:
        _log_read(request, record)
    programmes = Programme.objects.filter(active=True)
    return render(
        request,
        "pathways/self_referrals.html",
        {
            "queue": queue,
            "programmes": programmes,
            "triage": Pathway.Triage.choices,
            "is_professional": is_professional(request.user),
        },
    )


def _log_read(request: HttpRequest, record: SelfReferral) -> None:
    from hyte.core.personal_log import log_personal_data

    log_personal_data(actor=request.user, action="read", obj=record, purpose="self_referral")


@otp_required
@require_POST
def self_referral_action(request: HttpRequest, self_referral_id: str) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "triage":
            services.self_referral_triage(
                actor=request.user, self_referral_id=self_referral_id, triage=request.POST.get("triage", "")
            )
            messages.success(request, _("The triage is recorded."))
        elif action == "enrol":
            pathway = services.self_referral_enrol(
                actor=request.user,
                self_referral_id=self_referral_id,
                programme=request.POST.get("programme", ""),
            )
            messages.success(request, _("The client is enrolled."))
            return redirect("web:pathway", pathway_id=pathway.pk)
        elif action == "close":
            services.self_referral_close(
                actor=request.user, self_referral_id=self_referral_id, note=request.POST.get("note", "")
            )
            messages.success(request, _("The contact request is closed."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
    return redirect("web:self-referral-queue")


@require_http_methods(["GET", "POST"])
@rate_limited("self_referral")
def self_referral_form_page(request: HttpRequest) -> HttpResponse:
    """Public: a resident asks a counselling service to contact her (no login)."""
    units = Unit.objects.filter(receives_self_referrals=True)
    if not units.exists():
        return render(
            request,
            "web/error.html",
            {"message": _("No service takes contact requests here yet.")},
            status=404,
        )
    form = f.SelfReferralForm(
        request.POST or None, initial={"token": f.form_token(), "preferred_language": request.LANGUAGE_CODE}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.self_referral_submit(
                data=services.SelfReferralData(
                    unit_id=d["unit"].pk,
                    name=d["name"],
                    message=d["message"],
                    phone=d["phone"],
                    email=d["email"],
                    municipality=d["municipality"].pk if d["municipality"] else None,
                    preferred_language=d["preferred_language"],
                ),
                source=client_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.http_status
        else:
            return render(request, "pathways/self_referral_sent.html", {"unit": d["unit"]})
    else:
        status = 400 if request.method == "POST" else 200
    if request.method == "POST":  # a fresh time stamp for the next try
        data = request.POST.copy()
        data["token"] = f.form_token()
        form.data = data
    return render(request, "pathways/self_referral_form.html", {"form": form}, status=status)
