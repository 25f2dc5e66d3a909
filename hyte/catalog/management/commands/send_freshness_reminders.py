"""python manage.py send_freshness_reminders [--dry-run]: e-mail each organization's editors the listings
that were last verified eleven months ago (``HYTE_REMIND_AFTER_DAYS``). Run daily (docs/operations.md);
each listing is reminded of once per verification, so running it more often sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hyte.catalog.freshness import send_freshness_reminders


class Command(BaseCommand):
    help = (
        "E-mail organizations' editors the listings not verified for eleven months (once per verification)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Tell what would be sent; send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_freshness_reminders(dry_run=options["dry_run"])
        prefix = "would send" if options["dry_run"] else "sent"
        self.stdout.write(
            f"{prefix} {run.organizations} e-mails about {run.services} listings"
            if options["dry_run"]
            else f"{prefix} {run.emails} e-mails about {run.services} listings"
        )
        for name in run.without_editors:
            self.stdout.write(f"no editor with an e-mail address: {name}")
