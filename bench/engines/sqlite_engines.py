"""SQLite baselines (stdlib sqlite3): FTS5 full-text search, and keep.eu-style LIKE '%word%'.

One database file holds both: ``docs`` (the text and sort columns), ``facets`` (rid, name, value)
and ``fts``, an FTS5 table over docs (external content, ``unicode61 remove_diacritics 2``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import Answer, Doc, Engine, clauses, facet_plan

_SCHEMA = """
CREATE TABLE docs (rid INTEGER PRIMARY KEY, id TEXT NOT NULL, acronym TEXT, title TEXT,
                   body TEXT, partners TEXT, end_date TEXT, eu REAL);
CREATE TABLE facets (rid INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(acronym, title, body, partners, content='docs',
    content_rowid='rid', tokenize='unicode61 remove_diacritics 2');
"""
_INDEXES = """
CREATE INDEX docs_end ON docs(end_date);
CREATE INDEX facets_value ON facets(name, value, rid);
CREATE INDEX facets_rid ON facets(rid, name, value);
"""


def _fts_match(q: str) -> str | None:
    parts = []
    for c in clauses(q):
        parts.append('"' + " ".join(c.tokens) + '"')
    return " AND ".join(parts) or None


def _filter_sql(filters: Mapping[str, Sequence[str]], column: str) -> tuple[str, list[Any]]:
    sql, params = [], []
    for name, values in filters.items():
        marks = ",".join("?" * len(values))
        # "+": a plain expression, so that SQLite never hands the filter to FTS5 as a rowid
        # constraint (which would run the MATCH once per filtered row)
        sql.append(f"+{column} IN (SELECT rid FROM facets WHERE name = ? AND value IN ({marks}))")
        params.extend([name, *values])
    return "".join(f" AND {s}" for s in sql), params


class _SqliteBase(Engine):
    def __init__(self, path: Path) -> None:
        self.path = path

    def build(self, docs: Iterator[Doc]) -> dict[str, Any]:
        if self.path.exists():
            self.path.unlink()
        started = time.perf_counter()
        con = sqlite3.connect(self.path, isolation_level=None)
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.executescript(_SCHEMA)
        con.execute("BEGIN")
        n = 0
        for d in docs:
            con.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (d.rid, d.id, d.acronym, d.title, d.body, d.partners, d.end, d.eu))
            con.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                            [(d.rid, k, v) for k, vs in d.facets.items() for v in vs])
            n += 1
        con.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
        con.execute("COMMIT")
        con.executescript(_INDEXES)
        con.execute("ANALYZE")
        con.close()
        return {"docs": n, "build_s": round(time.perf_counter() - started, 1),
                "size_mb": round(self.path.stat().st_size / 2**20, 1)}

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        con.execute("PRAGMA cache_size = -262144")  # 256 MB page cache
        con.execute("PRAGMA mmap_size = 8000000000")
        return con

    def _facets(self, con: sqlite3.Connection, hits_sql: str, hits_params: list[Any],
                filters: Mapping[str, Sequence[str]]) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for applied, names in facet_plan(filters):
            fsql, fparams = _filter_sql(applied, "h.rid")
            marks = ",".join("?" * len(names))
            rows = con.execute(
                f"WITH h AS MATERIALIZED ({hits_sql}) SELECT f.name, f.value, count(*) FROM h "
                f"JOIN facets f ON f.rid = h.rid AND f.name IN ({marks}) WHERE 1{fsql} "
                "GROUP BY f.name, f.value ORDER BY 3 DESC",
                [*hits_params, *names, *fparams]).fetchall()
            for name, value, count in rows:
                out.setdefault(name, []).append((value, count))
        return out


class Fts5Engine(_SqliteBase):
    name = "sqlite-fts5"

    def search(self, con: sqlite3.Connection, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        match = _fts_match(q)
        fsql, fparams = _filter_sql(filters, "rid")
        if match is None:
            rows = con.execute(
                f"SELECT id, substr(body, 1, 240) FROM docs WHERE 1{fsql} "
                f"ORDER BY end_date DESC LIMIT {size}", fparams).fetchall()
            total = con.execute(f"SELECT count(*) FROM docs WHERE 1{fsql}", fparams).fetchone()[0]
            hits_sql, hits_params = "SELECT rid FROM docs", []
        else:
            rows = con.execute(
                "SELECT d.id, snippet(fts, 2, '<mark>', '</mark>', '…', 32) FROM fts "
                f"JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ?{_alias(fsql)} "
                f"ORDER BY bm25(fts, 6.0, 3.0, 1.0, 0.6) LIMIT {size}",
                [match, *fparams]).fetchall()
            total = con.execute(f"SELECT count(*) FROM fts WHERE fts MATCH ?{_alias(fsql)}",
                                [match, *fparams]).fetchone()[0]
            hits_sql, hits_params = "SELECT rowid AS rid FROM fts WHERE fts MATCH ?", [match]
        facets = self._facets(con, hits_sql, hits_params, filters)
        return Answer([r[0] for r in rows], total, facets, [r[1] for r in rows])


def _alias(fsql: str) -> str:
    # filters on the fts table's rowid
    return fsql.replace(" AND +rid IN", " AND +fts.rowid IN")


class LikeTimeout(Exception):
    pass


class LikeEngine(_SqliteBase):
    """keep.eu's search: every word a substring of the title or the description."""

    name = "sqlite-like"

    def __init__(self, path: Path, limit_s: float = 2.0) -> None:
        super().__init__(path)
        self.limit_s = limit_s

    def search(self, con: sqlite3.Connection, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        deadline = time.perf_counter() + self.limit_s
        con.set_progress_handler(lambda: 1 if time.perf_counter() > deadline else 0, 10_000)
        words = [" ".join(c.tokens) for c in clauses(q)]
        wsql = "".join(" AND (title LIKE ? OR body LIKE ?)" for _ in words)
        wparams = [p for w in words for p in (f"%{w}%", f"%{w}%")]
        fsql, fparams = _filter_sql(filters, "rid")
        try:
            rows = con.execute(
                f"SELECT id, substr(body, 1, 240) FROM docs WHERE 1{wsql}{fsql} "
                f"ORDER BY end_date DESC LIMIT {size}", [*wparams, *fparams]).fetchall()
            total = con.execute(f"SELECT count(*) FROM docs WHERE 1{wsql}{fsql}",
                                [*wparams, *fparams]).fetchone()[0]
            facets = self._facets(con, f"SELECT rid FROM docs WHERE 1{wsql}", wparams, filters)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise LikeTimeout from None
            raise
        finally:
            con.set_progress_handler(None, 0)
        return Answer([r[0] for r in rows], total, facets, [r[1] for r in rows])
