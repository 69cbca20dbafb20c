"""Kohesio at scale: country CSV files of N generated operations in the real export layouts.

    python bench/kohesio_corpus.py OUT_DIR --operations N [--seed 1] [--source-db REAL_DB]
                                   [--no-lookups]

Writes, into OUT_DIR (made if missing, refused if it holds CSV files already), one project file
per country and programming period, named as the official exports are
(``PL-pp14-20-20260924.csv``, ``PL-pp21-27-20260924.csv``...), in the exact 40-column 2014-2020
and 44-column 2021-2027 headers of the hand-made fixtures of tests/data/kohesio (read through
bench/kohesio_import.py), plus ``beneficiaries.csv`` and ``nuts.csv`` beside them, as
``euprojects fetch kohesio`` saves them (``--no-lookups``: without these two). Deterministic for
a seed.

What is real and what is made up:

- Real: the headers; the combinations of category of intervention, thematic, policy and
  specific objective and fund (each row takes them from one fixture row of its layout); the
  NUTS 2021 codes and names of each country (shared data ``geo/nutsrg_1..3.json``); the
  beneficiary names: those of the shared ``kohesio/beneficiaries_api_2023-01.tsv`` for its 11
  countries, elsewhere the real organisation records of keep.eu, CORDIS and EAC in that
  country; the texts: titles and summaries recombined from real keep.eu, CORDIS and EAC
  sentences (corpus.py's pools, from the store given with --source-db or built from the real
  files), in English and in the country's programme language when the real records hold
  enough sentences in it (otherwise the programme-language columns repeat the English, as the
  Irish fixtures do).
- Made up: how operations spread over countries (COUNTRIES, an assumption weighted towards the
  large cohesion-policy countries, not a measured figure) and periods (60 % 2014-2020), ids
  (operations ``Q800000000``..., beneficiaries ``Q960000000``...), programme names and codes (a
  few per country and period), amounts, dates, and a beneficiary's number of operations
  (skewed: a few beneficiaries hold many). One beneficiary per operation, short texts (a title,
  one to three sentences of summary, in each language).

Prints a JSON summary (files, rows, bytes, beneficiaries, time); progress on stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, SHARED, Pools, build_real_store, read_records  # noqa: E402
from kohesio_import import fixture_rows, layout_header  # noqa: E402

DATE = "20260924"
ENTITY = "https://linkedopendata.eu/entity/"
OPERATION_BASE, BENEFICIARY_BASE, NUTS_BASE = 800_000_000, 960_000_000, 990_000_000
# (ISO code, name as the exports write it, programme language, weight): the weights are an
# assumption (most operations in the large cohesion-policy countries), not a measured figure
COUNTRIES = [
    ("PL", "Poland", "pl", 20), ("IT", "Italy", "it", 16), ("ES", "Spain", "es", 10),
    ("PT", "Portugal", "pt", 8), ("CZ", "Czechia", "cs", 7), ("HU", "Hungary", "hu", 6),
    ("DE", "Germany", "de", 5), ("FR", "France", "fr", 5), ("RO", "Romania", "ro", 3),
    ("SK", "Slovakia", "sk", 3), ("GR", "Greece", "el", 3), ("BG", "Bulgaria", "bg", 2),
    ("HR", "Croatia", "hr", 2), ("LT", "Lithuania", "lt", 2), ("LV", "Latvia", "lv", 1),
    ("EE", "Estonia", "et", 1), ("SI", "Slovenia", "sl", 1), ("BE", "Belgium", "nl", 1),
    ("NL", "Netherlands", "nl", 0.5), ("AT", "Austria", "de", 0.5), ("SE", "Sweden", "sv", 0.5),
    ("FI", "Finland", "fi", 0.5), ("DK", "Denmark", "da", 0.3), ("IE", "Ireland", "en", 0.3),
    ("LU", "Luxembourg", "fr", 0.1), ("MT", "Malta", "en", 0.2), ("CY", "Cyprus", "el", 0.2),
]
# period: (share of the operations, file tag, first and last start year)
PERIODS = {"2014-2020": (0.6, "pp14-20", 2014, 2021), "2021-2027": (0.4, "pp21-27", 2021, 2026)}
# the columns a row takes from one fixture row of its layout (a coherent combination)
INTERVENTION = ("Category_Of_Intervention", "Category_Label", "Thematic_Objective_ID",
                "Thematic_Objective_Label", "Policy_Objective_ID", "Policy_Objective_Label",
                "Specific_Objective_ID", "Specific_Objective_Label", "Fund_Code", "Fund_Name")
MIN_SENTENCES = 50  # fewer real sentences in a language: its columns repeat the English
NUTS_HEADER = ["nuts3", "nuts3Label", "nuts3code", "nuts2", "nuts2Label", "nuts2code", "nuts1",
               "nuts1Label", "nuts1code"]


def shared() -> Path:
    return SHARED if SHARED.is_absolute() else REPO / SHARED


def nuts_names() -> dict[str, str]:
    """NUTS 2021 code -> name (levels 1 to 3), from the GISCO files of the shared data."""
    names: dict[str, str] = {}
    for level in (1, 2, 3):
        data = json.loads((shared() / "geo" / f"nutsrg_{level}.json").read_text("utf-8"))
        for feature in data["features"]:
            names[feature["properties"]["id"]] = feature["properties"]["na"]
    return names


def nuts_code(country: str) -> str:
    return "EL" if country == "GR" else country  # NUTS writes Greece EL


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` spread over ``weights`` (the last one takes the rounding)."""
    scale = sum(weights)
    out = [round(total * w / scale) for w in weights[:-1]]
    return [*out, total - sum(out)]


class Texts:
    """Titles and short summaries in a language, recombined from real sentences."""

    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.pools, self.rng = pools, rng

    def has(self, lang: str) -> bool:
        return len(self.pools.sentences.get(lang, ())) >= MIN_SENTENCES

    def title(self, lang: str) -> str:
        if len(self.pools.titles.get(lang, ())) >= 20:
            return self.pools.title(self.rng, lang)
        words = self.rng.choice(self.pools.sentences[lang]).split()
        return " ".join(words[:self.rng.randint(4, 10)]).rstrip(".,;:")

    def summary(self, lang: str) -> str:
        return self.pools.text(self.rng, lang, 1, 3)


def clean(name: str) -> str:
    """A name as one field of the exports can hold it: ``|`` joins several values there."""
    return " ".join(name.replace("|", "/").split())


def beneficiary_pools(items: list[Any]) -> dict[str, list[str]]:
    """Real beneficiary names by country: the Kohesio API list of the shared data for its
    countries, the real organisation records of the other sources elsewhere."""
    by_name = {name: code for code, name, _, _ in COUNTRIES}
    names: dict[str, dict[str, None]] = {code: {} for code, *_ in COUNTRIES}
    tsv = shared() / "kohesio" / "beneficiaries_api_2023-01.tsv"
    with tsv.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            code = by_name.get(row[0])
            if code and row[2].strip():
                names[code][clean(row[2])] = None
    for code, found in names.items():
        if not found:
            for _, participants in items:
                for _, organisation in participants:
                    if organisation.country == code:
                        found[clean(organisation.name)] = None
    everyone = sorted({n for found in names.values() for n in found})
    return {code: sorted(found) or everyone for code, found in names.items()}


class Generator:
    def __init__(self, pools: Pools, names: dict[str, list[str]], rng: random.Random) -> None:
        self.texts = Texts(pools, rng)
        self.names = names
        self.rng = rng
        self.nuts = nuts_names()
        self.interventions = {period: fixture_rows(period) for period in PERIODS}
        self.operation = 0
        self.beneficiaries: dict[int, tuple[str, str]] = {}  # id -> (name, country)

    def rows(self, code: str, country: str, lang: str, period: str, count: int,
             first_beneficiary: int, beneficiaries: int) -> Iterator[dict[str, str]]:
        rng, texts = self.rng, self.texts
        _, tag, first_year, last_year = PERIODS[period]
        own = lang if texts.has(lang) else "en"
        regions = sorted(c for c in self.nuts if len(c) == 5 and c[:2] == nuts_code(code))
        programmes = [(f"{first_year}{code}16RFOP{n:03d}", f"{country} operational programme "
                       f"{n} {period}", f"Managing authority of programme {n}, {country}")
                      for n in range(1, 2 + max(1, count // 20_000))]
        names = self.names[code]
        for _ in range(count):
            self.operation += 1
            qid = f"Q{OPERATION_BASE + self.operation}"
            template = rng.choice(self.interventions[period])
            row = {k: template.get(k, "") for k in INTERVENTION}
            english_title = texts.title("en")
            english_summary = texts.summary("en")
            own_title = texts.title(own) if own != "en" else english_title
            own_summary = texts.summary(own) if own != "en" else english_summary
            start_year = rng.randint(first_year, last_year)
            day, month = rng.randint(1, 28), rng.randint(1, 12)
            total = round(10 ** rng.uniform(3.5, 7.5), 2)
            rate = rng.choice((0.5, 0.6, 0.7, 0.8, 0.85))
            local = int(beneficiaries * rng.random() ** 2)  # skewed: a few hold many
            number = first_beneficiary + local
            name = names[local % len(names)]
            if local >= len(names):
                name = f"{name} {local // len(names) + 1}"
            self.beneficiaries.setdefault(number, (name, code))
            programme_code, programme_name, authority = rng.choice(programmes)
            nuts3 = rng.choice(regions) if regions else ""
            row.update({
                "Operation_Unique_Identifier": ENTITY + qid,
                "Operation_Local_Identifier": f"{code}-{tag}-{self.operation:08d}",
                "Operation_Name_English": english_title,
                "Operation_Name_Programme_Language": own_title,
                "Country": country,
                "CountryCode": code,
                "Operation_Start_Date": f"{day:02d}/{month:02d}/{start_year}",
                "Operation_End_Date": f"{day:02d}/{month:02d}/{start_year + rng.randint(1, 5)}",
                "Cofinancing_Rate": f"{100 * rate:.2f}",
                "Total_Eligible_Expenditure_amount": f"{total:.2f}",
                "Total_Eligible_Expenditure_Currency": "EUR",
                "Project_EU_Budget": f"{total * rate:.2f}",
                "Beneficiary_Unique_Identifier": f"{ENTITY}Q{BENEFICIARY_BASE + number}",
                "Beneficiary_Name": name,
                "Programme_Code": programme_code,
                "Programme_Name": programme_name,
                "ManagingAuthority": authority,
                "NUTS1_Code": nuts3[:3], "NUTS2_Code": nuts3[:4], "NUTS3_Code": nuts3,
                "NUTS1_Label": self.nuts.get(nuts3[:3], ""),
                "NUTS2_Label": self.nuts.get(nuts3[:4], ""),
                "NUTS3_Label": self.nuts.get(nuts3, ""),
                "Programming_Period": period,
                "Operation_Summary_English": english_summary,
                "Operation_Summary_Programme_Language": own_summary,
            })
            yield row


def write_csv(path: Path, header: list[str], rows: Iterator[dict[str, str]]) -> int:
    """A CSV file as the fixtures are written (csv module, minimal quoting, CRLF, UTF-8)."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
            count += 1
    return count


def generate(folder: Path, operations: int, seed: int, items: list[Any],
             lookups: bool = True) -> dict[str, Any]:
    """The country files of ``operations`` operations in ``folder``; returns the summary."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.csv")):
        raise SystemExit(f"{folder} holds CSV files already: give an empty folder")
    rng = random.Random(seed)
    generator = Generator(Pools(items), beneficiary_pools(items), rng)
    per_country = split(operations, [w for *_, w in COUNTRIES])
    files: list[dict[str, Any]] = []
    first_beneficiary = 0
    for (code, country, lang, _), count in zip(COUNTRIES, per_country, strict=True):
        beneficiaries = max(1, count // 3)
        shares = split(count, [share for share, *_ in PERIODS.values()])
        for (period, (_, tag, _, _)), rows in zip(PERIODS.items(), shares, strict=True):
            if not rows:
                continue
            path = folder / f"{code}-{tag}-{DATE}.csv"
            write_csv(path, layout_header(period), generator.rows(
                code, country, lang, period, rows, first_beneficiary, beneficiaries))
            files.append({"file": path.name, "period": period, "rows": rows,
                          "bytes": path.stat().st_size})
        first_beneficiary += beneficiaries
        print(f"  {code}: {count} operations ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
    if lookups:
        with (folder / "beneficiaries.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["Beneficiary", "BeneficiaryLabel", "Website", "WikidataID"])
            for number, (name, _) in sorted(generator.beneficiaries.items()):
                writer.writerow([f"{ENTITY}Q{BENEFICIARY_BASE + number}", name, "", ""])
        with (folder / "nuts.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(NUTS_HEADER)
            for n, code in enumerate(sorted(c for c in generator.nuts if len(c) == 5)):
                levels = (code, code[:4], code[:3])
                writer.writerow([v for i, level in enumerate(levels) for v in (
                    f"{ENTITY}Q{NUTS_BASE + 10 * n + i}", generator.nuts.get(level, ""),
                    level)])
    return {
        "operations": operations,
        "files": files,
        "beneficiaries": len(generator.beneficiaries),
        "lookups": lookups,
        "bytes": sum(p.stat().st_size for p in folder.glob("*.csv")),
        "seed": seed,
        "generate_s": round(time.perf_counter() - started, 1),
    }


def real_items(source_db: Path | None) -> list[Any]:
    """The real records the texts and names come from (keep.eu, CORDIS and EAC)."""
    if source_db is not None:
        return read_records(source_db)
    with tempfile.TemporaryDirectory() as tmp:
        return read_records(build_real_store(Path(tmp), ("keep", "cordis", "eac")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--operations", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source-db", type=Path,
                    help="a store of the real keep.eu, CORDIS and EAC files (else built)")
    ap.add_argument("--no-lookups", action="store_true",
                    help="no beneficiaries.csv and nuts.csv beside the project files")
    args = ap.parse_args(argv)
    result = generate(args.out_dir, args.operations, args.seed, real_items(args.source_db),
                      lookups=not args.no_lookups)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
