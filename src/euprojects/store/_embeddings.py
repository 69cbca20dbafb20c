"""The store's vectors of the projects (search by meaning, docs/semantic-search.md): a part of
the store (store/_sql.py), kept apart for its size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager

from ..errors import StoreError
from ._db import Db
from ._errors import guarded
from ._writer import chunks

__all__ = ["Embeddings"]


class Embeddings:
    """The store's methods on the ``embeddings`` table (store/_schema.py, migration 7)."""

    _db_errors: tuple[type[Exception], ...]  # the store's (store/_errors.py, guarded)

    def _store_error(self, exc: Exception) -> StoreError:
        raise NotImplementedError  # the store's

    def _session(self) -> AbstractContextManager[object]:
        raise NotImplementedError  # the store's

    def _read(self) -> Db:
        raise NotImplementedError  # the store's

    def _write_transaction(self) -> AbstractContextManager[Db]:
        raise NotImplementedError  # the store's

    @guarded
    def embedding_hashes(self, model: str) -> dict[str, str]:
        """Project id -> the hash of the text its vector of ``model`` was made from."""
        return dict(self._read().execute(
            "SELECT project_id, text_hash FROM embeddings WHERE model = ?", (model,)))

    def put_embeddings(self, model: str, rows: Sequence[tuple[str, str, bytes]]) -> int:
        """Keep the vectors of a batch of projects, (project id, text hash, vector), in one
        transaction (a vector made before replaced); returns the batch's number (seq)."""
        with self._write_transaction() as db:
            seq: int = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM embeddings"
                                  ).fetchone()[0]
            db.executemany(
                "INSERT INTO embeddings (project_id, model, text_hash, vector, seq) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET "
                "model = excluded.model, text_hash = excluded.text_hash, "
                "vector = excluded.vector, seq = excluded.seq",
                [(pid, model, text_hash, vector, seq) for pid, text_hash, vector in rows])
            return seq

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

    @guarded
    def iter_embeddings(self, model: str) -> Iterator[tuple[str, bytes]]:
        """(project id, vector) of every project with a vector of ``model``, by id."""
        yield from self._read().stream(
            "SELECT project_id, vector FROM embeddings WHERE model = ? ORDER BY project_id",
            (model,))
