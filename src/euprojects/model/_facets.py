"""The facets, each declared once: its name (the URL parameter, the JSON key, the index field
and, as ``--name``, the CLI option), its title, how its value labels are read, what counting it
costs, and the function that takes its values from a project. The index documents, the query
compiler, the facet counter, the CLI, the OpenAPI document and the templates all read FACETS.

Adding a facet is one entry here and its extraction function (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ._records import Organisation, Project
from ._shared_vocab import CATEGORY_FACT, TOPICS, frameworks_of, topics_of

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

_FACETS = (
    Facet("source", _("Source"), lambda p, _o: p.sources, shown="source"),
    Facet("framework", _("EU programme"), lambda p, _o: frameworks_of(p)),
    Facet("programme", _("Programme"), lambda p, _o: _one(p.programme)),
    Facet("period", _("Programming period"), lambda p, _o: _one(p.period)),
    Facet("country", _("Country"), lambda p, _o: p.countries, shown="country", cost=5,
          upper=True),
    Facet("topic", _("Topic"), lambda p, _o: topics_of(p), shown="messages", messages=TOPICS),
    Facet("theme", _("Theme"), lambda p, _o: p.themes, cost=5),
    Facet("status", _("Status"), None, shown="messages", messages=_STATUS_WORDS, cost=3),
    Facet("fund", _("Fund"), lambda p, _o: p.funds, cost=3),
    Facet("legal_status", _("Legal status of a participant"), _legal_statuses,
          shown="messages", messages={"public": _("Public body"), "private": _("Private body")},
          cost=4),
    Facet("category", _("Category of intervention"), _categories, cost=3),
    Facet("nuts1", _("Region (NUTS 1)"), _nuts(1), cost=3),
    Facet("nuts2", _("Region (NUTS 2)"), _nuts(2), cost=4),
    Facet("nuts3", _("Region (NUTS 3)"), _nuts(3), cost=5),
)
# name -> facet, in the order the search page shows them
FACETS: Mapping[str, Facet] = {f.name: f for f in _FACETS}
