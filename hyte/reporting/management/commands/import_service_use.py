"""python manage.py import_service_use FILE --organization ID --user USERNAME: import a health record
extract of monthly visit counts (CSV: pseudonym, month, visit_type, count) for an organization, as a
coordinator of it (the same checks, limits and personal data log entry as the page and the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hyte.core.errors import DomainError
from hyte.reporting import services


class Command(BaseCommand):
    help = (
        "Import a service-use extract (CSV with the header pseudonym,month,visit_type,count; commas or "
        "semicolons) for an organization. The user must be a coordinator in one of its units. One bad row "
        "refuses the whole file; rows of people who are not the organization's clients are not stored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--organization", required=True, help="The organization's id (UUID).")
        parser.add_argument(
            "--user", required=True, help="The username of a coordinator of the organization."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user with this username."))
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                data = handle.read(min(size, services.max_bytes()) + 1)
        except OSError as exc:
            raise CommandError(_("The file cannot be read: %(error)s") % {"error": exc.strerror}) from None
        try:
            record = services.service_use_import(
                actor=user, organization_id=options["organization"], source_name=path.name, data=data
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(
            _(
                "Imported %(read)d rows: %(stored)d stored, %(unmatched)d without a matching client "
                "(import %(id)s)."
            )
            % {
                "read": record.rows_read,
                "stored": record.rows_stored,
                "unmatched": record.rows_unmatched,
                "id": record.pk,
            }
        )
