"""Reads for the HSDS API and export: only public data (active services; organizations, their
locations and the taxonomies are public). Text search goes through ``catalog.selectors`` so the HSDS
API ranks exactly like the tray's own search."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from hyte.catalog import selectors as catalog
from hyte.catalog.errors import InvalidSearchParameter, ServiceNotFound
from hyte.catalog.models import (
    Contact,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClass,
    TargetGroup,
    Theme,
)
from hyte.integrations.hsds.errors import ServiceAtLocationNotFound
from hyte.integrations.hsds.mapping import (
    SERVICE_CLASSES,
    TARGET_GROUPS,
    TAXONOMIES,
    THEMES,
    Taxonomy,
    term_id,
)

TermObject = Theme | ServiceClass | TargetGroup


@dataclass(frozen=True)
class Term:
    taxonomy: Taxonomy
    code: str
    obj: TermObject
    parent: str | None

    @property
    def id(self) -> str:
        return term_id(self.taxonomy, self.code)


@dataclass(frozen=True)
class ServiceFilter:
    """Validated HSDS filters; empty values mean 'no filter'."""

    search: str = ""
    term: Term | None = None
    taxonomy: Taxonomy | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    postcode: str = ""

    @property
    def filters_beyond_search(self) -> bool:
        return any((self.term, self.taxonomy, self.organization_id, self.modified_after, self.postcode))


# --- taxonomies ---


def terms() -> list[Term]:
    """Every term of our three taxonomies: themes in their order, PTV codes by code."""
    result = [Term(THEMES, t.slug, t, None) for t in Theme.objects.order_by("order", "slug")]
    result += [Term(SERVICE_CLASSES, c.code, c, c.parent_id) for c in ServiceClass.objects.order_by("code")]
    result += [Term(TARGET_GROUPS, g.code, g, g.parent_id) for g in TargetGroup.objects.order_by("code")]
    return result


def term_by_id(value: str) -> Term | None:
    return next((t for t in terms() if t.id == value), None)


def taxonomy_by_id(value: str) -> Taxonomy | None:
    return next((t for t in TAXONOMIES if t.id == value), None)


def _term_q(term: Term) -> Q:
    """Services with the term or, for the PTV trees, with a narrower term under it."""
    if term.taxonomy is THEMES:
        return Q(themes__slug=term.code)
    prefix = "service_classes" if term.taxonomy is SERVICE_CLASSES else "target_groups"
    return (
        Q(**{f"{prefix}__code": term.code})
        | Q(**{f"{prefix}__parent__code": term.code})
        | Q(**{f"{prefix}__parent__parent__code": term.code})
    )


def _taxonomy_q(taxonomy: Taxonomy) -> Q:
    field = {THEMES.key: "themes", SERVICE_CLASSES.key: "service_classes", TARGET_GROUPS.key: "target_groups"}
    return Q(**{f"{field[taxonomy.key]}__isnull": False})


# --- services ---


def with_relations(qs: QuerySet[Service]) -> QuerySet[Service]:
    """Everything a fully nested HSDS service needs, in a fixed number of queries."""
    return qs.select_related("organization").prefetch_related(
        "themes",
        "service_classes",
        "target_groups",
        "municipalities",
        "languages",
        Prefetch("phones", queryset=Phone.objects.order_by("pk")),
        Prefetch("contacts", queryset=Contact.objects.order_by("pk")),
        Prefetch("schedules", queryset=Schedule.objects.order_by("weekday", "opens_at", "pk")),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__municipality__county").order_by(
                "location__name_fi", "pk"
            ),
        ),
    )


def filtered_services(flt: ServiceFilter) -> QuerySet[Service]:
    """Active services passing the filters (no text search), without duplicates."""
    qs = catalog.public_services()
    if flt.term is not None:
        qs = qs.filter(_term_q(flt.term))
    if flt.taxonomy is not None:
        qs = qs.filter(_taxonomy_q(flt.taxonomy))
    if flt.organization_id is not None:
        qs = qs.filter(organization_id=flt.organization_id)
    if flt.modified_after is not None:
        qs = qs.filter(updated_at__gte=flt.modified_after)
    if flt.postcode:
        qs = qs.filter(locations__postal_code=flt.postcode)
    return catalog.public_services().filter(pk__in=qs.values("pk"))


def ranked_service_ids(flt: ServiceFilter) -> list[Any] | None:
    """Ids of the matching services best first when there is search text, else None (use a queryset)."""
    if not flt.search:
        return None
    try:
        search = catalog.parse_service_search({"q": flt.search})
    except InvalidSearchParameter as exc:
        exc.details = exc.details | {"field": "search"}
        raise
    results = catalog.service_search(search)
    if isinstance(results, QuerySet):  # nothing left of the text after normalising it
        return None
    ranked: list[Any] = results.ids(0, None)
    if not flt.filters_beyond_search:
        return ranked
    allowed = set(filtered_services(flt).values_list("pk", flat=True))
    return [pk for pk in ranked if pk in allowed]


def services_page(flt: ServiceFilter, start: int, stop: int, *, full: bool) -> tuple[list[Service], int]:
    """(services of one page, total) in search rank order, or by name without search text."""
    ranked = ranked_service_ids(flt)
    if ranked is None:
        qs = filtered_services(flt).select_related("organization").order_by("name_fi", "pk")
        total = qs.count()
        return list((with_relations(qs) if full else qs)[start:stop]), total
    page_ids = ranked[start:stop]
    qs = Service.objects.filter(pk__in=page_ids).select_related("organization")
    by_id = {s.pk: s for s in (with_relations(qs) if full else qs)}
    return [by_id[pk] for pk in page_ids if pk in by_id], len(ranked)


def service_full(service_id: object) -> Service:
    """One active service with everything nested; MalformedId (400) or ServiceNotFound (404)."""
    pk = catalog.parse_uuid(service_id)
    service = with_relations(catalog.public_services().filter(pk=pk)).first()
    if service is None:
        raise ServiceNotFound()
    return service


# --- service_at_locations ---


def _links() -> QuerySet[ServiceAtLocation]:
    return ServiceAtLocation.objects.select_related(
        "location__municipality__county", "service__organization"
    ).filter(service__status=Service.Status.ACTIVE)


def service_at_locations_page(
    flt: ServiceFilter, start: int, stop: int, *, full: bool
) -> tuple[list[ServiceAtLocation], int]:
    ranked = ranked_service_ids(flt)
    if ranked is None:
        qs = (
            _links()
            .filter(service__in=filtered_services(flt))
            .order_by("service__name_fi", "location__name_fi", "pk")
        )
        total = qs.count()
        links = list(qs[start:stop])
    else:
        order = {pk: i for i, pk in enumerate(ranked)}
        rows = list(
            ServiceAtLocation.objects.filter(service__in=ranked).values_list(
                "pk", "service_id", "location__name_fi"
            )
        )
        rows.sort(key=lambda r: (order[r[1]], r[2], str(r[0])))
        page_ids = [r[0] for r in rows[start:stop]]
        by_id = {link.pk: link for link in _links().filter(pk__in=page_ids)}
        links = [by_id[pk] for pk in page_ids if pk in by_id]
        total = len(rows)
    if full:
        _attach_full_services(links)
    return links, total


def _attach_full_services(links: list[ServiceAtLocation]) -> None:
    services = {s.pk: s for s in with_relations(Service.objects.filter(pk__in={x.service_id for x in links}))}
    for link in links:
        link.service = services[link.service_id]


def service_at_location_full(link_id: object) -> ServiceAtLocation:
    pk = catalog.parse_uuid(link_id)
    link = _links().filter(pk=pk).first()
    if link is None:
        raise ServiceAtLocationNotFound()
    _attach_full_services([link])
    return link


# --- organizations ---


def organizations(search: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.all()
    if search:
        qs = qs.filter(
            Q(name_fi__icontains=search) | Q(name_sv__icontains=search) | Q(name_en__icontains=search)
        )
    return qs.order_by("name_fi", "pk")


def organization(organization_id: object) -> Organization:
    return catalog.organization_detail(organization_id=organization_id)


def with_children(qs: QuerySet[Organization], *, full: bool) -> QuerySet[Organization]:
    """Organizations with ``hsds_locations`` and their active ``hsds_services`` (fully nested when
    ``full``), in a fixed number of queries however many organizations there are."""
    services = catalog.public_services().select_related("organization").order_by("name_fi", "pk")
    return qs.prefetch_related(
        Prefetch(
            "locations",
            queryset=Location.objects.select_related("municipality__county").order_by("name_fi", "pk"),
            to_attr="hsds_locations",
        ),
        Prefetch(
            "services", queryset=with_relations(services) if full else services, to_attr="hsds_services"
        ),
    )


def organization_with_children(organization_id: object, *, full: bool) -> Organization:
    org = organization(organization_id)
    return with_children(Organization.objects.filter(pk=org.pk), full=full).get()


def organization_exists(pk: uuid.UUID) -> bool:
    return Organization.objects.filter(pk=pk).exists()


# --- export ---


def all_public_services() -> QuerySet[Service]:
    return with_relations(catalog.public_services().order_by("name_fi", "pk"))


def all_locations() -> QuerySet[Location]:
    return Location.objects.select_related("municipality__county").order_by("name_fi", "pk")


def all_service_at_locations() -> QuerySet[ServiceAtLocation]:
    return _links().order_by("service__name_fi", "location__name_fi", "pk")
