"""Reads of the service tray.

Public reads (search, detail) show only active services. Staff reads are scoped to the acting
user's organizations here, once, and nowhere else. Search is behind ``service_search`` so the
engine can be replaced without touching views or the API.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hyte.accounts.selectors import User, is_platform_admin, organization_ids_for_user
from hyte.catalog.errors import (
    InvalidPage,
    InvalidSearchParameter,
    MalformedId,
    OrganizationNotFound,
    ServiceNotFound,
)
from hyte.catalog.models import (
    Location,
    Municipality,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.results import SearchResults
from hyte.core.errors import DomainError

LANGS = ("fi", "sv", "en")
MAX_PAGE = 10_000
TRUE_VALUES = {"1", "true", "on", "yes"}
FALSE_VALUES = {"0", "false", "off", "no"}


@dataclass(frozen=True)
class ServiceSearch:
    """Validated search parameters. Empty values mean 'no filter'."""

    q: str = ""
    theme: str = ""
    municipality: str = ""
    free: bool | None = None
    language: str = ""
    target_group: str = ""
    accessible: bool = False
    weekday: int | None = None
    near: tuple[float, float] | None = None
    page: int = 1

    def with_page(self, page: int) -> ServiceSearch:
        return replace(self, page=page)


def _single(params: Mapping[str, Any], name: str) -> str:
    """One value of a query parameter; a repeated parameter is an error, not a silent pick."""
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else ([params[name]] if name in params else [])
    if len(values) > 1:
        raise InvalidSearchParameter(
            _("The parameter “%(name)s” was given more than once.") % {"name": name},
            details={"field": name},
        )
    value = values[0] if values else ""
    if not isinstance(value, str):
        raise InvalidSearchParameter(details={"field": name})
    if "\x00" in value:
        raise InvalidSearchParameter(
            _("The parameter “%(name)s” contains characters that are not allowed.") % {"name": name},
            details={"field": name},
        )
    return value.strip()


def _bool(params: Mapping[str, Any], name: str) -> bool | None:
    raw = _single(params, name).lower()
    if raw == "":
        return None
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise InvalidSearchParameter(
        _("The parameter “%(name)s” must be true or false.") % {"name": name}, details={"field": name}
    )


def _known(value: str, name: str, exists: bool) -> str:
    if value and not exists:
        raise InvalidSearchParameter(
            _("Unknown value “%(value)s” for “%(name)s”.") % {"value": value[:50], "name": name},
            details={"field": name, "value": value[:50]},
        )
    return value


def _weekday(raw: str) -> int | None:
    if raw == "":
        return None
    if raw not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise InvalidSearchParameter(
            _("The weekday must be a number from 1 (Monday) to 7 (Sunday)."), details={"field": "weekday"}
        )
    return int(raw)


def _near(raw: str) -> tuple[float, float] | None:
    """``near=63.84,23.13``: a WGS84 point (latitude, longitude) to rank nearer services first."""
    if raw == "":
        return None
    try:
        lat_s, lon_s = raw.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        lat = lon = float("nan")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
        raise InvalidSearchParameter(
            _("The place must be given as latitude,longitude in degrees, e.g. 63.84,23.13."),
            details={"field": "near"},
        )
    return (lat, lon)


def parse_page(raw: str) -> int:
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidPage(
            _("The page number must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE},
            details={"field": "page"},
        )
    return int(raw)


def parse_service_search(params: Mapping[str, Any]) -> ServiceSearch:
    """Validate raw query parameters (page or API) into a ServiceSearch, or raise a coded 400 error."""
    q = _single(params, "q")
    max_len = settings.HYTE_SEARCH_MAX_QUERY_LENGTH
    if len(q) > max_len:
        raise InvalidSearchParameter(
            _("The search text is too long: at most %(max)d characters.") % {"max": max_len},
            code="query_too_long",
            details={"field": "q", "max_length": max_len},
        )
    theme = _single(params, "theme")
    municipality = _single(params, "municipality")
    language = _single(params, "language")
    target_group = _single(params, "target_group")
    return ServiceSearch(
        q=" ".join(q.split()),
        theme=_known(theme, "theme", bool(theme) and Theme.objects.filter(slug=theme).exists()),
        municipality=_known(
            municipality,
            "municipality",
            bool(municipality) and Municipality.objects.filter(code=municipality).exists(),
        ),
        free=_bool(params, "free"),
        language=_known(
            language, "language", bool(language) and ServiceLanguage.objects.filter(code=language).exists()
        ),
        target_group=_known(
            target_group,
            "target_group",
            bool(target_group) and TargetGroup.objects.filter(code=target_group).exists(),
        ),
        accessible=bool(_bool(params, "accessible")),
        weekday=_weekday(_single(params, "weekday")),
        near=_near(_single(params, "near")),
        page=parse_page(_single(params, "page")),
    )


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(status=Service.Status.ACTIVE)


def filtered_services(search: ServiceSearch) -> QuerySet[Service]:
    """Active services that pass the search's filters (no text)."""
    qs = public_services()
    if search.theme:
        qs = qs.filter(themes__slug=search.theme)
    if search.municipality:
        qs = qs.filter(municipalities__code=search.municipality)
    if search.free is not None:
        qs = qs.filter(free=search.free)
    if search.language:
        qs = qs.filter(languages__code=search.language)
    if search.target_group:
        qs = qs.filter(
            Q(target_groups__code=search.target_group) | Q(target_groups__parent__code=search.target_group)
        )
    if search.accessible:
        qs = qs.filter(locations__step_free_access=True)
    if search.weekday:
        today = timezone.localdate()
        qs = qs.filter(
            Q(schedules__weekday=search.weekday),
            Q(schedules__valid_to__isnull=True) | Q(schedules__valid_to__gte=today),
        )
    return public_services().filter(pk__in=qs.values("pk"))


def service_search(search: ServiceSearch) -> QuerySet[Service] | SearchResults:
    """Active services matching the search, best first: the one entry point to the search engine.

    Without text or place the filtered services come in alphabetical order; with text they are ranked
    by ``catalog.search`` (Finnish base forms and compounds, Swedish and English stems, needs, typos),
    and a place (``near``) brings nearer services up among equally good matches.
    """
    filtered = filtered_services(search)
    if not search.q and search.near is None:
        return filtered.select_related("organization").order_by("name_fi", "pk")
    filter_key = dataclasses.replace(search, q="", near=None, page=1)
    return SearchResults(
        q=search.q,
        filtered=filtered,
        filter_key=None if filter_key == ServiceSearch() else filter_key,
        near=search.near,
    )


def attach_refs(services: list[Service]) -> list[Service]:
    """Give each service ``theme_list`` and ``municipality_list`` with four small queries for the whole
    page (cheaper than prefetching related managers for every row)."""
    ids = [s.pk for s in services]
    themes = {t.slug: t for t in Theme.objects.all()}
    theme_links: dict[Any, list[Theme]] = {}
    for sid, slug in Service.themes.through.objects.filter(service_id__in=ids).values_list(
        "service_id", "theme_id"
    ):
        theme_links.setdefault(sid, []).append(themes[slug])
    muni_links: dict[Any, list[str]] = {}
    municipality_links: Any = Service.municipalities.through
    for sid, code in municipality_links.objects.filter(service_id__in=ids).values_list(
        "service_id", "municipality_id"
    ):
        muni_links.setdefault(sid, []).append(code)
    municipalities = Municipality.objects.in_bulk({c for codes in muni_links.values() for c in codes})
    for s in services:
        s.theme_list = sorted(theme_links.get(s.pk, []), key=lambda t: t.order)  # type: ignore[attr-defined]
        s.municipality_list = sorted(  # type: ignore[attr-defined]
            (municipalities[c] for c in muni_links.get(s.pk, [])), key=lambda m: m.name
        )
    return services


def paginate_services(results: QuerySet[Service] | SearchResults, page: int) -> Page:
    """A page of search results, each service with its themes, municipalities and stated capacity
    (``capacity_stated``: the ``ServiceCapacity`` or None) attached."""
    result = paginate(results, page)
    services = attach_refs(list(result.object_list))
    capacities = ServiceCapacity.objects.in_bulk([s.pk for s in services], field_name="service_id")
    for s in services:
        stated = capacities.get(s.pk)
        s.capacity_stated = stated if stated is not None and stated.is_stated else None  # type: ignore[attr-defined]
    result.object_list = services
    return result


def paginate(qs: QuerySet[Any] | SearchResults, page: int, per_page: int | None = None) -> Page:
    paginator = Paginator(qs, per_page or settings.HYTE_SEARCH_PAGE_SIZE)  # type: ignore[arg-type]
    try:
        return paginator.page(page)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise InvalidPage(
            _("There is no page %(page)d: the results have %(pages)d pages.")
            % {"page": page, "pages": paginator.num_pages},
            details={"field": "page", "num_pages": paginator.num_pages},
        ) from exc


def parse_uuid(raw: object) -> uuid.UUID:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except (ValueError, AttributeError, TypeError) as exc:
        raise MalformedId(details={"id": str(raw)[:64]}) from exc


def service_detail(*, service_id: object) -> Service:
    pk = parse_uuid(service_id)
    service = (
        public_services()
        .select_related("organization", "capacity")
        .prefetch_related(
            "themes",
            "municipalities",
            "languages",
            "target_groups",
            "service_classes",
            "phones",
            "contacts",
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
            Prefetch("schedules", queryset=Schedule.objects.select_related("location")),
        )
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise ServiceNotFound()
    attach_refs([service])
    return service


def organization_detail(*, organization_id: object) -> Organization:
    pk = parse_uuid(organization_id)
    org = Organization.objects.select_related("municipality").filter(pk=pk).first()
    if org is None:
        raise OrganizationNotFound()
    return org


def organization_services(*, organization: Organization) -> QuerySet[Service]:
    return public_services().filter(organization=organization)


def organization_list() -> QuerySet[Organization]:
    return Organization.objects.select_related("municipality").order_by("name_fi")


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.prefetch_related("service_classes").order_by("order")


def municipality_list(*, county: str = "", in_use: bool = False) -> QuerySet[Municipality]:
    qs = Municipality.objects.select_related("county")
    if county:
        qs = qs.filter(county__code=county)
    if in_use:
        qs = qs.filter(services__status=Service.Status.ACTIVE).distinct()
    return qs.order_by("name_fi")


def filter_choices() -> dict[str, Any]:
    """What the search form offers: only values that some active service has."""
    active = public_services()
    return {
        "themes": list(Theme.objects.order_by("order")),
        "municipalities": list(
            Municipality.objects.filter(services__in=active).distinct().order_by("name_fi")
        ),
        "languages": list(
            ServiceLanguage.objects.filter(services__in=active).distinct().order_by("order", "code")
        ),
        "target_groups": list(TargetGroup.objects.filter(services__in=active).distinct().order_by("code")),
    }


def _point(service: Service, location: Location) -> dict[str, Any]:
    return {
        "lat": float(location.latitude or 0),
        "lon": float(location.longitude or 0),
        "service_id": str(service.pk),
        "service": service.name,
        "location": location.name,
        "address": location.street_address,
    }


def map_points(results: QuerySet[Service] | SearchResults, *, limit: int = 500) -> list[dict[str, Any]]:
    """Located places of the (first ``limit``) results, for the map (WGS84), in one query."""
    if isinstance(results, SearchResults):
        ids: Any = results.top_ids(limit)
    else:
        ids = results.values("pk")[:limit]
    links = (
        ServiceAtLocation.objects.filter(service__in=ids, location__latitude__isnull=False)
        .select_related("service", "location")
        .order_by("service__name_fi", "location__name_fi")[:limit]
    )
    return [_point(link.service, link.location) for link in links]


def service_map_points(service: Service) -> list[dict[str, Any]]:
    return [_point(service, loc) for loc in service.locations.all() if loc.latitude is not None]


# --- staff reads (scoped to the acting user) ---


def services_editable_by(user: User) -> QuerySet[Service]:
    if is_platform_admin(user):
        return Service.objects.all()
    return Service.objects.filter(organization_id__in=organization_ids_for_user(user))


def organizations_editable_by(user: User) -> QuerySet[Organization]:
    if is_platform_admin(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=organization_ids_for_user(user))


def locations_editable_by(user: User) -> QuerySet[Location]:
    if is_platform_admin(user):
        return Location.objects.all()
    return Location.objects.filter(organization_id__in=organization_ids_for_user(user))


def stale_services_for_user(user: User) -> QuerySet[Service]:
    cutoff = timezone.now() - timedelta(days=settings.HYTE_STALE_AFTER_DAYS)
    return (
        services_editable_by(user)
        .filter(last_verified_at__lt=cutoff, merged_into__isnull=True)
        .exclude(status=Service.Status.DEFUNCT)
        .select_related("organization")
        .order_by("last_verified_at", "name_fi")
    )


def county_exists(code: str) -> bool:
    from hyte.catalog.models import WellbeingServicesCounty

    return WellbeingServicesCounty.objects.filter(code=code).exists()


# --- capacity ---


def services_capacity_editable_by(user: User) -> QuerySet[Service]:
    """Services whose capacity the user updates: those of organizations where she is a service editor
    (coordinators and front desk staff do not)."""
    from hyte.accounts.models import Membership

    if is_platform_admin(user):
        return Service.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Service.objects.none()
    orgs = Membership.objects.filter(user_id=user.pk, role=Membership.Role.EDITOR).values("organization_id")
    return Service.objects.filter(organization_id__in=orgs)


def service_capacity_for_editor(*, actor: User, service_id: object) -> Service:
    """The service (with its capacity, if any) for the capacity page; another organization's is 404."""
    pk = parse_uuid(service_id)
    service = (
        services_capacity_editable_by(actor)
        .select_related("organization", "capacity", "capacity__updated_by")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise ServiceNotFound()
    return service


def duplicate_candidates_for(user: User) -> QuerySet[Any]:
    """Open pairs of possible duplicates among the listings the user edits."""
    from hyte.catalog.models import DuplicateCandidate

    editable = services_editable_by(user)
    return (
        DuplicateCandidate.objects.filter(
            status=DuplicateCandidate.Status.OPEN,
            first__in=editable,
            second__in=editable,
            first__merged_into__isnull=True,
            second__merged_into__isnull=True,
        )
        .select_related("organization", "first", "second")
        .order_by("organization__name_fi", "-similarity", "created_at")
    )


def duplicate_candidate_for(user: User, candidate_id: object) -> Any:
    from hyte.catalog.errors import CandidateNotFound

    candidate = duplicate_candidates_for(user).filter(pk=parse_uuid(candidate_id)).first()
    if candidate is None:
        raise CandidateNotFound()
    return candidate


def service_for_review(user: User, service_id: object) -> Service:
    """A listing the user edits, with everything the public page shows (for the review before verifying)."""
    service = (
        services_editable_by(user)
        .select_related("organization")
        .prefetch_related(
            "themes",
            "municipalities",
            "languages",
            "target_groups",
            "phones",
            "contacts",
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
            Prefetch("schedules", queryset=Schedule.objects.select_related("location")),
        )
        .filter(pk=parse_uuid(service_id))
        .first()
    )
    if service is None:
        raise ServiceNotFound()
    return service


def merged_target(service_id: object) -> Service | None:
    """The active listing a merged-away listing now lives in (following merges of merges), or None."""
    try:
        pk = parse_uuid(service_id)
    except DomainError:
        return None
    seen: set[Any] = set()
    service = Service.objects.filter(pk=pk).only("pk", "status", "merged_into").first()
    while service is not None and service.merged_into_id is not None and service.pk not in seen:
        seen.add(service.pk)
        service = (
            Service.objects.filter(pk=service.merged_into_id).only("pk", "status", "merged_into").first()
        )
    if service is None or service.pk == pk or service.status != Service.Status.ACTIVE:
        return None
    return service
