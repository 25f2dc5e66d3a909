"""Every kind of record that holds or links to a client, in one table: what the export includes, what
erasure does with it, and when its retention period ends.

A *record type* has a root model and the models that belong to it (a referral with its consent and
history). For each model: the paths from it to ``referrals.Client`` (``client``, ``referral__client``
…). ``tests/privacy/test_records.py`` fails when a model that reaches ``Client`` by foreign keys is
not listed here, so a new model cannot escape the export and the erasure.

Retention (days, ``settings.HYTE_RETENTION[key]``) counts from the day the record *ended* (``ended``:
closed, valid until, the month, …); a record that has not ended is never expired. After that the
retention job anonymises it (blanks names, contact details and free text, keeps dates, codes, units
and the link to the client's pseudonym, so reports still count it) or deletes it (``action``).
``on_request``: whether a client's erasure request may remove it before its period ends (records kept
by consent or for the service alone, not statutory client documents). ``pseudonymous``: holds only
the link to the client (whose row keeps its pseudonym), so erasing the client leaves it to its own
period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ANONYMISE = "anonymise"
DELETE = "delete"
CHUNK = 500


@dataclass(frozen=True)
class Part:
    """One model of a record type: how it reaches the client and which text fields erasure blanks."""

    label: str  # "app_label.ModelName"
    paths: tuple[str, ...]  # lookups from this model to referrals.Client
    root_path: str = ""  # lookup from this model to the root ("" for the root itself)
    blank: tuple[str, ...] = ()  # text fields blanked by anonymisation

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def of_client(self, client_pk: Any) -> models.QuerySet[Any]:
        q = Q()
        for path in self.paths:
            q |= Q(**{path: client_pk})
        # One subquery instead of OR-ed joins, so no row comes twice.
        return self.model._default_manager.filter(pk__in=self.model._default_manager.filter(q).values("pk"))

    def of_roots(self, root_pks: list[Any]) -> models.QuerySet[Any]:
        lookup = f"{self.root_path}__in" if self.root_path else "pk__in"
        return self.model._default_manager.filter(**{lookup: root_pks})

    def holds_text(self) -> Q:
        q = Q()
        for name in self.blank:
            q |= ~Q(**{name: ""})
        return q


@dataclass(frozen=True)
class RecordType:
    key: str
    label: Promise
    parts: tuple[Part, ...]  # the first is the root
    ended: str  # the root's field the retention period counts from
    action: str = ANONYMISE
    on_request: bool = False
    pseudonymous: bool = False
    extra_ended: tuple[tuple[str, dict[str, Any]], ...] = field(default=())  # (field, filter) pairs

    @property
    def root(self) -> Part:
        return self.parts[0]

    @property
    def model_labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.parts)

    def expired_q(self, cutoff: dt.datetime) -> Q:
        """Root records whose retention period ended before ``cutoff`` (now minus the period)."""
        q = Q(**{f"{self.ended}__lt": _bound(self.root.model, self.ended, cutoff)})
        for name, extra in self.extra_ended:
            q |= Q(**{f"{name}__lt": _bound(self.root.model, name, cutoff)}, **extra)
        return q

    def personal_q(self) -> Q:
        """Root records that still hold personal data (for a delete type: every record)."""
        if self.action == DELETE:
            return Q(pk__isnull=False)
        q = self.root.holds_text()
        for part in self.parts[1:]:
            if part.blank:
                inner = part.model._default_manager.filter(
                    part.holds_text(), **{part.root_path: OuterRef("pk")}
                )
                q |= Q(Exists(inner))
        return q

    def of_client(self, client_pk: Any) -> models.QuerySet[Any]:
        return self.root.of_client(client_pk)

    def erase(self, roots: models.QuerySet[Any], *, now: dt.datetime) -> int:
        """Anonymise or delete these root records (and their parts); the number of root records."""
        pks = list(roots.values_list("pk", flat=True))
        for chunk in _chunks(pks):
            if self.action == DELETE:
                self.root.of_roots(chunk).delete()
                continue
            for part in self.parts:
                if part.blank:
                    part.of_roots(chunk).update(**dict.fromkeys(part.blank, ""))
            close = CLOSE_ON_ERASE.get(self.key)
            if close is not None:
                close(self.root.of_roots(chunk), now)
        return len(pks)


def _bound(model: type[models.Model], name: str, cutoff: dt.datetime) -> dt.date | dt.datetime:
    if isinstance(model._meta.get_field(name), models.DateTimeField):
        return cutoff
    return timezone.localdate(cutoff)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _close_passes(passes: models.QuerySet[Any], now: dt.datetime) -> None:
    passes.filter(status="active").update(status="withdrawn", withdrawn_at=now)


def _close_pairings(pairings: models.QuerySet[Any], now: dt.datetime) -> None:
    today = timezone.localdate(now)
    for pairing in pairings.filter(status="active"):
        pairing.status, pairing.closed_on, pairing.end_reason = "ended", today, "client_withdrew"
        pairing.ends_on = max(min(pairing.ends_on, today), pairing.starts_on)
        pairing.save(update_fields=["status", "closed_on", "end_reason", "ends_on"])


# An erased client's pass no longer works and her buddy pairing ends.
CLOSE_ON_ERASE = {"pass": _close_passes, "buddy_pairing": _close_pairings}

REFERRAL_TEXT = (
    "reason",
    "goals",
    "risk_notes",
    "decline_reason",
    "end_note",
    "outcome_summary",
    "appointment_place",
)

RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        key="referral",
        label=_("Referrals"),
        parts=(
            Part("referrals.Referral", ("client",), blank=REFERRAL_TEXT),
            Part("referrals.Consent", ("referral__client",), "referral"),
            Part("referrals.ReferralEvent", ("referral__client",), "referral"),
        ),
        ended="closed_at",
        extra_ended=(("updated_at", {"status": "draft"}),),
    ),
    RecordType(
        key="pathway",
        label=_("Pathways"),
        parts=(
            Part("pathways.Pathway", ("client",), blank=("extension_reason", "closure_note")),
            Part("pathways.Goal", ("pathway__client",), "pathway", blank=("text",)),
            Part("pathways.Contact", ("pathway__client",), "pathway", blank=("note",)),
            Part("pathways.Measurement", ("pathway__client",), "pathway"),
            Part("pathways.Outcome", ("pathway__client",), "pathway", blank=("note",)),
            Part("pathways.PathwayEvent", ("pathway__client",), "pathway", blank=("reason",)),
        ),
        ended="closed_on",
    ),
    RecordType(
        key="self_referral",
        label=_("Contact requests"),
        parts=(
            Part(
                "pathways.SelfReferral",
                ("pathway__client", "referral__client"),
                # source_hash: a keyed hash of the sender's network address (the form's rate limit)
                blank=("name", "phone", "email", "message", "closing_note", "source_hash"),
            ),
        ),
        ended="created_at",
        on_request=True,
    ),
    RecordType(
        key="pass",
        label=_("Activity passes"),
        parts=(
            Part("attendance.Pass", ("client",), blank=("withdrawal_reason",)),
            Part("attendance.Visit", ("pass_card__client",), "pass_card"),
            Part("attendance.Reward", ("pass_card__client",), "pass_card"),
        ),
        ended="valid_until",
        on_request=True,
    ),
    RecordType(
        key="buddy_pairing",
        label=_("Peer buddy pairings"),
        parts=(
            Part(
                "buddies.Pairing",
                ("client",),
                blank=("shared_first_name", "shared_phone", "shared_email", "end_note"),
            ),
            Part("buddies.BuddyMeeting", ("pairing__client",), "pairing", blank=("note",)),
        ),
        ended="ends_on",
        extra_ended=(("closed_on", {}),),
        on_request=True,
    ),
    RecordType(
        key="client_plan",
        label=_("Client plans"),
        parts=(
            Part("plans.ClientPlan", ("client",)),
            Part("plans.ActivitySection", ("plan__client",), "plan", blank=("participation", "wishes")),
            Part("plans.AgreedStep", ("plan__client",), "plan", blank=("text",)),
            Part("plans.PlanItem", ("plan__client",), "plan", blank=("note",)),
            Part("plans.IncomeSupportGrant", ("plan__client",), "plan", blank=("purpose_text",)),
        ),
        ended="closed_on",
        extra_ended=(("updated_at", {"status": "draft"}),),
    ),
    RecordType(
        key="feedback_link",
        label=_("Open feedback links"),
        parts=(
            Part("feedback.FeedbackLink", ("pathway__client", "referral__client")),
            Part("feedback.FeedbackReceipt", ("link__pathway__client", "link__referral__client"), "link"),
        ),
        ended="expires_at",
        action=DELETE,
        on_request=True,
    ),
    RecordType(
        key="service_use",
        label=_("Service use (pseudonymous)"),
        parts=(Part("reporting.ServiceUse", ("client",)),),
        ended="month",
        action=DELETE,
        pseudonymous=True,
    ),
)

BY_KEY = {t.key: t for t in RECORD_TYPES}

# The client row itself and its correction history: handled by the services (anonymised last).
CLIENT_PARTS: tuple[Part, ...] = (
    Part("referrals.Client", ("pk",), blank=("first_name", "last_name", "hetu_encrypted", "email", "phone")),
    Part("privacy.ClientCorrection", ("client",), "client"),
)
CLIENT_KEY = "client"
RETENTION_KEYS = (*BY_KEY, CLIENT_KEY)


def covered_model_labels() -> set[str]:
    return {p.label for t in RECORD_TYPES for p in t.parts} | {p.label for p in CLIENT_PARTS}


# --- serialising for the export ---


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def serialize(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """``{"type", "id", "fields"}``: every concrete field by name (a relation as the related id) and
    every many-to-many field as a sorted list of ids."""
    skip = set(exclude)
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in skip:
            continue
        values[f.name] = _json(getattr(obj, f.attname))
    for m2m in obj._meta.many_to_many:
        if m2m.name not in skip:
            values[m2m.name] = sorted(str(pk) for pk in getattr(obj, m2m.name).values_list("pk", flat=True))
    return {"type": obj._meta.label_lower, "id": str(obj.pk), "fields": values}
