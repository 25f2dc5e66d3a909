"""The data protection officer's page (``/henkilosto/tietosuoja/``).

GET shows the look-up form. Every other step is a POST naming the client in its body (a henkilötunnus
or the client's id, never in the URL): ``find`` shows the client's data, record counts and correction
history; ``export`` downloads the JSON export; ``correct`` corrects her personal data with a reason;
``erase`` erases what may be erased. Responses are not cached.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.decorators import otp_required

from hyte.core.errors import DomainError
from hyte.core.personal_log import log_personal_data
from hyte.privacy import forms, records, selectors, services
from hyte.privacy.errors import NotDataProtectionOfficer
from hyte.referrals.models import Client

PURPOSE = "data_protection"


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)


def _initial(client: Client) -> dict[str, Any]:
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "personal_identity_code": selectors.personal_identity_code(client),
        "birth_year": client.birth_year,
        "email": client.email,
        "phone": client.phone,
        "preferred_language": client.preferred_language,
        "municipality": client.municipality_id,
    }


def _client_page(
    request: HttpRequest,
    client: Client,
    *,
    correction_form: forms.CorrectionForm | None = None,
    erasure_form: forms.ErasureForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    log_personal_data(actor=request.user, action="read", obj=client, purpose=PURPOSE)
    context = {
        "client": client,
        "hetu": selectors.personal_identity_code(client),
        "counts": selectors.record_counts(client),
        "history": selectors.correction_history(client),
        "correction_form": correction_form or forms.CorrectionForm(initial=_initial(client)),
        "erasure_form": erasure_form or forms.ErasureForm(),
        "error": error,
        "kept": [
            (records.BY_KEY[key].label, count)
            for key, count in (error.details.get("record_types", {}) if error else {}).items()
        ],
    }
    return render(request, "privacy/client.html", context, status=status)


@otp_required
@require_http_methods(["GET", "POST"])
def privacy_page(request: HttpRequest) -> HttpResponse:
    response = _privacy_page(request)
    add_never_cache_headers(response)
    return response


def _privacy_page(request: HttpRequest) -> HttpResponse:
    if not selectors.dpo_organization_ids(request.user):
        return _error(request, NotDataProtectionOfficer())
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "find":
        form = forms.LookupForm(request.POST)
        if not form.is_valid():
            return render(request, "privacy/privacy.html", {"form": form}, status=400)
        try:
            client = selectors.client_for_officer(
                actor=request.user,
                client_id=form.cleaned_data["client_id"],
                personal_identity_code=form.cleaned_data["personal_identity_code"],
            )
        except DomainError as exc:
            if exc.http_status == 400:
                form.add_error("personal_identity_code", str(exc.message))
            else:
                form.add_error(None, str(exc.message))
            return render(request, "privacy/privacy.html", {"form": form}, status=exc.http_status)
        return _client_page(request, client)
    if action in {"export", "correct", "erase"}:
        client_id = request.POST.get("client_id", "")
        try:
            client = selectors.client_for_officer(actor=request.user, client_id=client_id)
        except DomainError as exc:
            return _error(request, exc)
        return ACTIONS[action](request, client)
    return render(request, "privacy/privacy.html", {"form": forms.LookupForm()})


def _export(request: HttpRequest, client: Client) -> HttpResponse:
    try:
        data = services.client_export(actor=request.user, client_id=client.pk)
    except DomainError as exc:
        return _error(request, exc)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="hyte-client-{client.pk}.json"'
    return response


def _correct(request: HttpRequest, client: Client) -> HttpResponse:
    initial = _initial(client)
    form = forms.CorrectionForm(request.POST, initial=initial)
    if not form.is_valid():
        return _client_page(request, client, correction_form=form, status=400)
    try:
        client = services.client_correct(
            actor=request.user,
            client_id=client.pk,
            changes=form.changes(initial),
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        name = exc.details.get("field")
        if name in form.fields:
            form.add_error(name, str(exc.message))
        else:
            form.add_error(None, str(exc.message))
        return _client_page(request, client, correction_form=form, status=exc.http_status)
    messages.success(request, _("The client's data was corrected and the old values kept in the history."))
    return _client_page(request, client)


def _erase(request: HttpRequest, client: Client) -> HttpResponse:
    form = forms.ErasureForm(request.POST)
    if not form.is_valid():
        return _client_page(request, client, erasure_form=form, status=400)
    try:
        services.client_erase(actor=request.user, client_id=client.pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _client_page(request, client, erasure_form=form, error=exc, status=exc.http_status)
    messages.success(request, _("The client's data was erased. Statistics keep only the pseudonym."))
    client.refresh_from_db()
    return _client_page(request, client)


ACTIONS = {"export": _export, "correct": _correct, "erase": _erase}
