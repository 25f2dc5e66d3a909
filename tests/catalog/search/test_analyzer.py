from __future__ import annotations

import pytest

from hyte.catalog.search import analyzer
from hyte.catalog.search.analyzer import document_terms, fold, is_stopword, words

needs_voikko = pytest.mark.skipif(not analyzer.voikko_available(), reason="Voikko is not installed")


def test_fold_keeps_finnish_letters_and_folds_the_rest() -> None:
    assert fold("ÄÖÅ äöå Café Zoé Müller Šiška") == "äöå äöå cafe zoe muller siska"
    assert fold("Cafe\u0301") == "cafe"  # decomposed input


def test_words_split_hyphens_and_drop_punctuation() -> None:
    assert words("Terveysmetsä-kävely, 10 € / kerta!") == [
        "terveysmetsä",
        "kävely",
        "terveysmetsäkävely",
        "10",
        "kerta",
    ]
    assert words('😀 " * OR NEAR( : & !') == ["or", "near"]


@needs_voikko
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kuntosalille", {"fi:kuntosali", "fi:kunto", "fi:sali"}),
        ("vesijumppaan", {"fi:vesijumppa", "fi:vesi", "fi:jumppa"}),
        ("yksinäiselle", {"fi:yksinäinen"}),
        ("liikunnan", {"fi:liikunta"}),
        ("ikäihmisille", {"fi:ikäihminen", "fi:ikä", "fi:ihminen"}),
    ],
)
def test_finnish_base_forms_and_compound_parts(word: str, expected: set[str]) -> None:
    assert set(document_terms("fi", word)) == expected


@needs_voikko
def test_compound_head_weighs_more_than_modifier() -> None:
    terms = document_terms("fi", "kaupunginkirjasto")
    assert terms["fi:kaupunginkirjasto"] == 1.0
    assert terms["fi:kirjasto"] > terms["fi:kaupunki"]


def test_swedish_and_english_stemming() -> None:
    assert set(document_terms("sv", "Simning för seniorer")) == {"sv:simning", "sv:senior"}
    assert set(document_terms("en", "Walking groups for seniors")) == {"en:walk", "en:group", "en:senior"}


@needs_voikko
def test_stopwords_in_any_language() -> None:
    assert is_stopword("ja") and is_stopword("för") and is_stopword("the") and is_stopword("haluan")
    assert not is_stopword("kuntosali") and not is_stopword("simning")


def test_snowball_fallback_without_voikko(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import libvoikko

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("libvoikko.so.1: cannot open shared object file")

    monkeypatch.setattr(libvoikko, "Voikko", broken)
    analyzer.reset()
    try:
        with caplog.at_level("WARNING"):
            assert not analyzer.voikko_available()
        assert "Voikko is not available" in caplog.text
        assert set(document_terms("fi", "kuntosalille")) == {"fi:kuntosal"}
    finally:
        monkeypatch.undo()
        analyzer.reset()
