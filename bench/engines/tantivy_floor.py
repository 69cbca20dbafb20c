"""The floor: tantivy itself on the product's own index, without the product's layers.

It opens the index generation that euprojects built for the corpus (nothing to build: the same
segments, fields and tokenizers) and answers a query as plainly as tantivy allows: each word (a
word of several tokens, or a quoted phrase, as a phrase) must be in one of the four text fields
(the neutral tokens, with the product's field weights) or in the English stems; the filters as
term sets; the top 10 by BM25 with the exact count in one pass; every facet of the product
(FACETS: 17, the status by its day ranges) in one aggregation per facet_plan unit, the units
and the top 10 side by side on two threads. No stems of other languages, no typo or prefix
expansion, no dictionaries, no organisation boost, no snippets, no store lookups, no Python
result objects: what is left is the engine's own cost for the same kind of answer, which the
product cannot beat.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from euprojects.model import FACETS
from euprojects.search._analysis import NEUTRAL, analyzer, register, stem_field
from euprojects.search._documents import TEXT_FIELDS
from euprojects.search._facets import _status_aggregation, _status_counts
from euprojects.search._generations import current

from . import Answer, Doc, Engine, clauses

_FACET_SIZE = 65_000


class _Connection:
    """A searcher, as the bench's connections go (closed at the end)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher

    def close(self) -> None:
        pass


class TantivyFloor(Engine):
    name = "tantivy-floor"

    def __init__(self, index_dir: Path, today: date) -> None:
        self.index_dir = index_dir
        self.today = today
        self.index: tantivy.Index | None = None
        # the top 10 and the facet units side by side on the machine's two cores (as the
        # product counts its facet units on search_threads = 2)
        self._pool = ThreadPoolExecutor(2)

    def build(self, docs: Iterator[Doc]) -> dict[str, Any]:
        """Nothing to build: the product's current generation is opened as it is (``docs`` is
        never read)."""
        generation = current(self.index_dir)
        if generation is None:
            raise RuntimeError(f"no index generation in {self.index_dir}: run euprojects index")
        self.index = tantivy.Index.open(str(self.index_dir / generation))
        register(self.index)
        self.index.reload()
        return {"generation": generation, "docs": self.index.searcher().num_docs,
                "build_s": 0.0, "note": "the product's own index"}

    def connect(self) -> _Connection:
        assert self.index is not None
        return _Connection(self.index.searcher())

    def _words(self, q: str) -> Query | None:
        assert self.index is not None
        schema = self.index.schema
        neutral, english = analyzer(NEUTRAL), analyzer(stem_field("en"))
        groups = []
        for clause in clauses(q):
            text = " ".join(clause.tokens)
            shoulds = []
            for field, weight in TEXT_FIELDS.items():
                tokens = neutral.analyze(text)
                if not tokens:
                    continue
                one = (Query.term_query(schema, field, tokens[0]) if len(tokens) == 1
                       else Query.phrase_query(schema, field, tokens))
                shoulds.append((Occur.Should, Query.boost_query(one, weight)))
            stems = english.analyze(text)
            if stems:
                shoulds.append((Occur.Should, Query.term_query(schema, stem_field("en"), stems[0])
                                if len(stems) == 1 else
                                Query.phrase_query(schema, stem_field("en"), stems)))
            if shoulds:
                groups.append((Occur.Must, Query.boolean_query(shoulds)))
        return Query.boolean_query(groups) if groups else None

    def _query(self, words: Query | None, filters: Mapping[str, Sequence[str]]) -> Query:
        assert self.index is not None
        parts = [(Occur.Must, words)] if words is not None else [(Occur.Must, Query.all_query())]
        for name, values in filters.items():
            parts.append((Occur.Must, Query.term_set_query(self.index.schema, name,
                                                           list(values))))
        return Query.boolean_query(parts)

    def search(self, conn: _Connection, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        searcher = conn.searcher
        words = self._words(q)
        top = self._pool.submit(searcher.search, self._query(words, filters), limit=size,
                                count=True)
        counted = Query.const_score_query(words, 1.0) if words is not None else None
        plan = [(dict(filters), [n for n in FACETS if n not in filters])]
        plan += [({k: v for k, v in filters.items() if k != n}, [n]) for n in filters]
        answers = []
        for applied, names in plan:  # side by side with the top 10 (tantivy lets go of the GIL)
            aggs: dict[str, Any] = {n: {"terms": {"field": n, "size": _FACET_SIZE}}
                                    for n in names if FACETS[n].indexed}
            if "status" in names:
                aggs["status"] = _status_aggregation(self.today)
            answers.append((names, self._pool.submit(
                searcher.aggregate, self._query(counted, applied), aggs)))
        facets: dict[str, list[tuple[str, int]]] = {}
        for names, future in answers:
            answer = future.result()
            for n in names:
                if n == "status":
                    facets[n] = _status_counts(answer.get(n, {}))
                else:
                    facets[n] = [(b["key"], b["doc_count"])
                                 for b in answer.get(n, {}).get("buckets", [])]
        found = top.result()
        ids = [searcher.doc(address)["id"][0] for _, address in found.hits]
        return Answer(ids, found.count or 0, facets)  # type: ignore[attr-defined]

    def close(self) -> None:
        self._pool.shutdown()
