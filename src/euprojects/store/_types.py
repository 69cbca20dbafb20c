"""Plain values the store takes and returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["ProjectFilter", "ImportEntry", "PutCounts"]


@dataclass(frozen=True)
class ProjectFilter:
    """The simple filters of ``euprojects list`` (search has its own, richer query)."""

    source: str | None = None
    programme: str | None = None  # substring, case-insensitive
    period: str | None = None
    country: str | None = None  # ISO alpha-2 of any participant
    started_from: date | None = None
    started_until: date | None = None
    limit: int | None = None


@dataclass(frozen=True)
class ImportEntry:
    """One line of the import history."""

    id: int
    source: str
    started_at: str
    finished_at: str
    changed: bool
    report: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "changed": self.changed,
            "report": self.report,
        }


@dataclass
class PutCounts:
    projects: Counter[str] = field(default_factory=Counter)
    participations: Counter[str] = field(default_factory=Counter)
    organisations: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any(
            c[k]
            for c in (self.projects, self.participations, self.organisations)
            for k in ("created", "updated", "removed")
        )
