"""Reading xlsx files row by row (openpyxl, read-only mode), refusing a bad file whole.

Rows stream from the sheet XML, so memory does not grow with the number of rows; what an xlsx
reader must hold whole is the file's table of shared strings.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import BadFileError

__all__ = ["Workbook", "sniff", "sha256_of"]

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


def _damaged(path: Path, exc: BaseException) -> BadFileError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return BadFileError(str(path), f"damaged or truncated workbook ({reason})")


class Workbook:
    """An xlsx workbook opened for streaming. Opening checks that it is one; reading a sheet
    raises BadFileError for damage found on the way (broken XML, truncated data)."""

    def __init__(self, path: Path) -> None:
        import openpyxl  # imported here: only spreadsheet imports pay for it

        self.path = path
        if sniff(path) != "xlsx":
            raise BadFileError(str(path), "not an xlsx workbook")
        # A file object, not the path: openpyxl would refuse a name not ending in .xlsx.
        self._file = path.open("rb")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
                self._book = openpyxl.load_workbook(
                    self._file, read_only=True, data_only=True, keep_links=False
                )
        except Exception as exc:  # zipfile, XML and openpyxl's own errors for broken parts
            self._file.close()
            raise _damaged(path, exc) from None
        self.sheet_names = list(self._book.sheetnames)

    def close(self) -> None:
        self._book.close()
        self._file.close()

    def header(self, sheet: str, required: Sequence[str]) -> list[str]:
        """The header row of ``sheet``; BadFileError if it lacks a required column."""
        header: list[str] = []
        for cells in self._rows(sheet, max_row=1):
            header = [str(h).strip() if h is not None else "" for h in cells]
        if not any(header):
            raise BadFileError(str(self.path), f"sheet {sheet!r} has no header row")
        missing = [c for c in required if c not in header]
        if missing:
            raise BadFileError(
                str(self.path),
                f"sheet {sheet!r} lacks the column(s) {', '.join(map(repr, missing))}",
            )
        return header

    def _rows(
        self, sheet: str, min_row: int = 1, max_row: int | None = None
    ) -> Iterator[tuple[Any, ...]]:
        try:
            worksheet = self._book[sheet]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield from worksheet.iter_rows(
                    min_row=min_row, max_row=max_row, values_only=True
                )
        except BadFileError:
            raise
        except Exception as exc:
            raise _damaged(self.path, exc) from None

    def iter_rows(self, sheet: str, header: list[str]) -> Iterator[tuple[int, list[Any]]]:
        """(row number as a spreadsheet shows it, cell values in header order) after the
        header; empty rows are skipped."""
        width = len(header)
        for number, cells in enumerate(self._rows(sheet, min_row=2), start=2):
            if all(c is None or c == "" for c in cells):
                continue
            values = list(cells[:width])
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            yield number, values
