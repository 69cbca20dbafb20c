"""What the three keep.eu formats share: the project key, languages, programme sites."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import normalise_country, project_id
from ._cells import url_key

__all__ = ["SOURCE", "keep_project_id", "programme_languages", "ProgrammeSites", "keep_url",
           "period_of"]

SOURCE = "keep"


def keep_project_id(programme: str, acronym: str) -> str:
    """keep.eu exports carry no project id: every format keys a project on programme + acronym."""
    return project_id(SOURCE, None, programme, acronym)


def keep_url(keep_id: str | None) -> str | None:
    """The public page of a project on keep.eu, when its keep.eu id is known."""
    return f"https://keep.eu/projects/{keep_id}/" if keep_id else None


_PERIOD = re.compile(r"((?:19|20)\d\d)\s*-\s*((?:19|20)\d\d)")


def period_of(*candidates: str | None) -> str | None:
    """"2014-2020" from "2014-2020", "2014 - 2020" or a programme name that starts with it."""
    for value in candidates:
        m = _PERIOD.search(value or "")
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return None


# The official languages of a country, as far as keep.eu texts go.
_LANGUAGES = {
    "AL": ("sq",), "AT": ("de",), "BA": ("hr", "sr"), "BE": ("fr", "nl", "de"), "BG": ("bg",),
    "CH": ("de", "fr", "it"), "CY": ("el",), "CZ": ("cs",), "DE": ("de",), "DK": ("da",),
    "EE": ("et",), "ES": ("es",), "FI": ("fi", "sv"), "FR": ("fr",), "GB": ("en",),
    "GR": ("el",), "HR": ("hr",), "HU": ("hu",), "IE": ("en",), "IT": ("it",), "LI": ("de",),
    "LT": ("lt",), "LU": ("fr", "de"), "LV": ("lv",), "MD": ("ro",), "ME": ("sr", "hr"),
    "MK": ("mk",), "NL": ("nl",), "NO": ("no",), "PL": ("pl",), "PT": ("pt",), "RO": ("ro",),
    "RS": ("sr",), "SE": ("sv",), "SI": ("sl",), "SK": ("sk",), "TR": ("tr",), "UA": ("uk",),
    "AD": ("es", "fr"),
}
_PROGRAMME_HEAD = re.compile(
    r"^(?:(?:19|20)\d\d\s*-\s*(?:19|20)\d\d\s+)?"
    r"(?:(?:interreg|ipa|eni|enpi|cbc|v-?a|v-?b|iv-?a|ii|iii)\s+)*",
    re.IGNORECASE,
)


def programme_languages(programme: str) -> tuple[str, ...] | None:
    """The languages of the countries a programme is named after, or None if it names none.

    keep.eu's "1" and "2" text columns hold "national languages" without saying which: the
    real file shows that their order does not follow the programme name (Slovenia - Austria
    has German in column 1), so each text's language is recognised among these candidates.
    """
    body = _PROGRAMME_HEAD.sub("", programme, count=1)
    head = re.split(r"\s*\(", body, maxsplit=1)[0]
    langs: list[str] = []
    for part in re.split(r"\s+[-\u2013]\s+|(?<=[a-z])-(?=[A-Z])", head):
        name = part.split("/")[0].strip().removeprefix("The ")
        country = normalise_country(name) if name else None
        for lang in _LANGUAGES.get(country or "", ()):
            if lang not in langs:
                langs.append(lang)
    return tuple(langs) or None


class ProgrammeSites:
    """Tells a programme's site from a project's own site.

    keep.eu's Website column usually holds the programme's site. An address (compared without
    scheme, ``www.`` or trailing slash) given for two or more different projects is a programme
    site; an address given for one project only is that project's own site.
    """

    def __init__(self) -> None:
        self._projects: dict[str, int] = {}

    @classmethod
    def from_counts(cls, counts: Iterable[tuple[str, int]]) -> ProgrammeSites:
        """From (url_key, number of distinct projects giving it) pairs."""
        sites = cls()
        sites._projects = dict(counts)
        return sites

    def is_programme_site(self, address: str) -> bool:
        return self._projects.get(url_key(address), 0) >= 2
