"""Suomi.fi PTV (v11 and v12) records -> plain values for the catalog. Knows PTV formats; no database.

v11 (verified against real responses): texts are lists of ``{"language", "value", "type"}``; ids are
``id``; street-address coordinates are ETRS-TM35FIN (EPSG:3067) strings in fields named latitude
(northing) and longitude (easting); they are converted to WGS84 here.

v12 (written from the official v12 OpenAPI 3.1.1 document, beta 0.1.0; not yet checked against live
responses). Schema names below are the document's:

- Every record is keyed by ``contentId``; texts are ``languageVersions: {fi: {...}, sv: ..., en: ...}``
  where an untranslated value is ``""`` or null. The organization is ``organizationContentId`` only
  (no name: the name comes from the organization record), languages are ``serviceLanguages``.
- Services (``ServiceResponse``: ``ServiceTypeServiceResponse`` and the ProfessionalQualification and
  PermitOrOtherObligation variants, told apart by ``serviceType``): ``serviceClasses`` and
  ``targetGroups`` are bare codes ("P27.1", "KR1.1"), ``ontologyTerms`` bare URIs (no labels, so not
  keywords); keywords are ``languageVersions.*.freelyAssignedKeywords``; ``chargeType`` is
  ``Free``/``Charged``/null; ``area`` is ``WholeCountry``, ``WholeCountryExceptAland`` or
  ``LimitedArea`` with ``municipalities`` and ``wellbeingServicesCounties`` (``regions`` are maakunta
  codes, a different code list, and are not used). There is no modification time and no publishing
  status: search returns published content only, ``publishedAt`` is kept as the modification time,
  and withdrawn content is listed by the ``/archived`` endpoints (ids only; not read here: a full run
  withdraws what it did not see). General descriptions (``generalDescriptionContentId``) are not read,
  so texts a service leaves to its general description are missing.
- A service carries no channel list: services and channels are joined by connections
  (``ConnectionResponse``: ``serviceContentId``, ``channelContentId``, from ``/api/v12/connection/
  search``). ``map_connection`` maps one; the sources (client.py) put the joined ids on the records
  under ``JOINED_CHANNELS`` / ``JOINED_SERVICES`` (keys PTV never sends), which the mapping reads.
- Service locations (``ServiceLocationChannelResponse``): the address is
  ``location.streetAddresses[]`` (``StreetAddressWithAccessibilityInformationResponse``: ``streetName``
  per language, ``addressDetail`` = the number, ``postalCode``, ``coordinates[]``), else
  ``location.otherAddresses[]`` (coordinates and postal code only). Coordinates
  (``CoordinateResponse``) are still ETRS-TM35FIN but as numbers: ``{system: "EPSG:3067", easting,
  northing}``; a ``system`` of ``Unknown`` is ignored. A v12 address has no post office and no
  municipality: the post office is left empty and the municipality is taken from the channel's
  ``area`` (its first municipality when it names several). There are no accessibility sentences in v12,
  only ``accessibilityRegisterServicePointId`` (a key to the accessibility register), so accessibility
  is left empty. Opening hours are ``serviceHours.hours[]`` (``NormalServiceHoursType``): only
  ``WeeklyUntilFurtherNoticeServiceHour`` and ``WeeklyDateRangeServiceHour`` (``weeklyHours.monday..
  sunday.hours[] = {start, end, repetition}``) become weekly schedules; odd/even-week slots, continuous
  (round-the-clock) hours, exceptional hours and holiday hours are not shown.
- Organizations (``OrganizationResponse``, by ``organizationType``: State, Municipality,
  RegionalOrganization, Organization, Company): name, description and the first contact web page,
  email and phone; a Municipality organization's home municipality is its ``area.municipalities[0]``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from pyproj import Transformer

from hyte.integrations.ptv.errors import PtvRecordError

LANGS = ("fi", "sv", "en")
WEEKDAYS = {"Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6, "Sunday": 7}
# Finland (with a margin) in WGS84: a converted point outside this box is a bad coordinate.
FINLAND = (59.0, 70.5, 19.0, 32.0)
MAX_NAME = 200
MAX_SUMMARY = 300
MAX_TEXT = 20_000
ORG_TYPES = {
    "Municipality": "municipality",
    "WellbeingServiceCounty": "county",
    "RegionalOrganization": "county",
    "SotePublic": "county",
    "State": "company",
    "Organization": "association",
    "Company": "company",
    "SotePrivate": "company",
    "Region": "county",
}
Texts = dict[str, str]


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)


def etrs_tm35fin_to_wgs84(northing: str | float, easting: str | float) -> tuple[float, float]:
    """(latitude, longitude) in WGS84 for a PTV v11 coordinate pair; ValueError when not usable."""
    north, east = float(str(northing).replace(",", ".")), float(str(easting).replace(",", "."))
    lon, lat = _to_wgs84().transform(east, north)
    if not (FINLAND[0] <= lat <= FINLAND[1] and FINLAND[2] <= lon <= FINLAND[3]):
        raise ValueError(f"coordinates {northing}, {easting} are not in Finland")
    return round(lat, 6), round(lon, 6)


@dataclass
class ScheduleData:
    weekday: int
    opens_at: str
    closes_at: str
    valid_from: str | None = None
    valid_to: str | None = None
    description: Texts = field(default_factory=dict)


@dataclass
class LocationData:
    ptv_id: str
    organization_id: str | None
    name: Texts
    street_address: Texts
    postal_code: str
    post_office: Texts
    municipality: str
    latitude: float | None
    longitude: float | None
    accessibility: dict[str, list[str]]
    phones: list[tuple[str, str]]
    emails: list[str]
    urls: list[str]
    schedules: list[ScheduleData]
    service_ids: list[str]
    published: bool = True

    def fingerprint(self) -> str:
        return _fingerprint(self)


@dataclass
class ServiceData:
    ptv_id: str
    name: Texts
    summary: Texts
    description: Texts
    keywords: Texts
    cost_description: Texts
    free: bool
    service_classes: list[str]
    target_groups: list[str]
    municipalities: list[str]
    counties: list[str]
    nationwide: bool
    languages: list[str]
    organization_id: str | None
    organization_name: str
    channel_ids: list[str]
    modified: str | None
    published: bool = True

    def fingerprint(self) -> str:
        return _fingerprint(self)


@dataclass
class OrganizationData:
    ptv_id: str
    name: Texts
    description: Texts
    org_type: str
    municipality: str | None
    website: str
    email: str
    phone: str

    def fingerprint(self) -> str:
        return _fingerprint(self)


def _fingerprint(value: Any) -> str:
    """SHA-256 of the record's values as canonical JSON (nested dataclasses as their fields)."""
    text = json.dumps(vars(value), sort_keys=True, ensure_ascii=False, default=vars)
    return hashlib.sha256(text.encode()).hexdigest()


# --- helpers over v11 lists and v12 language versions ---


def _v11_texts(items: Any, kind: str | None = None) -> Texts:
    result: Texts = {}
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if kind is not None and item.get("type") != kind:
            continue
        lang, value = item.get("language"), item.get("value")
        if lang in LANGS and isinstance(value, str) and value.strip() and lang not in result:
            result[lang] = value.strip()
    return result


def _check_id(record: Any, key: str = "id") -> str:
    """The record's PTV id (``id`` in v11, ``contentId`` in v12) as a canonical UUID string."""
    if not isinstance(record, dict):
        raise PtvRecordError("?", "the record is not a JSON object")
    raw = record.get(key)
    try:
        return str(uuid.UUID(str(raw)))
    except (ValueError, TypeError):
        raise PtvRecordError(str(raw)[:60] if raw else "?", f"missing or malformed {key}") from None


# Bump when the mapping changes what it makes of a record: the next import then rewrites every record.
MAPPING_VERSION = "2026-11-23"


def record_fingerprint(record: Any) -> str:
    """SHA-256 of a raw PTV record (canonical JSON) and the mapping version. An unchanged record is
    recognised from this alone, before any mapping: that is what makes a second run cheap."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{MAPPING_VERSION}\n{text}".encode()).hexdigest()


def record_id(record: Any) -> str | None:
    """The record's PTV id as the mapping gives it (canonical UUID), or None when it has none."""
    try:
        return _check_id(record, "contentId" if is_v12(record) else "id")
    except PtvRecordError:
        return None


def is_v12(record: Any) -> bool:
    """v12 records are keyed by ``contentId`` and carry texts in ``languageVersions``; v11 has neither."""
    return isinstance(record, dict) and ("contentId" in record or "languageVersions" in record)


def _limit(record_id: str, what: str, texts: Texts, limit: int) -> Texts:
    for lang, value in texts.items():
        if len(value) > limit:
            raise PtvRecordError(record_id, f"{what} ({lang}) is longer than {limit} characters")
    return texts


def _codes(record_id: str, items: Any, known: set[str], what: str) -> list[str]:
    codes = []
    for item in items or []:
        code = (item or {}).get("code") if isinstance(item, dict) else None
        if not code:
            continue  # PTV lists sometimes carry names without codes; nothing to map
        if code not in known:
            raise PtvRecordError(record_id, f"unknown {what} code {str(code)[:20]!r}")
        codes.append(code)
    return sorted(set(codes))


def _areas(
    record_id: str, record: dict[str, Any], known_municipalities: set[str]
) -> tuple[list[str], list[str]]:
    municipalities: set[str] = set()
    counties: set[str] = set()
    for area in record.get("areas") or []:
        kind = area.get("type")
        if kind == "Municipality":
            entries = area.get("municipalities") or ([{"code": area.get("code")}] if area.get("code") else [])
            for m in entries:
                code = str((m or {}).get("code") or "")
                code = code.zfill(3) if code.isdigit() else code
                if code not in known_municipalities:
                    raise PtvRecordError(record_id, f"unknown municipality code {code[:10]!r}")
                municipalities.add(code)
        elif kind in (
            "WellbeingServiceCounty",
            "HospitalRegions",
            "Province",
            "BusinessRegions",
        ) and area.get("code"):
            counties.add(str(area["code"]))
            for m in area.get("municipalities") or []:
                code = str((m or {}).get("code") or "").zfill(3)
                if code in known_municipalities:
                    municipalities.add(code)
    return sorted(municipalities), sorted(counties)


@dataclass(frozen=True)
class Codes:
    municipalities: set[str]
    service_classes: set[str]
    target_groups: set[str]


# --- services ---


def map_service(record: Any, codes: Codes) -> ServiceData:
    """A PTV v11 service (or a v12 one, see ``is_v12``) as ServiceData."""
    if is_v12(record):
        return _map_service_v12(record, codes)
    ptv_id = _check_id(record)
    name = _limit(ptv_id, "name", _v11_texts(record.get("serviceNames"), "Name"), MAX_NAME)
    if "fi" not in name and not name:
        raise PtvRecordError(ptv_id, "the service has no name")
    descriptions = record.get("serviceDescriptions")
    summary = _limit(ptv_id, "summary", _v11_texts(descriptions, "Summary"), MAX_SUMMARY)
    description = _limit(ptv_id, "description", _v11_texts(descriptions, "Description"), MAX_TEXT)
    cost = _limit(
        ptv_id, "charge information", _v11_texts(descriptions, "ChargeTypeAdditionalInfo"), MAX_TEXT
    )
    keywords: dict[str, list[str]] = {}
    for kw in record.get("keywords") or []:
        if isinstance(kw, dict) and kw.get("language") in LANGS and kw.get("value"):
            keywords.setdefault(kw["language"], []).append(str(kw["value"]).strip())
    for term in record.get("ontologyTerms") or []:
        for label in (term or {}).get("name") or []:
            if label.get("language") in LANGS and label.get("value"):
                keywords.setdefault(label["language"], []).append(str(label["value"]).strip())
    classes = _codes(ptv_id, record.get("serviceClasses"), codes.service_classes, "service class")
    groups = _codes(ptv_id, record.get("targetGroups"), codes.target_groups, "target group")
    municipalities, counties = _areas(ptv_id, record, codes.municipalities)
    organization_id, organization_name = None, ""
    for link in record.get("organizations") or []:
        org = (link or {}).get("organization") or {}
        role = link.get("roleType")
        usable = role in ("Responsible", "Producer", "OtherResponsible") and org.get("id")
        if usable and (organization_id is None or role == "Responsible"):
            organization_id, organization_name = str(org["id"]), str(org.get("name") or "")
    channel_ids = [
        str(c["serviceChannel"]["id"])
        for c in record.get("serviceChannels") or []
        if isinstance(c, dict) and (c.get("serviceChannel") or {}).get("id")
    ]
    return ServiceData(
        ptv_id=ptv_id,
        name=name,
        summary=summary,
        description=description,
        keywords={lang: ", ".join(dict.fromkeys(words))[:500] for lang, words in keywords.items()},
        cost_description=cost,
        free=record.get("serviceChargeType") in ("FreeOfCharge", "Free"),
        service_classes=classes,
        target_groups=groups,
        municipalities=municipalities,
        counties=counties,
        nationwide=record.get("areaType") in ("Nationwide", "NationwideExceptAlandIslands"),
        languages=sorted({str(x) for x in record.get("languages") or [] if isinstance(x, str)}),
        organization_id=organization_id,
        organization_name=organization_name,
        channel_ids=sorted(set(channel_ids)),
        modified=record.get("modified"),
        published=record.get("publishingStatus", "Published") in ("Published", None),
    )


# --- service channels (only service locations become locations) ---


def is_service_location(record: Any) -> bool:
    return isinstance(record, dict) and record.get("serviceChannelType") == "ServiceLocation"


def _hours(channel_id: str, hours: Any) -> list[ScheduleData]:
    result: list[ScheduleData] = []
    for block in hours or []:
        if (
            not isinstance(block, dict)
            or block.get("serviceHourType") != "DaysOfTheWeek"
            or block.get("isClosed")
        ):
            continue
        valid_from = (block.get("validFrom") or "")[:10] or None
        valid_to = (block.get("validTo") or "")[:10] or None
        note = _v11_texts(block.get("additionalInformation"))
        for slot in block.get("openingHour") or []:
            first = WEEKDAYS.get(slot.get("dayFrom") or "")
            if first is None:
                raise PtvRecordError(channel_id, f"unknown weekday {str(slot.get('dayFrom'))[:12]!r}")
            last = WEEKDAYS.get(slot.get("dayTo") or "", first)
            try:
                opens, closes = time.fromisoformat(slot["from"]), time.fromisoformat(slot["to"])
            except (KeyError, TypeError, ValueError):
                raise PtvRecordError(channel_id, "malformed opening hours") from None
            if closes <= opens:
                continue  # open past midnight or always open: not a weekly slot we can show
            for day in range(first, (last if last >= first else last + 7) + 1):
                schedule = ScheduleData(
                    weekday=(day - 1) % 7 + 1,
                    opens_at=opens.strftime("%H:%M"),
                    closes_at=closes.strftime("%H:%M"),
                    valid_from=valid_from,
                    valid_to=valid_to,
                    description=note,
                )
                result.append(schedule)
        for validity in (valid_from, valid_to):
            if validity:
                try:
                    date.fromisoformat(validity)
                except ValueError:
                    raise PtvRecordError(channel_id, "malformed validity date") from None
    return result


def map_location(record: Any, codes: Codes) -> LocationData:
    """A PTV ServiceLocation channel (v11, or v12 by ``is_v12``) as LocationData (address, WGS84 point,
    accessibility, hours)."""
    if is_v12(record):
        return _map_location_v12(record, codes)
    ptv_id = _check_id(record)
    name = _limit(ptv_id, "name", _v11_texts(record.get("serviceChannelNames"), "Name"), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the service location has no name")
    address = next(
        (a for a in record.get("addresses") or [] if isinstance(a, dict) and a.get("streetAddress")), None
    )
    street: Texts = {}
    post_office: Texts = {}
    postal_code = ""
    municipality = ""
    lat: float | None = None
    lon: float | None = None
    accessibility: dict[str, list[str]] = {}
    if address is not None:
        sa = address["streetAddress"]
        number = str(sa.get("streetNumber") or "").strip()
        street = {lang: f"{v} {number}".strip() for lang, v in _v11_texts(sa.get("street")).items()}
        post_office = {lang: v.title() for lang, v in _v11_texts(sa.get("postOffice")).items()}
        postal_code = str(sa.get("postalCode") or "")[:5]
        municipality = str((sa.get("municipality") or {}).get("code") or "")
        if sa.get("latitude") and sa.get("longitude"):
            try:
                lat, lon = etrs_tm35fin_to_wgs84(sa["latitude"], sa["longitude"])
            except (ValueError, TypeError) as exc:
                raise PtvRecordError(ptv_id, f"invalid coordinates: {exc}") from None
        for entrance in address.get("entrances") or []:
            for group in (entrance or {}).get("accessibilitySentences") or []:
                for sentence in (group or {}).get("sentences") or []:
                    for lang, value in _v11_texts(sentence.get("sentence")).items():
                        accessibility.setdefault(lang, []).append(value)
    if not municipality:
        areas = record.get("areas") or []
        codes_in_area = [m.get("code") for a in areas for m in (a.get("municipalities") or [])]
        municipality = str(codes_in_area[0]) if codes_in_area else ""
    _limit(ptv_id, "street address", street, MAX_NAME)
    _limit(ptv_id, "post office", post_office, 100)
    if municipality.isdigit():
        municipality = municipality.zfill(3)
    if municipality not in codes.municipalities:
        raise PtvRecordError(ptv_id, f"unknown municipality code {municipality[:10]!r}")
    phones = [
        (
            f"{p.get('prefixNumber') or ''} {p.get('number') or ''}".strip(),
            str(p.get("additionalInformation") or ""),
        )
        for p in record.get("phoneNumbers") or []
        if isinstance(p, dict) and p.get("number")
    ]
    return LocationData(
        ptv_id=ptv_id,
        organization_id=str(record["organizationId"]) if record.get("organizationId") else None,
        name=name,
        street_address=street,
        postal_code=postal_code,
        post_office=post_office,
        municipality=municipality,
        latitude=lat,
        longitude=lon,
        accessibility=accessibility,
        phones=phones[:5],
        emails=[
            str(e["value"]) for e in record.get("emails") or [] if isinstance(e, dict) and e.get("value")
        ][:5],
        urls=[str(w["url"]) for w in record.get("webPages") or [] if isinstance(w, dict) and w.get("url")][
            :5
        ],
        schedules=_hours(ptv_id, record.get("serviceHours")),
        service_ids=sorted(
            {
                str(s["service"]["id"])
                for s in record.get("services") or []
                if isinstance(s, dict) and (s.get("service") or {}).get("id")
            }
        ),
        published=record.get("publishingStatus", "Published") in ("Published", None),
    )


def map_organization(record: Any, codes: Codes) -> OrganizationData:
    """A PTV organization (v11, or v12 by ``contentId``) as OrganizationData."""
    if isinstance(record, dict) and "contentId" in record:
        return _map_organization_v12(record, codes)
    ptv_id = _check_id(record)
    name = _limit(ptv_id, "name", _v11_texts(record.get("organizationNames"), "Name"), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the organization has no name")
    municipality = str((record.get("municipality") or {}).get("code") or "")
    web = next(
        (w.get("url") for w in record.get("webPages") or [] if isinstance(w, dict) and w.get("url")), ""
    )
    email = next(
        (e.get("value") for e in record.get("emails") or [] if isinstance(e, dict) and e.get("value")), ""
    )
    phone = next(
        (
            f"{p.get('prefixNumber') or ''} {p.get('number')}".strip()
            for p in record.get("phoneNumbers") or []
            if isinstance(p, dict) and p.get("number")
        ),
        "",
    )
    return OrganizationData(
        ptv_id=ptv_id,
        name=name,
        description=_v11_texts(record.get("organizationDescriptions"), "Description"),
        org_type=ORG_TYPES.get(str(record.get("organizationType")), "association"),
        municipality=municipality.zfill(3)
        if municipality.isdigit() and municipality.zfill(3) in codes.municipalities
        else None,
        website=str(web)[:200],
        email=str(email)[:254],
        phone=phone[:40],
    )


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# --- PTV v12 (see the module docstring for the schemas) ---

# Keys the sources (client.py) add to v12 records; PTV never sends them.
JOINED_CHANNELS = "_channelContentIds"  # on a service: the channels connections join to it
JOINED_SERVICES = "_serviceContentIds"  # on a service channel: the services connections join to it
V12_WEEKDAYS = {name.lower(): number for name, number in WEEKDAYS.items()}
V12_WEEKLY_HOURS = ("WeeklyUntilFurtherNoticeServiceHour", "WeeklyDateRangeServiceHour")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _localized(value: Any) -> Texts:
    """A v12 ``{fi: "...", sv: "..."}`` value; empty and missing translations are left out."""
    return {
        lang: text.strip()
        for lang, text in _obj(value).items()
        if lang in LANGS and isinstance(text, str) and text.strip()
    }


def _lv_text(versions: dict[str, Any], key: str) -> Texts:
    """One text field of every language version (``languageVersions.<lang>.<key>``)."""
    return _localized({lang: _obj(versions.get(lang)).get(key) for lang in LANGS})


def _lv_name(versions: dict[str, Any]) -> Texts:
    """The display name: ``alternativeName`` where the language version marks it primary."""
    names: Texts = {}
    for lang in LANGS:
        version = _obj(versions.get(lang))
        alternative = version.get("alternativeName")
        primary = (
            alternative if version.get("isAlternativeNamePrimary") and alternative else version.get("name")
        )
        if isinstance(primary, str) and primary.strip():
            names[lang] = primary.strip()
    return names


def _lv_items(versions: dict[str, Any], key: str) -> list[Any]:
    """A list field of every language version, Finnish first (contacts are given per language)."""
    return [item for lang in LANGS for item in _list(_obj(versions.get(lang)).get(key))]


def _joined_ids(record: dict[str, Any], key: str) -> list[str]:
    return sorted({str(i) for i in _list(record.get(key)) if i})


def _bare_codes(record_id: str, items: Any, known: set[str], what: str) -> list[str]:
    """v12 classifications are bare codes ("P27.1"), not v11's ``{"code": ...}`` objects."""
    return _codes(record_id, [{"code": c} for c in _list(items) if isinstance(c, str)], known, what)


def _phone_v12(phone: Any) -> tuple[str, str] | None:
    """A ``TelephoneNumberResponse`` (DomesticPhone or InternationalPhone with ``dialCode``)."""
    phone = _obj(phone)
    number = str(phone.get("number") or "").strip()
    if not number:
        return None
    dial = str(phone.get("dialCode") or "").strip() if phone.get("type") == "InternationalPhone" else ""
    return f"{dial} {number}".strip(), str(phone.get("additionalInformation") or "")


def _map_service_v12(record: dict[str, Any], codes: Codes) -> ServiceData:
    """A v12 ``ServiceResponse`` (any ``serviceType``) as ServiceData."""
    if is_connection(record):
        ids = f"{record.get('serviceContentId')}/{record.get('channelContentId')}"[:60]
        raise PtvRecordError(ids, "a PTV v12 connection where a service was expected")
    ptv_id = _check_id(record, "contentId")
    if "serviceType" not in record and ("organizationType" in record or "businessId" in record):
        raise PtvRecordError(ptv_id, "a PTV v12 organization where a service was expected")
    if "generalDescriptionTypes" in record:
        raise PtvRecordError(ptv_id, "a PTV v12 general description, not a service")
    versions = _obj(record.get("languageVersions"))
    name = _limit(ptv_id, "name", _lv_text(versions, "name"), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the service has no name")
    keywords: Texts = {}
    for lang in LANGS:
        raw = _list(_obj(versions.get(lang)).get("freelyAssignedKeywords"))
        words = [w.strip() for w in raw if isinstance(w, str) and w.strip()]
        if words:
            keywords[lang] = ", ".join(dict.fromkeys(words))[:500]
    area = _obj(record.get("area"))
    municipalities: set[str] = set()
    counties: set[str] = set()
    if area.get("areaType") == "LimitedArea":
        for raw in _list(area.get("municipalities")):
            code = str(raw).zfill(3) if str(raw).isdigit() else str(raw)
            if code not in codes.municipalities:
                raise PtvRecordError(ptv_id, f"unknown municipality code {code[:10]!r}")
            municipalities.add(code)
        counties = {str(c).zfill(2) for c in _list(area.get("wellbeingServicesCounties")) if c}
    organization_id = record.get("organizationContentId")
    return ServiceData(
        ptv_id=ptv_id,
        name=name,
        summary=_limit(ptv_id, "summary", _lv_text(versions, "summary"), MAX_SUMMARY),
        description=_limit(ptv_id, "description", _lv_text(versions, "description"), MAX_TEXT),
        keywords=keywords,
        cost_description=_limit(
            ptv_id, "charge information", _lv_text(versions, "chargeTypeAdditionalInformation"), MAX_TEXT
        ),
        free=record.get("chargeType") == "Free",
        service_classes=_bare_codes(
            ptv_id, record.get("serviceClasses"), codes.service_classes, "service class"
        ),
        target_groups=_bare_codes(ptv_id, record.get("targetGroups"), codes.target_groups, "target group"),
        municipalities=sorted(municipalities),
        counties=sorted(counties),
        nationwide=area.get("areaType") in ("WholeCountry", "WholeCountryExceptAland"),
        languages=sorted({x for x in _list(record.get("serviceLanguages")) if isinstance(x, str)}),
        organization_id=str(organization_id) if organization_id else None,
        organization_name="",
        channel_ids=_joined_ids(record, JOINED_CHANNELS),
        modified=record.get("publishedAt") if isinstance(record.get("publishedAt"), str) else None,
        published=True,
    )


def _v12_time(channel_id: str, value: Any) -> time:
    """An ``hh:mm`` time; ISO 8601's end-of-day ``24:00`` is shown as 23:59."""
    if value == "24:00":
        return time(23, 59)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise PtvRecordError(channel_id, "malformed opening hours") from None


def _v12_date(channel_id: str, value: Any) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise PtvRecordError(channel_id, "malformed validity date") from None


def _hours_v12(channel_id: str, service_hours: Any) -> list[ScheduleData]:
    """Weekly schedules from a ``ServiceHoursResponse`` (see the module docstring for what is left out)."""
    result: list[ScheduleData] = []
    for block in _list(_obj(service_hours).get("hours")):
        block = _obj(block)
        if block.get("type") not in V12_WEEKLY_HOURS:
            continue
        valid_from = _v12_date(channel_id, block.get("fromDate"))
        valid_to = _v12_date(channel_id, block.get("toDate"))
        note = _localized(block.get("additionalInformation"))
        week = _obj(block.get("weeklyHours"))
        for day, weekday in V12_WEEKDAYS.items():
            for slot in _list(_obj(week.get(day)).get("hours")):
                slot = _obj(slot)
                if slot.get("repetition", "Weekly") != "Weekly":
                    continue  # odd or even weeks only: not a weekly slot we can show
                opens = _v12_time(channel_id, slot.get("start"))
                closes = _v12_time(channel_id, slot.get("end"))
                if closes <= opens:
                    continue  # open past midnight: not a slot within one day
                result.append(
                    ScheduleData(
                        weekday=weekday,
                        opens_at=opens.strftime("%H:%M"),
                        closes_at=closes.strftime("%H:%M"),
                        valid_from=valid_from,
                        valid_to=valid_to,
                        description=_localized(slot.get("additionalInformation")) or note,
                    )
                )
    return result


def _point_v12(ptv_id: str, coordinates: Any) -> tuple[float | None, float | None]:
    """The first EPSG:3067 ``CoordinateResponse`` of an address, in WGS84."""
    for point in _list(coordinates):
        point = _obj(point)
        if point.get("system") != "EPSG:3067":
            continue
        try:
            return etrs_tm35fin_to_wgs84(point["northing"], point["easting"])
        except (KeyError, ValueError, TypeError) as exc:
            raise PtvRecordError(ptv_id, f"invalid coordinates: {exc}") from None
    return None, None


def _map_location_v12(record: dict[str, Any], codes: Codes) -> LocationData:
    """A v12 ``ServiceLocationChannelResponse`` as LocationData."""
    ptv_id = _check_id(record, "contentId")
    versions = _obj(record.get("languageVersions"))
    name = _limit(ptv_id, "name", _lv_name(versions), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the service location has no name")
    location = _obj(record.get("location"))
    street: Texts = {}
    postal_code = ""
    lat: float | None = None
    lon: float | None = None
    address = next((_obj(a) for a in _list(location.get("streetAddresses")) if _obj(a)), None)
    if address is not None:
        number = str(address.get("addressDetail") or "").strip()
        street = {lang: f"{v} {number}".strip() for lang, v in _localized(address.get("streetName")).items()}
    else:
        address = next((_obj(a) for a in _list(location.get("otherAddresses")) if _obj(a)), None)
    if address is not None:
        postal_code = str(address.get("postalCode") or "")[:5]
        lat, lon = _point_v12(ptv_id, address.get("coordinates"))
    _limit(ptv_id, "street address", street, MAX_NAME)
    area = _obj(record.get("area"))
    in_area = [str(m) for m in _list(area.get("municipalities")) if m]
    if not in_area:
        raise PtvRecordError(
            ptv_id, "no municipality: a v12 address has none and the channel's area names none"
        )
    municipality = in_area[0].zfill(3) if in_area[0].isdigit() else in_area[0]
    if municipality not in codes.municipalities:
        raise PtvRecordError(ptv_id, f"unknown municipality code {municipality[:10]!r}")
    phones = [p for p in (_phone_v12(x) for x in _lv_items(versions, "contactPhoneNumbers")) if p]
    emails = [str(_obj(e).get("email")) for e in _lv_items(versions, "contactEmails") if _obj(e).get("email")]
    urls = [str(_obj(w).get("url")) for w in _lv_items(versions, "contactWebPages") if _obj(w).get("url")]
    organization_id = record.get("organizationContentId")
    return LocationData(
        ptv_id=ptv_id,
        organization_id=str(organization_id) if organization_id else None,
        name=name,
        street_address=street,
        postal_code=postal_code,
        post_office={},
        municipality=municipality,
        latitude=lat,
        longitude=lon,
        accessibility={},
        phones=list(dict.fromkeys(phones))[:5],
        emails=list(dict.fromkeys(emails))[:5],
        urls=list(dict.fromkeys(urls))[:5],
        schedules=_hours_v12(ptv_id, record.get("serviceHours")),
        service_ids=_joined_ids(record, JOINED_SERVICES),
        published=True,
    )


def _map_organization_v12(record: dict[str, Any], codes: Codes) -> OrganizationData:
    """A v12 ``OrganizationResponse`` as OrganizationData."""
    ptv_id = _check_id(record, "contentId")
    versions = _obj(record.get("languageVersions"))
    name = _limit(ptv_id, "name", _lv_name(versions), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the organization has no name")
    municipality = None
    if record.get("organizationType") == "Municipality":
        in_area = [str(m) for m in _list(_obj(record.get("area")).get("municipalities")) if m]
        code = in_area[0].zfill(3) if in_area and in_area[0].isdigit() else ""
        municipality = code if code in codes.municipalities else None
    web = next(
        (str(_obj(w).get("url")) for w in _lv_items(versions, "contactWebPages") if _obj(w).get("url")), ""
    )
    email = next(
        (str(_obj(e).get("email")) for e in _lv_items(versions, "contactEmails") if _obj(e).get("email")), ""
    )
    phone = next((p[0] for p in map(_phone_v12, _lv_items(versions, "contactPhoneNumbers")) if p), "")
    return OrganizationData(
        ptv_id=ptv_id,
        name=name,
        description=_lv_text(versions, "description"),
        org_type=ORG_TYPES.get(str(record.get("organizationType")), "association"),
        municipality=municipality,
        website=web[:200],
        email=email[:254],
        phone=phone[:40],
    )


@dataclass(frozen=True)
class ConnectionData:
    service_id: str
    channel_id: str


def is_connection(record: Any) -> bool:
    """A v12 ``ConnectionResponse`` (joins a service and a channel; it has no ``contentId`` of its own)."""
    return isinstance(record, dict) and "serviceContentId" in record and "channelContentId" in record


def map_connection(record: Any) -> ConnectionData:
    return ConnectionData(
        service_id=_check_id(record, "serviceContentId"), channel_id=_check_id(record, "channelContentId")
    )
