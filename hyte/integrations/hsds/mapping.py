"""Catalog <-> Open Referral HSDS 3.0.

Export: catalog objects -> HSDS dicts, in one language chosen by the caller (HSDS text fields are
single-language); a missing translation falls back as on the site, then to any language there is.
Objects without a UUID of their own (schedules, phones, addresses, taxonomy terms ...) get stable
UUIDv5 ids derived from our keys, so the same row keeps the same HSDS id between exports.

Import: one HSDS service (from ``tables.Bundle``) -> plain values for our models, no database. What
our tray cannot hold (a monthly schedule, a foreign postal code, coordinates outside WGS84) is dropped
with a warning; what makes the record unusable raises ``HsdsRecordError`` and the record is skipped.

How the objects meet (see also docs/architecture.md "HSDS mapping"):
- service.description = summary and description as two paragraphs (HSDS 3.0 has no summary); on
  import a first paragraph of at most 300 characters followed by more text becomes the summary again.
- schedule = one weekly slot (freq WEEKLY, one ``byday``); a schedule with a location is nested in the
  service_at_location of that location, the others in the service.
- cost_option: a free service has an option with amount 0 EUR; ``fees_description`` = cost text.
- attributes -> taxonomy terms of "hyte-theme" (themes), "ptvserclass2" (PTV service classes) and
  "ptvkohderyhmat" (PTV target groups); service_areas = municipalities (Suomi.fi code URIs).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import resolution_order

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
from hyte.integrations.hsds.errors import HsdsRecordError
from hyte.integrations.hsds.tables import Bundle, Row

LANGS = ("fi", "sv", "en")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:hyte:hsds")
BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
WEEKDAY = {v: k for k, v in BYDAY.items()}
MUNICIPALITY_URI = "http://uri.suomi.fi/codelist/jhs/kunta_1_20230101/code/{code}"
MUNICIPALITY_CODE = re.compile(r"/code/(\d{3})/?$")
POSTAL_CODE = re.compile(r"\d{5}")
MAX_SUMMARY = 300
# ISO 639-3/639-2 codes of the languages in our list -> our ISO 639-1 codes.
LANGUAGE_ALIASES = {
    "fin": "fi",
    "swe": "sv",
    "eng": "en",
    "sme": "se",
    "rus": "ru",
    "ukr": "uk",
    "est": "et",
    "ara": "ar",
    "som": "so",
    "fas": "fa",
    "per": "fa",
    "kur": "ku",
}
STATUS_FROM_HSDS = {
    "active": Service.Status.ACTIVE,
    "inactive": Service.Status.INACTIVE,
    "temporarily closed": Service.Status.INACTIVE,
    "defunct": Service.Status.DEFUNCT,
}


@dataclass(frozen=True)
class Taxonomy:
    key: str
    uri: str
    description: str | Promise
    link_type: str

    @property
    def id(self) -> str:
        return derived_id("taxonomy", self.key)


THEMES = Taxonomy("hyte-theme", "", _("The themes of the HYTE service tray."), "theme")
SERVICE_CLASSES = Taxonomy(
    "ptvserclass2",
    "http://uri.suomi.fi/codelist/ptv/ptvserclass2",
    _("Suomi.fi service classes (PTV)."),
    "service_class",
)
TARGET_GROUPS = Taxonomy(
    "ptvkohderyhmat",
    "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat",
    _("Suomi.fi target groups (PTV)."),
    "audience",
)
TAXONOMIES = (THEMES, SERVICE_CLASSES, TARGET_GROUPS)
TAXONOMY_BY_KEY = {t.key: t for t in TAXONOMIES}


def derived_id(*parts: object) -> str:
    """A stable UUID for an object that has no UUID of its own (UUIDv5 in our namespace)."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def term_id(taxonomy: Taxonomy, code: str) -> str:
    return derived_id("taxonomy_term", taxonomy.key, code)


def tr(obj: models.Model, name: str, lang: str) -> str:
    """The text of a translated field in ``lang``, falling back like the site, then to any language."""
    for code in (*resolution_order(lang), *LANGS):
        value = getattr(obj, f"{name}_{code}", None)
        if value:
            return str(value)
    return str(getattr(obj, name, "") or "")


def _compact(data: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """Leave out empty optional fields (HSDS consumers read a missing field as 'not known')."""
    kept = set(keep)
    return {k: v for k, v in data.items() if k in kept or v not in (None, "", [])}


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hms(value: time) -> str:
    return value.strftime("%H:%M:%S")


# --- export: catalog -> HSDS ---


def taxonomy_dict(taxonomy: Taxonomy, lang: str) -> dict[str, Any]:
    with translation.override(lang):
        description = str(taxonomy.description)
    return _compact(
        {"id": taxonomy.id, "name": taxonomy.key, "description": description, "uri": taxonomy.uri},
        keep=("description",),
    )


def term_dict(
    taxonomy: Taxonomy, code: str, name: str, description: str, parent: str | None, lang: str
) -> dict[str, Any]:
    return _compact(
        {
            "id": term_id(taxonomy, code),
            "code": code,
            "name": name,
            # Required by HSDS (and non-empty in the CSV package); a term without one repeats its name.
            "description": description or name,
            "parent_id": term_id(taxonomy, parent) if parent else None,
            "taxonomy": taxonomy.key,
            "taxonomy_id": taxonomy.id,
            "taxonomy_detail": taxonomy_dict(taxonomy, lang),
            "language": lang,
            "term_uri": f"{taxonomy.uri}/code/{code}" if taxonomy.uri else "",
        },
        keep=("description",),
    )


def theme_term(theme: Theme, lang: str) -> dict[str, Any]:
    return term_dict(THEMES, theme.slug, tr(theme, "name", lang), tr(theme, "description", lang), None, lang)


def service_class_term(item: ServiceClass, lang: str) -> dict[str, Any]:
    return term_dict(SERVICE_CLASSES, item.code, tr(item, "name", lang), "", item.parent_id, lang)


def target_group_term(item: TargetGroup, lang: str) -> dict[str, Any]:
    return term_dict(TARGET_GROUPS, item.code, tr(item, "name", lang), "", item.parent_id, lang)


def term_of(obj: Theme | ServiceClass | TargetGroup, lang: str) -> dict[str, Any]:
    if isinstance(obj, Theme):
        return theme_term(obj, lang)
    if isinstance(obj, ServiceClass):
        return service_class_term(obj, lang)
    return target_group_term(obj, lang)


def organization_core(org: Organization, lang: str) -> dict[str, Any]:
    """The one-to-one fields of an organization (the shape of organization_list)."""
    with translation.override(lang):
        legal_status = str(Organization.Type(org.org_type).label)
    name = tr(org, "name", lang)
    return _compact(
        {
            "id": str(org.pk),
            "name": name,
            # Required by HSDS (and non-empty in the CSV package); without one the name is repeated.
            "description": tr(org, "description", lang) or name,
            "email": org.email,
            "website": org.website,
            "legal_status": legal_status,
        },
        keep=("description",),
    )


def organization_phones(org: Organization) -> list[dict[str, Any]]:
    if not org.phone:
        return []
    return [
        {"id": derived_id("organization_phone", org.pk), "organization_id": str(org.pk), "number": org.phone}
    ]


def organization_full(
    org: Organization,
    lang: str,
    *,
    locations: Iterable[Location] = (),
    services: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    return _compact(
        organization_core(org, lang)
        | {
            "phones": organization_phones(org),
            "locations": [location_full(loc, lang) for loc in locations],
            "services": list(services),
        },
        keep=("description",),
    )


def location_core(loc: Location, lang: str) -> dict[str, Any]:
    prefix, _sep, external = (loc.external_id or "").partition(":")
    return _compact(
        {
            "id": str(loc.pk),
            "location_type": "physical",
            "organization_id": str(loc.organization_id),
            "name": tr(loc, "name", lang),
            "latitude": float(loc.latitude) if loc.latitude is not None else None,
            "longitude": float(loc.longitude) if loc.longitude is not None else None,
            "external_identifier": external if external else None,
            "external_identifier_type": prefix if external else None,
        }
    )


def address_dict(loc: Location, lang: str) -> dict[str, Any] | None:
    """The visiting address; HSDS requires street, postal code, city and region, so none without them."""
    street = tr(loc, "street_address", lang)
    if not street or not loc.postal_code:
        return None
    municipality = tr(loc.municipality, "name", lang)
    county = loc.municipality.county
    return {
        "id": derived_id("address", loc.pk),
        "location_id": str(loc.pk),
        "address_1": street,
        "city": tr(loc, "post_office", lang) or municipality,
        "region": municipality,
        "state_province": tr(county, "name", lang) if county else municipality,
        "postal_code": loc.postal_code,
        "country": "FI",
        "address_type": "physical",
    }


def location_full(loc: Location, lang: str) -> dict[str, Any]:
    address = address_dict(loc, lang)
    sentences = [s.strip() for s in tr(loc, "accessibility", lang).splitlines() if s.strip()]
    return _compact(
        location_core(loc, lang)
        | {
            "addresses": [address] if address else [],
            "accessibility": [
                {"id": derived_id("accessibility", loc.pk, i), "location_id": str(loc.pk), "description": s}
                for i, s in enumerate(sentences)
            ],
        }
    )


def schedule_dict(item: Schedule, lang: str, *, service_at_location_id: str | None = None) -> dict[str, Any]:
    return _compact(
        {
            "id": derived_id("schedule", item.pk),
            "service_id": str(item.service_id),
            "location_id": str(item.location_id) if item.location_id else None,
            "service_at_location_id": service_at_location_id,
            "valid_from": item.valid_from.isoformat() if item.valid_from else None,
            "valid_to": item.valid_to.isoformat() if item.valid_to else None,
            "wkst": "MO",
            "freq": "WEEKLY",
            "interval": 1,
            "byday": BYDAY[item.weekday],
            "opens_at": _hms(item.opens_at),
            "closes_at": _hms(item.closes_at),
            "description": tr(item, "description", lang),
        }
    )


def phone_dict(item: Phone, lang: str) -> dict[str, Any]:
    return _compact(
        {
            "id": derived_id("phone", item.pk),
            "service_id": str(item.service_id),
            "number": item.number,
            "description": tr(item, "description", lang),
        }
    )


def contact_dict(item: Contact, lang: str) -> dict[str, Any]:
    contact_id = derived_id("contact", item.pk)
    phones = [{"id": derived_id("contact_phone", item.pk), "contact_id": contact_id, "number": item.phone}]
    return _compact(
        {
            "id": contact_id,
            "service_id": str(item.service_id),
            "name": item.name,
            "title": tr(item, "title", lang),
            "email": item.email,
            "phones": phones if item.phone else [],
        }
    )


def _cost_options(service: Service, lang: str) -> list[dict[str, Any]]:
    cost = tr(service, "cost_description", lang)
    option: dict[str, Any] = {"id": derived_id("cost_option", service.pk), "service_id": str(service.pk)}
    if service.free:
        with translation.override(lang):
            label = gettext("Free of charge")
        return [
            _compact(option | {"option": label, "amount": 0, "currency": "EUR", "amount_description": cost})
        ]
    return [option | {"amount_description": cost}] if cost else []


def _attribute(service: Service, taxonomy: Taxonomy, term: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": derived_id("attribute", service.pk, term["id"]),
        "link_id": str(service.pk),
        "link_type": taxonomy.link_type,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def service_description(service: Service, lang: str) -> str:
    return "\n\n".join(t for t in (tr(service, "summary", lang), tr(service, "description", lang)) if t)


def service_core(service: Service, lang: str) -> dict[str, Any]:
    """The one-to-one fields of a service (the shape of service_list, without the organization)."""
    return _compact(
        {
            "id": str(service.pk),
            "organization_id": str(service.organization_id),
            "name": tr(service, "name", lang),
            "description": service_description(service, lang),
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees_description": tr(service, "cost_description", lang),
            "assured_date": timezone.localtime(service.last_verified_at).date().isoformat(),
            "last_modified": _timestamp(service.updated_at),
        }
    )


def service_list_item(service: Service, lang: str) -> dict[str, Any]:
    return service_core(service, lang) | {"organization": organization_core(service.organization, lang)}


def service_at_location_core(link: ServiceAtLocation) -> dict[str, Any]:
    return {"id": str(link.pk), "service_id": str(link.service_id), "location_id": str(link.location_id)}


def service_full(service: Service, lang: str, *, with_service_at_locations: bool = True) -> dict[str, Any]:
    """A fully nested service; expects the relations prefetched (see selectors.with_relations)."""
    links = list(service.service_at_locations.all())
    link_of_location = {link.location_id: str(link.pk) for link in links}
    schedules = list(service.schedules.all())
    attributes = [
        *(_attribute(service, THEMES, theme_term(t, lang)) for t in service.themes.all()),
        *(
            _attribute(service, SERVICE_CLASSES, service_class_term(c, lang))
            for c in service.service_classes.all()
        ),
        *(
            _attribute(service, TARGET_GROUPS, target_group_term(g, lang))
            for g in service.target_groups.all()
        ),
    ]
    data = service_core(service, lang) | {
        "organization": organization_core(service.organization, lang)
        | {"phones": organization_phones(service.organization)},
        "phones": [phone_dict(p, lang) for p in service.phones.all()],
        # A schedule at one of the service's locations is nested in that service_at_location.
        "schedules": [schedule_dict(s, lang) for s in schedules if s.location_id not in link_of_location],
        "service_areas": [
            {
                "id": derived_id("service_area", service.pk, m.code),
                "service_id": str(service.pk),
                "name": tr(m, "name", lang),
                "uri": MUNICIPALITY_URI.format(code=m.code),
            }
            for m in service.municipalities.all()
        ],
        "languages": [
            {
                "id": derived_id("language", service.pk, lng.code),
                "service_id": str(service.pk),
                "name": tr(lng, "name", lang),
                "code": lng.code,
            }
            for lng in service.languages.all()
        ],
        "cost_options": _cost_options(service, lang),
        "contacts": [contact_dict(c, lang) for c in service.contacts.all()],
        "attributes": attributes,
    }
    if with_service_at_locations:
        data["service_at_locations"] = [
            service_at_location_core(link)
            | {
                "schedules": [
                    schedule_dict(s, lang, service_at_location_id=str(link.pk))
                    for s in schedules
                    if s.location_id == link.location_id
                ],
                "location": location_full(link.location, lang),
            }
            for link in links
        ]
    return _compact(data)


def service_at_location_list_item(link: ServiceAtLocation, lang: str) -> dict[str, Any]:
    return service_at_location_core(link) | {
        "location": location_core(link.location, lang),
        "service": service_list_item(link.service, lang),
    }


def service_at_location_full(link: ServiceAtLocation, lang: str) -> dict[str, Any]:
    service = link.service
    schedules = [s for s in service.schedules.all() if s.location_id == link.location_id]
    return _compact(
        service_at_location_core(link)
        | {
            "schedules": [schedule_dict(s, lang, service_at_location_id=str(link.pk)) for s in schedules],
            "location": location_full(link.location, lang),
            "service": service_full(service, lang, with_service_at_locations=False),
        }
    )


# --- import: HSDS -> plain values ---


@dataclass
class OrganizationValues:
    hsds_id: str
    name: str
    description: str
    email: str
    website: str
    phone: str
    org_type: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class LocationValues:
    hsds_id: str
    organization_hsds_id: str | None
    name: str
    street_address: str
    postal_code: str
    post_office: str
    region: str
    state_province: str
    latitude: Decimal | None
    longitude: Decimal | None
    accessibility: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ScheduleValues:
    weekday: int
    opens_at: time
    closes_at: time
    valid_from: date | None
    valid_to: date | None
    description: str
    location_hsds_id: str | None


@dataclass
class PhoneValues:
    number: str
    description: str


@dataclass
class ContactValues:
    name: str
    title: str
    email: str
    phone: str


@dataclass
class AreaValues:
    name: str
    code: str | None


@dataclass
class ServiceValues:
    hsds_id: str
    organization_hsds_id: str | None
    name: str
    summary: str
    description: str
    url: str
    email: str
    status: str
    free: bool
    cost_description: str
    assured_date: date | None
    location_hsds_ids: list[str]
    schedules: list[ScheduleValues]
    phones: list[PhoneValues]
    contacts: list[ContactValues]
    languages: list[str]
    areas: list[AreaValues]
    terms: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)


def _text(row: Row | None, name: str) -> str:
    value = (row or {}).get(name)
    if value is None:
        return ""
    return str(value).strip()


def _email(value: str, warnings: list[str]) -> str:
    if not value:
        return ""
    try:
        EmailValidator()(value)
    except ValidationError:
        warnings.append(
            gettext("The e-mail address “%(value)s” is not valid; left out.") % {"value": value[:80]}
        )
        return ""
    return value


def _url(value: str, warnings: list[str]) -> str:
    if not value:
        return ""
    try:
        URLValidator()(value)
    except ValidationError:
        warnings.append(
            gettext("The web address “%(value)s” is not valid; left out.") % {"value": value[:80]}
        )
        return ""
    return value


def _date(value: Any, record_id: str, what: str, kind: str = "service") -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise HsdsRecordError(
            record_id,
            gettext("The %(field)s “%(value)s” is not a date (YYYY-MM-DD).")
            % {"field": what, "value": str(value)[:40]},
            kind=kind,
        ) from exc


def _time(value: Any, record_id: str, what: str) -> time | None:
    if value in (None, ""):
        return None
    try:
        return time.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError as exc:
        raise HsdsRecordError(
            record_id,
            gettext("The %(field)s “%(value)s” is not a time of day (HH:MM:SS).")
            % {"field": what, "value": str(value)[:40]},
        ) from exc


def organization_type(legal_status: str) -> str | None:
    """Our organization type for an HSDS legal_status given as our code or label in any language."""
    wanted = legal_status.strip().casefold()
    if not wanted:
        return None
    for value, label in Organization.Type.choices:
        if wanted == value:
            return value
        for lang in LANGS:
            with translation.override(lang):
                if wanted == str(label).casefold():
                    return value
    return None


def organization_values(bundle: Bundle, row: Row) -> OrganizationValues:
    org_id = _text(row, "id")
    name = _text(row, "name")
    if not name:
        raise HsdsRecordError(org_id, gettext("The organization has no name."), kind="organization")
    warnings: list[str] = []
    phones = [_text(p, "number") for p in bundle.children("phone", "organization_id", org_id)]
    description = _text(row, "description")
    return OrganizationValues(
        hsds_id=org_id,
        name=name,
        description="" if description == name else description,
        email=_email(_text(row, "email"), warnings),
        website=_url(_text(row, "website"), warnings),
        phone=next((p for p in phones if p), ""),
        org_type=organization_type(_text(row, "legal_status")),
        warnings=warnings,
    )


def _coordinates(row: Row, warnings: list[str]) -> tuple[Decimal | None, Decimal | None]:
    lat, lon = row.get("latitude"), row.get("longitude")
    if lat is None and lon is None:
        return None, None
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    if not numbers or not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):  # type: ignore[arg-type]
        warnings.append(
            gettext("The coordinates %(lat)s, %(lon)s are not a WGS84 point; left out.")
            % {"lat": str(lat)[:20], "lon": str(lon)[:20]}
        )
        return None, None
    return Decimal(str(round(float(lat), 6))), Decimal(str(round(float(lon), 6)))  # type: ignore[arg-type]


def location_values(bundle: Bundle, row: Row) -> LocationValues:
    loc_id = _text(row, "id")
    warnings: list[str] = []
    addresses = bundle.children("address", "location_id", loc_id)
    address = next((a for a in addresses if _text(a, "address_type") == "physical"), None) or next(
        iter(addresses), None
    )
    street = " ".join(t for t in (_text(address, "address_1"), _text(address, "address_2")) if t)
    name = _text(row, "name") or street
    if not name:
        raise HsdsRecordError(
            loc_id, gettext("The location has no name and no street address."), kind="location"
        )
    postal_code = _text(address, "postal_code")
    if postal_code and not POSTAL_CODE.fullmatch(postal_code):
        warnings.append(
            gettext("The postal code “%(value)s” is not a Finnish postal code; left out.")
            % {"value": postal_code[:20]}
        )
        postal_code = ""
    latitude, longitude = _coordinates(row, warnings)
    sentences: list[str] = []
    for item in bundle.children("accessibility", "location_id", loc_id):
        sentences += [t for t in (_text(item, "description"), _text(item, "details")) if t]
    return LocationValues(
        hsds_id=loc_id,
        organization_hsds_id=_text(row, "organization_id") or None,
        name=name,
        street_address=street,
        postal_code=postal_code,
        post_office=_text(address, "city"),
        region=_text(address, "region"),
        state_province=_text(address, "state_province"),
        latitude=latitude,
        longitude=longitude,
        accessibility=sentences,
        warnings=warnings,
    )


def schedule_values(
    row: Row, service_id: str, location_hsds_id: str | None, warnings: list[str]
) -> list[ScheduleValues]:
    """One weekly slot per day of ``byday``; a schedule our tray cannot express is left out with a warning."""
    schedule_id = _text(row, "id")
    freq = _text(row, "freq").upper()
    days = [d.strip().upper() for d in _text(row, "byday").split(",") if d.strip()]
    interval = row.get("interval")
    opens_at = _time(row.get("opens_at"), service_id, "opens_at")
    closes_at = _time(row.get("closes_at"), service_id, "closes_at")
    valid_from = _date(row.get("valid_from"), service_id, "valid_from")
    valid_to = _date(row.get("valid_to"), service_id, "valid_to") or _date(
        row.get("until"), service_id, "until"
    )
    problem = ""
    if freq not in ("", "WEEKLY") or interval not in (None, 1):
        problem = gettext("The schedule %(id)s is left out: only weekly schedules can be shown.")
    elif not days or any(d not in WEEKDAY for d in days):
        problem = gettext("The schedule %(id)s is left out: it has no weekdays (byday).")
    elif opens_at is None or closes_at is None:
        problem = gettext("The schedule %(id)s is left out: it has no opening or closing time.")
    elif opens_at >= closes_at:
        problem = gettext("The schedule %(id)s is left out: it closes before it opens.")
    if problem:
        warnings.append(problem % {"id": schedule_id})
        return []
    assert opens_at is not None and closes_at is not None
    return [
        ScheduleValues(
            weekday=WEEKDAY[day],
            opens_at=opens_at,
            closes_at=closes_at,
            valid_from=valid_from,
            valid_to=valid_to,
            description=_text(row, "description"),
            location_hsds_id=location_hsds_id,
        )
        for day in dict.fromkeys(days)
    ]


def split_description(text: str) -> tuple[str, str]:
    """(summary, description): a short first paragraph followed by more text is the summary."""
    first, sep, rest = text.partition("\n\n")
    if sep and rest.strip() and len(first.strip()) <= MAX_SUMMARY:
        return first.strip(), rest.strip()
    return "", text


def language_code(code: str) -> str:
    lowered = code.strip().lower()
    return LANGUAGE_ALIASES.get(lowered, lowered)


def _term_of(bundle: Bundle, attribute: Row) -> tuple[str, str] | None:
    """(our taxonomy key or "", code) of an attribute's taxonomy term; None when it has no term."""
    term = bundle.get("taxonomy_term", attribute.get("taxonomy_term_id"))
    if term is None:
        return None
    detail = bundle.get("taxonomy", term.get("taxonomy_id"))
    by_id = {t.id: t.key for t in TAXONOMIES}
    names = (_text(term, "taxonomy"), _text(detail, "name"), by_id.get(_text(term, "taxonomy_id"), ""))
    key = next((n for n in names if n in TAXONOMY_BY_KEY), "")
    return key, _text(term, "code") or _text(term, "name")


def _schedules(bundle: Bundle, sid: str, links: list[Row], warnings: list[str]) -> list[ScheduleValues]:
    """The service's schedules; one given both for the service and for one of its locations (the same
    id, as in the official example) is the location's."""
    location_ids = {_text(link, "location_id") for link in links}
    rows: dict[str, tuple[Row, str | None]] = {}
    for n, item in enumerate(bundle.children("schedule", "service_id", sid)):
        loc = _text(item, "location_id")
        rows.setdefault(_text(item, "id") or f"#{n}", (item, loc if loc in location_ids else None))
    for link in links:
        for n, item in enumerate(bundle.children("schedule", "service_at_location_id", _text(link, "id"))):
            rows[_text(item, "id") or f"{link.get('id')}#{n}"] = (item, _text(link, "location_id") or None)
    return [v for item, loc in rows.values() for v in schedule_values(item, sid, loc, warnings)]


def _phones(bundle: Bundle, sid: str, links: list[Row]) -> list[PhoneValues]:
    rows = bundle.children("phone", "service_id", sid) + [
        p for link in links for p in bundle.children("phone", "service_at_location_id", _text(link, "id"))
    ]
    phones: dict[str, PhoneValues] = {}
    for row in rows:
        number = _text(row, "number")
        if number and number not in phones:
            phones[number] = PhoneValues(number=number, description=_text(row, "description"))
    return list(phones.values())


def _contacts(bundle: Bundle, sid: str, links: list[Row], warnings: list[str]) -> list[ContactValues]:
    rows = bundle.children("contact", "service_id", sid) + [
        c for link in links for c in bundle.children("contact", "service_at_location_id", _text(link, "id"))
    ]
    contacts: dict[str, ContactValues] = {}
    for n, row in enumerate(rows):
        key = _text(row, "id") or f"#{n}"
        if key in contacts:
            continue
        if not _text(row, "name"):
            warnings.append(gettext("The contact %(id)s has no name; left out.") % {"id": key})
            continue
        numbers = [_text(p, "number") for p in bundle.children("phone", "contact_id", key)]
        contacts[key] = ContactValues(
            name=_text(row, "name"),
            title=_text(row, "title"),
            email=_email(_text(row, "email"), warnings),
            phone=next((p for p in numbers if p), ""),
        )
    return list(contacts.values())


def _terms(bundle: Bundle, sid: str, warnings: list[str]) -> list[tuple[str, str]]:
    terms: list[tuple[str, str]] = []
    for attribute in bundle.children("attribute", "link_id", sid):
        term = _term_of(bundle, attribute)
        if term is None:
            continue
        if term[0]:
            terms.append(term)
        else:
            warnings.append(
                gettext("The taxonomy term “%(code)s” is not from a taxonomy we use; left out.")
                % {"code": term[1][:60]}
            )
    return list(dict.fromkeys(terms))


def service_values(bundle: Bundle, row: Row) -> ServiceValues:
    sid = _text(row, "id")
    name = _text(row, "name")
    if not name:
        raise HsdsRecordError(sid, gettext("The service has no name."))
    warnings: list[str] = []
    summary, description = split_description(_text(row, "description"))
    links = bundle.children("service_at_location", "service_id", sid)
    costs = bundle.children("cost_option", "service_id", sid)
    cost_texts = [_text(c, "amount_description") for c in costs if _text(c, "amount_description")]
    return ServiceValues(
        hsds_id=sid,
        organization_hsds_id=_text(row, "organization_id") or None,
        name=name,
        summary=summary,
        description=description,
        url=_url(_text(row, "url"), warnings),
        email=_email(_text(row, "email"), warnings),
        status=STATUS_FROM_HSDS.get(_text(row, "status"), Service.Status.ACTIVE),
        # Free when one of the cost options costs nothing.
        free=any(isinstance(c.get("amount"), int | float) and c["amount"] == 0 for c in costs),
        cost_description=_text(row, "fees_description") or "\n".join(cost_texts),
        assured_date=_date(row.get("assured_date"), sid, "assured_date"),
        location_hsds_ids=list(
            dict.fromkeys(_text(x, "location_id") for x in links if _text(x, "location_id"))
        ),
        schedules=_schedules(bundle, sid, links, warnings),
        phones=_phones(bundle, sid, links),
        contacts=_contacts(bundle, sid, links, warnings),
        languages=[
            language_code(_text(lng, "code"))
            for lng in bundle.children("language", "service_id", sid)
            if _text(lng, "code")
        ],
        areas=[
            AreaValues(
                name=_text(a, "name"),
                code=m.group(1) if (m := MUNICIPALITY_CODE.search(_text(a, "uri"))) else None,
            )
            for a in bundle.children("service_area", "service_id", sid)
        ],
        terms=_terms(bundle, sid, warnings),
        warnings=warnings,
    )
