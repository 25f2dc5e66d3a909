"""Ranked results that Django's Paginator can page, with highlighted snippets and optional distance."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hyte.catalog.models import Location, Service
from hyte.catalog.search.analyzer import WORD, analyzers, fold
from hyte.catalog.search.engine import Concept, Ranked, rank

DISTANCE_SCALE_KM = 15.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def nearest_km(ids: list[Any], near: tuple[float, float]) -> dict[Any, float]:
    best: dict[Any, float] = {}
    rows = Location.objects.filter(services__in=ids, latitude__isnull=False).values_list(
        "services", "latitude", "longitude"
    )
    for sid, lat, lon in rows:
        d = haversine_km(near, (float(lat or 0), float(lon or 0)))
        if d < best.get(sid, math.inf):
            best[sid] = d
    return best


def highlight(text: str, lang: str, terms: set[str]) -> SafeString:
    """Escape the text and wrap the words whose analysis meets the query terms in <mark>."""
    if not text or not terms:
        return mark_safe(escape(text))
    analyzer = analyzers()[lang]
    out: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        word = fold(match.group(0))
        hit = any(t.term in terms for t in analyzer.word_terms(word))
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>" if hit else escape(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


class SearchResults:
    """Services matching a text query (and/or a place), best first; Django's Paginator pages it."""

    def __init__(
        self,
        *,
        q: str,
        filtered: QuerySet[Service],
        filter_key: Hashable | None,
        near: tuple[float, float] | None = None,
    ) -> None:
        self.q = q
        self.filtered = filtered
        self.filter_key = filter_key
        self.near = near
        self._ids: list[Any] | None = None
        self._ranked: Ranked | None = None
        self.concepts: list[Concept] = []

    def _rank(self) -> None:
        if self._ranked is not None or self._ids is not None:
            return
        if self.q:
            self._ranked = rank(self.q, self.filtered if self.filter_key else None, self.filter_key)
            self.concepts = self._ranked.concepts
        if self.near is not None:
            if self._ranked is not None:
                ids = self._ranked.ids()
            else:
                ids = list(self.filtered.order_by("name_fi", "pk").values_list("pk", flat=True))
            order = {sid: i for i, sid in enumerate(ids)}
            dist = nearest_km(ids, self.near)
            # Text rank first in bands of ten, distance inside a band: nearness never buries relevance.
            band = 10 if self.q else len(ids) + 1
            self._ids = sorted(ids, key=lambda sid: (order[sid] // band, dist.get(sid, math.inf)))

    def ids(self, start: int, stop: int | None) -> list[Any]:
        self._rank()
        if self._ids is not None:
            return self._ids[start:stop]
        assert self._ranked is not None
        return self._ranked.ids(start, stop)

    def count(self) -> int:
        self._rank()
        if self._ids is not None:
            return len(self._ids)
        assert self._ranked is not None
        return self._ranked.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Service]:
        if not isinstance(key, slice):
            raise TypeError("SearchResults supports slicing only")
        ids = self.ids(key.start or 0, key.stop)
        services = {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related("organization")}
        ordered = [services[i] for i in ids if i in services]
        self._decorate(ordered)
        return ordered

    def __iter__(self) -> Iterator[Service]:
        return iter(self[0 : self.count()])

    def top_ids(self, n: int) -> list[Any]:
        return self.ids(0, n)

    # -- presentation --

    def terms(self) -> set[str]:
        return {t for c in self.concepts for t in c.terms()}

    def _decorate(self, services: list[Service]) -> None:
        lang = translation.get_language() or "fi"
        lang = lang if lang in ("fi", "sv", "en") else "fi"
        terms = self.terms()
        for s in services:
            s.hl_name = highlight(s.name, lang, terms)  # type: ignore[attr-defined]
            s.hl_summary = highlight(s.summary, lang, terms)  # type: ignore[attr-defined]
