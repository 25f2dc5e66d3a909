"""Licensed questionnaire wording, loaded per deployment and never committed.

SWEMWBS and AUDIT-C item texts are licensed (docs: ../shared/docs/measures.md §1.5): the repository
holds item numbers only. A deploying organisation that holds the licence points
``HYTE_LICENSED_TEXTS_FILE`` at a JSON file of its own, shaped

    {"swemwbs": {"item_1": {"fi": "...", "sv": "...", "en": "..."}, ...}, "auditc": {...}}

and the measurement forms (and the instrument API) show those texts next to the item numbers. Without
the file, or for an item or language it lacks, the item number is all that is shown.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation

log = logging.getLogger(__name__)


@cache
def _load(path: str) -> dict[str, dict[str, dict[str, str]]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("Licensed texts could not be read from %s: %s", path, exc.__class__.__name__)
        return {}
    if not isinstance(data, dict):
        log.error("Licensed texts in %s are not a JSON object", path)
        return {}
    return {
        str(code): {
            str(item): {str(lang): str(text) for lang, text in texts.items() if isinstance(text, str)}
            for item, texts in items.items()
            if isinstance(texts, dict)
        }
        for code, items in data.items()
        if isinstance(items, dict)
    }


def licensed_text(instrument: str, item: str, language: str | None = None) -> str | None:
    path = getattr(settings, "HYTE_LICENSED_TEXTS_FILE", "")
    if not path:
        return None
    texts = _load(str(path)).get(instrument, {}).get(item, {})
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return texts.get(language[:2]) or None


def item_label(instrument: Any, item: Any) -> str:
    """The item's label, with the licensed wording after it when the deployment has loaded it."""
    text = licensed_text(instrument.code, item.code) if instrument.licensed_wording else None
    return f"{item.label}: {text}" if text else str(item.label)
