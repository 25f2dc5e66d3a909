"""Backups: a backup restores into an empty database with the same row counts, migrations and an intact
personal data log chain; damaged files, other engines' backups and non-empty targets are refused.

The source is the test database (committed data: transactional tests, so pg_dump in another process
sees it). The target is a second database alias: a temporary SQLite file, or on PostgreSQL the scratch
database ``hyte_backup_restore_test``."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation

from hyte.accounts.models import Unit, UnitRole
from hyte.core import backup
from hyte.core.backup import BackupError, create_backup, database_alias, restore_backup, sqlite_alias
from hyte.core.models import AuditEvent, PersonalDataLog, PersonalDataLogHead
from hyte.core.personal_log import verify_personal_data_log
from hyte.referrals.services import referral_create
from tests.accounts.factories import UnitFactory, UnitRoleFactory
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in English (the catalogs translate them; management commands speak
    the site's language, Finnish, by default)."""
    with translation.override("en"):
        yield


SCRATCH = "hyte_backup_restore_test"


@pytest.fixture
def populated() -> None:
    """Two referrals with consent: clients, consents and personal data log entries."""
    unit_from = UnitFactory(name_fi="Kokkolan terveysasema")
    unit_to = UnitFactory(
        name_fi="Kokkolan liikuntaneuvonta", kind=Unit.Kind.EXERCISE_COUNSELLING, receives_referrals=True
    )
    pro = UnitRoleFactory(unit=unit_from, role=UnitRole.Role.PROFESSIONAL, user__username="pro_backup").user
    for _ in range(2):
        referral_create(
            actor=pro,
            referring_unit_id=unit_from.pk,
            receiving_unit_id=unit_to.pk,
            kind="exercise",
            client=client_data(),
            reason="Liikkuu vähän.",
            consent=consent_data(),
        )
    assert PersonalDataLog.objects.exists()


def _pg_admin(sql: str) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    ) as admin:
        admin.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """An empty database under a second alias."""
    if connection.vendor == "sqlite":
        with sqlite_alias(tmp_path / "target.sqlite3") as alias:
            yield alias
        return
    _pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{SCRATCH}"')
    try:
        with database_alias(dict(connection.settings_dict, NAME=SCRATCH, TEST={"NAME": SCRATCH})) as alias:
            yield alias
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def _tables(alias: str) -> list[str]:
    return list(connections[alias].introspection.table_names())


def test_restore_into_an_empty_database_gives_the_same_rows_and_chain(
    populated: None, target: str, tmp_path: Path
) -> None:
    path, manifest = create_backup(tmp_path / "b" / "hyte.backup")
    report = restore_backup(path, using=target)
    assert report.problems == []
    assert report.state.counts == manifest["row_counts"]
    assert report.state.counts["core_personaldatalog"] == PersonalDataLog.objects.count() > 0
    assert report.state.migrations == manifest["migrations"]
    # The chain verifies on the restored copy, read through the second connection.
    result = verify_personal_data_log(using=target)
    assert result.ok and result.entries == PersonalDataLog.objects.count()
    assert (
        PersonalDataLogHead.objects.using(target).get(pk=1).hash == PersonalDataLogHead.objects.get(pk=1).hash
    )
    # The restore's own audit entry is written after the restore (the restore replaced the table).
    restored = AuditEvent.objects.using(target).filter(action="backup.restore")
    assert restored.count() == 1 and restored.get().details["verified"] is True
    assert AuditEvent.objects.filter(action="backup.create", details__file="hyte.backup").count() == 1


def test_manifest_and_permissions(populated: None, tmp_path: Path) -> None:
    path, manifest = create_backup(tmp_path / "hyte.backup")
    manifest_file = path.with_name("hyte.backup.json")
    assert json.loads(manifest_file.read_text()) == manifest
    for file in (path, manifest_file):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert manifest["engine"] == connection.vendor
    assert manifest["sha256"] == backup.sha256_of(path)
    assert manifest["migrations"]["core"] >= "0003_personal_data_log_append_only"
    assert manifest["row_counts"]["core_personaldatalog"] == PersonalDataLog.objects.count()
    head = PersonalDataLogHead.objects.get(pk=1)
    assert manifest["personal_data_log"] == {"entries": head.seq, "head": head.hash, "valid": True}
    assert "created_at" in manifest
    assert not list(tmp_path.glob(".*.part*")), "no temporary files left behind"


def test_default_output_goes_under_var_dir(populated: None, tmp_path: Path, settings: object) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    path, _ = create_backup()
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("hyte-") and path.with_name(path.name + ".json").exists()


def test_damaged_file_is_refused_before_the_database_is_touched(
    populated: None, target: str, tmp_path: Path
) -> None:
    path, _ = create_backup(tmp_path / "hyte.backup")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    before = _tables(target)
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(path, using=target)
    assert _tables(target) == before == []


def test_missing_manifest_is_refused(populated: None, target: str, tmp_path: Path) -> None:
    path, _ = create_backup(tmp_path / "hyte.backup")
    path.with_name("hyte.backup.json").unlink()
    with pytest.raises(BackupError, match="manifest"):
        restore_backup(path, using=target)
    assert _tables(target) == []


def test_database_with_data_is_refused_without_force(populated: None, target: str, tmp_path: Path) -> None:
    path, _ = create_backup(tmp_path / "hyte.backup")
    restore_backup(path, using=target)
    with pytest.raises(BackupError, match="--force"):
        restore_backup(path, using=target)
    assert AuditEvent.objects.using(target).filter(action="backup.restore").count() == 1
    report = restore_backup(path, using=target, force=True)
    assert report.problems == []
    assert AuditEvent.objects.using(target).filter(action="backup.restore").count() == 1


def test_another_engines_backup_is_refused(populated: None, target: str, tmp_path: Path) -> None:
    path, manifest = create_backup(tmp_path / "hyte.backup")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path.with_name("hyte.backup.json").write_text(json.dumps(manifest | {"engine": other}))
    with pytest.raises(BackupError, match="restore refused") as error:
        restore_backup(path, using=target)
    assert other in str(error.value)
    assert _tables(target) == []


def test_bad_output_paths_give_clear_errors(populated: None, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="directory"):
        create_backup(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BackupError, match="folder"):
        create_backup(blocker / "sub" / "hyte.backup")


def test_missing_tool_is_named() -> None:
    with pytest.raises(BackupError, match="not found"):
        backup._run("/nonexistent/pg_dump_missing", [], {})


def test_pg_password_goes_to_the_environment_only() -> None:
    original = connection.settings_dict.get("PASSWORD")
    connection.settings_dict["PASSWORD"] = "s3cret-pw"
    try:
        args, env = backup.pg_env()
    finally:
        connection.settings_dict["PASSWORD"] = original
    assert "s3cret-pw" not in " ".join(args)
    assert env["PGPASSWORD"] == "s3cret-pw"


def test_commands(populated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmd.backup"
    call_command("backup", output=out)
    assert out.exists() and "cmd.backup" in capsys.readouterr().out
    # The test database holds data: the command refuses and exits 1 with the reason.
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore", str(out), yes=True)
    assert exit_info.value.code == 1
    assert "--force" in capsys.readouterr().err
    # A damaged file: refused with exit 1.
    out.write_bytes(b"not a backup")
    with pytest.raises(SystemExit):
        call_command("restore", str(out), yes=True, force=True)
    assert "checksum" in capsys.readouterr().err


def test_full_disk_leaves_no_partial_file(
    populated: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "sha256_of", full)
    with pytest.raises(BackupError, match="No space left on device"):
        create_backup(tmp_path / "hyte.backup")
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="backup.create").exists()
