"""Check-in load (issue 7): a real server (gunicorn) and 50 concurrent desk clients that mark pass visits
over the API for 60 s; marks per second, latency, errors, and afterwards a check that the stored visits
are exactly the marks that were answered 201 or 200 (no duplicates, none lost) and that the personal data
log chain is intact.

Setup, made directly in the database (not what is measured): one provider organization with 20 services
covered by the LiiKu pass programme (``liiku``, loaded by the migrations), one desk user per client with
the ``front_desk`` membership in that organization and a verified two-factor session, and 50,000 passes
(each with its own client; both bulk-created) issued today and valid for 365 days. Each client thread
owns its own slice of the passes and walks through (pass, service) pairs no one else marks, so the one
mark per pass, service and day rule is never hit: every mark is expected to be a 201.

One mark is POST /api/v1/checkins/ {token, service, key} with a fresh key. After every 10th mark the
client sends that mark again with the same key (a retry on a flaky network): the answer must be 200 with
``repeated`` true; these are counted as retries, not marks. Latency percentiles are over the marks (the
first sends), not the retries.

    .venv/bin/python bench/checkin_load.py [--clients 50] [--seconds 60] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _engines import ENGINES, CpuMeter, gunicorn_server, percentile, run_worker, verified_session  # noqa: E402

CSRF = "c" * 32
SERVICES = 20
PASSES = 50_000
RETRY_EVERY = 10
TARGET_MARKS_PER_S = 300
TARGET_P95_MS = 100


def _setup(clients: int, passes: int) -> tuple[list[str], list[str], list[str]]:
    """The provider, its services in the liiku programme, desk users with verified sessions and the
    passes; returns (session keys, service ids, pass tokens)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from hyte.accounts.models import Membership, Unit
    from hyte.attendance.models import Pass, PassProgramme
    from hyte.catalog.models import Organization, Service
    from hyte.referrals.models import Client

    county = Organization.objects.create(name="Soite", name_fi="Soite", org_type=Organization.Type.COUNTY)
    unit = Unit.objects.create(organization=county, kind=Unit.Kind.COUNTY_UNIT, name="Sosiaalityö")
    provider = Organization.objects.create(
        name="Kokkolan liikuntapalvelut",
        name_fi="Kokkolan liikuntapalvelut",
        org_type=Organization.Type.MUNICIPALITY,
    )
    services = [
        Service.objects.create(organization=provider, name=f"Uimahalli {i}", name_fi=f"Uimahalli {i}")
        for i in range(SERVICES)
    ]
    liiku = PassProgramme.objects.get(code="liiku")
    liiku.services.set(services)

    users = get_user_model()
    sessions = []
    for i in range(clients):
        user = users.objects.create_user(username=f"desk{i}", password=None)
        Membership.objects.create(user=user, organization=provider, role=Membership.Role.FRONT_DESK)
        sessions.append(verified_session(user))

    today = timezone.localdate()
    until = today + timedelta(days=liiku.valid_days)
    tokens: list[str] = []
    batch = 5000
    for start in range(0, passes, batch):
        people = Client.objects.bulk_create(
            [
                Client(first_name="Testi", last_name=f"Asiakas {n}")
                for n in range(start, min(passes, start + batch))
            ],
            batch_size=1000,
        )
        cards = Pass.objects.bulk_create(
            [Pass(programme=liiku, client=c, unit=unit, issued_on=today, valid_until=until) for c in people],
            batch_size=1000,
        )
        tokens.extend(card.token for card in cards)
    return sessions, [str(s.pk) for s in services], tokens


def _client(
    base: str,
    session_key: str,
    n: int,
    tokens: list[str],
    services: list[str],
    until: float,
    out: dict[str, Any],
) -> None:
    """Marks (pass, service) pairs of its own slice of passes: every pass once per service, then the
    next service; each pair is marked at most once, so no mark should meet the one-per-day rule."""
    import requests

    s = requests.Session()
    s.cookies.set("sessionid", session_key)
    s.cookies.set("csrftoken", CSRF)
    s.headers.update({"X-CSRFToken": CSRF, "Content-Type": "application/json"})
    latencies, errors, ok_keys, retries = out["latencies"], out["errors"], out["ok_keys"], out["retries"]
    i = 0
    while time.monotonic() < until:
        if i >= len(tokens) * len(services):
            errors.append("ran out of (pass, service) pairs: give more passes")
            return
        body = {
            "token": tokens[i % len(tokens)],
            "service": services[(i // len(tokens)) % len(services)],
            "key": f"bench-{n}-{i}",
        }
        i += 1
        data = json.dumps(body)
        t = time.perf_counter()
        try:
            r = s.post(f"{base}/api/v1/checkins/", data=data, timeout=30)
        except requests.RequestException as exc:
            latencies.append(time.perf_counter() - t)
            errors.append(f"mark {type(exc).__name__}")
            continue
        latencies.append(time.perf_counter() - t)
        if r.status_code != 201:
            errors.append(f"mark {r.status_code} {r.text[:200]}")
            if r.status_code == 200:  # stored all the same: a distinct mark answered 200
                ok_keys.append(body["key"])
            continue
        ok_keys.append(body["key"])
        if i % RETRY_EVERY == 0:  # the same mark again, same key: a retried request
            try:
                r = s.post(f"{base}/api/v1/checkins/", data=data, timeout=30)
            except requests.RequestException as exc:
                errors.append(f"retry {type(exc).__name__}")
                continue
            if r.status_code == 200 and r.json().get("repeated") is True:
                retries.append(1)
            else:
                errors.append(f"retry {r.status_code} {r.text[:200]}")


def worker(clients: int, seconds: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum

    from hyte.attendance.models import Pass, Visit
    from hyte.core.personal_log import verify_personal_data_log

    setup_start = time.monotonic()
    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    sessions, services, tokens = _setup(clients, PASSES)
    setup_s = {"migrate": migrated - setup_start, "data": time.monotonic() - migrated}
    connection.close()
    with gunicorn_server() as (base, server_pid):
        out: dict[str, Any] = {"latencies": [], "errors": [], "ok_keys": [], "retries": []}
        meter = CpuMeter(server_pid)
        start = time.monotonic()
        until = start + seconds
        threads = [
            threading.Thread(
                target=_client,
                args=(base, key, n, tokens[n::clients], services, until, out),
            )
            for n, key in enumerate(sessions)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        cpu = meter.stop()
    # The stored visits are exactly the distinct marks answered 201 or 200: none lost, none extra, and no
    # pass, service and day twice; the passes' counters agree with them.
    ok_keys = set(out["ok_keys"])
    stored = list(Visit.objects.values_list("idempotency_key", flat=True))
    twice = Visit.objects.values("pass_card", "service", "on").annotate(n=Count("id")).filter(n__gt=1).count()
    counted = Pass.objects.aggregate(n=Sum("visit_count"))["n"] or 0
    visits_ok = (
        len(stored) == len(ok_keys)
        and set(stored) == ok_keys
        and len(set(stored)) == len(stored)
        and twice == 0
        and counted == len(stored)
    )
    chain = verify_personal_data_log()
    lat = sorted(out["latencies"])
    marks = len(ok_keys)
    return {
        "engine": connection.vendor,
        "clients": clients,
        "seconds": elapsed,
        "setup_s": setup_s,
        "requests": len(lat) + len(out["retries"]),
        "marks": marks,
        "retries": len(out["retries"]),
        "visits": len(stored),
        "visits_ok": visits_ok,
        "duplicates": twice,
        "errors": len(out["errors"]),
        "first_errors": out["errors"][:3],
        "p50": percentile(lat, 50) * 1000 if lat else 0,
        "p95": percentile(lat, 95) * 1000 if lat else 0,
        "chain_ok": chain.ok,
        "log_entries": chain.entries,
        # CPU milliseconds per mark; the database's only on PostgreSQL (SQLite runs in the server)
        "cpu_ms": {w: 1000 * v / max(1, marks) for w, v in cpu.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--only", choices=ENGINES)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.clients, args.seconds)))
        return
    print(
        f"checkin_load: {args.clients} clients for {args.seconds} s against gunicorn, {os.cpu_count()} cores, "
        f"{PASSES} passes, {SERVICES} services; target >= {TARGET_MARKS_PER_S} marks/s, "
        f"p95 < {TARGET_P95_MS} ms"
    )
    print(
        f"{'engine':<11} {'marks':>7} {'marks/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'retries':>7} "
        f"{'errors':>6} {'visits':>7} {'stored':>6} {'log chain':>9} {'setup s':>7}"
    )
    for engine in [args.only] if args.only else ENGINES:
        r = run_worker(
            __file__,
            engine,
            ["--clients", str(args.clients), "--seconds", str(args.seconds)],
            "hyte_bench_checkins",
        )
        setup = r["setup_s"]
        print(
            f"{r['engine']:<11} {r['marks']:>7} {r['marks'] / r['seconds']:>7.0f} {r['p50']:>7.1f} "
            f"{r['p95']:>7.1f} {r['retries']:>7} {r['errors']:>6} {r['visits']:>7} "
            f"{'exact' if r['visits_ok'] else 'WRONG':>6} {'intact' if r['chain_ok'] else 'BROKEN':>9} "
            f"{setup['migrate'] + setup['data']:>7.0f}"
        )
        cpu = r["cpu_ms"]
        total = sum(cpu.values())
        print(
            f"{'':<11} CPU ms per mark: server {cpu['server']:.1f}, database {cpu['database']:.1f}, "
            f"client {cpu['client']:.1f}; all {total:.1f} -> at most "
            f"{1000 * (os.cpu_count() or 1) / max(total, 1e-9):.0f} marks/s on {os.cpu_count()} cores"
            f" (setup: migrate {setup['migrate']:.0f} s, data {setup['data']:.0f} s)"
        )
        for error in r["first_errors"]:
            print(f"  {error}")


if __name__ == "__main__":
    main()
