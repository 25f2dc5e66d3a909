from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidTransition, NotFoundForUser, PermissionDenied


class PlanNotFound(NotFoundForUser):
    code = "plan_not_found"
    default_message = _("The client plan was not found.")


class ClientNotFound(NotFoundForUser):
    code = "client_not_found"
    default_message = _("The client was not found.")


class NotPlanWorker(PermissionDenied):
    code = "not_plan_worker"
    default_message = _("Client plans are for the social workers and other professionals of a unit.")


class PlanClosed(InvalidTransition):
    code = "plan_closed"
    default_message = _("The client plan is closed and can no longer be changed.")


class StaleVersion(DomainError):
    code = "stale_version"
    http_status = 409
    default_message = _(
        "Someone else changed this plan after you opened it. Reload the page to see the changes, then "
        "make yours again."
    )


class ServiceNotAvailable(DomainError):
    code = "service_not_available"
    http_status = 422
    default_message = _("This service is not in the tray (withdrawn or not published). Choose another one.")


class EventNotAvailable(DomainError):
    code = "event_not_available"
    http_status = 422
    default_message = _("This event is not available (cancelled or not published). Choose another one.")
