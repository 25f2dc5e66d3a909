"""Staff login: password (locked out after repeated failures by django-axes), then a TOTP code
(django-otp). A user without an authenticator app enrols one on first login. Pages and API calls with
personal data, and the admin, require a verified (two-factor) session; an OpenID Connect login counts
as verified when the identity provider says it used multi-factor authentication."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from hyte.core.ratelimit import rate_limited

ISSUER = "HYTE"


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(**kwargs) | {"oidc_enabled": bool(settings.OIDC_RP_CLIENT_ID)}

    @rate_limited("login", by_username=True)
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return reverse("web:login-verify") + "?" + urlencode({"next": _next(self.request)})


@login_required
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """The second factor: a code from a confirmed authenticator, or enrolment of the first one."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    form = TokenForm(request.POST or None)
    if confirmed:
        if request.method == "POST" and form.is_valid():
            device = match_token(request.user, form.cleaned_data["otp_token"].strip())
            if device is not None:
                otp_login(request, device)
                return redirect(_next(request))
            form.add_error(
                "otp_token", _("The code is not valid. Check the time on your phone and try again.")
            )
        return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("otp_token", _("The code is not valid. Check the time on your phone and try again."))
    url = device.config_url.replace("otpauth://totp/", f"otpauth://totp/{ISSUER}:", 1)
    qr = segno.make(url, error="m").svg_inline(scale=4, title=str(_("QR code for the authenticator app")))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request, "accounts/enrol.html", {"form": form, "qr": qr, "secret": secret, "next": _next(request)}
    )
