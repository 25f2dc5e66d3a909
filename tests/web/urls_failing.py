"""The site's URL configuration with views that fail, for tests/web/test_server_errors.py."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from hyte.config.urls import urlpatterns as site_urlpatterns


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


def bug(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError


urlpatterns = [
    path("api/v1/gone/", database_gone),
    path("api/v1/bug/", bug),
    path("gone/", database_gone),
    path("bug/", bug),
    *site_urlpatterns,  # the error pages link to the site's own pages
]
handler500 = "hyte.web.views.server_error"
