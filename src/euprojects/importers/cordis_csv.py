"""CORDIS project CSV: the official dataset's ``project.csv`` and ``organization.csv`` (FP7, H2020,
Horizon Europe), ``;``-separated with every field quoted; amounts may use a decimal comma.

Accepted: the dataset's zip (read in place, never unpacked), or a path to ``project.csv`` with
``organization.csv`` beside it. ``euroSciVoc.csv`` and ``webLink.csv``, when present beside them,
give the themes and the website. Every file is read through once, in the constructor, into a
private temporary SQLite database that groups the rows by project: a header that is not CORDIS's,
a damaged zip member or text that is not UTF-8 refuses the file whole before anything is yielded,
and memory does not grow with the size of the files. The records are the XML importer's
(``_cordis``); what the CSV cannot give is listed in docs/sources.md.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from ..errors import BadFileError
from ..model import Money, ProjectRecord, SourceFact, project_id
from . import _cells as c
from ._cordis import (
    ACTIVITY_TYPES,
    SOURCE,
    Member,
    build_member,
    build_record,
    identify,
    organisation,
    participants,
    source_order,
)
from ._driver import Parsed, SourceReader
from ._report import FileReport
from ._workbook import sha256_of, sniff

__all__ = ["CordisCsvReader", "is_csv_dataset", "PROJECT_COLUMNS", "ORGANISATION_COLUMNS",
           "THEME_COLUMNS", "LINK_COLUMNS"]

FORMAT = "CORDIS project CSV"
# The documented headers (CORDIS data dictionary). The companions' are its published layout,
# not checked against a real file.
PROJECT_COLUMNS = (
    "id", "acronym", "status", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
    "legalBasis", "topics", "ecSignatureDate", "frameworkProgramme", "masterCall", "subCall",
    "fundingScheme", "nature", "objective", "contentUpdateDate", "rcn", "grantDoi",
)
ORGANISATION_COLUMNS = (
    "projectID", "projectAcronym", "organisationID", "vatNumber", "name", "shortName", "SME",
    "activityType", "street", "postCode", "city", "country", "nutsCode", "geolocation",
    "organizationURL", "contactForm", "contentUpdateDate", "rcn", "order", "role",
    "ecContribution", "netEcContribution", "totalCost", "endOfParticipation", "active",
)
THEME_COLUMNS = (
    "projectID", "euroSciVocCode", "euroSciVocPath", "euroSciVocTitle", "euroSciVocDescription",
)
LINK_COLUMNS = (
    "projectID", "physUrl", "availableLanguages", "status", "archivedDate", "type", "source",
    "represents",
)
# The CORDIS datasets are in English and the CSV has no language column (every project of the
# XML sample says <language>en</language>).
_LANGUAGE = "en"


@dataclass(frozen=True)
class _Table:
    """One CSV file of the dataset: its name, the columns it cannot do without, the column
    naming the project, and whether the dataset can do without the file."""

    file: str
    required: tuple[str, ...]
    key: str
    optional: bool = False


_PROJECTS = _Table(
    "project.csv",
    ("id", "acronym", "status", "title", "startDate", "endDate", "totalCost",
     "ecMaxContribution", "frameworkProgramme", "objective"),
    "id",
)
_ORGANISATIONS = _Table(
    "organization.csv",
    ("projectID", "organisationID", "name", "country", "city", "order", "role", "ecContribution",
     "totalCost"),
    "projectID",
)
_THEMES = _Table("euroSciVoc.csv", ("projectID", "euroSciVocTitle"), "projectID", optional=True)
_LINKS = _Table("webLink.csv", ("projectID", "physUrl", "type"), "projectID", optional=True)
_PARTS = (_ORGANISATIONS, _THEMES, _LINKS)

_SPILL_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE projects (number INTEGER, grant TEXT, cells TEXT);
CREATE TABLE parts (file TEXT, grant TEXT, number INTEGER, cells TEXT);
"""


def is_csv_dataset(path: Path) -> bool:
    """Whether ``path`` is for this reader: a ``.csv`` file, or a zip that holds a project.csv
    and no XML (the XML dataset's zip holds one XML file per project)."""
    if path.suffix.lower() == ".csv":
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            names = [_base(n) for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    return _PROJECTS.file.lower() in names and not any(n.endswith(".xml") for n in names)


def _base(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()


def _amount(value: str | None, row: c.Row, field: str) -> Money | None:
    """An amount as the CSV writes it: "2073781,25" or "2073781.25" (the last of a comma and a
    point is the decimal separator; the CSV writes no thousands separators)."""
    raw = c.text(value)
    if raw is None:
        return None
    return c.money(raw, row, field, decimal_comma=raw.rfind(",") > raw.rfind("."))


def _cell_amount(cells: dict[str, str], row: c.Row, name: str) -> Money | None:
    """The amount in the named column of an organization.csv row."""
    return _amount(cells.get(name), row, name)


def _nuts(value: str | None, row: c.Row) -> tuple[tuple[str, str | None], ...]:
    """The NUTS levels of the code the CSV gives (the deepest), broadest first and without the
    country level: NUTS codes nest by prefix (EL303 is in EL30, in EL3). The CSV has no names."""
    code = (c.text(value) or "").upper()
    if len(code) <= 2:
        return ()
    if not (code[:2].isalpha() and code.isalnum() and len(code) <= 5):
        row.issue("nutsCode", f"not a NUTS code: {code!r}; left empty")
        return ()
    return tuple((code[:n], None) for n in range(3, len(code) + 1))


class _Files:
    """Where the dataset's CSV files are: members of a zip, or files beside project.csv."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zipped = zipfile.is_zipfile(path)
        if self.zipped:
            try:
                with zipfile.ZipFile(path) as archive:
                    names = [i.filename for i in archive.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BadFileError(str(path), f"not a readable zip ({exc})") from None
        else:
            if _base(path.name) != _PROJECTS.file:
                raise BadFileError(
                    str(path),
                    "not a CORDIS CSV dataset: give the dataset's zip or its project.csv "
                    "(organization.csv and the others are read beside it)",
                )
            names = [p.name for p in path.parent.iterdir() if p.is_file()]
        wanted = {t.file.lower() for t in (_PROJECTS, *_PARTS)}
        self.names: dict[str, str] = {}  # lower-case file name -> member or file name
        for name in names:
            base = _base(name)
            if base in wanted and base in self.names:
                raise BadFileError(
                    str(path), f"two files named {base}: {self.names[base]!r} and {name!r}"
                )
            self.names[base] = name
        if not self.zipped:
            self.names[_PROJECTS.file] = path.name
        for table in (_PROJECTS, _ORGANISATIONS):
            if table.file not in self.names:
                where = "in the zip" if self.zipped else "beside project.csv"
                raise BadFileError(str(path), f"not a CORDIS CSV dataset: no {table.file} {where}")

    def name(self, table: _Table) -> str | None:
        return self.names.get(table.file.lower())

    @contextmanager
    def open(self, table: _Table) -> Iterator[IO[str]]:
        name = self.names[table.file.lower()]
        if not self.zipped:
            with open(self.path.parent / name, encoding="utf-8-sig", newline="") as stream:
                yield stream
            return
        with (
            zipfile.ZipFile(self.path) as archive,
            io.TextIOWrapper(archive.open(name), encoding="utf-8-sig", newline="") as stream,
        ):
            yield stream


class CordisCsvReader(SourceReader):
    """Reads one CORDIS CSV dataset (its zip, or its project.csv); the constructor reads every
    file through and refuses the dataset whole when one of them is not CORDIS's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        sniff(path)  # "no such file", "the file is empty"
        self._files = files = _Files(path)
        kind = "zip" if files.zipped else "project.csv + organization.csv"
        self.report = FileReport(
            file=path.name, format=f"{FORMAT} ({kind})", sha256=sha256_of(path)
        )
        self._headers: dict[str, list[str]] = {}
        self._spill = sqlite3.connect("")  # private temporary on-disk database
        try:
            self._spill.executescript(_SPILL_SCHEMA)
            for table in (_PROJECTS, *_PARTS):
                if files.name(table) is not None:
                    self._read(table)
            self._spill.execute("CREATE INDEX parts_key ON parts (grant, file, number)")
            self._spill.execute("CREATE INDEX projects_grant ON projects (grant)")
            self.expected: int | None = self._spill.execute(
                "SELECT COUNT(*) FROM projects"
            ).fetchone()[0]
        except BaseException:
            self._spill.close()
            raise

    # -- reading the files through ----------------------------------------------------------

    def _refuse(self, table: _Table, reason: str) -> BadFileError:
        return BadFileError(str(self.path), f"{self._files.name(table)}: {reason}")

    def _iter_rows(self, table: _Table) -> Generator[tuple[int, list[str]], None, None]:
        """(row number, fields) of each record, the header being row 1; blank lines skipped."""
        number = 0
        try:
            with self._files.open(table) as stream:
                for number, fields in enumerate(
                    csv.reader(stream, delimiter=";", quotechar='"'), start=1
                ):
                    if fields:
                        yield number, fields
        except UnicodeDecodeError as exc:
            raise self._refuse(table, f"not UTF-8 text after row {number} ({exc})") from None
        except csv.Error as exc:
            raise self._refuse(table, f"not readable CSV at row {number + 1} ({exc})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise self._refuse(table, f"damaged zip member, cannot be read ({exc})") from None
        except OSError as exc:
            raise self._refuse(table, f"cannot be read ({exc})") from None

    def _header(self, table: _Table, fields: list[str]) -> list[str] | None:
        header = [f.strip() for f in fields]
        missing = [col for col in table.required if col not in header]
        if not missing:
            return header
        reason = f"not a CORDIS {table.file} header: no column {', '.join(missing)}"
        if len(header) == 1:
            reason += " (the header is one field: the file is not ';'-separated)"
        if not table.optional:
            raise self._refuse(table, reason)
        c.Row(self.report, None, 1, self._files.name(table)).issue(
            None, f"{reason}; the file is not read", "flagged"
        )
        return None

    def _read(self, table: _Table) -> None:
        with closing(self._iter_rows(table)) as rows:
            self._read_rows(table, rows)

    def _read_rows(self, table: _Table, rows: Iterator[tuple[int, list[str]]]) -> None:
        first = next(rows, None)
        if first is None:
            if table.optional:
                return
            raise self._refuse(table, "no header: the file is empty")
        header = self._header(table, first[1])
        if header is None:
            return
        self._headers[table.file] = header
        key = header.index(table.key)
        member = self._files.name(table)
        batch: list[tuple[object, ...]] = []
        for number, fields in rows:
            grant = c.text(fields[key]) if len(fields) == len(header) else None
            if table is _PROJECTS:
                batch.append((number, grant, json.dumps(fields)))
            elif len(fields) != len(header):
                c.Row(self.report, None, number, member).issue(
                    None, f"{len(fields)} fields where the header has {len(header)}; left out",
                    "rejected",
                )
            else:
                batch.append((table.file, grant, number, json.dumps(fields)))
            if len(batch) >= 1000:
                self._store(table, batch)
        self._store(table, batch)

    def _store(self, table: _Table, batch: list[tuple[object, ...]]) -> None:
        if table is _PROJECTS:
            self._spill.executemany("INSERT INTO projects VALUES (?, ?, ?)", batch)
        else:
            self._spill.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)", batch)
        batch.clear()

    # -- the projects -----------------------------------------------------------------------

    again = ("id", "grant")

    def parse(self) -> Iterator[Parsed]:
        try:
            for row, record in self._iter_read():
                yield Parsed(row, record)
            self._report_orphans()
        finally:
            self._spill.close()

    def _iter_read(self) -> Iterator[tuple[c.Row, ProjectRecord | None]]:
        member = self._files.name(_PROJECTS)
        header = self._headers[_PROJECTS.file]
        for number, raw in self._spill.execute("SELECT number, cells FROM projects ORDER BY 1"):
            row = c.Row(self.report, None, number, member)
            fields = json.loads(raw)
            if len(fields) != len(header):
                row.issue(
                    None, f"{len(fields)} fields where the header has {len(header)}", "rejected"
                )
                yield row, None
                continue
            yield row, self._record(dict(zip(header, fields, strict=True)), row)

    def _parts(self, grant: str, table: _Table) -> list[tuple[int, dict[str, str]]]:
        header = self._headers.get(table.file)
        if header is None:
            return []
        return [
            (number, dict(zip(header, json.loads(raw), strict=True)))
            for number, raw in self._spill.execute(
                "SELECT number, cells FROM parts WHERE grant = ? AND file = ? ORDER BY number",
                (grant, table.file),
            )
        ]

    def _row(self, table: _Table, number: int) -> c.Row:
        return c.Row(self.report, None, number, self._files.name(table))

    def _record(self, cells: dict[str, str], row: c.Row) -> ProjectRecord | None:
        def get(name: str) -> str | None:
            return c.text(cells.get(name))

        acronym = c.clean_acronym(cells.get("acronym"))
        found = identify(get("id"), get("title"), acronym, row)
        if found is None:
            return None
        grant, title = found

        extra: list[tuple[str, str]] = []
        for label, column in (
            (SourceFact.RCN, "rcn"),
            (SourceFact.GRANT_DOI, "grantDoi"),
            (SourceFact.SIGNATURE_DATE, "ecSignatureDate"),
            (SourceFact.LEGAL_BASIS, "legalBasis"),
            (SourceFact.CALL_TOPIC, "topics"),
        ):
            value = get(column)
            if value:
                extra.append((label, value))
        master, sub = get("masterCall"), get("subCall")
        if sub and sub != master:
            extra.append((SourceFact.SUB_CALL, sub))
        scheme = get("fundingScheme")
        if scheme:
            extra.append((SourceFact.FUNDING_SCHEME, scheme))
        themes: list[str] = []
        for _, theme in self._parts(grant, _THEMES):
            label = c.text(theme.get("euroSciVocTitle")) or (
                c.text(theme.get("euroSciVocCode")) or ""
            ).lstrip("/")
            if label and label not in themes:
                themes.append(label)
                path = c.text(theme.get("euroSciVocPath"))
                if path and (SourceFact.FIELD_OF_SCIENCE, path) not in extra:
                    extra.append((SourceFact.FIELD_OF_SCIENCE, path))
        website = None
        for number, link in self._parts(grant, _LINKS):
            if c.text(link.get("type")) == "relatedWebsite" and website is None:
                website = c.url(link.get("physUrl"), self._row(_LINKS, number), "physUrl")
        participations, organisations = participants(
            project_id(SOURCE, grant), self._iter_members(grant)
        )
        return build_record(
            grant,
            title,
            _LANGUAGE,
            row,
            raw=cells.get,
            amount=lambda name: _amount(cells.get(name), row, name),
            acronym=acronym,
            framework=get("frameworkProgramme"),
            website=website,
            themes=tuple(themes),
            call=master or sub,
            extra=extra,
            participations=participations,
            organisations=organisations,
        )

    def _iter_members(self, grant: str) -> Iterator[Member]:
        """The project's organisation rows in the source's order; one without a name is left
        out, reported on its own row."""
        rows = self._parts(grant, _ORGANISATIONS)
        for number, cells in sorted(rows, key=lambda r: source_order(r[1].get("order"), r[0])):
            row = self._row(_ORGANISATIONS, number)

            def get(name: str, cells: dict[str, str] = cells) -> str | None:
                return c.text(cells.get(name))

            activity = get("activityType")
            org = organisation(
                row,
                name=get("name"),
                field="name",
                country_label=get("country"),
                country_field="country",
                city=get("city"),
                short_name=get("shortName"),
                postcode=c.code_text(cells.get("postCode")),
                street=get("street"),
                nuts=_nuts(cells.get("nutsCode"), row),
                organisation_type=(
                    ACTIVITY_TYPES.get(activity.lstrip("/").upper(), activity)
                    if activity else None
                ),
                website=cells.get("organizationURL"),
                website_field="organizationURL",
                department=None,  # the CSV has no department column
                pic=get("organisationID"),
                vat=get("vatNumber"),
            )
            if org is None:
                continue
            yield build_member(
                org,
                row,
                role=get("role"),
                role_field="role",
                amount=partial(_cell_amount, cells, row),
                sme=(get("SME") or "").lower() or None,
                terminated=(get("endOfParticipation") or "").lower() == "true",
            )

    def _report_orphans(self) -> None:
        """Rows of organization.csv, euroSciVoc.csv or webLink.csv whose project is not in
        project.csv: left out, each reported on its own row."""
        orphans = self._spill.execute(
            "SELECT file, grant, number FROM parts WHERE grant IS NULL OR grant NOT IN "
            "(SELECT grant FROM projects WHERE grant IS NOT NULL) ORDER BY file, number"
        ).fetchall()
        tables = {t.file: t for t in _PARTS}
        for file, grant, number in orphans:
            self._row(tables[file], number).issue(
                "projectID", f"no project {grant!r} in project.csv; left out", "rejected"
            )
