"""The search index: postings (term, service, weight) and document frequencies, in the database.

Both SQLite and PostgreSQL serve the same tables. ``index_services`` keeps the index in step when
services change (called by catalog.services inside the same transaction); ``rebuild`` rebuilds it in
bulk (``manage.py rebuild_search_index``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from hyte.catalog.models import (
    Location,
    Municipality,
    Organization,
    SearchIndexState,
    SearchPosting,
    SearchTerm,
    Service,
    ServiceAtLocation,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.analyzer import LANGS, finnish_analyzer
from hyte.catalog.search.postings import (
    TEXT_FIELDS,
    Batch,
    Names,
    init_worker,
    postings_for,
    service_postings,
    worker_postings,
)

logger = logging.getLogger(__name__)

CHUNK = 500
PARALLEL_FROM = 3000  # services; below this, starting worker processes costs more than it saves


def _names(docs: list[dict[str, Any]] | None = None) -> Names:
    """Translated names of the things services refer to: all of them for a rebuild, only those the
    given documents refer to for an update."""

    def names(model: Any, key: str, ids: set[Any] | None) -> dict[Any, tuple[str, ...]]:
        cols = [f"name_{lang}" for lang in LANGS]
        qs = model.objects.all() if ids is None else model.objects.filter(pk__in=ids)
        return {row[0]: row[1:] for row in qs.values_list("pk", *cols)}

    def refs(key: str) -> set[Any] | None:
        if docs is None:
            return None
        return {v for d in docs for v in (d[key] if isinstance(d[key], list) else [d[key]])}

    return {
        "organizations": names(Organization, "organization_id", refs("organization_id")),
        "themes": names(Theme, "themes", None),
        "target_groups": names(TargetGroup, "target_groups", refs("target_groups")),
        "municipalities": names(Municipality, "municipalities", refs("municipalities")),
        "locations": names(Location, "locations", refs("locations")),
    }


def _documents(ids: list[Any]) -> list[dict[str, Any]]:
    """Plain rows for the active services among ``ids``: texts and what they refer to."""
    cols = [f"{f}_{lang}" for f in TEXT_FIELDS for lang in LANGS]
    docs: dict[Any, dict[str, Any]] = {}
    for row in Service.objects.filter(pk__in=ids, status=Service.Status.ACTIVE).values(
        "pk", "organization_id", "plain_summary_fi", *cols
    ):
        row.update(themes=[], target_groups=[], municipalities=[], locations=[])
        docs[row["pk"]] = row
    links = (
        (Service.themes.through, "theme_id", "themes"),
        (Service.target_groups.through, "targetgroup_id", "target_groups"),
        (Service.municipalities.through, "municipality_id", "municipalities"),
        (ServiceAtLocation, "location_id", "locations"),
    )
    for model, column, key in links:
        for sid, other in model.objects.filter(service_id__in=list(docs)).values_list("service_id", column):
            docs[sid][key].append(other)
    return list(docs.values())


def _bump(services_delta: int = 0, **fields: Any) -> None:
    token = uuid.uuid4().hex  # unlike the counter, never repeats after a rolled-back transaction
    updated = SearchIndexState.objects.filter(pk=1).update(
        version=F("version") + 1, token=token, services=F("services") + services_delta, **fields
    )
    if not updated:
        SearchIndexState.objects.create(
            pk=1, version=1, token=token, services=max(0, services_delta), **fields
        )


def _adjust_df(delta: Counter[str]) -> None:
    delta = Counter({t: d for t, d in delta.items() if d})
    if not delta:
        return
    existing = {t.term: t for t in SearchTerm.objects.filter(term__in=list(delta))}
    changed, new = [], []
    for term, d in delta.items():
        if term in existing:
            existing[term].df = max(0, existing[term].df + d)
            changed.append(existing[term])
        elif d > 0:
            new.append(SearchTerm(term=term, df=d))
    SearchTerm.objects.bulk_update(changed, ["df"], batch_size=500)
    SearchTerm.objects.bulk_create(new, batch_size=500)
    SearchTerm.objects.filter(term__in=list(delta), df=0).delete()


@transaction.atomic
def unindex_services(service_ids: Iterable[Any]) -> None:
    """Take services out of the index (before they are deleted, so document frequencies stay right)."""
    ids = list(dict.fromkeys(service_ids))
    delta: Counter[str] = Counter()
    removed: set[Any] = set()
    for term, sid in SearchPosting.objects.filter(service_id__in=ids).values_list("term", "service_id"):
        delta[term] -= 1
        removed.add(sid)
    if not removed:
        return
    SearchPosting.objects.filter(service_id__in=ids).delete()
    _adjust_df(delta)
    _bump(services_delta=-len(removed))


@transaction.atomic
def index_services(service_ids: Iterable[Any]) -> int:
    """Re-index these services (removing inactive or deleted ones). Returns how many were indexed."""
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        return 0
    delta: Counter[str] = Counter()
    before: set[Any] = set()
    for term, sid in SearchPosting.objects.filter(service_id__in=ids).values_list("term", "service_id"):
        delta[term] -= 1
        before.add(sid)
    SearchPosting.objects.filter(service_id__in=ids).delete()
    rows: list[SearchPosting] = []
    docs = _documents(ids)
    names = _names(docs)
    for doc in docs:
        for term, weight in service_postings(doc, names).items():
            rows.append(SearchPosting(term=term, service_id=doc["pk"], weight=weight))
            delta[term] += 1
    count = len(docs)
    SearchPosting.objects.bulk_create(rows, batch_size=1000)
    _adjust_df(delta)
    _bump(services_delta=count - len(before))
    return count


def _chunks() -> Iterator[list[Any]]:
    active = Service.objects.filter(status=Service.Status.ACTIVE).order_by("pk")
    ids = list(active.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _write(batch: Batch) -> None:
    table = SearchPosting._meta.db_table
    if connection.vendor == "postgresql":
        raw = connection.cursor().cursor  # psycopg 3 cursor: COPY is the fast path
        with raw.copy(f"COPY {table} (term, service_id, weight) FROM STDIN") as copy:  # type: ignore[attr-defined]
            copy.write(batch.tsv)
    else:
        connection.ensure_connection()
        raw_sqlite = connection.connection  # the sqlite3 connection: its executemany is twice as fast
        raw_sqlite.executemany(
            f"INSERT INTO {table} (term, service_id, weight) VALUES (?, ?, ?)",  # noqa: S608
            batch.rows,
        )


@contextmanager
def _without_posting_index() -> Iterator[None]:
    """Bulk loads are faster without the posting index; it is built once at the end (same transaction)."""
    table = SearchPosting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_term_service")
        cursor.execute("DROP INDEX IF EXISTS search_service")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX search_term_service ON {table} (term, service_id, weight)")
        cursor.execute(f"CREATE INDEX search_service ON {table} (service_id)")


@transaction.atomic
def rebuild() -> dict[str, Any]:
    """Rebuild the whole index from the active services.

    Large catalogs are analysed in worker processes (one per core) while this process reads the next
    rows and writes the postings; small ones in this process.
    """
    SearchPosting.objects.all().delete()
    SearchTerm.objects.all().delete()
    df: Counter[str] = Counter()
    services = 0
    names = _names()
    with _without_posting_index():
        for batch in _analysed(names):
            _write(batch)
            services += batch.services
            df.update(batch.df)
    SearchTerm.objects.bulk_create([SearchTerm(term=t, df=n) for t, n in df.items()], batch_size=2000)
    analyzer = type(finnish_analyzer()).__name__
    SearchIndexState.objects.filter(pk=1).update(services=0)
    _bump(services_delta=services, analyzer=analyzer, rebuilt_at=timezone.now())
    return {"services": services, "terms": len(df), "postings": sum(df.values()), "analyzer": analyzer}


def _analysed(names: Names) -> Iterator[Batch]:
    chunks = list(_chunks())
    fmt = "tsv" if connection.vendor == "postgresql" else "rows"
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(chunks) * CHUNK < PARALLEL_FROM:
        for chunk in chunks:
            yield postings_for(_documents(chunk), names, fmt)
        return
    context = multiprocessing.get_context("spawn")  # no forked database connections in the workers
    with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=(names,)) as pool:
        pending: deque[Future[Batch]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(worker_postings, _documents(chunk), fmt))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
