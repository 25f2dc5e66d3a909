"""python manage.py backup [--output PATH]: a backup of the whole database with a manifest next to it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hyte.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) to HYTE_VAR_DIR/backups/ or --output, "
        "with a JSON manifest next to it. The files are readable by the owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="The backup file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = create_backup(options.get("output"))
        except BackupError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        self.stdout.write(
            _("Backup written to %(path)s (%(rows)s rows, personal data log %(entries)s entries).")
            % {
                "path": path,
                "rows": sum(manifest["row_counts"].values()),
                "entries": manifest["personal_data_log"]["entries"],
            }
        )
