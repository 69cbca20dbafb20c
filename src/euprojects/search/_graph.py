"""The approximate nearest-neighbour graph of a large vector index (docs/semantic-search.md).

Past GRAPH_MIN vectors (the setting vector_graph_min) an exact scan costs more than a search
may spend (40 ms or more for a million on two cores), so a generation of the vector index also
holds a graph of its vectors (HNSW, from the PyPI package ``usearch``, 8-bit, cosine): it finds
the CANDIDATES x k vectors nearest a query in about a millisecond, of which the generation keeps
the k its own int8 codes score highest (the same scores an exact scan gives). Recall against
the exact scan: docs/benchmarks.md. Without the package, or without a graph file, a search is
the exact scan, whatever the size."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["GRAPH_MIN", "GRAPH_FILE", "CANDIDATES", "build_graph", "Graph", "load_graph"]

GRAPH_MIN = 50_000  # vectors from which a generation holds a graph
GRAPH_FILE = "graph.usearch"
CANDIDATES = 3  # candidates asked of the graph per result kept
_CONNECTIVITY = 16  # edges per node (M)
_EXPANSION_ADD = 128  # the breadth of the search that links a node when building
_EXPANSION_SEARCH = 512  # the breadth of a search (at least its number of results)


def _usearch() -> Any:
    try:
        from usearch.index import Index
    except ImportError:  # the package or its native library is missing: exact scans
        return None
    return Index


def build_graph(matrix: npt.NDArray[Any], path: Path, threads: int | None = None) -> bool:
    """Write the graph of ``matrix``'s rows (unit vectors; row number = key) to ``path``;
    False when the package is not available here."""
    index_class = _usearch()
    if index_class is None:
        return False
    index = index_class(ndim=matrix.shape[1], metric="cos", dtype="i8",
                        connectivity=_CONNECTIVITY, expansion_add=_EXPANSION_ADD)
    step = 1 << 16  # rows converted to float32 at a time
    for start in range(0, len(matrix), step):
        block = np.asarray(matrix[start:start + step], dtype=np.float32)
        index.add(np.arange(start, start + len(block), dtype=np.uint64), block,
                  threads=threads or os.cpu_count() or 1, log=False)
    index.save(str(path))
    return True


class Graph:
    """A generation's graph, memory-mapped (read only, shared by the threads of a process)."""

    def __init__(self, path: Path) -> None:
        index_class = _usearch()
        if index_class is None:
            raise ImportError("usearch")
        self._index = index_class.restore(str(path), view=True)
        self._index.expansion_search = _EXPANSION_SEARCH

    def candidates(self, query: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
        """The row numbers of (about) the ``k`` vectors nearest ``query``, by the graph."""
        matches = self._index.search(query, k, threads=1)
        return np.asarray(matches.keys, dtype=np.int64)


def load_graph(folder: Path) -> Graph | None:
    """The graph of a generation's folder, or None (none built, or no usearch here)."""
    path = folder / GRAPH_FILE
    if not path.exists():
        return None
    try:
        return Graph(path)
    except ImportError:
        return None
