"""Streamed exports of projects: CSV, JSON Lines, XLSX and an Atom feed.

Every writer takes an iterable of ``(Project, Status | None)`` pairs and consumes it once, so an
export of every match of a search never holds more than one project at a time (the XLSX writer
spools its workbook to a temporary file, as the format needs a finished zip).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from openpyxl import Workbook

from .model import Organisation, Participation, Project, ProjectBrief, Role, Status, fold
from .views import OrganisationItem, export_row

__all__ = [
    "COLUMNS",
    "HEADERS",
    "PARTNER_COLUMNS",
    "filename_for",
    "export_row",
    "safe_cell",
    "iter_csv",
    "iter_jsonl",
    "write_xlsx",
    "iter_xlsx",
    "iter_atom",
    "FORMATS",
    "ExportFormat",
    "Export",
    "Item",
    "Feed",
    "Options",
    "ORGANISATION_COLUMNS",
    "ORG_FORMATS",
]

# A project with its status: the whole project, or its brief (what a row of CSV or XLSX shows:
# the formats whose ExportFormat.brief is true take either)
Item = tuple[Project | ProjectBrief, Status | None]

# One row per project: plain values, amounts as decimal strings in euros (no rounding).
COLUMNS = (
    "id",
    "acronym",
    "title",
    "programme",
    "period",
    "start_date",
    "end_date",
    "status",
    "eu_contribution",
    "total_budget",
    "currency",
    "cofinancing_rate",
    "countries",
    "themes",
    "website",
    "source_url",
)

# With the partners (the option ``partners``): the lead partner(s) and every participant, each
# as "name (country)", joined with "; ".
PARTNER_COLUMNS = ("lead_partner", "partners", "partner_count")
# With a link to each project's page on the portal (when the exporter knows the portal's
# address).
LINK_COLUMN = "url"


def _(message: str) -> str:
    """Marks a header for extraction: a localized export shows it translated."""
    return message


# Each column's header when the headers are localized (the option ``lang``).
HEADERS = {
    "id": _("Record"), "acronym": _("Acronym"), "title": _("Title"),
    "programme": _("Programme"), "period": _("Programming period"),
    "start_date": _("Start date"), "end_date": _("End date"), "status": _("Status"),
    "eu_contribution": _("EU amount"), "total_budget": _("Total budget"),
    "currency": _("Currency"), "cofinancing_rate": _("Co-financing rate"),
    "countries": _("Countries"), "themes": _("Themes"), "website": _("Project website"),
    "source_url": _("Record at the source"), "url": _("Page on euprojects"),
    "lead_partner": _("Lead partner"), "partners": _("Participants"),
    "partner_count": _("Number of participants"),
}

# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 64  # rows per chunk of a streamed text export


def safe_cell(value: str) -> str:
    """The text with a leading ``'`` when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# Whether a cell of a row, each cell led by a NUL, starts like a formula: one scan of the row
# in C instead of a call a cell (a NUL inside a cell can only make it look again, cell by cell)
_ANY_FORMULA = re.compile("\x00[" + re.escape("".join(_FORMULA_START)) + "]")


def _csv_chunks(header: Iterable[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text in chunks of _BATCH rows: the header, then the rows (RFC 4180 quoting, CRLF
    line ends, formula-like cells prefixed with ``'``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        if _ANY_FORMULA.search("\x00" + "\x00".join(row)):
            row = [safe_cell(cell) for cell in row]
        writer.writerow(row)
        if n % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def iter_csv(items: Iterable[Item], bom: bool = False,
             options: Options | None = None) -> Iterator[str]:
    """CSV text in chunks: a header, then one row per project (_csv_chunks); a UTF-8 byte
    order mark first if ``bom``."""
    options = options or Options(bom=bom)
    if options.bom:
        yield "\ufeff"
    columns = options.columns
    yield from _csv_chunks(options.header_row(), (
        [row[c] for c in columns]
        for row in (options.row(project, status) for project, status in items)))


def iter_jsonl(items: Iterable[Item]) -> Iterator[str]:
    """One JSON object per line: the whole project with its status (never a brief)."""
    chunk: list[str] = []
    for project, status in items:
        if not isinstance(project, Project):
            raise TypeError("JSON Lines gives whole projects, not their briefs")
        data = {**project.to_dict(), "status": status.value if status else None}
        chunk.append(json.dumps(data, ensure_ascii=False) + "\n")
        if len(chunk) == _BATCH:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _xlsx_value(column: str, text: str) -> date | float | str | None:
    if not text:
        return None
    if column in {"start_date", "end_date"}:
        return date.fromisoformat(text)
    if column in {"eu_contribution", "total_budget", "cofinancing_rate"}:
        return float(text)
    return safe_cell(text)


def write_xlsx(items: Iterable[Item], target: IO[bytes], options: Options | None = None) -> int:
    """A one-sheet workbook (openpyxl write-only mode): header, one row per project. Returns the
    number of projects written."""
    options = options or Options()
    columns = options.columns
    book = Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    sheet.append(options.header_row())
    count = 0
    for project, status in items:
        row = options.row(project, status)
        sheet.append([_xlsx_value(c, row[c]) for c in columns])
        count += 1
    book.save(target)
    return count


def iter_xlsx(items: Iterable[Item], chunk_size: int = 1 << 16,
              options: Options | None = None) -> Iterator[bytes]:
    """The workbook of ``write_xlsx`` as byte chunks, spooled through a temporary file."""
    return _spooled(lambda target: write_xlsx(items, target, options), chunk_size)


def _spooled(write: Callable[[IO[bytes]], Any], chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """What ``write`` writes to a file, as byte chunks, through a temporary file (a workbook
    is a zip: it is finished before its first byte can go)."""
    with tempfile.TemporaryFile() as spool:
        write(spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


@dataclass(frozen=True)
class Feed:
    """What a feed says of itself: its title, its own address, the page it mirrors, and each
    project's page address (also its entry id)."""

    title: str
    feed_url: str
    page_url: str
    link_of: Callable[[Project | ProjectBrief], str]
    updated: datetime | None = None


Participants = Callable[[str], list[tuple[Participation, Organisation]]]


@dataclass(frozen=True)
class Options:
    """What a format may take besides the projects: a byte order mark (CSV), a feed's title
    and addresses (Atom); for CSV and XLSX, headers in a language (``translate``, the
    language's gettext), each project's page address (``link_of``) and its partners
    (``participants``, which reads them)."""

    bom: bool = False
    feed: Feed | None = None
    translate: Callable[[str], str] | None = None
    link_of: Callable[[Project | ProjectBrief], str] | None = None
    participants: Participants | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (COLUMNS + ((LINK_COLUMN,) if self.link_of else ())
                + (PARTNER_COLUMNS if self.participants else ()))

    def header_row(self) -> list[str]:
        if self.translate is None:
            return list(self.columns)
        return [self.translate(HEADERS[c]) for c in self.columns]

    def row(self, project: Project | ProjectBrief, status: Status | None) -> dict[str, str]:
        row = export_row(project, status)
        if self.link_of is not None:
            row[LINK_COLUMN] = self.link_of(project)
        if self.participants is not None:
            found = self.participants(project.id)

            def named(organisation: Organisation) -> str:
                return (f"{organisation.name} ({organisation.country})" if organisation.country
                        else organisation.name)

            row["lead_partner"] = "; ".join(named(o) for p, o in found if p.role is Role.LEAD)
            row["partners"] = "; ".join(named(o) for _p, o in found)
            row["partner_count"] = str(len(found))
        return row


@dataclass(frozen=True)
class ExportFormat:
    """One file format: the one table that the API's ``/api/v1/projects.<name>`` and
    ``euprojects export --format <name>`` both read. ``whole``: every match of a search (an
    export); otherwise one page of it (a feed). ``brief``: its rows need only each project's
    brief (model.ProjectBrief), which the store reads at a fraction of a whole project's cost."""

    name: str
    media_type: str
    binary: bool
    write: Callable[[Iterable[Item], Options], Iterator[Any]]
    whole: bool = True
    brief: bool = True

    @property
    def filename(self) -> str:
        return f"projects.{self.name}"


_SLUG = re.compile(r"[^a-z0-9]+")


def filename_for(words: str, filters: Iterable[tuple[str, str]], fmt: str, day: date) -> str:
    """A file name that says what was searched: ``euprojects-hydrogen-country-lv-2026-12-05.csv``
    (ASCII, at most about 100 characters; ``projects`` when nothing was)."""
    parts = [words, *(f"{name} {value}" for name, value in filters)]
    slug = _SLUG.sub("-", fold(" ".join(p for p in parts if p))).strip("-")[:80].strip("-")
    return f"euprojects-{slug or 'projects'}-{day.isoformat()}.{fmt}"


def _atom(items: Iterable[Item], options: Options) -> Iterator[str]:
    if options.feed is None:
        raise ValueError("an Atom feed needs its title and addresses")
    feed = options.feed
    return iter_atom(items, title=feed.title, feed_url=feed.feed_url, page_url=feed.page_url,
                     link_of=feed.link_of, updated=feed.updated)


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", False,
                        lambda items, options: iter_csv(items, options=options)),
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", False,
                          lambda items, options: iter_jsonl(items), brief=False),
    "xlsx": ExportFormat(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True,
        lambda items, options: iter_xlsx(items, options=options)),
    "atom": ExportFormat("atom", "application/atom+xml; charset=utf-8", False, _atom,
                         whole=False),
}


@dataclass
class Export:
    """An export under way: its format and its chunks (text, or bytes when
    ``format.binary``); ``rows`` counts the projects written so far."""

    format: ExportFormat
    items: Iterable[Item]
    options: Options = field(default_factory=Options)
    filename: str = ""  # what the file is called when saved ("" : the format's own name)
    rows: int = field(default=0, init=False)

    def _counted(self) -> Iterator[Item]:
        for item in self.items:
            self.rows += 1
            yield item

    def __iter__(self) -> Iterator[Any]:
        return self.format.write(self._counted(), self.options)


# Characters XML 1.0 forbids: C0 controls but tab, new line and carriage return, surrogates,
# U+FFFE and U+FFFF. They are dropped (a feed with one of them is no XML at all).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _escape(_NOT_XML.sub("", text))


def _xml_attr(text: str) -> str:
    return _quoteattr(_NOT_XML.sub("", text))


def _stamp(day: date | None, fallback: datetime) -> str:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else fallback
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def iter_atom(
    items: Iterable[Item],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    link_of: Callable[[Project | ProjectBrief], str],
    updated: datetime | None = None,
) -> Iterator[str]:
    """An Atom 1.0 feed: one entry per project, dated by its start (the feed's date when it
    has none); ``link_of`` gives each project's page address, which is also its entry id."""
    now = updated or datetime.now(UTC)
    yield (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{_xml(title)}</title>\n"
        f"  <id>{_xml(feed_url)}</id>\n"
        f"  <link rel=\"self\" href={_xml_attr(feed_url)}/>\n"
        f"  <link rel=\"alternate\" type=\"text/html\" href={_xml_attr(page_url)}/>\n"
        f"  <updated>{_stamp(None, now)}</updated>\n"
        "  <author><name>euprojects</name></author>\n"
    )
    for project, status in items:
        link = link_of(project)
        heading = project.title.text
        if project.acronym and project.acronym != heading:
            heading = f"{project.acronym}: {heading}"
        facts = [project.programme or "", project.period or "", status.value if status else ""]
        summary = " | ".join(f for f in facts if f)
        yield (
            "  <entry>\n"
            f"    <title>{_xml(heading)}</title>\n"
            f"    <id>{_xml(link)}</id>\n"
            f"    <link href={_xml_attr(link)}/>\n"
            f"    <updated>{_stamp(project.start_date, now)}</updated>\n"
            f"    <summary>{_xml(summary)}</summary>\n"
            "  </entry>\n"
        )
    yield "</feed>\n"



# -- organisations -----------------------------------------------------------------------------

# One row per organisation (an organisation search's export: docs/organisation-search.md)
ORGANISATION_COLUMNS = ("id", "name", "city", "country", "countries", "sources", "projects",
                        "participations", "received", "latest_start")


def _organisation_row(item: OrganisationItem) -> dict[str, str]:
    data = item.to_dict()
    return {c: "; ".join(data[c]) if isinstance(data[c], list)
            else "" if data[c] is None else str(data[c]) for c in ORGANISATION_COLUMNS}


def _organisations_csv(items: Iterable[OrganisationItem]) -> Iterator[str]:
    return _csv_chunks(ORGANISATION_COLUMNS, (
        [row[c] for c in ORGANISATION_COLUMNS] for row in map(_organisation_row, items)))


def _organisations_jsonl(items: Iterable[OrganisationItem]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item.to_dict(), ensure_ascii=False) + "\n"


def _organisations_xlsx(items: Iterable[OrganisationItem]) -> Iterator[bytes]:
    def write(target: IO[bytes]) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("organisations")
        sheet.append(list(ORGANISATION_COLUMNS))
        for item in items:
            row = _organisation_row(item)
            sheet.append([int(row[c]) if c in {"projects", "participations"} and row[c]
                          else float(row[c]) if c == "received" and row[c]
                          else date.fromisoformat(row[c]) if c == "latest_start" and row[c]
                          else safe_cell(row[c]) or None for c in ORGANISATION_COLUMNS])
        book.save(target)

    return _spooled(write)


# name -> (media type, its chunks from views.OrganisationItem items)
ORG_FORMATS: dict[str, tuple[str, Callable[[Iterable[OrganisationItem]], Iterator[Any]]]] = {
    "csv": ("text/csv; charset=utf-8", _organisations_csv),
    "jsonl": ("application/x-ndjson; charset=utf-8", _organisations_jsonl),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             _organisations_xlsx),
}
