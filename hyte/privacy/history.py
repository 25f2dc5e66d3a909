"""The correction history of a client's personal data (right to rectification).

``snapshot(client)`` takes the tracked values before a change; ``record_changes`` writes one
``ClientCorrection`` per field whose value changed, the old value encrypted. Called inside the
writing service's transaction (``referrals.services.client_record``, ``privacy.services.client_correct``).
Values never go to logs or the audit trail: only the field names do.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from hyte.core.crypto import decrypt, encrypt
from hyte.privacy.models import ClientCorrection

F = ClientCorrection.Field
TRACKED = tuple(F)


def _value(client: Any, field: str) -> str:
    if field == F.PERSONAL_IDENTITY_CODE:
        return decrypt(client.hetu_encrypted) if client.hetu_encrypted else ""
    if field == F.MUNICIPALITY:
        return client.municipality_id or ""
    value = getattr(client, field)
    return "" if value is None else str(value)


def snapshot(client: Any) -> dict[str, str]:
    """The tracked values as text (the henkilötunnus decrypted); empty for a client not saved yet."""
    if client.pk is None or client._state.adding:
        return {}
    return {field: _value(client, field) for field in TRACKED}


def record_changes(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    client: Any,
    before: dict[str, str],
    source: str,
    reason: str = "",
) -> list[str]:
    """A history row per changed field; the names of the changed fields."""
    if not before:
        return []
    changed = [field for field in TRACKED if _value(client, field) != before[field]]
    by = actor.pk if actor is not None and actor.is_authenticated else None
    ClientCorrection.objects.bulk_create(
        ClientCorrection(
            client=client,
            field=field,
            old_value_encrypted=encrypt(before[field]),
            source=source,
            reason=reason,
            actor_id=by,
        )
        for field in changed
    )
    return [str(f) for f in changed]


def old_value(correction: ClientCorrection) -> str:
    return decrypt(correction.old_value_encrypted) if correction.old_value_encrypted else ""
