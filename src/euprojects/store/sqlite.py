"""The embedded store: SQLite in WAL mode. One import is one transaction."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..model import BRIEF_PATHS
from ._connections import SqliteDb, connect, rollback
from ._errors import guarded, store_error
from ._schema import migrate
from ._sql import SqlStore

__all__ = ["SqliteStore"]

# the JSON paths of a brief, as SQL string literals (fixed names: nothing of a user's)
_BRIEF_SQL = ", ".join(f"'{path}'" for path in BRIEF_PATHS)


class SqliteStore(SqlStore):
    """The store in one SQLite file (store/_sql.py has what it holds and reads).

    Safe to share between threads (the web app runs its endpoints in a thread pool). Each
    thread reads through a connection of its own, opened on its first read: in WAL mode
    readers run side by side and each sees only committed rows, never the open transaction
    of an import in another thread. Writes go through the one writer connection, one
    ``writer()`` transaction at a time; the thread inside it reads through that connection,
    so it sees its own rows before the commit. (One shared connection behind a lock would
    serialise every read, and would still show readers another thread's open transaction
    unless the lock were held for the whole import.) ``close()`` closes every connection,
    those of other threads too.
    """

    _db_errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    _BRIEF_SELECT = f"json_extract(doc, {_BRIEF_SQL})"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # guards _readers and _closed
        self._write_lock = threading.Lock()  # one writer() transaction at a time
        self._writing_thread: int | None = None
        self._local = threading.local()
        self._readers: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the folder {path.parent} "
                             f"({exc.strerror or exc})") from None
        self._write_db = connect(self.path)
        try:
            self._write_db.execute("PRAGMA journal_mode = WAL")
            self._write_db.execute("PRAGMA foreign_keys = ON")
            migrate(self._write_db, self.path)
        except sqlite3.Error as exc:
            self._write_db.close()
            raise store_error(path, exc) from None

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def server(self) -> dict[str, Any]:
        """The database reads go to (store/postgres.py has replicas; a file has none)."""
        return {"server": self.describe(), "replica": False, "replay_lag_s": None}

    def _store_error(self, exc: Exception) -> StoreError:
        assert isinstance(exc, sqlite3.Error)
        return store_error(self.path, exc)

    def _session(self) -> nullcontext[None]:
        return nullcontext()  # each thread keeps its connection (see the class docstring)

    def _read(self) -> SqliteDb:
        """The connection this thread reads through (see the class docstring)."""
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed")
        if self._writing_thread == threading.get_ident():
            return self._write_db
        db: SqliteDb | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._open_reader()
        return db

    def _open_reader(self) -> SqliteDb:
        db = connect(self.path, query_only=True)
        with self._lock:
            if self._closed:
                db.close()
                raise StoreError(f"{self.path}: the store is closed")
            # the connections of threads that have ended are closed here, not kept until close()
            alive = []
            for thread, other in self._readers:
                if thread.is_alive():
                    alive.append((thread, other))
                else:
                    other.close()
            alive.append((threading.current_thread(), db))
            self._readers = alive
        return db

    def close(self) -> None:
        """Close every connection: the writer's and each thread's reader."""
        with self._lock:
            self._closed = True
            readers, self._readers = self._readers, []
        for _thread, db in readers:
            db.close()
        self._write_db.close()

    @contextmanager
    def _write_transaction(self) -> Iterator[SqliteDb]:
        """One transaction on the writer connection (BEGIN IMMEDIATE: the write lock is taken
        at once); writers of other threads wait for it to end."""
        if self._writing_thread == threading.get_ident():
            raise StoreError("a writer is already open in this thread")
        with self._write_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            db = self._write_db
            try:
                db.execute("BEGIN IMMEDIATE")
                self._writing_thread = threading.get_ident()
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                rollback(db)
                if isinstance(exc, sqlite3.Error):
                    raise store_error(self.path, exc) from None
                raise
            finally:
                self._writing_thread = None

    # -- schema -----------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        try:
            version: int = self._read().execute("PRAGMA user_version").fetchone()[0]
            return version
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    @guarded
    def check(self) -> None:
        """Read every page of the database (SQLite's quick_check): StoreError if any is
        damaged. Reads the whole file: seconds on a large store."""
        rows = self._read().execute("PRAGMA quick_check(3)").fetchall()
        problems = [" ".join(r[0].split()) for r in rows if r[0] != "ok"]
        if problems:
            raise StoreError(f"{self.path}: the database is damaged: restore it from a backup, "
                             "or delete it (and its -wal and -shm files) and import the files "
                             f"again (SQLite: {'; '.join(problems)})")
