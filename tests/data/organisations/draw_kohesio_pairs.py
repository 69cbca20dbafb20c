"""Draw candidate organisation pairs from the Kohesio beneficiary list and keep.eu, for judging.

The pairs go to ``kohesio_pairs.jsonl`` next to this script (see README.md, section "Kohesio
pairs"). Two kinds:

- ``kohesio-kohesio``: two rows of ``kohesio/beneficiaries_api_2023-01.tsv`` (the beneficiary list
  read from Kohesio's API, not a bulk export) of one country;
- ``kohesio-keep``: one row of that list and one keep.eu partner record of the same country.

As in ``draw_pairs.py``, the labels are NOT made here: they are judgements written by a person
after reading each pair. When the script is run again, the label and reason of every pair already
in the output file are kept (a pair is known by its two records, not by its number), and a newly
drawn pair gets ``"label": null`` until somebody judges it.

The keep.eu export is imported into a temporary catalog of its own with the project's CLI, and
only its ``organisations`` and ``participations`` tables are read. The TSV is read as plain text.
No organisation-matching code of the project is used.

Run from the repository root::

    .venv/bin/python tests/data/organisations/draw_kohesio_pairs.py          # (re)write the file
    .venv/bin/python tests/data/organisations/draw_kohesio_pairs.py --show   # pairs for reading

The data files default to ``$EUPROJECTS_SHARED_DATA`` or ``../shared/data`` relative to the
repository; ``--keep-db`` takes a catalog that holds the keep.eu import already.

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
from collections.abc import Iterable, Iterator
from pathlib import Path

from rapidfuzz import fuzz, process

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEED = 20240615

COUNTRIES = {
    "Bulgaria": "BG",
    "Croatia": "HR",
    "Czechia": "CZ",
    "Estonia": "EE",
    "Hungary": "HU",
    "Latvia": "LV",
    "Lithuania": "LT",
    "Poland": "PL",
    "Romania": "RO",
    "Slovakia": "SK",
    "Slovenia": "SI",
}

# The keep record fields written out, as the catalog holds them (as in draw_pairs.py).
KEEP_FIELDS = (
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

# Bulgarian streamlined transliteration, used only to compare the few Cyrillic TSV names that
# carry no transliteration of their own (the record keeps "transliteration": null).
BG_LATIN = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъьюя",
        "a b v g d e zh z i y k l m n o p r s t u f h ts ch sh sht a y yu ya".split(),
        strict=True,
    )
)
CYRILLIC = re.compile("[\u0400-\u04ff]")

# Legal forms and the activity words that go with them, dropped from every name before it is
# compared (otherwise all Hungarian "... Kereskedelmi és Szolgáltató Korlátolt Felelősségű
# Társaság" look alike). Folded.
LEGAL = set(
    """
    ood eood ead ad et eat kd sd
    sp spolka spolki zoo oo ograniczona ograniczonej odpowiedzialnoscia akcyjna jawna
    komandytowa
    srl sa sca snc pfa
    sro spol ro as akciova spolecnost spolocnost zs zu ops
    kft zrt nyrt bt korlatolt felelossegu tarsasag reszvenytarsasag betei beteti zartkoruen
    mukodo nyilvanosan kereskedelmi szolgaltato es nonprofit kozhasznu
    doo dd jdoo drustvo ogranicenom odgovornoscu proizvodnju trgovinu usluge promet
    uab uzdaroji akcine bendrove ab vsi
    sia akciju sabiedriba ar ierobezotu atbildibu
    ou mtu aktsiaselts osauhing
    ltd limited llc plc inc co company gmbh
    """.split()
)

# Words also dropped to get a name's "core": generic words for local and regional authorities
# in the eleven countries and in English, and small words (folded).
AUTHORITY = set(
    """
    the of and for in on at de a an i u v w z na za pri ve pe si und der die das
    municipality municipal municipalities city town village commune community council
    local authority authorities administration administrative office
    county region regional district province
    obshtina obshtinata obshtinska oblast oblastna administratsiya rayon
    gmina gminy gminie gminny gminna miasto miasta miejski miejska miejskie powiat powiatu
    powiatowy wojewodztwo wojewodztwa urzad urzedu marszalkowski marszalkowskiego
    comuna comunei comunal municipiul municipiului oras orasul orasului judetul judetului
    judet judetean judeteana consiliul consiliului primaria primariei unitatea unitate
    administrativ administrativa teritoriala teritorial uat
    onkormanyzat onkormanyzata onkormanyzatanak kozseg kozsegi kozsegek nagykozseg
    nagykozsegi varos varosi varosa megye megyei megyeszekhely polgarmesteri hivatal hivatala
    grad grada gradska gradski opcina opcine opcinski opcinska zupanija zupanije
    obcina obcine mestna mestne obec obce mesto mesta mestska mestsky mestys cast
    kraj krajsky kraja samosprava samospravny
    savivaldybe savivaldybes administracija rajono miesto
    novads novada pasvaldiba pilseta pilsetas dome
    vald valla vallavalitsus linn linna linnavalitsus maakond maakonna omavalitsus
    """.split()
)
GENERIC_CORE = LEGAL | AUTHORITY

# Words too common to tie two names together in the rare-word rules (folded).
GENERIC_WORDS = GENERIC_CORE | set(
    """
    university universitatea uniwersytet univerzita univerzitet univerza universitetas
    universitate egyetem sveuciliste ulikool universitats
    school skola szkola scoala iskola gimnazija gymnazium gimnazjum kool mokykla
    college institute institut instytut institutul centre center centrum centar centras
    centru kozpont keskus
    association sdruzhenie stowarzyszenie asociatia egyesulet udruga zdruzenie drustvo
    biedriba asociacija uhing fondatsiya fundacja fundatia alapitvany zaklada fundacija
    foundation nadacia nadace
    agency agentsiya agencja agentia agencia ugynokseg agencija agentura
    development razvoj rozwoju dezvoltare fejlesztesi regionalna regionalni regionalny
    regionala regionalis national natsionalna narodowy nationala nemzeti nacionalni
    chamber kamara komora izba camera koda
    commerce industry trade business enterprise enterprises services service
    public private state european europe international bulgaria bulgarian polska
    romania hungary croatia czech slovak slovenia lithuania latvia estonia
    museum muzeum muzeul muzej hospital szpital spital bolnica nemocnica korhaz haigla
    ministry ministerstvo ministerul ministerstwo miniszterium ministarstvo
    faculty fakultet wydzial facultatea fakulta kar
    tsentar uchilishte gimnaziya profesionalna sredno osnovno detska gradina
    """.split()
)

LOCAL = re.compile(
    r"\b(municipality|municipal|city of|town of|obshtina|gmina|miasto|comuna|municipiul|oras"
    r"|orasul|primaria|onkormanyzat|onkormanyzata|kozseg|kozsegi|varos|grad|opcina|obcina"
    r"|obec|mesto|mestys|savivaldybe|savivaldybes|novada|pasvaldiba|vald|valla|vallavalitsus"
    r"|linn|linnavalitsus)\b"
)
UPPER = re.compile(
    r"\b(county|region|province|oblast|oblastna|zupanija|judetul|judet|judetean|megye|megyei"
    r"|wojewodztwo|powiat|kraj|maakond|voivodeship|district administration)\b"
)
UNIVERSITY = re.compile(
    r"\b(universit\w*|univerzit\w*|uniwersytet\w*|univerz\w*|egyetem\w*|sveucilist\w*|ulikool)\b"
)
UNIT_OR_OTHER = re.compile(
    r"\b(faculty|fakultet\w*|fakult\w*|facultatea|wydzial|kar|department|institute|institut"
    r"|hospital|klinik\w*|clinic\w*|college|kolegium|foundation|fundati\w*|fondatsiya)\b"
)
CHAMBER = re.compile(r"\b(chamber|kamara|komora|izba|camera|koda|kamer\w*)\b")


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation to spaces, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    stripped = stripped.replace("đ", "d")
    return " ".join(re.sub(r"[^\w]+", " ", stripped).split())


def bg_latin(text: str) -> str:
    """Bulgarian streamlined transliteration (letters only; for comparing, not for output)."""
    return "".join(BG_LATIN.get(c, c) for c in text.lower())


def base(folded: str) -> str:
    """The folded name without legal forms (the whole folded name if nothing else is left)."""
    kept = " ".join(w for w in folded.split() if w not in LEGAL and len(w) > 1)
    return kept or folded


def core(folded: str) -> str:
    return " ".join(w for w in folded.split() if w not in GENERIC_CORE and not w.isdigit())


def words(folded: str) -> set[str]:
    return {w for w in folded.split() if len(w) >= 4 and w not in GENERIC_WORDS and not w.isdigit()}


def digest(*parts: str | None) -> str:
    joined = "\x1f".join(" ".join((p or "").split()) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


def shared_data() -> Path:
    env = os.environ.get("EUPROJECTS_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def import_keep(db: Path, xlsx: Path) -> None:
    """Import the keep.eu export into its own catalog with the project's CLI."""
    cmd = [sys.executable, "-m", "euprojects", "--db", str(db), "import", "keep-eu", str(xlsx)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Record:
    """One record of either source, with what the drawing and the judging need."""

    source: str
    key: tuple[str, str]
    name: str
    country: str
    text: str  # folded, Latin script (the transliteration where there is one), no legal forms
    core: str
    words: set[str]
    place: str  # keep: folded town; kohesio: ""
    projects: list[tuple[str, str, str]]

    def out(self) -> dict:
        raise NotImplementedError

    def finish(self, texts: Iterable[str]) -> None:
        self.core = core(self.text)
        self.words = set().union(*(words(t) for t in texts))
        self.projects = []


class Kohesio(Record):
    def __init__(self, row: list[str]) -> None:
        country, region, name, _total, eu, n_projects, translit = row[:7]
        self.source = "kohesio"
        self.name = name
        self.country = COUNTRIES[country]
        self.region = region
        self.translit = translit or None
        self.eu = eu or None
        self.n_projects = int(n_projects)
        self.key = ("kohesio", digest(name, self.country, region, eu, n_projects))
        if translit:
            latin = translit
        elif CYRILLIC.search(name):
            latin = bg_latin(name)
        else:
            latin = name
        self.text = base(fold(latin))
        self.folded_name = fold(name)
        self.place = ""
        self.finish([self.text])

    def out(self) -> dict:
        return {
            "source": "kohesio",
            "name": self.name,
            "other_names": [],
            "transliteration": self.translit,
            "country": self.country,
            "city": None,
            "region": self.region,
            "postcode": None,
            "street": None,
            "pic": None,
            "vat": None,
            "website": None,
            "organisation_type": None,
            "department": None,
            "legal_status": None,
            "nuts": [],
            "eu_amount": self.eu,
            "projects": self.n_projects,
        }


class Keep(Record):
    def __init__(self, doc: dict) -> None:
        self.source = "keep"
        self.doc = doc
        self.id: str = doc["id"]
        self.name = doc["name"]
        self.country = doc.get("country") or ""
        self.key = ("keep", digest(self.name, self.country, doc.get("city")))
        self.text = base(fold(self.name))
        self.place = fold(doc.get("city") or "")
        alt = [fold(t["text"]) for t in doc.get("other_names") or []]
        self.finish([self.text, *alt])

    def out(self) -> dict:
        return {"source": "keep", "id": self.id} | {f: self.doc.get(f) for f in KEEP_FIELDS}


def load_kohesio(tsv: Path) -> list[Kohesio]:
    lines = tsv.read_text(encoding="utf-8").splitlines()
    records: dict[tuple[str, str], Kohesio] = {}
    for line in lines[1:]:
        r = Kohesio(line.split("\t"))
        records.setdefault(r.key, r)  # 24 lines of the file are exact repeats
    return sorted(records.values(), key=lambda r: r.key)


def load_keep(db: Path, countries: set[str]) -> list[Keep]:
    con = sqlite3.connect(db)
    records = {
        oid: Keep(json.loads(doc))
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
    keep = {}
    for r in records.values():
        if r.country in countries:
            keep.setdefault(r.key, r)
    return sorted(keep.values(), key=lambda r: r.key)


def tsr(a: Record, b: Record) -> float:
    return fuzz.token_set_ratio(a.text, b.text)


def core_tsr(a: Record, b: Record) -> float:
    if not a.core or not b.core:
        return 0.0
    return fuzz.token_set_ratio(a.core, b.core)


class Scored:
    """A candidate pair with its scores."""

    __slots__ = ("a", "b", "full", "core")

    def __init__(self, a: Record, b: Record) -> None:
        self.a, self.b = a, b
        self.full = tsr(a, b)
        self.core = core_tsr(a, b)


def candidates(
    left: list[Record], right: list[Record], same_list: bool, df: Counter[str]
) -> Iterator[Scored]:
    """Pairs of one country with full or core tsr >= 75, or a shared rare word (df <= 40)."""
    right_cores = [r.core for r in right]
    index: dict[str, list[int]] = defaultdict(list)
    for j, r in enumerate(right):
        for w in r.words:
            if df[w] <= 40:
                index[w].append(j)
    texts = [r.text for r in right]
    for i, a in enumerate(left):
        near: set[int] = set()
        for _, _, j in process.extract_iter(
            a.text, texts, scorer=fuzz.token_set_ratio, score_cutoff=75
        ):
            near.add(j)
        if a.core:
            for _, _, j in process.extract_iter(
                a.core, right_cores, scorer=fuzz.token_set_ratio, score_cutoff=75
            ):
                if right_cores[j]:
                    near.add(j)
        for w in a.words:
            near.update(index.get(w, ()))
        for j in sorted(near):
            if same_list and j <= i:
                continue
            b = right[j]
            if a.key != b.key:
                yield Scored(a, b)


class Drawer:
    """Pools of candidate pairs per rule, sampled deterministically, each pair drawn once."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.taken: set[frozenset] = set()
        self.pairs: list[dict] = []
        self.pool_sizes: dict[str, int] = {}

    def take(self, kind: str, rule: str, pool: Iterable[Scored], n: int) -> None:
        """Sample n pairs; for variety, within one rule a record is used at most once, and so is
        a set of core words that both names share (e.g. the Croatian Red Cross's town societies)."""
        fresh: dict[frozenset, Scored] = {}
        for s in pool:
            k = frozenset((s.a.key, s.b.key))
            if k not in self.taken and k not in fresh:
                fresh[k] = s
        ordered = sorted(fresh.values(), key=lambda s: sorted((s.a.key, s.b.key)))
        self.pool_sizes[rule] = len(ordered)
        self.rng.shuffle(ordered)
        used: set[tuple[str, str]] = set()
        shared_seen: set[frozenset[str]] = set()
        got = 0
        for s in ordered:
            if got == n:
                break
            shared = frozenset(s.a.core.split()) & frozenset(s.b.core.split())
            if s.a.key in used or s.b.key in used or (shared and shared in shared_seen):
                continue
            used.update((s.a.key, s.b.key))
            if shared:
                shared_seen.add(shared)
            self.taken.add(frozenset((s.a.key, s.b.key)))
            self.pairs.append({"kind": kind, "drawn_by": rule, "pair": s})
            got += 1


def authority_like(r: Record) -> bool:
    """A short name (core of 1-3 words), not an Estonian flat owners' association."""
    return 0 < len(r.core.split()) <= 3 and "korteriuhistu" not in r.text


def is_local(r: Record) -> bool:
    return bool(LOCAL.search(r.text)) and not UPPER.search(r.text) and authority_like(r)


def is_upper(r: Record) -> bool:
    return bool(UPPER.search(r.text)) and not LOCAL.search(r.text) and authority_like(r)


def draw(kohesio: list[Kohesio], keep: list[Keep]) -> tuple[list[dict], dict[str, int]]:
    d = Drawer()
    df: Counter[str] = Counter()
    for r in [*kohesio, *keep]:
        df.update(r.words)

    def rare(s: Scored, most: int) -> set[str]:
        return {w for w in s.a.words & s.b.words if df[w] <= most}

    by_country_k: dict[str, list[Record]] = defaultdict(list)
    by_country_p: dict[str, list[Record]] = defaultdict(list)
    for r in kohesio:
        by_country_k[r.country].append(r)
    for r in keep:
        by_country_p[r.country].append(r)

    kk: list[Scored] = []
    kp: list[Scored] = []
    for cc in sorted(by_country_k):
        kk.extend(candidates(by_country_k[cc], by_country_k[cc], True, df))
        kp.extend(candidates(by_country_k[cc], by_country_p.get(cc, []), False, df))

    def cyrillic(r: Record) -> bool:
        return bool(CYRILLIC.search(r.name))

    # ---- kohesio-kohesio: two rows of the beneficiary list, one country ----
    K = "kohesio-kohesio"

    def kk_case(s: Scored) -> bool:
        a, b = s.a, s.b
        assert isinstance(a, Kohesio) and isinstance(b, Kohesio)
        return a.name != b.name and a.folded_name == b.folded_name

    def kk_same(s: Scored) -> bool:
        return s.a.name == s.b.name

    d.take(K, "kk same name, other row", (s for s in kk if kk_same(s)), 5)
    d.take(K, "kk same folded name, other spelling", (s for s in kk if kk_case(s)), 12)

    def scripts(s: Scored) -> bool:
        return cyrillic(s.a) != cyrillic(s.b)

    d.take(
        K,
        "kk Cyrillic vs Latin script, core ratio >= 85",
        (s for s in kk if scripts(s) and fuzz.ratio(s.a.core, s.b.core) >= 85),
        11,
    )
    d.take(
        K,
        "kk Cyrillic vs Latin script, core tsr 100, shared rare word",
        (s for s in kk if scripts(s) and s.core == 100 and rare(s, 40)),
        4,
    )
    for lo, hi, n in [(100, 101, 10), (90, 100, 12), (80, 90, 8)]:
        d.take(
            K,
            f"kk core token_set_ratio [{lo:g},{hi:g})",
            (s for s in kk if lo <= s.core < hi and not kk_same(s) and not kk_case(s)),
            n,
        )

    def two_local(s: Scored) -> bool:
        return (
            is_local(s.a)
            and is_local(s.b)
            and s.a.core != s.b.core
            and 75 <= fuzz.ratio(s.a.core, s.b.core) < 95
        )

    d.take(K, "hard: two local authorities, similar place names (kk)", filter(two_local, kk), 8)
    d.take(
        K,
        "kk rare word, token_set_ratio < 80",
        (s for s in kk if rare(s, 6) and s.full < 80 and s.core < 85),
        8,
    )

    # ---- kohesio-keep: one Kohesio row, one keep.eu partner record, one country ----
    P = "kohesio-keep"
    for lo, hi, n, most in [(100, 101, 20, 60), (90, 100, 18, 70), (80, 90, 12, 70)]:
        d.take(
            P,
            f"kp token_set_ratio [{lo:g},{hi:g}), core >= {most}",
            (s for s in kp if lo <= s.full < hi and s.core >= most),
            n,
        )

    def both_authorities(s: Scored) -> bool:
        return (is_local(s.a) or is_upper(s.a) or not s.a.text.count(" ")) and (
            is_local(s.b) or is_upper(s.b) or not s.b.text.count(" ")
        )

    d.take(
        P,
        "kp core tsr 100, token_set_ratio < 80, both authority names",
        (s for s in kp if s.core == 100 and s.full < 80 and both_authorities(s)),
        15,
    )
    d.take(
        P,
        "kp core tsr 100, token_set_ratio < 80",
        (s for s in kp if s.core == 100 and s.full < 80),
        10,
    )
    d.take(
        P,
        "kp core tsr [85,100), token_set_ratio < 80",
        (s for s in kp if 85 <= s.core < 100 and s.full < 80),
        12,
    )

    def local_vs_upper(s: Scored) -> bool:
        return ((is_local(s.a) and is_upper(s.b)) or (is_upper(s.a) and is_local(s.b))) and bool(
            rare(s, 40)
        )

    d.take(P, "hard: local authority vs county/region (kp)", filter(local_vs_upper, kp), 8)

    def uni_vs_other(s: Scored) -> bool:
        ua, ub = bool(UNIVERSITY.search(s.a.text)), bool(UNIVERSITY.search(s.b.text))
        oa, ob = bool(UNIT_OR_OTHER.search(s.a.text)), bool(UNIT_OR_OTHER.search(s.b.text))
        return (ua or ub) and (oa != ob or ua != ub) and bool(rare(s, 40))

    d.take(P, "hard: university vs unit or other body (kp)", filter(uni_vs_other, kp), 6)

    def chamber(s: Scored) -> bool:
        return bool(CHAMBER.search(s.a.text)) or bool(CHAMBER.search(s.b.text))

    d.take(P, "kp chamber, tsr or core >= 75 or rare word", filter(chamber, kp), 5)
    d.take(
        P,
        "kp rare word, token_set_ratio < 80",
        (s for s in kp if rare(s, 6) and s.full < 80 and s.core < 85),
        14,
    )
    return d.pairs, d.pool_sizes


def pair_key(a: dict, b: dict) -> frozenset:
    def one(r: dict) -> tuple[str, str]:
        if r["source"] == "kohesio":
            return ("kohesio", r["country"], r["region"], r["name"], r["eu_amount"], r["projects"])
        return ("keep", r["country"], r["city"], r["name"])

    return frozenset((one(a), one(b)))


def ordered(s: Scored) -> tuple[Record, Record]:
    """The Kohesio record first; within one source, by key."""
    a, b = s.a, s.b
    if (a.source != "kohesio", a.key) <= (b.source != "kohesio", b.key):
        return a, b
    return b, a


def show(pairs: list[dict], labels: dict) -> None:
    for i, p in enumerate(pairs, 1):
        s: Scored = p["pair"]
        a, b = ordered(s)
        old = labels.get(pair_key(a.out(), b.out()), {})
        print(
            f"=== {i} {p['kind']} | {p['drawn_by']} | tsr {s.full:.0f} core {s.core:.0f}"
            f" | {old.get('label')}"
        )
        for side, r in (("A", a), ("B", b)):
            doc = {k: v for k, v in r.out().items() if v not in (None, [], "") and k != "id"}
            doc.pop("source")
            doc.pop("country")
            nuts = doc.pop("nuts", None)
            if nuts:
                doc["nuts"] = nuts[-1]["code"] + " " + (nuts[-1]["name"] or "")
            print(f"  {side} {r.source} {r.country} {json.dumps(doc, ensure_ascii=False)}")
            for title, programme, role in r.projects[:4]:
                print(f"      - [{role}] {title[:90]} | {programme[:60]}")
            if len(r.projects) > 4:
                print(f"      - ... {len(r.projects)} projects in all")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    data = shared_data()
    ap.add_argument("--tsv", type=Path, default=data / "kohesio" / "beneficiaries_api_2023-01.tsv")
    ap.add_argument("--keep-xlsx", type=Path, default=data / "keep" / "keep_closed_1420.xlsx")
    ap.add_argument("--keep-db", type=Path, help="a catalog holding only the keep.eu import")
    ap.add_argument("--out", type=Path, default=HERE / "kohesio_pairs.jsonl")
    ap.add_argument("--show", action="store_true", help="print the pairs for reading instead")
    args = ap.parse_args()

    kohesio = load_kohesio(args.tsv)
    with tempfile.TemporaryDirectory() as tmp:
        keep_db = args.keep_db
        if keep_db is None:
            keep_db = Path(tmp) / "keep.db"
            import_keep(keep_db, args.keep_xlsx)
        keep = load_keep(keep_db, set(COUNTRIES.values()))

    pairs, pool_sizes = draw(kohesio, keep)

    labels: dict[frozenset, dict] = {}
    if args.out.exists():
        for line in args.out.read_text(encoding="utf-8").splitlines():
            old = json.loads(line)
            labels[pair_key(old["a"], old["b"])] = {"label": old["label"], "why": old["why"]}

    if args.show:
        show(pairs, labels)
        return

    lines = []
    for i, p in enumerate(pairs, 1):
        a, b = ordered(p["pair"])
        ra, rb = a.out(), b.out()
        old = labels.get(pair_key(ra, rb), {})
        row = {
            "id": i,
            "a": ra,
            "b": rb,
            "label": old.get("label"),
            "why": old.get("why"),
            "kind": p["kind"],
            "drawn_by": p["drawn_by"],
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")

    per_rule = Counter(p["drawn_by"] for p in pairs)
    for rule in per_rule:
        print(f"{per_rule[rule]:4d} of {pool_sizes[rule]:7d}  {rule}", file=sys.stderr)
    print(f"{len(pairs)} pairs written to {args.out.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
