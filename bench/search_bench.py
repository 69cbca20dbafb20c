"""Benchmark Catalog.search on a (scale) corpus, with baselines on the same corpus and queries.

    python bench/search_bench.py DB [--queries 300] [--threads 1,2] [--engines ...]
                                    [--real-db REAL_DB] [--out OUT.json]

DB is a store with its index (bench/corpus.py writes both). The query mix is fixed and seeded,
drawn from the corpus vocabulary (a sample of its projects): 1-, 2- and 3-word queries, quoted
phrases, one-typo queries, words with 1-3 facet filters, and filters without words. Each
euprojects call is ``catalog.search(SearchQuery.from_params(params))`` with size 10: exact total,
every facet's counts and the snippets, as the product does.

Measured, after a warm-up: p50 / p95 / p99 latency per class and overall, queries per second on
each thread count, the process peak RSS (taken before any baseline runs), the cost of a deep
page (page 1 vs page 100 through the cursor), and where the time goes per class (query
compilation and top-10 + count, typo corrections, facet counts, store lookups, snippets), with a
cProfile of the slowest class.

The baselines (bench/engines/) answer the same queries on the same corpus in the same run:
SQLite FTS5, keep.eu-style LIKE '%word%' (a time limit per query; run on a subset of the
queries), PostgreSQL 15 full-text search, Typesense, and the floor (``--engines ...,floor``):
tantivy itself on the product's own index, the same top 10, count and every facet's counts
without the product's layers (bench/engines/tantivy_floor.py). Each also gets nDCG@10 on the
development set tests/data/eval/dev.jsonl over the REAL store (--real-db; built from the real
files when not given), euprojects through Catalog.evaluate.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines import Engine, export_docs, queries_for_eval  # noqa: E402

import euprojects.catalog as catalog_module  # noqa: E402
from euprojects.catalog import Catalog  # noqa: E402
from euprojects.search import SearchQuery, TantivyIndex, ndcg, read_judgements  # noqa: E402
from euprojects.settings import load_settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO / "tests/data/eval/dev.jsonl"
TODAY = "2025-06-01"  # statuses are computed against this day, in euprojects and baselines
CLASSES = ("1-word", "2-words", "3-words", "phrase", "typo", "words+filters", "filters-only")
FILTER_FACETS = ("country", "programme", "theme", "fund", "period")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50": round(pct(ms, 50), 2), "p95": round(pct(ms, 95), 2),
            "p99": round(pct(ms, 99), 2), "mean": round(statistics.fmean(ms), 2) if ms else 0}


# -- the query mix ------------------------------------------------------------------------------


def make_queries(db: Path, n: int, seed: int, sample: int = 6000) -> list[dict[str, Any]]:
    """A fixed, seeded mix of queries drawn from a sample of the corpus's projects."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    count = con.execute("SELECT max(rowid) FROM projects").fetchone()[0]
    step = max(1, count // sample)
    projects = [json.loads(doc) for (doc,) in
                con.execute("SELECT doc FROM projects WHERE rowid % ? = 0 ORDER BY rowid",
                            (step,))]
    con.close()
    df: Counter[str] = Counter()
    titles, sentences = [], []
    for p in projects:
        words: set[str] = set()
        texts = [p["title"]["text"], *(t["text"] for t in p["description"])]
        for t in texts:
            words.update(w.lower() for w in _WORD.findall(t) if len(w) >= 4)
        df.update(sorted(words))  # in one order: most_common breaks ties by first insertion
        titles.append([w.lower() for w in _WORD.findall(p["title"]["text"]) if len(w) >= 3])
        for t in p["description"]:
            sentences.append([w.lower() for w in _WORD.findall(t["text"][:600])])
    stop = {w for w, c in df.items() if c > 0.25 * len(projects)}
    common = [w for w, c in df.most_common(4000) if w not in stop and c >= 5]
    vocab = set(df)
    rng = random.Random(seed)
    per_class = {c: n // len(CLASSES) + (1 if i < n % len(CLASSES) else 0)
                 for i, c in enumerate(CLASSES)}
    out: list[dict[str, Any]] = []

    def run_of(words: list[str], k: int) -> list[str] | None:
        words = [w for w in words if w not in stop]
        if len(words) < k:
            return None
        i = rng.randrange(len(words) - k + 1)
        return words[i:i + k]

    def typo(word: str) -> str | None:
        for _ in range(20):
            i = rng.randrange(1, len(word) - 1)
            op = rng.choice(("delete", "swap", "replace", "insert"))
            letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
            w = {"delete": word[:i] + word[i + 1:],
                 "swap": word[:i] + word[i + 1] + word[i] + word[i + 2:],
                 "replace": word[:i] + letter + word[i + 1:],
                 "insert": word[:i] + letter + word[i:]}[op]
            if w != word and w not in vocab:
                return w
        return None

    def some_filters(p: dict[str, Any]) -> dict[str, list[str]]:
        options = {"country": p["countries"], "programme": [p["programme"]] if p["programme"]
                   else [], "theme": p["themes"], "fund": p["funds"],
                   "period": [p["period"]] if p["period"] else []}
        names = [k for k in FILTER_FACETS if options[k]]
        chosen = rng.sample(names, min(len(names), rng.randint(1, 3)))
        return {k: [rng.choice(options[k])] for k in chosen}

    for cls, k in per_class.items():
        made = 0
        while made < k:
            q, filters = None, {}
            if cls == "1-word":
                q = rng.choice(common)
            elif cls in ("2-words", "3-words"):
                run = run_of(rng.choice(titles), 2 if cls == "2-words" else 3)
                q = " ".join(run) if run else None
            elif cls == "phrase":
                run = run_of([w for w in rng.choice(sentences) if len(w) >= 4], 2)
                q = f'"{" ".join(run)}"' if run else None
            elif cls == "typo":
                word = rng.choice([w for w in common if 5 <= len(w) <= 10] or common)
                q = typo(word)
            elif cls == "words+filters":
                p = rng.choice(projects)
                words = [w for w in _WORD.findall(p["title"]["text"].lower())
                         if len(w) >= 4 and w not in stop]
                if words:
                    q = " ".join(rng.sample(words, min(len(words), rng.randint(1, 2))))
                    filters = some_filters(p)
            else:
                p = rng.choice(projects)
                q, filters = "", some_filters(p)
            if q is None or (cls == "filters-only" and not filters):
                continue
            out.append({"cls": cls, "q": q, "filters": filters})
            made += 1
    return out


def params_of(query: dict[str, Any], size: int = 10) -> dict[str, Any]:
    return {"q": query["q"], "size": str(size), **query["filters"]}


# -- running ------------------------------------------------------------------------------------


def run_timed(call: Any, conns: list[Any], queries: list[dict[str, Any]],
              threads: int) -> tuple[list[float], float, list[Any]]:
    """Each query once; latencies (ms) in query order, wall time (s), answers."""
    lat: list[float] = [0.0] * len(queries)
    answers: list[Any] = [None] * len(queries)
    nxt = iter(range(len(queries)))
    lock = threading.Lock()

    def worker(conn: Any) -> None:
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            t = time.perf_counter()
            try:
                answers[i] = call(conn, queries[i])
            except Exception as exc:  # noqa: BLE001 - a timeout or an engine error: recorded
                answers[i] = exc
            lat[i] = (time.perf_counter() - t) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, conns[:threads]))
    return lat, time.perf_counter() - started, answers


def by_class(queries: list[dict[str, Any]], lat: list[float],
             ok: list[bool] | None = None) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for q, ms, good in zip(queries, lat, ok or [True] * len(lat), strict=True):
        if good:
            groups[q["cls"]].append(ms)
            groups["all"].append(ms)
    return {c: summary(groups[c]) for c in (*CLASSES, "all") if groups[c]}


def open_catalog(db: Path) -> Catalog:
    """A catalog that keeps no facet counts: every timed search counts its facets anew (the
    warm-up pass would otherwise have left the counts of every query of the mix). Facet
    threads from BENCH_SEARCH_THREADS (default: the setting's default)."""
    settings = {"db": db, "today": TODAY, "search_facet_cache": 0}
    if os.environ.get("BENCH_SEARCH_THREADS"):
        settings["search_threads"] = int(os.environ["BENCH_SEARCH_THREADS"])
    return Catalog(load_settings(settings, {}))


def bench_euprojects(db: Path, queries: list[dict[str, Any]], threads: list[int],
                     warmup: int) -> dict[str, Any]:
    catalogs = [open_catalog(db) for _ in range(max(threads))]

    def call(cat: Catalog, query: dict[str, Any]) -> Any:
        return cat.search(SearchQuery.from_params(params_of(query)))

    log(f"euprojects: warm-up ({warmup} x the mix)")
    for _ in range(warmup):
        run_timed(call, catalogs, queries, 1)
    result: dict[str, Any] = {"engine": "euprojects"}
    for t in threads:
        lat, wall, answers = run_timed(call, catalogs, queries, t)
        errors = [a for a in answers if isinstance(a, Exception)]
        if errors:
            log(f"euprojects errors: {len(errors)}, first: {errors[0]!r}")
        result[f"threads_{t}"] = {"qps": round(len(queries) / wall, 1),
                                  "classes": by_class(queries, lat)}
        if t == 1:
            result["classes"] = result["threads_1"]["classes"]
            result["totals"] = [getattr(a, "total", None) for a in answers]
            result["took_ms"] = [getattr(a, "took_ms", None) for a in answers]
        log(f"euprojects {t} thread(s): {result[f'threads_{t}']['qps']} q/s, all "
            f"{result[f'threads_{t}']['classes']['all']}")
    result["peak_rss_mb"] = peak_rss_mb()
    result["load_avg_after_queries"] = os.getloadavg()
    result["cursor_depth"] = cursor_depth(catalogs[0], queries, result["totals"])
    result["breakdown"] = breakdown(catalogs[0], queries)
    for cat in catalogs:
        cat.close()
    return result


def cursor_depth(cat: Catalog, queries: list[dict[str, Any]], totals: list[Any]) -> dict:
    """Page 1 vs page 100 (offset 990, through a cursor) for queries with >= 1000 results."""
    from euprojects.search._query import encode_cursor  # opaque to users; the bench knows it

    deep = [q for q, t in zip(queries, totals, strict=True) if t and t >= 1000][:20]
    first, hundredth = [], []
    for q in deep:
        p1 = SearchQuery.from_params(params_of(q))
        p100 = SearchQuery.from_params({**params_of(q), "cursor": encode_cursor(990)})
        for target, query in ((first, p1), (hundredth, p100)):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                cat.search(query)
                times.append((time.perf_counter() - t) * 1000)
            target.append(statistics.median(times))
    return {"queries": len(deep), "page1": summary(first), "page100": summary(hundredth)}


class _Timers:
    def __init__(self) -> None:
        self.t: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Any) -> Any:
        def timed(*a: Any, **k: Any) -> Any:
            s = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.t[name] += time.perf_counter() - s
        return timed


def breakdown(cat: Catalog, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the time goes, per class: monkeypatched timers around the parts of a search (the
    source is not changed), then a cProfile of the slowest class."""
    timers = _Timers()
    saved: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, label: str, static: bool = False) -> None:
        if not hasattr(owner, name):  # the code moved: say so, never time nothing
            raise SystemExit(f"breakdown: {owner!r} has no {name} any more: update the bench")
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        saved.append((owner, name, original))
        fn = original.__func__ if isinstance(original, staticmethod) else original
        wrapped = timers.wrap(label, fn)
        setattr(owner, name, staticmethod(wrapped) if static else wrapped)

    patch(TantivyIndex, "search", "index")
    patch(cat.index._counter, "count", "facets")  # the facet counter of the index
    patch(TantivyIndex, "_corrections", "corrections", static=True)
    patch(cat.store, "get_projects", "store")
    patch(catalog_module, "snippet", "snippets")
    out: dict[str, Any] = {}
    try:
        for cls in CLASSES:
            qs = [q for q in queries if q["cls"] == cls]
            timers.t.clear()
            started = time.perf_counter()
            for q in qs:
                cat.search(SearchQuery.from_params(params_of(q)))
            total = time.perf_counter() - started
            t = timers.t
            parts = {
                "total": total,
                "text query + top-10 + count": t["index"] - t["facets"] - t["corrections"],
                "typo corrections (doc_freq probes)": t["corrections"],
                "facet counts (FacetCounter.count)": t["facets"],
                "store lookups (get_projects)": t["store"],
                "snippets": t["snippets"],
            }
            parts["rest (parsing, glue)"] = total - sum(v for k, v in parts.items()
                                                        if k != "total")
            out[cls] = {k: round(v * 1000 / len(qs), 2) for k, v in parts.items()}
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        for owner in (cat.store, cat.index._counter):
            for name in ("get_projects", "count"):
                if name in owner.__dict__:
                    delattr(owner, name)
    slowest = max(out, key=lambda c: out[c]["total"])
    prof = cProfile.Profile()
    qs = [q for q in queries if q["cls"] == slowest]
    prof.enable()
    for q in qs:
        cat.search(SearchQuery.from_params(params_of(q)))
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    text = "\n".join(line for line in buf.getvalue().splitlines() if line.strip())
    return {"ms_per_query": out, "slowest": slowest,
            "cprofile_slowest_tottime": text.replace(str(REPO) + "/", "")}


def bench_baseline(engine: Engine, db: Path, queries: list[dict[str, Any]], threads: list[int],
                   warmup: int) -> dict[str, Any]:
    log(f"{engine.name}: building from {db.name}")
    build = engine.build(export_docs(db, date.fromisoformat(TODAY)))
    log(f"{engine.name}: built {build}")
    conns = [engine.connect() for _ in range(max(threads))]

    def call(conn: Any, query: dict[str, Any]) -> Any:
        return engine.search(conn, query["q"], query["filters"])

    if warmup:
        run_timed(call, conns, queries[:: max(1, len(queries) // warmup)], 1)
    result: dict[str, Any] = {"engine": engine.name, "build": build, "queries": len(queries)}
    for t in threads:
        lat, wall, answers = run_timed(call, conns, queries, t)
        ok = [not isinstance(a, Exception) for a in answers]
        errors = [a for a in answers if isinstance(a, Exception)]
        entry = {"qps": round(len(queries) / wall, 1), "classes": by_class(queries, lat, ok),
                 "failed": len(errors)}
        if errors:
            entry["first_error"] = repr(errors[0])[:300]
        result[f"threads_{t}"] = entry
        if t == 1:
            result["classes"] = entry["classes"]
            result["failed_by_class"] = dict(Counter(q["cls"] for q, good in
                                                     zip(queries, ok, strict=True) if not good))
            result["totals"] = [getattr(a, "total", None) for a in answers]
        log(f"{engine.name} {t} thread(s): {entry['qps']} q/s, failed {entry['failed']}, "
            f"all {entry['classes'].get('all')}")
    for conn in conns:
        conn.close()
    result["load_avg_after_queries"] = os.getloadavg()
    return result


def eval_baseline(engine: Engine, real_db: Path) -> dict[str, Any]:
    engine.build(export_docs(real_db, date.fromisoformat(TODAY)))
    conn = engine.connect()
    scores = []
    for j in read_judgements(DEV_SET):
        q, filters = queries_for_eval(j)
        try:
            ids = engine.search(conn, q, filters).ids
        except Exception as exc:  # noqa: BLE001
            log(f"{engine.name} eval: {q!r} failed: {exc!r}"[:300])
            ids = []
        scores.append(ndcg(ids, j.relevant, 10))
    conn.close()
    return {"ndcg@10": round(statistics.fmean(scores), 4), "queries": len(scores)}


def eval_euprojects(real_db: Path) -> dict[str, Any]:
    cat = open_catalog(real_db)
    cat.reindex()  # the index of the current code
    report = cat.evaluate(DEV_SET)
    cat.close()
    return {"ndcg@10": round(report.ndcg, 4), "recall@10": round(report.recall, 4),
            "queries": len(report.per_query)}


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    osname = ""
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"')
    git = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    import tantivy  # noqa: F401

    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(int(mem) / 2**20, 1),
            "python": sys.version.split()[0], "os": osname, "git": git,
            "code": os.environ.get("BENCH_CODE", git),
            "sqlite": sqlite3.sqlite_version, "load_avg_start": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1, help="warm-up passes of the mix")
    ap.add_argument("--engines", default="euprojects,fts5,like,postgres,typesense")
    ap.add_argument("--baseline-threads", default="1,2")
    ap.add_argument("--like-limit", type=float, default=2.0, help="seconds per LIKE query")
    ap.add_argument("--like-queries", type=int, default=35, help="LIKE runs on this many")
    ap.add_argument("--real-db", type=Path, help="the real store, for nDCG@10 (else built)")
    ap.add_argument("--no-eval", action="store_true", help="skip nDCG@10")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--render", type=Path, nargs="*", metavar="RESULT_JSON",
                    help="measure nothing: print the tables of these result files, merged")
    args = ap.parse_args(argv)
    if args.render is not None:
        merged: dict[str, Any] = {"engines": {}}
        for path in args.render:
            part = json.loads(path.read_text())
            for k, v in part.items():
                if k != "engines":
                    merged.setdefault(k, v)
            for name, e in part.get("engines", {}).items():
                merged["engines"].setdefault(name, e)
        print(render(merged))
        return 0

    db: Path = args.db
    names = args.engines.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    bthreads = [int(t) for t in args.baseline_threads.split(",")]
    work = db.parent
    tag = db.stem
    out_path = args.out or work / f"{tag}.search.json"
    report: dict[str, Any] = json.loads(out_path.read_text()) if out_path.exists() else {}
    report.update({"machine": machine(), "db": str(db), "today": TODAY,
                   "argv": sys.argv[1:]})
    build_stats = Path(str(db) + ".build.json")
    if build_stats.exists():
        report["corpus"] = json.loads(build_stats.read_text())
    queries = make_queries(db, args.queries, args.seed)
    report["queries"] = queries
    report.setdefault("engines", {})

    def save() -> None:
        out_path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")

    real_db = args.real_db
    if not args.no_eval and real_db is None:
        import tempfile

        from corpus import build_real_store
        real_db = build_real_store(Path(tempfile.mkdtemp(prefix="bench-real-")))

    if "euprojects" in names:
        report["engines"]["euprojects"] = bench_euprojects(db, queries, threads, args.warmup)
        if not args.no_eval:
            report["engines"]["euprojects"]["eval"] = eval_euprojects(real_db)
        save()

    if "floor" in names:  # tantivy on the product's own index, without the product's layers
        from engines.tantivy_floor import TantivyFloor

        def floor(of: Path) -> TantivyFloor:
            return TantivyFloor(load_settings({"db": of}, {}).index_path,
                                date.fromisoformat(TODAY))

        report["engines"]["tantivy-floor"] = bench_baseline(floor(db), db, queries, bthreads, 30)
        if not args.no_eval:
            report["engines"]["tantivy-floor"]["eval"] = eval_baseline(floor(real_db), real_db)
        save()
    from engines.sqlite_engines import Fts5Engine, LikeEngine

    fts_path = work / f"{tag}.sqlite-baseline.db"
    if "fts5" in names:
        fts = Fts5Engine(fts_path)
        report["engines"]["sqlite-fts5"] = bench_baseline(fts, db, queries, bthreads, 30)
        if not args.no_eval:
            report["engines"]["sqlite-fts5"]["eval"] = eval_baseline(
                Fts5Engine(work / "real.sqlite-baseline.db"), real_db)
        save()
    if "like" in names:
        like = LikeEngine(fts_path, args.like_limit)
        if not fts_path.exists():
            Fts5Engine(fts_path).build(export_docs(db, date.fromisoformat(TODAY)))
        subset = queries[:: max(1, len(queries) // args.like_queries)]

        class Prebuilt(LikeEngine):
            def build(self, docs: Any) -> dict[str, Any]:
                return {"shared_with": "sqlite-fts5"}

        pre = Prebuilt(fts_path, args.like_limit)
        report["engines"]["sqlite-like"] = bench_baseline(pre, db, subset, [1], 0)
        report["engines"]["sqlite-like"]["limit_s"] = args.like_limit
        report["engines"]["sqlite-like"]["query_index"] = [queries.index(q) for q in subset]
        if not args.no_eval:
            report["engines"]["sqlite-like"]["eval"] = eval_baseline(
                LikeEngine(work / "real.sqlite-baseline.db", 30.0), real_db)
        del like
        save()
    if "postgres" in names:
        from engines.postgres import PgCluster, PostgresEngine

        cluster = PgCluster()
        try:
            report["engines"]["postgresql-fts"] = bench_baseline(
                PostgresEngine(cluster, "bench"), db, queries, bthreads, 30)
            if not args.no_eval:
                report["engines"]["postgresql-fts"]["eval"] = eval_baseline(
                    PostgresEngine(cluster, "real"), real_db)
        finally:
            cluster.stop()
        save()
    if "typesense" in names:
        from engines.typesense_engine import TypesenseEngine, TypesenseServer

        server = TypesenseServer()
        try:
            report["engines"]["typesense"] = bench_baseline(
                TypesenseEngine(server, "bench"), db, queries, bthreads, 30)
            report["engines"]["typesense"]["server_peak_rss_mb"] = server.rss_mb()
            if not args.no_eval:
                report["engines"]["typesense"]["eval"] = eval_baseline(
                    TypesenseEngine(server, "real"), real_db)
        finally:
            server.stop()
        save()
    save()
    print(render(report))
    return 0


def render(report: dict[str, Any]) -> str:
    """The tables of docs/benchmarks.md for this run."""
    eng = report["engines"]
    lines = []
    ep = eng.get("euprojects")
    if ep:
        lines.append(f"euprojects: peak RSS {ep['peak_rss_mb']} MB; "
                     + "; ".join(f"{k.replace('threads_', '')} thread(s) {v['qps']} q/s"
                                 for k, v in ep.items() if k.startswith("threads_")))
        lines.append("")
        lines.append("| class | n | p50 ms | p95 ms | p99 ms |")
        lines.append("|---|---|---|---|---|")
        for c, s in ep["classes"].items():
            lines.append(f"| {c} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} |")
        cd = ep["cursor_depth"]
        lines.append("")
        lines.append(f"cursor depth ({cd['queries']} queries with >= 1000 results): page 1 p50 "
                     f"{cd['page1']['p50']} ms, page 100 p50 {cd['page100']['p50']} ms")
        lines.append("")
        parts = list(next(iter(ep["breakdown"]["ms_per_query"].values())))
        lines.append("| class | " + " | ".join(parts) + " |")
        lines.append("|---" * (len(parts) + 1) + "|")
        for c, v in ep["breakdown"]["ms_per_query"].items():
            lines.append(f"| {c} | " + " | ".join(str(v[p]) for p in parts) + " |")
    lines.append("")
    lines.append("| engine | class | p50 ms | p95 ms | p99 ms | p50 ratio to euprojects |")
    lines.append("|---|---|---|---|---|---|")
    for name, e in eng.items():
        for c, s in e.get("classes", {}).items():
            ratio = ""
            if ep and name != "euprojects" and c in ep["classes"] and ep["classes"][c]["p50"]:
                ratio = f"{s['p50'] / ep['classes'][c]['p50']:.1f}x"
            lines.append(f"| {name} | {c} | {s['p50']} | {s['p95']} | {s['p99']} | {ratio} |")
    lines.append("")
    lines.append("| engine | build s | size MB | q/s 1 thread | q/s 2 threads | failed/timeouts |"
                 " nDCG@10 (real store, dev set) |")
    lines.append("|---|---|---|---|---|---|---|")
    corpus = report.get("corpus", {})
    for name, e in eng.items():
        b = e.get("build", {})
        if name == "euprojects":
            b = {"build_s": corpus.get("index_build_s"), "size_mb": corpus.get("index_size_mb")}
        lines.append(f"| {name} | {b.get('build_s', '')} | {b.get('size_mb', '')} | "
                     f"{e.get('threads_1', {}).get('qps', '')} | "
                     f"{e.get('threads_2', {}).get('qps', '')} | "
                     f"{e.get('threads_1', {}).get('failed', '')} | "
                     f"{e.get('eval', {}).get('ndcg@10', '')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
