"""What linking organisation records costs an import, at scale.

    python bench/links_bench.py --records 200000 [--runs 3] [--json]

Writes projects with N distinct organisation records through the real store (SqliteStore.writer)
into a fresh database, twice per run, interleaved: once as an import does it (every record keyed,
then linked into organisations: store/_links.py), once with the linking switched off (the
baseline: the same writes without it). The records are the real keep.eu organisations (from a
store built from the shared keep.eu export, as bench/corpus.py builds it) copied with
deterministic variants so that keys collide as in the sources: the same name in another case
or with a legal form, in the same town, and the same name in other towns. 10 records a project.
Prints median and p95 wall time of both, the ratio, and the links made.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from euprojects.model import LangText, Organisation, Participation, Project, ProjectRecord, Role
from euprojects.model import organisation_id as make_id
from euprojects.store import SqliteStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_real_store  # noqa: E402  (the real store, as the corpus builds it)

PER_PROJECT = 10


def variants(real: list[Organisation], n: int, seed: int) -> list[Organisation]:
    rng = random.Random(seed)
    towns = [o.city for o in real if o.city]
    out = []
    for i in range(n):
        base = real[i % len(real)]
        copy = i // len(real)
        kind = rng.random()
        name, city = base.name, base.city
        if copy:  # every copy after the first: a variant that may or may not link
            if kind < 0.3:
                name = name.upper()
            elif kind < 0.5:
                name = f"{name} GmbH"
            elif kind < 0.8:
                city = rng.choice(towns)
            else:
                name = f"{name} {copy}"
        out.append(Organisation(id=make_id(name, base.country, city, f"s{copy}"), name=name,
                                country=base.country, city=city, pic=base.pic))
    return out


def write(db: Path, organisations: list[Organisation], link: bool) -> tuple[float, int]:
    store = SqliteStore(db)
    started = time.perf_counter()
    with store.writer("bench") as w:
        if not link:
            w.link_organisations = lambda: 0  # the baseline: the same writes, no linking
        for start in range(0, len(organisations), PER_PROJECT):
            chunk = organisations[start:start + PER_PROJECT]
            pid = f"bench:{start // PER_PROJECT}"
            project = Project(pid, "bench", LangText(f"Project {start}"))
            w.put(ProjectRecord(project, tuple(
                Participation(pid, o.id, Role.PARTNER, order=n) for n, o in enumerate(chunk)),
                tuple(chunk)))
    took = time.perf_counter() - started
    linked = store._write_db.execute(
        "SELECT COUNT(*) FROM organisations WHERE cluster != id").fetchone()[0]
    store.close()
    return took, linked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        real_db = build_real_store(Path(tmp))
        store = SqliteStore(real_db)
        seen: dict[str, Organisation] = {}
        for _, parts in store.iter_with_participants():
            for _, o in parts:
                seen.setdefault(o.id, o)
        store.close()
        organisations = variants(list(seen.values()), args.records, args.seed)
        times: dict[str, list[float]] = {"with links": [], "without links (baseline)": []}
        linked = 0
        for run in range(args.runs):
            for case in times:
                label = "links" if case == "with links" else "baseline"
                db = Path(tmp) / f"{label}-{run}.db"  # a fresh database for every write
                print(f"run {run + 1}/{args.runs}: {case}", file=sys.stderr)
                took, made = write(db, organisations, case == "with links")
                times[case].append(took)
                linked = max(linked, made)
    def p95(values: list[float]) -> float:
        values = sorted(values)
        return values[max(0, math.ceil(0.95 * len(values)) - 1)]

    result: dict[str, Any] = {"records": args.records, "runs": args.runs,
                              "records_linked": linked,
                              "cases": {k: {"median_s": round(statistics.median(v), 2),
                                            "p95_s": round(p95(v), 2)}
                                        for k, v in times.items()}}
    base = result["cases"]["without links (baseline)"]["median_s"]
    result["ratio"] = round(result["cases"]["with links"]["median_s"] / base, 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("| case | median s | p95 s |\n|---|---:|---:|")
        for k, v in result["cases"].items():
            print(f"| {k} | {v['median_s']:.2f} | {v['p95_s']:.2f} |")
        print(f"\n{args.records} records, {linked} linked into another record's organisation; "
              f"with / without links: {result['ratio']}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
