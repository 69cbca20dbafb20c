"""SearchResult: one result object for every rendering (CLI, page, JSON API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Project, Status
from ._query import FACETS, SearchQuery

__all__ = ["SearchResult", "ResultItem", "FacetValue", "project_summary"]


@dataclass(frozen=True)
class ResultItem:
    project: Project
    status: Status | None
    snippet: str  # HTML-safe: escaped text with <mark> around matching words
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {**project_summary(self.project, self.status), "snippet": self.snippet,
                "score": self.score}


def project_summary(p: Project, status: Status | None) -> dict[str, Any]:
    """A project as a list shows it (a search result, an organisation's projects): the one
    definition of that shape."""
    rate = p.cofinancing_rate
    return {
        "id": p.id,
        "source": p.source,
        "acronym": p.acronym,
        "title": p.title.to_dict(),
        "programme": p.programme,
        "period": p.period,
        "start_date": p.start_date.isoformat() if p.start_date else None,
        "end_date": p.end_date.isoformat() if p.end_date else None,
        "status": status.value if status else None,
        "eu_contribution": p.eu_contribution.to_dict() if p.eu_contribution else None,
        "total_budget": p.total_budget.to_dict() if p.total_budget else None,
        "cofinancing_rate": str(rate) if rate is not None else None,
        "countries": list(p.countries),
    }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "selected": self.selected}


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    total: int  # exact, always
    items: tuple[ResultItem, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    next_cursor: str | None = None
    took_ms: float = 0.0
    cut: bool = False

    @property
    def ids(self) -> list[str]:
        return [i.project.id for i in self.items]

    def facet_counts(self, name: str) -> dict[str, int]:
        return {v.value: v.count for v in self.facets.get(name, ())}

    def to_dict(self) -> dict[str, Any]:
        key, descending = self.query.effective_sort
        return {
            "meta": {
                "total": self.total,
                "size": self.query.size,
                "count": len(self.items),
                "sort": ("-" if descending and key != "relevance" else "") + key,
                "next_cursor": self.next_cursor,
                "took_ms": self.took_ms,
                "cut": self.cut,
                "query": self.query.to_params(),
            },
            "results": [i.to_dict() for i in self.items],
            "facets": {
                name: [v.to_dict() for v in self.facets[name]]
                for name in FACETS if name in self.facets
            },
        }
