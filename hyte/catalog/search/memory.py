"""Per-process, read-through cache of the search index for fast ranking.

The postings live in the database (both engines serve the same tables); each process keeps the
postings of the terms it has been asked for as NumPy arrays, plus the filter sets it has computed, for
one index *token*. Every index change writes a new token, so the next query in every process starts
a fresh snapshot and reads what it needs again. Documents are numbered in alphabetical order of their
Finnish name, so that number is also the tie-break.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
from django.db import connection

from hyte.catalog.models import SearchIndexState, SearchPosting, Service

MAX_FILTER_SETS = 256


class Snapshot:
    def __init__(self, token: str) -> None:
        self.token = token
        self.lock = threading.Lock()
        table = Service._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE status = %s ORDER BY name_fi, id",  # noqa: S608
                [Service.Status.ACTIVE],
            )
            raw_ids = [row[0] for row in cursor.fetchall()]
        self.raw_ids = raw_ids
        self.pos: dict[Any, int] = {raw: i for i, raw in enumerate(raw_ids)}
        self.size = len(raw_ids)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        self.filters: OrderedDict[Hashable, np.ndarray] = OrderedDict()

    @staticmethod
    def to_raw(value: uuid.UUID) -> Any:
        return value.hex if connection.vendor == "sqlite" else value

    @staticmethod
    def to_uuid(raw: Any) -> uuid.UUID:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))

    def terms(self, terms: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Postings of the terms (loaded on first use); terms not in the index are left out."""
        wanted = set(terms)
        with self.lock:
            missing = [t for t in wanted if t not in self.postings]
        if missing:
            table = SearchPosting._meta.db_table
            rows: dict[str, tuple[list[int], list[float]]] = {t: ([], []) for t in missing}
            with connection.cursor() as cursor:
                for start in range(0, len(missing), 200):
                    chunk = missing[start : start + 200]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"SELECT term, service_id, weight FROM {table} WHERE term IN ({marks})",  # noqa: S608
                        chunk,
                    )
                    for term, raw, weight in cursor.fetchall():
                        i = self.pos.get(raw)
                        if i is not None:
                            rows[term][0].append(i)
                            rows[term][1].append(weight)
            with self.lock:
                for term, (idx, weights) in rows.items():
                    self.postings[term] = None
                    if idx:
                        self.postings[term] = (
                            np.asarray(idx, dtype=np.int32),
                            np.asarray(weights, np.float32),
                        )
        with self.lock:
            return {t: p for t in wanted if (p := self.postings.get(t)) is not None}

    def mask(self, key: Hashable, ids: Callable[[], Iterable[uuid.UUID]]) -> np.ndarray:
        """Boolean mask of the services passing a filter (computed once per snapshot and key)."""
        with self.lock:
            if key in self.filters:
                self.filters.move_to_end(key)
                return self.filters[key]
        m = np.zeros(self.size, dtype=bool)
        positions = [self.pos[r] for r in map(self.to_raw, ids()) if r in self.pos]
        if positions:
            m[np.asarray(positions, dtype=np.int64)] = True
        with self.lock:
            self.filters[key] = m
            while len(self.filters) > MAX_FILTER_SETS:
                self.filters.popitem(last=False)
        return m


_current: Snapshot | None = None
_lock = threading.Lock()


def snapshot() -> Snapshot:
    global _current
    token = SearchIndexState.objects.filter(pk=1).values_list("token", flat=True).first() or ""
    with _lock:
        current = _current
    if current is not None and current.token == token:
        return current
    fresh = Snapshot(token)
    with _lock:
        _current = fresh
    return fresh
