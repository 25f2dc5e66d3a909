from __future__ import annotations

from typing import Any

from django import template

from hyte.accounts.models import UnitRole
from hyte.referrals.models import Referral

register = template.Library()


@register.filter
def may_ask_feedback(referral: Referral, user: Any) -> bool:
    """A completed referral, and the user a worker of its receiving unit: the feedback link button."""
    if referral.status != Referral.Status.COMPLETED or not getattr(user, "is_authenticated", False):
        return False
    return UnitRole.objects.filter(
        user__pk=user.pk, unit_id=referral.receiving_unit_id, role=UnitRole.Role.RECEIVER
    ).exists()
