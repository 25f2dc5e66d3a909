"""``{% load reporting_tags %}``: ``user|is_reporter`` shows the link to the reports to coordinators only."""

from __future__ import annotations

from typing import Any

from django import template

from hyte.reporting.filters import is_reporter as _is_reporter

register = template.Library()


@register.filter
def is_reporter(user: Any) -> bool:
    return bool(user is not None and _is_reporter(user))
