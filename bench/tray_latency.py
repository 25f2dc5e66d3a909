"""Service tray latency on the demo data: API search and page renders, on SQLite and PostgreSQL.

Runs in-process through Django's test client (no network, loopback not even needed), on a fresh
database per engine: a temporary SQLite file, and a `hyte_bench` database on the PostgreSQL server of
`HYTE_BENCH_PG` (default postgres://postgres@127.0.0.1:5432). Prints one table. Not run by the tests.

    .venv/bin/python bench/tray_latency.py [--requests 1000] [--only sqlite|postgresql]
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
    {"q": "kuntosali"},
    {"q": "vesijumppa"},
    {"q": "jumppa"},
    {"q": "luonto"},
    {"q": "kirjasto"},
    {"q": "velka"},
    {"q": "vertaistuki"},
    {"q": "ikäihmiset"},
    {"q": "perhekahvila"},
    {"q": "kuoro"},
    {"q": "simning"},
    {"q": "bibliotek"},
    {"q": "walking group"},
    {"q": "debt advice"},
    {"q": "peer support"},
    {"theme": "liikunta"},
    {"theme": "mieli", "municipality": "272"},
    {"free": "true", "municipality": "217"},
    {"language": "sv"},
    {"target_group": "KR1.1"},
    {"q": "ryhmä", "free": "true"},
    {"accessible": "true"},
    {"q": "ulkoilu", "theme": "luonto"},
    {},
    {"page": "2"},
]


def worker(n_requests: int) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    call_command("seed_demo", "--no-users", stdout=open(os.devnull, "w"))  # noqa: SIM115 (includes indexing)
    seed_s = time.perf_counter() - t0
    from hyte.catalog.models import Service

    client = Client()
    timings: dict[str, list[float]] = {"api": [], "page": [], "detail": []}
    ids = list(Service.objects.values_list("pk", flat=True)[:50])
    for i in range(20):  # warm-up
        client.get("/api/v1/services/", QUERIES[i % len(QUERIES)])
    for i in range(n_requests):
        params = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        r = client.get("/api/v1/services/", params)
        timings["api"].append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (params, r.content[:200])
    for i in range(max(50, n_requests // 5)):
        t = time.perf_counter()
        r = client.get("/palvelut/", QUERIES[i % len(QUERIES)])
        timings["page"].append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
        t = time.perf_counter()
        r = client.get(f"/palvelut/{ids[i % len(ids)]}/")
        timings["detail"].append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return {
        "engine": connection.vendor,
        "services": Service.objects.count(),
        "seed_s": seed_s,
        **{
            k: {"n": len(v), "p50": statistics.median(v), "p95": percentile(v, 95), "p99": percentile(v, 99)}
            for k, v in timings.items()
        },
    }


def run_engine(engine: str, n_requests: int) -> dict[str, object]:
    return run_worker(__file__, engine, ["--requests", str(n_requests)], "hyte_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.requests)))
        return
    engines = [args.only] if args.only else ["sqlite", "postgresql"]
    print(f"tray_latency: demo tray, Django test client in-process, {os.cpu_count()} cores; times in ms")
    print(
        f"{'engine':<11} {'services':>8} {'seed s':>7} | {'what':<22} {'n':>5} "
        f"{'p50':>7} {'p95':>7} {'p99':>7}"
    )
    for engine in engines:
        r = run_engine(engine, args.requests)
        for key, label in (
            ("api", "API search (mixed)"),
            ("page", "search page"),
            ("detail", "service page"),
        ):
            m = r[key]
            assert isinstance(m, dict)
            print(
                f"{r['engine']:<11} {r['services']:>8} {r['seed_s']:>7.2f} | {label:<22} {m['n']:>5} "
                f"{m['p50']:>7.1f} {m['p95']:>7.1f} {m['p99']:>7.1f}"
            )


if __name__ == "__main__":
    main()
