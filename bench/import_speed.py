"""PTV import speed: 30,000 generated PTV v11 services with their service-location channels, imported from
paged JSON files on SQLite and on PostgreSQL; then the same import again (nothing changed), which must
be much faster. Prints one table. Not run by the tests.

    .venv/bin/python bench/import_speed.py [--services 30000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _engines import ENGINES, run_worker  # noqa: E402
from catalog_generator import KINDS, MUNICIPALITIES  # noqa: E402

CLASSES = ["P27.1", "P27.2", "P25.1", "P25.2", "P5.20", "P5.7", "P4.12", "P4.13", "P10.1", "P6.10"]
GROUPS = ["KR1", "KR1.1", "KR1.2", "KR1.3"]
PAGE = 100


def texts(values: dict[str, str], kind: str | None = None) -> list[dict[str, str]]:
    return [
        {"language": lang, "value": value, **({"type": kind} if kind else {})}
        for lang, value in values.items()
    ]


def generate(directory: Path, n_services: int, seed: int = 11) -> None:
    """Write ``n_services`` PTV v11 services and one ServiceLocation channel per three services."""
    rng = random.Random(seed)
    orgs = {code: str(uuid.UUID(int=rng.getrandbits(128), version=4)) for code, _, _ in MUNICIPALITIES}
    channels: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for i in range(n_services):
        kind = KINDS[i % len(KINDS)]
        code, town_fi, town_sv = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if i % 3 == 0:
            cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            channels.append(
                {
                    "id": cid,
                    "serviceChannelType": "ServiceLocation",
                    "organizationId": orgs[code],
                    "serviceChannelNames": texts(
                        {"fi": f"{town_fi} palvelupiste {i}", "sv": f"{town_sv} servicepunkt {i}"}, "Name"
                    ),
                    "addresses": [
                        {
                            "streetAddress": {
                                "street": texts({"fi": "Kauppakatu", "sv": "Handelsgatan"}),
                                "streetNumber": str(1 + i % 90),
                                "postalCode": "67100",
                                "postOffice": texts({"fi": town_fi.upper(), "sv": town_sv.upper()}),
                                "municipality": {"code": code},
                                "latitude": str(6700000 + rng.randint(0, 400000)),
                                "longitude": str(250000 + rng.randint(0, 400000)),
                            },
                            "entrances": [],
                        }
                    ],
                    "serviceHours": [
                        {
                            "serviceHourType": "DaysOfTheWeek",
                            "openingHour": [
                                {"dayFrom": "Monday", "dayTo": "Friday", "from": "09:00:00", "to": "15:00:00"}
                            ],
                        }
                    ],
                    "services": [],
                    "publishingStatus": "Published",
                }
            )
        channel = channels[-1]
        channel["services"].append({"service": {"id": sid}})
        services.append(
            {
                "id": sid,
                "type": "Service",
                "serviceNames": texts(
                    {
                        "fi": f"{kind['fi']} {town_fi} {i}",
                        "sv": f"{kind['sv']} {town_sv} {i}",
                        "en": f"{kind['en']} {town_fi} {i}",
                    },
                    "Name",
                ),
                "serviceDescriptions": texts(
                    {
                        "fi": f"{kind['fi']} {town_fi}ssa. {kind['kw'][0]}.",
                        "sv": f"{kind['sv']} i {town_sv}.",
                    },
                    "Summary",
                )
                + texts({"fi": f"Tervetuloa mukaan. {kind['kw'][0]}. Palvelu {i}."}, "Description"),
                "serviceChargeType": "FreeOfCharge" if i % 3 else "Charged",
                "areaType": "LimitedType",
                "areas": [{"type": "Municipality", "municipalities": [{"code": code}]}],
                "languages": ["fi", "sv"],
                "serviceClasses": [{"code": CLASSES[i % len(CLASSES)]}],
                "targetGroups": [{"code": GROUPS[i % len(GROUPS)]}],
                "keywords": [{"language": "fi", "value": w.strip()} for w in kind["kw"][0].split(",")],
                "organizations": [
                    {
                        "organization": {"id": orgs[code], "name": f"{town_fi}n kunta"},
                        "roleType": "Responsible",
                    }
                ],
                "serviceChannels": [{"serviceChannel": {"id": channel["id"]}}],
                "publishingStatus": "Published",
                "modified": "2026-10-01T10:00:00",
            }
        )
    records = channels + services
    for start in range(0, len(records), PAGE):
        envelope = {
            "pageNumber": start // PAGE + 1,
            "pageSize": PAGE,
            "itemList": records[start : start + PAGE],
        }
        (directory / f"page-{start // PAGE:05d}.json").write_text(json.dumps(envelope, ensure_ascii=False))


def worker(n_services: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hyte.catalog.models import Service
    from hyte.integrations.ptv.client import FileSource
    from hyte.integrations.ptv.services import ptv_import

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), n_services)
        t = time.perf_counter()
        first = ptv_import(actor=None, source=FileSource(Path(tmp)))
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        second = ptv_import(actor=None, source=FileSource(Path(tmp)))
        second_s = time.perf_counter() - t
    return {
        "engine": connection.vendor,
        "services": Service.objects.filter(external_id__startswith="ptv:").count(),
        "first_s": first_s,
        "first_created": first.created,
        "first_failed": first.failed,
        "second_s": second_s,
        "second_unchanged": second.unchanged,
        "second_written": second.created + second.updated + second.withdrawn,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=30_000)
    parser.add_argument("--only", choices=ENGINES)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.services)))
        return
    print(
        f"import_speed: {args.services} generated PTV v11 services + channels from paged files, {os.cpu_count()} cores"
    )
    print(
        f"{'engine':<11} {'services':>8} | {'1st run s':>9} {'svc/s':>7} {'created':>8} {'failed':>6} | "
        f"{'2nd run s':>9} {'svc/s':>7} {'written':>7} | {'speed-up':>8}"
    )
    for engine in [args.only] if args.only else ENGINES:
        r = run_worker(__file__, engine, ["--services", str(args.services)], "hyte_bench_import")
        print(
            f"{r['engine']:<11} {r['services']:>8} | {r['first_s']:>9.1f} {args.services / r['first_s']:>7.0f} "
            f"{r['first_created']:>8} {r['first_failed']:>6} | {r['second_s']:>9.1f} "
            f"{args.services / r['second_s']:>7.0f} {r['second_written']:>7} | {r['first_s'] / r['second_s']:>7.1f}x"
        )


if __name__ == "__main__":
    main()
