"""The search index: postings (term, service, weight) and document frequencies, in the database.

Both SQLite and PostgreSQL serve the same tables. ``index_services`` keeps the index in step when
services change (called by catalog.services inside the same transaction); ``rebuild`` rebuilds it in
bulk (``manage.py rebuild_search_index``).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
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
from hyte.catalog.search.analyzer import LANGS, document_terms, finnish_analyzer

logger = logging.getLogger(__name__)

# Field weights: name > keywords and themes > summary > description.
FIELD_WEIGHTS = {
    "name": 8.0,
    "keywords": 5.0,
    "themes": 4.0,
    "summary": 3.0,
    "context": 1.5,
    "description": 1.5,
}
CHUNK = 500


TEXT_FIELDS = ("name", "keywords", "summary", "description")


class _Names:
    """Translated names of the things a service refers to, loaded once per indexing run."""

    def __init__(self) -> None:
        def names(model: Any, key: str = "pk") -> dict[Any, tuple[str, ...]]:
            cols = [f"name_{lang}" for lang in LANGS]
            return {row[0]: row[1:] for row in model.objects.values_list(key, *cols)}

        self.organizations = names(Organization)
        self.themes = names(Theme)
        self.target_groups = names(TargetGroup)
        self.municipalities = names(Municipality)
        self.locations = names(Location)


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


OTHER_FIELDS_SHARE = 0.5  # a term found in several fields: the best field counts fully, the others half


def service_postings(doc: dict[str, Any], names: _Names) -> dict[str, float]:
    """term -> weight for one service: the best field's weight plus half of the other fields' weights
    (each field counts once, whatever the language), so a word in the name and the summary beats a word
    in the keywords only, without rewarding long descriptions for repeating it."""
    per_field: dict[str, dict[str, float]] = {}

    def add(lang: str, text: str, field: str) -> None:
        if not text:
            return
        base = FIELD_WEIGHTS[field]
        for term, w in document_terms(lang, text).items():
            fields = per_field.setdefault(term, {})
            if fields.get(field, 0.0) < base * w:
                fields[field] = base * w

    for li, lang in enumerate(LANGS):
        for field in TEXT_FIELDS:
            add(lang, doc[f"{field}_{lang}"] or "", field)
        for slug in doc["themes"]:
            add(lang, names.themes[slug][li], "themes")
        context = [names.organizations[doc["organization_id"]][li]]
        context += [names.target_groups[c][li] for c in doc["target_groups"]]
        context += [names.municipalities[c][li] for c in doc["municipalities"]]
        context += [names.locations[c][li] for c in doc["locations"]]
        for text in context:
            add(lang, text or "", "context")
    add("fi", doc["plain_summary_fi"] or "", "summary")
    terms: dict[str, float] = {}
    for term, fields in per_field.items():
        best = max(fields.values())
        terms[term] = best + OTHER_FIELDS_SHARE * (sum(fields.values()) - best)
    for slug in doc["themes"]:
        terms[f"theme:{slug}"] = FIELD_WEIGHTS["themes"]
    return terms


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
    names = _Names()
    docs = _documents(ids)
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


def _insert_postings(rows: list[tuple[str, Any, float]]) -> None:
    table = SearchPosting._meta.db_table
    if connection.vendor == "postgresql":
        raw = connection.cursor().cursor  # psycopg 3 cursor: COPY is the fast path
        with raw.copy(f"COPY {table} (term, service_id, weight) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (term, service_id, weight) VALUES (%s, %s, %s)",  # noqa: S608
                [(t, s.hex, w) for t, s, w in rows],
            )


@contextmanager
def _without_posting_index() -> Iterator[None]:
    """Bulk loads are faster without the posting index; it is built once at the end (same transaction)."""
    table = SearchPosting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_term_service")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks now
        cursor.execute(f"CREATE INDEX search_term_service ON {table} (term, service_id, weight)")


@transaction.atomic
def rebuild() -> dict[str, Any]:
    """Rebuild the whole index from the active services."""
    SearchPosting.objects.all().delete()
    SearchTerm.objects.all().delete()
    df: Counter[str] = Counter()
    services = 0
    names = _Names()
    with _without_posting_index():
        for chunk in _chunks():
            rows: list[tuple[str, Any, float]] = []
            for doc in _documents(chunk):
                services += 1
                for term, weight in service_postings(doc, names).items():
                    rows.append((term, doc["pk"], weight))
                    df[term] += 1
            _insert_postings(rows)
    SearchTerm.objects.bulk_create([SearchTerm(term=t, df=n) for t, n in df.items()], batch_size=2000)
    analyzer = type(finnish_analyzer()).__name__
    SearchIndexState.objects.filter(pk=1).update(services=0)
    _bump(services_delta=services, analyzer=analyzer, rebuilt_at=timezone.now())
    return {"services": services, "terms": len(df), "postings": sum(df.values()), "analyzer": analyzer}
