"""Every program of bench/ run once at its smallest sizes, each as a user runs it (``python
bench/PROGRAM.py ...`` in a child process, the shared data folder in its environment and no
other ``EUPROJECTS_*`` variable), each checked on what it prints or writes: the counts it
reports and the keys of its JSON. A benchmark that no longer follows the code fails here
instead of on the day someone measures with it.

The real store a program reads is a file copy of a session catalog of conftest (so that no
real file is imported once more for it); every file they write goes to the test's tmp_path.
All of them read whole real files: marked slow (``-m "not slow"`` leaves them out).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, TODAY, Built, copy_catalog, shared_data_dir

pytestmark = pytest.mark.slow

BENCH = ROOT / "bench"
CLASSES = ("1-word", "2-words", "3-words", "phrase", "typo", "words+filters", "filters-only")


def bench(program: str, *args: str | Path, cwd: Path, timeout: float = 300) -> str:
    """``python bench/PROGRAM ARGS`` in ``cwd``; fails the test on a non-zero exit, else
    returns what it printed on standard output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    env["EUPROJECTS_SHARED_DATA"] = str(shared_data_dir())
    done = subprocess.run([sys.executable, str(BENCH / program), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{program} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


def last_json(stdout: str) -> Any:
    """The JSON document a program printed last (after any progress lines)."""
    start = stdout.index("{") if stdout.lstrip().startswith("{") else stdout.rindex("\n{") + 1
    return json.loads(stdout[start:])


def test_corpus_then_search_and_web_benchmarks(tmp_path: Path, keep_import: Built) -> None:
    """bench/corpus.py at 2 000 projects (scripts/bench-search's first step), then one pass
    of bench/search_bench.py and of bench/web_bench.py on that corpus."""
    real = copy_catalog(keep_import, tmp_path / "real", "real")
    db = tmp_path / "corpus-2000.db"
    built = last_json(bench("corpus.py", db, "--projects", "2000", "--source-db", real,
                            cwd=tmp_path))
    real_projects = keep_import.reports["keep"]["projects"]["created"]
    assert built["projects"] == 2000
    assert built["real_projects"] == real_projects
    assert built["indexed"] == 2000
    assert {"generate_s", "db_size_mb", "index_build_s", "index_build_peak_rss_mb",
            "index_size_mb"} <= built.keys()
    assert json.loads(Path(f"{db}.build.json").read_text()) == built
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 2000
        assert con.execute("SELECT COUNT(*) FROM projects WHERE id LIKE 'keep:gen%'"
                           ).fetchone()[0] == 2000 - real_projects
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        # every generated project has 2-12 partners, each an organisation record of the store
        low, high = con.execute(
            "SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM participations "
            "WHERE project_id LIKE 'keep:gen%' GROUP BY project_id)").fetchone()
        assert 2 <= low <= high <= 12
    finally:
        con.close()

    bench("search_bench.py", db, "--queries", "7", "--threads", "1", "--baseline-threads", "1",
          "--warmup", "0", "--engines", "euprojects,fts5,like,floor", "--like-queries", "7",
          "--no-eval", cwd=tmp_path)
    report = json.loads((tmp_path / "corpus-2000.search.json").read_text())
    assert [q["cls"] for q in report["queries"]] == list(CLASSES)
    assert report["corpus"] == built
    engines = report["engines"]
    assert set(engines) == {"euprojects", "sqlite-fts5", "sqlite-like", "tantivy-floor"}
    euprojects = engines["euprojects"]
    assert set(euprojects["classes"]) == {*CLASSES, "all"}
    assert euprojects["classes"]["all"]["n"] == 7
    assert euprojects["threads_1"]["qps"] > 0
    assert set(euprojects["breakdown"]["ms_per_query"]) == set(CLASSES)
    # each part is timed where the code does it now: the facet counts are not lost in the rest
    assert all(part["facet counts (FacetCounter.count)"] > 0
               for part in euprojects["breakdown"]["ms_per_query"].values())
    assert all(isinstance(t, int) for t in euprojects["totals"])
    assert engines["sqlite-fts5"]["threads_1"]["failed"] == 0
    # the floor: the product's own index, no failure, and without words the same matches
    floor = engines["tantivy-floor"]
    assert floor["threads_1"]["failed"] == 0 and floor["build"]["docs"] == 2000
    only_filters = [n for n, q in enumerate(report["queries"]) if q["cls"] == "filters-only"]
    assert [floor["totals"][n] for n in only_filters] == [
        euprojects["totals"][n] for n in only_filters]

    # the same mix in every process, whatever the order of its sets (hash seeds differ)
    draw = ("import sys, json; sys.path.insert(0, sys.argv[1]); from search_bench import "
            "make_queries; from pathlib import Path; "
            "print(json.dumps(make_queries(Path(sys.argv[2]), 70, 1)))")
    mixes = {subprocess.run([sys.executable, "-c", draw, str(BENCH), str(db)], check=True,
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}).stdout
             for seed in ("1", "2", "3")}
    assert len(mixes) == 1 and len(json.loads(mixes.pop())) == 70

    printed = bench("web_bench.py", db, "--queries", "7", "--clients", "3", "--seconds", "1",
                    "--load-workers", "2", cwd=tmp_path)
    web = json.loads(db.with_suffix(".web.json").read_text())
    assert web["projects"] == 2000
    assert web["queries"] == 7
    assert web["api"]["failed"] == web["page"]["failed"] == 0
    assert set(web["in_process"]["classes"]) == {*CLASSES, "all"}
    assert "failed requests: API 0, page 0" in printed
    # the load phase: two worker processes under three clients, each process's memory
    load = web["load"]["euprojects"]
    assert load["workers"] == 2 and load["clients"] == 3 and load["failed"] == 0
    assert load["requests"] > 3 and load["latency_ms"]["p50"] > 0
    assert len(load["memory"]) >= 3 and all(m["pss_mb"] > 0 for m in load["memory"])
    assert "load, euprojects (2 worker processes): 3 clients" in printed



def test_the_baselines_count_every_facet_of_the_product_as_it_does(combined_catalog) -> None:
    """What every baseline indexes (bench/engines export_docs): each project shown, with the
    values of all 17 facets of the product, counted as the product counts them."""
    sys.path.insert(0, str(BENCH))
    try:
        from engines import FACETS, MULTI, export_docs
    finally:
        sys.path.remove(str(BENCH))
    from euprojects.catalog import FACETS as PRODUCT_FACETS
    from euprojects.catalog import SearchQuery

    docs = list(export_docs(combined_catalog.settings.db, TODAY))
    assert set(FACETS) == set(PRODUCT_FACETS) and len(FACETS) == 17
    result = combined_catalog.search(SearchQuery.from_params({"size": "1"}))
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    assert len(docs) == result.total
    for name in FACETS:
        counted = Counter(v for d in docs for v in d.facets.get(name, []))
        assert {v.value: v.count for v in result.facets[name]} == dict(counted), name
        if name not in MULTI:
            assert all(len(d.facets.get(name, [])) <= 1 for d in docs), name

def test_links_bench(tmp_path: Path) -> None:
    """More records than the real keep.eu organisations, so that variants are made and some
    link; builds the real store itself, as it always does."""
    result = last_json(bench("links_bench.py", "--records", "8000", "--runs", "1", "--json",
                             cwd=tmp_path))
    assert result["records"] == 8000
    assert set(result["cases"]) == {"with links", "without links (baseline)"}
    assert result["records_linked"] > 0
    assert result["ratio"] > 0


def test_kohesio_import_bench(tmp_path: Path) -> None:
    result = last_json(bench("kohesio_import.py", "--rows", "2000", "--runs", "1", "--json",
                             cwd=tmp_path))
    cases = {r["case"]: r for r in result["results"]}
    assert set(cases) == {"parse (csv), 2000 rows", "import kohesio, 2000 rows"}
    imported = cases["import kohesio, 2000 rows"]
    assert imported["rows"] == 2000
    assert imported["database_mb"] > 0 and imported["index_mb"] > 0
    assert imported["peak_rss_mib"] > 0


def test_make_big_keep_and_import_keep(tmp_path: Path, keep_small: Path) -> None:
    """scripts/bench's two steps on the real export cut to 600 projects (conftest's
    keep_small): a copy twice as large, then one run of every case."""
    big = tmp_path / "keep_x2.xlsx"
    bench("make_big_keep.py", big, "--factor", "2", "--source", keep_small, cwd=tmp_path)
    result = last_json(bench("import_keep.py", "--runs", "1", "--real", keep_small,
                             "--big", big, "--baseline", "calamine", "--json", cwd=tmp_path))
    cases = {c["case"]: c for c in result["cases"]}
    assert set(cases) == {"read 1x (calamine)", "import 1x", "re-import 1x",
                          "read 10x (calamine)", "import 10x"}
    created = int(cases["import 1x"]["result"].split()[1])
    assert created > 0
    assert cases["import 10x"]["result"] == f"projects {2 * created} created, 0 updated, 0 unchanged"
    assert cases["re-import 1x"]["result"] == f"projects 0 created, 0 updated, {created} unchanged"
    real_rows, big_rows = (f["rows"]["Projects (lead partners)"]
                           for f in result["files"].values())
    assert big_rows == 2 * real_rows


def test_import_sources_bench(tmp_path: Path, cordis_zip: Path, eac_xls: Path) -> None:
    result = last_json(bench("import_sources.py", "--runs", "1", "--json", cwd=tmp_path))
    cases = {c["case"]: c for c in result["cases"]}
    assert set(cases) == {"parse CORDIS zip (lxml)", "import cordis", "import keep + cordis",
                          "import eac"}
    assert cases["parse CORDIS zip (lxml)"]["last_line"] == "1894 members parsed"
    assert cases["import eac"]["last_line"].startswith("search index: up to date")
    assert all(c["median_s"] > 0 for c in cases.values())


def test_answers(tmp_path: Path, keep_file: Path, cordis_zip: Path, eac_xls: Path) -> None:
    out = tmp_path / "answers"
    bench("answers.py", out, cwd=tmp_path)
    responses = json.loads((out / "00-responses.json").read_text())
    assert len(responses) == 24
    statuses = {name: r["status"] for name, r in responses.items()}
    assert statuses.pop("20-error-size.json") == 400
    assert set(statuses.values()) == {200}
    assert json.loads((out / "02-search-plain.json").read_text())["meta"]["total"] > 0


@pytest.mark.parametrize("maintenance", [
    pytest.param(False, id="load-alone"),
    # the re-import and the rebuilds take 3 to 20 s each on a shared 2-core machine: they need
    # a longer load than a quick test gives them, or the soak reports steps left out
    pytest.param(True, id="with-maintenance", marks=pytest.mark.long),
])
def test_soak(tmp_path: Path, combined_built: Built, maintenance: bool) -> None:
    """Load on a copy of the combined catalog (the program copies it): a few seconds of it
    alone, or (in the long lane) 90 s with the maintenance steps (a CORDIS re-import, two
    rebuilds)."""
    args = ["--seconds", "90"] if maintenance else ["--seconds", "5", "--no-maintenance"]
    report = last_json(bench("soak.py", "--db", combined_built.db, *args, "--workers", "1",
                             "--clients", "4", "--json", cwd=tmp_path))
    assert report["ok"] is True
    (run,) = report["runs"]
    assert run["answered"] > 0 and run["errors"] == 0 and run["wrong_results"] == 0
    assert run["checked_results"] > 0
    steps = ["reimport", "rebuild-1", "rebuild-2"] if maintenance else []
    assert [s["step"] for s in run["maintenance"]] == steps
    assert report["source_counts"] == report["source_counts_after"]
    assert report["source_counts"]["cordis"] == combined_built.reports["cordis"]["projects"][
        "created"]


def test_full_size(tmp_path: Path, combined_built: Built) -> None:
    """bench/full_size.py at 8 000 projects: the Kohesio files generated (both layouts, the
    beneficiaries and NUTS exports beside them) and imported through the CLI, the rest written
    through the store API by bench/corpus.py (keep.eu, CORDIS and EAC), the index caught up,
    one unchanged file re-imported, the index rebuilt."""
    real = copy_catalog(combined_built, tmp_path / "real", "real")
    out = tmp_path / "full"
    printed = bench("full_size.py", out, "--projects", "8000", "--source-db", real,
                    cwd=tmp_path)
    result = json.loads(printed)
    assert json.loads((out / "result.json").read_text()) == result
    assert (result["kohesio_operations"], result["store_api_projects"]) == (6000, 2000)
    steps = result["steps"]
    assert set(steps) == {"generate_kohesio_files", "import_kohesio", "store_api_write",
                          "index_catch_up", "reimport_one_file", "rebuild"}
    for figures in steps.values():
        assert figures["wall_s"] >= 0 and figures["peak_rss_mib"] > 0
    files = sorted(p.name for p in (out / "kohesio").glob("*.csv"))
    assert "beneficiaries.csv" in files and "nuts.csv" in files
    assert {"PL-pp14-20-20260924.csv", "PL-pp21-27-20260924.csv"} <= set(files)
    assert steps["generate_kohesio_files"]["files"] == len(files) - 2
    imported = steps["import_kohesio"]
    assert imported["projects"] == {"created": 6000, "updated": 0, "unchanged": 0}
    assert imported["index"]["applied"] == 6000 and imported["index"]["error"] is None
    written = steps["store_api_write"]["sources"]
    assert {s: v["projects"] for s, v in written.items()} == {"keep": 400, "cordis": 800,
                                                              "eac": 800}
    assert written["eac"]["real_projects"] < 800  # generated ones too
    assert steps["index_catch_up"]["state"]["index"]["projects"] == 8000
    assert steps["reimport_one_file"]["nothing_changed"] is True
    assert steps["rebuild"]["output"].startswith("index rebuilt: 8000 projects")
    assert result["sizes_mb"]["database"] > 0 and result["sizes_mb"]["index"] > 0
    assert set(result["aim"]) == {"import_and_index_s", "limit_s", "time_met", "peak_rss_mib",
                                  "limit_mib", "memory_met"}
    con = sqlite3.connect(out / "catalog.db")
    try:
        counts = dict(con.execute("SELECT source, COUNT(*) FROM projects GROUP BY source"))
        assert counts == {"kohesio": 6000, "keep": 400, "cordis": 800, "eac": 800}
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        periods = dict(con.execute("SELECT period, COUNT(*) FROM projects "
                                   "WHERE source = 'kohesio' GROUP BY period"))
        assert set(periods) == {"2014-2020", "2021-2027"}
    finally:
        con.close()


def test_statistics_bench(tmp_path: Path, combined_built: Built) -> None:
    """bench/statistics_bench.py at 2 000 projects of keep.eu, CORDIS and EAC: the corpus
    generated by bench/corpus.py (the program's own first step when the store is missing),
    then one round of every search: the plain search, the statistics uncached with their
    parts, and cached."""
    real = copy_catalog(combined_built, tmp_path / "real", "real")
    db = tmp_path / "corpus-2000.db"
    printed = bench("statistics_bench.py", db, "--projects", "2000", "--source-db", real,
                    "--runs", "1", "--cached-runs", "2", cwd=tmp_path)
    report = json.loads(db.with_suffix(".statistics.json").read_text())
    assert report["projects"] == report["corpus"]["projects"] == 2000
    assert set(report["corpus"]["sources"]) == {"keep", "cordis", "eac"}
    searches = {s["name"]: s for s in report["searches"]}
    assert list(searches) == ["whole catalog", "country, large", "country, small", "source",
                              "country + start 2016-2018", "common word", "rare word",
                              "facet combination"]
    assert searches["whole catalog"]["params"] == {}
    assert searches["whole catalog"]["projects"] == 2000
    for name, s in searches.items():
        assert s["statistics_projects"] == s["projects"], name  # the search and the index agree
        parts = {"search", "statistics", "index", "participations", "rest", "cached"}
        # the index gives the rows of a search with words; the columns those of filters alone
        assert set(s["ms"]) == ({*parts, "rows"} if "word" in name else parts), name
        assert all(figures["n"] == 1 for k, figures in s["ms"].items() if k != "cached")
        assert s["ms"]["cached"]["n"] == 2 and s["ms"]["statistics"]["p50"] > 0
    assert 0 < searches["country, small"]["projects"] < searches["country, large"]["projects"]
    assert set(report["verdicts"]["filtered_met"]) == set(searches) - {"whole catalog"}
    assert "| whole catalog | 2,000 |" in printed


def test_org_search_bench(tmp_path: Path, combined_built: Built) -> None:
    """bench/org_search_bench.py at 3 000 organisations recombined from the combined
    catalog's real ones: the columns and the organisation index built through the project's
    code in a child process, then one round of every query class with every facet counted and
    without facets, each checked against what it should find."""
    real = copy_catalog(combined_built, tmp_path / "real", "real")
    folder = tmp_path / "orgs-3000"
    queries = 4
    printed = bench("org_search_bench.py", folder, "--organisations", "3000", "--runs", "1",
                    "--queries", str(queries), "--breakdown", "1", "--source-db", real,
                    cwd=tmp_path)
    report = json.loads((folder / "report.json").read_text())
    classes = ("empty", "exact-name", "acronym", "common-word", "typo", "prefix", "country",
               "country+nuts2+type+words", "sort-received", "page-5")
    built = report["build"]
    assert built["organisations"] == report["documents"] == 3000 and not built["reused"]
    assert built["participations"] == 9000 and built["projects"] > 0
    assert built["build_peak_rss_mib"] > 0 and built["index_size_mib"] > 0
    assert set(built["phases"]) == {"columns_s", "figures_s", "write_organisations_s"}
    assert list(report["classes"]) == [*classes, "all"]
    for cls, row in report["classes"].items():
        n = queries * (len(classes) if cls == "all" else 1)
        assert row["facets"]["n"] == row["baseline"]["n"] == n, cls
        assert row["facets"]["p50"] > 0 and row["baseline"]["p50"] > 0, cls
        assert {"p50", "p95", "p99"} <= row["facets"].keys() and "p95_met" in row, cls
    checks = report["checks"]
    assert list(checks) == list(classes)
    for cls, row in checks.items():
        # each query ran, gave the baseline's total and hits, and found what it should: the
        # exact name an organisation of that name first, the acronym one of that acronym, the
        # country filters organisations of that country, sorted by amount sorted...
        assert row["queries"] == row["ok"] == row["same_as_baseline"] == queries, (cls, row)
        assert all(q["facets_counted"] == 11 for q in report["queries"] if q["class"] == cls)
    assert checks["empty"]["median_total"] == 3000
    assert checks["exact-name"]["target_first"] >= queries - 1
    for cls in ("typo", "prefix", "country+nuts2+type+words"):
        assert checks[cls]["target_found"] >= queries - 1, cls
    assert set(report["facet_breakdown_ms"]) == set(classes)
    assert "| exact-name |" in printed and "| all |" in printed


def test_semantic_bench(tmp_path: Path, combined_built: Built) -> None:
    """bench/semantic_bench.py once, on a copy of the three-source catalog with 40 projects
    embedded first (--embed-limit: embedding all 3 800 takes minutes)."""
    db = copy_catalog(combined_built, tmp_path, "semantic")
    printed = bench("semantic_bench.py", db, "--runs", "1", "--embed-sample", "8",
                    "--embed-limit", "40", cwd=tmp_path)
    report = json.loads(db.with_suffix(".semantic.json").read_text())
    assert report["embedded_first"]["projects"] == 40
    assert report["vector_index"]["vectors"] == 40
    assert report["queries"] >= 99 and report["projects"] > 3700
    assert set(report["ms"]) == {"lexical", "hybrid, first", "hybrid", "query embedding",
                                 "similar"}
    assert report["ms"]["lexical"]["n"] == report["queries"]
    assert report["throughput"]["texts"] == 8 and report["throughput"]["texts_per_s"] > 0
    assert "| hybrid |" in printed
    # a corpus without vectors, given synthetic ones made of the first's real vectors, and a
    # vector index with its graph whatever its size
    big = copy_catalog(combined_built, tmp_path, "synthetic")
    printed = bench("semantic_bench.py", big, "--runs", "1", "--embed-sample", "8",
                    "--vectors-from", db, "--graph-min", "1", cwd=tmp_path)
    report = json.loads(big.with_suffix(".semantic.json").read_text())
    assert "embedded_first" not in report
    assert report["synthetic_vectors"]["real_vectors"] == 40
    assert report["synthetic_vectors"]["synthetic"] == report["projects"]
    assert report["vector_index"]["graph"] is True
    assert report["vector_index"]["vectors"] == report["projects"]
    recall = report["vector_recall"]
    assert recall["queries"] == report["queries"] + 40
    assert recall["vectors"] == report["projects"]
    for k in (10, 50, 100):
        assert 0.8 <= recall[f"codes k={k}"]["recall"] <= 1.0
        assert 0.5 <= recall[f"graph k={k}"]["recall"] <= 1.0
        assert recall[f"graph k={k}"]["graph_ms"]["n"] == recall["queries"]
    assert "graph k=10: recall" in printed and "int8 codes k=10: recall" in printed
