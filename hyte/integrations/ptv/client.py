"""Where PTV records come from: a directory of JSON files, or the PTV API (paged). One adapter each,
both yielding pages of raw records; a page that cannot be read is reported, never half-used."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hyte.integrations.ptv.errors import PtvFetchError

MAX_PAGE_BYTES = 50 * 1024 * 1024


@dataclass
class Page:
    number: int
    name: str
    records: list[Any] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (id or file, reason)


def records_in(document: Any) -> list[Any]:
    """The records of a PTV document: a v11 page (itemList), a v12 page (items), a list, a dict keyed
    by id, or a single record."""
    if isinstance(document, dict):
        for key in ("itemList", "items", "results"):
            if isinstance(document.get(key), list):
                return list(document[key])
        if "id" in document:
            return [document]
        if document and all(isinstance(v, dict) for v in document.values()):
            return list(document.values())
        return []
    if isinstance(document, list):
        return document
    return []


class FileSource:
    """Every ``*.json`` file under a directory (sorted by name) is one page."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return str(self.path)

    def pages(self) -> Iterator[Page]:
        files = sorted(self.path.rglob("*.json")) if self.path.is_dir() else [self.path]
        for number, file in enumerate(files, start=1):
            page = Page(number=number, name=file.name)
            try:
                page.records = records_in(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                page.problems.append((file.name, f"broken JSON: {exc}"[:300]))
            yield page


class ApiSource:
    """The PTV REST API: v11 lists by municipality (``/api/v11/Service/list/area/Municipality/code/X``
    and the same for ServiceChannel), paged with ``page``; v12 ``/api/v12/services`` paged with
    ``page`` and filtered with ``publishedAtOrAfter`` for incremental syncs."""

    def __init__(
        self,
        base_url: str,
        *,
        version: int = 11,
        municipalities: list[str] | None = None,
        since: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise PtvFetchError(details={"url": base_url[:200]})
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.municipalities = municipalities or []
        self.since = since
        self.timeout = timeout

    def describe(self) -> str:
        return f"{self.base_url} (v{self.version})"

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_PAGE_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PtvFetchError(f"{url}: {exc}"[:300]) from exc
        if len(body) > MAX_PAGE_BYTES:
            raise PtvFetchError(f"{url}: the page is larger than {MAX_PAGE_BYTES} bytes")
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PtvFetchError(f"{url}: broken JSON: {exc}"[:300]) from exc

    def _paths(self) -> list[tuple[str, dict[str, Any]]]:
        if self.version >= 12:
            params = {"publishedAtOrAfter": self.since} if self.since else {}
            return [("/api/v12/services", params), ("/api/v12/service-channels", params)]
        params = {"date": self.since} if self.since else {}
        return [
            (f"/api/v11/{kind}/list/area/Municipality/code/{code}", params)
            for code in self.municipalities
            for kind in ("ServiceChannel", "Service")  # locations first, so services can link to them
        ]

    def pages(self) -> Iterator[Page]:
        number = 0
        for path, params in self._paths():
            page_no = 1
            while True:
                number += 1
                document = self._get(path, {**params, "page": page_no})
                yield Page(number=number, name=f"{path}?page={page_no}", records=records_in(document))
                count = int(document.get("pageCount") or document.get("totalPages") or 1)
                if page_no >= count:
                    break
                page_no += 1
