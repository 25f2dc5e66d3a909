"""python manage.py verify_audit_log: check the personal data log's hash chain from the first entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from hyte.core.personal_log import verify_personal_data_log


class Command(BaseCommand):
    help = (
        "Verify the personal data log: every entry's hash must follow from the previous one and the "
        "numbering must have no gaps. Exits 1 and names the first broken entry otherwise."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_personal_data_log()
        if result.ok:
            self.stdout.write(f"{result.entries} entries, chain intact")
            return
        self.stderr.write(
            f"chain broken at entry {result.first_broken} ({result.reason}); "
            f"{result.entries} entries verified before it"
        )
        sys.exit(1)
