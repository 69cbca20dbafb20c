"""Importers: one module per source. Each maps a file's rows to ProjectRecords and knows
nothing of storage; the driver (_driver.py) counts them, leaves out repeats and runs the checks
every source shares, into a FileReport. The registry maps a source name (as the CLI spells it)
to a function that opens one file, checking it whole, and returns a reader to iterate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import BadFileError
from ._driver import Parsed, SourceReader, check
from ._report import FileReport, ImportReport, RowIssue
from ._workbook import sniff
from .cordis_csv import CordisCsvReader, is_csv_dataset
from .cordis_xml import CordisXmlReader
from .eac import EacResultsReader
from .keep_api import KeepApiReader
from .keep_export import KeepExportReader
from .kohesio import KohesioReader

__all__ = ["Reader", "SourceReader", "Parsed", "check", "IMPORTERS", "open_reader",
           "FileReport", "ImportReport", "RowIssue", "ReadLimits"]


@dataclass(frozen=True)
class ReadLimits:
    """What an importer may hold in memory at once (the catalog passes the settings)."""

    max_member_bytes: int = 64 * 1024 * 1024  # one zip member read whole


# An opened, checked input file: iterating it yields its projects one at a time (counted,
# de-duplicated and checked by the driver) and fills ``report``; the iteration may still raise
# BadFileError for damage found late.
Reader = SourceReader


def _open_keep(path: Path, limits: ReadLimits) -> Reader:
    kind = sniff(path)
    if kind == "json":
        return KeepApiReader(path)
    if kind == "xlsx":
        return KeepExportReader(path)
    if kind == "xls":
        raise BadFileError(str(path), "an old binary .xls workbook, not a keep.eu xlsx export")
    raise BadFileError(
        str(path), "not a keep.eu export: neither an xlsx workbook nor JSON (a CSV or text file?)"
    )


def _open_cordis(path: Path, limits: ReadLimits) -> Reader:
    """The CSV dataset (its zip or its project.csv: streamed) or the XML zip (a zip of XML
    files, each read whole: at most ``limits.max_member_bytes``)."""
    if is_csv_dataset(path):
        return CordisCsvReader(path)
    return CordisXmlReader(path, limits.max_member_bytes)


def _open_eac(path: Path, limits: ReadLimits) -> Reader:
    return EacResultsReader(path)


def _open_kohesio(path: Path, limits: ReadLimits) -> Reader:
    kind = sniff(path)
    if kind != "other":
        raise BadFileError(str(path), f"not a Kohesio CSV export: a {kind} file")
    return KohesioReader(path)


# source name -> (model source prefix, opener). Extensions may add to it.
IMPORTERS: dict[str, tuple[str, Callable[[Path, ReadLimits], Reader]]] = {
    "keep-eu": ("keep", _open_keep),
    "cordis": ("cordis", _open_cordis),
    "eac": ("eac", _open_eac),
    "kohesio": ("kohesio", _open_kohesio),
}


def open_reader(source: str, path: Path, limits: ReadLimits | None = None,
                today: date | None = None) -> Reader:
    """The file opened and checked whole by the source's importer. ``today``: the day the
    checks compare dates with (default: the system's)."""
    try:
        _, opener = IMPORTERS[source]
    except KeyError:
        raise BadFileError(str(path), f"no importer for source {source!r}") from None
    reader = opener(path, limits or ReadLimits())
    reader.today = today
    return reader
