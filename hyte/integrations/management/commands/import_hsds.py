"""python manage.py import_hsds PATH [PATH ...]: import Open Referral HSDS 3.0 JSON or CSV packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hyte.core.errors import DomainError
from hyte.integrations.hsds.importer import ImportReport, import_hsds
from hyte.integrations.hsds.mapping import LANGS

MAX_LINES = 200


class Command(BaseCommand):
    help = (
        "Import Open Referral HSDS 3.0 data: a JSON file (a list of fully nested services, one service or "
        "an API page), a directory of JSON object lists (services.json, organizations.json ...) or a "
        "tabular CSV package (datapackage.json + CSV files). Records are upserted by external id "
        "hsds:<id>; a broken record is reported and skipped. Prints 'imported N, updated N, failed N' "
        "and exits non-zero when any record failed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A JSON file or a directory.")
        parser.add_argument(
            "--organization-external-id",
            dest="organization",
            help="Attach every service and location to this existing organization (e.g. ptv:3668d250-...) "
            "instead of the organizations in the data.",
        )
        parser.add_argument(
            "--lang", choices=LANGS, default="fi", help="The language of the texts in the data (default fi)."
        )
        parser.add_argument(
            "--default-municipality",
            metavar="CODE",
            help="Municipality code (e.g. 272) for locations whose address names no Finnish municipality.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = ImportReport()
        for raw in options["paths"]:
            try:
                report = import_hsds(
                    Path(raw),
                    lang=options["lang"],
                    organization_external_id=options["organization"],
                    default_municipality=options["default_municipality"],
                )
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            total.created.update(report.created)
            total.updated.update(report.updated)
            total.failures += report.failures
            total.warnings += report.warnings
        if options["verbosity"] >= 1:
            for problem in total.warnings[:MAX_LINES]:
                self.stderr.write(_("warning: %(line)s") % {"line": problem.line()})
        for problem in total.failures[:MAX_LINES]:
            self.stderr.write(_("failed: %(line)s") % {"line": problem.line()})
        hidden = max(0, len(total.failures) - MAX_LINES)
        if hidden:
            self.stderr.write(_("… and %(count)d more failures.") % {"count": hidden})
        self.stdout.write(total.summary())
        if total.failed_count:
            raise CommandError(
                ngettext("%(count)d record failed.", "%(count)d records failed.", total.failed_count)
                % {"count": total.failed_count}
            )
