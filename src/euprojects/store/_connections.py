"""SQLite connections of the store: how one is opened, and how a transaction is rolled back.

A connection is a ``SqliteDb``: sqlite3's own, with the two calls the store's SQL code
(store/_sql.py, _links.py, _projlinks.py, _writer.py) makes beside ``execute`` and that the
PostgreSQL connection (store/_pgconn.py) answers in its own way: ``stream`` (rows read as they
are consumed) and ``snapshot`` (several reads that see one state of the store)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._errors import store_error

__all__ = ["SqliteDb", "connect", "rollback"]


class SqliteDb(sqlite3.Connection):
    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of a query, read from SQLite as they are consumed."""
        return self.execute(sql, params)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one state: a reader's connection in WAL mode reads through a read
        transaction of its own while its cursors are open, so there is nothing to do."""
        yield


def connect(path: Path, *, query_only: bool = False) -> SqliteDb:
    """A connection in autocommit mode (the store opens its transactions itself) that waits up
    to 10 s for a lock. check_same_thread=False: the store's close() closes the connections of
    other threads too."""
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                             factory=SqliteDb)
        db.execute("PRAGMA busy_timeout = 10000")
        if query_only:
            db.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None
    return db


def rollback(db: sqlite3.Connection) -> None:
    """Roll the open transaction back, if SQLite has not already (it does on a full disk: a
    ROLLBACK then would hide the real error behind "no transaction is active")."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
