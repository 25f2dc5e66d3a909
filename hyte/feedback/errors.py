from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError


class UnknownFeedbackLink(DomainError):
    code = "unknown_feedback_link"
    http_status = 404
    default_message = _("This feedback link does not work. Check the address, or ask for a new link.")


class FeedbackLinkExpired(DomainError):
    code = "feedback_link_expired"
    http_status = 410
    default_message = _("This feedback link has expired. Thank you for your interest all the same.")


class AlreadyAnswered(DomainError):
    code = "already_answered"
    http_status = 409
    default_message = _("Thank you, your feedback has already been received. It is counted once.")


class FeedbackFull(DomainError):
    code = "feedback_full"
    http_status = 409
    default_message = _("This feedback form has received all the answers it takes. Thank you all the same.")


class NotFeedbackable(DomainError):
    code = "feedback_not_available"
    http_status = 409
    default_message = _("Feedback can be asked for only when the pathway or referral has ended.")
