"""Text analysis for the service search: Finnish with Voikko, Swedish and English with Snowball.

Terms are namespaced by language (``fi:jumppa``, ``sv:simning``, ``en:walk``) so a word of one language
never matches an unrelated stem of another. Finnish words are reduced to their base forms with Voikko
and compounds are also split into their parts (``vesijumppaan`` -> ``fi:vesijumppa`` and the parts
``fi:vesi``, ``fi:jumppa``). Without Voikko the Finnish analyzer falls back to Snowball (with a
warning), which stems but cannot split compounds.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import Stemmer

logger = logging.getLogger(__name__)

LANGS = ("fi", "sv", "en")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
# Letters that carry meaning in Finnish and Swedish stay; other diacritics are folded (é -> e, ü -> u).
KEEP = set("åäöÅÄÖ")
MIN_TYPO_LENGTH = 5

DATA_DIR = Path(__file__).resolve().parent / "data"
# Small stopword lists (reviewed by hand): words that carry no meaning for finding a service.
STOPWORDS: dict[str, set[str]] = {
    lang: set(ws)
    for lang, ws in json.loads((DATA_DIR / "stopwords.json").read_text(encoding="utf-8")).items()
}


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        if ch in KEEP:
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base and base != ch and base.isascii():
            table[code] = base.lower()
    return table


FOLD = _fold_table()
COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase and fold harmless diacritics (é -> e, ü -> u), keeping å, ä and ö."""
    text = text.lower()
    if text.isascii():
        return text
    if COMBINING.search(text):  # decomposed input: compose first
        text = unicodedata.normalize("NFC", text)
    return text.translate(FOLD)


def words(text: str) -> list[str]:
    """The words of a text, folded; hyphenated words also give their halves."""
    found = WORD.findall(fold(text))
    if "-" not in text and "’" not in text:
        return found  # type: ignore[no-any-return]
    result: list[str] = []
    for w in found:
        w = w.replace("’", "'")
        if "-" in w:
            result.extend(p for p in w.split("-") if p)
            result.append(w.replace("-", ""))
        else:
            result.append(w)
    return result


class Term(NamedTuple):
    term: str
    weight: float  # 1.0 for the word itself, less for a compound part or a guessed spelling


class SnowballAnalyzer:
    def __init__(self, lang: str, algorithm: str) -> None:
        self.lang = lang
        self.stemmer = Stemmer.Stemmer(algorithm)
        self.stopwords = STOPWORDS.get(lang, set())
        self._cache: dict[str, tuple[Term, ...]] = {}

    def word_terms(self, word: str) -> tuple[Term, ...]:
        cached = self._cache.get(word)
        if cached is None:
            if word in self.stopwords or (len(word) < 2 and not word.isdigit()):
                cached = ()
            else:
                cached = (Term(f"{self.lang}:{self.stemmer.stemWord(word)}", 1.0),)
            if len(self._cache) < 500_000:
                self._cache[word] = cached
        return cached

    def suggestions(self, word: str) -> list[str]:
        return []


class VoikkoFinnishAnalyzer:
    """Base forms and compound parts from Voikko (libvoikko + the Finnish dictionary)."""

    lang = "fi"
    PART_WEIGHT = 0.5
    HEAD_WEIGHT = 0.85

    def __init__(self) -> None:
        import libvoikko

        self.voikko = libvoikko.Voikko("fi")
        self.stopwords = STOPWORDS["fi"]
        self._cache: dict[str, tuple[Term, ...]] = {}

    @lru_cache(maxsize=200_000)  # noqa: B019 - one analyzer per process, bounded cache
    def _analyses(self, word: str) -> tuple[tuple[str, str], ...]:
        return tuple(
            (a["BASEFORM"], a.get("STRUCTURE", "")) for a in self.voikko.analyze(word) if a.get("BASEFORM")
        )

    @lru_cache(maxsize=100_000)  # noqa: B019
    def _parts(self, base: str) -> tuple[str, ...]:
        """Compound parts of a base form, each reduced to its own base form."""
        for form, structure in self._analyses(base):
            if form.lower() != base.lower() or structure.count("=") < 2:
                continue
            parts: list[str] = []
            current = ""
            letters = iter(base)
            for mark in structure[1:]:
                if mark == "=":
                    parts.append(current)
                    current = ""
                elif mark == "-":
                    next(letters, "")
                    continue
                else:
                    current += next(letters, "")
            parts.append(current + "".join(letters))
            result = []
            for part in parts:
                if len(part) < 3:
                    continue
                bases = [base.lower() for base, _ in self._analyses(part)]
                result.append(part if part in bases or not bases else bases[0])
            return tuple(result)
        return ()

    def word_terms(self, word: str) -> tuple[Term, ...]:
        cached = self._cache.get(word)
        if cached is None:
            cached = tuple(self._word_terms(word))
            if len(self._cache) < 500_000:
                self._cache[word] = cached
        return cached

    def _word_terms(self, word: str) -> list[Term]:
        if word.isdigit():
            return [Term(f"fi:{word}", 1.0)]
        analyses = self._analyses(word)
        if not analyses:
            if word in self.stopwords or len(word) < 2:
                return []
            return [Term(f"fi:{word}", 1.0)]  # unknown to Voikko: names, abbreviations, typos
        bases = list(dict.fromkeys(fold(base) for base, _ in analyses))
        if all(b in self.stopwords for b in bases) or word in self.stopwords:
            return []
        terms = [Term(f"fi:{b}", 1.0) for b in bases]
        for b in bases:
            parts = [p for p in self._parts(b) if p != b]
            # Finnish compounds are right-headed: a "kaupunginkirjasto" is a "kirjasto".
            for i, part in enumerate(parts):
                weight = self.HEAD_WEIGHT if i == len(parts) - 1 else self.PART_WEIGHT
                if not any(t.term == f"fi:{part}" and t.weight >= weight for t in terms):
                    terms.append(Term(f"fi:{part}", weight))
        return terms

    def suggestions(self, word: str) -> list[str]:
        return [fold(s) for s in self.voikko.suggest(word)[:5]]


class SnowballFinnishAnalyzer(SnowballAnalyzer):
    def __init__(self) -> None:
        super().__init__("fi", "finnish")


@lru_cache(maxsize=1)
def finnish_analyzer() -> VoikkoFinnishAnalyzer | SnowballFinnishAnalyzer:
    try:
        return VoikkoFinnishAnalyzer()
    except Exception as exc:  # libvoikko missing, or no Finnish dictionary
        logger.warning(
            "Voikko is not available (%s): Finnish search falls back to Snowball stemming without compound "
            "splitting. Install the Debian packages libvoikko1 and voikko-fi.",
            exc,
        )
        return SnowballFinnishAnalyzer()


def is_stopword(word: str) -> bool:
    """A word that carries no meaning for finding a service in at least one of the languages."""
    if word in STOPWORDS["sv"] or word in STOPWORDS["en"] or word in STOPWORDS["fi"]:
        return True
    fi = finnish_analyzer()
    if isinstance(fi, VoikkoFinnishAnalyzer):
        bases = {fold(b) for b, _ in fi._analyses(word)}
        return bool(bases) and bases <= STOPWORDS["fi"]
    return False


def voikko_available() -> bool:
    return isinstance(finnish_analyzer(), VoikkoFinnishAnalyzer)


@lru_cache(maxsize=1)
def analyzers() -> dict[str, VoikkoFinnishAnalyzer | SnowballAnalyzer]:
    return {
        "fi": finnish_analyzer(),
        "sv": SnowballAnalyzer("sv", "swedish"),
        "en": SnowballAnalyzer("en", "english"),
    }


@lru_cache(maxsize=20_000)
def _short_text_terms(lang: str, text: str) -> tuple[tuple[str, float], ...]:
    return tuple(_document_terms(lang, text).items())


def _document_terms(lang: str, text: str) -> dict[str, float]:
    word_terms = analyzers()[lang].word_terms
    result: dict[str, float] = {}
    get = result.get
    for word in words(text):
        for term, weight in word_terms(word):
            if get(term, 0.0) < weight:
                result[term] = weight
    return result


def document_terms(lang: str, text: str) -> dict[str, float]:
    """Terms of one text in one language with their best weight (1.0 whole word, less for parts)."""
    if len(text) <= 80:  # names, keywords, places repeat a lot: remember them
        return dict(_short_text_terms(lang, text))
    return _document_terms(lang, text)


def reset() -> None:
    """Forget the analyzers and their caches (after installing Voikko, or in tests)."""
    finnish_analyzer.cache_clear()
    analyzers.cache_clear()
    _short_text_terms.cache_clear()
