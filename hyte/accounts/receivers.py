"""Signal receivers of the accounts context."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from hyte.accounts import services


@receiver(user_logged_in, dispatch_uid="hyte.accounts.remember_language")
def remember_language(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A staff user's notices come in the language she logs in with (the address's /sv/ or /en/): the
    login request's language as ``LocaleMiddleware`` decided it. A login without a request through the
    middleware (``Client.force_login`` in tests, a shell) leaves the remembered language as it is."""
    language = getattr(request, "LANGUAGE_CODE", "")
    if language:
        services.staff_language_remember(user=user, language=language)
