"""The personal data log: record an access, verify the chain.

``log_personal_data`` is called by services and selectors that read or write a client's personal data,
inside their transaction (the entry commits with the change, or the read's log is written before the
data is returned). The request's address comes from ``RequestOriginMiddleware`` (a context variable),
so services need not pass it along.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hyte.core.models import PersonalDataLog, PersonalDataLogHead

GENESIS = "0" * 64
remote_addr: contextvars.ContextVar[str] = contextvars.ContextVar("remote_addr", default="")


class RequestOriginMiddleware:
    """Makes the client address of the request available to the personal data log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = remote_addr.set(str(request.META.get("REMOTE_ADDR", ""))[:45])
        try:
            return self.get_response(request)
        finally:
            remote_addr.reset(token)


def entry_hash(prev_hash: str, entry: PersonalDataLog) -> str:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        prev_hash,
        str(entry.seq),
        at,
        str(entry.actor_id or ""),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.purpose,
        entry.remote_addr,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


@transaction.atomic(savepoint=False)  # part of the caller's transaction; no savepoint round trips
def log_personal_data(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model,
    purpose: str,
) -> PersonalDataLog:
    # The migration creates the head; a flushed test database may not have it.
    head, _ = PersonalDataLogHead.objects.select_for_update().get_or_create(pk=1)
    entry = PersonalDataLog(
        seq=head.seq + 1,
        at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        purpose=purpose,
        remote_addr=remote_addr.get(),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, entry)
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class Verification:
    entries: int
    first_broken: int | None  # seq of the first entry that does not match the chain
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify_personal_data_log(*, chunk: int = 5000) -> Verification:
    """Walk the chain from the first entry: every hash must follow from the previous one, numbers must
    run without gaps, and the head must point at the last entry."""
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows: list[Any] = list(PersonalDataLog.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Verification(count, expected_seq, "missing entry")
            if entry.prev_hash != prev or entry_hash(prev, entry) != entry.hash:
                return Verification(count, entry.seq, "hash mismatch")
            prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
        last_seq = rows[-1].seq
    head = PersonalDataLogHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (count, prev):
        return Verification(count, count + 1, "entries removed from the end")
    return Verification(count, None)


def personal_data_log_for(
    *, actor: AbstractBaseUser | AnonymousUser, object_id: str = "", actor_name: str = "", action: str = ""
) -> models.QuerySet[PersonalDataLog]:
    """The log for a data protection officer (the ``dpo`` role in any unit); nothing for anyone else."""
    from hyte.accounts.selectors import is_data_protection_officer

    if not is_data_protection_officer(actor):
        return PersonalDataLog.objects.none()
    entries = PersonalDataLog.objects.select_related("actor").order_by("-seq")
    if object_id:
        entries = entries.filter(object_id=object_id.strip()[:64])
    if actor_name:
        entries = entries.filter(actor__username=actor_name.strip()[:150])
    if action:
        entries = entries.filter(action=action.strip()[:40])
    return entries
