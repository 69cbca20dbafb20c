"""The facets, each declared once: its name (the URL parameter, the JSON key, the index field
and, as ``--name``, the CLI option), its title, how its value labels are read, what counting it
costs, and the function that takes its values from a project. The index documents, the query
compiler, the facet counter, the CLI, the OpenAPI document and the templates all read FACETS.

Adding a facet is one entry here and its extraction function (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ._objectives import KOHESIO_OBJECTIVES
from ._records import Organisation, Project
from ._shared_vocab import (
    CATEGORY_FACT,
    KEEP_THEMES,
    POLICY_OBJECTIVE_FACT,
    THEMATIC_OBJECTIVE_FACT,
    TOPICS,
    frameworks_of,
    topics_of,
)

__all__ = ["Facet", "FACETS"]

# The values of a facet for one project and the organisations taking part in it.
Extract = Callable[[Project, Sequence[Organisation]], Iterable[str]]


def _(message: str) -> str:
    """Marks a label for extraction (the interface translates it where it is shown)."""
    return message


@dataclass(frozen=True)
class Facet:
    name: str
    label: str  # the title, an English message translated where shown
    # the project's values; None: computed when searching, not indexed (the status depends on
    # the day of the search)
    extract: Extract | None
    # how a value is shown: "country" (a country's name), "source" (a source's label),
    # "messages" (``messages`` maps it to a message), "as is"
    shown: Literal["country", "source", "messages", "as is"] = "as is"
    messages: Mapping[str, str] = field(default_factory=dict)
    cost: int = 1  # relative cost of counting it (measured: many-valued fields cost most)
    upper: bool = False  # values are codes in capitals: a query's values are read upper-cased

    @property
    def indexed(self) -> bool:
        return self.extract is not None

    @property
    def option(self) -> str:
        """The CLI option."""
        return "--" + self.name.replace("_", "-")


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _legal_statuses(_: Project, organisations: Sequence[Organisation]) -> list[str]:
    return sorted({o.legal_status for o in organisations if o.legal_status})


def _categories(project: Project, _: Sequence[Organisation]) -> list[str]:
    """Kohesio's category of intervention (its label; the importer keeps it among the facts)."""
    return [value for label, value in project.extra if label == CATEGORY_FACT]


_OBJECTIVE_FACTS = (THEMATIC_OBJECTIVE_FACT, POLICY_OBJECTIVE_FACT)


def _objective_names(project: Project) -> list[str]:
    """The names of Kohesio's thematic and policy objectives (the importer writes each fact as
    ``TO03 – Enhancing the competitiveness of SMEs`` and the name among the themes)."""
    return list(dict.fromkeys(name for label, v in project.extra if label in _OBJECTIVE_FACTS
                              for name in (v.partition(" – ")[2],) if name))


def _objectives(project: Project, _: Sequence[Organisation]) -> list[str]:
    """Kohesio's objectives by name, of its own records and of a keep.eu project linked to
    one."""
    return _objective_names(project)


def _themes(project: Project, _: Sequence[Organisation]) -> list[str]:
    """keep.eu's themes: those of a keep.eu project, less the objective names that a linked
    Kohesio operation brings along (they are the ``objective`` facet)."""
    if project.source != "keep":
        return []
    named = set(_objective_names(project))
    return [t for t in project.themes if t not in named]


def _own_themes(source: str) -> Extract:
    """The themes of one source's projects: CORDIS's fields of science, EAC's activity
    types."""

    def extract(project: Project, _: Sequence[Organisation]) -> tuple[str, ...]:
        return project.themes if project.source == source else ()

    return extract


def _nuts(level: int) -> Extract:
    """The NUTS regions of a project's places at one level (a code of level 3 also counts for
    its levels 1 and 2: ``IE061`` is in ``IE06`` and ``IE0``)."""
    size = 2 + level

    def extract(project: Project, _: Sequence[Organisation]) -> list[str]:
        return sorted({code[:size] for code in project.nuts if len(code) >= size})

    return extract


_STATUS_WORDS = {  # a status as a filter value, not as a badge
    "planned": _("Planned"),
    "ongoing": _("Ongoing"),
    "closed": _("Closed"),
    "terminated": _("Terminated"),
}

# Each source's own themes are a facet of their own, one vocabulary each: keep.eu's themes
# (translated), CORDIS's fields of science, EAC's activity types and Kohesio's objectives.
_FACETS = (
    Facet("source", _("Source"), lambda p, _o: p.sources, shown="source"),
    Facet("framework", _("EU funding framework"), lambda p, _o: frameworks_of(p)),
    Facet("programme", _("Programme (as the source names it)"), lambda p, _o: _one(p.programme)),
    Facet("period", _("Programming period"), lambda p, _o: _one(p.period)),
    Facet("country", _("Country"), lambda p, _o: p.countries, shown="country", cost=5,
          upper=True),
    Facet("topic", _("Topic (across sources)"), lambda p, _o: topics_of(p), shown="messages",
          messages=TOPICS),
    Facet("theme", _("Theme (keep.eu)"), _themes, shown="messages",
          messages={theme: theme for theme in KEEP_THEMES}, cost=5),
    Facet("field", _("Field of science (CORDIS)"), _own_themes("cordis"), cost=5),
    Facet("activity", _("Activity type (EAC)"), _own_themes("eac"), cost=2),
    Facet("status", _("Status"), None, shown="messages", messages=_STATUS_WORDS, cost=3),
    Facet("fund", _("Fund"), lambda p, _o: p.funds, cost=3),
    Facet("legal_status", _("Legal status of a participant"), _legal_statuses,
          shown="messages", messages={"public": _("Public body"), "private": _("Private body")},
          cost=4),
    Facet("objective", _("Objective (Kohesio)"), _objectives, shown="messages",
          messages={name: name for name in KOHESIO_OBJECTIVES}, cost=3),
    Facet("category", _("Category of intervention"), _categories, cost=3),
    Facet("nuts1", _("Region (NUTS 1)"), _nuts(1), cost=3),
    Facet("nuts2", _("Region (NUTS 2)"), _nuts(2), cost=4),
    Facet("nuts3", _("Region (NUTS 3)"), _nuts(3), cost=5),
)
# name -> facet, in the order the search page shows them
FACETS: Mapping[str, Facet] = {f.name: f for f in _FACETS}
