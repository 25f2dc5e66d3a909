"""The personal data log is append-only and chained: tampering is refused or found."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hyte.core.models import PersonalDataLog
from hyte.core.personal_log import log_personal_data, remote_addr, verify_personal_data_log
from tests.catalog.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(db: None) -> list[PersonalDataLog]:
    obj = OrganizationFactory()
    token = remote_addr.set("192.0.2.7")
    try:
        return [log_personal_data(actor=None, action=f"read{i}", obj=obj, purpose="test") for i in range(5)]
    finally:
        remote_addr.reset(token)


def _without_triggers(sql: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What someone with superuser rights could do: run without triggers for a moment.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER core_personaldatalog_no_update")
            cursor.execute(sql)


def test_entries_are_numbered_and_chained(entries: list[PersonalDataLog]) -> None:
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64 and entries[1].prev_hash == entries[0].hash
    assert entries[0].remote_addr == "192.0.2.7"
    result = verify_personal_data_log()
    assert result.ok and result.entries == 5


def test_update_is_refused_by_the_database(entries: list[PersonalDataLog]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonalDataLog.objects.filter(seq=2).update(purpose="something else")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_delete_is_refused_on_postgresql(entries: list[PersonalDataLog]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonalDataLog.objects.filter(seq=5).delete()


def test_a_changed_entry_breaks_the_chain(entries: list[PersonalDataLog]) -> None:
    _without_triggers("UPDATE core_personaldatalog SET purpose = 'marketing' WHERE seq = 3")
    result = verify_personal_data_log()
    assert (result.ok, result.first_broken, result.reason) == (False, 3, "hash mismatch")


def test_a_removed_entry_is_found(entries: list[PersonalDataLog]) -> None:
    _without_triggers("DELETE FROM core_personaldatalog WHERE seq = 2")
    result = verify_personal_data_log()
    assert (result.first_broken, result.reason) == (2, "missing entry")


def test_removing_the_last_entries_is_found(entries: list[PersonalDataLog]) -> None:
    _without_triggers("DELETE FROM core_personaldatalog WHERE seq >= 4")
    assert verify_personal_data_log().reason == "entries removed from the end"


def test_command(entries: list[PersonalDataLog]) -> None:
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "5 entries, chain intact" in out.getvalue()
    _without_triggers("UPDATE core_personaldatalog SET actor_id = NULL, action = 'x' WHERE seq = 4")
    with pytest.raises(SystemExit) as excinfo:
        call_command("verify_audit_log", stdout=StringIO(), stderr=StringIO())
    assert excinfo.value.code == 1


def test_a_data_protection_officer_sees_her_own_organizations_staff_only(db: None) -> None:
    from hyte.accounts.models import Membership, UnitRole
    from hyte.core.personal_log import personal_data_log_for
    from tests.accounts.factories import MembershipFactory, UnitFactory, UnitRoleFactory

    unit_a, unit_b = UnitFactory(), UnitFactory()  # two organizations
    worker_a = UnitRoleFactory(unit=unit_a, role=UnitRole.Role.RECEIVER).user
    editor_a = MembershipFactory(organization=unit_a.organization, role=Membership.Role.EDITOR).user
    worker_b = UnitRoleFactory(unit=unit_b, role=UnitRole.Role.RECEIVER).user
    dpo_a = UnitRoleFactory(unit=unit_a, role=UnitRole.Role.DATA_PROTECTION_OFFICER).user
    dpo_b = UnitRoleFactory(unit=unit_b, role=UnitRole.Role.DATA_PROTECTION_OFFICER).user
    obj = OrganizationFactory()
    by_a = log_personal_data(actor=worker_a, action="read", obj=obj, purpose="test")
    by_editor_a = log_personal_data(actor=editor_a, action="read", obj=obj, purpose="test")
    by_b = log_personal_data(actor=worker_b, action="read", obj=obj, purpose="test")
    public = log_personal_data(actor=None, action="self_report", obj=obj, purpose="test")

    def seqs(actor: object) -> list[int]:
        return list(personal_data_log_for(actor=actor).values_list("seq", flat=True))  # type: ignore[arg-type]

    assert seqs(dpo_a) == [public.seq, by_editor_a.seq, by_a.seq]
    assert seqs(dpo_b) == [public.seq, by_b.seq]
    assert seqs(worker_a) == []
