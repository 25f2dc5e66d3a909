"""Referral load: a real server (gunicorn) and 20 concurrent clients that create referrals and move them
through their states over the API for 60 s; throughput of state changes, latency, errors, and afterwards
a check that every referral's history is complete and the personal data log chain is intact.

Each client is a pair of staff users (a professional in a county unit and a counsellor in an exercise
counselling unit) with verified two-factor sessions made directly in the database (the login itself is
not what is measured). One referral is: create and send (POST /api/v1/referrals/), then receive, accept,
first contact, start and complete (POST .../transitions/): six state changes.

    .venv/bin/python bench/referral_load.py [--clients 20] [--seconds 60] [--only sqlite|postgresql]
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

STEPS = ["receive", "accept", "first_contact", "start", "complete"]
CSRF = "b" * 32


def _setup(clients: int) -> list[dict[str, Any]]:
    """Units, users with confirmed TOTP devices and verified sessions; returns per-client cookies."""
    from django.contrib.auth import get_user_model

    from hyte.accounts.models import Unit, UnitRole
    from hyte.catalog.models import Organization

    org = Organization.objects.create(name="Soite", name_fi="Soite", org_type=Organization.Type.COUNTY)
    users = get_user_model()

    pairs = []
    for i in range(clients):
        sender = Unit.objects.create(organization=org, kind=Unit.Kind.COUNTY_UNIT, name=f"Terveysasema {i}")
        receiver = Unit.objects.create(
            organization=org,
            kind=Unit.Kind.EXERCISE_COUNSELLING,
            name=f"Liikuntaneuvonta {i}",
            receives_referrals=True,
        )
        pro = users.objects.create_user(username=f"pro{i}", password=None)
        counsellor = users.objects.create_user(username=f"counsellor{i}", password=None)
        UnitRole.objects.create(user=pro, unit=sender, role=UnitRole.Role.PROFESSIONAL)
        UnitRole.objects.create(user=counsellor, unit=receiver, role=UnitRole.Role.RECEIVER)
        pairs.append(
            {
                "from": str(sender.pk),
                "to": str(receiver.pk),
                "pro": verified_session(pro),
                "counsellor": verified_session(counsellor),
            }
        )
    return pairs


def _client(base: str, pair: dict[str, Any], n: int, until: float, out: dict[str, Any]) -> None:
    import requests

    def session(key: str) -> requests.Session:
        s = requests.Session()
        s.cookies.set("sessionid", key)
        s.cookies.set("csrftoken", CSRF)
        s.headers.update({"X-CSRFToken": CSRF, "Content-Type": "application/json"})
        return s

    pro, counsellor = session(pair["pro"]), session(pair["counsellor"])
    latencies, errors, changes, ids = out["latencies"], out["errors"], out["changes"], out["ids"]
    i = 0
    while time.monotonic() < until:
        i += 1
        body = {
            "kind": "exercise",
            "referring_unit": pair["from"],
            "receiving_unit": pair["to"],
            "reason": "Liikkuu vähän.",
            "client": {"first_name": "Testi", "last_name": f"Asiakas {n}-{i}"},
            "consent": {"given_by": "client", "method": "verbal", "scope": "referral"},
        }
        t = time.perf_counter()
        r = pro.post(
            f"{base}/api/v1/referrals/", data=json.dumps(body), headers={"Idempotency-Key": f"{n}-{i}"}
        )
        latencies.append(time.perf_counter() - t)
        if r.status_code != 201:
            errors.append(f"create {r.status_code} {r.text[:200]}")
            continue
        referral_id = r.json()["id"]
        ids.append(referral_id)
        changes.append(1)  # sent
        for step in STEPS:
            payload: dict[str, str] = {"action": step}
            if step == "complete":
                payload["outcome_summary"] = "Aloitti ryhmän."
            t = time.perf_counter()
            r = counsellor.post(
                f"{base}/api/v1/referrals/{referral_id}/transitions/", data=json.dumps(payload)
            )
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200:
                errors.append(f"{step} {r.status_code} {r.text[:200]}")
                break
            changes.append(1)


def worker(clients: int, seconds: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hyte.core.personal_log import verify_personal_data_log
    from hyte.referrals.models import Referral, ReferralEvent

    call_command("migrate", verbosity=0)
    pairs = _setup(clients)
    connection.close()
    with gunicorn_server() as (base, server_pid):
        out: dict[str, Any] = {"latencies": [], "errors": [], "changes": [], "ids": []}
        meter = CpuMeter(server_pid)
        start = time.monotonic()
        until = start + seconds
        threads = [
            threading.Thread(target=_client, args=(base, p, n, until, out)) for n, p in enumerate(pairs)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        cpu = meter.stop()
    # Every referral's history is complete: one event per state it went through, in order.
    incomplete = 0
    expected = {"completed": 7}
    for referral in Referral.objects.filter(pk__in=out["ids"]):
        events = list(ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True))
        order = ["draft", "sent", "received", "accepted", "first_contact", "in_progress", "completed"]
        if (
            events != order[: len(events)]
            or events[-1] != referral.status
            or (referral.status in expected and len(events) != expected[referral.status])
        ):
            incomplete += 1
    chain = verify_personal_data_log()
    lat = sorted(out["latencies"])
    return {
        "engine": connection.vendor,
        "clients": clients,
        "seconds": elapsed,
        "requests": len(lat),
        "changes": len(out["changes"]),
        "referrals": len(out["ids"]),
        "errors": len(out["errors"]),
        "first_errors": out["errors"][:3],
        "p50": percentile(lat, 50) * 1000 if lat else 0,
        "p95": percentile(lat, 95) * 1000 if lat else 0,
        "incomplete": incomplete,
        "chain_ok": chain.ok,
        # CPU milliseconds per state change; the database's only on PostgreSQL (SQLite runs in the server)
        "cpu_ms": {w: 1000 * v / max(1, len(out["changes"])) for w, v in cpu.items()},
        "log_entries": chain.entries,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--only", choices=ENGINES)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.clients, args.seconds)))
        return
    print(
        f"referral_load: {args.clients} clients for {args.seconds} s against gunicorn, {os.cpu_count()} cores"
    )
    print(
        f"{'engine':<11} {'referrals':>9} {'changes':>8} {'changes/s':>9} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'errors':>6} {'incomplete':>10} {'log chain':>9}"
    )
    for engine in [args.only] if args.only else ENGINES:
        r = run_worker(
            __file__,
            engine,
            ["--clients", str(args.clients), "--seconds", str(args.seconds)],
            "hyte_bench_referrals",
        )
        print(
            f"{r['engine']:<11} {r['referrals']:>9} {r['changes']:>8} {r['changes'] / r['seconds']:>9.0f} "
            f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['errors']:>6} {r['incomplete']:>10} "
            f"{'intact' if r['chain_ok'] else 'BROKEN':>9}"
        )
        cpu = r["cpu_ms"]
        total = sum(cpu.values())
        print(
            f"{'':<11} CPU ms per change: server {cpu['server']:.1f}, database {cpu['database']:.1f}, "
            f"client {cpu['client']:.1f}; all {total:.1f} -> at most {1000 * (os.cpu_count() or 1) / total:.0f}"
            f" changes/s on {os.cpu_count()} cores"
        )
        for error in r["first_errors"]:
            print(f"  {error}")


if __name__ == "__main__":
    main()
