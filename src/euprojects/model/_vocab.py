"""Controlled vocabularies: statuses, roles, legal statuses, countries."""

from __future__ import annotations

import unicodedata
from datetime import date
from enum import StrEnum
from functools import cache

from babel import Locale

__all__ = [
    "Status",
    "Role",
    "LegalStatus",
    "derive_status",
    "normalise_country",
    "fold",
]


class Status(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    CLOSED = "closed"
    TERMINATED = "terminated"


class Role(StrEnum):
    LEAD = "lead"  # keep.eu lead partner, CORDIS coordinator
    PARTNER = "partner"
    ASSOCIATED = "associated"
    THIRD_PARTY = "third_party"
    OTHER = "other"


class LegalStatus(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


def derive_status(
    start: date | None, end: date | None, source_status: str | None, today: date
) -> Status | None:
    """Status from the dates against ``today``, unless the source says more.

    A source that says "terminated" wins (the project stopped early). A source that says
    "closed" wins too. Otherwise: before the start planned, after the end closed, else ongoing.
    """
    said = (source_status or "").strip().lower()
    if said == "terminated":
        return Status.TERMINATED
    if said in {"closed", "finished", "completed"}:
        return Status.CLOSED
    if end is not None and end < today:
        return Status.CLOSED
    if start is not None and start > today:
        return Status.PLANNED
    if start is None and end is None:
        return None
    return Status.ONGOING


def fold(text: str) -> str:
    """Lower-case, accents removed, white space collapsed: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


# EU conventions that differ from ISO 3166-1 alpha-2.
_EU_CODES = {"EL": "GR", "UK": "GB"}
# Names in the data that CLDR does not list in the languages below.
_EXTRA_NAMES = {
    "czech republic": "CZ",
    "macedonia": "MK",
    "former yugoslav republic of macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "republic of moldova": "MD",
    "russian federation": "RU",
    "kosovo": "XK",
    "kosovo *": "XK",
    "slovak republic": "SK",
    "turkiye": "TR",
    "turkey": "TR",
}


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in ("en", "fr", "de"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    names.update(_EXTRA_NAMES)
    return names


def normalise_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 code for a code or a name, or None when unknown.

    Takes "SE", "EL" (EU code for Greece), "UK", "Germany", "Czechia", "Czech Republic" and
    keep.eu's "DE Germany / DEUTSCHLAND" (the code stands first).
    """
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    head = text.split(" ", 1)[0]
    if len(head) == 2 and head.isalpha() and head.isupper():
        return _EU_CODES.get(head, head)
    return _names().get(fold(text))
