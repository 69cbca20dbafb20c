"""keep.eu spreadsheet exports: the older layout (2019, "Projects (lead partners)" / "Partners")
and the current one ("Search results, projects" / "Search results, partners").

Projects and partners join on programme + acronym; a key that appears on two project rows is one
project with two lead partners. Both sheets are read whole before anything is yielded, so a
damaged file is refused before the store sees a single project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadFileError
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
from ._keep import (
    SOURCE,
    ProgrammeSites,
    keep_project_id,
    period_of,
    programme_languages,
)
from ._report import FileReport
from ._workbook import open_workbook, sha256_of, sheet_names

__all__ = ["OLD_LAYOUT", "CURRENT_LAYOUT", "KeepExportReader", "detect_layout"]


@dataclass(frozen=True)
class Layout:
    """Where each model field stands in one keep.eu export layout (column header texts)."""

    name: str
    projects_sheet: str
    partners_sheet: str
    programme: str
    acronym: str
    title: str
    # (column, which language: "en", 1 = first national language, 2 = second)
    other_titles: tuple[tuple[str, Any], ...]
    description: tuple[tuple[str, Any], ...]
    expected_results: tuple[tuple[str, Any], ...]
    achievements: tuple[tuple[str, Any], ...]
    expected_outputs: tuple[tuple[str, Any], ...]
    delivered_outputs: tuple[tuple[str, Any], ...]
    start: str
    end: str
    period: str
    total_budget: str
    eu_funding: str
    rate: str | None
    website: str
    themes: tuple[str, ...]
    call: str
    programme_id: str | None
    funds: str | None
    fund_amounts: tuple[tuple[str, str], ...]  # (column, fund)
    extra: tuple[str, ...]
    # partners
    p_programme: str
    p_acronym: str
    p_programme_id: str | None
    p_name: str
    p_other_names: tuple[tuple[str, Any], ...]
    p_lead: str
    p_street: str | None
    p_postcode: str | None
    p_town: str
    p_country: str | None
    p_country_code: str
    p_website: str
    p_department: str | None
    p_legal_status: str | None
    p_type: str | None
    p_pic: str | None
    p_other_id: str | None
    p_nuts: tuple[str, ...]
    p_budget: str | None
    p_eu: tuple[str, ...]

    @property
    def required_projects(self) -> tuple[str, ...]:
        return (self.programme, self.acronym, self.title, self.start, self.end)

    @property
    def required_partners(self) -> tuple[str, ...]:
        return (self.p_programme, self.p_acronym, self.p_name, self.p_lead)


OLD_LAYOUT = Layout(
    name="keep.eu export (2019 layout)",
    projects_sheet="Projects (lead partners)",
    partners_sheet="Partners",
    programme="Programme",
    acronym="Acronym",
    title="Project Name",
    other_titles=(("Project Name language 2", 1), ("Project Name language 3", 2)),
    description=(("Description EN", "en"), ("Description 1", 1), ("Description 2", 2)),
    expected_results=(
        ("Expected Results EN", "en"), ("Expected Results 1", 1), ("Expected Results 2", 2),
    ),
    achievements=(("Achievements EN", "en"), ("Achievements 1", 1), ("Achievements 2", 2)),
    expected_outputs=(
        ("Expected Outputs EN", "en"), ("Expected Outputs 1", 1), ("Expected Outputs 2", 2),
    ),
    delivered_outputs=(
        ("Delivered Outputs EN", "en"), ("Delivered Outputs 1", 1), ("Delivered Outputs 2", 2),
    ),
    start="Project start",
    end="Project end",
    period="Period",
    total_budget="Budget",
    eu_funding="EU Funding",
    rate=None,
    website="Website",
    themes=("Thematic1", "Thematic2", "Thematic3"),
    call="Call SN",
    programme_id=None,
    funds="Co-Financing sources",
    fund_amounts=(
        ("ERDF budget", "ERDF"), ("IPA budget", "IPA"), ("ENI budget", "ENI"),
        ("ERDF eq. budget", "ERDF equivalent"),
    ),
    extra=(
        "Thematic Obj", "Inv. Priority", "Specific Obj",
        "Thematic Priorities (Interreg-IPA CBC specific)", "Strategy", "Priority Area",
        "Degree of comp.",
    ),
    p_programme="Programme",
    p_acronym="Acronym",
    p_programme_id=None,
    p_name="Project Partner",
    p_other_names=(),
    p_lead="Lead Partner",
    p_street="Street",
    p_postcode="Postal code",
    p_town="Town",
    p_country="Country",
    p_country_code="Country code",
    p_website="Website",
    p_department="Department",
    p_legal_status="Legal Status",
    p_type=None,
    p_pic=None,
    p_other_id=None,
    p_nuts=("NUTS1 (or equivalent)", "NUTS2 (or equivalent)", "NUTS3 (or equivalent)"),
    p_budget=None,
    p_eu=(),
)

CURRENT_LAYOUT = Layout(
    name="keep.eu export (current layout)",
    projects_sheet="Search results, projects",
    partners_sheet="Search results, partners",
    programme="Programme",
    acronym="Project acronym",
    title="Project name in English",
    other_titles=(
        ("Project name in language 2", 1), ("Project name in language 3", 2),
        ("Project name in language 4", None),
    ),
    description=(("Description in English", "en"), ("Description in language 2", 1)),
    expected_results=(("Expected Achievements in English", "en"),),
    achievements=(("Actual Achievements in English", "en"),),
    expected_outputs=(),
    delivered_outputs=(),
    start="Project start",
    end="Project end",
    period="Period",
    total_budget="Project's total budget / expenditure",
    eu_funding="Project's EU funding",
    rate="Union co-financing rate",
    website="Website",
    themes=("Theme 1", "Theme 2", "Theme 3"),
    call="Call serial number",
    programme_id="Project ID (2021-2027 only)",
    funds=None,
    fund_amounts=(),
    extra=(),
    p_programme="Programme",
    p_acronym="Project acronym",
    p_programme_id="Project ID (2021-2027 only)",
    p_name="Organisation in English",
    p_other_names=(
        ("Organisation in language 2", 1), ("Organisation in language 3", 2),
        ("Organisation in language 4", None),
    ),
    p_lead="Lead partner",
    p_street=None,
    p_postcode=None,
    p_town="Town",
    p_country=None,
    p_country_code="Country code",
    p_website="Website",
    p_department=None,
    p_legal_status=None,
    p_type="Type of Organisation",
    p_pic="Participant Identification Code",
    p_other_id="Partner\u2019s ID if not PIC",
    p_nuts=("NUTS2 code (or equivalent)", "NUTS3 code (or equivalent)"),
    p_budget="Partner's total eligible budget / expenditure",
    p_eu=(
        "Partner's programme co-financing (EUR) (2021-2027 only)",
        "ERDF contribution (2014-2020 only)",
    ),
)

LAYOUTS = (OLD_LAYOUT, CURRENT_LAYOUT)


def detect_layout(path: Path) -> Layout:
    names = set(sheet_names(path))
    for layout in LAYOUTS:
        if {layout.projects_sheet, layout.partners_sheet} <= names:
            return layout
    for layout in LAYOUTS:
        if layout.projects_sheet in names or layout.partners_sheet in names:
            missing = {layout.projects_sheet, layout.partners_sheet} - names
            raise BadFileError(
                str(path), f"not a complete keep.eu export: no sheet {sorted(missing)[0]!r}"
            )
    raise BadFileError(
        str(path),
        "not a keep.eu export: no sheets 'Projects (lead partners)' + 'Partners' or "
        "'Search results, projects' + 'Search results, partners'",
    )


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


class KeepExportReader:
    """Reads one keep.eu xlsx export; iterate it for ProjectRecords, one project at a time.

    The constructor opens and checks the whole file: a file that is no keep.eu export, lacks a
    sheet or a required column, or is damaged raises BadFileError before anything is yielded.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.layout = detect_layout(path)
        lay = self.layout
        sheets = open_workbook(path, (lay.projects_sheet, lay.partners_sheet))
        self._projects = sheets[lay.projects_sheet]
        self._partners = sheets[lay.partners_sheet]
        self._projects.require(lay.required_projects)
        self._partners.require(lay.required_partners)
        self.report = FileReport(file=path.name, format=lay.name, sha256=sha256_of(path))
        self.expected: int | None = None

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

    def __iter__(self) -> Iterator[ProjectRecord]:
        lay, report = self.layout, self.report
        # Partners first, grouped by project key, in file order.
        partners: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        for number, cells in self._partners.iter_rows():
            report.rows_read += 1
            row = c.Row(report, lay.partners_sheet, number)
            key = self._key(
                row,
                cells.get(lay.p_programme),
                cells.get(lay.p_acronym),
                cells.get(lay.p_programme_id) if lay.p_programme_id else None,
            )
            if key is None:
                report.rows_rejected += 1
                continue
            partners.setdefault(key, []).append((number, cells))
        self._partners.release()

        projects: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        sites = ProgrammeSites()
        for number, cells in self._projects.iter_rows():
            report.rows_read += 1
            row = c.Row(report, lay.projects_sheet, number)
            key = self._key(
                row,
                cells.get(lay.programme),
                cells.get(lay.acronym),
                cells.get(lay.programme_id) if lay.programme_id else None,
            )
            if key is None:
                report.rows_rejected += 1
                continue
            projects.setdefault(key, []).append((number, cells))
            sites.add(c.text(cells.get(lay.website)), "\x1f".join(key))
        self._projects.release()

        self.expected = len(projects)
        for key, rows in projects.items():
            record = self._record(key, rows, partners.pop(key, []), sites)
            yield record

        for key, rows in partners.items():
            for number, _ in rows:
                c.Row(report, lay.partners_sheet, number).issue(
                    lay.p_acronym,
                    f"no project row for programme {key[0]!r} and acronym {key[1]!r}",
                    "rejected",
                )
                report.rows_rejected += 1

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
    ) -> ProjectRecord:
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
        if start and end and end < start:
            row.issue(
                lay.end, f"ends ({end}) before it starts ({start}); dates kept as given", "flagged"
            )

        participations, organisations = self._partners_of(pid, langs, partner_rows, sites)
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
        report.rows_imported += len(rows)
        return ProjectRecord(project, tuple(participations), tuple(organisations))

    def _partners_of(
        self,
        pid: str,
        langs: _Languages,
        rows: list[tuple[int, dict[str, Any]]],
        sites: ProgrammeSites,
    ) -> tuple[list[Participation], list[Organisation]]:
        lay, report = self.layout, self.report
        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for number, cells in rows:
            row = c.Row(report, lay.partners_sheet, number)
            name = c.text(cells.get(lay.p_name))
            if name is None:
                row.issue(lay.p_name, "no organisation name", "rejected")
                report.rows_rejected += 1
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
            report.rows_imported += 1
        return participations, list(organisations.values())
