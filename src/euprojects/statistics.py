"""The statistics of a search, as every page, answer and export shows them: totals, the
projects per start year, per facet value and per place, and the organisations that received
most. Built by the catalog from the index (project-level counts and sums) and the store
(participation-level amounts); each table defined once, with its columns, its order and its
JSON.

Two measures of money by place, never mixed (docs/statistics.md):
- ``projects``: the projects with a partner in the place (a project counts once per place);
- ``received``: the EU amounts that partners in the place received, where the source gives
  participation-level amounts. What no participation amount accounts for is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .errors import QueryError
from .model import Organisation
from .search import (
    PLACE_GROUPS,
    STAT_GROUPS,
    GroupRow,
    IndexStats,
    ParticipationStats,
    PlaceRow,
    SearchQuery,
)

__all__ = ["Statistics", "StatRow", "OrganisationStat", "TABLES", "PLACE_TABLES",
           "COLUMNS", "build_statistics", "parse_order"]

PLACE_TABLES = PLACE_GROUPS
# every table of the statistics, in the order a page shows them
TABLES = ("year", *(g for g in STAT_GROUPS if g not in PLACE_TABLES), *PLACE_TABLES,
          "organisation")
_CENT = Decimal("0.01")
_PERCENT = Decimal("0.1")

# the columns of each kind of table: name -> the row attribute it shows (sortable by it)
_GROUP_COLUMNS = ("key", "projects", "projects_share", "eu", "eu_share", "total")
_PLACE_COLUMNS = ("key", "projects", "projects_share", "participations", "received",
                  "received_share", "known")
_ORG_COLUMNS = ("key", "name", "country", "projects", "received", "received_share")
COLUMNS: dict[str, tuple[str, ...]] = {
    **{t: _GROUP_COLUMNS for t in TABLES if t not in PLACE_TABLES and t != "organisation"},
    **dict.fromkeys(PLACE_TABLES, _PLACE_COLUMNS),
    "organisation": _ORG_COLUMNS,
}
# a table's order unless asked otherwise: years in time, the rest largest first
DEFAULT_ORDER = {"year": ("key", False), **{t: ("projects", True) for t in COLUMNS
                                           if t not in ("year", "organisation")},
                 "organisation": ("received", True)}


def _euros(cents: int | Decimal) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT, ROUND_HALF_EVEN)


def _median(cents: Decimal | None) -> Decimal | None:
    """The median in euros, exact: to the cent, or to the half cent when the mean of the two
    middle amounts holds one."""
    if cents is None:
        return None
    whole = cents == cents.to_integral_value()
    return (cents / 100).quantize(_CENT if whole else Decimal("0.001"))


def _share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to one decimal; None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PERCENT, ROUND_HALF_EVEN)


class _Row:
    """What every row of a table answers: a column's value, and its JSON."""

    def value(self, column: str) -> Any:
        return getattr(self, column)

    def to_dict(self, columns: Sequence[str]) -> dict[str, Any]:
        return {c: _json(getattr(self, c)) for c in columns}


@dataclass(frozen=True)
class StatRow(_Row):
    """One row of a table: a year, a facet value or a place (``key``, as the facet holds it).
    ``projects``: how many of the matching projects hold it (a project can hold several
    values of a facet: the shares of a table can add up to more than 100 %)."""

    key: str
    projects: int
    projects_share: Decimal | None
    eu: Decimal | None = None  # the sum of these projects' EU amounts (facets and years)
    eu_share: Decimal | None = None
    total: Decimal | None = None  # the sum of their total budgets
    participations: int | None = None  # places: the participations of partners there
    received: Decimal | None = None  # places: what partners there received (known amounts)
    received_share: Decimal | None = None
    known: int | None = None  # places: participations with an amount

@dataclass(frozen=True)
class OrganisationStat(_Row):
    key: str  # the organisation's id
    name: str
    country: str | None
    projects: int
    received: Decimal
    received_share: Decimal | None

def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


Row = StatRow | OrganisationStat


@dataclass(frozen=True)
class Statistics:
    query: SearchQuery
    projects: int
    participations: int
    organisations: int
    eu_amount: Decimal  # the sum of the projects' EU amounts (EUR)
    eu_projects: int  # how many have one
    total_budget: Decimal
    median_eu: Decimal | None  # exact (half a cent when the two middle amounts differ so)
    received: Decimal  # the sum of the participation-level amounts known
    unknown: Decimal  # of eu_amount, what no participation-level amount accounts for
    no_year: int  # projects without a start date
    tables: dict[str, tuple[Row, ...]] = field(default_factory=dict)
    generation: str = ""  # the index generation the figures are of
    took_ms: float = 0.0

    def table(self, name: str, order: tuple[str, bool] | None = None) -> tuple[Row, ...]:
        """A table's rows, in ``order`` (column, descending) or its default order."""
        column, descending = order or DEFAULT_ORDER[name]
        rows = self.tables.get(name, ())
        present = [r for r in rows if r.value(column) is not None]
        absent = [r for r in rows if r.value(column) is None]
        ordered = sorted(present, key=lambda r: r.key)
        ordered.sort(key=lambda r: r.value(column), reverse=descending)
        return (*ordered, *absent)

    def to_dict(self, orders: Mapping[str, tuple[str, bool]] | None = None) -> dict[str, Any]:
        """The JSON; ``orders``: a table's order (column, descending), else its default."""
        orders = orders or {}
        return {
            "query": self.query.to_params(),
            "generation": self.generation,
            "totals": {
                "projects": self.projects,
                "participations": self.participations,
                "organisations": self.organisations,
                "eu_amount": str(self.eu_amount),
                "projects_with_eu_amount": self.eu_projects,
                "total_budget": str(self.total_budget),
                "median_eu_amount": _json(self.median_eu),
                "received_by_partners": str(self.received),
                "without_participation_amount": str(self.unknown),
                "without_start_date": self.no_year,
                "currency": "EUR",
            },
            "tables": {name: [r.to_dict(COLUMNS[name])
                              for r in self.table(name, orders.get(name))]
                       for name in TABLES},
            "took_ms": self.took_ms,
        }


def parse_order(values: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """``order`` parameters (``country:-received``, ``year:key``): the order of each table
    named, by a column of it, ``-`` for descending."""
    out: dict[str, tuple[str, bool]] = {}
    for value in values:
        table, _, column = value.partition(":")
        descending = column.startswith("-")
        column = column.removeprefix("-")
        if table not in COLUMNS or column not in COLUMNS[table]:
            raise QueryError(f"order: {value!r} is not <table>:<column> (tables: "
                             f"{', '.join(TABLES)})", "order")
        out[table] = (column, descending)
    return out


def _group_rows(rows: Sequence[GroupRow], projects: int, eu_cents: int) -> tuple[StatRow, ...]:
    return tuple(StatRow(r.key, r.projects, _share(r.projects, projects), _euros(r.eu_cents),
                         _share(r.eu_cents, eu_cents), _euros(r.total_cents)) for r in rows)


def _place_rows(index_rows: Sequence[GroupRow], store_rows: Sequence[PlaceRow], projects: int,
                received_cents: int) -> tuple[StatRow, ...]:
    """A place's projects from the index (the facet's count: once per project), its
    participations and amounts from the store."""
    held = {r.key: r for r in store_rows}
    counted = {r.key: r.projects for r in index_rows}
    keys = list(dict.fromkeys([*counted, *held]))
    out = []
    for key in keys:
        place = held.get(key)
        n = counted.get(key, 0)
        out.append(StatRow(
            key, n, _share(n, projects),
            participations=place.participations if place else 0,
            # no participation there with an amount: unknown, not 0
            received=_euros(place.received_cents) if place and place.known else None,
            received_share=_share(place.received_cents, received_cents)
            if place and place.known else None,
            known=place.known if place else 0))
    return tuple(out)


def build_statistics(query: SearchQuery, index: IndexStats, store: ParticipationStats,
                     organisation: Callable[[str], Organisation | None],
                     generation: str = "", took_ms: float = 0.0) -> Statistics:
    """The statistics from what the index and the store counted. ``organisation``: the
    organisation of an id (for the names of the top organisations)."""
    tables: dict[str, tuple[Row, ...]] = {
        "year": _group_rows(index.years, index.projects, index.eu_cents),
    }
    for name, rows in index.groups.items():
        if name in PLACE_TABLES:
            tables[name] = _place_rows(rows, store.places.get(name, ()), index.projects,
                                       store.received_cents)
        else:
            tables[name] = _group_rows(rows, index.projects, index.eu_cents)
    orgs = []
    for row in store.organisations_by_amount:
        found = organisation(row.organisation_id)
        orgs.append(OrganisationStat(
            row.organisation_id, found.name if found else row.organisation_id,
            found.country if found else None, row.projects, _euros(row.received_cents),
            _share(row.received_cents, store.received_cents)))
    tables["organisation"] = tuple(orgs)
    return Statistics(
        query=query, projects=index.projects, participations=store.participations,
        organisations=store.organisations, eu_amount=_euros(index.eu_cents),
        eu_projects=index.eu_projects, total_budget=_euros(index.total_cents),
        median_eu=_median(index.median_eu_cents),
        received=_euros(store.received_cents), unknown=_euros(store.unknown_cents),
        no_year=index.no_year, tables=tables, generation=generation, took_ms=took_ms)
