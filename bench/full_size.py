"""The catalog at full size: import and index build of N projects shaped like the real mix.

    python bench/full_size.py OUT_DIR --projects 2000000 [--kohesio 0.75]
                              [--mix keep=0.2,cordis=0.4,eac=0.4] [--seed 1]
                              [--source-db REAL_DB] [--no-rebuild] [--profile]
                              [--src SNAPSHOT/src --code LABEL]

OUT_DIR must be new or empty; everything is written there and kept (it is large at full size:
remove it when done). Each step is one child process, measured as the other bench programs
measure (bench/import_keep.py's ``measure``: wall time, CPU time and peak RSS from os.wait4):

0. the real store: the real keep.eu, CORDIS and EAC files imported by the CLI (or
   --source-db): the templates of what is generated; not part of the figures.
1. generate: ``bench/kohesio_corpus.py`` writes the Kohesio part (``--kohesio`` share of N,
   default 75 %) as country CSV files of both periods with beneficiaries.csv and nuts.csv beside
   them. Not part of the import.
2. **import kohesio** (through the importer): ``euprojects --db OUT_DIR/catalog.db import
   kohesio FILES --json`` into a fresh store: reading, checking, the store, the organisation
   links, and the first index build (the import builds the whole index on a fresh store).
3. **store API write** (not through an importer): ``bench/corpus.py OUT_DIR/catalog.db --into
   --no-index --mix ...`` writes the rest of N, keep.eu, CORDIS and EAC projects recombined
   from the real records, through SqliteStore.writer (the store and the organisation links an
   import does, without reading any file).
4. **index catch-up**: ``euprojects index`` applies those projects to the index (an update:
   they are fewer than the index holds).
5. **re-import of one unchanged country file** (the largest): ``euprojects import kohesio
   FILE``; it must say "Nothing changed".
6. **full rebuild** (unless --no-rebuild): ``euprojects index --rebuild``: the index of all N
   built in one go, what a new index format costs.

Then the sizes on disk (the database, its -wal file apart; the index's current generation), the
peak RSS of every step, the load average around each (the machine may be shared) and the aim:
import plus index build of N (steps 2 + 3 + 4) within 20 minutes, every step's peak RSS under
2 GiB. --profile runs step 2 under cProfile (OUT_DIR/import_kohesio.prof; the 30 costliest
functions by own time in the JSON): its timings then include the profiler's overhead.
``--src DIR`` runs the euprojects package of DIR in every child (PYTHONPATH; the CLI as
``python -m euprojects``): measure a ``git archive`` copy of a commit while others edit the
working tree, and name it with ``--code``.

Prints the JSON (also written to OUT_DIR/result.json) on standard output and a short summary on
standard error, with progress.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REAL_FILES, build_real_store, parse_mix  # noqa: E402
from import_keep import (  # noqa: E402  (the shared measuring helpers)
    CHILD_ENV,
    REPO,
    Run,
    code_version,
    euprojects_command,
    machine,
    measure,
    shared_data,
)

BENCH = Path(__file__).resolve().parent
AIM_SECONDS = 20 * 60
AIM_RSS_MIB = 2048


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def index_size(db: Path) -> int:
    """The bytes of the index's current generation (older ones are kept beside it)."""
    index = db.with_suffix(".index")
    current = (index / "CURRENT").read_text().strip()
    return dir_size(index / current)


def step(name: str, argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[Run, dict[str, Any]]:
    log(f"{name}: {' '.join(argv[:6])}{' ...' if len(argv) > 6 else ''}")
    load = os.getloadavg()[0]
    run = measure(argv, cwd, env)
    figures = {"wall_s": round(run.wall, 1), "cpu_s": round(run.cpu, 1),
               "peak_rss_mib": round(run.rss_kib / 1024), "load_start": round(load, 2),
               "load_end": round(os.getloadavg()[0], 2)}
    log(f"{name}: {figures['wall_s']} s, CPU {figures['cpu_s']} s, peak RSS "
        f"{figures['peak_rss_mib']} MiB")
    return run, figures


def profile_summary(path: Path, top: int = 30) -> str:
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return "\n".join(lines).replace(str(REPO) + "/", "")


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out_dir.absolute()
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    env = {**CHILD_ENV, "EUPROJECTS_SHARED_DATA": str(shared_data().absolute())}
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.absolute())
        cli = [sys.executable, "-m", "euprojects"]
    else:
        cli = [euprojects_command(args.euprojects)]
    kohesio = round(args.projects * args.kohesio)
    others = args.projects - kohesio
    db, files_dir = out / "catalog.db", out / "kohesio"
    result: dict[str, Any] = {
        "machine": machine(), "code": args.code or code_version(), "projects": args.projects,
        "kohesio_operations": kohesio, "store_api_projects": others, "mix": args.mix,
        "seed": args.seed, "out_dir": str(out), "steps": {},
    }
    steps = result["steps"]
    started = time.perf_counter()

    source_db = args.source_db
    if source_db is None:
        log("real store: the real keep.eu, CORDIS and EAC files")
        source_db = build_real_store(out, tuple(REAL_FILES))
    done, steps["generate_kohesio_files"] = step("generate Kohesio files", [
        sys.executable, str(BENCH / "kohesio_corpus.py"), str(files_dir), "--operations",
        str(kohesio), "--seed", str(args.seed), "--source-db", str(source_db)], out, env)
    generated = json.loads(done.stdout)
    files = sorted(files_dir.glob("*-pp*.csv"))
    steps["generate_kohesio_files"].update(
        files=len(files), beneficiaries=generated["beneficiaries"],
        bytes=generated["bytes"])

    argv = [*cli, "--db", str(db), "import", "kohesio", *map(str, files), "--json"]
    if args.profile:
        argv = [sys.executable, "-m", "cProfile", "-o", str(out / "import_kohesio.prof"),
                "-m", "euprojects", *argv[len(cli):]]
    done, steps["import_kohesio"] = step("import kohesio (the CLI)", argv, out, env)
    report = json.loads(done.stdout)
    steps["import_kohesio"].update(
        projects=report["projects"], participations_created=report["participations"]["created"],
        organisations=report["organisations"], index=report["index"])
    steps["import_kohesio"].update(database_mb=round(db.stat().st_size / 1e6, 1),
                                   database_wal_mb=round(wal_size(db) / 1e6, 1))
    if args.profile:
        result["profile_import_kohesio"] = profile_summary(out / "import_kohesio.prof")

    if others:
        done, steps["store_api_write"] = step("store API write (bench/corpus.py --into)", [
            sys.executable, str(BENCH / "corpus.py"), str(db), "--projects", str(others),
            "--mix", args.mix, "--seed", str(args.seed), "--source-db", str(source_db),
            "--into", "--no-index"], out, env)
        steps["store_api_write"]["sources"] = json.loads(done.stdout)["sources"]
        done, steps["index_catch_up"] = step("index catch-up (euprojects index)",
                                             [*cli, "--db", str(db), "index", "--json"],
                                             out, env)
        steps["index_catch_up"]["state"] = json.loads(done.stdout)

    largest = max(files, key=lambda f: f.stat().st_size)
    done, steps["reimport_one_file"] = step(
        f"re-import {largest.name}", [*cli, "--db", str(db), "import", "kohesio",
                                      str(largest)], out, env)
    steps["reimport_one_file"].update(
        file=largest.name, rows=next(f["rows"] for f in generated["files"]
                                     if f["file"] == largest.name),
        nothing_changed="Nothing changed" in done.stdout,
        last_line=done.stdout.strip().splitlines()[-1])

    result["sizes_mb"] = {"kohesio_files": round(generated["bytes"] / 1e6, 1),
                          "database": round(db.stat().st_size / 1e6, 1),
                          "database_wal": round(wal_size(db) / 1e6, 1),
                          "index": round(index_size(db) / 1e6, 1)}
    if not args.no_rebuild:
        done, steps["rebuild"] = step("full rebuild (euprojects index --rebuild)",
                                      [*cli, "--db", str(db), "index", "--rebuild"],
                                      out, env)
        steps["rebuild"]["output"] = done.stdout.strip()
        result["sizes_mb"]["index_after_rebuild"] = round(index_size(db) / 1e6, 1)

    load = [s["wall_s"] for name, s in steps.items()
            if name in ("import_kohesio", "store_api_write", "index_catch_up")]
    peak = max(s["peak_rss_mib"] for name, s in steps.items() if name != "generate_kohesio_files")
    result["aim"] = {
        "import_and_index_s": round(sum(load), 1), "limit_s": AIM_SECONDS,
        "time_met": sum(load) <= AIM_SECONDS,
        "peak_rss_mib": peak, "limit_mib": AIM_RSS_MIB, "memory_met": peak < AIM_RSS_MIB,
    }
    result["total_s"] = round(time.perf_counter() - started, 1)
    return result


def wal_size(db: Path) -> int:
    """The bytes of the database's -wal file (SQLite keeps its size after a checkpoint)."""
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


def summary(result: dict[str, Any]) -> str:
    s, aim = result["steps"], result["aim"]
    lines = [f"{result['projects']:,} projects: {result['kohesio_operations']:,} Kohesio "
             f"operations through `euprojects import kohesio`, {result['store_api_projects']:,} "
             f"keep.eu/CORDIS/EAC projects through the store API ({result['mix']})"]
    for name, label in (("generate_kohesio_files", "generate the Kohesio files (not timed "
                         "against the aim)"),
                        ("import_kohesio", "import kohesio + first index build"),
                        ("store_api_write", "store API write"),
                        ("index_catch_up", "index catch-up"),
                        ("reimport_one_file", "re-import of one unchanged file"),
                        ("rebuild", "full index rebuild")):
        if name in s:
            lines.append(f"  {label}: {s[name]['wall_s']:,} s (CPU {s[name]['cpu_s']:,} s), "
                         f"peak RSS {s[name]['peak_rss_mib']:,} MiB, load "
                         f"{s[name]['load_start']} -> {s[name]['load_end']}")
    sizes = result["sizes_mb"]
    lines.append(f"  sizes: Kohesio files {sizes['kohesio_files']:,} MB, database "
                 f"{sizes['database']:,} MB (and its -wal file {sizes['database_wal']:,} MB), "
                 f"index {sizes['index']:,} MB")
    lines.append(f"  aim: import + index {aim['import_and_index_s']:,} s of "
                 f"{aim['limit_s']:,} ({'met' if aim['time_met'] else 'MISSED'}); peak RSS "
                 f"{aim['peak_rss_mib']:,} MiB of {aim['limit_mib']:,} "
                 f"({'met' if aim['memory_met'] else 'MISSED'})")
    if "reimport_one_file" in s and not s["reimport_one_file"]["nothing_changed"]:
        lines.append("  the re-import CHANGED the store")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--projects", type=int, default=2_000_000)
    ap.add_argument("--kohesio", type=float, default=0.75, help="Kohesio's share (0.75)")
    ap.add_argument("--mix", default="keep=0.2,cordis=0.4,eac=0.4",
                    help="the shares of the rest (keep=0.2,cordis=0.4,eac=0.4)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source-db", type=Path, help="a store of the real keep.eu, CORDIS and "
                    "EAC files (else built in OUT_DIR)")
    ap.add_argument("--no-rebuild", action="store_true", help="skip the full rebuild")
    ap.add_argument("--profile", action="store_true", help="the import under cProfile")
    ap.add_argument("--euprojects", default=None, help="the euprojects command to time")
    ap.add_argument("--src", type=Path, help="run the euprojects package of this folder")
    ap.add_argument("--code", help="label of the code measured (default: this checkout's)")
    args = ap.parse_args(argv)
    try:
        parse_mix(args.mix)
    except ValueError as exc:
        ap.error(f"--mix: {exc}")
    if not 0 < args.kohesio <= 1:
        ap.error("--kohesio: a share above 0, at most 1")
    result = run(args)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    (args.out_dir / "result.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(summary(result), file=sys.stderr)
    return 0 if result["steps"]["reimport_one_file"]["nothing_changed"] else 1


if __name__ == "__main__":
    sys.exit(main())
