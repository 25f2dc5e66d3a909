"""Where PTV records come from: a directory of JSON files, or the PTV API (paged). One adapter each,
both yielding pages of raw records; a page that cannot be read is reported, never half-used.

PTV v12 (from the official v12 OpenAPI 3.1.1 document, beta 0.1.0) differs in ways the sources handle:

- Lists are ``GET /api/v12/{service,service-channel,organization,connection}/search`` with the query
  parameters ``page`` and ``pageSize`` (both required; 1..100 per page) and, for incremental syncs,
  ``publishedAtOrAfter`` (an ISO date-time). Answers are ``{page, pageSize, totalItems, totalPages,
  items}`` (``ServiceSearchResponse``, ``ChannelSearchResponse``, ...). Array parameters have no
  ``style`` in the document, so they go as OpenAPI's default (form, exploded): ``?a=1&a=2``.
- Every call is sent with the ``x-api-key`` header when an API key is given.
- A service carries no channel list: the API source reads, for each page of service locations and of
  services, their connections (``/api/v12/connection/search`` by ``channelContentIds`` or
  ``serviceContentIds``, 20 ids a request) and puts the joined ids on the records (mapping's
  ``JOINED_SERVICES`` / ``JOINED_CHANNELS``); the file source does the same with the connection records
  (``ConnectionResponse``) of files that sort before the services and channels they join.
- Services and channels name their organization by id only, so the API source reads each organization
  once (``GET /api/v12/organization/{contentId}``) and puts it first on the page that names it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hyte.integrations.ptv import mapping
from hyte.integrations.ptv.errors import PtvFetchError, PtvRecordError

MAX_PAGE_BYTES = 50 * 1024 * 1024
V12_PAGE_SIZE = 100  # the largest pageSize v12 allows
V12_MAX_IDS = 20  # the most ids (content ids, municipalities) one v12 filter parameter takes
V12_SERVICES = "/api/v12/service/search"
V12_CHANNELS = "/api/v12/service-channel/search"
V12_CONNECTIONS = "/api/v12/connection/search"
V12_ORGANIZATION = "/api/v12/organization/{}"


@dataclass
class Page:
    number: int
    name: str
    records: list[Any] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (id or file, reason)


def records_in(document: Any) -> list[Any]:
    """The records of a PTV document: a v11 page (itemList), a v12 page (items), a list, a dict keyed
    by id, or a single record (v11 ``id`` or v12 ``contentId``)."""
    if isinstance(document, dict):
        for key in ("itemList", "items", "results"):
            if isinstance(document.get(key), list):
                return list(document[key])
        if "id" in document or "contentId" in document:
            return [document]
        if document and all(isinstance(v, dict) for v in document.values()):
            return list(document.values())
        return []
    if isinstance(document, list):
        return document
    return []


def _content_id(raw: Any) -> str:
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        return str(raw)


@dataclass
class Links:
    """v12 connections read so far: the channels of each service and the services of each channel."""

    channels: dict[str, set[str]] = field(default_factory=dict)
    services: dict[str, set[str]] = field(default_factory=dict)

    def add(self, connection: mapping.ConnectionData) -> None:
        self.channels.setdefault(connection.service_id, set()).add(connection.channel_id)
        self.services.setdefault(connection.channel_id, set()).add(connection.service_id)

    def read(self, records: Iterable[Any]) -> list[tuple[str, str]]:
        """Take the connections among ``records``; the problems of broken ones as (ids, reason)."""
        problems = []
        for record in records:
            if mapping.is_connection(record):
                try:
                    self.add(mapping.map_connection(record))
                except PtvRecordError as exc:
                    problems.append((exc.record_id, f"connection: {exc.reason}"))
        return problems


def prepare_v12(record: Any, links: Links) -> Any:
    """A v12 record as the importer reads it (see the module docstring); other records as they are."""
    if not mapping.is_v12(record):
        return record
    record = dict(record)
    content_id = _content_id(record.get("contentId"))
    if "serviceChannelType" in record:
        joined = {str(i) for i in record.get(mapping.JOINED_SERVICES) or []}
        record[mapping.JOINED_SERVICES] = sorted(joined | links.services.get(content_id, set()))
    elif (
        "organizationType" not in record or "serviceType" in record
    ):  # a service (organizations have no links)
        joined = {str(i) for i in record.get(mapping.JOINED_CHANNELS) or []}
        record[mapping.JOINED_CHANNELS] = sorted(joined | links.channels.get(content_id, set()))
    return record


class FileSource:
    """Every ``*.json`` file under a directory (sorted by name) is one page. v12 connection records
    are taken out of their page and joined onto the services and channels of later files."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return str(self.path)

    def pages(self) -> Iterator[Page]:
        files = sorted(self.path.rglob("*.json")) if self.path.is_dir() else [self.path]
        links = Links()
        for number, file in enumerate(files, start=1):
            page = Page(number=number, name=file.name)
            try:
                records = records_in(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                page.problems.append((file.name, f"broken JSON: {exc}"[:300]))
            else:
                page.problems.extend(links.read(records))
                page.records = [prepare_v12(r, links) for r in records if not mapping.is_connection(r)]
            yield page


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class ApiSource:
    """The PTV REST API.

    v11: lists by municipality (``/api/v11/Service/list/area/Municipality/code/X`` and the same for
    ServiceChannel), paged with ``page``, filtered with ``date`` for incremental syncs.

    v12: ``/api/v12/service-channel/search`` (service locations only) and then
    ``/api/v12/service/search``, paged with ``page``/``pageSize``, filtered with ``publishedAtOrAfter``
    for incremental syncs and, when municipalities are given, with ``areaType=LimitedArea`` and
    ``municipalities`` (services and channels for the whole country are then not included), with each
    page's connections and organizations read alongside (see the module docstring). ``api_key`` is sent
    as the ``x-api-key`` header.
    """

    def __init__(
        self,
        base_url: str,
        *,
        version: int = 11,
        municipalities: list[str] | None = None,
        since: str | None = None,
        timeout: float = 30.0,
        api_key: str | None = None,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise PtvFetchError(details={"url": base_url[:200]})
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.municipalities = municipalities or []
        self.since = since
        self.timeout = timeout
        self.api_key = api_key
        self._organizations_read: set[str] = set()

    def describe(self) -> str:
        return f"{self.base_url} (v{self.version})"

    def _get(self, path: str, params: dict[str, Any], *, missing_ok: bool = False) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_PAGE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return None
            raise PtvFetchError(f"{url}: {exc}"[:300]) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PtvFetchError(f"{url}: {exc}"[:300]) from exc
        if len(body) > MAX_PAGE_BYTES:
            raise PtvFetchError(f"{url}: the page is larger than {MAX_PAGE_BYTES} bytes")
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PtvFetchError(f"{url}: broken JSON: {exc}"[:300]) from exc

    def pages(self) -> Iterator[Page]:
        if self.version >= 12:
            yield from self._pages_v12()
            return
        number = 0
        params = {"date": self.since} if self.since else {}
        paths = [
            f"/api/v11/{kind}/list/area/Municipality/code/{code}"
            for code in self.municipalities
            for kind in ("ServiceChannel", "Service")  # locations first, so services can link to them
        ]
        for path in paths:
            page_no = 1
            while True:
                number += 1
                document = self._get(path, {**params, "page": page_no})
                yield Page(number=number, name=f"{path}?page={page_no}", records=records_in(document))
                count = int(document.get("pageCount") or document.get("totalPages") or 1)
                if page_no >= count:
                    break
                page_no += 1

    # --- v12 ---

    def _v12_page(self, path: str, params: dict[str, Any]) -> tuple[list[Any], int]:
        """The items and ``totalPages`` of one v12 search page."""
        document = self._get(path, params)
        items = document.get("items") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise PtvFetchError(f"{path}: not a v12 search page (no items)")
        try:
            total = int(document.get("totalPages") or 0)
        except (TypeError, ValueError):
            raise PtvFetchError(f"{path}: not a v12 search page (totalPages)") from None
        return items, total

    def _v12_searches(self) -> list[tuple[str, dict[str, Any], str]]:
        """(path, filters, connection filter for the page's ids): service locations first, so that
        services can link to them."""
        base: dict[str, Any] = {"publishedAtOrAfter": self.since} if self.since else {}
        codes = sorted({c.zfill(3) if c.isdigit() else c for c in self.municipalities})
        areas = [
            {"areaType": "LimitedArea", "municipalities": chunk, "municipalitiesMatch": "any"}
            for chunk in _chunks(codes, V12_MAX_IDS)
        ] or [{}]
        channels = [
            (V12_CHANNELS, {**base, **area, "channelTypes": ["ServiceLocation"]}, "channelContentIds")
            for area in areas
        ]
        services = [(V12_SERVICES, {**base, **area}, "serviceContentIds") for area in areas]
        return channels + services

    def _v12_links(self, id_filter: str, records: list[Any]) -> tuple[Links, list[tuple[str, str]]]:
        """The connections of the page's services or channels (all of them, whatever their date)."""
        links = Links()
        problems: list[tuple[str, str]] = []
        ids = sorted(
            {_content_id(r["contentId"]) for r in records if isinstance(r, dict) and r.get("contentId")}
        )
        for chunk in _chunks(ids, V12_MAX_IDS):
            page_no = 1
            while True:
                params = {"page": page_no, "pageSize": V12_PAGE_SIZE, id_filter: chunk}
                items, total = self._v12_page(V12_CONNECTIONS, params)
                problems.extend(links.read(items))
                if page_no >= total:
                    break
                page_no += 1
        return links, problems

    def _v12_organizations(self, records: list[Any]) -> list[Any]:
        """The organizations the page names that this run has not read yet (one request each)."""
        found = []
        for record in records:
            raw = record.get("organizationContentId") if isinstance(record, dict) else None
            try:
                org_id = str(uuid.UUID(str(raw)))
            except ValueError:
                continue  # the mapping reports the record
            if org_id in self._organizations_read:
                continue
            self._organizations_read.add(org_id)
            document = self._get(V12_ORGANIZATION.format(org_id), {}, missing_ok=True)
            if isinstance(document, dict):
                found.append(document)
        return found

    def _pages_v12(self) -> Iterator[Page]:
        number = 0
        self._organizations_read = set()
        for path, filters, id_filter in self._v12_searches():
            page_no = 1
            while True:
                number += 1
                items, total = self._v12_page(path, {**filters, "page": page_no, "pageSize": V12_PAGE_SIZE})
                links, problems = self._v12_links(id_filter, items)
                records = self._v12_organizations(items) + items
                yield Page(
                    number=number,
                    name=f"{path}?page={page_no}",
                    records=[prepare_v12(r, links) for r in records],
                    problems=problems,
                )
                if page_no >= total:
                    break
                page_no += 1
