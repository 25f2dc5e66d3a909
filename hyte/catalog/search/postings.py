"""Postings of one service: pure Python over plain rows, no database (so it can run in worker processes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hyte.catalog.search.analyzer import LANGS, document_terms

# Field weights: name > keywords and themes > summary > description.
FIELD_WEIGHTS = {
    "name": 8.0,
    "keywords": 5.0,
    "themes": 4.0,
    "summary": 3.0,
    "context": 1.5,
    "description": 1.5,
}
TEXT_FIELDS = ("name", "keywords", "summary", "description")
# kind ("themes", "organizations", ...) -> id -> names in fi, sv, en
Names = dict[str, dict[Any, tuple[str, ...]]]


OTHER_FIELDS_SHARE = 0.5  # a term found in several fields: the best field counts fully, the others half


def service_postings(doc: dict[str, Any], names: Names) -> dict[str, float]:
    """term -> weight for one service: the best field's weight plus half of the other fields' weights
    (each field counts once, whatever the language), so a word in the name and the summary beats a word
    in the keywords only, without rewarding long descriptions for repeating it."""
    best: dict[str, float] = {}
    total: dict[str, float] = {}

    def merge(terms: dict[str, float], base: float) -> None:
        for term, w in terms.items():
            v = base * w
            b = best.get(term)
            if b is None:
                best[term] = total[term] = v
            else:
                total[term] += v
                if v > b:
                    best[term] = v

    def field_terms(lang: str, texts: list[str]) -> dict[str, float]:
        merged: dict[str, float] = {}
        for text in texts:
            if text:
                for term, w in document_terms(lang, text).items():
                    if merged.get(term, 0.0) < w:
                        merged[term] = w
        return merged

    for li, lang in enumerate(LANGS):
        for field in TEXT_FIELDS:
            text = doc[f"{field}_{lang}"]
            if text:
                merge(document_terms(lang, text), FIELD_WEIGHTS[field])
        themes = [names["themes"][slug][li] for slug in doc["themes"]]
        merge(field_terms(lang, themes), FIELD_WEIGHTS["themes"])
        context = [names["organizations"][doc["organization_id"]][li]]
        context += [names["target_groups"][c][li] for c in doc["target_groups"]]
        context += [names["municipalities"][c][li] for c in doc["municipalities"]]
        context += [names["locations"][c][li] for c in doc["locations"]]
        merge(field_terms(lang, context), FIELD_WEIGHTS["context"])
    if doc["plain_summary_fi"]:
        merge(document_terms("fi", doc["plain_summary_fi"]), FIELD_WEIGHTS["summary"])
    terms = {term: b + OTHER_FIELDS_SHARE * (total[term] - b) for term, b in best.items()}
    for slug in doc["themes"]:
        terms[f"theme:{slug}"] = FIELD_WEIGHTS["themes"]
    return terms


def postings_for(docs: list[dict[str, Any]], names: Names, fmt: str) -> Batch:
    """Analyse a batch of services into ready-to-write rows: the unit of work of a parallel rebuild.

    ``fmt`` is "tsv" (PostgreSQL COPY text) or "rows" (tuples with the id as hex, for SQLite).
    """
    df: dict[str, int] = {}
    rows: list[tuple[str, str, float]] = []
    lines: list[str] = []
    for doc in docs:
        pk = doc["pk"]
        for term, weight in service_postings(doc, names).items():
            df[term] = df.get(term, 0) + 1
            if fmt == "tsv":
                lines.append(f"{term.replace(chr(92), chr(92) * 2)}\t{pk}\t{weight!r}\n")
            else:
                rows.append((term, pk.hex, weight))
    return Batch(services=len(docs), df=df, rows=rows, tsv="".join(lines))


@dataclass
class Batch:
    services: int
    df: dict[str, int]
    rows: list[tuple[str, str, float]]
    tsv: str


_worker_names: Names = {}


def init_worker(names: Names) -> None:
    global _worker_names
    _worker_names = names


def worker_postings(docs: list[dict[str, Any]], fmt: str) -> Batch:
    return postings_for(docs, _worker_names, fmt)
