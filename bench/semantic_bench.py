"""Speed of search by meaning (docs/semantic-search.md) on a store whose projects are embedded,
against the search by words of the same queries in the same run.

    python bench/semantic_bench.py DB [--runs 5] [--embed-sample 128] [--embed-limit N]
                                      [--out OUT.json] [--json]

DB is a store with its index and its vectors (``euprojects embed`` wrote them; the benchmark
embeds what is missing first, at most --embed-limit projects, and says how long that took).
The queries are those of the development sets (tests/data/eval/dev.jsonl and crosslang.jsonl):
what people type, in six languages. Measured, after one warm-up pass, ``--runs`` rounds of
every query:

- ``lexical``: ``catalog.search`` with ``mode=lexical`` (the baseline), size 10, every facet's
  counts and the snippets, as the search page asks;
- ``hybrid``: the same with ``mode=hybrid`` (the default): the query embedded, the nearest
  projects added and the rankings fused. The query embedding is cached per process (512
  queries), so ``hybrid`` is timed twice: ``hybrid, first`` with the cache cleared before each
  call, ``hybrid`` with it warm;
- ``query embedding``: the model alone on one query (cache cleared);
- ``similar``: ``catalog.similar_projects`` for the first result of each query that has a
  vector;
- ``embedding throughput``: ``--embed-sample`` project texts embedded in batches of 32 on every
  core, in texts per second; and the time of ``rebuild_vectors`` (the vector index from the
  store's vectors), with its size on disk.

p50 / p95 are interpolated between ranks (search_bench.pct). Writes the report as JSON to OUT
(default DB with the suffix ``.semantic.json``) and prints its table (or, with --json, the
report).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from search_bench import log, machine, open_catalog, peak_rss_mb, summary  # noqa: E402

from euprojects.catalog import Catalog  # noqa: E402
from euprojects.model import embedding_text  # noqa: E402
from euprojects.search import MODEL, Embedder, SearchQuery  # noqa: E402

SETS = (REPO / "tests/data/eval/dev.jsonl", REPO / "tests/data/eval/crosslang.jsonl")


def queries() -> list[dict[str, Any]]:
    out = []
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.append({"q": row["query"], **row.get("params", {})})
    return out


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(catalog: Catalog, qs: list[dict[str, Any]], runs: int) -> dict[str, list[float]]:
    embedder = catalog.embedder
    lat: dict[str, list[float]] = {k: [] for k in ("lexical", "hybrid, first", "hybrid",
                                                    "query embedding", "similar")}
    firsts: dict[str, str] = {}
    for params in qs:  # warm-up, and the project each query's similar projects start from
        result = catalog.search(SearchQuery.from_params(params))
        held = catalog.store.get_embeddings(MODEL, result.ids)
        first = next((pid for pid in result.ids if pid in held), None)
        if first is not None:  # its first result with a vector
            firsts[params["q"]] = first
    for n in range(runs):
        log(f"round {n + 1} of {runs}")
        for params in qs:
            lexical = SearchQuery.from_params({**params, "mode": "lexical"})
            hybrid = SearchQuery.from_params(params)
            lat["lexical"].append(timed(lambda q=lexical: catalog.search(q)))
            embedder.query.cache_clear()
            lat["hybrid, first"].append(timed(lambda q=hybrid: catalog.search(q)))
            lat["hybrid"].append(timed(lambda q=hybrid: catalog.search(q)))
            embedder.query.cache_clear()
            lat["query embedding"].append(timed(lambda t=params["q"]: embedder.query(t)))
            if params["q"] in firsts:
                lat["similar"].append(timed(
                    lambda pid=firsts[params["q"]]: catalog.similar_projects(pid)))
    return lat


def throughput(catalog: Catalog, sample: int) -> dict[str, Any]:
    projects = [p for _, p in zip(range(sample), catalog.store.iter_projects(), strict=False)]
    texts = [embedding_text(p) for p in projects]
    embedder = Embedder(threads=None)
    embedder.passages(texts[:2])  # the model loaded
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        embedder.passages(texts[start:start + 32])
    seconds = time.perf_counter() - started
    return {"texts": len(texts), "seconds": round(seconds, 2),
            "texts_per_s": round(len(texts) / seconds, 1),
            "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--embed-sample", type=int, default=128)
    ap.add_argument("--embed-limit", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    catalog = open_catalog(args.db)
    started = time.perf_counter()
    embedded = catalog.embed(limit=args.embed_limit)
    report: dict[str, Any] = {
        "machine": machine(), "projects": catalog.store.count_projects(), "model": MODEL,
        "embedded_first": {"projects": embedded.embedded,
                           "seconds": round(time.perf_counter() - started, 1)},
    }
    started = time.perf_counter()
    vectors = catalog.rebuild_vectors()
    folder = catalog.vectors.path
    report["vector_index"] = {
        "vectors": vectors, "build_s": round(time.perf_counter() - started, 2),
        "mb": round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
                    / 2**20 / 2, 1)}  # two generations kept: one's size
    # first: the first embedder a process loads sets its threads for the process (OpenMP)
    report["throughput"] = throughput(catalog, args.embed_sample)
    qs = queries()
    report["queries"] = len(qs)
    lat = measure(catalog, qs, args.runs)
    report["ms"] = {k: summary(v) for k, v in lat.items() if v}
    report["peak_rss_mb"] = peak_rss_mb()
    out = args.out or args.db.with_suffix(".semantic.json")
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{report['projects']} projects, {vectors} vectors, {len(qs)} queries x {args.runs}")
    print("| call | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, figures in report["ms"].items():
        print(f"| {name} | {figures['p50']} | {figures['p95']} |")
    t = report["throughput"]
    print(f"embedding: {t['texts_per_s']} texts/s ({t['texts']} texts of {t['mean_chars']} "
          f"characters); vector index build {report['vector_index']['build_s']} s, "
          f"{report['vector_index']['mb']} MB; peak RSS {report['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
