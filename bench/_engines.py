"""Shared by the benchmarks: run a worker script once per database engine, on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
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
