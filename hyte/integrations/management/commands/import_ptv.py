"""python manage.py import_ptv DIR | --api URL: import services from Suomi.fi PTV."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hyte.integrations.models import ImportRun
from hyte.integrations.ptv.client import ApiSource, FileSource
from hyte.integrations.ptv.errors import PtvFetchError
from hyte.integrations.ptv.services import ptv_import


class Command(BaseCommand):
    help = (
        "Import services, service locations and organizations from Suomi.fi PTV: from a directory of JSON "
        "files (v11 or v12 records or paged envelopes) or, with --api, from the PTV API. PTV services that "
        "are no longer published are withdrawn (not deleted). Exits non-zero when anything failed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", help="A directory (or one file) of PTV JSON.")
        parser.add_argument(
            "--api", help="Base URL of the PTV API, e.g. https://api.palvelutietovaranto.suomi.fi"
        )
        parser.add_argument("--api-version", type=int, choices=[11, 12], default=11, help="PTV API version.")
        parser.add_argument(
            "--municipality", action="append", default=[], help="Municipality code (v11 API)."
        )
        parser.add_argument(
            "--api-key-env",
            default="HYTE_PTV_API_KEY",
            help="Environment variable holding the v12 API key, sent as x-api-key (default "
            "HYTE_PTV_API_KEY). Keys are never given on the command line, where other users could see them.",
        )
        parser.add_argument("--since", help="Only records modified/published at or after this ISO time.")
        parser.add_argument(
            "--no-withdraw", action="store_true", help="Do not withdraw services missing here."
        )
        parser.add_argument("--restart", action="store_true", help="Do not resume a stopped run.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["path"]) == bool(options["api"]):
            raise CommandError("Give either a PATH or --api URL.")
        if options["path"]:
            path = Path(options["path"])
            if not path.exists():
                raise CommandError(f"No such file or directory: {path}")
            source: FileSource | ApiSource = FileSource(path)
        else:
            try:
                source = ApiSource(
                    options["api"],
                    version=options["api_version"],
                    municipalities=options["municipality"],
                    since=options["since"],
                    api_key=os.environ.get(options["api_key_env"]) or None,
                )
            except PtvFetchError as exc:
                raise CommandError(f"Not a usable API URL: {options['api']}") from exc
            if options["api_version"] == 11 and not options["municipality"]:
                raise CommandError(
                    "The v11 API is read by municipality: give --municipality CODE (repeatable)."
                )
        # An incremental run (--since) does not see everything, so it never withdraws.
        withdraw = not options["no_withdraw"] and not options["since"]
        run = ptv_import(actor=None, source=source, withdraw_missing=withdraw, resume=not options["restart"])
        for error in run.errors[:50]:
            self.stderr.write(f"  {error['id']}: {error['reason']}")
        if len(run.errors) > 50:
            self.stderr.write(f"  … and {len(run.errors) - 50} more (see the import runs page)")
        self.stdout.write(run.summary() + f" ({run.get_status_display()})")
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(
                f"The import stopped: {run.message}. The next run resumes after page {run.pages_done}."
            )
        if run.failed:
            raise CommandError(f"{run.failed} records failed.")
