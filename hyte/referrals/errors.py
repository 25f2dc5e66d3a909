from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidTransition, NotFoundForUser, PermissionDenied


class ReferralNotFound(NotFoundForUser):
    code = "referral_not_found"
    default_message = _("The referral was not found.")


class ConsentMissing(DomainError):
    code = "consent_missing"
    http_status = 422
    default_message = _("The client's consent is needed before the referral can be sent.")


class ConsentWithdrawn(DomainError):
    code = "consent_withdrawn"
    http_status = 409
    default_message = _("The client has withdrawn the consent: the referral can no longer be handled.")


class ReferralTransitionNotAllowed(InvalidTransition):
    code = "referral_transition_not_allowed"


class NotInUnit(PermissionDenied):
    code = "not_in_unit"
    default_message = _("You do not have the role this needs in the unit.")
