from __future__ import annotations

from typing import Any

from django import template
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def lang_url(context: dict[str, Any], code: str) -> str:
    """The current page in another language (translated path, same query string)."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), code)


@register.filter
def in_language(value: Any, code: str) -> str:
    """Translated field of a model in a given language: {{ service|in_language:'fi' }} -> name_fi."""
    with translation.override(code):
        return str(value)


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], qs: str | None) -> str:
    return f"?{qs}" if qs else "?"
