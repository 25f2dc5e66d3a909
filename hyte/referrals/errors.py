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


class ReceiverFull(DomainError):
    """Sending to a unit or service that says it takes no new clients needs an explicit confirmation."""

    code = "receiver_not_taking_clients"
    http_status = 409
    default_message = _(
        "The receiving unit or service says it takes no new clients now. Confirm that you want to send "
        "the referral anyway."
    )
