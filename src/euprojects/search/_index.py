"""The tantivy index: derived from the store, rebuilt beside the old one and switched atomically.

Layout of the index folder: ``gen-<n>/`` folders each holding a complete index, and a file
``CURRENT`` naming the one in use. A rebuild writes a new generation and then replaces
``CURRENT`` (an atomic rename): a reader never sees a half-built index, and a failed rebuild
leaves the old one serving. Readers notice a new generation on their next search.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Order, Query

from ..errors import QueryError, SearchIndexError
from ..model import Organisation, Participation, Project
from ._analysis import register
from ._compile import (
    STATUSES,
    combine,
    filter_queries,
    one_typo_variants,
    text_query,
)
from ._compounds import split_compound
from ._documents import FACET_FIELDS, NO_END, build_schema, to_document
from ._lexicon import Lexicon, LexiconBuilder
from ._query import SearchQuery

__all__ = ["TantivyIndex", "RawResult"]

_SORT_FIELDS = {"start_date": "start", "end_date": "end", "eu_contribution": "eu"}
_KEEP_GENERATIONS = 2
# A word that this many projects hold (in titles or texts) is taken as typed, as Typesense's
# typo_tokens_threshold does: typo expansion is for words the index barely knows.
TYPO_THRESHOLD = 5
_LEXICON = "lexicon.json"
# Bumped whenever the schema or what a document holds changes: an index of another format is
# not read, and an import rebuilds it.
INDEX_FORMAT = 2
_FORMAT_FILE = "format"
_COMMITS_FILE = "commits"
_WRITER_HEAP = 128_000_000
NAME_FIELDS = ("acronym", "partners")
_FACET_CACHE = 512  # searches whose facet counts are kept for their next pages
_FACET_SIZE = 65_000  # more than the distinct values of any facet: counts are exact

Participants = Iterable[tuple[Participation, Organisation]]


@dataclass
class RawResult:
    """What the index answers: ids in order, the exact total, facet counts, the next cursor."""

    total: int
    hits: list[tuple[str, float | None]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    next_cursor: str | None = None
    took_ms: float = 0.0
    cut: bool = False  # the time budget ran out: some facet counts were not computed


def _encode_cursor(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["o"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise QueryError("parameter 'cursor': not a cursor this service gave", "cursor") from None


class TantivyIndex:
    """Search over the projects of the store. Thread-safe for searching."""

    def __init__(self, path: Path, time_budget_ms: int = 2000, threads: int = 2) -> None:
        self.path = path
        self.time_budget_ms = time_budget_ms
        self.threads = max(1, threads)
        self._executor: ThreadPoolExecutor | None = None
        self._facet_cache = _LRU(_FACET_CACHE)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._lexicon = Lexicon.empty()

    def close(self) -> None:
        """Stop the facet threads (a search after this starts them again)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    # -- generations ------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            return (self.path / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def exists(self) -> bool:
        """A usable index: present and of this version's format."""
        current = self._current()
        if current is None:
            return False
        try:
            found = (self.path / current / _FORMAT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return False
        return found == str(INDEX_FORMAT)

    def _open(self) -> tantivy.Index:
        current = self._current()
        if current is None or not self.exists():
            raise SearchIndexError(
                f"no search index of this version in {self.path}: "
                "run 'euprojects index --rebuild'"
            )
        with self._lock:
            if current != self._generation or self._index is None:
                try:
                    index = tantivy.Index.open(str(self.path / current))
                except Exception as exc:
                    raise SearchIndexError(f"cannot open the search index ({exc})") from None
                register(index)
                self._lexicon = Lexicon.load(self.path / current / _LEXICON)
                self._index, self._generation = index, current
            return self._index

    @contextmanager
    def _new_generation(self) -> Iterator[tuple[tantivy.Index, Path]]:
        self.path.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.path.glob("gen-*") if p.name[4:].isdigit()]
        name = f"gen-{max(numbers, default=0) + 1}"
        folder = self.path / name
        folder.mkdir()
        try:
            index = tantivy.Index(self.schema, path=str(folder), reuse=False)
            register(index)
            yield index, folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        tmp = self.path / "CURRENT.tmp"
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, self.path / "CURRENT")
        self._collect(keep=name)

    def _collect(self, keep: str) -> None:
        """Remove old generations, keeping the newest few so that open readers finish."""
        gens = sorted((p for p in self.path.glob("gen-*") if p.name[4:].isdigit()),
                      key=lambda p: int(p.name[4:]))
        for old in gens[:-_KEEP_GENERATIONS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)

    # -- writing ----------------------------------------------------------------------------

    def rebuild(self, items: Iterable[tuple[Project, Participants]]) -> int:
        """Write a complete new index from ``items`` and switch to it; returns the count."""
        count = 0
        lexicon = LexiconBuilder()
        with self._new_generation() as (index, folder):
            writer = index.writer(heap_size=_WRITER_HEAP, num_threads=min(2, os.cpu_count() or 1))
            for project, participants in items:
                writer.add_document(to_document(project, participants))
                lexicon.add(project)
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            lexicon.build().save(folder / _LEXICON)
            (folder / _FORMAT_FILE).write_text(str(INDEX_FORMAT), encoding="utf-8")
        return count

    def update(self, items: Iterable[tuple[Project, Participants]]) -> int:
        """Replace these projects in the current index (after an import's commit)."""
        index = self._open()
        count = 0
        writer = index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        try:
            for project, participants in items:
                writer.delete_documents_by_term("id", project.id)
                writer.add_document(to_document(project, participants))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        index.reload()
        # every process that searches this generation sees that its contents changed
        commits = self.path / (self._generation or "") / _COMMITS_FILE
        tmp = commits.with_suffix(".tmp")
        tmp.write_text(str(self._read_commits() + 1), encoding="utf-8")
        os.replace(tmp, commits)
        return count

    # -- searching --------------------------------------------------------------------------

    def count(self) -> int:
        index = self._open()
        index.reload()
        return index.searcher().num_docs

    def search(self, query: SearchQuery, today: date) -> RawResult:
        started = time.perf_counter()
        index = self._open()
        # read before the reload: counts of newer contents may be keyed as older, never the
        # other way round
        facet_key = self._facet_key(query, today)
        index.reload()
        searcher = index.searcher()
        schema = self.schema
        base = text_query(schema, query.text, query.typos,
                          functools.cache(lambda token: self._corrections(searcher, token)),
                          self._lexicon.translations,
                          lambda token: split_compound(token, _frequency(searcher),
                                                       _frequency(searcher, NAME_FIELDS)))
        filters = filter_queries(schema, query, today)
        full = combine(base, list(filters.values()))
        offset = _decode_cursor(query.cursor) if query.cursor else 0
        key, descending = query.effective_sort
        kwargs: dict[str, Any] = {"limit": query.size, "offset": offset, "count": True}
        if key != "relevance":
            kwargs["order_by_field"] = _SORT_FIELDS[key]
            kwargs["order"] = Order.Desc if descending else Order.Asc
        found = searcher.search(full, **kwargs)
        hits = [
            (searcher.doc(address)["id"][0], score if key == "relevance" else None)
            for score, address in found.hits
        ]
        total = found.count or 0
        result = RawResult(total=total, hits=hits)
        if offset + len(hits) < total:
            result.next_cursor = _encode_cursor(offset + len(hits))
        cached = self._facet_cache.get(facet_key)
        if cached is not None:
            result.facets = dict(cached)
        else:
            self._facets(searcher, base, filters, today, result, started)
            if not result.cut:
                self._facet_cache.put(facet_key, dict(result.facets))
        result.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _read_commits(self) -> int:
        """How many updates the current generation has had (cached counts of older contents
        are not used)."""
        try:
            return int((self.path / (self._generation or "") / _COMMITS_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def _facet_key(self, query: SearchQuery, today: date) -> tuple[Any, ...]:
        """What facet counts depend on: the index generation, the day, the text and the
        filters; not the sort, the page or its size (a next page reuses the counts)."""
        return (self._generation, self._read_commits(), today, query.q, query.typos,
                tuple(sorted((k, tuple(sorted(v))) for k, v in query.filters.items())),
                tuple(sorted((k, tuple(map(str, v))) for k, v in query.ranges.items())))

    @staticmethod
    def _corrections(searcher: tantivy.Searcher, token: str,
                     most: int = 3) -> tuple[list[str], int] | None:
        """The words one typo away from ``token`` that the index holds, most frequent first,
        and how many projects hold ``token`` itself in any text field; None when ``token`` is
        common in the titles and texts (then it is no typo)."""
        held = searcher.doc_freq("title", token) + searcher.doc_freq("body", token)
        if held >= TYPO_THRESHOLD:
            return None
        found = []
        for variant in one_typo_variants(token):
            freq = searcher.doc_freq("title", variant) + searcher.doc_freq("body", variant)
            if freq:
                found.append((freq, variant))
        anywhere = held + sum(searcher.doc_freq(f, token) for f in NAME_FIELDS)
        return [v for _, v in sorted(found, reverse=True)[:most]], anywhere

    def _facets(self, searcher: tantivy.Searcher, base: Any, filters: dict[str, Any],
                today: date, result: RawResult, started: float) -> None:
        """Counts for every facet. A facet's counts ignore its own selection and respect every
        other filter. Facets that share the same other-filters share one aggregation; the
        aggregations run side by side on the index's threads (tantivy lets go of the GIL)."""
        # counting needs no scores: a constant score spares the BM25 work of every clause
        base = Query.const_score_query(base, 1.0) if base is not None else None
        units: list[tuple[Any, list[str]]] = []
        unselected = [n for n in (*FACET_FIELDS, "status") if n not in filters]
        everything = combine(base, list(filters.values()))
        for share in _split(unselected, self.threads):
            units.append((everything, share))
        for name in (*FACET_FIELDS, "status"):
            if name in filters:
                units.append((combine(base, [q for n, q in filters.items() if n != name]),
                              [name]))

        def run(unit: tuple[Any, list[str]]) -> tuple[list[str], dict[str, Any]]:
            query, names = unit
            aggs: dict[str, Any] = {
                n: {"terms": {"field": n, "size": _FACET_SIZE}} for n in names if n != "status"
            }
            if "status" in names:
                aggs["status"] = _status_aggregation(today)
            return names, searcher.aggregate(query, aggs)

        remaining = self.time_budget_ms / 1000 - (time.perf_counter() - started)
        if remaining <= 0:
            result.cut = True
            return
        if len(units) == 1 or self.threads == 1:
            answers = []
            for unit in units:
                if time.perf_counter() - started >= self.time_budget_ms / 1000:
                    result.cut = True
                    break
                answers.append(run(unit))
        else:
            futures = [self._pool().submit(run, unit) for unit in units]
            done, late = wait(futures, timeout=remaining)
            result.cut = bool(late)
            answers = [f.result() for f in futures if f in done]
        for names, answer in answers:
            for n in names:
                if n == "status":
                    result.facets[n] = _status_counts(answer.get(n, {}))
                else:
                    buckets = answer.get(n, {}).get("buckets", [])
                    result.facets[n] = [(b["key"], b["doc_count"]) for b in buckets]

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, "facets")
            return self._executor


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


# What a facet's aggregation costs, relative (multi-valued fields cost most), measured on the
# scale corpus: the unselected facets are split into shares of about equal cost.
_FACET_COST = {"country": 5, "theme": 5, "legal_status": 4, "fund": 3, "status": 3}


def _split(names: list[str], parts: int) -> list[list[str]]:
    shares: list[list[str]] = [[] for _ in range(max(1, parts))]
    costs = [0] * len(shares)
    for name in sorted(names, key=lambda n: -_FACET_COST.get(n, 1)):
        i = costs.index(min(costs))
        shares[i].append(name)
        costs[i] += _FACET_COST.get(name, 1)
    return [share for share in shares if share]


def _frequency(searcher: tantivy.Searcher,
               fields: tuple[str, ...] = ("title", "body")) -> Callable[[str], int]:
    """How many projects hold a word in these fields (cached for one search)."""

    @functools.cache
    def held(word: str) -> int:
        return int(sum(searcher.doc_freq(f, word) for f in fields))

    return held


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
