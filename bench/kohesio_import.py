"""Time the Kohesio import at scale: a generated country file in the 2021-2027 export layout.

    python bench/kohesio_import.py [--rows 20000 100000] [--runs 3] [--json]

No complete official Kohesio file is here, so the file is generated: the 44-column header of
the real export, rows made from the hand-made fixtures of tests/data/kohesio recombined (each
row a new operation id, beneficiary, amounts, dates, NUTS 3 region and a summary of 150 to 600
characters; about one in five with a line break inside its summary and one in ten with two
beneficiaries), as Kohesio-shaped as the fixtures allow. Each measurement is one fresh child
process (wall time, CPU time and peak RSS from os.wait4, bench/import_keep.py's helpers):

* parse (csv)        every record of the file read by Python's csv module, nothing kept: what
                     reading the file costs before any mapping (the baseline)
* import kohesio     the file into a fresh database: store, organisation links, first index
                     build

Prints a Markdown table (JSON with --json); progress on stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
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
)

FIXTURES = REPO / "tests" / "data" / "kohesio"
TEMPLATE = FIXTURES / "IE-pp21-27-20260924.csv"
SOURCES = [FIXTURES / n for n in ("IE-pp21-27-20260924.csv", "PL-pp21-27-20260924.csv",
                                  "BG-pp21-27-20260924.csv")]
# the hand-made fixtures of each layout: the first one's header is the layout's
LAYOUTS = {"2014-2020": [FIXTURES / "IE-pp14-20-20260924.csv"], "2021-2027": SOURCES}
NUTS3 = ["IE041", "IE042", "IE052", "IE061", "IE062", "IE063", "PL213", "PL911", "BG411",
         "BG413"]
FUNDS = [("ERDF", "European Regional Development Fund"), ("ESF+", "European Social Fund Plus"),
         ("CF", "Cohesion Fund"), ("JTF", "Just Transition Fund")]
PARSE = """
import csv, sys
n = 0
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for _ in csv.reader(f):
        n += 1
print(n - 1, "records read")
"""


def layout_header(period: str) -> list[str]:
    """The exact header of a layout ("2014-2020": 40 columns, "2021-2027": 44)."""
    with LAYOUTS[period][0].open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def fixture_rows(period: str) -> list[dict[str, str]]:
    """Every record of the fixtures of a layout, by column."""
    samples: list[dict[str, str]] = []
    for path in LAYOUTS[period]:
        with path.open(encoding="utf-8", newline="") as f:
            samples.extend(csv.DictReader(f))
    return samples


def generate(target: Path, rows: int, seed: int = 2026) -> Path:
    """A country file of ``rows`` operations in the 2021-2027 layout (see the docstring)."""
    rng = random.Random(seed)
    header = layout_header("2021-2027")
    samples = fixture_rows("2021-2027")
    words = " ".join(s["Operation_Summary_English"] for s in samples).split()
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(rows):
            row = dict(rng.choice(samples))
            qid = f"Q{800_000_000 + n}"
            row["Operation_Unique_Identifier"] = f"https://linkedopendata.eu/entity/{qid}"
            row["Operation_Local_Identifier"] = f"OP-{n:08d}"
            name = " ".join(rng.choice(words) for _ in range(rng.randint(4, 10)))
            row["Operation_Name_English"] = name.capitalize()
            summary = " ".join(rng.choice(words) for _ in range(rng.randint(25, 90)))
            if rng.random() < 0.2:
                summary = summary.replace(" ", "\n", 1)
            row["Operation_Summary_English"] = summary
            total = rng.randint(5_000, 20_000_000)
            eu = round(total * rng.choice((0.5, 0.6, 0.7, 0.85)), 2)
            row["Total_Eligible_Expenditure_amount"] = str(total)
            row["Project_EU_Budget"] = f"{eu:.2f}"
            row["Cofinancing_Rate"] = f"{100 * eu / total:.2f}"
            year = rng.randint(2021, 2026)
            day, month = rng.randint(1, 28), rng.randint(1, 12)
            row["Operation_Start_Date"] = f"{day:02d}/{month:02d}/{year}"
            row["Operation_End_Date"] = f"{day:02d}/{month:02d}/{year + rng.randint(1, 4)}"
            fund, fund_name = rng.choice(FUNDS)
            row["Fund_Code"], row["Fund_Name"] = fund, fund_name
            nuts = rng.choice(NUTS3)
            row["NUTS3_Code"], row["NUTS2_Code"], row["NUTS1_Code"] = nuts, nuts[:4], nuts[:3]
            row["CountryCode"] = nuts[:2]
            beneficiaries = 2 if rng.random() < 0.1 else 1
            ids = [f"Q{900_000_000 + rng.randint(0, rows // 3)}" for _ in range(beneficiaries)]
            row["Beneficiary_Unique_Identifier"] = "|".join(
                f"https://linkedopendata.eu/entity/{i}" for i in ids)
            row["Beneficiary_Name"] = "|".join(f"Beneficiary {i}" for i in ids)
            writer.writerow([row.get(col, "") for col in header])
    return target


def bench(sizes: list[int], runs: int, command: str) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="kohesio-bench-") as tmp:
        folder = Path(tmp)
        for rows in sizes:
            file = generate(folder / f"XX-pp21-27-{rows}.csv", rows)
            print(f"{file.name}: {file.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
            db = folder / "bench.db"
            parse = Case(f"parse (csv), {rows} rows", file, "read")
            load = Case(f"import kohesio, {rows} rows", file, "import")
            for run in range(runs):
                parse.runs.append(measure([sys.executable, "-c", PARSE, str(file)], folder))
                remove_store(db)
                load.runs.append(measure(
                    [*command.split(), "--db", str(db), "import", "kohesio", str(file)], folder))
                print(f"  run {run + 1}: parse {parse.runs[-1].wall:.1f} s, import "
                      f"{load.runs[-1].wall:.1f} s", file=sys.stderr)
            sizes_mb = {"file": file.stat().st_size / 1e6,
                        "database": db.stat().st_size / 1e6,
                        "index": sum(p.stat().st_size for p in db.with_suffix(".index").rglob("*")
                                     if p.is_file()) / 1e6}
            for case in (parse, load):
                results.append({"case": case.name, "rows": rows, "median_s": case.median(),
                                "p95_s": case.p95(), "cpu_s": case.cpu(),
                                "peak_rss_mib": case.rss_mib(),
                                "rows_per_s": rows / case.median(), **{
                                    f"{k}_mb": round(v, 1) for k, v in sizes_mb.items()}})
    return {"machine": machine(), "code": code_version(), "runs": runs, "results": results}


def markdown(result: dict[str, Any]) -> str:
    lines = [f"code `{result['code']}`, {result['runs']} runs per case", "",
             "| case | median | p95 | CPU | peak RSS | rows/s | file | database | index |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in result["results"]:
        lines.append(f"| {r['case']} | {r['median_s']:.1f} s | {r['p95_s']:.1f} s | "
                     f"{r['cpu_s']:.1f} s | {r['peak_rss_mib']:.0f} MiB | {r['rows_per_s']:.0f} "
                     f"| {r['file_mb']} MB | {r['database_mb']} MB | {r['index_mb']} MB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--command", default=None, help="the euprojects command to time")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = bench(args.rows, args.runs, euprojects_command(args.command))
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
