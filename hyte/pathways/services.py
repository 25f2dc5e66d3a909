"""Writes of the pathways context. Every write checks that the actor works in the pathway's unit
(``UnitRole.Role.RECEIVER``: counsellors, link workers, coaches), records a personal data log entry and
keeps the plan's version: a write that names an older version than the stored one is refused
(``StaleVersion``, 409), so of two people editing one plan the second is told instead of overwriting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.models import Unit, UnitRole
from hyte.core.errors import InvalidParameter, InvalidTransition
from hyte.core.personal_log import log_personal_data
from hyte.pathways import instruments
from hyte.pathways.errors import (
    PathwayClosed,
    ReasonRequired,
    SelfReferralNotFound,
    StaleVersion,
    TooManyRequests,
)
from hyte.pathways.models import (
    Contact,
    FidelityReview,
    Goal,
    Measurement,
    Outcome,
    Pathway,
    PathwayEvent,
    Programme,
    SelfReferral,
)
from hyte.pathways.selectors import User, locked_pathway, worker_unit_ids
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Referral
from hyte.referrals.selectors import referrals_visible_to
from hyte.referrals.services import ClientData, client_record

PURPOSE = "pathway"
S = Pathway.Status


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidParameter(
            _("Some fields are missing or invalid."), details={"fields": exc.message_dict}
        ) from exc


def _text(value: str | None, field: str, limit: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidParameter(
            _("The text is too long (at most %(limit)d characters).") % {"limit": limit},
            details={"field": field},
        )
    return value


def _programme(code: str) -> Programme:
    programme = Programme.objects.filter(code=code, active=True).first()
    if programme is None:
        raise InvalidParameter(_("Unknown programme."), details={"field": "programme"})
    return programme


def _day(value: date, pathway: Pathway, field: str) -> date:
    """A date of something done on the pathway: not before enrolment, not in the future."""
    if value > timezone.localdate():
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": field})
    if value < pathway.enrolled_on:
        raise InvalidParameter(
            _("The date cannot be before the client was enrolled (%(date)s).")
            % {"date": pathway.enrolled_on.strftime("%d.%m.%Y")},
            details={"field": field},
        )
    return value


def _bump(pathway: Pathway, version: int | None) -> None:
    """Check the version the writer read and move it on, in the same UPDATE (the row is locked)."""
    if version is not None and version != pathway.version:
        raise StaleVersion(details={"version": pathway.version})
    Pathway.objects.filter(pk=pathway.pk).update(version=F("version") + 1, updated_at=timezone.now())
    pathway.version += 1


def _open_or_reason(pathway: Pathway, actor: User, reason: str, what: str) -> None:
    """Changes to a closed pathway need a reason, which is recorded."""
    if pathway.status == S.CLOSED:
        reason = _text(reason, "reason", 1000)
        if not reason:
            raise ReasonRequired(details={"field": "reason"})
        _event(pathway, f"{what}_after_closure", actor, reason)


def _event(pathway: Pathway, action: str, actor: User, reason: str = "") -> None:
    PathwayEvent.objects.create(pathway=pathway, action=action, reason=reason, actor_id=actor.pk)


# --- enrolment ---


@dataclass
class Enrolment:
    programme: str
    unit_id: Any
    origin: str
    enrolled_on: date | None = None
    referral_id: Any = None
    client: ClientData | None = None
    track: str = ""
    triage: str = ""
    agreement_on: date | None = None
    next_contact_on: date | None = None


@transaction.atomic
def pathway_enrol(*, actor: User, data: Enrolment) -> Pathway:
    """A client joins a programme in the actor's unit: from an accepted referral sent to that unit (the
    client comes with it), or as a walk-in, self-referral or other contact (the client's details given)."""
    programme = _programme(data.programme)
    unit = Unit.objects.filter(pk__in=worker_unit_ids(actor), pk=_uuid(data.unit_id, "unit")).first()
    if unit is None:
        raise NotInUnit()
    if data.origin not in Pathway.Origin.values:
        raise InvalidParameter(details={"field": "origin"})
    if data.origin == Pathway.Origin.WALK_IN and not programme.walk_in:
        raise InvalidParameter(
            _("This programme does not take walk-in clients."), details={"field": "origin"}
        )
    if data.triage and (not programme.triage or data.triage not in Pathway.Triage.values):
        raise InvalidParameter(_("This programme does not use the triage."), details={"field": "triage"})
    if data.track and data.track not in programme.tracks:
        raise InvalidParameter(_("Unknown track."), details={"field": "track"})
    enrolled_on = data.enrolled_on or timezone.localdate()
    if enrolled_on > timezone.localdate():
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "enrolled_on"})
    referral = None
    if data.origin == Pathway.Origin.REFERRAL:
        referral = _referral_for(actor, data.referral_id, unit)
        client = referral.client
    elif data.client is not None:
        client = client_record(actor, data.client)
    else:
        raise InvalidParameter(_("Give the client's name."), details={"field": "client"})
    pathway = Pathway(
        programme=programme,
        track=data.track,
        client=client,
        unit=unit,
        worker_id=actor.pk,
        referral=referral,
        origin=data.origin,
        triage=data.triage,
        enrolled_on=enrolled_on,
        agreement_on=data.agreement_on,
        next_contact_on=data.next_contact_on,
        ends_by=enrolled_on + timedelta(days=programme.max_days) if programme.max_days else None,
    )
    _clean(pathway, exclude=["client", "unit", "worker", "referral", "programme"])
    pathway.save()
    _event(pathway, "enrol", actor)
    log_personal_data(actor=actor, action="create", obj=pathway, purpose=PURPOSE)
    return pathway


def _uuid(value: Any, field: str) -> Any:
    import uuid

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidParameter(details={"field": field}) from None


def _referral_for(actor: User, referral_id: Any, unit: Unit) -> Referral:
    from hyte.referrals.errors import ReferralNotFound

    referral = (
        referrals_visible_to(actor)
        .select_related("client")
        .filter(pk=_uuid(referral_id, "referral"), receiving_unit=unit)
        .first()
    )
    if referral is None:
        raise ReferralNotFound()
    if referral.status not in (
        Referral.Status.ACCEPTED,
        Referral.Status.FIRST_CONTACT,
        Referral.Status.IN_PROGRESS,
    ):
        raise InvalidParameter(
            _("Only an accepted referral can start a pathway."), details={"field": "referral"}
        )
    if Pathway.objects.filter(referral=referral).exists():
        raise InvalidParameter(_("This referral has a pathway already."), details={"field": "referral"})
    return referral


# --- the plan ---

EDITABLE = {"worker", "next_contact_on", "triage", "track", "agreement_on"}


@transaction.atomic
def pathway_update(
    *, actor: User, pathway_id: Any, version: int | None, reason: str = "", **fields: Any
) -> Pathway:
    if set(fields) - EDITABLE:
        raise InvalidParameter(details={"fields": sorted(set(fields) - EDITABLE)})
    pathway = locked_pathway(actor, pathway_id)
    _bump(pathway, version)
    _open_or_reason(pathway, actor, reason, "edit")
    if "worker" in fields and fields["worker"] is not None:
        worker_id = fields.pop("worker")
        if not UnitRole.objects.filter(
            user_id=worker_id, unit_id=pathway.unit_id, role=UnitRole.Role.RECEIVER
        ).exists():
            raise InvalidParameter(_("The worker must work in the unit."), details={"field": "worker"})
        pathway.worker_id = worker_id
    if fields.get("triage") and (
        not pathway.programme.triage or fields["triage"] not in Pathway.Triage.values
    ):
        raise InvalidParameter(_("This programme does not use the triage."), details={"field": "triage"})
    if fields.get("track") and fields["track"] not in pathway.programme.tracks:
        raise InvalidParameter(_("Unknown track."), details={"field": "track"})
    for key, value in fields.items():
        setattr(pathway, key, value)
    _clean(pathway, exclude=["client", "unit", "worker", "referral", "programme"])
    pathway.save()
    log_personal_data(actor=actor, action="update", obj=pathway, purpose=PURPOSE)
    return pathway


@transaction.atomic
def pathway_extend(*, actor: User, pathway_id: Any, version: int | None, until: date, reason: str) -> Pathway:
    """Move the end date of a time-limited pathway (link work: 6 months) on, with a recorded reason."""
    pathway = locked_pathway(actor, pathway_id)
    _bump(pathway, version)
    if pathway.status == S.CLOSED:
        raise PathwayClosed()
    if pathway.ends_by is None:
        raise InvalidParameter(_("This programme has no time limit."), details={"field": "until"})
    if until <= pathway.ends_by:
        raise InvalidParameter(_("Give a date after the current end date."), details={"field": "until"})
    reason = _text(reason, "reason", 1000)
    if pathway.programme.extension_needs_reason and not reason:
        raise InvalidParameter(_("An extension needs a reason."), details={"field": "reason"})
    pathway.ends_by, pathway.extension_reason = until, reason
    pathway.save(update_fields=["ends_by", "extension_reason"])
    _event(pathway, "extend", actor, reason)
    log_personal_data(actor=actor, action="extend", obj=pathway, purpose=PURPOSE)
    return pathway


@transaction.atomic
def pathway_close(
    *,
    actor: User,
    pathway_id: Any,
    version: int | None,
    reason: str,
    note: str = "",
    closed_on: date | None = None,
) -> Pathway:
    pathway = locked_pathway(actor, pathway_id)
    if pathway.status == S.CLOSED:
        raise PathwayClosed(_("The pathway was closed already."))
    _bump(pathway, version)
    if reason not in Pathway.ClosureReason.values:
        raise InvalidParameter(_("Choose why the pathway ends."), details={"field": "reason"})
    pathway.status = S.CLOSED
    pathway.closed_on = _day(closed_on or timezone.localdate(), pathway, "closed_on")
    pathway.closure_reason, pathway.closure_note = reason, _text(note, "note")
    pathway.save(update_fields=["status", "closed_on", "closure_reason", "closure_note"])
    _event(pathway, "close", actor, reason)
    log_personal_data(actor=actor, action="close", obj=pathway, purpose=PURPOSE)
    return pathway


@transaction.atomic
def goal_add(
    *,
    actor: User,
    pathway_id: Any,
    version: int | None,
    text: str,
    target_on: date | None = None,
    reason: str = "",
) -> Goal:
    pathway = locked_pathway(actor, pathway_id)
    _bump(pathway, version)
    _open_or_reason(pathway, actor, reason, "goal")
    text = _text(text, "text", 1000)
    if not text:
        raise InvalidParameter(_("Write the goal."), details={"field": "text"})
    goal = Goal(pathway=pathway, text=text, target_on=target_on)
    _clean(goal, exclude=["pathway"])
    goal.save()
    log_personal_data(actor=actor, action="goal", obj=pathway, purpose=PURPOSE)
    return goal


@transaction.atomic
def goal_set_status(*, actor: User, goal_id: Any, version: int | None, status: str, reason: str = "") -> Goal:
    goal = Goal.objects.filter(pk=_uuid(goal_id, "goal")).first()
    if goal is None:
        raise InvalidParameter(_("Unknown goal."), details={"field": "goal"})
    pathway = locked_pathway(actor, goal.pathway_id)
    _bump(pathway, version)
    _open_or_reason(pathway, actor, reason, "goal")
    if status not in Goal.Status.values:
        raise InvalidParameter(details={"field": "status"})
    goal.status = status
    goal.save(update_fields=["status"])
    log_personal_data(actor=actor, action="goal", obj=pathway, purpose=PURPOSE)
    return goal


# --- contacts, measurements, outcomes ---


@transaction.atomic
def contact_add(
    *,
    actor: User,
    pathway_id: Any,
    on: date,
    kind: str,
    minutes: int | None = None,
    note: str = "",
    next_contact_on: date | None = None,
    reason: str = "",
) -> Contact:
    pathway = locked_pathway(actor, pathway_id)
    _open_or_reason(pathway, actor, reason, "contact")
    if kind not in (pathway.programme.contact_kinds or Contact.Kind.values):
        raise InvalidParameter(
            _("This kind of contact is not used in the programme."), details={"field": "kind"}
        )
    contact = Contact(
        pathway=pathway,
        on=_day(on, pathway, "on"),
        kind=kind,
        minutes=minutes,
        note=_text(note, "note"),
        recorded_by_id=actor.pk,
    )
    _clean(contact, exclude=["pathway", "recorded_by"])
    contact.save()
    if next_contact_on is not None:
        if next_contact_on < on:
            raise InvalidParameter(
                _("The next contact cannot be before this one."), details={"field": "next_contact_on"}
            )
        pathway.next_contact_on = next_contact_on
        pathway.save(update_fields=["next_contact_on"])
    log_personal_data(actor=actor, action="contact", obj=pathway, purpose=PURPOSE)
    return contact


@transaction.atomic
def measurement_add(
    *,
    actor: User,
    pathway_id: Any,
    instrument: str,
    values: dict[str, Any],
    on: date,
    point_months: int | None = None,
    context: dict[str, Any] | None = None,
    reason: str = "",
) -> Measurement:
    """Answers of one instrument, validated and scored by ``hyte.pathways.instruments``; out-of-range
    values are refused with the item and the allowed range named."""
    pathway = locked_pathway(actor, pathway_id)
    _open_or_reason(pathway, actor, reason, "measurement")
    if instrument not in pathway.programme.instruments:
        raise InvalidParameter(
            _("This instrument is not used in the programme."), details={"field": "instrument"}
        )
    if point_months is not None and point_months not in pathway.programme.measurement_months:
        raise InvalidParameter(
            _("Not a measurement point of the programme."), details={"field": "point_months"}
        )
    spec = instruments.get_instrument(instrument)
    if not isinstance(values, dict):
        raise InvalidParameter(details={"field": "values"})
    parsed = spec.validate(values)
    scores = spec.score(parsed, context=context or {})
    measurement = Measurement(
        pathway=pathway,
        instrument=instrument,
        instrument_version=spec.version,
        point_months=point_months,
        on=_day(on, pathway, "on"),
        values=_json(parsed),
        scores=_json(scores),
        recorded_by_id=actor.pk,
    )
    measurement.save()
    log_personal_data(actor=actor, action="measurement", obj=pathway, purpose=PURPOSE)
    return measurement


def _json(value: Any) -> Any:
    """Decimals as strings (exact), the rest as is."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def outcome_add(
    *,
    actor: User,
    pathway_id: Any,
    kind: str,
    started_on: date,
    ended_on: date | None = None,
    hours_per_week: Decimal | None = None,
    note: str = "",
    reason: str = "",
) -> Outcome:
    pathway = locked_pathway(actor, pathway_id)
    _open_or_reason(pathway, actor, reason, "outcome")
    if kind not in pathway.programme.outcome_kinds:
        raise InvalidParameter(_("This outcome is not used in the programme."), details={"field": "kind"})
    if kind == Outcome.Kind.COMPETITIVE_EMPLOYMENT and hours_per_week is None:
        raise InvalidParameter(_("Give the working hours per week."), details={"field": "hours_per_week"})
    if ended_on is not None and ended_on < started_on:
        raise InvalidParameter(_("The end cannot be before the start."), details={"field": "ended_on"})
    outcome = Outcome(
        pathway=pathway,
        kind=kind,
        started_on=_day(started_on, pathway, "started_on"),
        ended_on=ended_on,
        hours_per_week=hours_per_week,
        note=_text(note, "note"),
        recorded_by_id=actor.pk,
    )
    _clean(outcome, exclude=["pathway", "recorded_by"])
    outcome.save()
    log_personal_data(actor=actor, action="outcome", obj=pathway, purpose=PURPOSE)
    return outcome


# --- IPS fidelity ---

FIDELITY_ITEMS = (
    [f"S{i}" for i in range(1, 4)] + [f"O{i}" for i in range(1, 9)] + [f"V{i}" for i in range(1, 15)]
)
FIDELITY_BANDS = ((115, "exemplary"), (100, "good"), (74, "fair"), (0, "not_supported"))


def fidelity_band(total: int) -> str:
    return next(band for floor, band in FIDELITY_BANDS if total >= floor)


@transaction.atomic
def fidelity_review_record(
    *,
    actor: User,
    unit_id: Any,
    reviewed_on: date,
    scale_version: str,
    items: dict[str, Any],
    reviewers: str = "",
) -> FidelityReview:
    """The IPS team's review: all 25 items scored 1-5, total 25-125 and its band (exemplary 115+, good
    100+, fair 74+, below that not supported employment), with the scale version whose anchors were used."""
    unit = _uuid(unit_id, "unit")
    allowed = (
        actor.is_authenticated
        and UnitRole.objects.filter(
            user_id=actor.pk,  # type: ignore[misc]
            unit_id=unit,
            role__in=[UnitRole.Role.RECEIVER, UnitRole.Role.UNIT_ADMIN],
        ).exists()
    )
    if not allowed:
        raise NotInUnit()
    scale_version = _text(scale_version, "scale_version", 40)
    if not scale_version:
        raise InvalidParameter(
            _("Give the version of the fidelity scale."), details={"field": "scale_version"}
        )
    if reviewed_on > timezone.localdate():
        raise InvalidParameter(_("The date cannot be in the future."), details={"field": "reviewed_on"})
    given = set(items) if isinstance(items, dict) else set()  # JSON may send a number, list, null …
    if not isinstance(items, dict) or given != set(FIDELITY_ITEMS):
        raise InvalidParameter(
            _("Score all 25 items of the fidelity scale."),
            details={
                "field": "items",
                "missing": sorted(set(FIDELITY_ITEMS) - given),
                "unknown": sorted(given - set(FIDELITY_ITEMS)),
            },
        )
    scores: dict[str, int] = {}
    for code in FIDELITY_ITEMS:
        value = items[code]
        text = "" if isinstance(value, bool) or not isinstance(value, int | str) else str(value)
        # ASCII digits only ("²".isdigit() is true, int("²") fails), and short: int() refuses 4300+ digits.
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            raise InvalidParameter(
                _("Item %(item)s: give a whole number from 1 to 5.") % {"item": code}, details={"field": code}
            )
        value = int(text)
        if not 1 <= value <= 5:
            raise InvalidParameter(
                _("Item %(item)s: give a whole number from 1 to 5.") % {"item": code},
                details={"field": code, "min": 1, "max": 5},
            )
        scores[code] = int(value)
    total = sum(scores.values())
    review = FidelityReview.objects.create(
        unit_id=unit,
        reviewed_on=reviewed_on,
        scale_version=scale_version,
        items=scores,
        total=total,
        band=fidelity_band(total),
        reviewers=_text(reviewers, "reviewers", 200),
        recorded_by_id=actor.pk,
    )
    return review


# --- self-referrals ("Kunto-nappi") ---

SELF_REFERRALS_PER_HOUR = 5  # from one address; a person needs one, a bot many


@dataclass
class SelfReferralData:
    unit_id: Any
    name: str
    message: str
    phone: str = ""
    email: str = ""
    municipality: str | None = None
    preferred_language: str = "fi"


@transaction.atomic
def self_referral_submit(*, data: SelfReferralData, source: str) -> SelfReferral:
    """A resident's contact request from the public form (no login). ``source`` is the sender's address;
    only its keyed hash is kept, to limit how many requests one address sends in an hour."""
    from hyte.catalog.models import Municipality
    from hyte.core.crypto import lookup_hash

    unit = Unit.objects.filter(pk=_uuid(data.unit_id, "unit"), receives_self_referrals=True).first()
    if unit is None:
        raise InvalidParameter(_("Choose a service to contact."), details={"field": "unit"})
    name, message = _text(data.name, "name", 200), _text(data.message, "message", 2000)
    phone, email = _text(data.phone, "phone", 40), _text(data.email, "email", 254)
    if not name:
        raise InvalidParameter(_("Tell us your name."), details={"field": "name"})
    if not message:
        raise InvalidParameter(
            _("Tell us briefly what you would like help with."), details={"field": "message"}
        )
    if not (phone or email):
        raise InvalidParameter(_("Give a phone number or an e-mail address."), details={"field": "phone"})
    if data.municipality and not Municipality.objects.filter(pk=data.municipality).exists():
        raise InvalidParameter(_("Unknown municipality."), details={"field": "municipality"})
    if data.preferred_language not in ("fi", "sv", "en"):
        raise InvalidParameter(details={"field": "preferred_language"})
    digest = lookup_hash(source or "-", purpose="self-referral-source")
    hour_ago = timezone.now() - timedelta(hours=1)
    if (
        SelfReferral.objects.filter(source_hash=digest, created_at__gte=hour_ago).count()
        >= SELF_REFERRALS_PER_HOUR
    ):
        raise TooManyRequests()
    record = SelfReferral(
        unit=unit,
        name=name,
        phone=phone,
        email=email,
        municipality_id=data.municipality or None,
        message=message,
        preferred_language=data.preferred_language,
        source_hash=digest,
    )
    _clean(record, exclude=["unit", "municipality", "pathway", "handled_by"])
    record.save()
    log_personal_data(actor=None, action="create", obj=record, purpose="self_referral")
    notify_self_referral(record)
    return record


def _person(record: SelfReferral) -> ClientData:
    """The client's details as the resident gave them on the form (one name field: split at the first
    space)."""
    first, _sep, last = record.name.partition(" ")
    return ClientData(
        first_name=first[:100],
        last_name=(last or "-")[:100],
        email=record.email,
        phone=record.phone,
        preferred_language=record.preferred_language,
        municipality=record.municipality_id,
    )


def _locked_self_referral(actor: User, self_referral_id: Any) -> SelfReferral:
    try:
        record = (
            SelfReferral.objects.select_for_update()
            .filter(pk=self_referral_id, unit_id__in=worker_unit_ids(actor))
            .first()
        )
    except (ValueError, ValidationError):
        record = None
    if record is None:
        raise SelfReferralNotFound()
    return record


@transaction.atomic
def self_referral_triage(*, actor: User, self_referral_id: Any, triage: str) -> SelfReferral:
    """Green: self-care guidance and the tray; yellow: counselling or walk-in; red: assessment or a
    referral."""
    record = _locked_self_referral(actor, self_referral_id)
    if record.status not in (SelfReferral.Status.NEW, SelfReferral.Status.TRIAGED):
        raise InvalidTransition(_("The contact request has been handled already."))
    if triage not in Pathway.Triage.values:
        raise InvalidParameter(_("Choose a colour."), details={"field": "triage"})
    record.triage, record.status, record.handled_by_id = triage, SelfReferral.Status.TRIAGED, actor.pk
    record.save(update_fields=["triage", "status", "handled_by"])
    log_personal_data(actor=actor, action="triage", obj=record, purpose="self_referral")
    return record


@transaction.atomic
def self_referral_enrol(*, actor: User, self_referral_id: Any, programme: str, track: str = "") -> Pathway:
    """The contact request becomes a pathway in its unit; the person becomes a client (no henkilötunnus
    is asked on the public form)."""
    record = _locked_self_referral(actor, self_referral_id)
    if record.status not in (SelfReferral.Status.NEW, SelfReferral.Status.TRIAGED):
        raise InvalidTransition(_("The contact request has been handled already."))
    pathway = pathway_enrol(
        actor=actor,
        data=Enrolment(
            programme=programme,
            unit_id=record.unit_id,
            origin=Pathway.Origin.SELF_REFERRAL,
            track=track,
            triage=record.triage if _programme(programme).triage else "",
            client=_person(record),
        ),
    )
    record.status, record.pathway, record.handled_by_id = SelfReferral.Status.ENROLLED, pathway, actor.pk
    record.save(update_fields=["status", "pathway", "handled_by"])
    log_personal_data(actor=actor, action="enrol", obj=record, purpose="self_referral")
    return pathway


@transaction.atomic
def self_referral_close(*, actor: User, self_referral_id: Any, note: str) -> SelfReferral:
    """Handled without a pathway: e.g. guided to the service tray (green) or referred elsewhere (red)."""
    record = _locked_self_referral(actor, self_referral_id)
    if record.status not in (SelfReferral.Status.NEW, SelfReferral.Status.TRIAGED):
        raise InvalidTransition(_("The contact request has been handled already."))
    note = _text(note, "note", 1000)
    if not note:
        raise InvalidParameter(_("Write what was done."), details={"field": "note"})
    record.status, record.closing_note, record.handled_by_id = SelfReferral.Status.CLOSED, note, actor.pk
    record.save(update_fields=["status", "closing_note", "handled_by"])
    log_personal_data(actor=actor, action="close", obj=record, purpose="self_referral")
    return record


@transaction.atomic
def self_referral_refer(
    *, actor: User, self_referral_id: Any, client: ClientData | None = None, **referral: Any
) -> Referral:
    """Red: the person needs another service. The worker, who must also be a professional of a sending
    unit, writes a referral with the person's details and her consent (asked when calling her back);
    the contact request is marked referred onward. ``referral`` holds ``referral_create``'s arguments
    other than the actor; ``client`` the person's details as the worker corrected them (default: as she
    gave them)."""
    from hyte.referrals.services import referral_create

    record = _locked_self_referral(actor, self_referral_id)
    if record.status not in (SelfReferral.Status.NEW, SelfReferral.Status.TRIAGED):
        raise InvalidTransition(_("The contact request has been handled already."))
    made = referral_create(actor=actor, client=client or _person(record), **referral)
    record.status, record.referral, record.handled_by_id = SelfReferral.Status.REFERRED, made, actor.pk
    record.save(update_fields=["status", "referral", "handled_by"])
    log_personal_data(actor=actor, action="refer", obj=record, purpose="self_referral")
    return made


def notify_self_referral(record: SelfReferral) -> None:
    """E-mail the unit that a contact request came (no personal data in it, only a link)."""
    from hyte.pathways.notifications import on_self_referral

    transaction.on_commit(lambda: on_self_referral(record.pk))
