"""Rate limits on the public endpoints that cost something or invite guessing (django-ratelimit).

``@rate_limited("login")`` counts requests per client address (``hyte.core.origin.client_ip``, which
honours the trusted reverse proxies), and with ``by_username=True`` also per username posted; the rate
comes from the setting ``HYTE_RATE_LIMITS[name]`` (environment overridable, see .env.example). Only the
given methods count. Over the limit: 429, a translated error page for pages and a coded JSON error
(``rate_limited``) for the API, never a 500. Counters live in the ``ratelimit`` cache (shared by all
gunicorn workers in production: the database cache, see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from hyte.core.origin import client_ip

F = TypeVar("F", bound=Callable[..., Any])


def _ip(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _username(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("username", "")).strip().lower()[:150]


def _rate(name: str) -> Callable[[str, HttpRequest], str]:
    def rate(group: str, request: HttpRequest) -> str:
        return str(settings.HYTE_RATE_LIMITS[name])

    return rate


def too_many(request: HttpRequest, *, api: bool) -> HttpResponse:
    message = _("Too many requests. Please wait a moment and try again.")
    if api:
        return JsonResponse({"code": "rate_limited", "message": message, "details": {}}, status=429)
    return render(request, "web/error.html", {"message": message}, status=429)


def is_limited(
    request: HttpRequest, name: str, *, by_username: bool = False, methods: tuple[str, ...]
) -> bool:
    keys: list[Callable[[str, HttpRequest], str]] = [_ip]
    if by_username:
        keys.append(_username)
    limited = False
    for key in keys:
        if key is _username and not _username(name, request):
            continue
        # Every key is counted (no short-circuit): a blocked address still counts toward its username.
        limited = (
            is_ratelimited(
                request,
                group=f"hyte.{name}.{key.__name__}",
                key=key,
                rate=_rate(name),
                method=list(methods),
                increment=True,
            )
            or limited
        )
    return limited


def rate_limited(
    name: str, *, methods: tuple[str, ...] = ("POST",), by_username: bool = False, api: bool = False
) -> Callable[[F], F]:
    """Decorate a view function or a class-based view's method (``request`` is the first argument
    that is a request)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            request = next(a for a in args if hasattr(a, "META"))
            if is_limited(request, name, by_username=by_username, methods=methods):
                return too_many(request, api=api)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
