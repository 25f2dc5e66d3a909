"""python manage.py send_freshness_reminders [--dry-run]: e-mail each organization's editors the listings
that were last verified eleven months ago (``HYTE_REMIND_AFTER_DAYS``). Run daily (docs/operations.md);
each listing is reminded of once per verification, so running it more often sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hyte.catalog.freshness import send_freshness_reminders


class Command(BaseCommand):
    help = (
        "E-mail organizations' editors the listings not verified for eleven months (once per verification)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Tell what would be sent; send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_freshness_reminders(dry_run=options["dry_run"])
        if options["dry_run"]:
            line = _("Would send %(emails)s e-mails about %(services)s listings.")
            counts = {"emails": run.emails, "services": run.services}
        else:
            line = _("Sent %(emails)s e-mails about %(services)s listings.")
            counts = {"emails": run.emails, "services": run.services}
        self.stdout.write(line % counts)
        for name in run.without_editors:
            missing = _("No editor with an e-mail address: %(organization)s")
            self.stdout.write(missing % {"organization": name})
