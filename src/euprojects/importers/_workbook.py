"""Reading spreadsheet files with python-calamine, refusing a bad file whole and up front."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..errors import BadFileError

__all__ = ["open_workbook", "Sheet", "sniff", "sha256_of"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sniff(path: Path) -> str:
    """"xlsx", "xls", "json" or "other", from the first bytes; BadFileError if unreadable."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise BadFileError(str(path), "no such file") from None
    except OSError as exc:
        raise BadFileError(str(path), f"cannot be read ({exc.strerror})") from None
    if not head:
        raise BadFileError(str(path), "the file is empty")
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "json"
    return "other"


class Sheet:
    """One worksheet: its header checked, its rows as dicts keyed by header text."""

    def __init__(self, path: Path, name: str, rows: list[list[Any]]) -> None:
        self.path = path
        self.name = name
        self._rows = rows
        self.header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]

    def require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise BadFileError(
                str(self.path),
                f"sheet {self.name!r} lacks the column(s) {', '.join(map(repr, missing))}",
            )

    def iter_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number as a spreadsheet shows it, {header: value}); empty rows are skipped."""
        header = self.header
        for index, cells in enumerate(self._rows[1:], start=2):
            if all(c is None or c == "" for c in cells):
                continue
            yield index, dict(zip(header, cells, strict=False))

    def release(self) -> None:
        self._rows = []


def open_workbook(path: Path, sheets: Sequence[str]) -> dict[str, Sheet]:
    """Open ``path`` as a workbook holding every one of ``sheets``; refuse it whole otherwise."""
    kind = sniff(path)
    if kind != "xlsx":
        what = {"json": "a JSON file", "xls": "an old binary .xls workbook"}.get(
            kind, "not a spreadsheet (a CSV or text file?)"
        )
        raise BadFileError(str(path), f"not an xlsx workbook: {what}")
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        missing = [s for s in sheets if s not in names]
        if missing:
            raise BadFileError(
                str(path),
                f"no sheet {', '.join(map(repr, missing))} (sheets: {', '.join(map(repr, names))})",
            )
        out = {s: Sheet(path, s, book.get_sheet_by_name(s).to_python()) for s in sheets}
    except BadFileError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken zips and XML
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadFileError(str(path), f"damaged or truncated workbook ({reason})") from None
    for sheet in out.values():
        if not sheet.header or not any(sheet.header):
            raise BadFileError(str(path), f"sheet {sheet.name!r} has no header row")
    return out


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an xlsx file, to tell its layout; BadFileError if it is none."""
    if sniff(path) != "xlsx":
        raise BadFileError(str(path), "not an xlsx workbook")
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadFileError(str(path), f"damaged or truncated workbook ({reason})") from None
