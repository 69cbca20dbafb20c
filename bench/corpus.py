"""Generate a deterministic scale corpus of N projects from the real records of keep.eu, CORDIS
and EAC.

    python bench/corpus.py OUT_DB --projects N [--mix keep=1] [--seed 1] [--source-db REAL_DB]
                           [--into] [--no-index]

The real records come from a store built from the real files (built in a temporary folder with
``euprojects import`` from the shared data folder, env ``EUPROJECTS_SHARED_DATA``, default
``../shared/data``: ``keep/keep_closed_1420.xlsx`` plus tests/data/keep/keep_api_seed.json for
keep.eu, ``cordis/cordis_horizon_projects_xml_sample.zip`` for CORDIS,
``eac/creative_europe_project_results_sample.xls`` for EAC; only the sources --mix names), or
from the store given with --source-db.

--mix gives each source's share of the N projects (``keep=0.1,cordis=0.3,eac=0.6``; default
``keep=1``, the corpus of docs/benchmarks.md's search benchmarks, unchanged). Source by source,
the corpus holds that source's real projects unchanged, then generated ones
(``keep:gen0000001``, ``cordis:gen0000001``...) up to its share: each takes a real "template"
project of its source (so programme, period, themes, funds, countries and amounts follow the
real joint distribution), moves its dates by -3..+3 years, multiplies its amounts by 0.5..2,
writes new descriptions from 5-15 real sentences of the same source and language (one text per
language of the template), new titles from a prefix of one real title and the suffix of another
of the same language, and about as many partners as the template (keep.eu 2-12, CORDIS 1-60,
EAC 1-20) sampled from the real organisation records of that source in the template's
countries. A CORDIS or EAC project keeps its template's facts (``extra``: CORDIS's fields of
science give topics); a keep.eu one does not, as before. Everything goes through the real store
API (SqliteStore.writer), in transactions of --batch projects (each writer named after its
source); then the search index is built with Catalog.reindex() and timed. --into writes into
OUT_DB when it exists already (another import's store) instead of refusing it.

Prints (and writes to OUT_DB + ".build.json") the counts, the generation time, the index build
time, the index size on disk and the peak RSS of the index build (measured in a child process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from euprojects.model import LangText, Organisation, Participation, Project, ProjectRecord, Role
from euprojects.model._money import Money
from euprojects.store import SqliteStore
from euprojects.store.postgres import PostgresStore

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EUPROJECTS_SHARED_DATA", "../shared/data"))
SEED_FILE = "tests/data/keep/keep_api_seed.json"
# each source's real files: (the `euprojects import` command, files under the shared data folder,
# files under the repository)
REAL_FILES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "keep": ("keep-eu", ("keep/keep_closed_1420.xlsx",), (SEED_FILE,)),
    "cordis": ("cordis", ("cordis/cordis_horizon_projects_xml_sample.zip",), ()),
    "eac": ("eac", ("eac/creative_europe_project_results_sample.xls",), ()),
}
# partners of a generated project: about the template's number, within these bounds
PARTNERS = {"keep": (2, 12), "cordis": (1, 60), "eac": (1, 20)}

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_CENT = Decimal("0.01")


def build_real_store(folder: Path, sources: tuple[str, ...] = ("keep",)) -> Path:
    """The real store of these sources, built from their real files with the euprojects CLI."""
    db = folder / "real.db"
    shared = SHARED if SHARED.is_absolute() else (REPO / SHARED)
    exe = Path(sys.executable).with_name("euprojects")
    for source in sources:
        command, in_shared, in_repo = REAL_FILES[source]
        files = [str(shared / f) for f in in_shared] + [str(REPO / f) for f in in_repo]
        cmd = [str(exe) if exe.exists() else "euprojects", "--db", str(db), "import", command,
               *files]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return db


def parse_mix(text: str) -> dict[str, float]:
    """``keep=0.1,cordis=0.3,eac=0.6`` -> each source's share (weights, summing to 1)."""
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in REAL_FILES:
            raise ValueError(f"unknown source {name!r} (known: {', '.join(REAL_FILES)})")
        weights[name] = float(value) if value.strip() else 1.0
    total = sum(weights.values())
    if total <= 0 or min(weights.values()) < 0:
        raise ValueError(f"no positive share in {text!r}")
    return {name: w / total for name, w in weights.items()}


def quotas(total: int, mix: dict[str, float]) -> dict[str, int]:
    """How many of ``total`` projects each source gets (the last one takes the rounding)."""
    out: dict[str, int] = {}
    names = list(mix)
    for name in names[:-1]:
        out[name] = round(total * mix[name])
    out[names[-1]] = total - sum(out.values())
    return out


RealItem = tuple[Project, list[tuple[Participation, Organisation]]]


def read_records(db: Path) -> list[RealItem]:
    """Every project of a store with its participants as the source records they are.

    ``SqliteStore.participants`` gives each participation with its own organisation record
    (the id the participation names), as the importer wrote it; ``iter_with_participants``
    would give the organisation the record is linked into (store/_links.py), merged from all
    its records under the organisation's id, which a participation does not name: written
    back through the store, such a record fails the participations' foreign key."""
    store = SqliteStore(db)
    try:
        projects = sorted(store.iter_projects(), key=lambda p: p.id)
        return [(p, store.participants(p.id)) for p in projects]
    finally:
        store.close()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) >= 25]


class Pools:
    """What the generator recombines: sentences and titles by language, organisations by
    country, and the real projects as templates."""

    def __init__(self, items: list[RealItem]) -> None:
        self.items = items
        self.sentences: dict[str | None, list[str]] = defaultdict(list)
        self.results: dict[str | None, list[str]] = defaultdict(list)
        self.titles: dict[str | None, list[list[str]]] = defaultdict(list)
        self.orgs_by_country: dict[str | None, list[Organisation]] = defaultdict(list)
        seen_orgs: set[str] = set()
        for project, participants in items:
            for t in project.description:
                self.sentences[t.lang].extend(sentences(t.text))
            for t in (*project.expected_results, *project.expected_outputs):
                self.results[t.lang].extend(sentences(t.text))
            for t in (project.title, *project.other_titles):
                words = t.text.split()
                if len(words) >= 2:
                    self.titles[t.lang].append(words)
            for _, org in participants:
                if org.id not in seen_orgs:
                    seen_orgs.add(org.id)
                    self.orgs_by_country[org.country].append(org)
        self.all_orgs = [o for orgs in self.orgs_by_country.values() for o in orgs]
        for pool in (self.sentences, self.results, self.titles):
            for lang in list(pool):
                pool[lang].sort()  # the order of a set-free, sorted pool: deterministic
        for orgs in self.orgs_by_country.values():
            orgs.sort(key=lambda o: o.id)
        self.all_orgs.sort(key=lambda o: o.id)

    def text(self, rng: random.Random, lang: str | None, low: int, high: int,
             pool: dict[str | None, list[str]] | None = None) -> str:
        source = (pool or self.sentences).get(lang) or self.sentences.get(lang) \
            or self.sentences["en"]
        n = rng.randint(low, high)
        return " ".join(rng.choice(source) for _ in range(n))

    def title(self, rng: random.Random, lang: str | None) -> str:
        titles = self.titles.get(lang) or self.titles["en"]
        a, b = rng.choice(titles), rng.choice(titles)
        cut_a = rng.randint(1, max(1, len(a) - 1))
        cut_b = rng.randint(1, max(1, len(b) - 1))
        words = a[:cut_a] + b[cut_b:]
        return " ".join(words[:20])


def _money(m: Money | None, factor: float) -> Money | None:
    if m is None:
        return None
    amount = (m.amount * Decimal(repr(factor))).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Money(amount, m.currency)


def _acronym(rng: random.Random, title: str) -> str:
    letters = [w[0] for w in title.split() if w[:1].isalpha() and len(w) > 3]
    base = "".join(letters[: rng.randint(3, 6)]).upper() or "PRJ"
    if rng.random() < 0.3:
        base += f"-{rng.randint(2, 99)}"
    return base


def generate(pools: Pools, rng: random.Random, seq: int, source: str = "keep") -> ProjectRecord:
    template, t_parts = rng.choice(pools.items)
    pid = f"{source}:gen{seq:07d}"
    title_lang = template.title.lang
    title = LangText(pools.title(rng, title_lang), title_lang)
    other_titles = tuple(LangText(pools.title(rng, t.lang), t.lang)
                         for t in template.other_titles)
    description = tuple(LangText(pools.text(rng, t.lang, 5, 15), t.lang)
                        for t in template.description)
    expected_results = tuple(LangText(pools.text(rng, t.lang, 1, 4, pools.results), t.lang)
                             for t in template.expected_results)
    expected_outputs = tuple(LangText(pools.text(rng, t.lang, 1, 3, pools.results), t.lang)
                             for t in template.expected_outputs)
    shift = timedelta(days=rng.randint(-3 * 365, 3 * 365))
    start = template.start_date + shift if template.start_date else None
    end = template.end_date + shift if template.end_date else None
    factor = round(rng.uniform(0.5, 2.0), 4)
    # partners: 2-12 real organisations, from the template's countries (every one of them
    # first, round robin), the lead first
    countries: list[str | None] = (
        [c for c in dict.fromkeys(o.country for _, o in t_parts) if c]
        or list(template.countries) or [None])
    low, high = PARTNERS.get(source, (1, 20))
    n = min(high, max(low, len(t_parts) + rng.randint(-1, 2)))
    chosen: list[Organisation] = []
    ids: set[str] = set()
    for i in range(n * 3):
        if len(chosen) == n:
            break
        candidates = pools.orgs_by_country.get(countries[i % len(countries)]) or pools.all_orgs
        org = rng.choice(candidates)
        if org.id not in ids:
            ids.add(org.id)
            chosen.append(org)
    participations = tuple(
        Participation(pid, org.id, Role.LEAD if order == 1 else Role.PARTNER, order)
        for order, org in enumerate(chosen, start=1)
    )
    project = Project(
        id=pid,
        source=source,
        title=title,
        acronym=_acronym(rng, title.text),
        other_titles=other_titles,
        description=description,
        expected_results=expected_results,
        expected_outputs=expected_outputs,
        start_date=start,
        end_date=end,
        source_status=template.source_status,
        programme=template.programme,
        programme_website=template.programme_website,
        period=template.period,
        funds=template.funds,
        total_budget=_money(template.total_budget, factor),
        eu_contribution=_money(template.eu_contribution, factor),
        source_cofinancing_rate=template.source_cofinancing_rate,
        themes=template.themes,
        countries=tuple(sorted({o.country for o in chosen if o.country})),
        nuts=template.nuts,
        call=template.call,
        priority=template.priority,
        # keep.eu's generated projects stay as the search benchmarks measured them
        extra=template.extra if source != "keep" else (),
    )
    return ProjectRecord(project, participations, tuple(chosen))


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_index(db: Path) -> dict[str, Any]:
    """Catalog.reindex() in a child process, so that its peak RSS is the build's alone."""
    code = (
        "import json, resource, sys, time\n"
        "from euprojects.catalog import Catalog\n"
        "from euprojects.settings import load_settings\n"
        "c = Catalog(load_settings({'db': sys.argv[1]}, {}))\n"
        "t = time.perf_counter(); n = c.reindex(); t = time.perf_counter() - t\n"
        "print(json.dumps({'indexed': n, 'index_build_s': round(t, 1),\n"
        "  'index_build_peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss / 1024)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(db)], check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    index = db.with_suffix(".index")
    current = (index / "CURRENT").read_text().strip()
    result["index_size_mb"] = round(_dir_size(index / current) / 2**20, 1)
    return result


def write(store: SqliteStore, source: str, quota: int, real: list[RealItem], pools: Pools,
          rng: random.Random, batch: int, started: float) -> int:
    """The source's real projects (as many as its quota takes), then generated ones up to its
    quota, through the store's writer in transactions of ``batch``; returns how many are real."""
    written = seq = 0
    while written < quota:
        with store.writer(source) as w:
            in_batch = 0
            while written < quota and in_batch < batch:
                if written < len(real):  # the real projects first, unchanged
                    project, parts = real[written]
                    record = ProjectRecord(project, tuple(p for p, _ in parts),
                                           tuple(o for _, o in parts))
                else:
                    seq += 1
                    record = generate(pools, rng, seq, source)
                w.put(record)
                written += 1
                in_batch += 1
        print(f"  {source}: {written} projects written ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
    return min(quota, len(real))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_db", type=Path)
    ap.add_argument("--projects", type=int, required=True)
    ap.add_argument("--mix", default="keep=1",
                    help="each source's share, e.g. keep=0.1,cordis=0.3,eac=0.6 (keep=1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source-db", type=Path, help="a store built from the real files")
    ap.add_argument("--batch", type=int, default=50_000, help="projects per transaction")
    ap.add_argument("--into", action="store_true",
                    help="OUT_DB is an existing store: write into it")
    ap.add_argument("--no-index", action="store_true", help="write the store only")
    ap.add_argument("--store-url", help="write into the PostgreSQL store at this address "
                    "(OUT_DB then only names the files beside it; with --no-index)")
    ap.add_argument("--index-only", action="store_true",
                    help="the store exists (written with --no-index): build its index only")
    args = ap.parse_args(argv)
    try:
        mix = parse_mix(args.mix)
    except ValueError as exc:
        ap.error(f"--mix: {exc}")

    out = args.out_db
    if args.index_only:
        stats = Path(str(out) + ".build.json")
        built = json.loads(stats.read_text()) if stats.exists() else {}
        built.update(build_index(out))
        print(json.dumps(built, indent=2))
        stats.write_text(json.dumps(built, indent=2) + "\n")
        return 0
    if args.into and not out.is_file():
        sys.exit(f"{out}: no such store (--into writes into an existing one)")
    if args.store_url and not args.no_index:
        ap.error("--store-url takes --no-index (the index: euprojects index, bench/pg_store.py)")
    if out.exists() and not args.into and not args.store_url:
        sys.exit(f"{out} exists: remove it (and {out.with_suffix('.index')}) first")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source_db = args.source_db or build_real_store(Path(tmp), tuple(mix))
        items = read_records(source_db)
    shares = quotas(args.projects, mix)
    real = {source: [i for i in items if i[0].source == source] for source in shares}
    missing = [source for source, quota in shares.items() if quota and not real[source]]
    if missing:
        sys.exit(f"the real store holds no project of {', '.join(missing)}")
    rng = random.Random(args.seed)
    store: Any
    if args.store_url:  # the PostgreSQL store (docs/deploy.md) at that address
        store = PostgresStore(args.store_url)
    else:
        store = SqliteStore(out)
        # the store's own writes are the bench's subject only through the search; keep the
        # generation from being dominated by fsyncs of the WAL
        store._write_db.execute("PRAGMA synchronous = OFF")
    sources: dict[str, dict[str, int]] = {}
    for source, quota in shares.items():
        if quota:
            made_real = write(store, source, quota, real[source], Pools(real[source]), rng,
                              args.batch, started)
            sources[source] = {"projects": quota, "real_projects": made_real}
    if args.store_url:
        with store._write_transaction() as db:
            size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    else:
        store._write_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = out.stat().st_size
    store.close()
    result: dict[str, Any] = {
        "projects": args.projects,
        "real_projects": sum(s["real_projects"] for s in sources.values()),
        "sources": sources,
        "seed": args.seed,
        "generate_s": round(time.perf_counter() - started, 1),
        "db_size_mb": round(size / 2**20, 1),
        "generate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if not args.no_index:
        print("  building the index (Catalog.reindex) ...", file=sys.stderr)
        result.update(build_index(out))
    print(json.dumps(result, indent=2))
    Path(str(out) + ".build.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
