"""python manage.py rebuild_search_index: rebuild the service search index in bulk (after a bulk load)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from hyte.catalog.search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of all active services."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Indexed {result['services']} services: {result['terms']} terms, {result['postings']} postings, "
            f"analyzer {result['analyzer']}, {seconds:.1f} s."
        )
