"""What the store's SQL code asks of a database connection: SQLite's (store/_connections.py)
and PostgreSQL's (store/_pgconn.py) both answer it. The SQL itself is written once, in the
dialect both speak: ``?`` placeholders (PostgreSQL's connection turns them into its own),
``INSERT ... ON CONFLICT``, no SQLite-only or PostgreSQL-only function outside the schemas and
``_BRIEF_SELECT``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["Db", "Cursor"]


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> object: ...
    def stream(self, sql: str, params: Sequence[Any] = ...) -> Iterator[Any]:
        """The rows of a query, read as they are consumed (memory stays flat)."""
        ...
    def snapshot(self) -> AbstractContextManager[None]:
        """Several reads (streams among them) that see one state of the store."""
        ...
