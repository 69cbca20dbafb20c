"""keep.eu spreadsheet exports: the older layout (2019, "Projects (lead partners)" / "Partners")
and the current one ("Search results, projects" / "Search results, partners").

Projects and partners join on programme + acronym; a key that appears on two project rows is one
project with two lead partners. Both sheets are read through (into a temporary on-disk table)
before anything is yielded, so a damaged file is refused before the store sees a single project.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import (
    LangText,
    LegalStatus,
    Organisation,
    Participation,
    Project,
    ProjectRecord,
    Role,
    guess_language,
    normalise_country,
    organisation_id,
)
from . import _cells as c
from ._driver import Parsed, SourceReader
from ._keep import (
    SOURCE,
    ProgrammeSites,
    keep_project_id,
    period_of,
    programme_languages,
)
from ._keep_layouts import CURRENT_LAYOUT, OLD_LAYOUT, detect_layout
from ._report import FileReport
from ._workbook import Workbook, sha256_of

__all__ = ["OLD_LAYOUT", "CURRENT_LAYOUT", "KeepExportReader", "detect_layout"]


_SPILL_SCHEMA = """
PRAGMA cache_size = -8000;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE partners (programme TEXT, acronym TEXT, number INTEGER, site TEXT, cells BLOB);
CREATE TABLE projects (programme TEXT, acronym TEXT, number INTEGER, site TEXT, cells BLOB);
"""


class _Languages:
    """The language of each text of one row: "en" columns are English; a national-language
    column's text is recognised among the programme's languages, and a text too short to tell
    (a name) takes the language found in the same row's description of that column."""

    def __init__(self, candidates: tuple[str, ...] | None) -> None:
        self.candidates = candidates
        self._column: dict[Any, str] = {}

    def learn(self, which: Any, text: str) -> None:
        lang = guess_language(text, self.candidates)
        if lang is not None:
            self._column[which] = lang

    def of(self, text: str, which: Any) -> str | None:
        if which == "en":
            return "en"
        return guess_language(text, self.candidates) or self._column.get(which)


_LEGAL = {"public": LegalStatus.PUBLIC.value, "private": LegalStatus.PRIVATE.value}


class KeepExportReader(SourceReader):
    """Reads one keep.eu xlsx export; iterate it for ProjectRecords, one project at a time.

    The constructor reads the whole file once, row by row, into a private temporary SQLite
    database (on disk, deleted when closed) that groups rows by project key: so a damaged file,
    a missing sheet or column raises BadFileError before anything is yielded, and memory stays
    flat however many rows the file has.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        book = Workbook(path)
        try:
            self.layout = lay = detect_layout(path, book.sheet_names)
            self._header = book.header(lay.projects_sheet, lay.required_projects)
            self._p_header = book.header(lay.partners_sheet, lay.required_partners)
            self.report = FileReport(file=path.name, format=lay.name, sha256=sha256_of(path))
            self.expected: int | None = None
            columns = {"start_date": lay.start, "end_date": lay.end,
                       "eu_contribution": lay.eu_funding, "total_budget": lay.total_budget,
                       "cofinancing_rate": lay.rate, "acronym": lay.acronym}
            self.columns = {k: v for k, v in columns.items() if v}
            self._early: list[Parsed] = []  # rows rejected while reading: no join key
            self._spill = sqlite3.connect("")  # private temporary on-disk database
            self._spill.executescript(_SPILL_SCHEMA)
            try:
                self._read(book)
            except BaseException:
                self._spill.close()
                raise
        finally:
            book.close()

    # -- the join ---------------------------------------------------------------------------

    def _key(self, row: c.Row, programme: Any, acronym: Any, pid: Any) -> tuple[str, str] | None:
        prog = c.text(programme)
        acr = c.clean_acronym(acronym)
        if acr is None:
            acr = c.text(pid)  # a 2021-2027 project may be known by its programme id only
        if prog is None:
            row.issue(self.layout.programme, "no programme: the row cannot be joined", "rejected")
            return None
        if acr is None:
            row.issue(self.layout.acronym, "no acronym: the row cannot be joined", "rejected")
            return None
        return prog, acr

    def _spill_sheet(
        self,
        book: Workbook,
        table: str,
        sheet: str,
        header: list[str],
        columns: tuple[str | None, str | None, str | None, str | None],
    ) -> None:
        """Stream one sheet into a spill table: (programme, acronym, row number, website key,
        pickled cells). ``columns``: programme, acronym, programme id and website columns."""
        index = {name: i for i, name in enumerate(header)}
        programme, acronym, pid, website = (index.get(col) if col else None for col in columns)
        sql = f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)"
        batch: list[tuple[Any, ...]] = []
        for number, values in book.iter_rows(sheet, header):
            row = c.Row(self.report, sheet, number)
            key = self._key(
                row,
                values[programme] if programme is not None else None,
                values[acronym] if acronym is not None else None,
                values[pid] if pid is not None else None,
            )
            if key is None:
                self._early.append(Parsed(row, None))
                continue
            address = c.text(values[website]) if website is not None else None
            site = c.url_key(address) if address else None
            batch.append((*key, number, site, pickle.dumps(values)))
            if len(batch) >= 1000:
                self._spill.executemany(sql, batch)
                batch.clear()
        self._spill.executemany(sql, batch)

    def _read(self, book: Workbook) -> None:
        """Pass over both sheets into the spill database, keyed by programme + acronym."""
        lay, db = self.layout, self._spill
        self._spill_sheet(book, "partners", lay.partners_sheet, self._p_header,
                          (lay.p_programme, lay.p_acronym, lay.p_programme_id, None))
        self._spill_sheet(book, "projects", lay.projects_sheet, self._header,
                          (lay.programme, lay.acronym, lay.programme_id, lay.website))
        db.execute("CREATE INDEX partners_key ON partners (programme, acronym, number)")
        db.execute("CREATE INDEX projects_key ON projects (programme, acronym, number)")
        # keep.eu's Website column usually holds the programme's site: an address given for
        # two or more projects is a programme site (ProgrammeSites), one for a single project
        # is that project's own.
        self._sites = ProgrammeSites.from_counts(
            db.execute(
                "SELECT site, COUNT(DISTINCT programme || char(31) || acronym) FROM projects "
                "WHERE site IS NOT NULL GROUP BY site HAVING COUNT(DISTINCT programme || "
                "char(31) || acronym) > 1"
            )
        )
        self.expected = db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM projects GROUP BY programme, acronym)"
        ).fetchone()[0]

    def parse(self) -> Iterator[Parsed]:
        db = self._spill
        try:
            yield from self._early
            keys = db.execute(
                "SELECT programme, acronym FROM projects GROUP BY programme, acronym "
                "ORDER BY MIN(number)"
            ).fetchall()
            for key in keys:
                rows = [
                    (n, dict(zip(self._header, pickle.loads(v), strict=True)))
                    for n, v in db.execute(
                        "SELECT number, cells FROM projects WHERE programme = ? AND acronym = ? "
                        "ORDER BY number", key)
                ]
                partners = [
                    (n, dict(zip(self._p_header, pickle.loads(v), strict=True)))
                    for n, v in db.execute(
                        "SELECT number, cells FROM partners WHERE programme = ? AND acronym = ? "
                        "ORDER BY number", key)
                ]
                record, rejected = self._record(key, rows, partners, self._sites)
                yield Parsed(c.Row(self.report, self.layout.projects_sheet, rows[0][0]), record,
                             read=len(rows) + len(partners), rejected=rejected)
            orphans = db.execute(
                "SELECT programme, acronym, number FROM partners p WHERE NOT EXISTS (SELECT 1 "
                "FROM projects j WHERE j.programme = p.programme AND j.acronym = p.acronym) "
                "ORDER BY number"
            ).fetchall()
            for programme, acronym, number in orphans:
                row = c.Row(self.report, self.layout.partners_sheet, number)
                row.issue(
                    self.layout.p_acronym,
                    f"no project row for programme {programme!r} and acronym {acronym!r}",
                    "rejected",
                )
                yield Parsed(row, None)
        finally:
            db.close()

    # -- one project ------------------------------------------------------------------------

    def _texts(
        self, cells: dict[str, Any], columns: tuple[tuple[str, Any], ...], langs: _Languages
    ) -> tuple[LangText, ...]:
        out: list[LangText] = []
        for column, which in columns:
            value = c.text(cells.get(column))
            if value is None or any(value == o.text for o in out):
                continue
            out.append(LangText(value, langs.of(value, which)))
        return tuple(out)

    def _record(
        self,
        key: tuple[str, str],
        rows: list[tuple[int, dict[str, Any]]],
        partner_rows: list[tuple[int, dict[str, Any]]],
        sites: ProgrammeSites,
    ) -> tuple[ProjectRecord, int]:
        """The project of one join key, and how many of its partner rows were left out."""
        lay, report = self.layout, self.report
        programme, acronym = key
        pid = keep_project_id(programme, acronym)
        number, cells = rows[0]
        row = c.Row(report, lay.projects_sheet, number)
        for other_number, other in rows[1:]:
            differing = sorted(
                col
                for col in (lay.title, lay.start, lay.end, lay.total_budget, lay.eu_funding)
                if c.text(other.get(col)) != c.text(cells.get(col))
            )
            reason = "a second lead partner of the same project (programme + acronym)"
            if differing:
                reason += f"; these fields differ, the first row's are kept: {', '.join(differing)}"
            c.Row(report, lay.projects_sheet, other_number).issue(lay.acronym, reason, "merged")
        langs = _Languages(programme_languages(programme))
        for column, which in lay.description:  # descriptions are long: they tell best
            value = c.text(cells.get(column))
            if value and which in (1, 2):
                langs.learn(which, value)

        title_text = c.text(cells.get(lay.title))
        other_titles = self._texts(cells, lay.other_titles, langs)
        if title_text is not None:
            title = LangText(title_text, "en")
        elif other_titles:
            title, other_titles = other_titles[0], other_titles[1:]
        else:
            title = LangText(acronym, None)
            row.issue(lay.title, "no project name in any language; the acronym stands in")
        other_titles = tuple(t for t in other_titles if t.text != title.text)

        website = c.url(cells.get(lay.website), row, lay.website)
        programme_website = None
        if website and sites.is_programme_site(website):
            website, programme_website = None, website

        funds: list[str] = []
        extra: list[tuple[str, str]] = []
        if lay.funds:
            for part in (c.text(cells.get(lay.funds)) or "").split(","):
                fund = part.strip().split("/")[0].strip()
                if fund and fund not in funds:
                    funds.append(fund)
        for column, fund in lay.fund_amounts:
            amount = c.money(cells.get(column), row, column)
            if amount is not None and amount.amount > 0:
                extra.append((column, str(amount.amount)))
                base = fund.split()[0]
                if base not in funds and fund == base:
                    funds.append(base)
        for column in lay.extra:
            value = c.text(cells.get(column))
            if value:
                extra.append((column, value))

        start = c.day(cells.get(lay.start), row, lay.start)
        end = c.day(cells.get(lay.end), row, lay.end)

        participations, organisations, rejected = self._partners_of(pid, langs, partner_rows,
                                                                     sites)
        countries = sorted({o.country for o in organisations if o.country})
        nuts = sorted({o.nuts[-1][0] for o in organisations if o.nuts})

        project = Project(
            id=pid,
            source=SOURCE,
            title=title,
            acronym=acronym,
            other_titles=other_titles,
            description=self._texts(cells, lay.description, langs),
            expected_results=self._texts(cells, lay.expected_results, langs),
            achievements=self._texts(cells, lay.achievements, langs),
            expected_outputs=self._texts(cells, lay.expected_outputs, langs),
            delivered_outputs=self._texts(cells, lay.delivered_outputs, langs),
            start_date=start,
            end_date=end,
            programme=programme,
            programme_id=c.text(cells.get(lay.programme_id)) if lay.programme_id else None,
            programme_website=programme_website,
            period=period_of(c.text(cells.get(lay.period)), programme),
            funds=tuple(funds),
            total_budget=c.money(cells.get(lay.total_budget), row, lay.total_budget),
            eu_contribution=c.money(cells.get(lay.eu_funding), row, lay.eu_funding),
            source_cofinancing_rate=(
                c.rate(cells.get(lay.rate), row, lay.rate) if lay.rate else None
            ),
            website=website,
            themes=tuple(t for t in (c.text(cells.get(col)) for col in lay.themes) if t),
            countries=tuple(countries),
            nuts=tuple(nuts),
            call=c.code_text(cells.get(lay.call)),
            extra=tuple(extra),
        )
        return ProjectRecord(project, tuple(participations), tuple(organisations)), rejected

    def _partners_of(
        self,
        pid: str,
        langs: _Languages,
        rows: list[tuple[int, dict[str, Any]]],
        sites: ProgrammeSites,
    ) -> tuple[list[Participation], list[Organisation], int]:
        """The participations and organisations of a project's partner rows, and how many
        rows were left out."""
        lay, report = self.layout, self.report
        rejected = 0
        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for number, cells in rows:
            row = c.Row(report, lay.partners_sheet, number)
            name = c.text(cells.get(lay.p_name))
            if name is None:
                row.issue(lay.p_name, "no organisation name", "rejected")
                rejected += 1
                continue
            lead_cell = (c.text(cells.get(lay.p_lead)) or "").casefold()
            if lead_cell not in {"yes", "no"}:
                row.issue(lay.p_lead, f"lead partner is {lead_cell!r}, not Yes/No; taken as No")
            role = Role.LEAD if lead_cell == "yes" else Role.PARTNER
            code_cell = c.text(cells.get(lay.p_country_code))
            country_cell = c.text(cells.get(lay.p_country)) if lay.p_country else None
            country = normalise_country(code_cell) or normalise_country(country_cell)
            if country is None and (code_cell or country_cell):
                row.issue(
                    lay.p_country_code, f"unknown country {code_cell or country_cell!r}; left empty"
                )
            city = c.text(cells.get(lay.p_town))
            nuts = tuple(
                n for n in (c.nuts(cells.get(col), row, col) for col in lay.p_nuts) if n
            )
            legal = None
            if lay.p_legal_status:
                raw = c.text(cells.get(lay.p_legal_status))
                legal = _LEGAL.get((raw or "").casefold())
                if raw and legal is None:
                    row.issue(lay.p_legal_status, f"unknown legal status {raw!r}; left empty")
            website = c.url(cells.get(lay.p_website), row, lay.p_website)
            if website and sites.is_programme_site(website):
                website = None  # the programme's site, not the organisation's
            other_names = tuple(
                t
                for t in self._texts(cells, lay.p_other_names, langs)
                if t.text != name
            )
            oid = organisation_id(name, country, city)
            organisation = Organisation(
                id=oid,
                name=name,
                other_names=other_names,
                country=country,
                country_label=country_cell or code_cell,
                city=city,
                postcode=c.code_text(cells.get(lay.p_postcode)) if lay.p_postcode else None,
                street=c.text(cells.get(lay.p_street)) if lay.p_street else None,
                nuts=nuts,
                legal_status=legal,
                organisation_type=c.text(cells.get(lay.p_type)) if lay.p_type else None,
                website=website,
                department=c.text(cells.get(lay.p_department)) if lay.p_department else None,
                pic=c.code_text(cells.get(lay.p_pic)) if lay.p_pic else None,
            )
            organisations.setdefault(oid, organisation)
            eu = None
            for column in lay.p_eu:
                eu = eu or c.money(cells.get(column), row, column)
            participations.append(
                Participation(
                    project_id=pid,
                    organisation_id=oid,
                    role=role,
                    order=len(participations) + 1,
                    budget=c.money(cells.get(lay.p_budget), row, lay.p_budget)
                    if lay.p_budget
                    else None,
                    eu_contribution=eu,
                )
            )
        return participations, list(organisations.values()), rejected
