"""Load the demo service tray (Keski-Pohjanmaa) from demo/keski_pohjanmaa.json.

Idempotent: objects are keyed by ``external_id = "demo:<key>"`` and updated in place.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from hyte.catalog.models import (
    Contact,
    Location,
    Municipality,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClass,
    ServiceLanguage,
    TargetGroup,
    Theme,
)
from hyte.catalog.search.index import rebuild as rebuild_search_index

DEMO_FILE = Path(__file__).resolve().parent / "keski_pohjanmaa.json"
LANGS = ("fi", "sv", "en")
HELSINKI = ZoneInfo("Europe/Helsinki")
# A location is step-free when its accessibility sentences say so (demo data has no separate flag).
STEP_FREE = re.compile(r"esteetön|luiska|hissi|kynnyksetön|tasainen sisäänkäynti|pyörätuoli", re.IGNORECASE)
NOT_STEP_FREE = re.compile(r"portai|ei esteetön|ei hissiä|kynnys", re.IGNORECASE)


def _tr(field: str, value: dict[str, str] | None) -> dict[str, str]:
    value = value or {}
    return {field: value.get("fi", "")} | {f"{field}_{lang}": value.get(lang, "") or "" for lang in LANGS}


def _lines(value: dict[str, list[str]] | None) -> dict[str, str]:
    value = value or {}
    return _tr("accessibility", {lang: "\n".join(value.get(lang, [])) for lang in LANGS})


def _step_free(sentences: list[str]) -> bool:
    text = " ".join(sentences)
    return bool(STEP_FREE.search(text)) and not NOT_STEP_FREE.search(text.replace("kynnyksetön", ""))


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> dict[str, int]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    municipalities = {m.code: m for m in Municipality.objects.all()}
    orgs: dict[str, Organization] = {}
    for item in data["organizations"]:
        org, _ = Organization.objects.update_or_create(
            external_id=f"demo:{item['key']}",
            defaults={
                "org_type": item["type"],
                "municipality": municipalities.get(item.get("municipality") or ""),
                "website": item.get("website") or "",
                "email": item.get("email") or "",
                "phone": item.get("phone") or "",
                **_tr("name", item["name"]),
                **_tr("description", item.get("description")),
            },
        )
        orgs[item["key"]] = org
    locations: dict[str, Location] = {}
    for item in data["locations"]:
        loc, _ = Location.objects.update_or_create(
            external_id=f"demo:{item['key']}",
            defaults={
                "organization": orgs[item["organization"]],
                "municipality": municipalities[item["municipality"]],
                "postal_code": item.get("postal_code") or "",
                "latitude": round(float(item["lat"]), 6),
                "longitude": round(float(item["lon"]), 6),
                "step_free_access": _step_free((item.get("accessibility") or {}).get("fi", [])),
                **_tr("name", item["name"]),
                **_tr("street_address", item.get("street_address")),
                **_tr("post_office", item.get("post_office")),
                **_lines(item.get("accessibility")),
            },
        )
        locations[item["key"]] = loc
    themes = {t.slug: t for t in Theme.objects.all()}
    classes = {c.code: c for c in ServiceClass.objects.all()}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    languages = {lang.code: lang for lang in ServiceLanguage.objects.all()}
    for item in data["services"]:
        verified = datetime.combine(date.fromisoformat(item["last_verified_at"]), time(12), tzinfo=HELSINKI)
        service, _ = Service.objects.update_or_create(
            external_id=f"demo:{item['key']}",
            defaults={
                "organization": orgs[item["organization"]],
                "status": Service.Status.ACTIVE,
                "plain_summary_fi": item.get("plain_summary_fi") or "",
                "url": item.get("url") or "",
                "email": item.get("email") or "",
                "free": bool(item["free"]),
                "last_verified_at": verified,
                **_tr("name", item["name"]),
                **_tr("summary", item.get("summary")),
                **_tr("description", item.get("description")),
                **_tr("keywords", item.get("keywords")),
                **_tr("cost_description", item.get("cost_description")),
            },
        )
        service.themes.set([themes[s] for s in item["themes"]])
        service.service_classes.set([classes[c] for c in item.get("service_classes", []) if c in classes])
        service.target_groups.set([groups[g] for g in item.get("target_groups", []) if g in groups])
        service.municipalities.set([municipalities[m] for m in item["municipalities"]])
        service.languages.set([languages[code] for code in item.get("languages", []) if code in languages])
        ServiceAtLocation.objects.filter(service=service).delete()
        for key in item.get("locations", []):
            ServiceAtLocation.objects.create(service=service, location=locations[key])
        service.schedules.all().delete()
        for s in item.get("schedules", []):
            Schedule.objects.create(
                service=service,
                location=locations.get(s.get("location") or ""),
                weekday=int(s["weekday"]),
                opens_at=time.fromisoformat(s["opens_at"]),
                closes_at=time.fromisoformat(s["closes_at"]),
                valid_from=date.fromisoformat(s["valid_from"]) if s.get("valid_from") else None,
                valid_to=date.fromisoformat(s["valid_to"]) if s.get("valid_to") else None,
                **_tr("description", s.get("description")),
            )
        service.phones.all().delete()
        if item.get("phone"):
            Phone.objects.create(service=service, number=item["phone"])
        service.contacts.all().delete()
        if item.get("contact"):
            Contact.objects.create(
                service=service,
                name=item["contact"]["name"],
                phone=item.get("phone") or "",
                email=item.get("email") or "",
                **_tr("title", item["contact"].get("title")),
            )
    index = rebuild_search_index()
    return {
        "organizations": len(orgs),
        "locations": len(locations),
        "services": len(data["services"]),
        "indexed": index["services"],
        "terms": index["terms"],
    }
