"""Coded errors for bad HSDS input: records and files to import, parameters of the HSDS API."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidParameter, NotFoundForUser


class HsdsRecordError(DomainError):
    """One HSDS record cannot be imported; it is reported with its id and skipped, the rest go on."""

    code = "hsds_record_invalid"
    default_message = _("The HSDS record is not valid.")

    def __init__(self, record_id: str, reason: str | Promise, *, kind: str = "service") -> None:
        super().__init__(reason, details={"id": record_id, "kind": kind})
        self.record_id = record_id
        self.kind = kind
        self.reason = str(reason)


class HsdsFileError(DomainError):
    """A whole file cannot be read (not JSON, not UTF-8, not an HSDS shape); the other files go on."""

    code = "hsds_file_invalid"
    default_message = _("The HSDS file cannot be read.")

    def __init__(self, path: str, reason: str | Promise) -> None:
        super().__init__(reason, details={"path": path})
        self.path = path
        self.reason = str(reason)


class HsdsInvalidParameter(InvalidParameter):
    """A query parameter of the HSDS API has a value we cannot use (400)."""

    code = "invalid_hsds_parameter"
    default_message = _("A parameter has an invalid value.")


class TaxonomyNotFound(NotFoundForUser):
    code = "taxonomy_not_found"
    default_message = _("No such taxonomy.")


class TaxonomyTermNotFound(NotFoundForUser):
    code = "taxonomy_term_not_found"
    default_message = _("No such taxonomy term.")


class ServiceAtLocationNotFound(NotFoundForUser):
    code = "service_at_location_not_found"
    default_message = _("No such service at location.")
