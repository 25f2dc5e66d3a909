"""Query side of the service search.

A query becomes *concepts*: one per query word (or per recognised need phrase such as "rahat ei
riitä"). Each concept has alternative terms in groups: the word's Finnish base forms, its Swedish and
English stems, typo corrections, or (for a Finnish compound) its parts, which must all match to count
fully. A service's score for a concept is the best group; its total is the sum over concepts, and
services that match more concepts come first. Term weights carry the field weight from the index and
the term's rarity (idf).
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.db.models import QuerySet
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hyte.catalog.models import SearchIndexState, SearchTerm, Service
from hyte.catalog.search.analyzer import (
    LANGS,
    MIN_TYPO_LENGTH,
    STOPWORDS,
    VoikkoFinnishAnalyzer,
    analyzers,
    document_terms,
    fold,
    words,
)
from hyte.catalog.search.memory import Snapshot, snapshot

NEEDS_FILE = Path(__file__).resolve().parent / "data" / "needs.json"
MAX_WORDS = 12
PART_GROUP_WEIGHT = 0.5
SUGGESTION_WEIGHT = 0.8
FUZZY_WEIGHT = 0.7
NEED_WEIGHT = 0.6
THEME_NEED_WEIGHT = 0.5
VOCABULARY_TTL = 30.0  # seconds a process keeps its typo vocabulary after the index changed


@dataclass
class Concept:
    """Alternatives for one query word or need: group -> {term: query weight}."""

    label: str
    groups: list[dict[str, float]] = field(default_factory=list)

    def terms(self) -> set[str]:
        return {t for g in self.groups for t in g}


# --- vocabulary for typo tolerance (per process, refreshed when the index changes) ---

_vocab_lock = threading.Lock()
_vocab: dict[str, Any] = {"version": None, "loaded": 0.0, "by_len": {}}


def _index_version() -> int:
    row = SearchIndexState.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def _vocabulary() -> dict[int, list[str]]:
    now = time.monotonic()
    with _vocab_lock:
        if _vocab["version"] is not None and now - _vocab["loaded"] < VOCABULARY_TTL:
            return _vocab["by_len"]  # type: ignore[no-any-return]
        version = _index_version()
        if version != _vocab["version"]:
            by_len: dict[int, list[str]] = {}
            for term in SearchTerm.objects.values_list("term", flat=True).iterator(chunk_size=5000):
                lang, _, word = term.partition(":")
                if lang in LANGS and len(word) >= MIN_TYPO_LENGTH - 1:
                    by_len.setdefault(len(word), []).append(term)
            _vocab["by_len"] = by_len
            _vocab["version"] = version
        _vocab["loaded"] = now
        return _vocab["by_len"]  # type: ignore[no-any-return]


def _fuzzy(word: str) -> list[str]:
    """Index terms within one edit (two for long words) of a misspelt word, in any language."""
    if len(word) < MIN_TYPO_LENGTH:
        return []
    max_edits = 1 if len(word) < 8 else 2
    by_len = _vocabulary()
    candidates: list[str] = []
    for n in range(len(word) - max_edits, len(word) + max_edits + 1):
        candidates.extend(by_len.get(n, ()))
    if not candidates:
        return []
    bare = [c.partition(":")[2] for c in candidates]
    hits = process.extract(word, bare, scorer=OSA.distance, score_cutoff=max_edits, limit=6)
    return [candidates[i] for _, _, i in hits]


# --- need phrases ---


def _word_bases(lang: str, word: str) -> set[str]:
    """Base forms of a word including stopwords (need phrases are matched on these)."""
    analyzer = analyzers()[lang]
    if isinstance(analyzer, VoikkoFinnishAnalyzer):
        analyses = analyzer._analyses(word)
        return {fold(b) for b, _ in analyses} or {word}
    stemmer = getattr(analyzer, "stemmer", None)
    return {stemmer.stemWord(word)} if stemmer else {word}


@lru_cache(maxsize=1)
def needs() -> list[dict[str, Any]]:
    if not NEEDS_FILE.exists():
        return []
    entries = json.loads(NEEDS_FILE.read_text(encoding="utf-8"))
    result = []
    for entry in entries:
        lang = entry["lang"]
        phrases = []
        for phrase in entry["phrases"]:
            bases = [_word_bases(lang, w) for w in words(phrase)]
            if bases:
                phrases.append(bases)
        expansion: dict[str, float] = {}
        for text in entry["expand"]:
            for term, w in document_terms(lang, text).items():
                expansion[term] = max(expansion.get(term, 0.0), w * NEED_WEIGHT)
        for slug in entry.get("themes", []):
            expansion[f"theme:{slug}"] = THEME_NEED_WEIGHT
        result.append({"id": entry["id"], "lang": lang, "phrases": phrases, "expansion": expansion})
    return result


def _match_needs(query_words: list[str]) -> tuple[list[Concept], set[int]]:
    """Need phrases found in the query: a concept each, and the positions of the words they used."""
    bases_by_lang = {lang: [_word_bases(lang, w) for w in query_words] for lang in LANGS}
    concepts: list[Concept] = []
    used: set[int] = set()
    for entry in needs():
        qbases = bases_by_lang[entry["lang"]]
        for phrase in entry["phrases"]:
            positions: list[int] = []
            for word_bases in phrase:
                pos = next(
                    (i for i, qb in enumerate(qbases) if i not in positions and qb & word_bases),
                    None,
                )
                if pos is None:
                    break
                positions.append(pos)
            else:
                concepts.append(Concept(label=f"need:{entry['id']}", groups=[dict(entry["expansion"])]))
                used.update(positions)
                break
    return concepts, used


# --- query analysis ---


def query_concepts(q: str, snap: Snapshot | None = None) -> list[Concept]:
    snap = snap or snapshot()
    query_words = words(q)[:MAX_WORDS]
    concepts, used = _match_needs(query_words)
    for i, word in enumerate(query_words):
        concept = Concept(label=word)
        for lang in LANGS:
            terms = analyzers()[lang].word_terms(word)
            whole = {t.term: 1.0 for t in terms if t.weight >= 1.0}
            parts = {t.term: PART_GROUP_WEIGHT for t in terms if t.weight < 1.0}
            concept.groups.extend({t: w} for t, w in whole.items())
            if len(parts) >= 2:
                concept.groups.append(parts)
        if not concept.groups:
            continue  # a stopword in every language
        if i in used:
            # The word is part of a recognised need: its own terms join the need's concept.
            for need in concepts:
                if need.label.startswith("need:"):
                    need.groups.extend(concept.groups)
                    break
            continue
        concepts.append(concept)
    # Typo tolerance: a word none of whose terms is in the index gets corrections.
    known = snap.terms({t for c in concepts for t in c.terms()})
    for concept in concepts:
        if concept.label.startswith("need:") or any(t in known for t in concept.terms()):
            continue
        word = concept.label
        if len(word) < MIN_TYPO_LENGTH or word in STOPWORDS["fi"]:
            continue
        fi = analyzers()["fi"]
        for suggestion in fi.suggestions(word):
            for t in fi.word_terms(suggestion):
                if t.weight >= 1.0:
                    concept.groups.append({t.term: SUGGESTION_WEIGHT})
        for term in _fuzzy(word):
            concept.groups.append({term: FUZZY_WEIGHT})
    return concepts


@dataclass
class Ranked:
    """Matching documents (snapshot positions) best first."""

    snap: Snapshot
    order: np.ndarray
    concepts: list[Concept]

    @property
    def total(self) -> int:
        return int(self.order.size)

    def ids(self, start: int = 0, stop: int | None = None) -> list[uuid.UUID]:
        return [self.snap.to_uuid(self.snap.raw_ids[i]) for i in self.order[start:stop]]


def _idf(df: int, n: int) -> float:
    return math.log(1.0 + max(n, df) / max(df, 1))


def rank(q: str, filtered: QuerySet[Service] | None, filter_key: Hashable | None = None) -> Ranked:
    """The services (passing ``filtered``, when given) that match the query, best first.

    Per concept the best group counts; a group's score is the sum of its terms' posting weight x
    query weight x idf. Services matching more concepts come first, then by score, then by name.
    """
    snap = snapshot()
    concepts = query_concepts(q, snap)
    postings = snap.terms({t for c in concepts for t in c.terms()})
    n = max(snap.size, 1)
    total = np.zeros(snap.size, dtype=np.float32)
    coverage = np.zeros(snap.size, dtype=np.int16)
    for concept in concepts:
        best: np.ndarray | None = None
        for group in concept.groups:
            score: np.ndarray | None = None
            for term, qw in group.items():
                hit = postings.get(term)
                if hit is None:
                    continue
                idx, weight = hit
                if score is None:
                    score = np.zeros(snap.size, dtype=np.float32)
                score[idx] += weight * np.float32(qw * _idf(idx.size, n))
            if score is not None:
                best = score if best is None else np.maximum(best, score)
        if best is not None:
            total += best
            coverage += best > 0
    matched = total > 0
    if filtered is not None:
        matched &= snap.mask(filter_key, lambda: filtered.values_list("pk", flat=True))
    candidates = np.nonzero(matched)[0]
    order = candidates[np.lexsort((candidates, -total[candidates], -coverage[candidates]))]
    return Ranked(snap=snap, order=order, concepts=concepts)
