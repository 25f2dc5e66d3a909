"""The read-only Open Referral HSDS 3.0 API under /hsds/, following the official schema/openapi.json.

Lists come in the HSDS page envelope (``total_items, total_pages, page_number, size, first_page,
last_page, empty, contents``). Texts are in one language: ``?lang=fi|sv|en`` (our extension; else the
cookie or Accept-Language), and so are the error messages ``{"code", "message", "details"}``. Only
active services are public. A malformed id is a 400 (``malformed_id``), an unknown one a 404.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hyte.catalog import selectors as catalog
from hyte.catalog.api import ERROR_SCHEMA, LANG_PARAM, LanguageMixin
from hyte.catalog.errors import InvalidPage, MalformedId
from hyte.catalog.models import Organization
from hyte.integrations.hsds import mapping, selectors
from hyte.integrations.hsds.errors import HsdsInvalidParameter, TaxonomyNotFound, TaxonomyTermNotFound
from hyte.integrations.hsds.schema import HSDS_VERSION, OPENAPI_URL

PROFILE_URL = "https://docs.openreferral.org/en/3.0/hsds/overview.html"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


# --- parameters ---


def _one(params: Mapping[str, Any], name: str) -> str:
    """One value of a query parameter; repeated or with NUL it is an error, never a silent pick."""
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else ([params[name]] if name in params else [])
    if len(values) > 1:
        raise HsdsInvalidParameter(
            _("The parameter “%(name)s” was given more than once.") % {"name": name}, details={"field": name}
        )
    value = str(values[0]) if values else ""
    if "\x00" in value:
        raise HsdsInvalidParameter(
            _("The parameter “%(name)s” contains characters that are not allowed.") % {"name": name},
            details={"field": name},
        )
    return value.strip()


def _bool(params: Mapping[str, Any], *names: str) -> bool:
    result = False
    for name in names:
        raw = _one(params, name).lower()
        if raw in catalog.TRUE_VALUES:
            result = True
        elif raw not in ("", *catalog.FALSE_VALUES):
            raise HsdsInvalidParameter(
                _("The parameter “%(name)s” must be true or false.") % {"name": name}, details={"field": name}
            )
    return result


def _paging(params: Mapping[str, Any]) -> tuple[int, int]:
    page = catalog.parse_page(_one(params, "page"))
    raw = _one(params, "per_page")
    if raw == "":
        return page, DEFAULT_PER_PAGE
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise HsdsInvalidParameter(
            _("The number of results per page must be a whole number from 1 to %(max)d.")
            % {"max": MAX_PER_PAGE},
            code="invalid_per_page",
            details={"field": "per_page", "max": MAX_PER_PAGE},
        )
    return page, int(raw)


def _format(params: Mapping[str, Any]) -> None:
    value = _one(params, "format")
    if value not in ("", "json"):
        raise HsdsInvalidParameter(
            _("The format “%(value)s” is not available: only json is.") % {"value": value[:20]},
            code="unsupported_format",
            details={"field": "format"},
        )


def _uuid(params: Mapping[str, Any], name: str) -> uuid.UUID | None:
    raw = _one(params, name)
    if raw == "":
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise MalformedId(details={"field": name, "id": raw[:64]}) from exc


def _unknown(name: str, value: object) -> HsdsInvalidParameter:
    text = str(value)[:64]
    return HsdsInvalidParameter(
        _("Unknown value “%(value)s” for “%(name)s”.") % {"value": text, "name": name},
        details={"field": name, "value": text},
    )


def _modified_after(params: Mapping[str, Any]) -> datetime | None:
    raw = _one(params, "modified_after")
    if raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise HsdsInvalidParameter(
            _("“%(value)s” is not a date and time in ISO 8601 form, e.g. 2024-05-31T12:00:00+03:00.")
            % {"value": raw[:40]},
            details={"field": "modified_after"},
        ) from exc
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _taxonomy(params: Mapping[str, Any]) -> mapping.Taxonomy | None:
    value = _uuid(params, "taxonomy_id")
    if value is None:
        return None
    taxonomy = selectors.taxonomy_by_id(str(value))
    if taxonomy is None:
        raise _unknown("taxonomy_id", value)
    return taxonomy


def _service_filter(params: Mapping[str, Any]) -> selectors.ServiceFilter:
    term = None
    term_value = _uuid(params, "taxonomy_term_id")
    if term_value is not None:
        term = selectors.term_by_id(str(term_value))
        if term is None:
            raise _unknown("taxonomy_term_id", term_value)
    org = _uuid(params, "organization_id")
    if org is not None and not selectors.organization_exists(org):
        raise _unknown("organization_id", org)
    return selectors.ServiceFilter(
        search=_one(params, "search"),
        term=term,
        taxonomy=_taxonomy(params),
        organization_id=org,
        modified_after=_modified_after(params),
        postcode=_one(params, "postcode"),
    )


# --- the page envelope ---


def _page(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    total_pages = math.ceil(total / per_page)
    if page > max(total_pages, 1):
        raise InvalidPage(
            _("There is no page %(page)d: the results have %(pages)d pages.")
            % {"page": page, "pages": total_pages},
            details={"field": "page", "num_pages": total_pages},
        )
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
        "contents": items,
    }


def _sequence_page[T](
    items: Sequence[T], page: int, per_page: int, render: Callable[[T], Any]
) -> dict[str, Any]:
    start = (page - 1) * per_page
    return _page([render(x) for x in items[start : start + per_page]], len(items), page, per_page)


# --- views ---


class JsonOnly(BaseContentNegotiation):
    """Always JSON: HSDS uses ``?format=`` itself (json, ndjson), so DRF must not read it."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type or "application/json"


class HsdsView(LanguageMixin, APIView):
    """Public, read-only, always JSON, in the language of ``?lang``."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    authentication_classes: list[Any] = []

    @property
    def lang(self) -> str:
        lang = translation.get_language() or "fi"
        return lang if lang in mapping.LANGS else "fi"


PAGE_PARAMS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("per_page", OpenApiTypes.INT, description=f"Results per page, 1–{MAX_PER_PAGE}."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json"], description="Only json."),
    LANG_PARAM,
]
SEARCH_PARAM = OpenApiParameter(
    "search", OpenApiTypes.STR, description="Full text search (the tray's engine)."
)
SERVICE_FILTERS = [
    SEARCH_PARAM,
    OpenApiParameter("taxonomy_term_id", OpenApiTypes.UUID, description="Services with this term."),
    OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description="Services with a term of this taxonomy."),
    OpenApiParameter("organization_id", OpenApiTypes.UUID, description="Services of this organization."),
    OpenApiParameter(
        "modified_after", OpenApiTypes.DATETIME, description="Services modified on or after this time."
    ),
]
FULL_PARAMS = [
    OpenApiParameter("full_service", OpenApiTypes.BOOL, description="Fully nested services."),
    OpenApiParameter("full", OpenApiTypes.BOOL, description="Fully nested objects."),
]
OBJECT = {200: OpenApiTypes.OBJECT, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA}
LIST = {200: OpenApiTypes.OBJECT, 400: ERROR_SCHEMA}


class RootView(HsdsView):
    """HSDS version of this API, the HSDS profile and the OpenAPI file it follows."""

    @extend_schema(operation_id="hsds_root", tags=["HSDS"], parameters=[LANG_PARAM], responses=LIST)
    def get(self, request: Request) -> Response:
        return Response({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


class ServiceListView(HsdsView):
    """Active services (one-to-one fields, or fully nested with full_service); best first with search."""

    @extend_schema(
        operation_id="hsds_services_list",
        tags=["HSDS"],
        parameters=SERVICE_FILTERS + FULL_PARAMS + PAGE_PARAMS,
        responses=LIST,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _format(params)
        page, per_page = _paging(params)
        full = _bool(params, "full_service", "full")
        flt = _service_filter(params)
        services, total = selectors.services_page(flt, (page - 1) * per_page, page * per_page, full=full)
        render = mapping.service_full if full else mapping.service_list_item
        return Response(_page([render(s, self.lang) for s in services], total, page, per_page))


class ServiceDetailView(HsdsView):
    """One active service with everything related to it, fully nested."""

    @extend_schema(
        operation_id="hsds_services_retrieve", tags=["HSDS"], parameters=[LANG_PARAM], responses=OBJECT
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(mapping.service_full(selectors.service_full(id), self.lang))


class OrganizationListView(HsdsView):
    """Organizations; with full or full_service each with its locations and active services."""

    @extend_schema(
        operation_id="hsds_organizations_list",
        tags=["HSDS"],
        parameters=[SEARCH_PARAM, *FULL_PARAMS, *PAGE_PARAMS],
        responses=LIST,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _format(params)
        page, per_page = _paging(params)
        full_service = _bool(params, "full_service")
        nested = full_service or _bool(params, "full")
        qs = selectors.organizations(_one(params, "search"))
        total = qs.count()
        if not nested:
            orgs = list(qs[(page - 1) * per_page : page * per_page])
            return Response(
                _page([mapping.organization_core(o, self.lang) for o in orgs], total, page, per_page)
            )
        orgs = list(selectors.with_children(qs, full=full_service)[(page - 1) * per_page : page * per_page])
        return Response(_page([self._nested(o, full_service) for o in orgs], total, page, per_page))

    def _nested(self, org: Organization, full_service: bool) -> dict[str, Any]:
        """An organization fetched through ``selectors.with_children``: its locations and services."""
        render = mapping.service_full if full_service else mapping.service_list_item
        return mapping.organization_full(
            org,
            self.lang,
            locations=org.hsds_locations,  # type: ignore[attr-defined]
            services=[render(s, self.lang) for s in org.hsds_services],  # type: ignore[attr-defined]
        )


class OrganizationDetailView(OrganizationListView):
    """One organization with its phones, locations and active services."""

    @extend_schema(
        operation_id="hsds_organizations_retrieve",
        tags=["HSDS"],
        parameters=[FULL_PARAMS[0], LANG_PARAM],
        responses=OBJECT,
    )
    def get(self, request: Request, id: str) -> Response:  # type: ignore[override]
        full_service = _bool(request.query_params, "full_service")
        org = selectors.organization_with_children(id, full=full_service)
        return Response(self._nested(org, full_service))


class TaxonomyListView(HsdsView):
    """The taxonomies of our terms: hyte-theme, ptvserclass2 and ptvkohderyhmat."""

    @extend_schema(
        operation_id="hsds_taxonomies_list",
        tags=["HSDS"],
        parameters=[SEARCH_PARAM, *PAGE_PARAMS],
        responses=LIST,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _format(params)
        page, per_page = _paging(params)
        search = _one(params, "search").casefold()
        items = [mapping.taxonomy_dict(t, self.lang) for t in mapping.TAXONOMIES]
        if search:
            items = [
                i for i in items if search in i["name"].casefold() or search in i["description"].casefold()
            ]
        return Response(_sequence_page(items, page, per_page, lambda item: item))


class TaxonomyDetailView(HsdsView):
    """One taxonomy."""

    @extend_schema(
        operation_id="hsds_taxonomies_retrieve", tags=["HSDS"], parameters=[LANG_PARAM], responses=OBJECT
    )
    def get(self, request: Request, id: str) -> Response:
        taxonomy = selectors.taxonomy_by_id(str(catalog.parse_uuid(id)))
        if taxonomy is None:
            raise TaxonomyNotFound()
        return Response(mapping.taxonomy_dict(taxonomy, self.lang))


class TaxonomyTermListView(HsdsView):
    """Themes, PTV service classes and PTV target groups as HSDS taxonomy terms."""

    @extend_schema(
        operation_id="hsds_taxonomy_terms_list",
        tags=["HSDS"],
        parameters=[
            SEARCH_PARAM,
            OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description="Terms of this taxonomy."),
            OpenApiParameter("parent_id", OpenApiTypes.UUID, description="Terms directly under this term."),
            OpenApiParameter("top_only", OpenApiTypes.BOOL, description="Only terms without a parent."),
            *PAGE_PARAMS,
        ],
        responses=LIST,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _format(params)
        page, per_page = _paging(params)
        terms = selectors.terms()
        taxonomy = _taxonomy(params)
        if taxonomy is not None:
            terms = [t for t in terms if t.taxonomy is taxonomy]
        parent = _uuid(params, "parent_id")
        if parent is not None:
            parent_term = selectors.term_by_id(str(parent))
            if parent_term is None:
                raise _unknown("parent_id", parent)
            terms = [t for t in terms if t.taxonomy is parent_term.taxonomy and t.parent == parent_term.code]
        if _bool(params, "top_only"):
            terms = [t for t in terms if t.parent is None]
        search = _one(params, "search").casefold()
        if search:
            terms = [
                t
                for t in terms
                if search in t.code.casefold() or search in mapping.tr(t.obj, "name", self.lang).casefold()
            ]
        return Response(_sequence_page(terms, page, per_page, lambda t: mapping.term_of(t.obj, self.lang)))


class TaxonomyTermDetailView(HsdsView):
    """One taxonomy term."""

    @extend_schema(
        operation_id="hsds_taxonomy_terms_retrieve", tags=["HSDS"], parameters=[LANG_PARAM], responses=OBJECT
    )
    def get(self, request: Request, id: str) -> Response:
        term = selectors.term_by_id(str(catalog.parse_uuid(id)))
        if term is None:
            raise TaxonomyTermNotFound()
        return Response(mapping.term_of(term.obj, self.lang))


class ServiceAtLocationListView(HsdsView):
    """Where each active service is given: service, location and, with full, everything nested."""

    @extend_schema(
        operation_id="hsds_service_at_locations_list",
        tags=["HSDS"],
        parameters=[
            *SERVICE_FILTERS,
            OpenApiParameter("postcode", OpenApiTypes.STR, description="Locations with this postal code."),
            FULL_PARAMS[1],
            *PAGE_PARAMS,
        ],
        responses=LIST,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _format(params)
        page, per_page = _paging(params)
        full = _bool(params, "full")
        flt = _service_filter(params)
        links, total = selectors.service_at_locations_page(
            flt, (page - 1) * per_page, page * per_page, full=full
        )
        render = mapping.service_at_location_full if full else mapping.service_at_location_list_item
        return Response(_page([render(x, self.lang) for x in links], total, page, per_page))


class ServiceAtLocationDetailView(HsdsView):
    """One service at one location, fully nested."""

    @extend_schema(
        operation_id="hsds_service_at_locations_retrieve",
        tags=["HSDS"],
        parameters=[LANG_PARAM],
        responses=OBJECT,
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(mapping.service_at_location_full(selectors.service_at_location_full(id), self.lang))
