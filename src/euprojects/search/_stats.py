"""Statistics of a search, from the index: how many projects match, their EU amounts and
budgets summed exactly, per start year and per facet value, and the exact median EU amount,
all in one aggregation over the matching documents (no document is read).

Amounts are summed in euro cents (``eu_cents``, ``total_cents``: integers in the index). The
engine sums in 64-bit floats, which hold every integer up to 2**53 exactly: sums of cents stay
exact up to about 90 000 billion euros. Amounts in another currency are not summed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import tantivy
from tantivy import FieldType, Order, Query

from ._compile import combine

__all__ = ["IndexStats", "GroupRow", "STAT_GROUPS", "PLACE_GROUPS", "index_statistics"]

# the facets a statistics page groups by, in the order it shows them
STAT_GROUPS = ("source", "framework", "programme", "period", "fund", "topic", "country",
               "nuts1", "nuts2", "nuts3")
# the places: the index counts their projects only (their amounts are what the partners there
# received, from the participations: search/_columns.py), which spares a sum per bucket
PLACE_GROUPS = ("country", "nuts1", "nuts2", "nuts3")
_SIZE = 65_000  # more than the distinct values of any facet: every group is counted
# how far around the engine's estimate of the median the exact one is looked for (the
# percentile sketch is within 1 % of the true value)
_MEDIAN_MARGIN = Decimal("0.05")


@dataclass(frozen=True)
class GroupRow:
    """One value of a grouping: the projects that hold it and the sums of their amounts."""

    key: str
    projects: int
    eu_cents: int  # the sum of the EU amounts (EUR) of these projects (0 for PLACE_GROUPS)
    total_cents: int  # the sum of their total budgets (EUR) (0 for PLACE_GROUPS)


@dataclass(frozen=True)
class IndexStats:
    projects: int
    eu_cents: int
    eu_projects: int  # how many have an EU amount in EUR
    total_cents: int
    total_projects: int
    median_eu_cents: Decimal | None  # the median EU amount, in cents (a half cent possible)
    years: tuple[GroupRow, ...] = ()  # by start year, every year of the range (zeros kept)
    no_year: int = 0  # projects without a start date
    groups: dict[str, tuple[GroupRow, ...]] = field(default_factory=dict)


def _sums() -> dict[str, Any]:
    return {"eu": {"sum": {"field": "eu_cents"}}, "total": {"sum": {"field": "total_cents"}}}


def _cents(answer: dict[str, Any], name: str) -> int:
    value = answer.get(name, {}).get("value")
    return int(value) if value is not None else 0


def _rows(buckets: list[dict[str, Any]]) -> tuple[GroupRow, ...]:
    return tuple(GroupRow(str(b["key"]), int(b["doc_count"]), _cents(b, "eu"),
                          _cents(b, "total")) for b in buckets)


def index_statistics(searcher: tantivy.Searcher, schema: tantivy.Schema,
                     query: Query, groups: tuple[str, ...] = STAT_GROUPS) -> IndexStats:
    """The statistics of the projects ``query`` matches (see the module)."""
    query = Query.const_score_query(query, 1.0)  # no scores needed
    aggs: dict[str, Any] = {
        "projects": {"value_count": {"field": "start_day"}},  # every document has one
        "eu_n": {"value_count": {"field": "eu_cents"}},
        "total_n": {"value_count": {"field": "total_cents"}},
        "median": {"percentiles": {"field": "eu_cents", "percents": [50]}},
        "years": {"terms": {"field": "start_year", "size": _SIZE}, "aggs": _sums()},
        **_sums(),
        **{name: {"terms": {"field": name, "size": _SIZE},
                  **({} if name in PLACE_GROUPS else {"aggs": _sums()})} for name in groups},
    }
    answer = searcher.aggregate(query, aggs)
    projects = _cents(answer, "projects")
    eu_projects = _cents(answer, "eu_n")
    years = sorted(_rows(answer["years"]["buckets"]), key=lambda r: int(r.key))
    if years:  # every year of the range, a year without a project as 0 (an honest axis)
        held = {r.key: r for r in years}
        years = [held.get(str(y), GroupRow(str(y), 0, 0, 0))
                 for y in range(int(years[0].key), int(years[-1].key) + 1)]
    estimate = answer["median"].get("values", {}).get("50.0")
    return IndexStats(
        projects=projects,
        eu_cents=_cents(answer, "eu"),
        eu_projects=eu_projects,
        total_cents=_cents(answer, "total"),
        total_projects=_cents(answer, "total_n"),
        median_eu_cents=_median(searcher, schema, query, eu_projects, estimate),
        years=tuple(years),
        no_year=projects - sum(r.projects for r in years),
        groups={name: _rows(answer[name]["buckets"]) for name in groups},
    )


def _count(searcher: tantivy.Searcher, query: Query) -> int:
    return int(searcher.search(query, limit=1, count=True).count)  # type: ignore[attr-defined]


def _between(schema: tantivy.Schema, low: int | None, high: int | None) -> Query:
    """The documents with an EU amount (cents) in [low, high] (a bound None: no bound)."""
    if low is None and high is None:
        return Query.exists_query("eu_cents")
    return Query.range_query(schema, "eu_cents", FieldType.Integer, low, high)


def _nth(searcher: tantivy.Searcher, schema: tantivy.Schema, query: Query, low: int | None,
         high: int | None, offset: int, many: int) -> list[int]:
    """The EU amounts (cents) of rank ``offset`` on (ascending) among the matches whose amount
    lies in [low, high]."""
    found = searcher.search(combine(query, [_between(schema, low, high)]), limit=many,
                            offset=offset, order_by_field="eu_cents", order=Order.Asc)
    return [int(key) for key, _ in found.hits]


def _median(searcher: tantivy.Searcher, schema: tantivy.Schema, query: Query, n: int,
            estimate: float | None) -> Decimal | None:
    """The exact median of the EU amounts: the middle value (or the mean of the two middle
    ones) of the n amounts. The engine's estimate narrows the search to the few amounts around
    it; when the middle is not among them the whole range is ranked."""
    if n == 0:
        return None
    first, second = (n - 1) // 2, n // 2  # the middle ranks, from 0
    values: list[int] = []
    if estimate is not None and estimate > 0:
        around = Decimal(str(estimate))
        low = int(around * (1 - _MEDIAN_MARGIN))
        high = int(around * (1 + _MEDIAN_MARGIN)) + 1
        below = _count(searcher, combine(query, [_between(schema, None, low - 1)]))
        inside = _count(searcher, combine(query, [_between(schema, low, high)]))
        if below <= first and second < below + inside:
            values = _nth(searcher, schema, query, low, high, first - below, second - first + 1)
    if len(values) != second - first + 1:
        values = _nth(searcher, schema, query, None, None, first, second - first + 1)
    return Decimal(sum(values)) / len(values)
