"""Speed of search by meaning (docs/semantic-search.md) on a store whose projects are embedded,
against the search by words of the same queries in the same run.

    python bench/semantic_bench.py DB [--runs 5] [--embed-sample 128] [--embed-limit N]
                                      [--vectors-from REAL_DB] [--graph-min N]
                                      [--out OUT.json] [--json]

DB is a store with its index and its vectors (``euprojects embed`` wrote them; the benchmark
embeds what is missing first, at most --embed-limit projects, and says how long that took).

A generated corpus (bench/corpus.py: 1 or 2 million projects) would take a day or two to embed
on two cores, and its texts are generated: so with ``--vectors-from REAL_DB`` (a store of the
real catalog whose projects ``euprojects embed`` embedded) each of DB's projects without a
vector gets a synthetic one instead: a mix of two real vectors of REAL_DB (weights 0.55-1 and
the rest) plus a little noise (0.02 per dimension), normalised. These vectors keep the real
ones' distribution (most pairs of e5 vectors have a cosine near 0.75: the hard case for an
approximate index) while the corpus's size makes the cost. They say nothing of relevance.

Also measured: the time and peak memory of building the vector index from the store; for
k = 10, 50 and 100, on the real vectors of the queries and on 200 real project vectors (as
similar projects asks), the recall of the exact scan of the index's int8 codes against the
exact cosine of the stored vectors, and the recall of its approximate graph (search/_graph.py,
when the index has one) against the exact scan, with the latencies of both.
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
from euprojects.search import MODEL, Embedder, SearchQuery, from_blob, to_blob  # noqa: E402

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


def synthetic_vectors(catalog: Catalog, real_db: Path, seed: int = 7) -> dict[str, Any]:
    """A synthetic vector (see the module) for each of the catalog's projects without one."""
    import numpy as np
    real = open_catalog(real_db)
    pool = np.vstack([from_blob(b) for _, b in real.store.iter_embeddings(MODEL)])
    held = catalog.store.embedding_hashes(MODEL)
    missing = [p.id for p in catalog.store.iter_projects() if p.id not in held]
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    for start in range(0, len(missing), 50_000):
        ids = missing[start:start + 50_000]
        i, j = rng.integers(0, len(pool), (2, len(ids)))
        w = rng.uniform(0.55, 1.0, (len(ids), 1)).astype(np.float32)
        mixed = w * pool[i] + (1 - w) * pool[j]
        mixed += rng.normal(0, 0.02, mixed.shape).astype(np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        catalog.store.put_embeddings(MODEL, [(pid, "synthetic", to_blob(v))
                                             for pid, v in zip(ids, mixed, strict=True)])
        log(f"synthetic vectors: {start + len(ids)} of {len(missing)}")
    return {"from": real_db.name, "real_vectors": len(pool), "synthetic": len(missing),
            "seconds": round(time.perf_counter() - started, 1)}


def vector_recall(catalog: Catalog, qs: list[dict[str, Any]], real_db: Path | None
                  ) -> dict[str, Any]:
    """On the queries' vectors and on real project vectors: recall@k of the exact scan of the
    int8 codes against the exact cosine of the stored (float16) vectors; and, when the vector
    index has a graph, recall@k of the graph against the exact scan of the codes, with both
    latencies."""
    import numpy as np
    generation = catalog.vectors.generation()
    if generation is None:
        return {}
    vectors = [catalog.embedder.query(params["q"]) for params in qs]
    blobs = [blob for _, blob in catalog.store.iter_embeddings(MODEL)]  # the index's order
    held = [blob for _, blob in open_catalog(real_db).store.iter_embeddings(MODEL)
            ] if real_db else blobs
    step = max(1, len(held) // 200)  # 200 real project vectors, spread over the ids
    vectors += [from_blob(blob) for blob in held[::step][:200]]
    stored = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(-1, len(vectors[0]))
    del blobs
    scores = np.vstack([np.concatenate([
        np.asarray(stored[i:i + 65536], dtype=np.float32) @ v
        for i in range(0, len(stored), 65536)]) for v in vectors])
    graph, out = generation.graph, {"queries": len(vectors), "vectors": len(stored)}
    for k in (10, 50, 100):
        codes_found, found, walked_ms, exact_ms = [], [], [], []
        for vector, row in zip(vectors, scores, strict=True):
            generation.graph = None
            exact_ms.append(timed(lambda v=vector, n=k: generation.search(v, n)))
            truth = {pid for pid, _ in generation.search(vector, k)}
            top = min(k, len(row))
            cosine = {generation.ids[i].decode() for i in np.argpartition(-row, top - 1)[:top]}
            codes_found.append(len(truth & cosine) / top)
            if graph is not None:
                generation.graph = graph
                walked_ms.append(timed(lambda v=vector, n=k: generation.search(v, n)))
                near = {pid for pid, _ in generation.search(vector, k)}
                found.append(len(near & truth) / k)
        generation.graph = graph
        out[f"codes k={k}"] = {"recall": round(float(np.mean(codes_found)), 4),
                               "exact_ms": summary(exact_ms)}
        if graph is not None:
            out[f"graph k={k}"] = {"recall": round(float(np.mean(found)), 4),
                                   "recall_min": round(float(np.min(found)), 2),
                                   "graph_ms": summary(walked_ms), "exact_ms": summary(exact_ms)}
    return out


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
    ap.add_argument("--vectors-from", type=Path, default=None)
    ap.add_argument("--graph-min", type=int, default=None,
                    help="vectors from which the vector index holds a graph (the setting "
                         "vector_graph_min; 1: a graph whatever the size)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    catalog = open_catalog(args.db)
    if args.graph_min is not None:
        catalog.vectors.graph_min = args.graph_min
    report: dict[str, Any] = {
        "machine": machine(), "projects": catalog.store.count_projects(), "model": MODEL}
    if args.vectors_from:
        report["synthetic_vectors"] = synthetic_vectors(catalog, args.vectors_from)
    else:
        started = time.perf_counter()
        embedded = catalog.embed(limit=args.embed_limit)
        report["embedded_first"] = {"projects": embedded.embedded,
                                    "seconds": round(time.perf_counter() - started, 1)}
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    vectors = catalog.rebuild_vectors()
    folder = catalog.vectors.path
    generation = catalog.vectors.generation()
    report["vector_index"] = {
        "vectors": vectors, "build_s": round(time.perf_counter() - started, 2),
        "graph": generation is not None and generation.graph is not None,
        "mb": round(sum(p.stat().st_size for p in (folder / generation.name).iterdir())
                    / 2**20, 1) if generation else 0,
        "peak_rss_mb_before": rss_before, "peak_rss_mb_after": peak_rss_mb()}
    # first: the first embedder a process loads sets its threads for the process (OpenMP)
    report["throughput"] = throughput(catalog, args.embed_sample)
    qs = queries()
    report["queries"] = len(qs)
    report["vector_recall"] = vector_recall(catalog, qs, args.vectors_from)
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
    for k, figures in report["vector_recall"].items():
        if k.startswith("codes"):
            print(f"int8 codes {k[6:]}: recall {figures['recall']} against the stored vectors' "
                  f"exact cosine")
        elif k.startswith("graph"):
            print(f"graph {k[6:]}: recall {figures['recall']} (min {figures['recall_min']}) "
                  f"against the exact scan of the codes, p50/p95 {figures['graph_ms']['p50']}/"
                  f"{figures['graph_ms']['p95']} ms against {figures['exact_ms']['p50']}/"
                  f"{figures['exact_ms']['p95']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
