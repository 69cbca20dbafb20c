"""SQLite connections of the store: how one is opened, and how a transaction is rolled back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ._errors import store_error

__all__ = ["connect", "rollback"]


def connect(path: Path, *, query_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (the store opens its transactions itself) that waits up
    to 10 s for a lock. check_same_thread=False: the store's close() closes the connections of
    other threads too."""
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
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
