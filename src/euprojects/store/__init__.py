"""The store: the source of truth. SQLite by default; PostgreSQL will implement the same
protocol for scale-out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from ..model import Organisation, Participation, Project, ProjectRecord
from ._types import ImportEntry, ProjectFilter, PutCounts
from .sqlite import SqliteStore

__all__ = ["Store", "StoreWriter", "SqliteStore", "ProjectFilter", "ImportEntry", "PutCounts",
           "open_store"]


class StoreWriter(Protocol):
    counts: PutCounts
    summary: dict[str, Any]
    changed_ids: list[str]

    def put(self, record: ProjectRecord) -> str: ...


class Store(Protocol):
    """What the catalog needs of a store; every backend implements all of it."""

    schema_version: int

    def writer(self, source: str) -> AbstractContextManager[StoreWriter]: ...
    def get_project(self, project_id: str) -> Project: ...
    def get_organisation(self, organisation_id: str) -> Organisation: ...
    def participants(self, project_id: str) -> list[tuple[Participation, Organisation]]: ...
    def participations_of(self, organisation_id: str) -> list[tuple[Participation, Project]]: ...
    def iter_projects(self, filters: ProjectFilter | None = None) -> Iterator[Project]: ...
    def get_projects(self, ids: Sequence[str]) -> dict[str, Project]: ...
    def iter_with_participants(
        self, ids: Sequence[str] | None = None
    ) -> Iterator[tuple[Project, list[tuple[Participation, Organisation]]]]: ...
    def count_projects(self, filters: ProjectFilter | None = None) -> int: ...
    def counts(self) -> dict[str, dict[str, int]]: ...
    def total_organisations(self) -> int: ...
    def imports(self, limit: int = 10) -> list[ImportEntry]: ...
    def fingerprint(self) -> str: ...
    def close(self) -> None: ...


def open_store(path: Path) -> Store:
    return SqliteStore(path)
