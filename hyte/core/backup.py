"""Backups of the whole database and their restore (``manage.py backup`` / ``manage.py restore``).

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database page by page, so
the app may keep writing. PostgreSQL: ``pg_dump --format=custom`` from a snapshot exported by a
repeatable-read transaction, in which the manifest's row counts and chain head are read too, so the
manifest describes exactly what the dump holds. The password goes to the tools through ``PGPASSWORD``
in their environment, never on a command line.

Next to each backup ``<name>.json`` (the manifest): engine, the latest applied migration per app, row
counts per table, the time, the file's sha256 and the personal data log's chain head. A restore checks
the sha256 before touching the database, refuses another engine's backup and a database that already
holds data (unless forced), and afterwards compares row counts and migrations with the manifest and
verifies the personal data log's chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.core.models import AuditEvent, PersonalDataLog, PersonalDataLogHead
from hyte.core.personal_log import verify_personal_data_log

PG_DUMP = "/usr/bin/pg_dump"
PG_RESTORE = "/usr/bin/pg_restore"
MANIFEST_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is translated and safe to show."""


@dataclass
class State:
    counts: dict[str, int]
    migrations: dict[str, str]
    chain_entries: int
    chain_ok: bool
    chain_head: str


def engine(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            _("Backups support SQLite and PostgreSQL only, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def database_state(using: str = "default") -> State:
    """Row counts per table, the latest applied migration per app and the chain's state."""
    conn = connections[using]
    qn = conn.ops.quote_name
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 (names from introspection)
            counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, str] = {}
    if MigrationRecorder.Migration._meta.db_table in counts:
        for app, name in sorted(MigrationRecorder(conn).applied_migrations()):
            migrations[app] = max(migrations.get(app, ""), name)
    chain_ok, entries, head_hash = True, 0, ""
    if PersonalDataLog._meta.db_table in counts:
        result = verify_personal_data_log(using=using)
        chain_ok, entries = result.ok, result.entries
        head = PersonalDataLogHead.objects.using(using).filter(pk=1).first()
        head_hash = head.hash if head is not None else ""
    return State(counts, migrations, entries, chain_ok, head_hash)


def holds_data(using: str = "default") -> bool:
    """True when the database holds anything a restore would destroy: users, audit events or personal
    data log entries. A freshly migrated database (code lists from data migrations) does not."""
    conn = connections[using]
    tables = set(conn.introspection.table_names())
    for model in (get_user_model(), AuditEvent, PersonalDataLog):
        if model._meta.db_table in tables and model._default_manager.db_manager(using).exists():
            return True
    return False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def default_output(vendor: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if vendor == "sqlite" else "dump"
    return Path(settings.VAR_DIR) / "backups" / f"hyte-{stamp}.{suffix}"


def _private_file(path: Path) -> None:
    """Create an empty file only the owner can read (0600) before anything is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def pg_env(using: str = "default") -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools and an environment with the password."""
    s = connections[using].settings_dict
    args: list[str] = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    args += ["--dbname", str(s["NAME"])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    if not Path(tool).exists() and shutil.which(Path(tool).name) is None:
        raise BackupError(_("%(tool)s was not found; install the PostgreSQL client tools.") % {"tool": tool})
    binary = tool if Path(tool).exists() else str(shutil.which(Path(tool).name))
    result = subprocess.run([binary, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        # The tools' messages name tables and settings, never the password (it is only in the environment).
        detail = result.stderr.strip().splitlines()[-1:] or [""]
        raise BackupError(
            _("%(tool)s failed (exit code %(code)s): %(detail)s")
            % {"tool": Path(tool).name, "code": result.returncode, "detail": detail[0]}
        )


def _audit(using: str, action: str, details: dict[str, Any]) -> None:
    head = PersonalDataLogHead(pk=1)
    if using == "default":
        from hyte.core.audit import audit_record

        audit_record(actor=None, action=action, obj=head, details=details)
    else:
        AuditEvent.objects.using(using).create(
            action=action, object_type=head._meta.label_lower, object_id="1", details=details
        )


@contextlib.contextmanager
def database_alias(config: dict[str, Any]) -> Iterator[str]:
    """A temporary database alias (not in ``DATABASES``) for another database, e.g. a backup file to
    read or a scratch database to restore into; closed and forgotten afterwards."""
    alias = f"backup_{uuid.uuid4().hex[:12]}"
    full = connections.configure_settings({"default": dict(config), alias: dict(config)})[alias]
    connections[alias] = load_backend(full["ENGINE"]).DatabaseWrapper(full, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def sqlite_alias(path: Path) -> contextlib.AbstractContextManager[str]:
    """A temporary database alias for an SQLite file."""
    return database_alias(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "TEST": {"NAME": str(path)}}
    )


def _state_dict(state: State) -> dict[str, Any]:
    return {
        "row_counts": state.counts,
        "migrations": state.migrations,
        "personal_data_log": {
            "entries": state.chain_entries,
            "head": state.chain_head,
            "valid": state.chain_ok,
        },
    }


def create_backup(output: Path | None = None, *, using: str = "default") -> tuple[Path, dict[str, Any]]:
    """Write a backup and its manifest; returns the backup's path and the manifest."""
    vendor = engine(using)
    path = Path(output) if output else default_output(vendor)
    if path.exists() and path.is_dir():
        raise BackupError(_("%(path)s is a directory; give a file name.") % {"path": path})
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(
            _("Cannot create the folder %(path)s: %(error)s") % {"path": path.parent, "error": exc.strerror}
        ) from exc
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        _private_file(tmp)
        if vendor == "sqlite":
            conn = connections[using]
            conn.ensure_connection()
            target = sqlite3.connect(tmp)
            try:
                conn.connection.backup(target)
            finally:
                target.close()
            with sqlite_alias(tmp) as alias:
                state = database_state(alias)
        else:
            state = _pg_dump(tmp, using)
        digest = sha256_of(tmp)
        manifest = {
            "version": MANIFEST_VERSION,
            "engine": vendor,
            "file": path.name,
            "created_at": timezone.now().isoformat(),
            "sha256": digest,
            "size": tmp.stat().st_size,
            **_state_dict(state),
        }
        mtmp = tmp.with_name(tmp.name + ".json")
        _private_file(mtmp)
        mtmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
        mtmp.replace(manifest_path(path))
    except (OSError, sqlite3.Error) as exc:  # disk full, permissions, a read-only folder
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".json").unlink(missing_ok=True)
        error = getattr(exc, "strerror", None) or str(exc)
        raise BackupError(
            _("Cannot write the backup to %(path)s: %(error)s") % {"path": path, "error": error}
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".json").unlink(missing_ok=True)
        raise
    _audit(using, "backup.create", {"file": path.name, "sha256": digest})
    return path, manifest


def _pg_dump(tmp: Path, using: str) -> State:
    """Dump from an exported snapshot; the counts and chain are read in the same snapshot."""
    args, env = pg_env(using)
    conn = connections[using]
    with transaction.atomic(using=using), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = database_state(using)
        _run(
            PG_DUMP,
            [*args, "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(tmp)],
            env,
        )
    os.chmod(tmp, 0o600)
    return state


def read_manifest(path: Path) -> dict[str, Any]:
    mpath = manifest_path(path)
    if not path.is_file():
        raise BackupError(_("No backup file at %(path)s.") % {"path": path})
    if not mpath.is_file():
        raise BackupError(_("The manifest %(path)s is missing; restore refused.") % {"path": mpath})
    try:
        manifest: dict[str, Any] = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("The manifest %(path)s cannot be read; restore refused.") % {"path": mpath}
        ) from exc
    return manifest


def check_backup(path: Path, *, using: str = "default") -> dict[str, Any]:
    """Everything that can be checked before the database is touched."""
    manifest = read_manifest(path)
    vendor = engine(using)
    if manifest.get("engine") != vendor:
        raise BackupError(
            _("This is a %(backup)s backup and the database is %(database)s; restore refused.")
            % {"backup": manifest.get("engine"), "database": vendor}
        )
    if sha256_of(path) != manifest.get("sha256"):
        raise BackupError(
            _("The backup file does not match its checksum (damaged or incomplete); restore refused.")
        )
    return manifest


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    state: State
    problems: list[str]


def restore_backup(path: Path, *, using: str = "default", force: bool = False) -> RestoreReport:
    """Restore ``path`` into the database ``using`` and verify it against the manifest."""
    path = Path(path)
    manifest = check_backup(path, using=using)
    if holds_data(using) and not force:
        raise BackupError(
            _(
                "The database already holds data (users, audit events or personal data log); restore "
                "refused. Use --force to replace it."
            )
        )
    conn = connections[using]
    if manifest["engine"] == "sqlite":
        conn.close()
        conn.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(conn.connection)
        finally:
            source.close()
    else:
        args, env = pg_env(using)
        conn.close()  # no session of ours holds locks on the tables pg_restore drops
        _run(
            PG_RESTORE,
            [*args, "--no-owner", "--clean", "--if-exists", "--single-transaction", str(path)],
            env,
        )
    conn.close()
    state = database_state(using)
    problems = compare(manifest, state)
    _audit(
        using, "backup.restore", {"file": path.name, "sha256": manifest["sha256"], "verified": not problems}
    )
    return RestoreReport(manifest, state, problems)


def compare(manifest: dict[str, Any], state: State) -> list[str]:
    problems: list[str] = []
    expected = manifest.get("row_counts", {})
    for table in sorted(set(expected) | set(state.counts)):
        if expected.get(table) != state.counts.get(table):
            problems.append(
                _("Table %(table)s: %(found)s rows, the backup had %(expected)s.")
                % {"table": table, "found": state.counts.get(table), "expected": expected.get(table)}
            )
    if manifest.get("migrations") != state.migrations:
        problems.append(_("The applied migrations differ from the backup's."))
    if not state.chain_ok:
        problems.append(_("The personal data log's chain does not verify."))
    elif state.chain_head != manifest.get("personal_data_log", {}).get("head", ""):
        problems.append(_("The personal data log's chain head differs from the backup's."))
    return problems
