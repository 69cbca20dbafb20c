"""Speed of the statistics of a search (``Catalog.statistics``, docs/statistics.md) on a scale
corpus, against the plain search of the same queries in the same run.

    python bench/statistics_bench.py DB [--runs 10] [--cached-runs 200] [--out OUT.json] [--json]
    python bench/statistics_bench.py DB --projects N [--mix keep=0.2,cordis=0.4,eac=0.4]
                                        [--source-db REAL_DB] [...]

DB is a store with its index (bench/corpus.py writes both). An existing DB is reused as it is
(its index built first with ``corpus.py --index-only`` when it was written with --no-index);
a missing one is generated first by ``bench/corpus.py DB --projects N --mix MIX
[--source-db REAL_DB]`` when --projects is given. The default mix is that of the store-API
share of bench/full_size.py (keep.eu 20 %, CORDIS 40 %, EAC 40 %): more than one source, and
CORDIS's participation-level amounts, so that the source filter and the amounts by place mean
something.

The searches, chosen from the corpus itself (its whole-catalog statistics and a sample of its
texts) so that any corpus gives the same shapes: the whole catalog (no parameter); the country
with most projects; the country closest to 0.5 % of the projects; the largest source (short of
all the projects); the largest country with a start date in 2016-2018; one common word (the
most frequent word of 5 letters or more held by at most 25 % of a sample of 6 000 projects);
one rare word (held by about 0.1 % of the sample); and a facet combination (the largest
framework, the largest topic and the second largest country).

The catalog is the one the search benchmarks use (search_bench.open_catalog: no kept facet
counts, statuses against 2025-06-01). Measured, after one warm-up pass, ``--runs`` times in
rounds (each round every search once, the cases interleaved so that the machine's noise hits
them alike):

- ``search``: ``catalog.search(SearchQuery.from_params(params))`` with size 10, every facet's
  counts and the snippets (the baseline: what the search page costs for the same query);
- ``statistics``, uncached: ``catalog.statistics(query)`` after clearing the catalog's cache of
  statistics (``catalog._stats_cache``, an OrderedDict private to the catalog: cleared by the
  benchmark only). SQLite's page cache, the OS file cache and the index's own readers stay warm,
  as in a running portal;
- its parts, timed inside that same call by timers set around the catalog's own index
  methods (the source is not changed): ``catalog.index.statistics`` (the project-level
  aggregation) and ``catalog.index.participation_statistics`` (the sums of the participation
  columns over the matching rows, search/_columns.py), and within the latter
  ``catalog.index._rows`` (every matching document's row, sorted, from the index; not called
  for the whole catalog, which sums every live row, nor for a search of filters alone that the
  columns answer themselves, ``Columns.select``). The catalog runs the first two side by side (two
  threads): ``rest`` is the call less the longer of them (the cache key, shaping the tables,
  the names of the top organisations, and whatever the overlap did not hide);
- ``statistics``, cached: the same call ``--cached-runs`` times once it is kept.

p50 / p95 are interpolated between ranks (search_bench.pct), over the runs. Writes the whole
report as JSON to OUT (default DB with the suffix ``.statistics.json``) and prints its tables
(or, with --json, the report).

Not named ``statistics.py``: run from this folder, a file of that name would stand for the
standard library's ``statistics`` in search_bench.py and web_bench.py (which import it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from search_bench import log, machine, open_catalog, pct, peak_rss_mb, summary  # noqa: E402

from euprojects.catalog import Catalog  # noqa: E402
from euprojects.search import SearchQuery  # noqa: E402

DEFAULT_MIX = "keep=0.2,cordis=0.4,eac=0.4"
DATE_RANGE = {"start_date_min": "2016-01-01", "start_date_max": "2018-12-31"}
TARGETS_MS = {"whole_uncached_p95": 1000.0, "whole_cached_p95": 20.0, "filtered_p95": 300.0}
_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)


# -- the corpus and the searches ------------------------------------------------------------------


def ensure_corpus(db: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Reuse DB, or generate it with bench/corpus.py; returns its build figures."""
    corpus = [sys.executable, str(BENCH / "corpus.py"), str(db)]
    built = Path(f"{db}.build.json")
    if not db.exists():
        if args.projects is None:
            raise SystemExit(f"{db}: no such store (give --projects N to generate it)")
        log(f"generating {db} ({args.projects} projects, mix {args.mix}) with bench/corpus.py")
        extra = ["--source-db", str(args.source_db)] if args.source_db else []
        subprocess.run([*corpus, "--projects", str(args.projects), "--mix", args.mix, *extra],
                       check=True, stdout=subprocess.DEVNULL)
    elif not db.with_suffix(".index").is_dir() or "index_build_s" not in (
            built.read_text() if built.exists() else ""):
        log(f"building the index of {db} (bench/corpus.py --index-only)")
        subprocess.run([*corpus, "--projects", "0", "--index-only"], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        log(f"reusing {db} and its index")
    return json.loads(built.read_text()) if built.exists() else {}


def words_of(db: Path, sample: int = 6000) -> tuple[str, str]:
    """A common word and a rare one of the corpus's titles and descriptions (see the module)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        count = con.execute("SELECT max(rowid) FROM projects").fetchone()[0] or 1
        step = max(1, count // sample)
        docs = [json.loads(doc) for (doc,) in con.execute(
            "SELECT doc FROM projects WHERE rowid % ? = 0 ORDER BY rowid", (step,))]
    finally:
        con.close()
    df: Counter[str] = Counter()
    for p in docs:
        texts = [p["title"]["text"], *(t["text"] for t in p["description"])]
        df.update({w.lower() for t in texts for w in _WORD.findall(t)})
    ranked = sorted(df.items(), key=lambda wc: (-wc[1], wc[0]))
    common = next(w for w, c in ranked if c <= 0.25 * len(docs))
    floor = max(2, round(0.001 * len(docs)))
    rare = min((c, w) for w, c in df.items() if c >= floor)[1]
    return common, rare


def choose_searches(db: Path, whole: Any) -> list[dict[str, Any]]:
    """The searches measured, named, as search parameters (see the module)."""
    def keys(table: str) -> list[str]:
        return [row.key for row in sorted(whole.tables[table], key=lambda r: (-r.projects,
                                                                              r.key))]

    countries = sorted(whole.tables["country"], key=lambda r: (-r.projects, r.key))
    large = countries[0].key
    small = min(countries, key=lambda r: (abs(r.projects - 0.005 * whole.projects), r.key)).key
    sources = [r.key for r in sorted(whole.tables["source"], key=lambda r: (-r.projects, r.key))
               if r.projects < whole.projects] or keys("source")
    second = countries[1].key if len(countries) > 1 else large
    common, rare = words_of(db)
    combination = {"framework": keys("framework")[:1], "topic": keys("topic")[:1],
                   "country": [second]}
    return [
        {"name": "whole catalog", "params": {}},
        {"name": "country, large", "params": {"country": [large]}},
        {"name": "country, small", "params": {"country": [small]}},
        {"name": "source", "params": {"source": sources[:1]}},
        {"name": "country + start 2016-2018", "params": {"country": [large], **DATE_RANGE}},
        {"name": "common word", "params": {"q": common}},
        {"name": "rare word", "params": {"q": rare}},
        {"name": "facet combination", "params": {k: v for k, v in combination.items() if v}},
    ]


def src_changes() -> list[str]:
    """Uncommitted changes under src/ (``git status --porcelain``): the working tree is shared,
    and the code measured is the one imported at the start, HEAD only when this is empty."""
    return subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                          capture_output=True, text=True).stdout.splitlines()


# -- timing -----------------------------------------------------------------------------------


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = call()
    return (time.perf_counter() - started) * 1000, answer


def uncached(catalog: Catalog, query: SearchQuery) -> Any:
    catalog._stats_cache.clear()  # the benchmark's own doing: the next call computes anew
    return catalog.statistics(query)


PARTS = {"index": "statistics", "participations": "participation_statistics",
         "rows": "_rows"}  # rows: inside participations


def time_parts(catalog: Catalog) -> dict[str, float]:
    """Timers around the parts of Catalog.statistics, set on the catalog's own index object
    (the source is not changed): the returned dict holds the milliseconds of each part's last
    call; a part not called is absent."""
    last: dict[str, float] = {}

    def wrap(part: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                last[part] = (time.perf_counter() - started) * 1000
        return timed_call

    for part, name in PARTS.items():
        setattr(catalog.index, name, wrap(part, getattr(catalog.index, name)))
    return last


def measure(catalog: Catalog, searches: list[dict[str, Any]], runs: int,
            cached_runs: int) -> None:
    """Fills each search's figures in place (see the module)."""
    queries = [SearchQuery.from_params({**s["params"], "size": "10"}) for s in searches]
    last = time_parts(catalog)
    log("warm-up: each search once")
    for s, query in zip(searches, queries, strict=True):
        s["projects"] = catalog.search(query).total
        stats = uncached(catalog, query)
        s["statistics_projects"] = stats.projects
        s["participations"] = stats.participations
        s["organisations"] = stats.organisations
    lat: dict[str, dict[str, list[float]]] = {s["name"]: {} for s in searches}
    for run in range(runs):
        log(f"round {run + 1} of {runs}")
        for s, query in zip(searches, queries, strict=True):
            got = lat[s["name"]]
            got.setdefault("search", []).append(timed(lambda q=query: catalog.search(q))[0])
            last.clear()
            ms = timed(lambda q=query: uncached(catalog, q))[0]
            got.setdefault("statistics", []).append(ms)
            for part in PARTS:
                if part in last:
                    got.setdefault(part, []).append(last[part])
            # the two parts run side by side: the rest is the call less the longer one
            got.setdefault("rest", []).append(
                ms - max(last.get("index", 0), last.get("participations", 0)))
    log(f"cached: {cached_runs} calls per search")
    for s, query in zip(searches, queries, strict=True):
        catalog.statistics(query)  # kept now
        lat[s["name"]]["cached"] = [timed(lambda q=query: catalog.statistics(q))[0]
                                    for _ in range(cached_runs)]
    for s in searches:
        got = lat[s["name"]]
        s["ms"] = {name: summary(values) for name, values in got.items()}
        s["ratio_p50"] = round(pct(got["statistics"], 50) / pct(got["search"], 50), 1)
        s["latencies_ms"] = {name: [round(v, 3) for v in values] for name, values in got.items()}


def verdicts(searches: list[dict[str, Any]]) -> dict[str, Any]:
    whole = searches[0]["ms"]
    filtered = {s["name"]: s["ms"]["statistics"]["p95"] for s in searches[1:]}
    worst = max(filtered.values())
    return {
        "targets_ms": TARGETS_MS,
        "whole_uncached_p95": whole["statistics"]["p95"],
        "whole_uncached_met": whole["statistics"]["p95"] <= TARGETS_MS["whole_uncached_p95"],
        "whole_cached_p95": whole["cached"]["p95"],
        "whole_cached_met": whole["cached"]["p95"] <= TARGETS_MS["whole_cached_p95"],
        "filtered_worst_p95": worst,
        "filtered_met": {name: p95 <= TARGETS_MS["filtered_p95"]
                         for name, p95 in filtered.items()},
    }


# -- report -----------------------------------------------------------------------------------


def _cell(ms: dict[str, float] | None) -> str:
    return f"{ms['p50']} / {ms['p95']}" if ms else "-"


TABLE_HEAD = ("| search | projects | search p50 / p95 ms | statistics p50 / p95 ms "
              "| statistics / search (p50) | index p50 | participations p50 | of which rows p50 "
              "| rest p50 | cached p50 / p95 ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    load = ", ".join(f"{x:.1f}" for x in m.get("load_avg_start", ()))
    title = (f"{report['projects']} projects, {report['runs']} runs per search, code "
             f"{m.get('code')}, {m.get('nproc')} CPUs {m.get('cpu')}, load at start {load}")
    if report["src_changes"]:
        title += f" with uncommitted changes under src/: {'; '.join(report['src_changes'])}"
    lines = [title, "", *TABLE_HEAD]
    for s in report["searches"]:
        ms = s["ms"]
        rows = ms.get("rows")
        lines.append(
            f"| {s['name']} | {s['projects']:,} | {_cell(ms['search'])} | "
            f"{_cell(ms['statistics'])} | {s['ratio_p50']}x | {ms['index']['p50']} | "
            f"{ms['participations']['p50']} | {rows['p50'] if rows else '-'} | "
            f"{ms['rest']['p50']} | {_cell(ms['cached'])} |")
    lines.append("")
    lines.append("searches: " + "; ".join(
        f"{s['name']}: {json.dumps(s['params'], ensure_ascii=False)}"
        for s in report["searches"]))
    v = report["verdicts"]
    lines.append("")
    lines.append(f"targets: whole catalog uncached p95 {v['whole_uncached_p95']} ms "
                 f"(<= 1000: {'met' if v['whole_uncached_met'] else 'missed'}), cached p95 "
                 f"{v['whole_cached_p95']} ms (<= 20: "
                 f"{'met' if v['whole_cached_met'] else 'missed'}), filtered worst p95 "
                 f"{v['filtered_worst_p95']} ms (<= 300: "
                 f"{sum(v['filtered_met'].values())} of {len(v['filtered_met'])} met)")
    lines.append(f"first call of the process (whole catalog, caches cold for the catalog): "
                 f"{report['first_call_ms']} ms; peak RSS {report['peak_rss_mb']} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--runs", type=int, default=10, help="rounds of every search (10)")
    ap.add_argument("--cached-runs", type=int, default=200)
    ap.add_argument("--projects", type=int, help="generate DB with this many when missing")
    ap.add_argument("--mix", default=DEFAULT_MIX, help=f"corpus.py's --mix ({DEFAULT_MIX})")
    ap.add_argument("--source-db", type=Path, help="corpus.py's --source-db")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    changes = src_changes()  # as the modules were imported
    corpus = ensure_corpus(args.db, args)
    report: dict[str, Any] = {"machine": machine(), "src_changes": changes,
                              "corpus": corpus, "runs": args.runs,
                              "cached_runs": args.cached_runs}
    catalog = open_catalog(args.db)
    try:
        report["first_call_ms"], whole = timed(
            lambda: catalog.statistics(SearchQuery.from_params({})))
        report["first_call_ms"] = round(report["first_call_ms"], 1)
        report["projects"] = whole.projects
        searches = choose_searches(args.db, whole)
        measure(catalog, searches, args.runs, args.cached_runs)
    finally:
        catalog.close()
    report["searches"] = searches
    report["verdicts"] = verdicts(searches)
    report["peak_rss_mb"] = peak_rss_mb()
    report["machine"]["load_avg_end"] = list(os.getloadavg())
    out = args.out or args.db.with_suffix(".statistics.json")
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
