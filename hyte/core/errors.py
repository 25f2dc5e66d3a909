"""Coded domain errors.

Every error a user can meet has a stable ``code`` (for programs), a translated ``message``
(for people) and an HTTP status. Views and the API render them in one place each.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    http_status = 400
    default_message: str | Promise = _("The request could not be handled.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.details = details or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class InvalidParameter(DomainError):
    """A query parameter or input field has a value we cannot use (400)."""

    code = "invalid_parameter"
    http_status = 400
    default_message = _("A parameter has an invalid value.")


class NotFoundForUser(DomainError):
    """The object does not exist *for this user*; never reveals that another unit's record exists."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = _("You do not have permission to do this.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409
    default_message = _("This change is not allowed in the current state.")
