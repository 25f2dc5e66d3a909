"""OpenID Connect login against the county's identity provider (mozilla-django-oidc), enabled when
``OIDC_RP_CLIENT_ID`` is set. Users are matched by e-mail and never created here: the county's unit
admins create staff accounts and roles. A session counts as two-factor verified when the provider's
``amr`` claim names a multi-factor method (RFC 8176: ``mfa``, ``otp``, ``hwk``, ``sms``...)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

MFA_SESSION_KEY = "hyte_mfa_by_identity_provider"
MFA_METHODS = {"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "sc"}


class CountyOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims: dict[str, Any]) -> Any:
        return None  # no account, no login: staff accounts are created by unit admins

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not super().verify_claims(claims):
            return False
        methods = set(claims.get("amr") or [])
        if self.request is not None and hasattr(self.request, "session"):
            self.request.session[MFA_SESSION_KEY] = bool(methods & MFA_METHODS)
        return not settings.HYTE_OIDC_REQUIRE_MFA or bool(methods & MFA_METHODS)
