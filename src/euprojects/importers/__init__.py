"""Importers: one module per source. Each reads files into ProjectRecords and a FileReport and
knows nothing of storage. The registry maps a source name (as the CLI spells it) to a function
that opens one file, checking it whole, and returns a reader to iterate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import BadFileError
from ..model import ProjectRecord
from ._report import FileReport, ImportReport, RowIssue
from ._workbook import sniff
from .cordis_csv import CordisCsvReader, is_csv_dataset
from .cordis_xml import CordisXmlReader
from .eac import EacResultsReader
from .keep_api import KeepApiReader
from .keep_export import KeepExportReader

__all__ = ["Reader", "IMPORTERS", "open_reader", "FileReport", "ImportReport", "RowIssue",
           "ReadLimits"]


@dataclass(frozen=True)
class ReadLimits:
    """What an importer may hold in memory at once (the catalog passes the settings)."""

    max_member_bytes: int = 64 * 1024 * 1024  # one zip member read whole


class Reader(Protocol):
    """An opened, checked input file. Iterating it yields its projects one at a time and fills
    ``report``; the iteration may still raise BadFileError for damage found late."""

    report: FileReport
    path: Path
    expected: int | None  # how many projects the file holds, once known


    def __iter__(self) -> Iterator[ProjectRecord]: ...


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


# source name -> (model source prefix, opener). Extensions may add to it.
IMPORTERS: dict[str, tuple[str, Callable[[Path, ReadLimits], Reader]]] = {
    "keep-eu": ("keep", _open_keep),
    "cordis": ("cordis", _open_cordis),
    "eac": ("eac", _open_eac),
}


def open_reader(source: str, path: Path, limits: ReadLimits | None = None) -> Reader:
    try:
        _, opener = IMPORTERS[source]
    except KeyError:
        raise BadFileError(str(path), f"no importer for source {source!r}") from None
    return opener(path, limits or ReadLimits())
