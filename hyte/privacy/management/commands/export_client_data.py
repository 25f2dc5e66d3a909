"""Export everything the platform holds about one client as JSON (right of access), for the data
protection officer named by ``--user``, to a new file readable only by its owner (0600).

The client is named by ``--client-id`` or by a henkilötunnus read from standard input (``--hetu-stdin``),
never from the command line (other users see a process's arguments). The export is logged like one from
the page (personal data log + audit entry).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hyte.core.errors import DomainError
from hyte.privacy import services


class Command(BaseCommand):
    help = "Export one client's data as JSON (file mode 0600)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username of the data protection officer.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--client-id", help="The client's id.")
        who.add_argument(
            "--hetu-stdin", action="store_true", help="Read the personal identity code from standard input."
        )
        parser.add_argument("--output", required=True, help="A new file to write (must not exist).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("No active user with that username.")
        stdin = options.get("stdin") or sys.stdin
        code = stdin.readline().strip() if options["hetu_stdin"] else ""
        path = options["output"]
        try:  # the file first: an export is logged only when it can be written
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise CommandError("The output file exists already; give a new name.") from exc
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            try:
                data = services.client_export(
                    actor=user, client_id=options["client_id"], personal_identity_code=code
                )
            except DomainError as exc:
                out.close()
                os.unlink(path)
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        self.stdout.write(f"Wrote {len(data['records'])} records to {path}.")
