"""keep.eu API JSON: a project as ``GET /api/project/<id>/`` returns it, with ``partnerships``.

Accepted shapes: one project object, a list of them, or an object holding them under
``results`` or ``projects`` (a search page or an Open Data dump). The field list comes from
keep.eu's documentation and third-party clients; no live response was available, so the
test fixtures are hand-made (tests/data/keep/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BadFileError
from ..model import (
    LangText,
    LegalStatus,
    Organisation,
    Participation,
    Project,
    ProjectRecord,
    Role,
    SourceFact,
    normalise_country,
    organisation_id,
)
from . import _cells as c
from ._driver import Parsed, SourceReader
from ._keep import SOURCE, keep_project_id, keep_url, period_of
from ._report import FileReport
from ._workbook import sha256_of, sniff

__all__ = ["KeepApiReader"]

FORMAT = "keep.eu API JSON"
_ROLES = {"lead": Role.LEAD, "partner": Role.PARTNER, "associated": Role.ASSOCIATED}
_LEGAL = {"public": LegalStatus.PUBLIC.value, "private": LegalStatus.PRIVATE.value}
# Text kinds in "translations.<lang>", first name wins.
_TEXT_KEYS = {
    "description": ("description",),
    "expected_results": ("expected_results", "expected_achievements"),
    "achievements": ("achievements", "actual_achievements"),
}


def _projects_in(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "partnerships" in data:
            return [data]
        for key in ("results", "projects"):
            items = data.get(key)
            if isinstance(items, list):
                return items
    return None


class KeepApiReader(SourceReader):
    """Reads one keep.eu API JSON file; the constructor refuses a file that is not one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if sniff(path) != "json":
            raise BadFileError(str(path), "not a JSON file")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadFileError(str(path), f"not valid JSON ({exc})") from None
        except RecursionError:  # the parser's depth bound: no API answer nests that deep
            raise BadFileError(str(path), "not keep.eu API JSON: nested too deeply") from None
        items = _projects_in(data)
        if items is None or not all(isinstance(i, dict) for i in items):
            raise BadFileError(
                str(path), "not keep.eu API JSON: no project object with 'partnerships'"
            )
        if not items:
            raise BadFileError(str(path), "holds no project")
        self._items = items
        self.expected: int | None = len(items)
        self.report = FileReport(file=path.name, format=FORMAT, sha256=sha256_of(path))

    # a project's id is made of its programme and acronym
    again = ("acronym", "project")

    def parse(self) -> Iterator[Parsed]:
        for index, item in enumerate(self._items, start=1):
            row = c.Row(self.report, None, index)
            yield Parsed(row, self._record(item, row))

    def _record(self, item: dict[str, Any], row: c.Row) -> ProjectRecord | None:
        programme_obj = item.get("programme") or {}
        programme = c.text(programme_obj.get("title")) if isinstance(programme_obj, dict) else None
        acronym = c.clean_acronym(item.get("acronym"))
        if programme is None:
            row.issue("programme", "no programme title", "rejected")
            return None
        if acronym is None:
            row.issue("acronym", "no acronym", "rejected")
            return None
        pid = keep_project_id(programme, acronym)
        translations = item.get("translations") or {}
        if not isinstance(translations, dict):
            row.issue("translations", "not an object; texts left empty")
            translations = {}
        langs = sorted(translations, key=lambda lang: (lang != "en", lang))
        names = [
            LangText(name, lang)
            for lang in langs
            if (name := c.text((translations[lang] or {}).get("name")))
        ]
        if not names:
            row.issue("translations", "no project name in any language; the acronym stands in")
            names = [LangText(acronym, None)]
        texts: dict[str, tuple[LangText, ...]] = {}
        for field, keys in _TEXT_KEYS.items():
            found = []
            for lang in langs:
                entry = translations[lang] or {}
                value = next((c.text(entry.get(k)) for k in keys if c.text(entry.get(k))), None)
                if value:
                    found.append(LangText(value, lang))
            texts[field] = tuple(found)
        period_obj = programme_obj.get("period") or {}
        period = period_of(
            c.text(period_obj.get("title")) if isinstance(period_obj, dict) else None, programme
        )
        themes = []
        for theme in item.get("themes") or ():
            label = c.text(theme.get("title") if isinstance(theme, dict) else theme)
            if label:
                themes.append(label)
        keep_id = c.text(item.get("id"))
        participations, organisations = self._partners(pid, item.get("partnerships") or [], row)
        countries = sorted({o.country for o in organisations if o.country})
        project = Project(
            id=pid,
            source=SOURCE,
            source_id=keep_id,
            source_url=keep_url(keep_id),
            title=names[0],
            acronym=acronym,
            other_titles=tuple(names[1:]),
            description=texts["description"],
            expected_results=texts["expected_results"],
            achievements=texts["achievements"],
            start_date=c.day(item.get("start_date"), row, "start_date"),
            end_date=c.day(item.get("end_date"), row, "end_date"),
            source_status=c.text(item.get("status")),
            programme=programme,
            programme_id=c.text(item.get("project_id")),
            period=period,
            total_budget=c.money(item.get("total_budget"), row, "total_budget"),
            eu_contribution=c.money(item.get("eu_funding"), row, "eu_funding"),
            source_cofinancing_rate=c.rate(
                item.get("union_co_financing_rate"), row, "union_co_financing_rate"
            ),
            website=c.url(item.get("website"), row, "website"),
            themes=tuple(themes),
            countries=tuple(countries),
            priority=c.text(item.get("priority")),
            extra=tuple(
                (SourceFact.INTERVENTION_TYPE, v)
                for v in (c.text(item.get("intervention_type")),) if v is not None
            ),
        )
        return ProjectRecord(project, tuple(participations), tuple(organisations))

    def _partners(
        self, pid: str, partnerships: list[Any], row: c.Row
    ) -> tuple[list[Participation], list[Organisation]]:
        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for number, p in enumerate(partnerships, start=1):
            field = f"partnerships[{number - 1}]"
            partner = p.get("partner") if isinstance(p, dict) else None
            name = c.text(partner.get("name")) if isinstance(partner, dict) else None
            if name is None or not isinstance(partner, dict):
                row.issue(field, "a partnership without an organisation name; left out")
                continue
            country_obj = partner.get("country") or {}
            label = c.text(country_obj.get("title")) if isinstance(country_obj, dict) else None
            country = normalise_country(label)
            if label and country is None:
                row.issue(f"{field}.partner.country", f"unknown country {label!r}; left empty")
            city = c.text(p.get("town"))
            kind = (c.text(p.get("type")) or "partner").casefold()
            role = _ROLES.get(kind, Role.OTHER)
            raw_legal = c.text(p.get("legal_status"))
            other_names = tuple(
                LangText(t, lang)
                for lang, entry in sorted((partner.get("translations") or {}).items())
                if isinstance(entry, dict)
                and (t := c.text(entry.get("name_translated")))
                and t != name
            )
            oid = organisation_id(name, country, city)
            organisations.setdefault(
                oid,
                Organisation(
                    id=oid,
                    name=name,
                    other_names=other_names,
                    country=country,
                    country_label=label,
                    city=city,
                    postcode=c.code_text(p.get("postcode")),
                    street=c.text(p.get("street")),
                    legal_status=_LEGAL.get((raw_legal or "").casefold()),
                    organisation_type=c.text(p.get("organisation_type")),
                    pic=c.code_text(p.get("pic")),
                ),
            )
            participations.append(
                Participation(
                    project_id=pid,
                    organisation_id=oid,
                    role=role,
                    order=len(participations) + 1,
                    budget=c.money(p.get("total_budget"), row, f"{field}.total_budget"),
                    eu_contribution=c.money(
                        p.get("co_financing_eur"), row, f"{field}.co_financing_eur"
                    ),
                )
            )
        return participations, list(organisations.values())
