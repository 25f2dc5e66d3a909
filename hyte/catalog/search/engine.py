"""Query side of the service search.

A query becomes *concepts*: one per query word (or per recognised need phrase such as "rahat ei
riitä"). Each concept has alternative terms in groups: the word's Finnish base forms, its Swedish and
English stems, typo corrections, or (for a Finnish compound) its parts, which must all match to count
fully. A service's score for a concept is the best group; its total is the sum over concepts, and
services that match more concepts come first. Term weights carry the field weight from the index and
the term's rarity (idf).
"""

from __future__ import annotations

import bisect
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
    is_stopword,
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
OTHER_ALTERNATIVES_SHARE = 0.3
TRUNCATION_WEIGHT = 0.6
VOCABULARY_TTL = 30.0  # seconds a process keeps its typo vocabulary after the index changed


@dataclass
class Concept:
    """Alternatives for one query word or need: group -> {term: query weight}."""

    label: str
    groups: list[dict[str, float]] = field(default_factory=list)

    def terms(self) -> set[str]:
        return {t for g in self.groups for t in g}


# --- vocabulary for typo tolerance and truncation (per process, refreshed when the index changes) ---

_vocab_lock = threading.Lock()
_vocab: dict[str, Any] = {"token": None, "loaded": 0.0, "by_lang": {}}


class Vocabulary:
    """Index terms of one language: by length (for edit distance) and sorted (for prefixes)."""

    def __init__(self, terms: list[str]) -> None:
        self.sorted = sorted(terms)
        self.by_len: dict[int, list[str]] = {}
        for t in terms:
            self.by_len.setdefault(len(t), []).append(t)

    def within(self, word: str, max_edits: int) -> list[str]:
        candidates: list[str] = []
        for n in range(len(word) - max_edits, len(word) + max_edits + 1):
            candidates.extend(self.by_len.get(n, ()))
        hits = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=max_edits, limit=5)
        return [candidates[i] for _, _, i in hits]

    def with_prefix(self, prefix: str, limit: int = 12) -> list[str]:
        start = bisect.bisect_left(self.sorted, prefix)
        result = []
        for term in self.sorted[start : start + limit]:
            if not term.startswith(prefix):
                break
            result.append(term)
        return result


def _vocabulary() -> dict[str, Vocabulary]:
    now = time.monotonic()
    with _vocab_lock:
        if _vocab["token"] is not None and now - _vocab["loaded"] < VOCABULARY_TTL:
            return _vocab["by_lang"]  # type: ignore[no-any-return]
        token = SearchIndexState.objects.filter(pk=1).values_list("token", flat=True).first() or ""
        if token != _vocab["token"]:
            words_by_lang: dict[str, list[str]] = {lang: [] for lang in LANGS}
            for term in SearchTerm.objects.values_list("term", flat=True).iterator(chunk_size=5000):
                lang, _, word = term.partition(":")
                if lang in words_by_lang:
                    words_by_lang[lang].append(word)
            _vocab["by_lang"] = {lang: Vocabulary(ws) for lang, ws in words_by_lang.items()}
            _vocab["token"] = token
        _vocab["loaded"] = now
        return _vocab["by_lang"]  # type: ignore[no-any-return]


def _query_forms(word: str) -> dict[str, str]:
    """The form of a query word to compare with each language's index terms (base form or stem)."""
    forms = {}
    for lang in LANGS:
        terms = [t for t in analyzers()[lang].word_terms(word) if t.weight >= 1.0]
        forms[lang] = terms[0].term.partition(":")[2] if terms else word
    return forms


def _fuzzy(word: str) -> list[str]:
    """Index terms within one edit (two for long words) of a misspelt word, in each language."""
    if len(word) < MIN_TYPO_LENGTH:
        return []
    vocab = _vocabulary()
    result: list[str] = []
    for lang, form in _query_forms(word).items():
        # Compare the word as typed and, when long enough, its stem: a typo can break the stemming
        # ("simnig" stems to "simn", far from "simning").
        for candidate in dict.fromkeys([word, form]):
            if len(candidate) < MIN_TYPO_LENGTH:
                continue
            max_edits = 1 if len(candidate) < 8 else 2
            result.extend(f"{lang}:{t}" for t in vocab[lang].within(candidate, max_edits))
    return list(dict.fromkeys(result))


def _truncated(word: str) -> list[str]:
    """Index terms that share the start of the word's base form (hiihtää -> hiihto, hiihtolatu): the
    truncation search librarians use, for words with no exact match."""
    result: list[str] = []
    vocab = _vocabulary()
    for lang, form in _query_forms(word).items():
        if len(form) < MIN_TYPO_LENGTH + 1:
            continue
        prefix = form[: max(MIN_TYPO_LENGTH, len(form) - 2)]
        result.extend(f"{lang}:{t}" for t in vocab[lang].with_prefix(prefix))
    return result


# --- need phrases ---


def _word_bases(lang: str, word: str) -> set[str]:
    """Base forms of a word including stopwords (need phrases are matched on these)."""
    analyzer = analyzers()[lang]
    if isinstance(analyzer, VoikkoFinnishAnalyzer):
        analyses = analyzer._analyses(word)
        return {fold(b) for b, _ in analyses} or {word}
    stemmer = getattr(analyzer, "stemmer", None)
    return {stemmer.stemWord(word)} if stemmer else {word}


@dataclass
class Need:
    id: str
    lang: str
    phrases: list[list[set[str]]]  # each phrase: the base forms of each of its words
    expansion: list[dict[str, float]]  # alternatives: a group of terms each


@lru_cache(maxsize=1)
def needs() -> tuple[list[Need], dict[tuple[str, str], list[int]]]:
    """The need vocabulary, and an inverted map (language, base form) -> needs that use it."""
    if not NEEDS_FILE.exists():
        return [], {}
    entries = json.loads(NEEDS_FILE.read_text(encoding="utf-8"))
    result: list[Need] = []
    by_base: dict[tuple[str, str], list[int]] = {}
    for entry in entries:
        lang = entry["lang"]
        phrases = [
            bases for phrase in entry["phrases"] if (bases := [_word_bases(lang, w) for w in words(phrase)])
        ]
        # Each expansion is one alternative; the words of a multi-word expansion ("meeting place") share
        # its weight, so only a service with all of them gets it in full.
        expansion: list[dict[str, float]] = []
        for text in entry["expand"]:
            whole = [term for term, w in document_terms(lang, text).items() if w >= 1.0]
            if whole:
                expansion.append({term: NEED_WEIGHT / len(whole) for term in whole})
        for slug in entry.get("themes", []):
            expansion.append({f"theme:{slug}": THEME_NEED_WEIGHT})
        for phrase in phrases:
            for base in phrase[0]:
                by_base.setdefault((lang, base), []).append(len(result))
        result.append(Need(id=entry["id"], lang=lang, phrases=phrases, expansion=expansion))
    return result, by_base


def _match_needs(query_words: list[str]) -> tuple[list[Concept], set[int]]:
    """Need phrases found in the query: a concept each, and the positions of the words they used."""
    entries, by_base = needs()
    bases_by_lang = {lang: [_word_bases(lang, w) for w in query_words] for lang in LANGS}
    candidates = sorted(
        {
            i
            for lang, qbases in bases_by_lang.items()
            for b in qbases
            for base in b
            for i in by_base.get((lang, base), ())
        }
    )
    concepts: list[Concept] = []
    used: set[int] = set()
    for i in candidates:
        need = entries[i]
        qbases = bases_by_lang[need.lang]
        matched: set[int] = set()
        for phrase in need.phrases:  # every phrase of the need that occurs claims its words
            positions: list[int] = []
            for word_bases in phrase:
                pos = next((j for j, qb in enumerate(qbases) if j not in positions and qb & word_bases), None)
                if pos is None:
                    break
                positions.append(pos)
            else:
                matched.update(positions)
        if matched:
            concepts.append(Concept(label=f"need:{need.id}", groups=[dict(g) for g in need.expansion]))
            used.update(matched)
    return concepts, used


# --- query analysis ---


def query_concepts(q: str, snap: Snapshot | None = None) -> list[Concept]:
    snap = snap or snapshot()
    query_words = words(q)[:MAX_WORDS]
    concepts, used = _match_needs(query_words)
    for i, word in enumerate(query_words):
        if is_stopword(word):
            continue
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
        for rank_no, suggestion in enumerate(fi.suggestions(word)):
            for t in fi.word_terms(suggestion):
                if t.weight < 1.0:
                    continue
                # A suggestion that is itself a base form is a likelier correction than an inflected one
                # ("kuntosli" -> "kuntosali" rather than "kuntosi", which is "kunto" + a possessive).
                base_form = t.term == f"fi:{suggestion}"
                weight = SUGGESTION_WEIGHT * (1.0 if base_form else 0.4) * (0.9**rank_no)
                concept.groups.append({t.term: weight})
        for term in _fuzzy(word):
            concept.groups.append({term: FUZZY_WEIGHT})
    # Truncation: a word that still matches nothing gets the index terms that share its start.
    known = snap.terms({t for c in concepts for t in c.terms()})
    for concept in concepts:
        if concept.label.startswith("need:") or any(t in known for t in concept.terms()):
            continue
        for term in _truncated(concept.label):
            concept.groups.append({term: TRUNCATION_WEIGHT})
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
        summed: np.ndarray | None = None
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
                summed = score.copy() if summed is None else summed + score
        if best is not None and summed is not None:
            # Soft OR: the best alternative counts fully, the other alternatives a little.
            concept_score = best + OTHER_ALTERNATIVES_SHARE * (summed - best)
            total += concept_score
            coverage += concept_score > 0
    matched = total > 0
    if filtered is not None:
        matched &= snap.mask(filter_key, lambda: filtered.values_list("pk", flat=True))
    candidates = np.nonzero(matched)[0]
    order = candidates[np.lexsort((candidates, -total[candidates], -coverage[candidates]))]
    return Ranked(snap=snap, order=order, concepts=concepts)
