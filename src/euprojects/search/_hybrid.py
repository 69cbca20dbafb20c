"""The words' ranking and the ranking by meaning fused into one page (search by meaning,
docs/semantic-search.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tantivy
from tantivy import Occur, Query

from ._compile import combine

__all__ = ["fused_page", "words_window", "RRF_K", "SEMANTIC_WEIGHT", "FUSION_WINDOW"]

# Reciprocal rank fusion's constant (Cormack et al. 2009): a project ranked r in a ranking
# scores 1 / (RRF_K + r) from it
RRF_K = 60
# The weight of the ranking by meaning against the words' in the fusion (1: as much): 0.5
# measured best on the development sets (docs/semantic-search.md): the English queries of
# dev.jsonl lose to the words alone at 1.0 (nDCG@10 0.784 against 0.810), win at 0.5 (0.824)
SEMANTIC_WEIGHT = 0.5
# The words' matches fused, the same on every page (past them, the words' order)
FUSION_WINDOW = 200


Window = tuple[list[tuple[float, Any]], int]  # the words' first (score, address), their count


def words_window(searcher: tantivy.Searcher, words: Query, filters: list[Query]) -> Window:
    """The words' first FUSION_WINDOW matches under ``filters``, and how many there are."""
    found = searcher.search(combine(words, filters), limit=FUSION_WINDOW, count=True)
    return found.hits, found.count or 0  # type: ignore[attr-defined]


def fused_page(searcher: tantivy.Searcher, words: Query | None, semantic: Sequence[str],
               near: Query, filters: list[Query], offset: int, size: int,
               window: Window | None = None) -> tuple[list[tuple[str, float | None]], int]:
    """The page at ``offset`` of the words' ranking (``words`` under ``filters``) fused with
    the ranking by meaning (``semantic``: ids, nearest first; ``near``: the query of those that
    may be added, exclusions applied), and how many projects the two match together. The first
    FUSION_WINDOW matches of the words score 1 / (RRF_K + rank), each nearest project that the
    filters keep SEMANTIC_WEIGHT / (RRF_K + rank) (weighted reciprocal rank fusion), both for
    one in both; the words' matches past the window follow, in their order. The window is the
    same for every page, so that the pages of one search make one list. Without ``words``: the
    ranking by meaning alone. The words' matches are counted by the pass that ranks them (or
    were: ``window``, words_window's), the nearest projects apart (a few dozen): no second pass
    over the words' matches."""
    ranked: dict[tuple[int, int], float] = {}
    addresses: dict[tuple[int, int], Any] = {}
    lexical = combine(words, filters) if words is not None else None
    if words is not None and window is None:
        window = words_window(searcher, words, filters)
    lexical_hits, total = window if words is not None and window is not None else ([], 0)
    for rank, (_, address) in enumerate(lexical_hits):
        spot = (address.segment_ord, address.doc)
        ranked[spot] = 1.0 / (RRF_K + rank + 1)
        addresses[spot] = address
    order = {pid: n for n, pid in enumerate(semantic)}
    ids: dict[tuple[int, int], str] = {}
    both = 0  # nearest projects inside the words' window
    added = near if words is None else Query.boolean_query(
        [(Occur.Must, near), (Occur.MustNot, words)])
    extra = searcher.search(combine(added, filters), limit=1, count=True)
    total += extra.count or 0  # type: ignore[attr-defined]
    for _, address in searcher.search(combine(near, filters), limit=len(semantic)).hits:
        spot = (address.segment_ord, address.doc)
        pid = searcher.doc(address)["id"][0]
        ids[spot] = pid
        both += spot in ranked
        ranked[spot] = ranked.get(spot, 0.0) + SEMANTIC_WEIGHT / (RRF_K + order[pid] + 1)
        addresses[spot] = address
    fused = sorted(ranked, key=lambda spot: (-ranked[spot], spot))
    page: list[tuple[str, float | None]] = [
        (ids.get(spot) or searcher.doc(addresses[spot])["id"][0], ranked[spot])
        for spot in fused[offset:offset + size]]
    if lexical is not None and len(lexical_hits) == FUSION_WINDOW \
            and offset + size > len(fused):
        # past the window: the words' next matches, less the nearest (placed already); the
        # first FUSION_WINDOW - both of those are the window's
        first = max(offset, len(fused)) - len(fused)
        rest = Query.boolean_query([(Occur.Must, lexical), (Occur.MustNot, near)])
        tail = searcher.search(rest, limit=offset + size - max(offset, len(fused)),
                               offset=FUSION_WINDOW - both + first).hits
        page += [(searcher.doc(address)["id"][0], None) for _, address in tail]
    return page, total
