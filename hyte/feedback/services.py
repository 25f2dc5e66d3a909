"""Writes of the feedback context: making a feedback link, answering it, and hiding a comment.

Who may do what:
- a link for a closed pathway: the workers of the pathway's unit (those who see it);
- a link for a completed referral: the receiving unit's workers;
- a link (QR code) for a group meeting: the staff (editor or front desk) of the organization that runs
  the group;
- answering: anyone with the link (no login: the token is the secret);
- hiding an abusive comment from the reports: a coordinator of the answer's organization (audited).

Answers are anonymous: nothing here writes the personal data log or the audit trail for an answer,
since either would tie the answer's moment to the link and so to the client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import Membership, UnitRole
from hyte.core.audit import audit_record
from hyte.core.errors import InvalidParameter, NotFoundForUser
from hyte.core.personal_log import log_personal_data
from hyte.feedback.errors import (
    AlreadyAnswered,
    FeedbackFull,
    FeedbackLinkExpired,
    NotFeedbackable,
    UnknownFeedbackLink,
)
from hyte.feedback.models import MAX_TEXT, FeedbackAnswer, FeedbackLink, FeedbackReceipt
from hyte.referrals.selectors import User

PURPOSE = "feedback"
DESK_ROLES = (Membership.Role.EDITOR, Membership.Role.FRONT_DESK)
LANGUAGES = ("fi", "sv", "en")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def link_days() -> int:
    return max(1, int(getattr(settings, "HYTE_FEEDBACK_LINK_DAYS", 60)))


def meeting_cap() -> int:
    return max(1, min(1000, int(getattr(settings, "HYTE_FEEDBACK_MEETING_CAP", 200))))


def _language(value: str) -> str:
    return value if value in LANGUAGES else "fi"


def _expires() -> Any:
    return timezone.now() + timedelta(days=link_days())


def _open_or_new(
    existing: FeedbackLink | None, actor: User, values: dict[str, Any], subject: dict[str, Any]
) -> FeedbackLink:
    """The subject's open link, renewed (new token and expiry) when it had expired, or a new one."""
    from hyte.feedback.models import new_token

    if existing is not None:
        if existing.expires_at <= timezone.now():
            existing.token, existing.expires_at = new_token(), _expires()
            existing.save(update_fields=["token", "expires_at"])
            audit_record(actor=actor, action="feedback_link_renew", obj=existing)
        return existing
    link = FeedbackLink(**values, **subject, expires_at=_expires(), created_by_id=actor.pk)
    link.full_clean()
    link.save()
    audit_record(actor=actor, action="feedback_link_create", obj=link, details={"about": link.about})
    return link


@transaction.atomic
def link_for_pathway(*, actor: User, pathway_id: Any) -> FeedbackLink:
    """A single-use link for the client of a closed pathway (the same link again while it is open)."""
    from hyte.pathways.models import Pathway
    from hyte.pathways.selectors import locked_pathway

    pathway = locked_pathway(actor, pathway_id)  # not found unless a worker of its unit
    if pathway.status != Pathway.Status.CLOSED:
        raise NotFeedbackable(_("Feedback can be asked for when the pathway has been closed."))
    existing = FeedbackLink.objects.filter(pathway=pathway).first()
    link = _open_or_new(
        existing,
        actor,
        {
            "kind": FeedbackLink.Kind.SINGLE,
            "about": FeedbackLink.About.PATHWAY,
            "organization_id": pathway.unit.organization_id,
            "unit_id": pathway.unit_id,
            "programme_id": pathway.programme_id,
            "language": _language(pathway.client.preferred_language),
            "max_answers": 1,
        },
        {"pathway": pathway},
    )
    log_personal_data(actor=actor, action="feedback_link", obj=pathway, purpose=PURPOSE)
    return link


@transaction.atomic
def link_for_referral(*, actor: User, referral_id: Any) -> FeedbackLink:
    """A single-use link for the client of a completed referral, made by the receiving unit."""
    from hyte.referrals.models import Referral

    try:
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("receiving_unit", "client")
            .filter(
                pk=referral_id,
                receiving_unit__roles__user__pk=actor.pk,
                receiving_unit__roles__role=UnitRole.Role.RECEIVER,
            )
            .first()
            if actor.is_authenticated and actor.is_active
            else None
        )
    except (ValueError, TypeError, ValidationError):
        referral = None
    if referral is None:
        raise NotFoundForUser(_("The referral was not found."))
    if referral.status != Referral.Status.COMPLETED:
        raise NotFeedbackable(_("Feedback can be asked for when the referral has been completed."))
    existing = FeedbackLink.objects.filter(referral=referral).first()
    link = _open_or_new(
        existing,
        actor,
        {
            "kind": FeedbackLink.Kind.SINGLE,
            "about": FeedbackLink.About.REFERRAL,
            "organization_id": referral.receiving_unit.organization_id,
            "unit_id": referral.receiving_unit_id,
            "service_id": referral.service_id,
            "language": _language(referral.client.preferred_language),
            "max_answers": 1,
        },
        {"referral": referral},
    )
    log_personal_data(actor=actor, action="feedback_link", obj=referral.client, purpose=PURPOSE)
    return link


@transaction.atomic
def link_for_meeting(
    *, actor: User, meeting_id: Any, language: str = "fi", max_answers: int | None = None
) -> FeedbackLink:
    """A multi-use link (a QR code on a screen) for a group meeting: one answer per device, up to a
    cap (the meeting's head count unless given, at most ``HYTE_FEEDBACK_MEETING_CAP``)."""
    from hyte.attendance.models import Meeting

    try:
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("service")
            .filter(
                pk=meeting_id,
                service__organization__memberships__user_id=actor.pk,
                service__organization__memberships__role__in=DESK_ROLES,
            )
            .first()
            if actor.is_authenticated and actor.is_active
            else None
        )
    except (ValueError, TypeError, ValidationError):
        meeting = None
    if meeting is None:
        raise NotFoundForUser(_("The meeting was not found among your organization's groups."))
    if max_answers is None:
        max_answers = min(meeting_cap(), max(meeting.head_count, 1))
    if (
        isinstance(max_answers, bool)
        or not isinstance(max_answers, int)
        or not 1 <= max_answers <= meeting_cap()
    ):
        raise InvalidParameter(
            _("Give the number of answers, 1 to %(cap)d.") % {"cap": meeting_cap()},
            details={"field": "max_answers"},
        )
    existing = FeedbackLink.objects.filter(meeting=meeting).first()
    return _open_or_new(
        existing,
        actor,
        {
            "kind": FeedbackLink.Kind.MULTI,
            "about": FeedbackLink.About.MEETING,
            "organization_id": meeting.service.organization_id,
            "service_id": meeting.service_id,
            "language": _language(language),
            "max_answers": max_answers,
        },
        {"meeting": meeting},
    )


# --- answering ---


@dataclass(frozen=True)
class Answer:
    rating: Any
    recommend: str
    text: str = ""
    language: str = "fi"


def link_by_token(token: str, *, lock: bool = False) -> FeedbackLink:
    """The link behind a token; a malformed or unknown token is "unknown"."""
    token = (token or "").strip()
    if not TOKEN.fullmatch(token):
        raise UnknownFeedbackLink()
    links = FeedbackLink.objects.select_related("service", "programme", "unit", "organization")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token=token).first()
    if link is None:
        raise UnknownFeedbackLink()
    return link


def check_open(link: FeedbackLink, nonce: str = "") -> None:
    """Can this link (from this device) still be answered? Refused kindly when not."""
    if link.kind == FeedbackLink.Kind.SINGLE and link.answer_count >= 1:
        raise AlreadyAnswered()
    if link.kind == FeedbackLink.Kind.MULTI and nonce and link.receipts.filter(nonce=nonce).exists():
        raise AlreadyAnswered()
    if link.expires_at <= timezone.now():
        raise FeedbackLinkExpired()
    if link.answer_count >= link.max_answers:
        raise FeedbackFull()


def _valid(answer: Answer) -> tuple[int, str, str, str]:
    try:
        rating = int(answer.rating)
    except (TypeError, ValueError):
        rating = 0
    if isinstance(answer.rating, bool) or not 1 <= rating <= 5:
        raise InvalidParameter(_("Choose a rating from 1 to 5."), details={"field": "rating"})
    if answer.recommend not in FeedbackAnswer.Recommend.values:
        raise InvalidParameter(
            _("Choose whether you would recommend the service."), details={"field": "recommend"}
        )
    text = (answer.text or "").replace("\x00", "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidParameter(
            _("Write at most %(max)d characters.") % {"max": MAX_TEXT}, details={"field": "text"}
        )
    return rating, answer.recommend, text, _language(answer.language)


@transaction.atomic
def answer_submit(*, token: str, answer: Answer, nonce: str = "") -> FeedbackAnswer:
    """Store one anonymous answer. The link row is locked, and a receipt (link, nonce) is unique, so
    the same answer sent twice (a double click, a resent form, two requests at once) counts once; the
    second is refused with ``AlreadyAnswered``. A single-use link is detached from its pathway or
    referral here, so that nothing tells which client answered."""
    rating, recommend, text, language = _valid(answer)
    link = link_by_token(token, lock=True)
    if link.kind == FeedbackLink.Kind.MULTI:
        if not NONCE.fullmatch(nonce or ""):
            raise InvalidParameter(_("Open the feedback form again and answer."), details={"field": "nonce"})
    else:
        nonce = ""
    check_open(link, nonce)
    try:
        with transaction.atomic():
            FeedbackReceipt.objects.create(link=link, nonce=nonce)
    except IntegrityError:
        raise AlreadyAnswered() from None
    stored = FeedbackAnswer.objects.create(
        about=link.about,
        organization_id=link.organization_id,
        unit_id=link.unit_id,
        service_id=link.service_id,
        programme_id=link.programme_id,
        rating=rating,
        recommend=recommend,
        text=text,
        language=language,
        submitted_on=timezone.localdate(),
    )
    link.answer_count += 1
    fields = ["answer_count"]
    if link.kind == FeedbackLink.Kind.SINGLE:
        link.pathway, link.referral = None, None
        fields += ["pathway", "referral"]
    link.save(update_fields=fields)
    return stored


# --- moderation ---


@transaction.atomic
def comment_hide(*, actor: User, answer_id: Any, hidden: bool = True) -> FeedbackAnswer:
    """Hide an abusive comment from the reports (or show it again): a coordinator of the answer's
    organization; audited. The rating and the rest of the answer still count."""
    from hyte.referrals.errors import NotInUnit
    from hyte.reporting.filters import scope_for

    try:
        scope = scope_for(actor)
    except NotInUnit:  # not a coordinator: nothing is found
        raise NotFoundForUser(_("The comment was not found.")) from None
    try:
        found = (
            FeedbackAnswer.objects.select_for_update()
            .filter(pk=answer_id, organization_id__in=scope.organization_ids)
            .exclude(text="")
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise NotFoundForUser(_("The comment was not found."))
    if found.text_hidden != hidden:
        found.text_hidden = hidden
        found.save(update_fields=["text_hidden"])
        audit_record(
            actor=actor, action="feedback_comment_hide" if hidden else "feedback_comment_show", obj=found
        )
    return found
