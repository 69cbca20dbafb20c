"""EAC project results: the Erasmus+ / Creative Europe results platform's spreadsheet export.

One row per project, in a wide layout: the project's columns, then the coordinator's six columns
and six more per partner (``Partner N name`` ... ``Partner N website``). The workbook is a BIFF8
``.xls`` (or an ``.xlsx`` of the same layout), read with python-calamine. The constructor reads
every sheet and checks the header, so a file that is not such an export is refused whole before
anything is written; a bad row is reported (file, sheet, row, field, reason) and the others
import. Mapping and quirks: docs/sources.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import BadFileError
from ..model import (
    LangText,
    Organisation,
    Participation,
    Project,
    ProjectRecord,
    Role,
    SourceFact,
    fold,
    guess_language,
    normalise_country,
    organisation_id,
    project_id,
)
from . import _cells as c
from ._driver import Parsed, SourceReader
from ._report import FileReport
from ._workbook import sha256_of, sniff

__all__ = ["EacResultsReader", "SOURCE", "split_address", "excel_day", "period_of_call"]

SOURCE = "eac"
FORMAT = "EAC project results export"

# Project columns, by their header folded (lower case, spaces collapsed).
_NUMBER = "project number"
_TITLE = "project title"
_PROGRAMME = "programme"
_START = "start date"
_END = "end date"
_GRANT = "eu grant award in euros"  # a prefix: the header goes on with a whole sentence
_REQUIRED = (_NUMBER, _TITLE, _PROGRAMME, _START, _END)
_KNOWN = {
    _NUMBER, _TITLE, _PROGRAMME, _START, _END, "sub-programme", "action", "activity type",
    "call year", "project summary", "project status", "is success story", "project website",
    "results available", "results platform project card", "participating countries",
}
# "Coordinator's name", "Coordinator organisation type", "Partner 12 address"...
_GROUP = re.compile(
    r"^(coordinator|partner (\d+))(?:'s)? (name|organisation type|address|region|country|website)$"
)
# Project statuses that mean the project is over; they become "closed", the word that decides.
_CLOSED = {"finalized", "finalised", "closed", "completed", "finished"}
_PERIODS = ((2007, 2013), (2014, 2020), (2021, 2027))
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 date system (with its leap bug)
_SERIAL_TEXT = re.compile(r"^\d{5}(\.0+)?$")
# A postcode standing alone between commas: digits (optionally grouped, optionally with a
# country prefix: "LV-1010", "11 000", "801 31"), the Dutch "1031 CL" or a UK one ("SW19 1SB").
_POSTCODE = re.compile(
    r"^(?:(?:[A-Z]{2}-)?\d(?: ?\d){2,7}|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$"
)
_NO_REGION = re.compile(r"extra-regio", re.IGNORECASE)


def _key(header: Any) -> str:
    return fold(str(header or "").replace("\u2019", "'"))


def excel_day(value: Any, row: c.Row, field: str) -> date | None:
    """A date from a date cell, an Excel serial number (41921 is 2014-10-09) or a text date."""
    if isinstance(value, bool):
        row.issue(field, f"not a date: {value!r}; left empty")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _SERIAL_TEXT.match(value.strip()):
        value = float(value)
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
            row.issue(field, f"not a date serial number: {value!r}; left empty")
            return None
        return _EXCEL_EPOCH + timedelta(days=int(value))
    if value is not None and not isinstance(value, str):  # a time or a duration cell
        row.issue(field, f"not a date: {value!r}; left empty")
        return None
    return c.day(value, row, field)


def period_of_call(year: int | None) -> str | None:
    """The programming period of a call year: 2014..2020 is "2014-2020", and so on."""
    if year is None:
        return None
    for first, last in _PERIODS:
        if first <= year <= last:
            return f"{first}-{last}"
    return None


def split_address(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """(street, postcode, city) from "TOLHUISWEG 2, 1031 CL, AMSTERDAM".

    Only when the next-to-last comma part is a postcode and the last one a name: then the last
    part is the city and what stands before the postcode the street. Otherwise the whole text is
    the street and postcode and city stay unknown ("HYNES BUILDING, ST CLARKS WALK, MERCHANTS
    ROAD, GALWAY" could end in a city or a street; "2 CURVED STREET TEMPLE BAR, 2, DUBLIN" has a
    postal district, not a postcode).
    """
    if raw is None:
        return None, None, None
    parts = [" ".join(p.split()) for p in raw.split(",")]
    whole = ", ".join(p for p in parts if p) or None
    if len(parts) < 3:
        return whole, None, None
    street = ", ".join(p for p in parts[:-2] if p)
    postcode, city = parts[-2], parts[-1].rstrip(" -")
    if street and _POSTCODE.match(postcode) and re.search(r"[^\W\d_]", city):
        return street, postcode, city
    return whole, None, None


@dataclass(slots=True)
class _Layout:
    """Where the columns of one sheet are: project columns by folded header, groups by number
    (0 the coordinator, N partner N) and field, and the columns this importer does not know."""

    headers: list[str]  # as the sheet writes them, spaces collapsed: to name a field
    columns: dict[str, int]
    groups: dict[int, dict[str, int]]
    grant: int
    other: list[int] = field(default_factory=list)


def _layout(path: Path, sheet: str, header: list[Any]) -> _Layout:
    headers = [" ".join(str(h or "").split()) for h in header]
    columns: dict[str, int] = {}
    groups: dict[int, dict[str, int]] = {}
    other: list[int] = []
    grant = None
    for index, cell in enumerate(headers):
        key = _key(cell)
        if not key:
            continue
        group = _GROUP.match(key)
        if group:
            number = int(group.group(2)) if group.group(2) else 0
            groups.setdefault(number, {}).setdefault(group.group(3), index)
        elif key.startswith(_GRANT):
            grant = index if grant is None else grant
        elif key in _KNOWN:
            columns.setdefault(key, index)
        else:
            other.append(index)
    missing = [k for k in _REQUIRED if k not in columns]
    if grant is None:
        missing.append("EU Grant award in euros (...)")
    if "name" not in groups.get(0, {}):
        missing.append("coordinator's name")
    if missing:
        raise BadFileError(
            str(path),
            f"not an EAC project results export: sheet {sheet!r} lacks the column(s) "
            + ", ".join(repr(m) for m in missing),
        )
    assert grant is not None
    return _Layout(headers, columns, dict(sorted(groups.items())), grant, other)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class EacResultsReader(SourceReader):
    """Reads one EAC results workbook (.xls or .xlsx); the constructor refuses a file that is
    not one. Every sheet whose header has ``Project Number`` and ``Project Title`` is read."""

    def __init__(self, path: Path) -> None:
        import python_calamine  # imported here: only EAC imports pay for it

        self.path = path
        kind = sniff(path)  # "no such file", "the file is empty"
        if kind not in {"xls", "xlsx"}:
            raise BadFileError(
                str(path), "not an EAC project results export: neither an .xls nor an .xlsx "
                "workbook (a CSV or text file?)"
            )
        self._sheets: list[tuple[str, _Layout, list[list[Any]]]] = []
        try:
            with path.open("rb") as f:
                book = python_calamine.CalamineWorkbook.from_filelike(f)
                names = list(book.sheet_names)
                for name in names:
                    # From A1, empty leading rows kept: row numbers as a spreadsheet shows them.
                    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    header = rows[0] if rows else []
                    keys = {_key(h) for h in header}
                    if _NUMBER in keys and _TITLE in keys:
                        self._sheets.append((name, _layout(path, name, header), rows))
        except BadFileError:
            raise
        except Exception as exc:  # calamine's errors for a damaged or truncated workbook
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BadFileError(str(path), f"damaged or truncated workbook ({reason})") from None
        if not self._sheets:
            listed = ", ".join(map(repr, names)) or "none"
            raise BadFileError(
                str(path), "not an EAC project results export: no sheet has the columns "
                f"'Project Number' and 'Project Title' (sheets: {listed})"
            )
        self.expected: int | None = sum(
            1 for _, _, rows in self._sheets for r in rows[1:] if not all(map(_is_empty, r))
        )
        self.report = FileReport(
            file=path.name, format=f"{FORMAT} ({kind})", sha256=sha256_of(path)
        )

    def parse(self) -> Iterator[Parsed]:
        for sheet, layout, rows in self._sheets:
            # the issues of the shared checks name a field by this sheet's header
            self.columns = {
                "id": layout.headers[layout.columns[_NUMBER]],
                "start_date": layout.headers[layout.columns[_START]],
                "end_date": layout.headers[layout.columns[_END]],
                "eu_contribution": layout.headers[layout.grant],
            }
            width = len(rows[0])
            for number, cells in enumerate(rows[1:], start=2):
                if all(map(_is_empty, cells)):
                    continue
                cells = list(cells[:width]) + [None] * (width - len(cells))
                row = c.Row(self.report, sheet, number)
                yield Parsed(row, _Row(layout, cells, row).record())


class _Row:
    """One spreadsheet row made into a ProjectRecord. Issues name a field by its header."""

    def __init__(self, layout: _Layout, cells: list[Any], row: c.Row) -> None:
        self.layout = layout
        self.cells = cells
        self.row = row
        self.extra: list[tuple[str, str]] = []

    def raw(self, key: str) -> Any:
        index = self.layout.columns.get(key)
        return None if index is None else self.cells[index]

    def text(self, key: str) -> str | None:
        return c.text(self.raw(key))

    def header(self, key: str) -> str:
        index = self.layout.columns.get(key)
        return key if index is None else self.layout.headers[index]

    def add(self, label: str, value: str | None) -> None:
        if value:
            self.extra.append((label, value))

    def record(self) -> ProjectRecord | None:
        row = self.row
        number = c.code_text(self.raw(_NUMBER))
        if number is None:
            row.issue(self.header(_NUMBER), "no project number", "rejected")
            return None
        title = self.text(_TITLE)
        if title is None:
            row.issue(self.header(_TITLE), "no project title", "rejected")
            return None
        pid = project_id(SOURCE, number)
        summary = self.text("project summary")
        summary_lang = guess_language(summary) if summary else None
        start = excel_day(self.raw(_START), row, self.header(_START))
        end = excel_day(self.raw(_END), row, self.header(_END))
        self.add(SourceFact.SUB_PROGRAMME, self.text("sub-programme"))
        self.add(SourceFact.ACTION, self.text("action"))
        call_year = self._call_year()
        status = self.text("project status")
        source_status = status
        if status and status.casefold() in _CLOSED:
            source_status = "closed"
            self.add(SourceFact.PROJECT_STATUS, status)
        self.add(SourceFact.SUCCESS_STORY, self.text("is success story"))
        self.add(SourceFact.RESULTS_AVAILABLE, self.text("results available"))
        themes: list[str] = []
        for theme in (self.text("activity type") or "").split(","):
            theme = " ".join(theme.split())
            if theme and theme not in themes:
                themes.append(theme)
        participations, organisations = self._participants(pid)
        countries = set(self._listed_countries())
        countries.update(o.country for o in organisations if o.country)
        for index in self.layout.other:
            self.add(self.layout.headers[index], c.text(self.cells[index]))
        grant = self.layout.grant
        # The header goes on with a whole sentence in brackets: the field is named without it.
        grant_field = self.layout.headers[grant].split(" (", 1)[0]
        project = Project(
            id=pid,
            source=SOURCE,
            source_id=number,
            source_url=c.url(self.raw("results platform project card"), row,
                             self.header("results platform project card")),
            # Titles are too short to tell, and not always in the summary's language.
            title=LangText(title, guess_language(title)),
            description=(LangText(summary, summary_lang),) if summary else (),
            start_date=start,
            end_date=end,
            source_status=source_status,
            programme=self.text(_PROGRAMME),
            period=period_of_call(call_year),
            eu_contribution=c.money(self.cells[grant], row, grant_field),
            website=c.url(self.raw("project website"), row, self.header("project website")),
            themes=tuple(themes),
            countries=tuple(sorted(countries)),
            extra=tuple(self.extra),
        )
        return ProjectRecord(project, tuple(participations), tuple(organisations))

    def _call_year(self) -> int | None:
        raw = c.code_text(self.raw("call year"))
        if raw is None:
            return None
        self.add(SourceFact.CALL_YEAR, raw)
        if len(raw) == 4 and raw.isdigit():
            return int(raw)
        self.row.issue(self.header("call year"), f"not a year: {raw!r}; no period")
        return None

    def _listed_countries(self) -> list[str]:
        out = []
        for label in (self.text("participating countries") or "").split(","):
            label = label.strip()
            if not label:
                continue
            code = normalise_country(label)
            if code is None:
                self.row.issue(self.header("participating countries"),
                               f"unknown country {label!r}; left out")
            else:
                out.append(code)
        return out

    def _participants(self, pid: str) -> tuple[list[Participation], list[Organisation]]:
        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for group, columns in self.layout.groups.items():
            if all(_is_empty(self.cells[i]) for i in columns.values()):
                continue  # an unused partner slot
            organisation = self._organisation(columns)
            if organisation is None:
                continue
            organisations.setdefault(organisation.id, organisation)
            order = len(participations) + 1
            role = Role.LEAD if group == 0 else Role.PARTNER
            region = c.text(self.cells[columns["region"]]) if "region" in columns else None
            if region and (_NO_REGION.search(region) or (
                normalise_country(region) == organisation.country
            )):
                region = None  # a placeholder, or the country itself: no region
            participations.append(
                Participation(pid, organisation.id, role, order, region=region)
            )
        return participations, list(organisations.values())

    def _organisation(self, columns: dict[str, int]) -> Organisation | None:
        row = self.row
        headers = self.layout.headers

        def get(what: str) -> Any:
            return self.cells[columns[what]] if what in columns else None

        name = c.text(get("name"))
        if name is None:
            where = headers[columns.get("name", min(columns.values()))]
            row.issue(where, "an organisation without a name; left out")
            return None
        label = c.text(get("country"))
        country = normalise_country(label)
        if label and country is None:
            row.issue(headers[columns["country"]], f"unknown country {label!r}; left empty")
        street, postcode, city = split_address(c.text(get("address")))
        website = c.url(get("website"), row, headers[columns["website"]]) if (
            "website" in columns) else None
        return Organisation(
            id=organisation_id(name, country, city, "eac"),
            name=name,
            country=country,
            country_label=label,
            city=city,
            postcode=postcode,
            street=street,
            organisation_type=c.text(get("organisation type")),
            website=website,
        )
