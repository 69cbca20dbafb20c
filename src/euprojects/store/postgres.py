"""The shared store: PostgreSQL (psycopg 3), for a portal of several nodes. The same tables,
reads and import transaction as SQLite's (store/_sql.py); imports go to the primary, reads to a
streaming replica when one is given (to the primary while the replica does not answer).
docs/deploy.md tells how to run it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import psycopg

from ..errors import StoreError
from ..model import BRIEF_PATHS
from ._errors import guarded
from ._pgconn import PgDb, ReadPools, connect, describe, pg_error
from ._pgschema import LOCK, PG_MIGRATIONS, migrate_pg, schema_version, up_to_date
from ._sql import SqlStore

__all__ = ["PostgresStore"]

# a brief's values: each field of the stored document (fixed names: nothing of a user's)
_FIELDS = ", ".join(f"doc->'{path.removeprefix('$.')}'" for path in BRIEF_PATHS)


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database at ``url`` (the primary), read through ``read_url``
    (a streaming replica) when given.

    Safe to share between threads. Each call of a store method borrows a connection from the
    pool of the read server for its duration (a generator: until it ends), and the calls it
    makes within reuse it; a writer's thread reads through the writer's connection, which sees
    its own rows before the commit. One writer at a time per store, across processes and nodes:
    its transaction takes an advisory lock first.
    """

    _db_errors: tuple[type[Exception], ...] = (psycopg.Error,)
    _BRIEF_SELECT = f"CAST(json_build_array({_FIELDS}) AS TEXT)"

    def __init__(self, url: str, read_url: str | None = None, pool_size: int = 16) -> None:
        self.url = url
        self.read_url = read_url or url
        self.where = describe(url)
        self._write_lock = threading.Lock()
        self._writing_thread: int | None = None
        self._write_db: PgDb | None = None
        self._sessions: dict[int, PgDb] = {}
        self._closed = False
        self._pools = ReadPools([self.read_url, url], pool_size)
        self._open()

    def _open(self) -> None:
        """Migrate the database on the primary when it needs it (in a write transaction: an
        import running meanwhile is waited for; otherwise nothing waits for one); when the
        primary does not answer, a node that only reads checks the schema on its read server
        instead."""
        try:
            try:
                current = up_to_date(self._writer_db())
            except psycopg.Error as exc:
                raise self._store_error(exc) from None
            if not current:
                with self._write_transaction() as db:
                    migrate_pg(db, self.where)
            return
        except StoreError:
            if self.read_url == self.url:
                self.close()
                raise
        try:
            version = self._version()
        except StoreError:
            self.close()
            raise
        if version != len(PG_MIGRATIONS):
            self.close()
            raise StoreError(f"{self.where}: schema version {version}, this euprojects needs "
                             f"{len(PG_MIGRATIONS)}: start it once with the primary reachable")

    def describe(self) -> str:
        if self.read_url == self.url:
            return self.where
        return f"{self.where}, read from {describe(self.read_url)}"

    @property
    def reading_from(self) -> str:
        """The server the last read went to (the replica's, or the primary's instead)."""
        return describe(self._pools.last_url)

    def _store_error(self, exc: Exception) -> StoreError:
        return pg_error(self.where, exc)

    # -- connections ------------------------------------------------------------------------

    def _session(self) -> AbstractContextManager[object]:
        tid = threading.get_ident()
        if tid in self._sessions or self._writing_thread == tid:
            return nullcontext()  # a call within a call: the outer one's connection
        return self._borrow(tid)

    @contextmanager
    def _borrow(self, tid: int) -> Iterator[None]:
        if self._closed:
            raise StoreError(f"{self.where}: the store is closed")
        with self._pools.connection() as conn:
            self._sessions[tid] = PgDb(conn)
            try:
                yield
            finally:
                self._sessions.pop(tid, None)

    def _read(self) -> PgDb:
        tid = threading.get_ident()
        if self._writing_thread == tid and self._write_db is not None:
            return self._write_db
        db = self._sessions.get(tid)
        if db is None:
            raise StoreError(f"{self.where}: a read outside a call of the store")
        return db

    @contextmanager
    def _write_transaction(self) -> Iterator[PgDb]:
        """One transaction on the primary, holding the store's advisory lock: writers of other
        threads, processes and nodes wait for it to end."""
        if self._writing_thread == threading.get_ident():
            raise StoreError("a writer is already open in this thread")
        with self._write_lock:
            if self._closed:
                raise StoreError(f"{self.where}: the store is closed")
            try:
                db = self._writer_db()
                db.execute("BEGIN")
                db.execute("SELECT pg_advisory_xact_lock(?)", (LOCK,))
            except psycopg.Error as exc:
                raise self._store_error(exc) from None
            self._writing_thread = threading.get_ident()
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                if not db.conn.broken:
                    try:
                        db.conn.execute("ROLLBACK")
                    except psycopg.Error:
                        pass
                if isinstance(exc, psycopg.Error):
                    raise self._store_error(exc) from None
                raise
            finally:
                self._writing_thread = None

    def _writer_db(self) -> PgDb:
        """The writer's connection to the primary, opened again when it broke."""
        if self._write_db is None or self._write_db.conn.closed or self._write_db.conn.broken:
            if self._write_db is not None:
                self._write_db.conn.close()
            self._write_db = PgDb(connect(self.url))
        return self._write_db

    def close(self) -> None:
        self._closed = True
        self._pools.close()
        if self._write_db is not None:
            self._write_db.conn.close()

    # -- schema and state -------------------------------------------------------------------

    @guarded
    def _version(self) -> int:
        return schema_version(self._read())

    @property
    def schema_version(self) -> int:
        return self._version()

    @guarded
    def check(self) -> None:
        """The read server answers, with the schema of this euprojects. (PostgreSQL checks
        its own pages as it reads them; a damaged one fails the query that reads it.)"""
        version = schema_version(self._read())
        if version != len(PG_MIGRATIONS):
            raise StoreError(f"{self.where}: schema version {version}, this euprojects needs "
                             f"{len(PG_MIGRATIONS)}")

    @guarded
    def server(self) -> dict[str, Any]:
        """What the server the reads go to says of itself: a replica, and how far behind its
        primary it replays (seconds since the last transaction it replayed, None when it has
        replayed everything it received, or is the primary)."""
        db = self._read()
        replica = bool(db.execute("SELECT pg_is_in_recovery()").fetchall()[0][0])
        lag = None
        if replica:
            (lag,), = db.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            ).fetchall()
        return {"server": self.reading_from, "replica": replica,
                "replay_lag_s": None if lag is None else round(float(lag), 3)}

