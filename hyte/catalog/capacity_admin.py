"""The admin shows a service's or unit's capacity read-only, with a link to its staff page
(``web:service-capacity`` / ``web:unit-capacity``), whose service checks the values and writes the audit
entry. A read-only field rather than an inline, so the admin's change forms post nothing new."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


def capacity_display(obj: Any, url_name: str) -> SafeString | str:
    if obj is None or obj.pk is None:
        return "–"
    summary = render_to_string("catalog/_capacity.html", {"capacity": getattr(obj, "capacity", None)})
    url = reverse(url_name, args=[obj.pk])
    return format_html('{} <a href="{}">{}</a>', SafeString(summary.strip()), url, _("Update"))
