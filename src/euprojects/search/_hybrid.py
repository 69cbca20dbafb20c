"""The words' ranking and the ranking by meaning fused into one page (search by meaning,
docs/semantic-search.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tantivy
from tantivy import Query

from ._compile import combine

__all__ = ["fused_page", "RRF_K", "SEMANTIC_WEIGHT"]

# Reciprocal rank fusion's constant (Cormack et al. 2009): a project ranked r in a ranking
# scores 1 / (RRF_K + r) from it
RRF_K = 60
# The weight of the ranking by meaning against the words' in the fusion (1: as much): 0.5
# measured best on the development sets (docs/semantic-search.md): the English queries of
# dev.jsonl lose to the words alone at 1.0 (nDCG@10 0.784 against 0.810), win at 0.5 (0.824)
SEMANTIC_WEIGHT = 0.5


def fused_page(searcher: tantivy.Searcher, schema: tantivy.Schema, lexical: Query | None,
               semantic: Sequence[str], filters: list[Query], offset: int,
               size: int) -> list[tuple[str, float | None]]:
    """The page at ``offset`` of the words' ranking (``lexical``, filters included) fused
    with the ranking by meaning (``semantic``: ids, nearest first): each project scores 1 /
    (RRF_K + rank) in the words' ranking and SEMANTIC_WEIGHT / (RRF_K + rank) in the ranking
    by meaning (weighted reciprocal rank fusion); the nearest by meaning that the filters drop
    are left out. Without ``lexical``: the ranking by meaning alone."""
    depth = offset + size + len(semantic)  # every project that can reach the page
    ranked: dict[tuple[int, int], float] = {}
    addresses: dict[tuple[int, int], Any] = {}
    lexical_hits = searcher.search(lexical, limit=depth).hits if lexical is not None else []
    for rank, (_, address) in enumerate(lexical_hits):
        spot = (address.segment_ord, address.doc)
        ranked[spot] = 1.0 / (RRF_K + rank + 1)
        addresses[spot] = address
    order = {pid: n for n, pid in enumerate(semantic)}
    near = searcher.search(combine(Query.term_set_query(schema, "id", list(semantic)), filters),
                           limit=len(semantic)).hits
    ids: dict[tuple[int, int], str] = {}
    for _, address in near:
        spot = (address.segment_ord, address.doc)
        pid = searcher.doc(address)["id"][0]
        ids[spot] = pid
        ranked[spot] = ranked.get(spot, 0.0) + SEMANTIC_WEIGHT / (RRF_K + order[pid] + 1)
        addresses[spot] = address
    page = sorted(ranked, key=lambda spot: (-ranked[spot], spot))[offset:offset + size]
    return [(ids.get(spot) or searcher.doc(addresses[spot])["id"][0], ranked[spot])
            for spot in page]
