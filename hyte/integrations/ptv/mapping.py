"""Suomi.fi PTV (v11 and v12) records -> plain values for the catalog. Knows PTV formats; no database.

v11 texts are lists of ``{"language", "value", "type"}``; v12 uses ``languageVersions: {fi: {...}}``.
v11 street-address coordinates are ETRS-TM35FIN (EPSG:3067) strings in fields named latitude
(northing) and longitude (easting); they are converted to WGS84 here.
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


def _check_id(record: Any) -> str:
    if not isinstance(record, dict):
        raise PtvRecordError("?", "the record is not a JSON object")
    raw = record.get("id")
    try:
        return str(uuid.UUID(str(raw)))
    except (ValueError, TypeError):
        raise PtvRecordError(str(raw)[:60] if raw else "?", "missing or malformed id") from None


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
    """A PTV v11 service (or a v12 one, detected by ``languageVersions``) as ServiceData."""
    ptv_id = _check_id(record)
    if "languageVersions" in record:
        return _map_service_v12(ptv_id, record, codes)
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


def _lv_text(versions: dict[str, Any], key: str) -> Texts:
    result: Texts = {}
    for lang in LANGS:
        value = (versions.get(lang) or {}).get(key)
        if isinstance(value, str) and value.strip():
            result[lang] = value.strip()
    return result


def _map_service_v12(ptv_id: str, record: dict[str, Any], codes: Codes) -> ServiceData:
    versions = record.get("languageVersions") or {}
    name = _limit(ptv_id, "name", _lv_text(versions, "name"), MAX_NAME)
    if not name:
        raise PtvRecordError(ptv_id, "the service has no name")
    keywords = {
        lang: ", ".join(str(k) for k in (versions.get(lang) or {}).get("keywords") or [])[:500]
        for lang in LANGS
        if (versions.get(lang) or {}).get("keywords")
    }
    classes = [c.get("code") if isinstance(c, dict) else c for c in record.get("serviceClasses") or []]
    groups = [g.get("code") if isinstance(g, dict) else g for g in record.get("targetGroups") or []]
    municipalities = sorted({str(m).zfill(3) for m in record.get("municipalities") or []})
    for code in municipalities:
        if code not in codes.municipalities:
            raise PtvRecordError(ptv_id, f"unknown municipality code {code[:10]!r}")
    return ServiceData(
        ptv_id=ptv_id,
        name=name,
        summary=_limit(ptv_id, "summary", _lv_text(versions, "summary"), MAX_SUMMARY),
        description=_limit(ptv_id, "description", _lv_text(versions, "description"), MAX_TEXT),
        keywords=keywords,
        cost_description=_lv_text(versions, "chargeAdditionalInfo"),
        free=str(record.get("chargeType", "")).lower() in ("free", "freeofcharge"),
        service_classes=_codes(
            ptv_id, [{"code": c} for c in classes if c], codes.service_classes, "service class"
        ),
        target_groups=_codes(ptv_id, [{"code": g} for g in groups if g], codes.target_groups, "target group"),
        municipalities=municipalities,
        counties=sorted(str(c) for c in record.get("wellbeingServiceCounties") or []),
        nationwide=str(record.get("areaInformationType", "")).lower().startswith("nationwide"),
        languages=sorted(lang for lang in LANGS if lang in versions),
        organization_id=str(record.get("responsibleOrganization") or record.get("organizationId") or "")
        or None,
        organization_name="",
        channel_ids=sorted({str(c) for c in record.get("serviceChannels") or [] if c}),
        modified=record.get("lastModified") or record.get("modified"),
        published=str(record.get("status", "Published")).lower() == "published",
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
    """A PTV v11 ServiceLocation channel as LocationData (address, WGS84 point, accessibility, hours)."""
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
