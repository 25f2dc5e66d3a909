"""The personal data log: record an access, verify the chain.

``log_personal_data`` is called by services and selectors that read or write a client's personal data,
inside their transaction (the entry commits with the change, or the read's log is written before the
data is returned). The request's address comes from ``RequestOriginMiddleware`` (a context variable;
behind trusted proxies the forwarded client address, see ``hyte.core.origin``), so services need not
pass it along. On PostgreSQL an entry is appended in one statement (``_APPEND_PG``).
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
from django.db import connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hyte.core.models import PersonalDataLog, PersonalDataLogHead
from hyte.core.origin import client_ip

GENESIS = "0" * 64
remote_addr: contextvars.ContextVar[str] = contextvars.ContextVar("remote_addr", default="")


class RequestOriginMiddleware:
    """Makes the client address of the request available to the personal data log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = remote_addr.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            remote_addr.reset(token)


def _hash_tail(entry: PersonalDataLog) -> str:
    """The fields after ``prev_hash`` and ``seq`` in the hashed text (unit separator between fields)."""
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        at,
        str(entry.actor_id or ""),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.purpose,
        entry.remote_addr,
    ]
    return "\x1f" + "\x1f".join(fields)


def entry_hash(prev_hash: str, entry: PersonalDataLog) -> str:
    text = f"{prev_hash}\x1f{entry.seq}{_hash_tail(entry)}"
    return hashlib.sha256(text.encode()).hexdigest()


# PostgreSQL appends in one statement: lock the head, compute the next hash in the database (sha256()
# over the same text entry_hash builds), move the head and insert the entry. One round trip instead of
# three, and the head's row lock is taken as late as possible in the caller's transaction.
_APPEND_PG = """
WITH head AS (
    SELECT seq, hash FROM core_personaldataloghead WHERE id = 1 FOR UPDATE
), next AS (
    SELECT head.seq + 1 AS seq, head.hash AS prev,
           encode(sha256(convert_to(head.hash || chr(31) || (head.seq + 1)::text || %(tail)s, 'UTF8')),
                  'hex') AS hash
    FROM head
), moved AS (
    UPDATE core_personaldataloghead SET seq = next.seq, hash = next.hash FROM next
    WHERE core_personaldataloghead.id = 1
)
INSERT INTO core_personaldatalog
    (seq, at, actor_id, action, object_type, object_id, purpose, remote_addr, prev_hash, hash)
SELECT next.seq, %(at)s, %(actor_id)s, %(action)s, %(object_type)s, %(object_id)s, %(purpose)s,
       %(remote_addr)s, next.prev, next.hash
FROM next
RETURNING seq, prev_hash, hash
"""


@transaction.atomic(savepoint=False)  # part of the caller's transaction; no savepoint round trips
def log_personal_data(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model,
    purpose: str,
) -> PersonalDataLog:
    entry = PersonalDataLog(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        purpose=purpose,
        remote_addr=remote_addr.get(),
    )
    if connection.vendor == "postgresql":
        params = {f: getattr(entry, f) for f in ("at", "actor_id", "action", "object_type", "object_id")}
        params |= {"purpose": entry.purpose, "remote_addr": entry.remote_addr, "tail": _hash_tail(entry)}
        with connection.cursor() as cursor:
            cursor.execute(_APPEND_PG, params)
            row = cursor.fetchone()
        if row is not None:
            entry.seq, entry.prev_hash, entry.hash = row
            return entry
        # No head row: a flushed test database (the migration creates it); make it and go on below.
    # SQLite (one writer at a time anyway) and the first entry of a flushed database.
    head, _ = PersonalDataLogHead.objects.select_for_update().get_or_create(pk=1)
    entry.seq, entry.prev_hash = head.seq + 1, head.hash
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


def verify_personal_data_log(*, chunk: int = 5000, using: str = "default") -> Verification:
    """Walk the chain from the first entry: every hash must follow from the previous one, numbers must
    run without gaps, and the head must point at the last entry. ``using``: the database alias (a
    restored copy can be checked through a second alias)."""
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows: list[Any] = list(
            PersonalDataLog.objects.using(using).filter(seq__gt=last_seq).order_by("seq")[:chunk]
        )
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Verification(count, expected_seq, "missing entry")
            if entry.prev_hash != prev or entry_hash(prev, entry) != entry.hash:
                return Verification(count, entry.seq, "hash mismatch")
            prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
        last_seq = rows[-1].seq
    head = PersonalDataLogHead.objects.using(using).filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (count, prev):
        return Verification(count, count + 1, "entries removed from the end")
    return Verification(count, None)


def personal_data_log_for(
    *, actor: AbstractBaseUser | AnonymousUser, object_id: str = "", actor_name: str = "", action: str = ""
) -> models.QuerySet[PersonalDataLog]:
    """The log for a data protection officer (the ``dpo`` role in a unit); nothing for anyone else.

    She sees what the staff of her organizations did (users with a unit role or a membership there, and
    the buddies their units coordinate), and the entries without an actor (a pass holder's own
    self-report, a public contact request: an opaque object id only); never what another
    organization's staff did."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from hyte.accounts.models import UnitRole
    from hyte.accounts.selectors import is_data_protection_officer

    if not is_data_protection_officer(actor):
        return PersonalDataLog.objects.none()
    organizations = UnitRole.objects.filter(
        user__pk=actor.pk,  # type: ignore[misc]
        role=UnitRole.Role.DATA_PROTECTION_OFFICER,
    ).values("unit__organization_id")
    staff = get_user_model().objects.filter(
        Q(unit_roles__unit__organization_id__in=organizations)
        | Q(memberships__organization_id__in=organizations)
        | Q(buddy__unit__organization_id__in=organizations)
    )
    entries = (
        PersonalDataLog.objects.filter(Q(actor__isnull=True) | Q(actor_id__in=staff.values("pk")))
        .select_related("actor")
        .order_by("-seq")
    )
    if object_id:
        entries = entries.filter(object_id=object_id.strip()[:64])
    if actor_name:
        entries = entries.filter(actor__username=actor_name.strip()[:150])
    if action:
        entries = entries.filter(action=action.strip()[:40])
    return entries
