"""One DRF exception handler: every error is ``{"code", "message", "details"}`` in the request's language."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hyte.core.errors import DomainError

logger = logging.getLogger(__name__)


def _drf_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return "invalid" if isinstance(exc, exceptions.ValidationError) else "error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        return Response(
            {"code": "not_found", "message": _("Not found."), "details": {}}, status=status.HTTP_404_NOT_FOUND
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        message = _("The request has invalid values.")
        details = response.data if isinstance(response.data, dict) else {"errors": response.data}
    else:
        assert isinstance(exc, exceptions.APIException)
        message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else _("The request failed.")
        details = {}
    response.data = {
        "code": _drf_code(exc) if isinstance(exc, exceptions.APIException) else "error",
        "message": message,
        "details": details,
    }
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's parser (``[[[[…``) answered as a
    parse error (400) like any other malformed JSON, instead of a RecursionError (500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The body is not valid JSON.")) from None
