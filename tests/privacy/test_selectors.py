"""The right of access: who may look a client up, and what the export holds."""

from __future__ import annotations

import json

import pytest

from hyte.core.crypto import decrypt
from hyte.core.models import AuditEvent, PersonalDataLog
from hyte.privacy import selectors, services
from hyte.privacy.errors import ClientNotFound, NotDataProtectionOfficer
from hyte.privacy.models import ClientCorrection
from hyte.referrals.hetu import InvalidPersonalIdentityCode
from hyte.referrals.models import Client
from tests.conftest import Persona
from tests.privacy.conftest import EMAIL, FIRST, HETU, LAST, OLD_PHONE, PHONE, Records

pytestmark = pytest.mark.django_db


def test_the_officer_finds_the_client_by_code_or_id(dpo_a: Persona, ilmatar: Records) -> None:
    by_code = selectors.client_for_officer(actor=dpo_a.user, personal_identity_code=" 131052-308t ")
    by_id = selectors.client_for_officer(actor=dpo_a.user, client_id=str(ilmatar.client.pk))
    assert by_code.pk == by_id.pk == ilmatar.client.pk


def test_another_organizations_officer_does_not_find_the_client(dpo_b: Persona, ilmatar: Records) -> None:
    with pytest.raises(ClientNotFound):
        selectors.client_for_officer(actor=dpo_b.user, personal_identity_code=HETU)
    with pytest.raises(ClientNotFound):
        selectors.client_for_officer(actor=dpo_b.user, client_id=ilmatar.client.pk)


def test_a_worker_is_no_officer(worker_a: Persona, ilmatar: Records) -> None:
    with pytest.raises(NotDataProtectionOfficer):
        selectors.client_for_officer(actor=worker_a.user, client_id=ilmatar.client.pk)


def test_unknown_and_malformed_look_ups(dpo_a: Persona, ilmatar: Records) -> None:
    with pytest.raises(ClientNotFound):
        selectors.client_for_officer(actor=dpo_a.user, personal_identity_code="010101-0101")
    with pytest.raises(ClientNotFound):
        selectors.client_for_officer(actor=dpo_a.user, client_id="not-a-uuid")
    with pytest.raises(InvalidPersonalIdentityCode):
        selectors.client_for_officer(actor=dpo_a.user, personal_identity_code="131052-308X")


def test_the_export_holds_exactly_the_clients_records(
    dpo_a: Persona, ilmatar: Records, other: Client
) -> None:
    data = services.client_export(actor=dpo_a.user, personal_identity_code=HETU)
    assert data["format"] == "hyte-client-export"
    assert data["format_version"] == 1
    assert data["exported_by"] == "dpo_a"
    person = data["client"]
    assert person["type"] == "referrals.client"
    assert person["id"] == str(ilmatar.client.pk)
    fields = person["fields"]
    assert fields["personal_identity_code"] == HETU
    assert (fields["first_name"], fields["last_name"], fields["email"], fields["phone"]) == (
        FIRST,
        LAST,
        EMAIL,
        PHONE,
    )
    assert fields["birth_year"] == 1952
    assert fields["municipality"] == "272"
    assert fields["pseudonym"] == str(ilmatar.client.pseudonym)
    assert "hetu_encrypted" not in fields and "hetu_hash" not in fields
    found: dict[str, list[str]] = {}
    for row in data["records"]:
        found.setdefault(row["type"], []).append(row["id"])
    expected = {label: ilmatar.ids(label) for label in ilmatar.objects}
    expected["privacy.clientcorrection"] = [str(c.pk) for c in ClientCorrection.objects.all()]
    assert found == expected
    assert len(expected["privacy.clientcorrection"]) == 1
    by_type = {row["type"]: row for row in data["records"]}
    referral = by_type["referrals.referral"]
    assert referral["record_type"] == "referral"
    assert referral["fields"]["reason"] == "Polvi kipeä, liikkuu vähän."
    assert referral["fields"]["client"] == str(ilmatar.client.pk)
    assert referral["fields"]["needs"] == []
    assert by_type["plans.incomesupportgrant"]["fields"]["amount"] == "40.00"
    assert by_type["attendance.visit"]["record_type"] == "pass"
    correction = by_type["privacy.clientcorrection"]
    assert correction["fields"]["field"] == "phone"
    assert correction["fields"]["old_value"] == OLD_PHONE
    assert "old_value_encrypted" not in correction["fields"]
    json.dumps(data)  # plain JSON all the way down


def test_an_export_is_logged_and_audited(dpo_a: Persona, ilmatar: Records) -> None:
    data = services.client_export(actor=dpo_a.user, client_id=ilmatar.client.pk)
    entry = PersonalDataLog.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_id, entry.purpose, entry.actor_id) == (
        "export",
        str(ilmatar.client.pk),
        "data_subject_access",
        dpo_a.user.pk,
    )
    audit = AuditEvent.objects.get(action="privacy.client_export")
    assert audit.object_id == str(ilmatar.client.pk)
    assert audit.details == {"format_version": 1, "records": len(data["records"])}
    assert HETU not in json.dumps(audit.details)


def test_the_correction_history_shows_the_old_value(ilmatar: Records) -> None:
    (row,) = selectors.correction_history(ilmatar.client)
    assert (row.correction.field, row.old_value, row.correction.source) == ("phone", OLD_PHONE, "record")
    assert OLD_PHONE not in row.correction.old_value_encrypted
    assert decrypt(row.correction.old_value_encrypted) == OLD_PHONE
