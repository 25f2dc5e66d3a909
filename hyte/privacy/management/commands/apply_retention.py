"""Anonymise or delete client records past their retention period (``settings.HYTE_RETENTION``).

Without ``--apply`` nothing is written: the command prints, per record type, how many records would be
anonymised or deleted. With ``--apply`` it does so in one transaction and writes one audit entry with
the counts (no personal data). Run daily from cron (docs/operations.md, "Retention").
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from hyte.privacy import services


class Command(BaseCommand):
    help = "Anonymise or delete client records past their retention period (dry run unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Do it (default: only report).")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            plan = services.retention_plan()
            width = max(len(line.key) for line in plan)
            verb = "to" if not options["apply"] else "due to"
            self.stdout.write("DRY RUN: nothing is changed." if not options["apply"] else "Applying.")
            for line in plan:
                self.stdout.write(
                    f"{line.key:<{width}}  {line.count:>7} {verb} {line.action} (after {line.days} days)"
                )
            if not options["apply"]:
                self.stdout.write("Run again with --apply to do it.")
                return
            run = services.retention_apply()
            done = ", ".join(f"{key} {count}" for key, count in run.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Done ({done}); run {run.pk}."))
