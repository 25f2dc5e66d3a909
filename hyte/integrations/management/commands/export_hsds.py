"""python manage.py export_hsds DIR: write the public tray as Open Referral HSDS 3.0 JSON and/or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hyte.integrations.hsds.exporter import export_csv, export_json
from hyte.integrations.hsds.mapping import LANGS


class Command(BaseCommand):
    help = (
        "Export the active services, their organizations, locations and taxonomies as Open Referral HSDS "
        "3.0: --format json writes one JSON array per object list into DIR, csv a Frictionless tabular "
        "data package (CSV files + datapackage.json), both writes DIR/json and DIR/csv. Texts are in one "
        "language (--lang, default fi)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", metavar="DIR", help="The directory to write (created if missing).")
        parser.add_argument("--format", choices=["json", "csv", "both"], default="json")
        parser.add_argument("--lang", choices=LANGS, default="fi", help="The language of the texts.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(_("“%(path)s” is not a directory.") % {"path": directory})
        fmt, lang = options["format"], options["lang"]
        targets = []
        if fmt in ("json", "both"):
            target = directory / "json" if fmt == "both" else directory
            targets.append((target, export_json(target, lang=lang)))
        if fmt in ("csv", "both"):
            target = directory / "csv" if fmt == "both" else directory
            targets.append((target, export_csv(target, lang=lang)))
        for target, counts in targets:
            listed = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
            self.stdout.write(f"{target}: {listed}")
