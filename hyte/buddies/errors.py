from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, NotFoundForUser


class BuddyNotFound(NotFoundForUser):
    code = "buddy_not_found"
    default_message = _("The buddy was not found among your units' buddies.")


class PairingNotFound(NotFoundForUser):
    code = "pairing_not_found"
    default_message = _("The pairing was not found.")


class MeetingNotFound(NotFoundForUser):
    code = "meeting_not_found"
    default_message = _("The meeting was not found.")


class BuddyInactive(DomainError):
    code = "buddy_inactive"
    http_status = 409
    default_message = _("This buddy is not active. Choose another buddy.")


class BuddyNotTrained(DomainError):
    code = "buddy_not_trained"
    http_status = 409
    default_message = _("This buddy has not completed the training yet.")


class BuddyUnavailable(DomainError):
    code = "buddy_unavailable"
    http_status = 409
    default_message = _(
        "The buddy is not available for the whole period. Shorten the period or choose another buddy."
    )


class BuddyHasActivePairings(DomainError):
    code = "buddy_has_active_pairings"
    http_status = 409
    default_message = _("The buddy still has active pairings. End them first.")


class PairingOverlaps(DomainError):
    code = "pairing_overlaps"
    http_status = 409
    default_message = _("The client already has an active pairing with this buddy in this period.")


class PairingTooLong(DomainError):
    code = "pairing_too_long"
    http_status = 400
    default_message = _("The pairing period is too long.")


class PairingClosed(DomainError):
    code = "pairing_closed"
    http_status = 409
    default_message = _("The pairing has ended: no more meetings can be recorded.")


class EditWindowPassed(DomainError):
    code = "edit_window_passed"
    http_status = 409
    default_message = _("The meeting can no longer be changed. Ask the worker if something is wrong.")


class UsernameTaken(DomainError):
    code = "username_taken"
    http_status = 409
    default_message = _("This username is taken. Choose another.")
