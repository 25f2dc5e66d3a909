"""Reads of the data protection context, scoped to the acting data protection officer.

Who: a user with the data protection officer role (``UnitRole.Role.DATA_PROTECTION_OFFICER``) in a unit
of an organization that holds some of the client's records (a referral sent or received by one of its
units, a pathway, pass, buddy pairing or client plan of one of its units, or service use it imported).
For anyone else the client does not exist (404); someone without the role at all is refused (403).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.core.crypto import decrypt, lookup_hash
from hyte.privacy import records
from hyte.privacy.errors import ClientNotFound, NotDataProtectionOfficer
from hyte.privacy.history import old_value
from hyte.privacy.models import ClientCorrection
from hyte.referrals import hetu
from hyte.referrals.models import Client
from hyte.referrals.services import HETU_PURPOSE

User = AbstractBaseUser | AnonymousUser
FORMAT = "hyte-client-export"
FORMAT_VERSION = 1


def dpo_organization_ids(user: User) -> set[uuid.UUID]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        Unit.objects.filter(
            roles__user_id=user.pk, roles__role=UnitRole.Role.DATA_PROTECTION_OFFICER
        ).values_list("organization_id", flat=True)
    )


def client_organization_ids(client: Client) -> set[uuid.UUID]:
    """The organizations that hold some of the client's records."""
    from hyte.attendance.models import Pass
    from hyte.buddies.models import Pairing
    from hyte.pathways.models import Pathway
    from hyte.plans.models import ClientPlan
    from hyte.referrals.models import Referral
    from hyte.reporting.models import ServiceUse

    found: set[uuid.UUID] = set()
    referrals = Referral.objects.filter(client=client)
    found |= set(referrals.values_list("referring_unit__organization_id", flat=True))
    found |= set(referrals.values_list("receiving_unit__organization_id", flat=True))
    for model in (Pathway, Pass, Pairing, ClientPlan):
        found |= set(model.objects.filter(client=client).values_list("unit__organization_id", flat=True))
    found |= set(ServiceUse.objects.filter(client=client).values_list("organization_id", flat=True))
    return found


def _parse_client_id(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except ValueError:
        return None


def client_for_officer(*, actor: User, client_id: Any = None, personal_identity_code: str = "") -> Client:
    """The client by id or by henkilötunnus, if one of the officer's organizations holds her data."""
    organizations = dpo_organization_ids(actor)
    if not organizations:
        raise NotDataProtectionOfficer()
    client: Client | None = None
    if personal_identity_code:
        code = hetu.validate(personal_identity_code)  # a malformed code: 400, never repeating it
        client = Client.objects.filter(hetu_hash=lookup_hash(code, purpose=HETU_PURPOSE)).first()
    elif (pk := _parse_client_id(client_id)) is not None:
        client = Client.objects.filter(pk=pk).first()
    if client is None or not organizations & client_organization_ids(client):
        raise ClientNotFound()
    return client


def personal_identity_code(client: Client) -> str:
    return decrypt(client.hetu_encrypted) if client.hetu_encrypted else ""


@dataclass
class HistoryRow:
    correction: ClientCorrection
    old_value: str


def correction_history(client: Client) -> list[HistoryRow]:
    rows = ClientCorrection.objects.filter(client=client).select_related("actor").order_by("at", "id")
    return [HistoryRow(row, old_value(row)) for row in rows]


def record_counts(client: Client) -> list[tuple[records.RecordType, int]]:
    return [(t, t.of_client(client.pk).count()) for t in records.RECORD_TYPES]


def build_export(client: Client, *, exported_by: str = "") -> dict[str, Any]:
    """Everything the platform holds about the client (format ``hyte-client-export`` version 1,
    described in docs/architecture.md, "Data protection"). Pure read: the caller logs it."""
    person = records.serialize(client, exclude=("hetu_encrypted", "hetu_hash"))
    person["fields"]["personal_identity_code"] = personal_identity_code(client)
    out: list[dict[str, Any]] = []
    for record_type in records.RECORD_TYPES:
        for part in record_type.parts:
            for obj in part.of_client(client.pk).order_by("pk"):
                row = records.serialize(obj)
                row["record_type"] = record_type.key
                out.append(row)
    for correction in ClientCorrection.objects.filter(client=client).order_by("at", "id"):
        row = records.serialize(correction, exclude=("old_value_encrypted",))
        row["fields"]["old_value"] = old_value(correction)
        row["record_type"] = records.CLIENT_KEY
        out.append(row)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "exported_by": exported_by,
        "client": person,
        "records": out,
    }
