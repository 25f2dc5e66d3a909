"""Writes of the data protection context: the export (logged), corrections, erasure, and the retention
job. Each is one transaction with its personal data log and audit entries; audit details hold codes,
field names and counts, never personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hyte.core.audit import audit_record
from hyte.core.crypto import encrypt, lookup_hash
from hyte.core.errors import InvalidParameter
from hyte.core.personal_log import log_personal_data
from hyte.privacy import records, selectors
from hyte.privacy.errors import HetuInUse, NothingToCorrect, RetentionNotExpired
from hyte.privacy.history import record_changes, snapshot
from hyte.privacy.models import MAX_REASON, ClientCorrection, RetentionRun
from hyte.referrals import hetu
from hyte.referrals.models import Client
from hyte.referrals.services import HETU_PURPOSE

User = AbstractBaseUser | AnonymousUser
PURPOSE_ACCESS = "data_subject_access"
PURPOSE_RECTIFICATION = "rectification"
PURPOSE_ERASURE = "erasure"
PURPOSE_RETENTION = "retention"


class ErasureReason(models.TextChoices):
    REQUEST = "request", gettext_lazy("The client asked for erasure")
    CONSENT_WITHDRAWN = "consent_withdrawn", gettext_lazy("The client withdrew her consent")
    NOT_NEEDED = "not_needed", gettext_lazy("The data is no longer needed")
    UNLAWFUL = "unlawful", gettext_lazy("The data was processed unlawfully")


def _cutoff(key: str, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=int(settings.HYTE_RETENTION[key]))


# --- right of access ---


@transaction.atomic
def client_export(*, actor: User, client_id: Any = None, personal_identity_code: str = "") -> dict[str, Any]:
    """The client's data as a JSON-ready dict (``selectors.build_export``), for a data protection
    officer of an organization holding it; logged and audited before it is returned."""
    client = selectors.client_for_officer(
        actor=actor, client_id=client_id, personal_identity_code=personal_identity_code
    )
    data = selectors.build_export(client, exported_by=actor.get_username() if actor.is_authenticated else "")
    log_personal_data(actor=actor, action="export", obj=client, purpose=PURPOSE_ACCESS)
    audit_record(
        actor=actor,
        action="privacy.client_export",
        obj=client,
        details={"format_version": data["format_version"], "records": len(data["records"])},
    )
    return data


# --- right to rectification ---

CORRECTABLE = (
    ClientCorrection.Field.FIRST_NAME,
    ClientCorrection.Field.LAST_NAME,
    ClientCorrection.Field.PERSONAL_IDENTITY_CODE,
    ClientCorrection.Field.EMAIL,
    ClientCorrection.Field.PHONE,
    ClientCorrection.Field.PREFERRED_LANGUAGE,
    ClientCorrection.Field.MUNICIPALITY,
    ClientCorrection.Field.BIRTH_YEAR,
)


@transaction.atomic
def client_correct(*, actor: User, client_id: Any, changes: dict[str, Any], reason: str) -> Client:
    """Correct the client's personal data (fields of ``CORRECTABLE``; a value left out is unchanged).
    The old values go to the correction history, encrypted. A new henkilötunnus also sets the year of
    birth. Needs a reason."""
    client = selectors.client_for_officer(actor=actor, client_id=client_id)
    client = Client.objects.select_for_update().get(pk=client.pk)
    reason = reason.strip()
    if not reason:
        raise InvalidParameter(
            _("Give the reason for the correction."), details={"field": "reason", "reason": "required"}
        )
    if len(reason) > MAX_REASON:
        raise InvalidParameter(
            _("The reason is too long."), details={"field": "reason", "reason": "too_long"}
        )
    unknown = set(changes) - {str(f) for f in CORRECTABLE}
    if unknown:
        raise InvalidParameter(details={"fields": sorted(unknown), "reason": "not_correctable"})
    before = snapshot(client)
    F = ClientCorrection.Field
    for name, value in changes.items():
        text = "" if value is None else str(value).strip()
        if name == F.PERSONAL_IDENTITY_CODE:
            _set_hetu(client, text)
        elif name == F.MUNICIPALITY:
            client.municipality_id = text or None
        elif name == F.BIRTH_YEAR:
            if text and not text.isdigit():
                raise InvalidParameter(
                    _("The year of birth must be a number."),
                    details={"field": "birth_year", "reason": "not_a_year"},
                )
            client.birth_year = int(text) if text else None
        else:
            setattr(client, name, text)
    try:
        client.full_clean()
    except ValidationError as exc:
        raise InvalidParameter(
            _("Some fields are missing or invalid."), details={"fields": exc.message_dict}
        ) from exc
    client.save()
    changed = record_changes(
        actor=actor, client=client, before=before, source=ClientCorrection.Source.CORRECTION, reason=reason
    )
    if not changed:
        raise NothingToCorrect()
    log_personal_data(actor=actor, action="correct", obj=client, purpose=PURPOSE_RECTIFICATION)
    audit_record(actor=actor, action="privacy.client_correct", obj=client, details={"fields": changed})
    return client


def _set_hetu(client: Client, text: str) -> None:
    if not text:
        client.hetu_encrypted, client.hetu_hash = "", None
        return
    code = hetu.validate(text)
    digest = lookup_hash(code, purpose=HETU_PURPOSE)
    if Client.objects.filter(hetu_hash=digest).exclude(pk=client.pk).exists():
        raise HetuInUse(details={"field": "personal_identity_code"})
    if digest != client.hetu_hash:
        client.hetu_encrypted, client.hetu_hash = encrypt(code), digest
    client.birth_year = hetu.birth_date(code).year


# --- erasure ---

CLIENT_TEXT = {"first_name": "", "last_name": "", "hetu_encrypted": "", "email": "", "phone": ""}


def _client_personal_q() -> Q:
    return (
        ~Q(first_name="")
        | ~Q(last_name="")
        | ~Q(hetu_encrypted="")
        | Q(hetu_hash__isnull=False)
        | ~Q(email="")
        | ~Q(phone="")
        | Q(Exists(ClientCorrection.objects.filter(client=OuterRef("pk"))))
    )


def _anonymise_clients(clients: models.QuerySet[Client], *, actor: User | None, purpose: str) -> int:
    """Blank names, the henkilötunnus and contact details, drop the correction history; the pseudonym,
    year of birth, municipality and language stay for statistics."""
    pks = list(clients.values_list("pk", flat=True))
    for chunk in records._chunks(pks):
        ClientCorrection.objects.filter(client_id__in=chunk).delete()
        Client.objects.filter(pk__in=chunk).update(hetu_hash=None, updated_at=timezone.now(), **CLIENT_TEXT)
        for pk in chunk:
            log_personal_data(actor=actor, action="anonymise", obj=Client(pk=pk), purpose=purpose)
    return len(pks)


@transaction.atomic
def client_erase(*, actor: User, client_id: Any, reason: str) -> dict[str, int]:
    """Erase what the platform holds about the client: records past their retention period, and those
    a client may have removed on request (``RecordType.on_request``), are anonymised or deleted; the
    client row keeps only its pseudonym, year of birth, municipality and language. Refused as a whole
    (``retention_not_expired``, with the record types and counts still kept) while any other record
    is within its period. Pseudonymous service use is left to its own period. The counts per type."""
    if reason not in ErasureReason.values:
        raise InvalidParameter(details={"field": "reason", "reason": "unknown"})
    client = selectors.client_for_officer(actor=actor, client_id=client_id)
    client = Client.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    kept: dict[str, int] = {}
    for record_type in records.RECORD_TYPES:
        if record_type.on_request or record_type.pseudonymous:
            continue
        cutoff = _cutoff(record_type.key, now)
        count = record_type.of_client(client.pk).exclude(record_type.expired_q(cutoff)).count()
        if count:
            kept[record_type.key] = count
    if kept:
        raise RetentionNotExpired(details={"record_types": kept})
    counts: dict[str, int] = {}
    for record_type in records.RECORD_TYPES:
        if record_type.pseudonymous:
            continue
        counts[record_type.key] = record_type.erase(record_type.of_client(client.pk), now=now)
    counts[records.CLIENT_KEY] = _anonymise_clients(
        Client.objects.filter(pk=client.pk), actor=actor, purpose=PURPOSE_ERASURE
    )
    audit_record(
        actor=actor, action="privacy.client_erase", obj=client, details={"reason": reason, "counts": counts}
    )
    return counts


# --- the retention job ---


@dataclass
class RetentionLine:
    key: str
    label: Any
    action: str
    days: int
    count: int


def _clients_due(now: dt.datetime) -> models.QuerySet[Client]:
    """Clients holding personal data, not updated within their period, none of whose records (other
    than pseudonymous ones) is still within its retention period."""
    due = Client.objects.filter(_client_personal_q(), updated_at__lt=_cutoff(records.CLIENT_KEY, now))
    for record_type in records.RECORD_TYPES:
        if record_type.pseudonymous:
            continue
        root = record_type.root
        q = Q()
        for path in root.paths:
            q |= Q(**{path: OuterRef("pk")})
        kept = root.model._default_manager.filter(q).exclude(
            record_type.expired_q(_cutoff(record_type.key, now))
        )
        due = due.exclude(Exists(kept))
    return due


def retention_plan(*, now: dt.datetime | None = None) -> list[RetentionLine]:
    """What ``apply_retention`` would do now: per record type, how many records it would anonymise or
    delete. Reads only."""
    now = now or timezone.now()
    lines = []
    for record_type in records.RECORD_TYPES:
        due = _due(record_type, now)
        lines.append(
            RetentionLine(
                record_type.key,
                record_type.label,
                record_type.action,
                int(settings.HYTE_RETENTION[record_type.key]),
                due.count(),
            )
        )
    lines.append(
        RetentionLine(
            records.CLIENT_KEY,
            gettext_lazy("Clients"),
            records.ANONYMISE,
            int(settings.HYTE_RETENTION[records.CLIENT_KEY]),
            _clients_due(now).count(),
        )
    )
    return lines


def _due(record_type: records.RecordType, now: dt.datetime) -> models.QuerySet[Any]:
    manager = record_type.root.model._default_manager
    return manager.filter(record_type.expired_q(_cutoff(record_type.key, now))).filter(
        record_type.personal_q()
    )


@transaction.atomic
def retention_apply(*, actor: User | None = None, now: dt.datetime | None = None) -> RetentionRun:
    """Anonymise or delete every record past its retention period, then the clients left with none.
    One ``RetentionRun`` and one audit entry with the counts; a personal data log entry per client
    anonymised. The personal data log itself is never touched."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for record_type in records.RECORD_TYPES:
        counts[record_type.key] = record_type.erase(_due(record_type, now), now=now)
    counts[records.CLIENT_KEY] = _anonymise_clients(_clients_due(now), actor=actor, purpose=PURPOSE_RETENTION)
    run = RetentionRun.objects.create(counts=counts)
    audit_record(actor=actor, action="privacy.retention_apply", obj=run, details={"counts": counts})
    return run
