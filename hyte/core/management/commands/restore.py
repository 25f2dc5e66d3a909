"""python manage.py restore PATH [--yes] [--force]: restore a backup made by ``backup`` and verify it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hyte.core.backup import BackupError, check_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured database. Refuses a damaged file, another engine's backup "
        "and a database that already holds data (unless --force); then compares row counts and "
        "migrations with the manifest and verifies the personal data log's chain. Exits 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--force", action="store_true", help="Replace a database that holds data.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            check_backup(path)
            if not options["yes"] and input(
                _("Restore %(path)s into the database? [y/N] ") % {"path": path}
            ).strip().lower() not in ("y", "yes", "k", "kyllä", "j", "ja"):
                self.stderr.write(_("Restore cancelled."))
                sys.exit(1)
            report = restore_backup(path, force=options["force"])
        except BackupError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        if report.problems:
            self.stderr.write(_("Restored, but the check against the manifest failed:"))
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            sys.exit(1)
        self.stdout.write(
            _(
                "Restored %(path)s: row counts and migrations match, personal data log chain intact "
                "(%(entries)s entries)."
            )
            % {"path": path, "entries": report.state.chain_entries}
        )
