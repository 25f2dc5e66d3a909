"""Writes of the attendance context: passes (issue, withdraw), visits (mark, self-report, confirm),
rewards (earned automatically, handed out once), group meetings and whether a group continues.

Who may do what:
- issue and withdraw a pass: a user holding one of the programme's ``issuer_roles`` in the issuing unit;
- mark or confirm a visit, hand out a reward at the desk, record a group meeting: the staff of the
  organization that provides the service (``Membership`` roles editor or front desk);
- a self-reported visit needs only the pass token (the client's own phone view) and counts once the
  provider confirms it.
Every write that touches a pass (which belongs to a client) is in the personal data log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.attendance.errors import (
    AlreadyMarked,
    PassNotUsable,
    RewardHandedOut,
    UnknownPass,
)
from hyte.attendance.models import GroupYear, Meeting, Pass, PassProgramme, Reward, Visit
from hyte.catalog.models import Service
from hyte.core.errors import InvalidParameter, NotFoundForUser, PermissionDenied
from hyte.core.personal_log import log_personal_data
from hyte.referrals.selectors import User
from hyte.referrals.services import ClientData, client_record

PURPOSE = "activity_pass"
DESK_ROLES = (Membership.Role.EDITOR, Membership.Role.FRONT_DESK)
KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")  # fullmatch: "$" would let a final newline through


def _desk_org_ids(actor: User) -> set[Any]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    memberships = Membership.objects.filter(user_id=actor.pk, role__in=DESK_ROLES)  # type: ignore[misc]
    return set(memberships.values_list("organization_id", flat=True))


def _service_at_desk(actor: User, service_id: Any) -> Service:
    """One of the actor's organizations' services (one query: the membership is joined)."""
    service = None
    if actor.is_authenticated and actor.is_active:
        try:
            service = Service.objects.filter(
                pk=service_id,
                organization__memberships__user_id=actor.pk,
                organization__memberships__role__in=DESK_ROLES,
            ).first()
        except (ValueError, ValidationError):
            service = None
    if service is None:
        raise NotFoundForUser(_("The service was not found among your organization's services."))
    return service


# --- passes ---


@dataclass
class PassIssue:
    programme: str
    unit_id: Any
    referral_id: Any = None
    pathway_id: Any = None
    client: ClientData | None = None
    issued_on: date | None = None


@transaction.atomic
def pass_issue(*, actor: User, data: PassIssue) -> Pass:
    """A pass for a client of a referral or pathway the actor may see (or, e.g. at a health check, for
    a client whose details are given), issued in the actor's unit."""
    programme = PassProgramme.objects.filter(code=data.programme, active=True).first()
    if programme is None:
        raise InvalidParameter(_("Unknown pass programme."), details={"field": "programme"})
    allowed = (
        actor.is_authenticated
        and UnitRole.objects.filter(
            user_id=actor.pk,  # type: ignore[misc]
            unit_id=_uuid(data.unit_id, "unit"),
            role__in=programme.issuer_roles,
        ).exists()
    )
    if not allowed:
        raise PermissionDenied(_("You may not issue this pass in this unit."))
    unit = Unit.objects.get(pk=data.unit_id)
    referral = pathway = None
    if data.referral_id:
        from hyte.referrals.selectors import referral_detail

        referral = referral_detail(actor=actor, referral_id=data.referral_id, purpose=PURPOSE)
        if unit.pk not in (referral.referring_unit_id, referral.receiving_unit_id):
            raise InvalidParameter(
                _("Issue the pass in the unit that sent or received the referral."), details={"field": "unit"}
            )
        client = referral.client
    elif data.pathway_id:
        from hyte.pathways.selectors import pathway_detail

        pathway = pathway_detail(actor=actor, pathway_id=data.pathway_id)
        if pathway.unit_id != unit.pk:
            raise InvalidParameter(_("Issue the pass in the pathway's unit."), details={"field": "unit"})
        client = pathway.client
    elif data.client is not None:
        client = client_record(actor, data.client)
    else:
        raise InvalidParameter(
            _("Choose the referral or pathway the pass is for."), details={"field": "referral"}
        )
    today = timezone.localdate()
    issued_on = data.issued_on or today
    if issued_on + timedelta(days=programme.valid_days) < today:
        raise InvalidParameter(
            _("A pass dated that far back would have expired already."), details={"field": "issued_on"}
        )
    if issued_on > today:
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "issued_on"})
    card = Pass.objects.create(
        programme=programme,
        client=client,
        unit=unit,
        issued_by_id=actor.pk,
        referral=referral,
        pathway=pathway,
        issued_on=issued_on,
        valid_until=issued_on + timedelta(days=programme.valid_days),
    )
    log_personal_data(actor=actor, action="create", obj=card, purpose=PURPOSE)
    return card


def _uuid(value: Any, field: str) -> Any:
    import uuid

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidParameter(details={"field": field}) from None


def _issuer_pass(actor: User, pass_id: Any) -> Pass:
    from hyte.attendance.selectors import passes_visible_to

    try:
        card = (
            passes_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk=pass_id)
            .first()
        )
    except (ValueError, ValidationError):
        card = None
    if card is None:
        raise NotFoundForUser(_("The pass was not found."))
    return card


@transaction.atomic
def pass_withdraw(*, actor: User, pass_id: Any, reason: str) -> Pass:
    card = _issuer_pass(actor, pass_id)
    may_issue = UnitRole.objects.filter(
        user_id=actor.pk,  # type: ignore[misc]
        unit_id=card.unit_id,
        role__in=card.programme.issuer_roles,
    ).exists()
    if not may_issue:  # who could not issue it does not withdraw it
        raise PermissionDenied(_("You may not withdraw this pass."))
    if card.status == Pass.Status.WITHDRAWN:
        raise PassNotUsable(_("The pass was withdrawn already."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidParameter(
            _("Give the reason for the withdrawal (at most 500 characters)."), details={"field": "reason"}
        )
    card.status, card.withdrawn_at, card.withdrawal_reason = Pass.Status.WITHDRAWN, timezone.now(), reason
    card.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    log_personal_data(actor=actor, action="withdraw", obj=card, purpose=PURPOSE)
    return card


# --- visits ---


@dataclass(frozen=True)
class Marked:
    visit: Visit
    visits: int  # the pass's confirmed visits after this mark
    reward: Reward | None  # earned by this mark
    repeated: bool  # the same mark (idempotency key) was made before: nothing new was stored


def _usable_pass(token: str, on: date) -> Pass:
    token = (token or "").strip()
    if not token or len(token) > 32:
        raise UnknownPass()
    card = (
        Pass.objects.select_for_update(of=("self",)).select_related("programme").filter(token=token).first()
    )
    if card is None:
        raise UnknownPass()
    if card.status != Pass.Status.ACTIVE:
        raise PassNotUsable(_("This pass has been withdrawn."))
    if not card.issued_on <= on <= card.valid_until:
        raise PassNotUsable(
            _("This pass is valid from %(start)s to %(end)s.")
            % {"start": card.issued_on.strftime("%d.%m.%Y"), "end": card.valid_until.strftime("%d.%m.%Y")}
        )
    return card


def _key(value: str) -> str:
    if not isinstance(value, str) or not KEY.fullmatch(value):
        raise InvalidParameter(
            _("Each mark needs a key of 8 to 64 letters, digits or -_.:"), details={"field": "key"}
        )
    return value


def _count_and_reward(card: Pass) -> Reward | None:
    Pass.objects.filter(pk=card.pk).update(visit_count=F("visit_count") + 1)
    card.visit_count += 1
    every = card.programme.reward_every
    if every and card.visit_count % every == 0:
        return Reward.objects.create(
            pass_card=card, number=card.visit_count // every, text=card.programme.reward_text
        )
    return None


@transaction.atomic
def visit_mark(*, actor: User, token: str, service_id: Any, key: str, on: date | None = None) -> Marked:
    """The provider's desk marks a visit: one per pass, service and day. The same ``key`` again (a
    retried request, an offline queue sent twice) gives back the first mark and counts once."""
    key = _key(key)
    existing = Visit.objects.select_related("pass_card").filter(idempotency_key=key).first()
    if existing is not None:
        if existing.marked_by_id != actor.pk:
            raise InvalidParameter(_("This key was used for another mark."), details={"field": "key"})
        return Marked(existing, existing.pass_card.visit_count, None, repeated=True)
    service = _service_at_desk(actor, service_id)
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "on"})
    if on < today - timedelta(days=7):
        raise InvalidParameter(_("Visits can be marked for the last seven days."), details={"field": "on"})
    card = _usable_pass(token, on)  # the pass row is locked: one pass's marks go one at a time
    if not card.programme.services.filter(pk=service.pk).exists():
        raise PassNotUsable(_("This pass does not cover %(service)s.") % {"service": service.name})
    # Under the lock, a retry that was waiting for the first request finds its mark here.
    clash = Visit.objects.filter(Q(idempotency_key=key) | Q(pass_card=card, service=service, on=on)).first()
    if clash is not None:
        if clash.idempotency_key != key:
            raise AlreadyMarked()
        if clash.marked_by_id != actor.pk or clash.pass_card_id != card.pk:
            raise InvalidParameter(_("This key was used for another mark."), details={"field": "key"})
        return Marked(clash, card.visit_count, None, repeated=True)
    try:
        visit = Visit.objects.create(
            pass_card=card, service=service, on=on, marked_by_id=actor.pk, idempotency_key=key
        )
    except IntegrityError:  # the key taken at this very moment for another pass: nothing is stored
        raise AlreadyMarked() from None
    reward = _count_and_reward(card)
    log_personal_data(actor=actor, action="visit", obj=card, purpose=PURPOSE)
    return Marked(visit, card.visit_count, reward, repeated=False)


@transaction.atomic
def visit_self_report(*, token: str, service_id: Any, key: str, on: date) -> Visit:
    """The client reports a visit from her own phone view of the pass; it counts when the provider
    confirms it."""
    key = _key(key)
    existing = Visit.objects.select_related("pass_card").filter(idempotency_key=key).first()
    if existing is not None:
        if existing.pass_card.token != (token or "").strip():
            raise InvalidParameter(_("This key was used for another mark."), details={"field": "key"})
        return existing
    today = timezone.localdate()
    if on > today:
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "on"})
    if on < today - timedelta(days=31):
        raise InvalidParameter(_("Visits can be reported for the last month."), details={"field": "on"})
    card = _usable_pass(token, on)
    service = card.programme.services.filter(pk=_uuid(service_id, "service")).first()
    if service is None:
        raise PassNotUsable(_("This pass does not cover that service."))
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                pass_card=card,
                service=service,
                on=on,
                source=Visit.Source.SELF_REPORT,
                confirmed=False,
                idempotency_key=key,
            )
    except IntegrityError:
        raise AlreadyMarked() from None
    log_personal_data(actor=None, action="self_report", obj=card, purpose=PURPOSE)
    return visit


@transaction.atomic
def visit_confirm(*, actor: User, visit_id: Any, accept: bool = True) -> Visit | None:
    """The provider confirms (or rejects, deleting it) a visit the client reported."""
    try:
        visit = (
            Visit.objects.select_for_update(of=("self",))  # not the programme or service rows
            .select_related("pass_card__programme", "service")
            .filter(pk=int(visit_id), service__organization_id__in=_desk_org_ids(actor))
            .first()
        )
    except (TypeError, ValueError):
        visit = None
    if visit is None:
        raise NotFoundForUser(_("The visit was not found."))
    if visit.pass_card.status != Pass.Status.ACTIVE:
        raise PassNotUsable(_("This pass has been withdrawn."))
    if visit.confirmed:
        raise AlreadyMarked(_("The visit was confirmed already."))
    card = Pass.objects.select_for_update(of=("self",)).select_related("programme").get(pk=visit.pass_card_id)
    if not accept:
        visit.delete()
        log_personal_data(actor=actor, action="visit_rejected", obj=card, purpose=PURPOSE)
        return None
    visit.confirmed, visit.confirmed_by_id = True, actor.pk
    visit.save(update_fields=["confirmed", "confirmed_by"])
    _count_and_reward(card)
    log_personal_data(actor=actor, action="visit_confirmed", obj=card, purpose=PURPOSE)
    return visit


@transaction.atomic
def reward_hand_out(*, actor: User, reward_id: Any) -> Reward:
    """Hand out an earned reward, once: the issuing unit or the desk of a service the pass covers."""
    from hyte.attendance.selectors import passes_visible_to

    try:
        reward = (
            Reward.objects.select_for_update().select_related("pass_card").filter(pk=int(reward_id)).first()
        )
    except (TypeError, ValueError):
        reward = None
    if reward is None:
        raise NotFoundForUser(_("The reward was not found."))
    card = reward.pass_card
    issuer = passes_visible_to(actor).filter(pk=card.pk).exists()
    desk = card.programme.services.filter(organization_id__in=_desk_org_ids(actor)).exists()
    if not (issuer or desk):
        raise NotFoundForUser(_("The reward was not found."))
    if reward.handed_out_at is not None:
        raise RewardHandedOut()
    reward.handed_out_at, reward.handed_out_by_id = timezone.now(), actor.pk
    reward.save(update_fields=["handed_out_at", "handed_out_by"])
    log_personal_data(actor=actor, action="reward", obj=card, purpose=PURPOSE)
    return reward


# --- groups ---


def _bands(value: Any, allowed: tuple[str, ...], field: str, total: int) -> dict[str, int]:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict) or set(value) - set(allowed):
        raise InvalidParameter(
            _("Use these groups: %(groups)s.") % {"groups": ", ".join(allowed)}, details={"field": field}
        )
    counts = {}
    for band, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
            raise InvalidParameter(_("Give whole numbers from 0 to 1000."), details={"field": field})
        counts[band] = count
    if sum(counts.values()) != total:
        raise InvalidParameter(
            _("The groups add up to %(sum)d, not to the %(total)d participants.")
            % {"sum": sum(counts.values()), "total": total},
            details={"field": field},
        )
    return counts


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    service_id: Any,
    starts_at: datetime,
    head_count: int,
    new_visitors: int | None = None,
    by_age: dict[str, int] | None = None,
    by_gender: dict[str, int] | None = None,
    place: str = "",
    leader_ids: list[Any] | None = None,
    note: str = "",
) -> Meeting:
    """One meeting of a group and how many came (no names). A meeting in the future, a negative or
    absurd count, or groups that do not add up are refused."""
    service = _service_at_desk(actor, service_id)
    if timezone.is_naive(starts_at):
        raise InvalidParameter(_("Give the time with its time zone."), details={"field": "starts_at"})
    if starts_at > timezone.now():
        raise InvalidParameter(_("The meeting cannot be in the future."), details={"field": "starts_at"})
    if isinstance(head_count, bool) or not isinstance(head_count, int) or not 0 <= head_count <= 1000:
        raise InvalidParameter(
            _("Give the number of participants, 0 to 1000."), details={"field": "head_count"}
        )
    if new_visitors is not None and not 0 <= new_visitors <= head_count:
        raise InvalidParameter(
            _("New visitors cannot be more than the participants."), details={"field": "new_visitors"}
        )
    meeting = Meeting(
        service=service,
        starts_at=starts_at,
        head_count=head_count,
        new_visitors=new_visitors,
        by_age=_bands(by_age, Meeting.AGE_BANDS, "by_age", head_count),
        by_gender=_bands(by_gender, Meeting.GENDERS, "by_gender", head_count),
        place=(place or "").strip()[:200],
        note=(note or "").strip()[:500],
        recorded_by_id=actor.pk,
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        raise AlreadyMarked(_("This meeting has been recorded already.")) from None
    if leader_ids:
        from hyte.catalog.models import Organization

        leaders = list(Organization.objects.filter(pk__in=leader_ids))
        if len(leaders) != len(set(leader_ids)):
            raise InvalidParameter(_("Unknown organization."), details={"field": "leaders"})
        meeting.leaders.set(leaders)
    return meeting


@transaction.atomic
def group_year_set(*, actor: User, service_id: Any, year: int, continues: bool, note: str = "") -> GroupYear:
    service = _service_at_desk(actor, service_id)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise InvalidParameter(details={"field": "year"})
    record, _created = GroupYear.objects.update_or_create(
        service=service, year=year, defaults={"continues": continues, "note": (note or "").strip()[:500]}
    )
    return record
