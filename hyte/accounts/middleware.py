"""``request.user.is_verified()`` for every request: django-otp's device from the session, or an
OpenID Connect login whose identity provider did multi-factor authentication."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_otp.middleware import OTPMiddleware

from hyte.accounts.oidc import MFA_SESSION_KEY


class TwoFactorMiddleware(OTPMiddleware):
    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated and user.otp_device is None and request.session.get(MFA_SESSION_KEY):
            user.is_verified = lambda: True
        return user
