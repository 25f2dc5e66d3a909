"""``user|is_dpo``: whether the navigation shows the data protection page."""

from __future__ import annotations

from typing import Any

from django import template

from hyte.accounts.selectors import is_data_protection_officer

register = template.Library()


@register.filter
def is_dpo(user: Any) -> bool:
    return is_data_protection_officer(user)
