"""Pages of the three jobs: write a referral, the receiving unit's work queue, the referrer's "my
referrals", and one referral with the changes the user may make."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.catalog.models import Service
from hyte.core.errors import DomainError
from hyte.core.views import error_page as _error
from hyte.pathways import services as pathway_services
from hyte.referrals import selectors, services
from hyte.referrals.errors import ReceiverFull
from hyte.referrals.figures import is_coordinator, parse_period, referral_figures
from hyte.referrals.forms import AppointmentForm, CompleteForm, DeclineForm, DiscontinueForm, ReferralForm
from hyte.referrals.models import Referral

ACTION_LABELS = {
    "send": gettext_lazy("Send"),
    "receive": gettext_lazy("Mark received"),
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "first_contact": gettext_lazy("First contact made"),
    "start": gettext_lazy("Start working together"),
    "complete": gettext_lazy("Complete"),
    "discontinue": gettext_lazy("Discontinue"),
    "cancel": gettext_lazy("Cancel the referral"),
}
FORMS: dict[str, Any] = {"decline": DeclineForm, "complete": CompleteForm, "discontinue": DiscontinueForm}


@otp_required
@require_GET
def referral_list_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("status") or None
    if state not in (None, *Referral.Status.values):
        state = None
    overdue = request.GET.get("overdue") == "1"
    received = list(selectors.referral_queue(actor=request.user, status=state, overdue_only=overdue)[:200])
    sent = list(selectors.referrals_sent(actor=request.user)[:200])
    for referral in [*received, *sent]:
        referral.overdue = selectors.is_overdue(referral)  # type: ignore[attr-defined]
    return render(
        request,
        "referrals/list.html",
        {
            "received": received,
            "sent": sent,
            "is_receiver": selectors.is_receiver(request.user),
            "is_professional": selectors.is_professional(request.user),
            "is_coordinator": is_coordinator(request.user),
            "statuses": Referral.Status.choices,
            "status": state or "",
            "overdue": overdue,
        },
    )


@otp_required
@require_http_methods(["GET", "POST"])
def referral_new_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_professional(request.user):
        return render(
            request, "web/error.html", {"message": _("Only professionals send referrals.")}, status=403
        )
    service = None
    service_id = request.GET.get("service") or request.POST.get("service") or ""
    try:
        service = Service.objects.filter(pk=uuid.UUID(service_id), status=Service.Status.ACTIVE).first()
    except ValueError:
        service = None
    # A resident's contact request (red in the triage) that the worker refers onward: her details come
    # from the request, which is marked referred onward.
    contact_request = _contact_request(request)
    if request.method == "POST":
        form = ReferralForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            values: dict[str, Any] = {
                "referring_unit_id": d["referring_unit"].pk,
                "receiving_unit_id": d["receiving_unit"].pk,
                "kind": d["kind"],
                "service_id": service.pk if service else None,
                "consent": services.ConsentData(
                    given_by=d["consent_given_by"], method=d["consent_method"], scope=d["consent_scope"]
                ),
                "reason": d["reason"],
                "goals": d["goals"],
                "needs": [t.pk for t in d["needs"]],
                "activity_level": d["activity_level"],
                "risk_notes": d["risk_notes"],
                "urgency": d["urgency"],
                "idempotency_key": d["idempotency_key"],
                "capacity_confirmed": d["capacity_confirmed"],
            }
            client = form.client_data()
            try:
                if contact_request is not None:
                    referral = pathway_services.self_referral_refer(
                        actor=request.user, self_referral_id=contact_request.pk, client=client, **values
                    )
                else:
                    referral = services.referral_create(actor=request.user, client=client, **values)
            except ReceiverFull as exc:
                form.add_error("capacity_confirmed", str(exc.message))
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request, _("The referral was sent to %(unit)s.") % {"unit": referral.receiving_unit}
                )
                return redirect("web:referral", referral_id=referral.pk)
    else:
        needs = [t.pk for t in service.themes.all()] if service else []
        initial: dict[str, Any] = {
            "idempotency_key": uuid.uuid4().hex,
            "needs": needs,
            "service": service.pk if service else "",
        }
        if contact_request is not None:
            first, _sep, last = contact_request.name.partition(" ")
            initial |= {
                "first_name": first,
                "last_name": last,
                "phone": contact_request.phone,
                "email": contact_request.email,
                "preferred_language": contact_request.preferred_language,
                "reason": contact_request.message,
            }
        form = ReferralForm(user=request.user, initial=initial)
    unit_id = (
        request.POST.get("receiving_unit") if request.method == "POST" else form["receiving_unit"].value()
    )
    capacity = selectors.receiver_capacity(unit_id=unit_id, service_id=service.pk if service else None)
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "service": service,
            "contact_request": contact_request,
            "capacity": capacity,
            "capacity_errors": form.errors.get("capacity_confirmed", []),
            "capacity_confirmed": bool(form.is_bound and form.data.get("capacity_confirmed")),
        },
    )


@otp_required
@require_GET
def receiver_capacity_fragment(request: HttpRequest) -> HttpResponse:
    """The capacity panel of the referral form for the chosen receiving unit and service (htmx)."""
    if not selectors.is_professional(request.user):
        raise Http404
    capacity = selectors.receiver_capacity(
        unit_id=request.GET.get("receiving_unit", "")[:64] or None,
        service_id=request.GET.get("service", "")[:64] or None,
    )
    return render(request, "referrals/_capacity.html", {"capacity": capacity})


def _contact_request(request: HttpRequest) -> Any:
    """The contact request named by ``?contact_request=`` that the user may handle, or None."""
    from hyte.pathways.selectors import self_referral_queue

    value = request.GET.get("contact_request") or request.POST.get("contact_request") or ""
    try:
        return self_referral_queue(actor=request.user).filter(pk=uuid.UUID(value)).first()
    except ValueError:
        return None


@otp_required
@require_GET
def referral_page(request: HttpRequest, referral_id: str) -> HttpResponse:
    try:
        referral = selectors.referral_detail(actor=request.user, referral_id=referral_id)
    except DomainError as exc:
        return _error(request, exc)
    actions = selectors.available_actions(actor=request.user, referral=referral)
    buttons = [(a, ACTION_LABELS[a], FORMS[a](prefix=a) if a in FORMS else None) for a in actions]
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "buttons": buttons,
            "history": referral.events.select_related("actor"),
            "overdue": selectors.is_overdue(referral),
            "appointment_form": AppointmentForm(
                prefix="appointment",
                initial={"place": referral.appointment_place, "at": referral.appointment_at},
            )
            if selectors.may_book_appointment(actor=request.user, referral=referral)
            else None,
            "is_receiving_worker": selectors.may_book_appointment(actor=request.user, referral=referral),
            "send_capacity": selectors.receiver_capacity(
                unit_id=referral.receiving_unit_id, service_id=referral.service_id
            )
            if "send" in actions
            else None,
            "may_withdraw_consent": referral.status in services.OPEN
            and hasattr(referral, "consent")
            and referral.consent.active,
        },
    )


@otp_required
@require_POST
def referral_action(request: HttpRequest, referral_id: str) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "withdraw_consent":
            services.consent_withdraw(actor=request.user, referral_id=referral_id)
            messages.success(request, _("The withdrawal of consent is recorded; the referral is closed."))
            return redirect("web:referrals")
        if action == "appointment":
            form = AppointmentForm(request.POST, prefix="appointment")
            if not form.is_valid():
                messages.error(request, _("Give the time of the appointment."))
                return redirect("web:referral", referral_id=referral_id)
            services.referral_set_appointment(
                actor=request.user,
                referral_id=referral_id,
                at=form.cleaned_data["at"],
                place=form.cleaned_data["place"],
            )
            messages.success(
                request, _("The appointment is booked; the client gets an SMS reminder the day before.")
            )
            return redirect("web:referral", referral_id=referral_id)
        fields: dict[str, Any] = {}
        if action in FORMS:
            form = FORMS[action](request.POST, prefix=action)
            if not form.is_valid():
                messages.error(request, _("Fill in the reason before you continue."))
                return redirect("web:referral", referral_id=referral_id)
            fields = {k: v for k, v in form.cleaned_data.items() if v != ""}
        if action == "send":
            fields["capacity_confirmed"] = bool(request.POST.get("capacity_confirmed"))
        referral = services.referral_transition(
            actor=request.user, referral_id=referral_id, action=action, **fields
        )
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc)
        messages.error(request, str(exc.message))
        return redirect("web:referral", referral_id=referral_id)
    messages.success(request, _("Saved: %(status)s.") % {"status": referral.get_status_display()})
    return redirect("web:referral", referral_id=referral.pk)


@otp_required
@require_GET
def referral_figures_page(request: HttpRequest) -> HttpResponse:
    """The coordinator's aggregate figures; for anyone else the page does not exist."""
    if not is_coordinator(request.user):
        raise Http404
    context: dict[str, Any] = {
        "since": request.GET.get("since", "")[:10],
        "until": request.GET.get("until", "")[:10],
    }
    try:
        since, until = parse_period(request.GET)
    except DomainError as exc:
        return render(request, "referrals/figures.html", context | {"error": exc}, status=exc.http_status)
    figures = referral_figures(actor=request.user, since=since, until=until)
    return render(request, "referrals/figures.html", context | {"figures": figures})
