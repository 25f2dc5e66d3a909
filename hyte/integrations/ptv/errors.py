from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError


class PtvRecordError(DomainError):
    """One PTV record cannot be imported; the record is skipped and the rest of the batch goes on."""

    code = "ptv_record_invalid"
    default_message = _("The PTV record is not valid.")

    def __init__(self, record_id: str, reason: str) -> None:
        super().__init__(reason, details={"id": record_id})
        self.record_id = record_id
        self.reason = reason


class PtvFetchError(DomainError):
    """The PTV source could not be read (network, HTTP status, broken page)."""

    code = "ptv_fetch_failed"
    http_status = 502
    default_message = _("The PTV source could not be read.")
