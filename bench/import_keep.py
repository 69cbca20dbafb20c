"""Time `euprojects import keep-eu FILE` end to end, against read-only baselines.

    python bench/import_keep.py [--runs 5] [--real FILE] [--big FILE]
                                [--baseline calamine,openpyxl] [--json]

Every measurement is one fresh child process, timed from spawn to exit (wall time) and measured
with os.wait4(), which returns that one child's own rusage: CPU time (user + sys) and peak RSS
(ru_maxrss). The cases, interleaved run by run so that machine noise hits them alike:

* read 1x (calamine)   python_calamine reads both sheets of the real file into Python lists
* read 1x (openpyxl)   openpyxl (read-only mode) streams every row of both sheets, keeps none
* import 1x            the real file into a fresh temporary database (--db)
* re-import 1x         the real file again into a database that already holds it
                       (the "nothing changed" path)
* read 10x (...)       as above, on the big file
* import 10x           the big file (bench/make_big_keep.py --factor 10) into a fresh database

The read-only cases do no processing at all; "import / read" is the import's median wall time
over the read's median on the same file. The real file defaults to keep/keep_closed_1420.xlsx
under the shared data folder (env EUPROJECTS_SHARED_DATA, default ../shared/data relative to the
repo root), the big one to bench/out/keep_closed_1420_x10.xlsx. Prints a Markdown table (JSON
with --json); progress goes to stderr. p95 is nearest-rank: with fewer than 20 runs it is the
slowest run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHEETS = ("Projects (lead partners)", "Partners")

# Read-only baselines: argv[1] is the file, the rest are the sheet names.
READERS = {
    "calamine": """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
sheets = [book.get_sheet_by_name(name).to_python() for name in sys.argv[2:]]
print(sum(len(rows) - 1 for rows in sheets), "data rows")
""",
    "openpyxl": """
import sys, warnings
import openpyxl
warnings.simplefilter("ignore")
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True, keep_links=False)
n = sum(1 for name in sys.argv[2:] for _ in book[name].iter_rows(min_row=2, values_only=True))
print(n, "data rows")
""",
}


def shared_data() -> Path:
    raw = os.environ.get("EUPROJECTS_SHARED_DATA")
    return Path(raw) if raw else (REPO / ".." / "shared" / "data")


def shown(path: Path) -> str:
    """A path as seen from the repo root (relative when possible)."""
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_kib: int
    stdout: str


@dataclass
class Case:
    name: str
    file: Path
    kind: str  # "read", "import", "reimport"
    reader: str | None = None
    runs: list[Run] = field(default_factory=list)
    result: str = ""

    def walls(self) -> list[float]:
        return sorted(r.wall for r in self.runs)

    def median(self) -> float:
        return statistics.median(self.walls())

    def p95(self) -> float:
        walls = self.walls()
        return walls[max(0, math.ceil(0.95 * len(walls)) - 1)]

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    def rss_mib(self) -> float:
        return max(r.rss_kib for r in self.runs) / 1024


# The children run with the settings' defaults: no EUPROJECTS_* variable (a user's
# EUPROJECTS_INDEX_DIR, say) may send a benchmark's writes outside its temporary folder.
CHILD_ENV = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run argv once as a child; its wall time, CPU time and peak RSS (from wait4). ``env``:
    the child's environment (default CHILD_ENV)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=CHILD_ENV if env is None else env, stdout=out, stderr=err,
            stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{stderr}{stdout}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stdout)


def remove_store(db: Path) -> None:
    """Delete a database and what lives beside it (-wal, -shm, the .index folder)."""
    for path in db.parent.glob(db.stem + ".*"):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def counts_line(stdout: str) -> str:
    m = re.search(r"^projects: (\d+) created, (\d+) updated, (\d+) unchanged", stdout, re.M)
    if m:
        return f"projects {m[1]} created, {m[2]} updated, {m[3]} unchanged"
    return stdout.strip().splitlines()[-1] if stdout.strip() else ""


def data_rows(path: Path) -> dict[str, int]:
    """Non-empty data rows per sheet (header not counted)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return {}
    book = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in SHEETS:
        rows = book.get_sheet_by_name(name).to_python()
        out[name] = sum(1 for r in rows[1:] if any(v not in (None, "") for v in r))
    return out


def machine() -> dict[str, Any]:
    def first(path: str, key: str, sep: str = ":") -> str | None:
        try:
            for line in Path(path).read_text().splitlines():
                name, _, value = line.partition(sep)
                if name.strip() == key:
                    return value.strip().strip('"')
        except OSError:
            pass
        return None

    mem = first("/proc/meminfo", "MemTotal")
    os_name = first("/etc/os-release", "PRETTY_NAME", "=")
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "cpu": first("/proc/cpuinfo", "model name"),
        "ram_gib": round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None,
        "python": platform.python_version(),
        "os": f"{os_name or platform.system()} (kernel {platform.release()})",
    }


def code_version() -> str:
    """The commit measured, and a fingerprint of uncommitted changes to the code, if any."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    head = (git("rev-parse", "--short", "HEAD") or "").strip()
    if not head:
        return "unknown (not a git checkout)"
    paths = ("--", "src", "pyproject.toml")
    diff = (git("diff", "HEAD", *paths) or "") + (
        git("ls-files", "--others", "--exclude-standard", *paths) or ""
    )
    if not diff:
        return head
    fingerprint = hashlib.sha1(diff.encode()).hexdigest()[:8]
    return f"{head} + uncommitted changes in src/ (diff {fingerprint})"


def euprojects_command(given: str | None) -> str:
    if given:
        return given
    beside = Path(sys.executable).parent / "euprojects"
    if beside.exists():
        return str(beside)
    found = shutil.which("euprojects")
    if not found:
        raise SystemExit("no euprojects command: install the project (pip install -e .)")
    return found


def bench(
    real: Path, big: Path, runs: int, command: str, readers: list[str], label: str | None = None
) -> dict[str, Any]:
    cases: list[Case] = []
    for size, path in (("1x", real), ("10x", big)):
        cases += [Case(f"read {size} ({r})", path, "read", r) for r in readers]
        cases.append(Case(f"import {size}", path, "import"))
        if size == "1x":
            cases.append(Case("re-import 1x", path, "reimport"))
    code = label or code_version()
    with tempfile.TemporaryDirectory(prefix="euprojects-bench-") as tmp:
        work = Path(tmp)
        loaded = work / "loaded.db"  # holds the real file already, for the re-imports
        measure([command, "--db", str(loaded), "import", "keep-eu", str(real)], work)
        for i in range(runs):
            for case in cases:
                fresh = work / f"fresh-{i}.db"
                if case.kind == "read":
                    script = READERS[case.reader or ""]
                    argv = [sys.executable, "-c", script, str(case.file), *SHEETS]
                else:
                    db = loaded if case.kind == "reimport" else fresh
                    argv = [command, "--db", str(db), "import", "keep-eu", str(case.file)]
                run = measure(argv, work)
                if case.kind == "reimport" and "Nothing changed" not in run.stdout:
                    raise SystemExit(f"the re-import changed the store:\n{run.stdout}")
                remove_store(fresh)
                case.runs.append(run)
                case.result = counts_line(run.stdout)
                print(
                    f"run {i + 1}/{runs} {case.name}: {run.wall:.2f} s, "
                    f"{run.rss_kib / 1024:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
    end = label or code_version()
    files = {
        shown(path): {"bytes": path.stat().st_size, "rows": data_rows(path)}
        for path in (real, big)
    }
    rows = []
    for case in cases:
        row: dict[str, Any] = {
            "case": case.name,
            "file": shown(case.file),
            "runs": len(case.runs),
            "median_s": round(case.median(), 3),
            "p95_s": round(case.p95(), 3),
            "cpu_median_s": round(case.cpu(), 3),
            "peak_rss_mib": round(case.rss_mib(), 1),
            "wall_s": [round(r.wall, 3) for r in case.runs],
            "result": case.result,
        }
        if case.kind != "read":
            row["ratio_to_read"] = {
                c.reader: round(case.median() / c.median(), 1)
                for c in cases
                if c.kind == "read" and c.file == case.file
            }
        rows.append(row)
    return {
        "command": f"{shown(Path(command))} --db TMP.db import keep-eu FILE",
        "code": code if end == code else f"{code}, CHANGED during the run to {end}",
        "machine": machine(),
        "files": files,
        "readers": readers,
        "cases": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    readers = result["readers"]
    lines = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, {m['os']}",
        f"Code: {result['code']}; each import: `{result['command']}` in a fresh process",
        "",
        "| file | bytes | projects rows | partners rows |",
        "|---|---:|---:|---:|",
    ]
    for name, f in result["files"].items():
        r = f["rows"]
        lines.append(
            f"| {name} | {f['bytes']:,} | {r.get(SHEETS[0], '?'):,} | {r.get(SHEETS[1], '?'):,} |"
        )
    ratio_heads = "".join(f" import / {r} read |" for r in readers)
    lines += [
        "",
        f"| case | runs | median s | p95 s | CPU s (median) | peak RSS MiB |{ratio_heads}",
        "|---|---:|---:|---:|---:|---:|" + "---:|" * len(readers),
    ]
    for c in result["cases"]:
        ratios = c.get("ratio_to_read", {})
        cells = "".join(f" {ratios[r]:.1f}x |" if r in ratios else " |" for r in readers)
        lines.append(
            f"| {c['case']} | {c['runs']} | {c['median_s']:.2f} | {c['p95_s']:.2f} | "
            f"{c['cpu_median_s']:.2f} | {c['peak_rss_mib']:.0f} |{cells}"
        )
    lines += ["", "Outcome of the last run of each case:"]
    lines += [f"- {c['case']}: {c['result']}" for c in result["cases"] if c["result"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument(
        "--real",
        type=Path,
        default=None,
        help="the real export (default: $EUPROJECTS_SHARED_DATA/keep/keep_closed_1420.xlsx, "
        "shared data default ../shared/data)",
    )
    parser.add_argument(
        "--big",
        type=Path,
        default=REPO / "bench/out/keep_closed_1420_x10.xlsx",
        help="the 10x file (default bench/out/keep_closed_1420_x10.xlsx)",
    )
    parser.add_argument(
        "--baseline",
        default="calamine,openpyxl",
        help="read-only baselines, comma-separated: calamine, openpyxl (default both)",
    )
    parser.add_argument(
        "--euprojects", default=None, help="the euprojects command (default: beside this Python)"
    )
    parser.add_argument(
        "--code",
        default=None,
        help="label of the code measured (default: this checkout's commit, and a fingerprint of "
        "uncommitted changes); for --euprojects pointing at another checkout",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    readers = [r.strip() for r in args.baseline.split(",") if r.strip()]
    unknown = [r for r in readers if r not in READERS]
    if unknown:
        parser.error(f"unknown baseline {unknown[0]!r} (known: {', '.join(READERS)})")
    real = args.real or shared_data() / "keep" / "keep_closed_1420.xlsx"
    for path, hint in (
        (real, "set EUPROJECTS_SHARED_DATA or --real"),
        (args.big, "run bench/make_big_keep.py OUT.xlsx --factor 10, or scripts/bench"),
    ):
        if not path.is_file():
            print(f"no file {path} ({hint})", file=sys.stderr)
            return 2
    result = bench(
        real.absolute(), args.big.absolute(), args.runs, euprojects_command(args.euprojects),
        readers, args.code,
    )
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
