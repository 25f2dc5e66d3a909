from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError


class UnknownPass(DomainError):
    code = "unknown_pass"
    http_status = 404
    default_message = _("No pass has this code. Check the code, or ask the client to show the pass again.")


class PassNotUsable(DomainError):
    code = "pass_not_usable"
    http_status = 409
    default_message = _("This pass cannot be used.")


class AlreadyMarked(DomainError):
    code = "already_marked"
    http_status = 409
    default_message = _("This pass has a visit to this service today already.")


class RewardHandedOut(DomainError):
    code = "reward_handed_out"
    http_status = 409
    default_message = _("This reward has been handed out already.")
