"""Kohesio: the official bulk CSV exports of the cohesion-policy operations (one file per country
and programming period: ``<CC>-pp14-20-<date>.csv``, ``<CC>-pp21-27-<date>.csv``, older
``latest_<CC>.csv``). Formats and quirks: docs/sources.md.

The reader is driven by the header, never by column positions: the 2014-2020 export (40
columns), the 2021-2027 one (44) and the older layout (33) are read alike; a column it does not
know is kept among the project's facts and reported once; a missing required column refuses
the file whole. The file is read as a stream (a country file may hold hundreds of thousands of
rows). The beneficiaries export (``Beneficiary, BeneficiaryLabel, Website, WikidataID``) and the
NUTS export (``nuts3, nuts3Label, nuts3code, ...``), when one lies beside a project file (a
``beneficiaries*.csv``, a ``nuts*.csv``), give the beneficiaries' names, websites and Wikidata
ids and the regions' names; they are read into a private temporary SQLite database, so memory
does not grow with them either.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, ClassVar

from ..errors import BadFileError
from ..model import (
    CATEGORY_FACT,
    POLICY_OBJECTIVE_FACT,
    THEMATIC_OBJECTIVE_FACT,
    LangText,
    Money,
    Organisation,
    Participation,
    Project,
    ProjectRecord,
    Role,
    guess_language,
    needs_transliteration,
    normalise_country,
    normalise_wikidata,
    organisation_id,
    project_id,
    transliterate,
)
from . import _cells as c
from ._driver import Parsed, SourceReader
from ._report import FileReport, RowIssue
from ._workbook import sha256_of

__all__ = ["KohesioReader", "FORMAT", "FUNDS", "is_lookup_file"]

SOURCE = "kohesio"
FORMAT = "Kohesio projects export (CSV)"
_ENTITY = "https://linkedopendata.eu/entity/"
PAGE = "https://kohesio.ec.europa.eu/en/projects/{}"
_ID = "Operation_Unique_Identifier"
_NAME_EN, _NAME_OWN = "Operation_Name_English", "Operation_Name_Programme_Language"
_START, _END = "Operation_Start_Date", "Operation_End_Date"
_EU, _TOTAL = "Project_EU_Budget", "Total_Eligible_Expenditure_amount"
_FUND = "Fund_Code"
# without these, a file is no Kohesio projects export (every known layout has them)
REQUIRED = (_ID, _NAME_EN, _NAME_OWN, "Country", _START, _END, _EU, _TOTAL, _FUND,
            "Programme_Name", "Programming_Period")
# the funds of cohesion policy in Kohesio (Fund_Code): code -> name
FUNDS = {
    "ERDF": "European Regional Development Fund",
    "ESF": "European Social Fund",
    "ESF+": "European Social Fund Plus",
    "CF": "Cohesion Fund",
    "JTF": "Just Transition Fund",
    "YEI": "Youth Employment Initiative",
    "EMFF": "European Maritime and Fisheries Fund",
    "EMFAF": "European Maritime, Fisheries and Aquaculture Fund",
    "IPA": "Instrument for Pre-accession Assistance",
    "ENI": "European Neighbourhood Instrument",
}
# every column of the three known layouts: a column outside these is reported once
_KNOWN = frozenset({
    *REQUIRED, "Operation_Local_Identifier", "Cofinancing_Rate",
    "Total_Eligible_Expenditure_Currency", "Beneficiary_Unique_Identifier", "Beneficiary_Name",
    "Beneficiary_Local_Identifier", "Category_Of_Intervention", "Category_Label",
    "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Specific_Objective_ID", "Specific_Objective_Label", "Fund_Name",
    "Programme_Code", "Coordinates", "Location_Indicator_latitude_longitude", "Postal_Code",
    "LAU_IDs", "LAU_Labels", "NUTS1_Label", "NUTS2_Label", "NUTS3_Label", "NUTS1_Code",
    "NUTS2_Code", "NUTS3_Code", "Region", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "Image_URL", "InfoRegio_ID",
    "InfoRegio_URL", "CountryCode",
})
def _(message: str) -> str:
    """Marks a fact's label for extraction (the pages translate it where they show it)."""
    return message


# the facts a project page lists, by column: (column, label)
_FACTS = (
    ("Operation_Local_Identifier", _("Local id of the operation")),
    ("Category_Of_Intervention", _("Category of intervention (code)")),
    ("Category_Label", CATEGORY_FACT),
    ("Thematic_Objective_ID", THEMATIC_OBJECTIVE_FACT),
    ("Policy_Objective_ID", POLICY_OBJECTIVE_FACT),
    ("Specific_Objective_ID", _("Specific objective (code)")),
    ("Specific_Objective_Label", _("Specific objective")),
    ("Programme_Code", _("Programme CCI code")),
    ("ManagingAuthority", _("Managing authority")),
    ("Postal_Code", _("Postal code")),
    ("LAU_IDs", _("LAU code")),
    ("LAU_Labels", _("LAU")),
    ("Region", _("Region")),
    ("InfoRegio_URL", _("InfoRegio")),
    ("Image_URL", _("Image")),
)
_PLACE = ("Location_Indicator_latitude_longitude", "Coordinates")
# the objectives' codes, shown with their names
_NAMED = {"Thematic_Objective_ID": "Thematic_Objective_Label",
          "Policy_Objective_ID": "Policy_Objective_Label"}
_BENEFICIARIES_HEADER = ["Beneficiary", "BeneficiaryLabel", "Website", "WikidataID"]
_NUTS_HEADER = ["nuts3", "nuts3Label", "nuts3code", "nuts2", "nuts2Label", "nuts2code", "nuts1",
                "nuts1Label", "nuts1code"]
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", re.ASCII)
_PERIOD = re.compile(r"(\d{4})\s*-\s*(\d{4})")
_SPILL = """
CREATE TABLE beneficiary (uri TEXT PRIMARY KEY, label TEXT, website TEXT, wikidata TEXT);
CREATE TABLE nuts (code TEXT PRIMARY KEY, label TEXT);
"""


def _header(path: Path) -> list[str]:
    """The first record of a CSV file, read as UTF-8; BadFileError when it is none."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return next(csv.reader(f), [])
    except FileNotFoundError:
        raise BadFileError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise BadFileError(str(path), "not UTF-8 text (a workbook or another kind of file?)") \
            from None
    except (OSError, csv.Error) as exc:
        raise BadFileError(str(path), f"cannot be read as CSV ({exc})") from None


def is_lookup_file(header: list[str]) -> str | None:
    """"beneficiaries" or "nuts" when the header is one of those exports'."""
    if header == _BENEFICIARIES_HEADER:
        return "beneficiaries"
    if header == _NUTS_HEADER:
        return "nuts"
    return None


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _qid(uri: str) -> str:
    return uri.removeprefix(_ENTITY).strip()


class _Lookups:
    """The beneficiaries and NUTS exports of one folder, read once into a private temporary
    SQLite database (memory does not grow with them) and shared by every reader of a project
    file of that folder in this process: an import of the 54 country files of a snapshot reads
    them once, not 54 times. Closed when its last reader is done."""

    _open: ClassVar[dict[tuple[Any, ...], _Lookups]] = {}

    def __init__(self, key: tuple[Any, ...], db: sqlite3.Connection) -> None:
        self.key, self.db, self.users = key, db, 0

    @classmethod
    def acquire(cls, project_file: Path) -> _Lookups:
        files = [f for f in sorted(project_file.parent.glob("*.csv"))
                 if f != project_file and f.name.lower().startswith(("beneficiar", "nuts"))]
        key = (project_file.parent.resolve(),
               *((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files))
        found = cls._open.get(key)
        if found is None:
            db = sqlite3.connect("")  # private temporary on-disk database
            try:
                db.executescript(_SPILL)
                for other in files:
                    _read_lookup(db, project_file, other)
            except BaseException:
                db.close()
                raise
            found = cls._open[key] = cls(key, db)
        found.users += 1
        return found

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0 and self._open.get(self.key) is self:
            del self._open[self.key]
            self.db.close()


def _read_lookup(db: sqlite3.Connection, project_file: Path, other: Path) -> None:
    """Read one export beside ``project_file`` into ``db`` (a CSV of another kind is left
    alone); one that cannot be read refuses the project file."""
    try:
        kind = is_lookup_file(_header(other))
        if kind is None:
            return
        with other.open(encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f)
            next(rows, None)
            if kind == "beneficiaries":
                db.executemany(
                    "INSERT OR IGNORE INTO beneficiary VALUES (?, ?, ?, ?)",
                    ((_qid(r[0]), *(c.text(v) for v in r[1:4])) for r in rows
                     if len(r) == 4 and r[0].strip()))
            else:
                db.executemany(
                    "INSERT OR IGNORE INTO nuts VALUES (?, ?)",
                    ((r[i + 2].strip(), c.text(r[i + 1])) for r in rows if len(r) == 9
                     for i in (0, 3, 6) if r[i + 2].strip()))
    except (BadFileError, UnicodeDecodeError, csv.Error):
        raise BadFileError(str(project_file), f"the export beside it, {other.name}, cannot "
                           "be read (not UTF-8 CSV)") from None


class KohesioReader(SourceReader):
    """Reads one Kohesio projects export; the constructor refuses a file that is not one."""

    again = (_ID, "operation")

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_file() and path.stat().st_size == 0:
            raise BadFileError(str(path), "the file is empty")
        header = _header(path)
        kind = is_lookup_file(header)
        if kind is not None:
            raise BadFileError(str(path), f"the Kohesio {kind} export: it is read beside the "
                               "project exports (a beneficiaries*.csv or nuts*.csv in their "
                               "folder), not imported on its own")
        if _ID not in header:
            raise BadFileError(str(path), "not a Kohesio projects export: no column "
                               f"{_ID!r} in its header")
        missing = [col for col in REQUIRED if col not in header]
        if missing:
            raise BadFileError(str(path), "a Kohesio projects export without the column(s) "
                               + ", ".join(repr(m) for m in missing))
        if len(set(header)) != len(header):
            raise BadFileError(str(path), "a column name comes twice in the header")
        self.header = header
        self.report = FileReport(file=path.name, format=FORMAT, sha256=sha256_of(path))
        self.columns = {"id": _ID, "start_date": _START, "end_date": _END,
                        "eu_contribution": _EU, "total_budget": _TOTAL,
                        "cofinancing_rate": "Cofinancing_Rate"}
        self.unknown = [col for col in header if col not in _KNOWN]
        self._shared = _Lookups.acquire(path)

    # -- the exports beside it --------------------------------------------------------------

    def _beneficiary(self, qid: str) -> tuple[str | None, str | None, str | None]:
        """(label, website, Wikidata id) of a beneficiary in the beneficiaries export."""
        found = self._shared.db.execute(
            "SELECT label, website, wikidata FROM beneficiary WHERE uri = ?", (qid,)).fetchone()
        return (found[0], found[1], found[2]) if found else (None, None, None)

    def _nuts_label(self, code: str) -> str | None:
        found = self._shared.db.execute("SELECT label FROM nuts WHERE code = ?", (code,)).fetchone()
        return found[0] if found else None

    # -- the rows ---------------------------------------------------------------------------

    def parse(self) -> Iterator[Parsed]:
        try:
            if self.unknown:
                self.report.add(RowIssue(
                    self.report.file, None, 1, ", ".join(self.unknown),
                    "column(s) this importer does not know; kept among each project's facts",
                    "flagged"))
            with self.path.open(encoding="utf-8-sig", newline="") as f:
                yield from self._rows(f)
        except UnicodeDecodeError:
            raise BadFileError(str(self.path), "not UTF-8 text further on") from None
        except csv.Error as exc:
            raise BadFileError(str(self.path), f"damaged CSV further on ({exc})") from None
        finally:
            self._shared.release()

    def _rows(self, f: IO[str]) -> Iterator[Parsed]:
        rows = csv.reader(f)
        next(rows, None)
        width = len(self.header)
        for number, fields in enumerate(rows, start=2):  # records; the header is record 1
            if not any(v.strip() for v in fields):
                continue
            row = c.Row(self.report, None, number)
            if len(fields) != width:
                row.issue(None, f"{len(fields)} fields where the header has {width}",
                          "rejected")
                yield Parsed(row, None)
                continue
            yield Parsed(row, self._record(dict(zip(self.header, fields, strict=True)), row))

    def _record(self, cells: dict[str, str], row: c.Row) -> ProjectRecord | None:
        def get(column: str) -> str | None:
            return c.text(cells.get(column))

        uri = get(_ID)
        if uri is None:
            row.issue(_ID, "no operation id", "rejected")
            return None
        qid = _qid(uri)
        name_en, name_own = get(_NAME_EN), get(_NAME_OWN)
        if name_en is None and name_own is None:
            row.issue(_NAME_EN, "no operation name in English or the programme's language",
                      "rejected")
            return None
        title = LangText(name_en, "en") if name_en else LangText(name_own or "",
                                                                 guess_language(name_own or ""))
        others = ((LangText(name_own, guess_language(name_own)),)
                  if name_en and name_own and name_own != name_en else ())
        summary_en, summary_own = (get("Operation_Summary_English"),
                                   get("Operation_Summary_Programme_Language"))
        description = ((LangText(summary_en, "en"),) if summary_en else ()) + (
            (LangText(summary_own, guess_language(summary_own)),)
            if summary_own and summary_own != summary_en else ())
        funds = _split(get(_FUND))
        for fund in funds:
            if fund not in FUNDS:
                row.issue(_FUND, f"unknown fund code {fund!r}; kept as given", "flagged")
        currency = (get("Total_Eligible_Expenditure_Currency") or "EUR").upper()
        eu, total = _amount(get(_EU), row, _EU), _amount(get(_TOTAL), row, _TOTAL, currency)
        countries = self._countries(cells, row)
        nuts3 = _split(get("NUTS3_Code"))
        facts: list[tuple[str, str]] = []
        for column, label in _FACTS:
            value = get(column)
            named = get(_NAMED.get(column, ""))  # an objective's code with its name
            if value:
                facts.append((label, f"{value} – {named}" if named else value))
        for level in ("NUTS1", "NUTS2", "NUTS3"):
            codes = _split(get(f"{level}_Code"))
            labels = _split(get(f"{level}_Label")) or [self._nuts_label(x) or "" for x in codes]
            if codes:
                facts.append((level, " | ".join(
                    f"{code} {label}".strip() for code, label in zip(
                        codes, labels + [""] * (len(codes) - len(labels)), strict=False))))
        for column in self.unknown:
            value = get(column)
            if value:
                facts.append((column, value))
        themes = tuple(t for t in (get("Thematic_Objective_Label"),
                                   get("Policy_Objective_Label")) if t)
        pid = project_id(SOURCE, qid)
        project = Project(
            id=pid,
            source=SOURCE,
            title=title,
            source_id=qid,
            source_url=PAGE.format(qid),
            other_titles=others,
            description=description,
            start_date=c.day(cells.get(_START), row, _START),
            end_date=c.day(cells.get(_END), row, _END),
            programme=get("Programme_Name"),
            period=_period(get("Programming_Period")),
            funds=tuple(funds),
            total_budget=total,
            eu_contribution=Money(eu.amount, currency) if eu else None,
            source_cofinancing_rate=c.rate(cells.get("Cofinancing_Rate"), row,
                                           "Cofinancing_Rate"),
            themes=themes,
            countries=tuple(countries),
            nuts=tuple(nuts3),
            extra=tuple(facts),
            coordinates=self._place(cells, row),
        )
        participations, organisations = self._beneficiaries(cells, pid, countries, eu, row)
        return ProjectRecord(project, tuple(participations), tuple(organisations))

    @staticmethod
    def _place(cells: dict[str, str], row: c.Row) -> tuple[tuple[Decimal, Decimal], ...]:
        """The coordinates: 2014-2020 gives them in two columns (the same value in the files
        seen); the first filled one is read."""
        for column in _PLACE:
            if c.text(cells.get(column)):
                return c.coordinates(cells[column], row, column)
        return ()

    def _countries(self, cells: dict[str, str], row: c.Row) -> list[str]:
        codes = _split(cells.get("CountryCode"))
        labels = _split(cells.get("Country"))
        out: list[str] = []
        for value in codes or labels:
            country = normalise_country(value)
            if country is None:
                row.issue("CountryCode" if codes else "Country",
                          f"unknown country {value!r}; left out")
            elif country not in out:
                out.append(country)
        return out

    def _beneficiaries(self, cells: dict[str, str], pid: str, countries: list[str],
                       eu: Money | None, row: c.Row,
                       ) -> tuple[list[Participation], list[Organisation]]:
        """The beneficiaries: ``|``-joined ids and names, named by the beneficiaries export
        when the project file has no name (the older layout). One beneficiary receives the
        operation's EU amount; several, an unknown share each."""
        uris = _split(cells.get("Beneficiary_Unique_Identifier"))
        names = _split(cells.get("Beneficiary_Name"))
        if names and uris and len(names) != len(uris):
            row.issue("Beneficiary_Name", f"{len(names)} names for {len(uris)} beneficiary ids; "
                      "the names taken alone")
            uris = []
        country = countries[0] if len(countries) == 1 else None
        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for index in range(max(len(uris), len(names))):
            qid = _qid(uris[index]) if index < len(uris) else None
            label, website, wikidata = self._beneficiary(qid) if qid else (None, None, None)
            name = names[index] if index < len(names) else label
            if name is None:
                row.issue("Beneficiary_Unique_Identifier",
                          f"beneficiary {qid} has no name here nor in a beneficiaries export "
                          "beside the file; left out")
                continue
            # one record per beneficiary id, whatever the spelling of its name in a row
            oid = (organisation_id(qid, None, None, SOURCE) if qid
                   else organisation_id(name, country, None, SOURCE))
            others = [LangText(label, None)] if label and label != name else []
            others += [LangText(transliterate(n), None) for n in (name, *(t.text for t in others))
                       if needs_transliteration(n)]
            organisations.setdefault(oid, Organisation(
                id=oid, name=name, other_names=tuple(others), country=country,
                website=c.url(website, row, "Website") if website else None,
                wikidata=normalise_wikidata(wikidata), source_id=qid,
            ))
            single = max(len(uris), len(names)) == 1
            participations.append(Participation(
                project_id=pid, organisation_id=oid,
                role=Role.LEAD if index == 0 else Role.PARTNER, order=len(participations) + 1,
                eu_contribution=eu if single else None))
        return participations, list(organisations.values())


def _amount(raw: str | None, row: c.Row, column: str, currency: str = "EUR") -> Money | None:
    """A plain decimal with a dot, or Java's scientific notation (4.729375062E7)."""
    if raw is None:
        return None
    if not _AMOUNT.fullmatch(raw):
        row.issue(column, f"not an amount: {raw!r}; left empty")
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        row.issue(column, f"not an amount: {raw!r}; left empty")
        return None
    return Money(amount.quantize(Decimal("0.01")), currency)


def _period(value: str | None) -> str | None:
    found = _PERIOD.search(value or "")
    return f"{found.group(1)}-{found.group(2)}" if found else value
