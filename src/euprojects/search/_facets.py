"""Facet counts: exact, each facet ignoring its own selection, counted side by side on a few
threads, and kept for the next pages of the same search. The counts of every project (the
empty search's, which a facet also shows when its selection is the search's only filter) are
counted once per generation and kept beside it (write_everything)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import tantivy
from tantivy import Query

from ..model import FACETS
from ._compile import STATUSES, combine
from ._documents import FACET_GROUPS, GROUP_SEPARATOR, NO_END, group_field

__all__ = ["FacetCounter", "write_everything", "read_everything", "count_status"]

_FACET_SIZE = 65_000  # more than the distinct values of any facet: counts are exact
_EVERYTHING = "facets.json"  # in a generation: the facet counts of every project

Facets = dict[str, list[tuple[str, int]]]
FacetKey = tuple[Hashable, ...]  # what a search's facet counts depend on (see the index)
_Unit = TypeVar("_Unit")
_Answer = TypeVar("_Answer")


class FacetCounter:
    """Counts every facet of a search. ``threads``: aggregations run side by side (tantivy
    lets go of the GIL) when this search is the only one counting in the process; while
    others count too, the cores are busy already and side by side would only add switching
    (measured at 100 000 projects under 32 clients: a fifth more requests per second, a
    quarter lower p99, with one thread); ``cache``: how many searches' counts are kept (0:
    none)."""

    def __init__(self, threads: int = 2, cache: int = 512) -> None:
        self.threads = max(1, threads)
        self._cache = _LRU(cache)
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._counting = 0  # searches counting now

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def count(self, searcher: tantivy.Searcher, base: Query | None, filters: dict[str, Query],
              today: date, key: FacetKey, budget_s: float,
              everything: Facets | None = None) -> tuple[Facets, bool]:
        """(counts per facet, cut): ``key`` says what the counts depend on (see the index);
        past ``budget_s`` seconds the facets not yet counted are left out and cut is True.
        ``everything``: the counts of every project (read_everything), taken where they are
        the answer instead of counting them again."""
        kept = self._cache.get(key)
        if kept is not None:
            return dict(kept), False
        if budget_s <= 0:
            return {}, True
        with self._lock:
            self._counting += 1
            alone = self._counting == 1
        try:
            units, taken = _units(base, filters, self.threads if alone else 1, everything)
            answers = self._aggregate(searcher, units, today, budget_s, alone)
        finally:
            with self._lock:
                self._counting -= 1
        facets: Facets = dict(taken)
        for names, answer in answers:
            for n in names:
                if n == "status":
                    facets[n] = _status_counts(answer.get(n, {}))
                else:
                    buckets = answer.get(n, {}).get("buckets", [])
                    facets[n] = [(b["key"], b["doc_count"]) for b in buckets]
        cut = len(facets) < len(FACETS)
        if not cut:
            self._cache.put(key, dict(facets))
        return facets, cut

    def _aggregate(self, searcher: tantivy.Searcher, units: list[tuple[Query, list[str]]],
                   today: date, budget_s: float,
                   alone: bool = True) -> list[tuple[list[str], dict[str, Any]]]:
        def run(unit: tuple[Query, list[str]]) -> tuple[list[str], dict[str, Any]]:
            query, names = unit
            return names, _facet_answers(searcher.aggregate(query, _aggregations(names, today)),
                                         names)

        if len(units) == 1 or self.threads == 1 or not alone:
            return _in_turn(run, units, budget_s)
        futures = [self._pool().submit(run, unit) for unit in units]
        done, _ = wait(futures, timeout=budget_s)
        return [f.result() for f in futures if f in done]

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, "facets")
            return self._executor


def _grouped(names: list[str]) -> tuple[list[str], list[str]]:
    """Of ``names``, the groups of FACET_GROUPS counted through their field (two of their
    facets or more among ``names``), and the facets counted through their own."""
    groups = [g for g, members in FACET_GROUPS.items()
              if sum(m in names for m in members) >= 2]
    inside = {m for g in groups for m in FACET_GROUPS[g]}
    return groups, [n for n in names if n not in inside]


def _aggregations(names: list[str], today: date) -> dict[str, Any]:
    """The aggregations that count the facets ``names``."""
    groups, alone = _grouped(names)
    aggs: dict[str, Any] = {
        n: {"terms": {"field": n, "size": _FACET_SIZE}} for n in alone if FACETS[n].indexed}
    for group in groups:
        aggs[group_field(group)] = {"terms": {"field": group_field(group), "size": _FACET_SIZE}}
    if "status" in names:
        aggs["status"] = _status_aggregation(today)
    return aggs


def _facet_answers(answer: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The aggregations' answer with each group's buckets as its facets' own (those of
    ``names``), as the facets' own fields would have counted them."""
    fields = {group_field(group) for group in FACET_GROUPS}
    out = {k: v for k, v in answer.items() if k not in fields}
    for group in FACET_GROUPS:
        buckets = answer.get(group_field(group), {}).get("buckets")
        if buckets is None:
            continue
        split: dict[str, list[dict[str, Any]]] = {n: [] for n in FACET_GROUPS[group]
                                                  if n in names}
        for bucket in buckets:
            name, _, value = bucket["key"].partition(GROUP_SEPARATOR)
            if name in split:
                split[name].append({"key": value, "doc_count": bucket["doc_count"]})
        out.update({n: {"buckets": b} for n, b in split.items()})
    return out


def _in_turn(run: Callable[[_Unit], _Answer], units: list[_Unit],
             budget_s: float) -> list[_Answer]:
    """The units one after the other on this thread, until the budget is spent."""
    deadline = time.perf_counter() + budget_s
    out: list[_Answer] = []
    for unit in units:
        if time.perf_counter() >= deadline:
            break
        out.append(run(unit))
    return out


def _units(base: Query | None, filters: dict[str, Query], threads: int,
           everything: Facets | None = None) -> tuple[list[tuple[Query, list[str]]], Facets]:
    """The counting queries and the facets each counts: the facets without a selection share
    the query of every filter (split into shares for the threads); a facet with a selection
    is counted under the other filters only. With ``everything`` (the counts of every project,
    the status's left out), a facet counted over every project is taken from it: the second
    part of the answer."""
    # counting needs no scores: a constant score spares the BM25 work of every clause
    base = Query.const_score_query(base, 1.0) if base is not None else None
    names = tuple(FACETS)

    def known(name: str, others: int) -> bool:  # counted over every project, and kept
        return everything is not None and base is None and others == 0 and name in everything

    taken = {n: everything[n] for n in names if everything is not None
             and known(n, len(filters) - (n in filters))}
    matched = combine(base, list(filters.values()))
    units = [(matched, share) for share in _split(
        [n for n in names if n not in filters and n not in taken], threads)]
    for name in names:
        if name in filters and name not in taken:
            units.append((combine(base, [q for n, q in filters.items() if n != name]), [name]))
    return units, taken


def _split(names: list[str], parts: int) -> list[list[str]]:
    """``names`` in shares of about equal cost, one per thread, the facets of one group of
    FACET_GROUPS kept in one share (they are counted together)."""
    shares: list[list[str]] = [[] for _ in range(max(1, parts))]
    costs = [0.0] * len(shares)
    groups, alone = _grouped(names)
    # what counting costs (FACETS[n].cost, measured on the scale corpus; a group counted in
    # one pass, about two thirds of its facets counted one by one)
    items = [([m for m in FACET_GROUPS[g] if m in names],
              sum(FACETS[m].cost for m in FACET_GROUPS[g] if m in names) * 2 / 3)
             for g in groups] + [([n], float(FACETS[n].cost)) for n in alone]
    for members, cost in sorted(items, key=lambda item: -item[1]):
        i = costs.index(min(costs))
        shares[i].extend(members)
        costs[i] += cost
    return [share for share in shares if share]


def write_everything(folder: Path, searcher: tantivy.Searcher, commits: int) -> None:
    """Count every facet but the status (it depends on the day) over every project of the
    generation ``folder`` as ``searcher`` sees it, after ``commits`` updates, and keep the
    counts beside it: the home page, and a search whose only filter is one facet's, take
    them instead of counting a million projects again."""
    aggs = {n: {"terms": {"field": n, "size": _FACET_SIZE}} for n in FACETS if FACETS[n].indexed}
    answer = searcher.aggregate(Query.all_query(), aggs)
    counts = {n: [(b["key"], b["doc_count"]) for b in answer.get(n, {}).get("buckets", [])]
              for n in aggs}
    path = folder / _EVERYTHING
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"commits": commits, "facets": counts}), encoding="utf-8")
    os.replace(tmp, path)


def read_everything(folder: Path, commits: int) -> Facets | None:
    """The counts write_everything kept in ``folder``, when they are of the generation after
    ``commits`` updates (None: not kept, or of other contents)."""
    try:
        data = json.loads((folder / _EVERYTHING).read_text(encoding="utf-8"))
        if int(data["commits"]) != commits:
            return None
        return {name: [(str(v), int(n)) for v, n in data["facets"][name]]
                for name in FACETS if FACETS[name].indexed}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def count_status(searcher: tantivy.Searcher, query: Query, today: date) -> list[tuple[str, int]]:
    """The status facet's counts over what ``query`` matches, on ``today``."""
    answer = searcher.aggregate(query, {"status": _status_aggregation(today)})
    return _status_counts(answer.get("status", {}))


class _LRU:
    """A small thread-safe least-recently-used map: a search's facet counts by what they
    depend on."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[FacetKey, Facets] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: FacetKey) -> Facets | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: FacetKey, value: Facets) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _status_aggregation(today: date) -> dict[str, Any]:
    """Statuses in one aggregation: what the source said, then the end day against today,
    then the start day against today (see model.derive_status)."""
    day = today.toordinal()
    start = {"range": {"field": "start_day", "ranges": [
        {"to": 0}, {"from": 0, "to": day + 1}, {"from": day + 1}]}}
    end = {"range": {"field": "end_day", "ranges": [
        {"to": day}, {"from": day, "to": NO_END}, {"from": NO_END}]}, "aggs": {"start": start}}
    return {"terms": {"field": "said_status", "size": 10}, "aggs": {"end": end}}


def _status_counts(answer: dict[str, Any]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(STATUSES, 0)
    for said in answer.get("buckets", []):
        if said["key"] in ("terminated", "closed"):
            counts[said["key"]] += said["doc_count"]
            continue
        ended, dated, undated = said["end"]["buckets"]
        counts["closed"] += ended["doc_count"]
        for bucket, no_start in ((dated, "ongoing"), (undated, None)):
            missing, started, later = bucket["start"]["buckets"]
            if no_start:
                counts[no_start] += missing["doc_count"]
            counts["ongoing"] += started["doc_count"]
            counts["planned"] += later["doc_count"]
    return [(s, n) for s, n in counts.items() if n]
