"""Pages of the buddies context.

Staff (receivers and unit administrators of the coordinating unit):
- ``buddies_page``: the register of the units' buddies, matching by language, municipality and
  interest, and the pairings of the worker's units;
- ``buddy_new_page`` / ``buddy_edit_page``: the buddy form (and activate/deactivate);
- ``pairing_new_page``: pair the client of a pathway or referral (``?pathway=`` / ``?referral=``,
  opaque ids) with a buddy, recording what the client agreed to share;
- ``pairing_page``: a pairing with its meetings (dates and activities), and ending it.
The buddy:
- ``my_pairings_page``: her own pairings (first name and agreed contact only) and a meeting form;
- ``meeting_edit_page`` / ``meeting_delete``: correct or delete her own meeting for a short while.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hyte.accounts.models import Unit
from hyte.buddies import forms, selectors, services
from hyte.buddies.models import Pairing
from hyte.core.errors import DomainError
from hyte.core.personal_log import log_personal_data


def _error(request: HttpRequest, message: Any, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"message": message}, status=status)


def _form_error(form: Any, exc: DomainError) -> None:
    name = exc.details.get("field")
    if name in form.fields and not form.fields[name].widget.is_hidden:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    if not selectors.is_buddy_staff(request.user):
        return _error(request, _("Buddies are managed by the workers of the coordinating units."), 403)
    return None


@otp_required
@require_GET
def buddies_page(request: HttpRequest) -> HttpResponse:
    if (denied := _staff_only(request)) is not None:
        return denied
    match_form = forms.MatchForm(request.GET or None)
    matches = None
    if request.GET and match_form.is_valid():
        d = match_form.cleaned_data
        matches = selectors.buddy_matches(
            actor=request.user,
            language=d["language"].code if d["language"] else "",
            municipality=d["municipality"].pk if d["municipality"] else "",
            themes=[t.slug for t in d["theme"]],
        )
    pairings = list(selectors.pairing_list(request.user)[:200])
    for pairing in pairings:
        log_personal_data(actor=request.user, action="read", obj=pairing, purpose=services.PURPOSE)
    return render(
        request,
        "buddies/buddies.html",
        {
            "buddies": selectors.buddy_register_list(request.user),
            "match_form": match_form,
            "matches": matches,
            "pairings": pairings,
            "is_worker": bool(selectors.worker_unit_ids(request.user)),
        },
    )


def _buddy_data(d: dict[str, Any]) -> services.BuddyData:
    return services.BuddyData(
        name=d["name"],
        kind=d["kind"],
        unit_id=d["unit"].pk,
        languages=[lang.code for lang in d["languages"]],
        municipality=d["municipality"].pk if d["municipality"] else None,
        interests=[t.slug for t in d["interests"]],
        tags=d["tags"],
        training_completed_on=d["training_completed_on"],
        available_from=d["available_from"],
        available_until=d["available_until"],
    )


@otp_required
@require_http_methods(["GET", "POST"])
def buddy_new_page(request: HttpRequest) -> HttpResponse:
    if (denied := _staff_only(request)) is not None:
        return denied
    form = forms.BuddyRegisterForm(request.POST or None)
    form.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
        pk__in=services.staff_unit_ids(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            buddy, password = services.buddy_register(
                actor=request.user,
                data=_buddy_data(form.cleaned_data),
                username=form.cleaned_data["username"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            # Shown once, on this response only (not in a message or the URL), and not stored by the browser.
            response = render(request, "buddies/registered.html", {"buddy": buddy, "password": password})
            patch_cache_control(response, no_store=True)
            return response
    return render(request, "buddies/buddy_form.html", {"form": form, "buddy": None})


@otp_required
@require_http_methods(["GET", "POST"])
def buddy_edit_page(request: HttpRequest, buddy_id: uuid.UUID) -> HttpResponse:
    if (denied := _staff_only(request)) is not None:
        return denied
    buddy = selectors.buddy_for_staff(request.user, buddy_id)
    if buddy is None:
        return _error(request, _("The buddy was not found among your units' buddies."), 404)
    initial = {
        "name": buddy.name,
        "kind": buddy.kind,
        "unit": buddy.unit_id,
        "languages": list(buddy.languages.all()),
        "municipality": buddy.municipality_id,
        "interests": list(buddy.interests.all()),
        "tags": buddy.tags,
        "training_completed_on": buddy.training_completed_on,
        "available_from": buddy.available_from,
        "available_until": buddy.available_until,
    }
    form = forms.BuddyForm(request.POST or None, initial=initial)
    form.fields["unit"].queryset = Unit.objects.filter(pk=buddy.unit_id)  # type: ignore[attr-defined]
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.buddy_update(actor=request.user, buddy_id=buddy.pk, data=_buddy_data(form.cleaned_data))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The buddy's details are saved."))
            return redirect("web:buddies")
    return render(request, "buddies/buddy_form.html", {"form": form, "buddy": buddy})


@require_POST
@otp_required
def buddy_active(request: HttpRequest, buddy_id: uuid.UUID) -> HttpResponse:
    try:
        buddy = services.buddy_set_active(
            actor=request.user, buddy_id=buddy_id, active=request.POST.get("active") == "1"
        )
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc.message, 404)
        messages.error(request, str(exc.message))
        return redirect("web:buddy", buddy_id=buddy_id)
    messages.success(
        request, _("The buddy is active.") if buddy.active else _("The buddy is no longer active.")
    )
    return redirect("web:buddies")


def _source(request: HttpRequest) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else request.GET
    source: dict[str, Any] = {}
    for name in ("pathway", "referral"):
        try:
            source[name] = uuid.UUID(data.get(name) or "")
        except ValueError:
            continue
    return source


@otp_required
@require_http_methods(["GET", "POST"])
def pairing_new_page(request: HttpRequest) -> HttpResponse:
    """Pair the client of a pathway or referral with a buddy of the worker's units."""
    from hyte.pathways.selectors import pathway_detail
    from hyte.referrals.selectors import referral_detail

    source = _source(request)
    try:
        if "pathway" in source:
            client = pathway_detail(actor=request.user, pathway_id=source["pathway"]).client
        elif "referral" in source:
            client = referral_detail(
                actor=request.user, referral_id=source["referral"], purpose=services.PURPOSE
            ).client
        else:
            return _error(request, _("Open the pairing from the client's pathway or referral."), 400)
    except DomainError as exc:
        return _error(request, exc.message, exc.http_status)
    today = timezone.localdate()
    matches = selectors.buddy_matches(
        actor=request.user,
        language=client.preferred_language,
        municipality=client.municipality_id or "",
    )
    choices = [("", _("Choose a buddy"))] + [(str(m.buddy.pk), m.buddy.name) for m in matches]
    initial = {"starts_on": today, "ends_on": services.max_end(today), **source}
    form = forms.PairingForm(request.POST or None, initial=initial, buddies=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pairing = services.pairing_create(
                actor=request.user,
                data=services.PairingData(
                    buddy_id=d["buddy"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    consent_given_by=d["consent_given_by"],
                    consent_method=d["consent_method"],
                    pathway_id=d["pathway"],
                    referral_id=d["referral"],
                    shared_phone=d["shared_phone"],
                    shared_email=d["shared_email"],
                ),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The client is paired with the buddy."))
            return redirect("web:buddy-pairing", pairing_id=pairing.pk)
    return render(
        request,
        "buddies/pairing_form.html",
        {"form": form, "first_name": client.first_name, "matches": matches},
    )


@otp_required
@require_http_methods(["GET", "POST"])
def pairing_page(request: HttpRequest, pairing_id: uuid.UUID) -> HttpResponse:
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_end(
                actor=request.user,
                pairing_id=pairing_id,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                cancel=form.cleaned_data["cancel"],
            )
        except DomainError as exc:
            if exc.http_status == 404:
                return _error(request, exc.message, 404)
            _form_error(form, exc)
        else:
            messages.success(request, _("The pairing is closed."))
            return redirect("web:buddy-pairing", pairing_id=pairing_id)
    try:
        pairing = selectors.pairing_detail(actor=request.user, pairing_id=pairing_id)
    except DomainError as exc:
        return _error(request, exc.message, exc.http_status)
    meetings = list(selectors.meetings_of(pairing))
    return render(
        request,
        "buddies/pairing.html",
        {
            "pairing": pairing,
            "meetings": meetings,
            "form": form,
            "active": pairing.status == Pairing.Status.ACTIVE,
        },
    )


def _meeting_data(d: dict[str, Any]) -> services.MeetingData:
    return services.MeetingData(
        on=d["on"], activity=d["activity"], note=d["note"], duration_minutes=d["duration_minutes"]
    )


@otp_required
@require_http_methods(["GET", "POST"])
def my_pairings_page(request: HttpRequest) -> HttpResponse:
    """The buddy's own page: her pairings (first name and agreed contact only) and a meeting form."""
    buddy = selectors.buddy_of(request.user)
    if buddy is None:
        return _error(request, _("This page is for buddies."), 403)
    pairings = selectors.my_pairings(actor=request.user)
    active = [
        (str(p.id), f"{p.first_name} ({p.starts_on:%d.%m.%Y}–{p.ends_on:%d.%m.%Y})")
        for p in pairings
        if p.active
    ]
    form = forms.NewMeetingForm(request.POST or None, initial={"on": timezone.localdate()}, pairings=active)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                actor=request.user,
                pairing_id=form.cleaned_data["pairing"],
                data=_meeting_data(form.cleaned_data),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The meeting is recorded. Thank you!"))
            return redirect("web:my-buddy")
    return render(
        request,
        "buddies/mine.html",
        {
            "buddy": buddy,
            "pairings": pairings,
            "form": form,
            "has_active": bool(active),
            "editable": _editable(request, pairings),
        },
    )


def _editable(request: HttpRequest, pairings: list[selectors.BuddyPairingView]) -> set[Any]:
    from datetime import timedelta

    from django.conf import settings

    since = timezone.now() - timedelta(hours=settings.HYTE_BUDDY_MEETING_EDIT_HOURS)
    return {
        m.pk
        for p in pairings
        for m in p.meetings
        if m.recorded_by_id == request.user.pk and m.recorded_at >= since
    }


@otp_required
@require_http_methods(["GET", "POST"])
def meeting_edit_page(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    if selectors.buddy_of(request.user) is None:
        return _error(request, _("This page is for buddies."), 403)
    meeting = selectors.own_meeting(actor=request.user, meeting_id=meeting_id)
    if meeting is None:
        return _error(request, _("The meeting was not found."), 404)
    initial = {
        "on": meeting.on,
        "activity": meeting.activity,
        "note": meeting.note,
        "duration_minutes": meeting.duration_minutes,
    }
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user, meeting_id=meeting_id, data=_meeting_data(form.cleaned_data)
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("web:my-buddy")
    return render(request, "buddies/meeting_form.html", {"form": form, "meeting": meeting})


@require_POST
@otp_required
def meeting_delete(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    try:
        services.meeting_delete(actor=request.user, meeting_id=meeting_id)
    except DomainError as exc:
        if exc.http_status == 404:
            return _error(request, exc.message, 404)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The meeting is deleted."))
    return redirect("web:my-buddy")
