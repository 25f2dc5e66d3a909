"""The data protection page, inside the pages' ``web`` namespace. No ids or codes in the URLs: the
client is named in the body of a POST."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.privacy import views

web_urlpatterns: list[URLPattern | URLResolver] = [
    path(_("staff/data-protection/"), views.privacy_page, name="privacy"),
]
