"""The views: what a page, a JSON answer, an export or the command line shows of a project or
an organisation, each shape defined once. The catalog builds them; the CLI, the web and the
text view read them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import Organisation, Participation, Project, Role, Status
from .search import project_summary
from .store import OrganisationRecord

__all__ = ["Participant", "ProjectView", "Involvement", "OrganisationView", "RelatedProject",
           "Status", "Role"]


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
