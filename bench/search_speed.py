"""Search speed on a generated catalog of 50,000 trilingual services, on SQLite and PostgreSQL.

Measures the index build (``rebuild_search_index``) and the latency of >= 1,000 mixed queries
(Finnish inflections and compounds, Swedish, English, typos, needs, with and without filters), one
client, through the same selector the API and the pages use (rank + fetching the first page).
Prints one table. Not run by the tests.

    .venv/bin/python bench/search_speed.py [--services 50000] [--queries 1000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _engines import percentile, run_worker  # noqa: E402

QUERIES = [
    "kuntosalille",
    "vesijumppaan",
    "jumppa",
    "tuolijumppaa",
    "liikuntaneuvonta",
    "liikunnan neuvonta",
    "yksinäiselle",
    "yksinäisyys",
    "rahat ei riitä",
    "en saa unta",
    "velkaneuvontaa",
    "kuntosli",
    "vesijumpa",
    "sauvakävely",
    "luontoretki",
    "marjastus",
    "kirjasto",
    "kuoroon",
    "musiikkia nuorille",
    "maalaus",
    "ruokakurssi",
    "unettomuus",
    "tupakoinnin lopettaminen",
    "vertaistukea",
    "kriisiapu",
    "päihteet",
    "ystävä",
    "perhekahvila",
    "vapaaehtoiseksi",
    "digituki",
    "työnhaku",
    "asunto",
    "opiskelu aikuisena",
    "kuntoutus",
    "terveysneuvonta",
    "linkkityöntekijä",
    "simning för seniorer",
    "vattengymnastik",
    "skuldrådgivning",
    "ensamhet",
    "kör",
    "walking group",
    "debt advice",
    "peer support",
    "cooking course",
    "library",
    "chair exercise for seniors",
    "museum",
    "kokkola kuntosali",
    "ikäihmisten liikunta",
]
FILTERS = [{}, {"municipality": "272"}, {"free": "true"}, {"theme": "liikunta"}, {"target_group": "KR1.1"}]


def worker(n_services: int, n_queries: int) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict

    sys.path.insert(0, str(ROOT / "bench"))
    from catalog_generator import load

    from hyte.catalog import selectors
    from hyte.catalog.search.analyzer import finnish_analyzer
    from hyte.catalog.search.index import rebuild

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    load(n_services)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    stats = rebuild()
    build_s = time.perf_counter() - t
    timings: list[float] = []
    hits: list[int] = []
    for i in range(20):  # warm-up: first queries load the typo vocabulary and analyzer caches
        selectors.service_search(selectors.parse_service_search(QueryDict(f"q={QUERIES[i]}"))).count()
    for i in range(n_queries):
        params = QueryDict(mutable=True)
        params["q"] = QUERIES[i % len(QUERIES)]
        params.update(FILTERS[(i // len(QUERIES)) % len(FILTERS)])
        t = time.perf_counter()
        search = selectors.parse_service_search(params)
        page = selectors.paginate(selectors.service_search(search), 1)
        list(page.object_list)
        timings.append((time.perf_counter() - t) * 1000)
        hits.append(page.paginator.count)
    return {
        "engine": connection.vendor,
        "analyzer": type(finnish_analyzer()).__name__,
        "services": stats["services"],
        "postings": stats["postings"],
        "load_s": load_s,
        "build_s": build_s,
        "build_rate": stats["services"] / build_s,
        "n": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "zero_hits": sum(1 for h in hits if h == 0),
    }


def run_engine(engine: str, n_services: int, n_queries: int) -> dict[str, object]:
    return run_worker(
        __file__, engine, ["--services", str(n_services), "--queries", str(n_queries)], "hyte_bench"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.services, args.queries)))
        return
    print(
        f"search_speed: generated catalog, {args.queries} mixed queries, single client, {os.cpu_count()} cores"
    )
    print(
        f"{'engine':<11} {'analyzer':<22} {'services':>8} {'postings':>9} {'build s':>8} {'svc/s':>7} | "
        f"{'queries':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'no hits':>7}"
    )
    for engine in [args.only] if args.only else ["sqlite", "postgresql"]:
        r = run_engine(engine, args.services, args.queries)
        print(
            f"{r['engine']:<11} {r['analyzer']:<22} {r['services']:>8} {r['postings']:>9} {r['build_s']:>8.1f} "
            f"{r['build_rate']:>7.0f} | {r['n']:>7} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
            f"{r['zero_hits']:>7}"
        )


if __name__ == "__main__":
    main()
