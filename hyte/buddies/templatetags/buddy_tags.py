"""``user|is_buddy`` and ``user|is_buddy_staff``: which buddy links the navigation shows."""

from __future__ import annotations

from typing import Any

from django import template

from hyte.buddies import selectors

register = template.Library()


@register.filter
def is_buddy(user: Any) -> bool:
    return selectors.buddy_of(user) is not None


@register.filter
def is_buddy_staff(user: Any) -> bool:
    return selectors.is_buddy_staff(user)
