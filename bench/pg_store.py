"""The PostgreSQL store against SQLite (docs/deploy.md): imports, a new node's catch-up, search.

    python bench/pg_store.py OUT_DIR [--projects 1000000] [--queries 210] [--skip-real]
                             [--source-db REAL_DB]

A throwaway PostgreSQL server (tests/pgcluster.py: Debian's, in a temporary folder, fsync on)
is started; OUT_DIR (new or empty) holds the SQLite files and every index. Each step runs on
SQLite (the baseline) and on PostgreSQL in the same run, one after the other, each in a child
process measured by bench/import_keep.py's ``measure`` (wall, CPU, peak RSS):

1. **real files**: ``euprojects import`` of keep_closed_1420.xlsx, the CORDIS zip and the EAC
   workbook into a fresh store, one after the other (the store, the links and the index update
   an import does: the index work is the same on both stores).
2. **corpus**: ``bench/corpus.py`` writes N projects (keep.eu, CORDIS and EAC recombined from
   the real records, seed 1: the same projects in both) through the store's writer in
   transactions of 50 000 (``--no-index``).
3. **a new node's catch-up**: ``euprojects index`` with an empty index folder: the whole index
   built from the store of N projects (what a node that starts empty, or fell too far behind,
   does).
4. **search on a node**: the same seeded query mix (bench/search_bench.py's, drawn from the
   SQLite corpus) run by Catalog.search on each store's catalog, one thread, after a warm-up
   pass; the totals must agree. A search reads the store only for the page it shows.

Prints the JSON (also OUT_DIR/result.json) and a summary on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from corpus import REAL_FILES, REPO, SHARED  # noqa: E402
from import_keep import CHILD_ENV, measure  # noqa: E402
from search_bench import machine, make_queries, params_of, summary  # noqa: E402

from euprojects.catalog import Catalog, SearchQuery  # noqa: E402
from euprojects.settings import load_settings  # noqa: E402
from pgcluster import PgServer  # noqa: E402

TODAY = "2026-11-28"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def euprojects(*args: str) -> list[str]:
    return [sys.executable, "-m", "euprojects", *args]


def real_files(source: str) -> tuple[str, list[str]]:
    """The import command of a source and its real files (bench/corpus.py's REAL_FILES)."""
    command, shared, repo = REAL_FILES[source]
    folder = SHARED if SHARED.is_absolute() else REPO / SHARED
    return command, [str(folder / f) for f in shared] + [str(REPO / f) for f in repo]


def run(name: str, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    log(f"{name} ...")
    result = measure(argv, REPO, env=env)
    log(f"  {result.wall:.1f} s, peak RSS {result.rss_kib // 1024} MB")
    return {"wall_s": round(result.wall, 1), "cpu_s": round(result.cpu, 1),
            "peak_rss_mb": result.rss_kib // 1024}


def search(settings: dict[str, Any], queries: list[dict[str, Any]]) -> dict[str, Any]:
    with Catalog(load_settings({**settings, "today": TODAY, "search_facet_cache": 0},
                               {})) as catalog:
        for q in queries:  # warm-up: files in the page cache, the pools filled
            catalog.search(SearchQuery.from_params(params_of(q)))
        ms, totals = [], []
        for q in queries:
            started = time.perf_counter()
            result = catalog.search(SearchQuery.from_params(params_of(q)))
            ms.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
    return {"latency_ms": summary(ms), "totals": totals}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--projects", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=210)
    ap.add_argument("--mix", default="keep=0.2,cordis=0.4,eac=0.4")
    ap.add_argument("--skip-real", action="store_true", help="skip step 1")
    ap.add_argument("--source-db", type=Path, help="the real records of the corpus from this "
                    "SQLite store (default: step 1's, else bench/corpus.py builds one)")
    args = ap.parse_args(argv)
    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        ap.error(f"{out} is not empty")
    server = PgServer(fast=False)
    result: dict[str, Any] = {"machine": machine(), "projects": args.projects,
                              "mix": args.mix, "postgresql": server.bindir.parent.name}
    try:
        base = {**CHILD_ENV, "EUPROJECTS_TODAY": TODAY}

        def env(kind: str, name: str) -> dict[str, str]:
            db = out / f"{name}.db"
            e = {**base, "EUPROJECTS_DB": str(db),
                 "EUPROJECTS_INDEX_DIR": str(out / f"{name}.index")}
            if kind == "postgresql":
                e["EUPROJECTS_STORE_URL"] = server.url.rsplit("/", 1)[0] + f"/{name}"
            return e

        if not args.skip_real:
            real: dict[str, Any] = {}
            for kind in ("sqlite", "postgresql"):
                name = f"real_{kind}"
                if kind == "postgresql":
                    server.new_database(name)
                real[kind] = {}
                for source in REAL_FILES:
                    command, files = real_files(source)
                    real[kind][source] = run(f"{kind}: import {source}",
                                             euprojects("import", command, *files),
                                             env(kind, name))
            result["real_files"] = real

        n = args.projects
        corpus: dict[str, Any] = {}
        for kind in ("sqlite", "postgresql"):
            name = f"corpus_{kind}"
            argv = [sys.executable, str(HERE / "corpus.py"), str(out / f"{name}.db"),
                    "--projects", str(n), "--mix", args.mix, "--no-index"]
            source_db = args.source_db or out / "real_sqlite.db"
            if source_db.exists():  # the real records, read from that store
                argv += ["--source-db", str(source_db)]
            if kind == "postgresql":
                url = server.new_database(name)
                argv += ["--store-url", url]
            # the child's own settings are SQLite's: it writes where --store-url says
            corpus[kind] = {"write": run(f"{kind}: write {n} projects", argv,
                                         env("sqlite", name))}
            corpus[kind]["catch_up"] = run(
                f"{kind}: a new node's index of {n} projects",
                euprojects("index"), env(kind, name))
        result["corpus"] = corpus

        queries = make_queries(out / "corpus_sqlite.db", args.queries, 1)
        searched = {}
        for kind in ("sqlite", "postgresql"):
            e = env(kind, f"corpus_{kind}")
            settings = {"db": e["EUPROJECTS_DB"], "index_dir": e["EUPROJECTS_INDEX_DIR"],
                        "store_url": e.get("EUPROJECTS_STORE_URL")}
            log(f"{kind}: {len(queries)} searches ...")
            searched[kind] = search(settings, queries)
            log(f"  {searched[kind]['latency_ms']}")
        same = searched["sqlite"].pop("totals") == searched["postgresql"].pop("totals")
        result["search"] = {**searched, "same_totals": same}
    finally:
        server.stop()
    text = json.dumps(result, indent=2)
    (out / "result.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
