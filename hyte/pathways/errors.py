from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidTransition, NotFoundForUser


class PathwayNotFound(NotFoundForUser):
    code = "pathway_not_found"
    default_message = _("The client pathway was not found.")


class SelfReferralNotFound(NotFoundForUser):
    code = "self_referral_not_found"
    default_message = _("The contact request was not found.")


class StaleVersion(DomainError):
    code = "stale_version"
    http_status = 409
    default_message = _(
        "Someone else changed this plan after you opened it. Reload the page to see the changes, then "
        "make yours again."
    )


class PathwayClosed(InvalidTransition):
    code = "pathway_closed"
    default_message = _("The pathway is closed.")


class ReasonRequired(DomainError):
    code = "reason_required"
    http_status = 400
    default_message = _("Give a reason: the pathway is closed.")


class TooManyRequests(DomainError):
    code = "too_many_requests"
    http_status = 429
    default_message = _("Too many messages were sent from here. Try again in an hour, or call the service.")
