"""PostgreSQL connections of the store (psycopg 3): the ``Db`` of store/_db.py over one, the
pools a store reads through (a replica's first, the primary's when the replica does not
answer), and PostgreSQL's errors as the one-line StoreError of errors.py."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from ..errors import StoreError

__all__ = ["PgDb", "ReadPools", "connect", "configure", "describe", "pg_error"]

_names = itertools.count(1)  # of the server-side cursors of streams


@lru_cache(maxsize=1024)
def _dialect(sql: str) -> str:
    """The store's SQL (``?`` placeholders, store/_db.py) as psycopg takes it (``%s``)."""
    return sql.replace("%", "%%").replace("?", "%s")


def configure(conn: psycopg.Connection[Any]) -> None:
    """A connection as the store uses it: autocommit (the store opens its transactions
    itself); JSON documents read as their text, as SQLite gives them."""
    conn.adapters.register_loader("json", TextLoader)


def connect(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
    configure(conn)
    return conn


class PgDb:
    """One connection, speaking the store's SQL (store/_db.py)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        if not parameters:
            return self.conn.execute(sql)
        return self.conn.execute(_dialect(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> None:
        rows = list(parameters)
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(_dialect(sql), rows)

    def _idle(self) -> bool:
        return self.conn.info.transaction_status == pq.TransactionStatus.IDLE

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows through a server-side cursor, 2 000 at a time (in a transaction of its own
        when none is open: a server-side cursor lives in one)."""
        with self.snapshot():
            with self.conn.cursor(name=f"stream{next(_names)}") as cursor:
                cursor.itersize = 2000
                cursor.execute(_dialect(sql) if params else sql, params or None)
                yield from cursor

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read-only transaction that sees one state of the store (repeatable read), unless
        one is open already (the writer's, or an outer snapshot)."""
        if not self._idle():
            yield
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            if not self.conn.broken and not self._idle():
                self.conn.execute("ROLLBACK")  # it wrote nothing


def describe(url: str) -> str:
    """Where a database is, for a person: host, port and name, never a password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "PostgreSQL (an address it cannot read)"
    host = info.get("host") or "localhost"
    return f"PostgreSQL {host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


def pg_error(where: str, exc: Exception) -> StoreError:
    """A PostgreSQL error as one line for a person: the real cause, and what to do."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, PoolTimeout) or (isinstance(exc, psycopg.OperationalError)
                                        and not isinstance(exc, psycopg.errors.QueryCanceled)):
        reason = "cannot reach the database server (is it running, and the address right?)"
    elif isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        reason = "the server is a read-only replica: imports go to the primary"
    elif isinstance(exc, psycopg.errors.DiskFull):
        reason = "the database server's disk is full"
    elif isinstance(exc, psycopg.errors.InsufficientPrivilege):
        reason = "the database user may not do this: grant it the rights on the database"
    else:
        reason = "database error"
    return StoreError(f"{where}: {reason} (PostgreSQL: {text})")


class ReadPools:
    """The connection pools a store reads through, in order: the read server's (a streaming
    replica), then the primary's. A server that gives no connection within ``timeout``
    seconds is skipped for ``retry`` seconds; while it is, reads go to the next."""

    def __init__(self, urls: Sequence[str], size: int, timeout: float = 2.0,
                 retry: float = 5.0) -> None:
        self.urls = list(dict.fromkeys(urls))
        self._size = size
        self._timeout = timeout
        self._retry = retry
        self._pools: dict[str, ConnectionPool[Any]] = {}
        self._down: dict[str, float] = {}
        self._lock = threading.Lock()
        self.last_url = self.urls[0]  # the server the last read went to

    def _pool(self, url: str) -> ConnectionPool[Any]:
        with self._lock:
            pool = self._pools.get(url)
            if pool is None:
                pool = self._pools[url] = ConnectionPool(
                    url, min_size=1, max_size=self._size, open=True, configure=configure,
                    kwargs={"autocommit": True, "connect_timeout": 5},
                    check=ConnectionPool.check_connection, timeout=self._timeout,
                    name=describe(url))
            return pool

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        now = time.monotonic()
        candidates = [u for u in self.urls if self._down.get(u, 0.0) <= now] or self.urls
        failure: Exception | None = None
        for url in candidates:
            pool = self._pool(url)
            try:
                conn = pool.getconn()
            except PoolTimeout as exc:
                self._down[url] = time.monotonic() + self._retry
                failure = exc
                continue
            self._down.pop(url, None)
            self.last_url = url
            try:
                yield conn
            finally:
                pool.putconn(conn)
            return
        assert failure is not None
        raise failure

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()
