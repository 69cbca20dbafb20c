"""The Catalog's search by meaning: embedding the projects' texts into the store, the vector
index derived from them, the nearest projects by meaning for a search and for a project (a
part of the Catalog, catalog/__init__.py, kept apart for its size; docs/semantic-search.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from ..errors import SemanticUnavailableError
from ..model import embedding_hash, embedding_text
from ..search import (
    MODEL,
    Embedder,
    SearchQuery,
    TantivyIndex,
    VectorIndex,
    from_blob,
    to_blob,
)
from ..settings import Settings
from ..store import Store
from ..views import SimilarProject

__all__ = ["Semantic", "EmbedReport", "SEMANTIC_K"]

# How many projects nearest by meaning a search with words takes: added to the matches and
# fused with the words' ranking (hybrid), or listed alone (semantic). They depend on the words
# only, never on the filters, which then apply to them as to any match: so a facet's counts
# (which leave out the facet's own selection) are those its other values give when chosen.
# Chosen on the development sets (docs/semantic-search.md).
SEMANTIC_K = {"hybrid": 50, "semantic": 100}
# a query's words embedded: at most this many characters
QUERY_CHARS = 200
# similar projects with filters: this many times the size asked for are read, then filtered
_FILTERED = 8
# the threads that embed a search's words while its words are searched (the model's threads
# are the process's: one each in a portal)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="euprojects-nearest")

# progress(projects embedded so far, projects to embed)
EmbedProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class EmbedReport:
    """What ``embed`` did: projects embedded now, those whose vector was already made from
    their text, the vectors the vector index holds after it, and the seconds it took."""

    embedded: int
    unchanged: int
    indexed: int
    seconds: float


class Semantic:
    """The Catalog's methods on meaning (the Catalog is one of these)."""

    settings: Settings
    index: TantivyIndex
    store: Store
    embedder: Embedder
    vectors: VectorIndex

    @property
    def today(self) -> date:
        raise NotImplementedError  # the Catalog's

    # -- embedding ---------------------------------------------------------------------------

    def _to_embed(self) -> list[str]:
        """The projects whose vector is missing or was made from another text or by another
        model (read whole before anything is written: a reading cursor left open would keep
        this thread's view of the store from before the vectors it writes)."""
        made = self.store.embedding_hashes(MODEL)
        return [project.id for project in self.store.iter_projects()
                if made.get(project.id) != embedding_hash(MODEL, embedding_text(project))]

    def embed(self, progress: EmbedProgress | None = None, batch: int = 32,
              limit: int | None = None, index_every: float = 600.0) -> EmbedReport:
        """Embed every project whose text has no vector yet, ``batch`` at a time, each batch
        kept in the store in a transaction of its own: stopped at any point, a next run goes
        on where this one stopped. The vector index is rebuilt from the store's vectors every
        ``index_every`` seconds of work and at the end, so that search uses vectors as they
        arrive (or every four times the last rebuild's time, if longer). ``limit``: embed at most
        this many now."""
        started = time.perf_counter()
        pending = self._to_embed()[:limit]
        total = len(pending)
        # a batch embeds on every core (a query, on one: the catalog's own embedder)
        embedder = Embedder(threads=None) if total else self.embedder
        done = 0
        last_index, build_s = time.perf_counter(), 0.0
        for start in range(0, total, batch):
            projects = self.store.get_projects(pending[start:start + batch])
            chunk = [(pid, embedding_text(p)) for pid, p in projects.items()]
            vectors = embedder.passages([text for _, text in chunk])
            self.store.put_embeddings(MODEL, [(pid, embedding_hash(MODEL, text), to_blob(vector))
                                              for (pid, text), vector
                                              in zip(chunk, vectors, strict=True)])
            done += len(chunk)
            if progress:
                progress(done, total)
            # a rebuild at most every index_every seconds, and at most a fifth of the time
            # (a million vectors' graph takes minutes to build)
            if time.perf_counter() - last_index >= max(index_every, 4 * build_s) \
                    and done < total:
                rebuilding = time.perf_counter()
                self.rebuild_vectors()
                last_index = time.perf_counter()
                build_s = last_index - rebuilding
        # rebuilt when anything was embedded, or when the vector index is not of the store's
        # last batch (a run stopped before its last rebuild)
        held = self.store.embedding_state(MODEL)
        indexed = self.rebuild_vectors() if done or self.vectors.state() != held else held[0]
        return EmbedReport(done, held[0] - done, indexed, round(time.perf_counter() - started, 1))

    def rebuild_vectors(self) -> int:
        """Write a new generation of the vector index from the store's vectors."""
        _, seq = self.store.embedding_state(MODEL)
        return self.vectors.build(self.store.iter_embeddings(MODEL), seq, MODEL)

    def semantic_state(self) -> dict[str, int | bool]:
        """What search by meaning has: projects with a vector in the store, vectors in the
        vector index, and whether the model loads here."""
        held, _ = self.store.embedding_state(MODEL)
        indexed, _ = self.vectors.state()
        return {"vectors": held, "indexed": indexed, "model": self.embedder.available()}

    # -- searching ---------------------------------------------------------------------------

    def semantic_candidates(self, query: SearchQuery) -> list[str]:
        """The ids nearest by meaning to ``query``'s words, nearest first, that a search of
        its mode takes (none for words read as words only, no words to look for, or no
        vectors here). Its exclusions are not embedded (the index applies them to these ids);
        the words' first QUERY_CHARS characters are (the model's cost grows with the text)."""
        found = self.semantic_later(query)
        return found if isinstance(found, list) else found.result()

    def semantic_later(self, query: SearchQuery) -> list[str] | Future[list[str]]:
        """semantic_candidates, found on another thread when the query has to be embedded
        (the search by words runs meanwhile: the model's few milliseconds are hidden)."""
        text = query.text
        if query.mode == "lexical" or not text.groups:
            return []
        words = (" ".join(c.raw for c in text.clauses()) if text.excluded else query.q
                 ).strip()[:QUERY_CHARS]
        try:
            generation = self.vectors.generation()
        except SemanticUnavailableError:
            return []
        if generation is None or not self.embedder.available():  # no model here: words only
            return []
        k = SEMANTIC_K[query.mode]

        def nearest() -> list[str]:
            try:
                return [pid for pid, _ in generation.search(self.embedder.query(words), k)]
            except SemanticUnavailableError:
                return []
        return _POOL.submit(nearest)

    def similar_projects(self, project_id: str, query: SearchQuery | None = None,
                         size: int = 10) -> list[SimilarProject]:
        """The projects nearest in meaning to this one (in any language), that ``query``'s
        filters keep, nearest first, with their cosine similarity. SemanticUnavailableError
        when the project has no vector or there is no vector index."""
        blob = self.store.get_embeddings(MODEL, [project_id]).get(project_id)
        if blob is None:
            self.store.get_project(project_id)  # NotFoundError for an unknown id
            raise SemanticUnavailableError(
                f"project {project_id} has no vector yet: run 'euprojects embed'")
        wanted = size * (_FILTERED if query and (query.filters or query.ranges) else 2) + 1
        near = [(pid, score) for pid, score in self.vectors.search(from_blob(blob), wanted)
                if pid != project_id]
        kept = self.index.filter_ids(query or SearchQuery(), self.today,
                                     [pid for pid, _ in near])[:size]
        scores = dict(near)
        projects = self.store.get_projects(kept)
        return [SimilarProject(projects[pid], round(scores[pid], 4))
                for pid in kept if pid in projects]
