"""Shared by the benchmarks: run a worker script once per database engine, on a fresh database."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ["sqlite", "postgresql"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def run_worker(script: str, engine: str, args: list[str], database: str) -> dict[str, Any]:
    """Run ``script --worker ARGS`` on a temporary SQLite file or a fresh PostgreSQL database
    (``HYTE_BENCH_PG``, default postgres://postgres@127.0.0.1:5432) and return the JSON it prints last."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["ALLOWED_HOSTS"] = "testserver"
    with tempfile.TemporaryDirectory() as tmp:
        env["HYTE_VAR_DIR"] = tmp
        if engine == "postgresql":
            base = os.environ.get("HYTE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
            for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
                subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
            env["DATABASE_URL"] = f"{base}/{database}"
        out = subprocess.run(
            [sys.executable, script, "--worker", *args],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- shared by the load benchmarks (referral_load, checkin_load) ---


def verified_session(user: Any) -> str:
    """A session key for ``user`` logged in with two factors (a confirmed TOTP device), made directly
    in the database: the login itself is not what the load benchmarks measure."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return str(store.session_key)


def cpu_seconds(which: str, server_pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers ("server") or by
    all PostgreSQL processes ("database"), read from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(proc.name), int(rest[1])
        if (which == "server" and server_pid in (pid, ppid)) or (which == "database" and name == "postgres"):
            total += int(rest[11]) + int(rest[12])  # utime, stime
    return total / tick


@contextlib.contextmanager
def gunicorn_server() -> Iterator[tuple[str, int]]:
    """gunicorn with the production settings (gunicorn.conf.py) on a free loopback port, ready when
    /healthz answers; yields (base URL, master pid) and stops it afterwards."""
    import socket
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dict(os.environ, ALLOWED_HOSTS="127.0.0.1", DEBUG="0"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):  # the workers import Django first
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


class CpuMeter:
    """CPU used by the server, PostgreSQL and this process (the load clients) between start and stop."""

    def __init__(self, server_pid: int) -> None:
        import time

        self.pid = server_pid
        self._start = {w: cpu_seconds(w, server_pid) for w in ("server", "database")}
        self._start["client"] = time.process_time()

    def stop(self) -> dict[str, float]:
        import time

        used = {w: cpu_seconds(w, self.pid) - self._start[w] for w in ("server", "database")}
        used["client"] = time.process_time() - self._start["client"]
        return used
