"""What the three keep.eu formats share: the project key, languages, programme sites."""

from __future__ import annotations

import re
from collections import defaultdict
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


# The main official language of a country, where there is one clear choice. Countries with
# several (BE, CH, LU, FI...) are left out on purpose: their texts keep lang = None.
_LANGUAGE = {
    "AL": "sq", "AM": "hy", "AT": "de", "AZ": "az", "BA": "bs", "BG": "bg", "BY": "be",
    "CY": "el", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et", "ES": "es", "FR": "fr",
    "GB": "en", "GE": "ka", "GR": "el", "HR": "hr", "HU": "hu", "IE": "en", "IS": "is",
    "IT": "it", "LT": "lt", "LV": "lv", "MD": "ro", "ME": "sr", "MK": "mk", "NL": "nl",
    "NO": "no", "PL": "pl", "PT": "pt", "RO": "ro", "RS": "sr", "RU": "ru", "SE": "sv",
    "SI": "sl", "SK": "sk", "TR": "tr", "UA": "uk", "XK": "sq",
}
_PROGRAMME_HEAD = re.compile(
    r"^.*?(?:interreg|ipa cbc|eni cbc|enpi cbc|cbc)\s*(?:v-?a|v-?b|v-?c|iv-?a|ii)?\s+",
    re.IGNORECASE,
)


def programme_languages(programme: str) -> tuple[str | None, str | None]:
    """The languages of keep.eu's "1" and "2" text columns, read off the programme's name.

    Cross-border programmes are named after their countries in order ("... Germany / Saxony -
    Czech Republic"), and column 1 holds the first country's language, column 2 the second's
    (checked by reading the real file). Transnational programmes ("Baltic Sea Region") name no
    two countries: the language stays unknown rather than guessed.
    """
    body = _PROGRAMME_HEAD.sub("", programme, count=1)
    parts = [p for p in re.split(r"\s+-\s+", body) if p.strip()]
    if len(parts) < 2:
        return None, None
    langs: list[str | None] = []
    for part in parts[:2]:
        name = re.split(r"[/(]", part, maxsplit=1)[0].strip()
        country = normalise_country(name)
        langs.append(_LANGUAGE.get(country) if country else None)
    first, second = langs
    if first is not None and first == second:
        return first, None
    return first, second


class ProgrammeSites:
    """Tells a programme's site from a project's own site.

    keep.eu's Website column usually holds the programme's site. An address (compared without
    scheme, ``www.`` or trailing slash) given for two or more different projects is a programme
    site; an address given for one project only is that project's own site.
    """

    def __init__(self) -> None:
        self._projects: dict[str, set[str]] = defaultdict(set)

    def add(self, address: str | None, project_key: str) -> None:
        if address:
            self._projects[url_key(address)].add(project_key)

    def add_all(self, pairs: Iterable[tuple[str | None, str]]) -> None:
        for address, key in pairs:
            self.add(address, key)

    def is_programme_site(self, address: str) -> bool:
        return len(self._projects.get(url_key(address), ())) >= 2


