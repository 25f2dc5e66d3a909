"""Search quality on the judged query set (bench/queries/judged.json) over the demo tray.

Prints nDCG@10 and recall@10 for our search on SQLite and on PostgreSQL and, side by side in the same
run, for a baseline: PostgreSQL's own full-text search, to_tsvector/websearch_to_tsquery with the
'finnish', 'swedish' and 'english' configurations over the same texts (name A, keywords B, summary C,
description D; a service matches when any language matches, scored by its best ts_rank).

    .venv/bin/python bench/search_quality.py [--only sqlite|postgresql] [--per-query]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _engines import run_worker  # noqa: E402

JUDGED = ROOT / "bench" / "queries" / "judged.json"
K = 10

BASELINE_SQL = """
WITH v AS (
    SELECT s.id, s.external_id,
        setweight(to_tsvector('finnish', coalesce(s.name_fi, '')), 'A')
        || setweight(to_tsvector('finnish', coalesce(s.keywords_fi, '')), 'B')
        || setweight(to_tsvector('finnish', coalesce(s.summary_fi, '')), 'C')
        || setweight(to_tsvector('finnish', coalesce(s.description_fi, '')), 'D') AS fi,
        setweight(to_tsvector('swedish', coalesce(s.name_sv, '')), 'A')
        || setweight(to_tsvector('swedish', coalesce(s.keywords_sv, '')), 'B')
        || setweight(to_tsvector('swedish', coalesce(s.summary_sv, '')), 'C')
        || setweight(to_tsvector('swedish', coalesce(s.description_sv, '')), 'D') AS sv,
        setweight(to_tsvector('english', coalesce(s.name_en, '')), 'A')
        || setweight(to_tsvector('english', coalesce(s.keywords_en, '')), 'B')
        || setweight(to_tsvector('english', coalesce(s.summary_en, '')), 'C')
        || setweight(to_tsvector('english', coalesce(s.description_en, '')), 'D') AS en
    FROM catalog_service s WHERE s.status = 'active'
), q AS (
    SELECT websearch_to_tsquery('finnish', %(q)s) AS fi, websearch_to_tsquery('swedish', %(q)s) AS sv,
           websearch_to_tsquery('english', %(q)s) AS en
)
SELECT v.external_id,
       GREATEST(
           CASE WHEN v.fi @@ q.fi THEN ts_rank(v.fi, q.fi) ELSE 0 END,
           CASE WHEN v.sv @@ q.sv THEN ts_rank(v.sv, q.sv) ELSE 0 END,
           CASE WHEN v.en @@ q.en THEN ts_rank(v.en, q.en) ELSE 0 END
       ) AS score
FROM v, q
WHERE v.fi @@ q.fi OR v.sv @@ q.sv OR v.en @@ q.en
ORDER BY score DESC, v.external_id
LIMIT %(k)s
"""


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    relevant = {key for key, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def worker(per_query: bool) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict

    from hyte.catalog import selectors
    from hyte.catalog.models import Service
    from hyte.catalog.search.analyzer import finnish_analyzer

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--no-users", stdout=open(os.devnull, "w"))  # noqa: SIM115
    key_of = {pk: ext.removeprefix("demo:") for pk, ext in Service.objects.values_list("pk", "external_id")}
    queries = json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]
    systems: dict[str, list[tuple[dict[str, Any], list[str]]]] = defaultdict(list)
    for item in queries:
        results = selectors.service_search(
            selectors.parse_service_search(QueryDict(mutable=True) | {"q": item["query"]})
        )
        page = selectors.paginate(results, 1, per_page=K)
        systems["ours"].append((item, [key_of[s.pk] for s in page.object_list]))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL, {"q": item["query"], "k": K})
                systems["postgres-fts"].append(
                    (item, [ext.removeprefix("demo:") for ext, _ in cursor.fetchall()])
                )
    report: dict[str, Any] = {
        "engine": connection.vendor,
        "analyzer": type(finnish_analyzer()).__name__,
        "systems": {},
    }
    for name, runs in systems.items():
        by: dict[str, list[tuple[float, float]]] = defaultdict(list)
        per = []
        for item, ranked in runs:
            n, r = ndcg(ranked, item["relevant"]), recall(ranked, item["relevant"])
            for group in ("all", f"lang:{item['lang']}", f"kind:{item['kind']}"):
                by[group].append((n, r))
            per.append((item["id"], item["query"], round(n, 3), round(r, 3), ranked[:5]))
        report["systems"][name] = {
            g: {"n": len(v), "ndcg": sum(x for x, _ in v) / len(v), "recall": sum(y for _, y in v) / len(v)}
            for g, v in by.items()
        }
        if per_query:
            report["systems"][name]["per_query"] = per
    return report


def run_engine(engine: str, per_query: bool) -> dict[str, Any]:
    return run_worker(__file__, engine, ["--per-query"] if per_query else [], "hyte_bench_q")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--per-query", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.per_query)))
        return
    n_queries = len(json.loads(JUDGED.read_text(encoding="utf-8"))["queries"])
    print(f"search_quality: {n_queries} judged queries (bench/queries/judged.json), demo tray, @{K}")
    print(
        f"{'database':<11} {'system':<14} {'analyzer':<22} {'group':<16} {'n':>3} {'nDCG@10':>8} {'recall@10':>9}"
    )
    for engine in [args.only] if args.only else ["sqlite", "postgresql"]:
        report = run_engine(engine, args.per_query)
        for system, groups in report["systems"].items():
            analyzer = report["analyzer"] if system == "ours" else "snowball (pg)"
            for group in sorted((g for g in groups if g != "per_query"), key=lambda g: (g != "all", g)):
                m = groups[group]
                print(
                    f"{report['engine']:<11} {system:<14} {analyzer:<22} {group:<16} {m['n']:>3} "
                    f"{m['ndcg']:>8.3f} {m['recall']:>9.3f}"
                )
            for row in groups.get("per_query", []):
                print("   ", *row)


if __name__ == "__main__":
    main()
