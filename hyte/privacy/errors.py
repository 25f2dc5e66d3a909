from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, NotFoundForUser, PermissionDenied


class NotDataProtectionOfficer(PermissionDenied):
    code = "not_data_protection_officer"
    default_message = _("Only a data protection officer may do this.")


class ClientNotFound(NotFoundForUser):
    code = "client_not_found"
    default_message = _("No client with these details was found in the data of your organizations.")


class RetentionNotExpired(DomainError):
    code = "retention_not_expired"
    http_status = 409
    default_message = _(
        "Some of the client's records are still within their retention period and may not be erased yet."
    )


class HetuInUse(DomainError):
    code = "hetu_in_use"
    http_status = 409
    default_message = _("Another client already has this personal identity code.")


class NothingToCorrect(DomainError):
    code = "nothing_to_correct"
    http_status = 400
    default_message = _("The new values are the same as the old ones: nothing was corrected.")
