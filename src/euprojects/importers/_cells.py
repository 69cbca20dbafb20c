"""Cell parsing shared by the importers: money, dates, rates, codes, URLs, texts.

Each parser takes the raw cell and a ``Row`` to report a value it had to drop or mend, so that a
bad cell costs that field only, never the row, and never silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from ..model import LangText, Money
from ._report import FileReport, RowIssue

__all__ = ["Row", "MISSING", "text", "money", "rate", "day", "code_text", "nuts", "url",
           "url_key", "lang_text", "clean_acronym"]

_CENT = Decimal("0.01")
# What sources write for "no value".
MISSING = frozenset({"", "n/a", "n.a.", "na", "-", "none", "null"})


@dataclass(slots=True)
class Row:
    """Where a value came from, to report it: file, sheet, 1-based row number, archive member."""

    report: FileReport
    sheet: str | None
    number: int | None
    member: str | None = None  # the file inside an archive

    def issue(self, field: str | None, reason: str, action: str = "repaired") -> None:
        self.report.add(
            RowIssue(
                self.report.file, self.sheet, self.number, field, reason, action, self.member
            )
        )


def text(value: Any) -> str | None:
    """A stripped text with normalised line ends, or None for an empty or missing cell."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if out.casefold() in MISSING else out


def code_text(value: Any) -> str | None:
    """A code typed as a number by the spreadsheet (postcode 99099.0, call 10.0) as text.

    Kept as given: a postcode that lost its leading zero is not padded back, since the right
    length cannot be known.
    """
    return text(value)


def _decimal(raw: str, decimal_comma: bool) -> Decimal:
    s = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    s = s.replace("€", "").replace("EUR", "")
    if decimal_comma:
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    return Decimal(s)


def money(value: Any, row: Row, field: str, *, decimal_comma: bool = False) -> Money | None:
    """Money from a number or a text with thousands separators ("892,228.58"); EUR."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        raw = text(value)
        if raw is None:
            return None
        try:
            amount = _decimal(raw, decimal_comma)
        except InvalidOperation:
            row.issue(field, f"not an amount: {raw!r}; left empty")
            return None
    if not amount.is_finite() or amount < 0:
        row.issue(field, f"not a usable amount: {value!r}; left empty")
        return None
    return Money(amount.quantize(_CENT, rounding=ROUND_HALF_UP))


def rate(value: Any, row: Row, field: str) -> Decimal | None:
    """A percentage: "80%", "76.80", 76.8, or a fraction 0.8 as Excel stores a % cell."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        pct = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if 0 < pct <= 1 and isinstance(value, float):
            pct *= 100
    else:
        raw = text(value)
        if raw is None:
            return None
        try:
            pct = _decimal(raw.rstrip("%").strip(), "," in raw and "." not in raw)
        except InvalidOperation:
            row.issue(field, f"not a percentage: {raw!r}; left empty")
            return None
    if not (0 <= pct <= 100):
        row.issue(field, f"percentage out of range: {value!r}; left empty")
        return None
    return pct.quantize(_CENT, rounding=ROUND_HALF_UP)


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")


def day(value: Any, row: Row, field: str) -> date | None:
    """A date from a date cell or a text in one of the usual forms ("2015/10/27")."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if raw is None:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    row.issue(field, f"not a date: {raw!r}; left empty")
    return None


_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_NUTS = re.compile(r"^\s*([A-Z]{2}[0-9A-Z]{0,3})\s*(?:/\s*(.*))?$")


def nuts(value: Any, row: Row, field: str) -> tuple[str, str | None] | None:
    """("DEG01", "Erfurt, Kreisfreie Stadt") from "DEG01  / Erfurt, Kreisfreie Stadt"."""
    raw = text(value)
    if raw is None:
        return None
    m = _NUTS.match(raw)
    if not m:
        row.issue(field, f"not a NUTS code: {raw!r}; left empty")
        return None
    name = (m.group(2) or "").strip() or None
    return m.group(1), name


def url(value: Any, row: Row, field: str) -> str | None:
    """An http(s) URL; "www.x.eu" gains "http://"; anything else is dropped and reported."""
    raw = text(value)
    if raw is None:
        return None
    raw = raw.split()[0]
    if _BARE_HOST.match(raw):
        raw = "http://" + raw  # "www.x.eu" or "centralbaltic.eu/projects"
    try:
        parts = urlsplit(raw)
    except ValueError:  # "http://[www.x.eu": urllib reads a bracket as an IPv6 address
        parts = None
    if parts is None or parts.scheme.lower() not in {"http", "https"} or "." not in parts.netloc:
        row.issue(field, f"not a web address: {raw!r}; left empty")
        return None
    return raw


def url_key(address: str) -> str:
    """What makes two addresses the same site page: no scheme, no www., no trailing / or #."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return address.strip().lower()
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if path.lower() in {"/index.html", "/index.php", "/index.htm"}:
        path = ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def lang_text(value: Any, lang: str | None) -> LangText | None:
    out = text(value)
    return LangText(out, lang) if out else None


def clean_acronym(value: Any) -> str | None:
    """An acronym as text: numeric cells (103.0) become "103"; one pair of wrapping quotes
    ('"Antonius cum Johannis"') is taken off when no other quote is inside."""
    out = text(value)
    if out is None:
        return None
    if len(out) > 2 and out[0] == out[-1] == '"' and '"' not in out[1:-1]:
        out = out[1:-1].strip()
    return out or None


def coordinates(value: Any, row: Row, field: str) -> tuple[tuple[Decimal, Decimal], ...]:
    """``lat,lon`` pairs in degrees joined with ``|`` (``53.96,-7.35|53.66,-8.95``); a pair
    that is not one (not two numbers, out of range) is dropped and reported."""
    raw = text(value)
    if raw is None:
        return ()
    found: list[tuple[Decimal, Decimal]] = []
    for pair in raw.split("|"):
        parts = [p.strip() for p in pair.split(",")]
        try:
            lat, lon = (Decimal(p) for p in parts) if len(parts) == 2 else (None, None)
        except InvalidOperation:
            lat = lon = None
        if (lat is None or lon is None or not lat.is_finite() or not lon.is_finite()
                or abs(lat) > 90 or abs(lon) > 180):
            row.issue(field, f"not a latitude,longitude pair: {pair.strip()!r}; left out")
            continue
        if (lat, lon) not in found:
            found.append((lat, lon))
    return tuple(found)
