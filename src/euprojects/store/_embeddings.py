"""The store's vectors of the projects (search by meaning, docs/semantic-search.md): a part of
SqliteStore (store/sqlite.py), kept apart for its size."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import StoreError
from ._connections import rollback
from ._errors import guarded, store_error
from ._writer import chunks

__all__ = ["Embeddings"]


class Embeddings:
    """SqliteStore's methods on the ``embeddings`` table (store/_schema.py, migration 7)."""

    path: Path
    _write_lock: threading.Lock
    _write_db: sqlite3.Connection
    _writing_thread: int | None
    _closed: bool

    def _read(self) -> sqlite3.Connection:
        raise NotImplementedError  # SqliteStore's

    @guarded
    def embedding_hashes(self, model: str) -> dict[str, str]:
        """Project id -> the hash of the text its vector of ``model`` was made from."""
        return dict(self._read().execute(
            "SELECT project_id, text_hash FROM embeddings WHERE model = ?", (model,)))

    def put_embeddings(self, model: str, rows: Sequence[tuple[str, str, bytes]]) -> int:
        """Keep the vectors of a batch of projects, (project id, text hash, vector), in one
        transaction (a vector made before replaced); returns the batch's number (seq)."""
        if self._writing_thread == threading.get_ident():
            raise StoreError("a writer is already open in this thread")
        with self._write_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            db = self._write_db
            try:
                db.execute("BEGIN IMMEDIATE")
                seq: int = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM embeddings"
                                      ).fetchone()[0]
                db.executemany(
                    "INSERT INTO embeddings (project_id, model, text_hash, vector, seq) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET "
                    "model = excluded.model, text_hash = excluded.text_hash, "
                    "vector = excluded.vector, seq = excluded.seq",
                    [(pid, model, text_hash, vector, seq) for pid, text_hash, vector in rows])
                db.execute("COMMIT")
                return seq
            except BaseException as exc:
                rollback(db)
                if isinstance(exc, sqlite3.Error):
                    raise store_error(self.path, exc) from None
                raise

    @guarded
    def embedding_state(self, model: str) -> tuple[int, int]:
        """(how many projects have a vector of ``model``, the number of the last batch)."""
        count, last = self._read().execute(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM embeddings WHERE model = ?",
            (model,)).fetchone()
        return int(count), int(last)

    @guarded
    def get_embeddings(self, model: str, ids: Sequence[str]) -> dict[str, bytes]:
        """Project id -> its vector of ``model``, for those of ``ids`` that have one."""
        out: dict[str, bytes] = {}
        db = self._read()
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(
                f"SELECT project_id, vector FROM embeddings WHERE model = ? "
                f"AND project_id IN ({marks})", [model, *chunk]))
        return out

    def iter_embeddings(self, model: str) -> Iterator[tuple[str, bytes]]:
        """(project id, vector) of every project with a vector of ``model``, by id."""
        try:
            cursor = self._read().execute(
                "SELECT project_id, vector FROM embeddings WHERE model = ? ORDER BY project_id",
                (model,))
            yield from cursor
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None
