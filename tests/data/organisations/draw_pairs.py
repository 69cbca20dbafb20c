"""Draw candidate organisation pairs from the real keep.eu and CORDIS files, for judging by hand.

The pairs go to ``pairs.jsonl`` next to this script (see README.md). Each pair is two organisation
records exactly as the catalog holds them, plus the rule that drew it. The labels are NOT made
here: they are judgements written by a person after reading each pair. When the script is run
again, the label and reason of every pair already in the output file are kept (a pair is known
by its two records' source, name, country and town, not by the catalog's ids), and a newly drawn
pair gets ``"label": null`` until somebody judges it.

The two sources are imported into two separate temporary catalogs with the project's own CLI, so
that a record always shows what one source said, and so that nothing the catalog does to link
records of different sources can shape the draw. Only the organisation records and their
participations are read; no organisation-matching code of the project is used.

Run from the repository root::

    .venv/bin/python tests/data/organisations/draw_pairs.py            # (re)write pairs.jsonl
    .venv/bin/python tests/data/organisations/draw_pairs.py --show     # pairs + project titles

The data files default to ``$EUPROJECTS_SHARED_DATA`` or ``../shared/data`` relative to the
repository; ``--keep-db`` / ``--cordis-db`` take catalogs that were imported already.

Everything is deterministic: records and pools are sorted, and sampling uses a fixed seed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEED = 20240601

# The record fields written for each side of a pair, as the catalog holds them.
FIELDS = (
    "name",
    "other_names",
    "country",
    "city",
    "postcode",
    "street",
    "pic",
    "vat",
    "website",
    "organisation_type",
    "department",
    "legal_status",
    "nuts",
)

# Words too common to tie two names together (legal forms, generic nouns, articles), folded.
GENERIC = set(
    """
    the of and for in on at de del della degli di da do dos das du des la le les el los las en
    y e et und der die das fur zur zum von im am an auf mit i a o u z w na v ve pod
    university universitat universitaet universite universita universidad universidade
    universiteit universitet universitatea univerzita univerzitet uniwersytet universitas
    college school institute institut instituto istituto centre center centro centrum
    research development agency association foundation fundacion fundacio fondazione stiftung
    stichting society national regional region city municipality municipal council county
    public private company limited ltd gmbh ev e.v ag sa sl srl spa bv nv vzw asbl ab oy as
    aps a/s sro doo d.o.o kft zrt se plc cic ltda lda ug kg ohg mbh sas sarl eurl scrl scarl
    technology technologies technical technische engineering science sciences scientific
    applied innovation innovations international european europe network group services
    consulting management solutions systems
    """.split()
)

# Word classes for the hard-negative rules, matched on folded names.
UNIVERSITY = re.compile(
    r"\b(universit|univerzit|uniwersytet|yliopisto|ulikool|egyetem|hochschule|hogskola"
    r"|politecnic|polytechn)"
)
HOSPITAL = re.compile(
    r"(hospital|hopital|ospedal|klinik|clinic|sairaala|sjukhus|szpital|nemocnic|bolnic"
    r"|haigla|korhaz|\bchu\b|universitatsklinik|medical cent)"
)
SUBUNIT = re.compile(
    r"\b(faculty|faculte|facolta|fakult|facultad|faculdade|department|dipartimento"
    r"|departament|departement|wydzial|katedra|school of|institute of|institut fur"
    r"|lehrstuhl|laboratory|research group)"
)
CITY = re.compile(
    r"\b(municipality|municipal|city of|city council|kommune|kommun|gemeinde|stadt|miasto"
    r"|gmina|ayuntamiento|comune|concello|mesto|obec|opcina|obcina|savivaldybe|pasvaldiba"
    r"|dimos|kaupunki|linn|ville|town|borough|stad|grad|varos|primaria|obshtina|municipiul)"
)
REGION = re.compile(
    r"\b(region|regione|regio|county|provinc|landkreis|kreis|wojewodztwo|voivodeship"
    r"|maakond|landsting|fylke|fylkeskommune|zupanija|kraj|megye|judet|diputacion|departement"
    r"|maakunta|bundesland|land |generalitat|junta de|gobierno de|regiao|periferia"
    r"|regional council|county council|oblast)"
)
CHAMBER = re.compile(
    r"(chamber of|kammer|camera di commercio|camara de comercio|camara oficial|izba"
    r"|komora|kamara|kauppakamari|handelskammare|chambre de commerce|chambre des metiers)"
)
# Stricter word lists (whole words only) for the rules added after the first round of judging.
LOCAL = re.compile(
    r"\b(municipality|municipal|city|town|kommune|kommun|gemeinde|stadt|miasto|gmina|ayuntamiento"
    r"|comune|concello|mesto|obec|opcina|obcina|savivaldybe|savivaldybes|pasvaldiba|dimos"
    r"|kaupunki|linn|vald|ville|commune|borough|grad|varos|primaria|obshtina|municipiul"
    r"|onkormanyzat|onkormanyzata)\b"
)
UPPER = re.compile(
    r"\b(region|regione|county|province|provincia|provincie|provinz|landkreis|wojewodztwo"
    r"|voivodeship|powiat|maakond|landsting|fylkeskommune|zupanija|kraj|megye|judet"
    r"|diputacion|maakunta|generalitat|regiao|periferia|perifereia|oblast"
    r"|district administration|regional administration|district governorship)\b"
)
AGENCY = re.compile(
    r"(agency|agentur|agencia|agenzia|agence|agencja|agentura|agentia|development company"
    r"|entwicklungsgesellschaft|wirtschaftsforderung)"
)


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation to spaces, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    return " ".join(re.sub(r"[^\w]+", " ", stripped).split())


def stable_key(name: str, country: str | None, city: str | None) -> str:
    """A digest of the lightly folded name, country and town (the catalog's first organisation key).

    Records are ordered and known by this, not by the catalog's id, so the draw and the labels
    do not depend on the catalog's id scheme (which has changed: ids of sources other than
    keep.eu now carry the source).
    """

    def light(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())

    joined = "\x1f".join(light(p) for p in (name, country or "", city or ""))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


def words(text: str) -> set[str]:
    return {w for w in fold(text).split() if len(w) >= 4 and w not in GENERIC and not w.isdigit()}


def shared_data() -> Path:
    env = os.environ.get("EUPROJECTS_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def import_catalog(db: Path, kind: str, data: Path) -> None:
    """Import one source into its own catalog with the project's CLI."""
    cmd = [sys.executable, "-m", "euprojects", "--db", str(db), "import", kind, str(data)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Record:
    """One organisation record of one source, with what the drawing and the judging need."""

    def __init__(self, source: str, doc: dict) -> None:
        self.source = source
        self.id: str = doc["id"]  # the catalog's id, written out; not used for drawing
        self.key = (source, stable_key(doc["name"], doc.get("country"), doc.get("city")))
        self.doc = doc
        self.name: str = doc["name"]
        self.country: str | None = doc.get("country")
        self.city: str = fold(doc.get("city") or "")
        self.folded = fold(self.name)
        alt = " ".join(t["text"] for t in doc.get("other_names") or [])
        self.words = words(self.name) | words(alt)
        self.projects: list[tuple[str, str, str]] = []  # (title, programme, role)

    def out(self) -> dict:
        return {"source": self.source, "id": self.id} | {f: self.doc.get(f) for f in FIELDS}


def load(db: Path, source: str) -> list[Record]:
    con = sqlite3.connect(db)
    records = {
        oid: Record(source, json.loads(doc))
        for oid, doc in con.execute("SELECT id, doc FROM organisations ORDER BY id")
    }
    rows = con.execute(
        "SELECT p.organisation_id, json_extract(j.doc, '$.title.text'), j.programme, p.role "
        "FROM participations p JOIN projects j ON j.id = p.project_id "
        "ORDER BY p.organisation_id, j.id"
    )
    for oid, title, programme, role in rows:
        records[oid].projects.append((title or "", programme or "", role))
    con.close()
    return sorted(records.values(), key=lambda r: r.key)


def tsr(a: Record, b: Record) -> float:
    return fuzz.token_set_ratio(a.folded, b.folded)


class Drawer:
    """Pools of candidate pairs per rule, sampled deterministically, each pair drawn once."""

    def __init__(self, keep: list[Record], cordis: list[Record]) -> None:
        self.keep = keep
        self.cordis = cordis
        self.rng = random.Random(SEED)
        self.taken: set[frozenset] = set()
        self.pairs: list[dict] = []
        self.pool_sizes: dict[str, int] = {}
        df: Counter[str] = Counter()
        for r in keep + cordis:
            df.update(r.words)
        self.df = df

    def rare(self, a: Record, b: Record, most: int) -> set[str]:
        return {w for w in a.words & b.words if self.df[w] <= most}

    def take(self, rule: str, pool: Iterable[tuple[Record, Record]], n: int) -> None:
        fresh: dict[frozenset, tuple[Record, Record]] = {}
        for a, b in pool:
            k = frozenset((a.key, b.key))
            if a.key != b.key and k not in self.taken and k not in fresh:
                fresh[k] = (a, b)
        ordered = sorted(fresh.values(), key=lambda p: (p[0].key, p[1].key))
        self.pool_sizes[rule] = len(ordered)
        for a, b in self.rng.sample(ordered, min(n, len(ordered))):
            self.taken.add(frozenset((a.key, b.key)))
            self.pairs.append({"kind": kind_of(a, b), "drawn_by": rule, "a": a, "b": b})

    def take_per_kind(self, rule: str, pool: Iterable[tuple[Record, Record]], total: int) -> None:
        """Split the pool by kind (cross-source, keep-keep, cordis-cordis), sample each alike."""
        kinds: dict[str, list[tuple[Record, Record]]] = defaultdict(list)
        for a, b in pool:
            kinds[kind_of(a, b)].append((a, b))
        for kind in sorted(kinds):
            self.take(f"{rule} ({kind})", kinds[kind], max(2, total // len(kinds)))

    def take_banded(
        self,
        rule: str,
        pool: Iterable[tuple[Record, Record]],
        bands: list[tuple[float, float, int]],
    ) -> None:
        scored = [(tsr(a, b), a, b) for a, b in pool]
        for lo, hi, n in bands:
            self.take(
                f"{rule} [{lo:g},{hi:g})",
                ((a, b) for s, a, b in scored if lo <= s < hi),
                n,
            )


def by_country(records: list[Record]) -> dict[str | None, list[Record]]:
    out: dict[str | None, list[Record]] = defaultdict(list)
    for r in records:
        out[r.country].append(r)
    return out


def cross(
    keep: list[Record], cordis: list[Record], test: Callable[[Record, Record], bool]
) -> list[tuple[Record, Record]]:
    cc = by_country(cordis)
    return [(k, c) for k in keep for c in cc.get(k.country, []) if test(k, c)]


def within(records: list[Record], test: Callable[[Record, Record], bool]):
    for group in by_country(records).values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if test(a, b):
                    yield a, b


def pattern_pair(x: re.Pattern, y: re.Pattern, d: Drawer, shared: Callable[[Record, Record], bool]):
    """a matches x and not y, b matches y and not x, and ``shared(a, b)`` holds."""
    flags: dict[tuple[str, str], tuple[bool, bool]] = {}

    def classes(r: Record) -> tuple[bool, bool]:
        if r.key not in flags:
            flags[r.key] = (bool(x.search(r.folded)), bool(y.search(r.folded)))
        return flags[r.key]

    def test(a: Record, b: Record) -> bool:
        (ax, ay), (bx, by) = classes(a), classes(b)
        return ((ax and not ay and by and not bx) or (bx and not by and ay and not ax)) and shared(
            a, b
        )

    return test


def draw(keep: list[Record], cordis: list[Record]) -> tuple[list[dict], dict[str, int]]:
    d = Drawer(keep, cordis)
    both = keep + cordis

    # Same PIC (or VAT) on two records, within CORDIS; keep.eu's 2014-2020 export has neither.
    def same_id(field: str) -> Callable[[Record, Record], bool]:
        return lambda a, b: bool(a.doc.get(field)) and a.doc.get(field) == b.doc.get(field)

    d.take("cordis same PIC, other record", within(cordis, same_id("pic")), 40)
    d.take(
        "cordis same VAT, other PIC",
        within(cordis, lambda a, b: same_id("vat")(a, b) and a.doc["pic"] != b.doc["pic"]),
        10,
    )

    # Hard negatives (and their look-alike positives), any sources, same country.
    hard = [
        ("hard: university vs hospital", UNIVERSITY, HOSPITAL, 12),
        ("hard: city vs region", CITY, REGION, 12),
        ("hard: unit vs university", SUBUNIT, UNIVERSITY, 12),
        ("hard: chamber vs agency", CHAMBER, AGENCY, 8),
    ]

    def rare_word(a: Record, b: Record) -> bool:
        return bool(d.rare(a, b, 40))

    for rule, x, y, n in hard:
        d.take_per_kind(rule, within(both, pattern_pair(x, y, d, rare_word)), n)

    # The same name (folded) in another town, within keep.eu (e.g. two municipalities).
    d.take(
        "keep same name, other town",
        within(keep, lambda a, b: a.folded == b.folded and a.city != b.city),
        12,
    )
    # A near-identical name in another country.
    index: dict[str, list[Record]] = defaultdict(list)
    for c in cordis:
        for w in c.words:
            index[w].append(c)
    other_country = [
        (a, b)
        for a in keep
        if len(a.folded) >= 8
        for b in {c.key: c for w in sorted(a.words) for c in index[w]}.values()
        if b.country != a.country and fuzz.ratio(a.folded, b.folded) >= 92
    ]
    d.take("cross near-same name, other country", other_country, 10)

    # Cross-source, same country, similar names: the bulk of the sample, by score band.
    similar = cross(keep, cordis, lambda a, b: tsr(a, b) >= 80)
    d.take_banded(
        "cross token_set_ratio",
        similar,
        [(100, 101, 30), (95, 100, 25), (90, 95, 25), (85, 90, 12), (80, 85, 8)],
    )
    # Cross-source, same country, a rare shared word (df <= 6) but a low name score.
    d.take(
        "cross rare word, token_set_ratio < 80",
        cross(keep, cordis, lambda a, b: bool(d.rare(a, b, 6)) and tsr(a, b) < 80),
        25,
    )
    # Records that both sources spelled alike (one record in a shared catalog).
    d.take(
        "cross same folded name and town",
        cross(keep, cordis, lambda a, b: a.folded == b.folded and a.city == b.city),
        8,
    )

    # Within keep.eu: spelling variants and other towns, then translations (rare shared word).
    d.take_banded(
        "keep token_set_ratio",
        within(keep, lambda a, b: fuzz.token_set_ratio(a.folded, b.folded) >= 85),
        [(100, 101, 15), (92, 100, 15), (85, 92, 10)],
    )
    d.take(
        "keep rare word, token_set_ratio < 85",
        within(keep, lambda a, b: bool(d.rare(a, b, 6)) and tsr(a, b) < 85),
        12,
    )

    # Within CORDIS: similar names with different PICs.
    d.take_banded(
        "cordis token_set_ratio, other PIC",
        within(
            cordis,
            lambda a, b: (
                a.doc.get("pic") != b.doc.get("pic")
                and fuzz.token_set_ratio(a.folded, b.folded) >= 88
            ),
        ),
        [(100, 101, 12), (88, 100, 12)],
    )

    # Rules added after the first round of judging (appended, so the draws above stay as they
    # were): a shared website domain across sources, and stricter local-authority rules.
    def domain(r: Record) -> str | None:
        m = re.match(r"(?:https?://)?(?:www\d*\.)?([^/:?#]+)", (r.doc.get("website") or "").lower())
        return m.group(1) if m and m.group(1) else None

    d.take(
        "cross same website domain",
        cross(keep, cordis, lambda a, b: domain(a) is not None and domain(a) == domain(b)),
        10,
    )

    def place_word(a: Record, b: Record) -> bool:
        """A shared rare word (df <= 40) that is also a word of either record's town."""
        return bool(d.rare(a, b, 40) & (words(a.city) | words(b.city)))

    d.take_per_kind(
        "hard: local authority vs county/region",
        within(both, pattern_pair(LOCAL, UPPER, d, place_word)),
        18,
    )
    local_only = {r.key for r in both if LOCAL.search(r.folded) and not UPPER.search(r.folded)}

    def two_local(a: Record, b: Record) -> bool:
        return (
            a.key in local_only
            and b.key in local_only
            and a.folded != b.folded
            and place_word(a, b)
        )

    d.take("hard: two local authorities, same place word", within(both, two_local), 14)
    return d.pairs, d.pool_sizes


def kind_of(a: Record, b: Record) -> str:
    if a.source != b.source:
        return "cross-source"
    return f"{a.source}-{a.source}"


def order(a: Record, b: Record) -> tuple[Record, Record]:
    """keep before cordis; within a source, by stable key."""
    return (a, b) if (a.source != "keep", a.key) <= (b.source != "keep", b.key) else (b, a)


def show(pairs: list[dict], labels: dict) -> None:
    for i, p in enumerate(pairs, 1):
        a, b = order(p["a"], p["b"])
        old = labels.get(frozenset((a.key, b.key)), {})
        print(f"=== {i} {p['kind']} | {p['drawn_by']} | tsr {tsr(a, b):.0f} | {old.get('label')}")
        for side, r in (("A", a), ("B", b)):
            doc = {k: v for k, v in r.out().items() if v not in (None, [], "") and k != "id"}
            nuts = doc.pop("nuts", None)
            if nuts:
                doc["nuts"] = nuts[-1]["code"] + " " + (nuts[-1]["name"] or "")
            print(f"  {side} {json.dumps(doc, ensure_ascii=False)}")
            for title, programme, role in r.projects[:4]:
                print(f"      - [{role}] {title[:90]} | {programme[:60]}")
            if len(r.projects) > 4:
                print(f"      - ... {len(r.projects)} projects in all")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    data = shared_data()
    ap.add_argument("--keep-xlsx", type=Path, default=data / "keep" / "keep_closed_1420.xlsx")
    ap.add_argument(
        "--cordis-zip",
        type=Path,
        default=data / "cordis" / "cordis_horizon_projects_xml_sample.zip",
    )
    ap.add_argument("--keep-db", type=Path, help="a catalog holding only the keep.eu import")
    ap.add_argument("--cordis-db", type=Path, help="a catalog holding only the CORDIS import")
    ap.add_argument("--out", type=Path, default=HERE / "pairs.jsonl")
    ap.add_argument("--show", action="store_true", help="print the pairs for reading instead")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        keep_db, cordis_db = args.keep_db, args.cordis_db
        if keep_db is None:
            keep_db = Path(tmp) / "keep.db"
            import_catalog(keep_db, "keep-eu", args.keep_xlsx)
        if cordis_db is None:
            cordis_db = Path(tmp) / "cordis.db"
            import_catalog(cordis_db, "cordis", args.cordis_zip)
        keep, cordis = load(keep_db, "keep"), load(cordis_db, "cordis")

    pairs, pool_sizes = draw(keep, cordis)

    labels: dict[frozenset, dict] = {}
    if args.out.exists():
        for line in args.out.read_text(encoding="utf-8").splitlines():
            old = json.loads(line)
            k = frozenset(
                (side["source"], stable_key(side["name"], side["country"], side["city"]))
                for side in (old["a"], old["b"])
            )
            labels[k] = {"label": old["label"], "why": old["why"]}

    if args.show:
        show(pairs, labels)
        return

    lines = []
    for i, p in enumerate(pairs, 1):
        a, b = order(p["a"], p["b"])
        old = labels.get(frozenset((a.key, b.key)), {})
        row = {
            "id": i,
            "a": a.out(),
            "b": b.out(),
            "label": old.get("label"),
            "why": old.get("why"),
            "kind": p["kind"],
            "drawn_by": p["drawn_by"],
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")

    per_rule = Counter(p["drawn_by"] for p in pairs)
    for rule in sorted(per_rule):
        print(f"{per_rule[rule]:4d} of {pool_sizes[rule]:6d}  {rule}", file=sys.stderr)
    print(f"{len(pairs)} pairs written to {args.out.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
