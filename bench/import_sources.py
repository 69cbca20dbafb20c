"""Time the imports of the other sources end to end, against a read-only baseline.

    python bench/import_sources.py [--runs 5] [--json]

Each measurement is one fresh child process (wall time from spawn to exit; CPU time and peak RSS
of that child from os.wait4, as bench/import_keep.py does). The cases, interleaved run by run so
that machine noise hits them alike:

* parse CORDIS zip (lxml)  every member of the CORDIS XML zip parsed by lxml, nothing kept: what
                           reading the file costs before any mapping
* import cordis            the CORDIS XML zip into a fresh database (store, organisation links,
                           first index build)
* import keep + cordis     the keep.eu export, then the CORDIS zip, into a fresh database: the
                           second import links its records to the first's organisations and
                           updates the index
* import eac               the EAC results export into a fresh database

Prints a Markdown table (JSON with --json); progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_keep import (  # noqa: E402  (the shared measuring helpers)
    REPO,
    Case,
    code_version,
    euprojects_command,
    machine,
    measure,
    remove_store,
    shared_data,
)

PARSE = """
import sys, zipfile
from lxml import etree
n = 0
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        etree.fromstring(z.read(name))
        n += 1
print(n, "members parsed")
"""


def bench(runs: int, command: str) -> dict[str, Any]:
    data = shared_data()
    cordis = data / "cordis" / "cordis_horizon_projects_xml_sample.zip"
    keep = data / "keep" / "keep_closed_1420.xlsx"
    eac = data / "eac" / "creative_europe_project_results_sample.xls"
    cases = [Case("parse CORDIS zip (lxml)", cordis, "read"),
             Case("import cordis", cordis, "import"),
             Case("import keep + cordis", cordis, "import"),
             Case("import eac", eac, "import")]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        for n in range(runs):
            for case in cases:
                print(f"run {n + 1}/{runs}: {case.name}", file=sys.stderr)
                remove_store(db)
                if case.name.startswith("parse"):
                    run = measure([sys.executable, "-c", PARSE, str(cordis)], REPO)
                elif case.name == "import keep + cordis":
                    measure([command, "--db", str(db), "import", "keep-eu", str(keep)], REPO)
                    run = measure([command, "--db", str(db), "import", "cordis", str(cordis)],
                                  REPO)
                else:
                    source = "cordis" if case.file == cordis else "eac"
                    run = measure([command, "--db", str(db), "import", source, str(case.file)],
                                  REPO)
                case.runs.append(run)
                case.result = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    base = cases[0].median()
    return {
        "machine": machine(),
        "code": code_version(),
        "runs": runs,
        "cases": [{"case": c.name, "median_s": round(c.median(), 2), "p95_s": round(c.p95(), 2),
                   "cpu_s": round(c.cpu(), 2), "peak_rss_mib": round(c.rss_mib()),
                   "vs_parse": round(c.median() / base, 1), "last_line": c.result}
                  for c in cases],
    }


def markdown(result: dict[str, Any]) -> str:
    lines = ["| case | median s | p95 s | CPU s (median) | peak RSS MiB | / parse |",
             "|---|---:|---:|---:|---:|---:|"]
    for c in result["cases"]:
        lines.append(f"| {c['case']} | {c['median_s']:.2f} | {c['p95_s']:.2f} | "
                     f"{c['cpu_s']:.2f} | {c['peak_rss_mib']} | {c['vs_parse']}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--euprojects", default=None, help="the euprojects command to time")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = bench(args.runs, euprojects_command(args.euprojects))
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
