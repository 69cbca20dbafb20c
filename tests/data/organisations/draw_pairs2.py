"""Draw a SECOND sample of candidate organisation pairs, for judging by hand (``pairs2.jsonl``).

The first samples (``pairs.jsonl``, ``kohesio_pairs.jsonl``) were looked at while the project's
organisation rules were tuned. This one is drawn after the rules were written, from other strata,
with another seed, and no pair of the first samples is drawn again (a pair is known by its two
records' folded name, country and town). Its labels are NOT made here: they are judgements written
by a person after reading each pair (see README.md, "Second sample"). Re-running keeps the label
and reason of every pair already in the output file; a newly drawn pair gets ``"label": null``.

Candidates come from generic string scores only (rapidfuzz ``ratio``, ``partial_ratio``,
``token_sort_ratio``, ``WRatio`` and ``token_set_ratio`` on folded names, one country at a time),
from the same address, from the exact same name and from random pairs of one country. No
organisation-matching code of the project is called. The records are read as ``draw_pairs.py``
and ``draw_kohesio_pairs.py`` read them (a temporary catalog per source, imported with the
project's CLI; the Kohesio beneficiary list as plain text), by importing those scripts.

Kinds: ``keep-keep``, ``cross-source`` (keep.eu vs CORDIS), ``kohesio-keep`` and
``kohesio-cordis`` (a Kohesio beneficiary vs a keep.eu or a CORDIS record of its country).

Run from the repository root::

    .venv/bin/python tests/data/organisations/draw_pairs2.py           # (re)write pairs2.jsonl
    .venv/bin/python tests/data/organisations/draw_pairs2.py --show    # pairs + project titles

The data files default to ``$EUPROJECTS_SHARED_DATA`` or ``../shared/data`` relative to the
repository; ``--keep-db`` / ``--cordis-db`` take catalogs that were imported already.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from rapidfuzz import fuzz, process

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import draw_kohesio_pairs as dk  # noqa: E402
import draw_pairs as dp  # noqa: E402

SEED = 20261128
KEEP_SHARE, CROSS_SHARE = 96, 84  # pairs; the Kohesio strata add about 60

# A pair side: a keep.eu or CORDIS record (draw_pairs.Record) or a Kohesio row.
Side = dp.Record | dk.Kohesio


def side_key(r: dict) -> tuple[str, str, str]:
    """A record as the earlier samples are compared with: folded name, country, folded town."""
    return (dp.fold(r["name"]), r.get("country") or "", dp.fold(r.get("city") or ""))


def known_pairs(paths: Iterable[Path]) -> set[frozenset]:
    known: set[frozenset] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            known.add(frozenset((side_key(row["a"]), side_key(row["b"]))))
    return known


def out(r: Side) -> dict:
    return r.out()


def text(r: Side) -> str:
    """The compared form: folded, Latin script, legal forms dropped (draw_kohesio_pairs.base)."""
    if isinstance(r, dk.Kohesio):
        return r.text
    return dk.base(r.folded)


def city(r: Side) -> str:
    return "" if isinstance(r, dk.Kohesio) else r.city


def light(r: Side) -> str:
    """The name lower-cased with white space collapsed (for 'exact same name')."""
    return " ".join(r.name.casefold().split())


def kind_of(a: Side, b: Side) -> str:
    sources = {a.source, b.source}
    if sources == {"keep"}:
        return "keep-keep"
    if sources == {"keep", "cordis"}:
        return "cross-source"
    return "kohesio-" + (sources - {"kohesio"}).pop()


def order(a: Side, b: Side) -> tuple[Side, Side]:
    """Kohesio first, then keep.eu, then CORDIS; within a source by key."""
    rank = {"kohesio": 0, "keep": 1, "cordis": 2}
    return (a, b) if (rank[a.source], a.key) <= (rank[b.source], b.key) else (b, a)


Pair = tuple[Side, Side]
Score = Callable[[str, str], float]


class Drawer:
    """Pools per stratum, sampled deterministically; a pair is drawn once, and within one
    stratum a record is used at most once (for variety)."""

    def __init__(self, known: set[frozenset]) -> None:
        self.rng = random.Random(SEED)
        self.known = known
        self.taken: set[frozenset] = set()
        self.pairs: list[dict] = []
        self.pool_sizes: dict[str, int] = {}

    def take(self, rule: str, pool: Iterable[Pair], n: int) -> None:
        fresh: dict[frozenset, Pair] = {}
        for a, b in pool:
            k = frozenset((a.key, b.key))
            seen = frozenset((side_key(out(a)), side_key(out(b))))
            if a.key == b.key or k in self.taken or k in fresh or seen in self.known:
                continue
            fresh[k] = order(a, b)
        ordered = sorted(fresh.values(), key=lambda p: (p[0].key, p[1].key))
        self.pool_sizes[rule] = len(ordered)
        self.rng.shuffle(ordered)
        used: set[tuple[str, str]] = set()
        got = 0
        for a, b in ordered:
            if got == n:
                break
            if a.key in used or b.key in used:
                continue
            used.update((a.key, b.key))
            self.taken.add(frozenset((a.key, b.key)))
            self.pairs.append({"kind": kind_of(a, b), "drawn_by": rule, "a": a, "b": b})
            got += 1


def by_country(records: Iterable[Side]) -> dict[str, list[Side]]:
    out_: dict[str, list[Side]] = defaultdict(list)
    for r in records:
        if r.country:
            out_[r.country].append(r)
    return out_


def scored(
    left: list[Side], right: list[Side], scorer: Score, cutoff: float, one_list: bool
) -> list[tuple[float, Side, Side]]:
    """Pairs of one country whose ``scorer`` on the compared forms is at least ``cutoff``."""
    found: list[tuple[float, Side, Side]] = []
    lc, rc = by_country(left), by_country(right)
    for country in sorted(lc):
        ls, rs = lc[country], rc.get(country, [])
        if not rs:
            continue
        matrix = process.cdist(
            [text(r) for r in ls], [text(r) for r in rs], scorer=scorer,
            score_cutoff=cutoff, workers=-1,
        )
        for i, j in zip(*matrix.nonzero(), strict=True):
            if one_list and j <= i:
                continue
            found.append((float(matrix[i, j]), ls[i], rs[j]))
    return found


def band(pool: list[tuple[float, Side, Side]], lo: float, hi: float) -> Iterable[Pair]:
    return ((a, b) for s, a, b in pool if lo <= s < hi)


def same_name_other_town(pool: list[tuple[float, Side, Side]]) -> Iterable[Pair]:
    return ((a, b) for s, a, b in pool if light(a) == light(b) and a.city != b.city)


def inside_not_alike(pool: list[tuple[float, Side, Side]]) -> Iterable[Pair]:
    """One name (almost) inside the other, but few words in common (token_set_ratio < 90)."""
    return ((a, b) for s, a, b in pool if fuzz.token_set_ratio(text(a), text(b)) < 90)


def same_town_below(pool: list[tuple[float, Side, Side]], hi: float) -> Iterable[Pair]:
    return ((a, b) for s, a, b in pool if s < hi and city(a) and city(a) == city(b))


def random_pairs(
    left: list[Side], right: list[Side], rng: random.Random, n: int, same_town: bool
) -> list[Pair]:
    """n random pairs of one country (countries weighted by their records)."""
    lc, rc = by_country(left), by_country(right)
    countries = sorted(c for c in lc if rc.get(c))
    pairs: list[Pair] = []
    for _ in range(n * 50):
        if len(pairs) == n:
            break
        a = rng.choice(lc[rng.choice(countries)])
        rs = [r for r in rc[a.country] if not same_town or (city(r) and city(r) == city(a))]
        if rs:
            b = rng.choice(rs)
            if b.key != a.key:
                pairs.append((a, b))
    return pairs


def draw(keep: list[dp.Record], cordis: list[dp.Record], kohesio: list[dk.Kohesio],
         known: set[frozenset]) -> tuple[list[dict], dict[str, int]]:
    d = Drawer(known)
    rng = random.Random(SEED + 1)  # for the random pairs only

    # ---- keep-keep ----
    kk_ratio = scored(keep, keep, fuzz.ratio, 88, True)
    kk_partial = scored(keep, keep, fuzz.partial_ratio, 95, True)
    kk_sort = scored(keep, keep, fuzz.token_sort_ratio, 75, True)
    kk_wratio = scored(keep, keep, fuzz.WRatio, 80, True)
    d.take("keep2 same name (case-insensitive), other town", same_name_other_town(kk_ratio), 12)
    d.take("keep2 ratio [95,100)", band(kk_ratio, 95, 100), 12)
    d.take("keep2 ratio [88,95)", band(kk_ratio, 88, 95), 14)
    d.take("keep2 partial_ratio >= 95, token_set_ratio < 90", inside_not_alike(kk_partial), 14)
    d.take("keep2 token_sort_ratio [75,88)", band(kk_sort, 75, 88), 12)

    def same_address(a: dp.Record, b: dp.Record) -> bool:
        pa, pb = a.doc.get("postcode"), b.doc.get("postcode")
        sa, sb = dp.fold(a.doc.get("street") or ""), dp.fold(b.doc.get("street") or "")
        return bool(pa and sa) and pa == pb and sa == sb and a.folded != b.folded

    d.take("keep2 same postcode and street, other name", dp.within(keep, same_address), 14)
    d.take("keep2 same town, WRatio [80,90)", same_town_below(kk_wratio, 90), 10)
    d.take("keep2 random pair, one country", random_pairs(keep, keep, rng, 40, False), 8)

    # ---- keep-CORDIS ----
    x_ratio = scored(keep, cordis, fuzz.ratio, 85, False)
    x_partial = scored(keep, cordis, fuzz.partial_ratio, 95, False)
    x_wratio = scored(keep, cordis, fuzz.WRatio, 75, False)
    x_sort = scored(keep, cordis, fuzz.token_sort_ratio, 70, False)
    d.take("cross2 same name (case-insensitive), other town", same_name_other_town(x_ratio), 10)
    d.take("cross2 ratio [95,100)", band(x_ratio, 95, 100), 10)
    d.take("cross2 ratio [85,95)", band(x_ratio, 85, 95), 12)
    d.take("cross2 partial_ratio >= 95, token_set_ratio < 90", inside_not_alike(x_partial), 12)
    d.take("cross2 same town, WRatio [75,90)", same_town_below(x_wratio, 90), 12)

    def same_postcode(a: Side, b: Side) -> bool:
        pa = "".join((a.doc.get("postcode") or "").split()) if isinstance(a, dp.Record) else ""
        pb = "".join((b.doc.get("postcode") or "").split()) if isinstance(b, dp.Record) else ""
        return bool(pa) and pa == pb and a.city == b.city and a.folded != b.folded

    d.take("cross2 same town and postcode, other name", dp.cross(keep, cordis, same_postcode), 12)
    d.take("cross2 token_sort_ratio [70,80)", band(x_sort, 70, 80), 8)
    d.take(
        "cross2 random pair, one country and town",
        random_pairs(keep, cordis, rng, 40, True),
        8,
    )

    # ---- Kohesio vs keep.eu and vs CORDIS (the 11 countries of the beneficiary list) ----
    countries = set(dk.COUNTRIES.values())
    keep_k = [r for r in keep if r.country in countries]
    cordis_k = [r for r in cordis if r.country in countries]
    for other, label, n_ratio, n_w, n_part, n_rand in (
        (keep_k, "kohesio2-keep", 10, 10, 8, 4),
        (cordis_k, "kohesio2-cordis", 10, 10, 6, 4),
    ):
        k_ratio = scored(kohesio, other, fuzz.ratio, 85, False)
        k_wratio = scored(kohesio, other, fuzz.WRatio, 80, False)
        k_partial = scored(kohesio, other, fuzz.partial_ratio, 95, False)
        d.take(f"{label} ratio >= 85", band(k_ratio, 85, 101), n_ratio)
        d.take(f"{label} WRatio [80,95)", band(k_wratio, 80, 95), n_w)
        d.take(f"{label} partial_ratio >= 95, token_set_ratio < 90", inside_not_alike(k_partial), n_part)
        d.take(
            f"{label} random pair, one country",
            random_pairs(other, kohesio, rng, 40, False),
            n_rand,
        )
    return d.pairs, d.pool_sizes


def pair_key(a: dict, b: dict) -> frozenset:
    def one(r: dict) -> tuple:
        if r["source"] == "kohesio":
            return ("kohesio", r["country"], r["region"], r["name"], r["eu_amount"], r["projects"])
        return (r["source"], r["country"], r["city"], r["name"])

    return frozenset((one(a), one(b)))


def show(pairs: list[dict], labels: dict, first: int, last: int) -> None:
    for i, p in enumerate(pairs, 1):
        if not first <= i <= last:
            continue
        a, b = p["a"], p["b"]
        old = labels.get(pair_key(out(a), out(b)), {})
        print(f"=== {i} {p['kind']} | {p['drawn_by']} | {old.get('label')}")
        for side, r in (("A", a), ("B", b)):
            doc = {k: v for k, v in out(r).items() if v not in (None, [], "") and k != "id"}
            nuts = doc.pop("nuts", None)
            if nuts:
                doc["nuts"] = nuts[-1]["code"] + " " + (nuts[-1]["name"] or "")
            print(f"  {side} {json.dumps(doc, ensure_ascii=False)}")
            projects = getattr(r, "projects", [])
            for title, programme, role in projects[:4]:
                print(f"      - [{role}] {title[:90]} | {programme[:50]}")
            if len(projects) > 4:
                print(f"      - ... {len(projects)} projects in all")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    data = dp.shared_data()
    ap.add_argument("--keep-xlsx", type=Path, default=data / "keep" / "keep_closed_1420.xlsx")
    ap.add_argument(
        "--cordis-zip", type=Path, default=data / "cordis" / "cordis_horizon_projects_xml_sample.zip"
    )
    ap.add_argument("--tsv", type=Path, default=data / "kohesio" / "beneficiaries_api_2023-01.tsv")
    ap.add_argument("--keep-db", type=Path, help="a catalog holding only the keep.eu import")
    ap.add_argument("--cordis-db", type=Path, help="a catalog holding only the CORDIS import")
    ap.add_argument("--out", type=Path, default=HERE / "pairs2.jsonl")
    ap.add_argument("--show", action="store_true", help="print the pairs for reading instead")
    ap.add_argument("--range", default="1-100000", help="with --show: pairs FIRST-LAST only")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        keep_db, cordis_db = args.keep_db, args.cordis_db
        if keep_db is None:
            keep_db = Path(tmp) / "keep.db"
            dp.import_catalog(keep_db, "keep-eu", args.keep_xlsx)
        if cordis_db is None:
            cordis_db = Path(tmp) / "cordis.db"
            dp.import_catalog(cordis_db, "cordis", args.cordis_zip)
        keep, cordis = dp.load(keep_db, "keep"), dp.load(cordis_db, "cordis")
    kohesio = dk.load_kohesio(args.tsv)
    known = known_pairs([HERE / "pairs.jsonl", HERE / "kohesio_pairs.jsonl"])

    pairs, pool_sizes = draw(keep, cordis, kohesio, known)

    labels = {}
    if args.out.exists():
        olds = [json.loads(line) for line in args.out.read_text(encoding="utf-8").splitlines()]
        labels = {pair_key(o["a"], o["b"]): {"label": o["label"], "why": o["why"]} for o in olds}

    if args.show:
        first, last = (int(x) for x in args.range.split("-"))
        show(pairs, labels, first, last)
        return

    unlabelled = {"label": None, "why": None}
    rows = (
        {"id": i, "a": out(p["a"]), "b": out(p["b"])}
        | labels.get(pair_key(out(p["a"]), out(p["b"])), unlabelled)
        | {"kind": p["kind"], "drawn_by": p["drawn_by"]}
        for i, p in enumerate(pairs, 1)
    )
    text_ = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    args.out.write_text(text_, encoding="utf-8")
    counts = Counter(p["drawn_by"] for p in pairs)
    print("\n".join(f"{counts[r]:4d} of {pool_sizes[r]:7d}  {r}" for r in counts), file=sys.stderr)
    print(f"{len(pairs)} pairs written to {args.out.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
