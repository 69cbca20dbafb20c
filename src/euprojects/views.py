"""The views: what a page, a JSON answer, an export or the command line shows of a project, a
search or an organisation, each shape defined once: a project in a list (``project_summary``),
a search result and its items and facet values, a project page, a participant, an
organisation page and its involvements, a related project, and an export row. The catalog
builds them; the CLI, the web, the text view and the export formats read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .model import FACETS, Organisation, Participation, Project, Role, Status
from .search import SearchQuery
from .store import OrganisationRecord

__all__ = ["project_summary", "ResultItem", "FacetValue", "SearchResult", "Participant",
           "ProjectView", "Involvement", "OrganisationView", "RelatedProject", "export_row",
           "Status", "Role"]


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
        "sources": list(p.sources),
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


@dataclass(frozen=True)
class Participant:
    participation: Participation
    organisation: Organisation

    def to_dict(self) -> dict[str, Any]:
        p = self.participation.to_dict()
        del p["project_id"], p["organisation_id"]
        return {**p, "organisation": self.organisation.to_dict()}


@dataclass(frozen=True)
class ProjectView:
    """A project as a page shows it: with its status on a given day and its participants."""

    project: Project
    status: Status | None
    participants: tuple[Participant, ...]

    @property
    def cofinancing_rate(self) -> Decimal | None:
        return self.project.cofinancing_rate

    @property
    def leads(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.participation.role is Role.LEAD)

    @property
    def partners(self) -> tuple[Participant, ...]:
        """Every participant but the lead(s), as keep.eu counts "partner participants"."""
        return tuple(p for p in self.participants if p.participation.role is not Role.LEAD)

    def to_dict(self) -> dict[str, Any]:
        rate = self.cofinancing_rate
        return {
            **self.project.to_dict(),
            "status": self.status.value if self.status else None,
            "cofinancing_rate": str(rate) if rate is not None else None,
            "partner_count": len(self.partners),
            "participants": [p.to_dict() for p in self.participants],
        }


@dataclass(frozen=True)
class Involvement:
    """One project an organisation took part in, with its role and amounts there."""

    participation: Participation
    project: Project
    status: Status | None

    def to_dict(self) -> dict[str, Any]:
        p = self.participation.to_dict()
        del p["organisation_id"], p["project_id"]
        return {**p, "project": project_summary(self.project, self.status)}


@dataclass(frozen=True)
class OrganisationView:
    """An organisation as its page shows it: every project it took part in (in every source),
    its co-partners, and the source records linked into it."""

    organisation: Organisation
    involvements: tuple[Involvement, ...]
    co_partners: tuple[tuple[Organisation, int], ...]
    records: tuple[OrganisationRecord, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({i.project.source for i in self.involvements}))

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.organisation.to_dict(),
            "sources": list(self.sources),
            "records": [r.to_dict() for r in self.records],
            "project_count": len(self.involvements),
            "projects": [i.to_dict() for i in self.involvements],
            "co_partners": [
                {"id": o.id, "name": o.name, "country": o.country, "city": o.city,
                 "projects_together": n}
                for o, n in self.co_partners
            ],
        }


@dataclass(frozen=True)
class RelatedProject:
    """Another project of a project's participants, with how many participants they share."""

    project: Project
    shared: int

    def to_dict(self) -> dict[str, Any]:
        p = self.project
        return {"id": p.id, "acronym": p.acronym, "title": p.title.to_dict(), "period": p.period,
                "shared_participants": self.shared}


def export_row(project: Project, status: Status | None) -> dict[str, str]:
    """The export columns of one project as text ('' for a missing value)."""
    rate = project.cofinancing_rate
    eu, total = project.eu_contribution, project.total_budget
    money = eu or total
    return {
        "id": project.id,
        "acronym": project.acronym or "",
        "title": project.title.text,
        "programme": project.programme or "",
        "period": project.period or "",
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "status": status.value if status else "",
        "eu_contribution": str(eu.amount) if eu else "",
        "total_budget": str(total.amount) if total else "",
        "currency": money.currency if money else "",
        "cofinancing_rate": str(rate) if rate is not None else "",
        "countries": " ".join(project.countries),
        "themes": "; ".join(project.themes),
        "website": project.website or "",
        "source_url": project.source_url or "",
    }
