"""What every page module shares: a coded domain error shown as the site's error page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hyte.core.errors import DomainError


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The error's translated message on ``web/error.html``, with the error's HTTP status."""
    return render(request, "web/error.html", {"message": exc.message}, status=exc.http_status)
