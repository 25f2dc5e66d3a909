from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidParameter, NotFoundForUser


class InvalidSearchParameter(InvalidParameter):
    code = "invalid_search_parameter"
    default_message = _("A search parameter has an invalid value.")


class InvalidPage(InvalidParameter):
    code = "invalid_page"
    default_message = _("The page number is not valid.")


class MalformedId(InvalidParameter):
    code = "malformed_id"
    default_message = _("The identifier is malformed.")


class ServiceNotFound(NotFoundForUser):
    code = "service_not_found"
    default_message = _("No such service.")


class OrganizationNotFound(NotFoundForUser):
    code = "organization_not_found"
    default_message = _("No such organization.")


class CapacityOutOfRange(InvalidParameter):
    code = "capacity_out_of_range"
    default_message = _("A capacity value is out of range.")


class CapacityNotANumber(InvalidParameter):
    code = "capacity_not_a_number"
    default_message = _("Give a whole number, without decimals.")


class CapacityInconsistent(InvalidParameter):
    code = "capacity_inconsistent"
    default_message = _("The capacity values contradict each other.")


class MergeRefused(DomainError):
    code = "merge_refused"
    http_status = 409
    default_message = _("These services cannot be merged.")


class CandidateNotFound(NotFoundForUser):
    code = "candidate_not_found"
    default_message = _("No such pair of possible duplicates.")
