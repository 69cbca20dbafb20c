"""When a Kohesio operation and a keep.eu project are the same Interreg project.

Kohesio records the keep.eu id of an Interreg operation (property P562941 of its Wikibase),
but its bulk CSV exports do not carry it. So the link is made by a rule that can be explained
(docs/data-model.md, "One project, two sources"):

- the Kohesio operation belongs to an Interreg programme (its CCI code is a territorial
  cooperation one, ``2014TC16RFCB049``, or its programme's name says Interreg);
- one of its names equals the keep.eu project's title, or its acronym and title, once folded
  (case, accents, punctuation); a name of fewer than four words never links (``Technical
  assistance`` repeats);
- the same programming period;
- start dates at most 92 days apart when both have one;
- at least one country in common when both name countries.

The keep.eu project is the one shown (its partnership is whole; Kohesio's beneficiary is one of
its partners); the operation's record is kept and named as its other source."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ._records import Project, SameAs
from ._vocab import fold

__all__ = ["project_keys", "same_project", "merge_projects", "PRIMARY_SOURCE",
           "LINKED_SOURCE"]

PRIMARY_SOURCE, LINKED_SOURCE = "keep", "kohesio"
_MIN_WORDS = 4
_MAX_DAYS = 92
_CCI_COOPERATION = re.compile(r"^\d{4}TC", re.ASCII)
_PUNCT = re.compile(r"[^\w]+|_")


def _folded(text: str | None) -> str:
    return " ".join(_PUNCT.sub(" ", fold(text or "")).split())


def _is_interreg(project: Project) -> bool:
    code = dict(project.extra).get("Programme CCI code", "")
    return bool(_CCI_COOPERATION.match(code)) or "interreg" in fold(project.programme or "")


def _names(project: Project) -> set[str]:
    if project.source == PRIMARY_SOURCE:
        titles = [project.title.text, *(t.text for t in project.other_titles)]
        names = titles + [f"{project.acronym} {t}" for t in titles if project.acronym]
    elif project.source == LINKED_SOURCE and _is_interreg(project):
        names = [project.title.text, *(t.text for t in project.other_titles)]
    else:
        return set()
    return {n for n in map(_folded, names) if len(n.split()) >= _MIN_WORDS}


def project_keys(project: Project) -> set[str]:
    """``interreg:<period>|<folded name>`` for each name a link may be made on (keep.eu
    projects and Kohesio's Interreg operations); nothing for every other project."""
    if not project.period:
        return set()
    return {f"interreg:{project.period}|{name}" for name in _names(project)}


def same_project(a: Project, b: Project) -> str | None:
    """The key on which these two records are one project, or None."""
    if {a.source, b.source} != {PRIMARY_SOURCE, LINKED_SOURCE}:
        return None
    shared = sorted(project_keys(a) & project_keys(b))
    if not shared:
        return None
    if a.start_date and b.start_date and abs((a.start_date - b.start_date).days) > _MAX_DAYS:
        return None
    if a.countries and b.countries and not set(a.countries) & set(b.countries):
        return None
    return shared[0]


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for g in groups for v in g))


def merge_projects(primary: Project, others: list[tuple[Project, str]]) -> Project:
    """The project as shown: ``primary``'s record, with what the ``others`` (each with the key
    that linked it) add: their funds, countries, regions and themes, their facts after its
    own, any field it lacks, and each named in ``same_as``."""
    if not others:
        return primary
    records = [p for p, _ in others]
    fill: dict[str, Any] = {
        name: next((getattr(r, name) for r in records if getattr(r, name)), None)
        for name in ("website", "total_budget", "eu_contribution", "source_cofinancing_rate",
                     "start_date", "end_date")
        if not getattr(primary, name)}
    return replace(
        primary,
        funds=_union(primary.funds, *(r.funds for r in records)),
        countries=_union(primary.countries, *(r.countries for r in records)),
        nuts=_union(primary.nuts, *(r.nuts for r in records)),
        themes=_union(primary.themes, *(r.themes for r in records)),
        extra=primary.extra + tuple(f for r in records for f in r.extra if f not in primary.extra),
        same_as=tuple(SameAs(project_id=r.id, source=r.source, source_id=r.source_id,
                             source_url=r.source_url, programme=r.programme, key=key)
                      for r, key in others),
        **fill,
    )
