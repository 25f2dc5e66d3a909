"""Reads of the feedback context, scoped to the acting user.

A link is seen by the workers (receivers) of its unit (pathway and referral links) or by the staff of
the organization that runs the group (meeting links). Answers are seen only as report figures and, for
the coordinators of their organization, as comments of groups large enough (``report.comments``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from hyte.accounts.models import Membership, UnitRole
from hyte.core.errors import NotFoundForUser
from hyte.feedback.models import FeedbackLink
from hyte.feedback.services import DESK_ROLES
from hyte.referrals.selectors import User


def links_visible_to(actor: User) -> QuerySet[FeedbackLink]:
    if not actor.is_authenticated or not actor.is_active:
        return FeedbackLink.objects.none()
    units = UnitRole.objects.filter(user_id=actor.pk, role=UnitRole.Role.RECEIVER).values("unit_id")  # type: ignore[misc]
    orgs = Membership.objects.filter(user_id=actor.pk, role__in=DESK_ROLES).values("organization_id")  # type: ignore[misc]
    return FeedbackLink.objects.filter(
        Q(unit_id__in=units) & ~Q(about=FeedbackLink.About.MEETING)
        | Q(about=FeedbackLink.About.MEETING, organization_id__in=orgs)
    )


def link_detail(*, actor: User, link_id: Any) -> FeedbackLink:
    try:
        link = (
            links_visible_to(actor)
            .select_related("service", "programme", "unit", "organization")
            .filter(pk=link_id)
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        link = None
    if link is None:
        raise NotFoundForUser()
    return link


def open_link_for(**subject: Any) -> FeedbackLink | None:
    """The link of a pathway, referral or meeting (``pathway=…``), if one was made and not answered."""
    return FeedbackLink.objects.filter(**subject).first()
