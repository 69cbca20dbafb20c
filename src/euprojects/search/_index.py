"""The tantivy index: derived from the store, rebuilt beside the old one and switched atomically.

Layout of the index folder: ``gen-<n>/`` folders each holding a complete index, and a file
``CURRENT`` naming the one in use. A rebuild writes a new generation and then replaces
``CURRENT`` (an atomic rename): a reader never sees a half-built index, and a failed rebuild
leaves the old one serving. Readers notice a new generation on their next search.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import tantivy
from tantivy import Occur, Order, Query

from ..errors import SearchIndexError
from ..model import Organisation, Participation, Project
from ._analysis import analyzer, register, stem_field
from ._columns import COLUMNS_DIR, Columns, ColumnsWriter, ParticipationStats
from ._compile import (
    TAKEN_AS_TYPED,
    Corrector,
    Reading,
    combine,
    excluded_query,
    filter_queries,
    one_typo_variants,
    prefix_query,
    reading,
    spelling,
    text_query,
)
from ._compounds import split_compound
from ._dictionaries import dictionary_table
from ._documents import build_schema, facet_values, to_document
from ._engine import engine_errors, is_panic, reason
from ._facets import (
    FacetCounter,
    FacetKey,
    Facets,
    count_status,
    read_everything,
    write_everything,
)
from ._generations import current, next_name, switch
from ._hybrid import fused_page, words_window
from ._lexicon import PIVOT, Lexicon, LexiconBuilder
from ._orgindex import ORG_DIR, write_organisations
from ._orgsearch import OrganisationIndex, precount
from ._partners import PartnerHit, find_partners
from ._query import MAX_OFFSET, SearchQuery, decode_cursor, encode_cursor
from ._stats import IndexStats, index_statistics

__all__ = ["TantivyIndex", "RawResult", "Snapshot", "Applied"]

_SORT_FIELDS = {"start_date": "start", "end_date": "end", "eu_contribution": "eu"}
_KEEP_GENERATIONS = 2
_LEXICON = "lexicon.json"
# Bumped whenever the schema or what a document holds changes: an index of another format is
# not read, and an import rebuilds it.
# 5: the facets category and nuts1-3; 6: field, activity, objective, topics; 7: the statistics'
# eu_cents, total_cents and start_year; 8: each document's row in the participation columns;
# 9: the organisation index, and the columns' start days, facet bits and SME flags;
# 10: each project's organisations (their ids); 11: the columns' filter bits (ROW_FILTERS);
# 12: the lexicon holds the dictionaries' translations (several stems each); 13: apart from
# what the catalog taught (they translate only words the texts do not hold); 14: the fields
# of the facet groups (FACET_GROUPS)
INDEX_FORMAT = 14
_FORMAT_FILE = "format"
_COMMITS_FILE = "commits"
# Which store the generation was built from and the last change of it applied (see Applied).
_APPLIED_FILE = "applied.json"
_WRITER_HEAP = 128_000_000
NAME_FIELDS = ("acronym", "partners")
# A query that is exactly an organisation's name or acronym ranks its projects first: their
# score gains this much (BM25 scores of a few words stay far below it).
_OWNER_BOOST = 1000.0

Participants = Iterable[tuple[Participation, Organisation]]
# the organisations of these ids (None: every one), as the organisation index shows them
OrganisationSource = Callable[[Sequence[str] | None], Iterable[Organisation]]


@dataclass
class RawResult:
    """What the index answers: ids in order, the exact total, facet counts, the next cursor."""

    total: int
    hits: list[tuple[str, float | None]]
    offset: int = 0  # how many results come before the first of ``hits``
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    next_cursor: str | None = None
    took_ms: float = 0.0
    cut: bool = False  # the time budget ran out: some facet counts were not computed
    spelling: str | None = None  # the text as probably meant, when a word is no project's
    reading: Reading | None = None  # how the words were read (for the snippets' marks)


@dataclass(frozen=True)
class Applied:
    """What of the store an index generation holds: the store's id (a new store is another
    store) and the sequence number of the last change applied. Changes of the store with a
    higher number are pending: the catalog applies them (see Catalog.catch_up)."""

    store: str
    seq: int


@dataclass(frozen=True)
class Snapshot:
    """One generation of the index as it stood at one moment. Searching the same snapshot
    again gives the same documents in the same order, whatever is written or rebuilt
    meanwhile: an export pages through one snapshot from its first row to its last."""

    searcher: tantivy.Searcher
    lexicon: Lexicon
    generation: str
    commits: int


class TantivyIndex:
    """Search over the projects of the store. Thread-safe for searching."""

    def __init__(self, path: Path, time_budget_ms: int = 2000, threads: int = 2,
                 facet_cache: int = 512, dictionaries: Path | None = None) -> None:
        self.path = path
        # FreeDict's dictionaries, read at each rebuild into the lexicon (search/_dictionaries.py)
        self.dictionaries = dictionaries
        self.time_budget_ms = time_budget_ms
        self._counter = FacetCounter(threads, facet_cache)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._lexicon = Lexicon.empty()
        # the participation columns last read: (generation, its runs), the columns
        self._columns: tuple[tuple[str, tuple[str, ...]], Columns] | None = None
        # the facet counts of every project: (generation, commits, day), the counts (None:
        # none kept)
        self._everything: tuple[tuple[str, int, date], Facets | None] | None = None
        self.organisations = OrganisationIndex(path)  # each generation's organisations

    def close(self) -> None:
        """Stop the facet threads (a search after this starts them again)."""
        self._counter.close()

    # -- generations ------------------------------------------------------------------------

    def _current(self) -> str | None:
        return current(self.path)

    def exists(self) -> bool:
        """A usable index: present and of this version's format."""
        current = self._current()
        if current is None:
            return False
        folder = self.path / current
        try:
            found = (folder / _FORMAT_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return False
        # a generation is written whole before it is switched to: a part missing is damage
        return found == str(INDEX_FORMAT) and all(
            (folder / name).is_dir() for name in (COLUMNS_DIR, ORG_DIR)) and all(
            (folder / name).is_file() for name in (_LEXICON, _APPLIED_FILE, "meta.json"))

    def generation(self) -> str | None:
        """The name of the generation in use; None without a usable index."""
        return self._current() if self.exists() else None

    def applied(self) -> Applied | None:
        """What of the store the current generation holds; None without a usable index."""
        current = self._current()
        if current is None or not self.exists():
            return None
        try:
            data = json.loads((self.path / current / _APPLIED_FILE).read_text(encoding="utf-8"))
            return Applied(str(data["store"]), int(data["seq"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _open(self) -> tuple[tantivy.Index, Lexicon, str]:
        current = self._current()
        if current is None or not self.exists():
            raise SearchIndexError(
                f"no usable search index of this version in {self.path}: "
                "run 'euprojects index'"
            )
        with self._lock:
            if current != self._generation or self._index is None:
                try:
                    index = tantivy.Index.open(str(self.path / current))
                    lexicon = Lexicon.load(self.path / current / _LEXICON)
                except BaseException as exc:
                    if not (is_panic(exc) or isinstance(exc, (ValueError, OSError, KeyError))):
                        raise
                    raise SearchIndexError(f"cannot open the search index in {self.path} "
                                           f"({reason(exc)}): run 'euprojects index --rebuild'"
                                           ) from None
                register(index)
                self._index, self._lexicon, self._generation = index, lexicon, current
            return self._index, self._lexicon, current

    def snapshot(self) -> Snapshot:
        """The current generation as it stands now (see Snapshot)."""
        with engine_errors("opening the index"):
            index, lexicon, generation = self._open()
            # read before the reload: counts of newer contents may be keyed as older, never
            # the other way round
            commits = self._read_commits(generation)
            index.reload()
            return Snapshot(index.searcher(), lexicon, generation, commits)

    @contextmanager
    def _new_generation(self) -> Iterator[tuple[tantivy.Index, Path]]:
        self.path.mkdir(parents=True, exist_ok=True)
        name = next_name(self.path, "gen-")
        folder = self.path / name
        folder.mkdir()
        try:
            index = tantivy.Index(self.schema, path=str(folder), reuse=False)
            register(index)
            yield index, folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        switch(self.path, name, "gen-", _KEEP_GENERATIONS)

    # -- writing ----------------------------------------------------------------------------

    def rebuild(self, items: Iterable[tuple[Project, Participants]], applied: Applied,
                organisations: OrganisationSource = lambda ids: ()) -> int:
        """Write a complete new index from ``items`` and switch to it; returns the count.
        ``applied``: the store and its last change that ``items`` include; ``organisations``:
        the organisations the organisation index shows (search/_orgindex.py)."""
        count = 0
        lexicon = LexiconBuilder()
        columns = ColumnsWriter(0)
        with engine_errors("building the index", writing=True), \
                self._new_generation() as (index, folder):
            writer = index.writer(heap_size=_WRITER_HEAP, num_threads=min(2, os.cpu_count() or 1))
            for project, participants in items:
                held = list(participants)
                values = facet_values(project, [o for _, o in held])
                writer.add_document(to_document(project, held,
                                                columns.add(project, held, values), values))
                lexicon.add(project)
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
            write_everything(folder, index.searcher(), 0)
            columns.save(folder)
            write_organisations(folder, organisations(None),
                                Columns.load(folder).organisation_figures())
            precount(folder)
            lexicon.build(dictionary_table(self.dictionaries)).save(folder / _LEXICON)
            _write_atomic(folder / _APPLIED_FILE, _applied_text(applied))
            _write_atomic(folder / _FORMAT_FILE, str(INDEX_FORMAT))
        return count

    def update(self, items: Iterable[tuple[Project, Participants]], applied: Applied,
               changed: Iterable[str] = (),
               organisations: OrganisationSource = lambda ids: ()) -> int:
        """Replace these projects in the current index, then record ``applied`` (the store's
        last change that ``items`` include). ``changed``: every project id the change touched,
        removed first (a record now shown as part of another project is in it, not in
        ``items``). A crash before that record leaves the older one: the same changes are
        applied again, and applying one twice changes nothing. The organisations of the
        projects replaced and written get their documents anew (``organisations``)."""
        with engine_errors("updating the index", writing=True):
            index, _lexicon, generation = self._open()
            folder = self.path / generation
            index.reload()
            searcher = index.searcher()  # as it stands before: the rows the update replaces

            def rows_of(pid: str) -> list[int]:
                found = searcher.search(Query.term_query(self.schema, "id", pid), limit=8,
                                        order_by_field="row")
                return [int(row) for row, _ in found.hits]

            last = searcher.search(Query.all_query(), limit=1, order_by_field="row",
                                   order=Order.Desc).hits
            before = self._columns_of(generation)
            columns = before.writer(int(last[0][0]) + 1 if last else 0)
            count = 0
            written = False
            writer = index.writer(heap_size=_WRITER_HEAP, num_threads=1)
            try:
                removed = set(changed)
                for pid in removed:
                    columns.dead.update(rows_of(pid))
                    writer.delete_documents_by_term("id", pid)
                for project, participants in items:
                    held = list(participants)
                    values = facet_values(project, [o for _, o in held])
                    if project.id not in removed:  # the catalog names them all in changed
                        columns.dead.update(rows_of(project.id))
                        writer.delete_documents_by_term("id", project.id)
                    writer.add_document(to_document(project, held,
                                                    columns.add(project, held, values), values))
                    count += 1
                # the columns before the documents: a crash between the two leaves rows no
                # document holds, never a document without its row
                columns.save(folder)
                written = True
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                if written:
                    columns.remove(folder)
                raise
            index.reload()
            commits = self._read_commits(generation) + 1
            write_everything(folder, index.searcher(), commits)
            touched = sorted(columns.touched | before.organisations_of(columns.dead))
            if touched:
                write_organisations(folder, organisations(touched),
                                    self._columns_of(generation).organisation_figures(),
                                    replace=touched)
                precount(folder)
            _write_atomic(folder / _APPLIED_FILE, _applied_text(applied))
            # every process that searches this generation sees that its contents changed
            _write_atomic(folder / _COMMITS_FILE, str(commits))
        return count

    # -- searching --------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.snapshot().searcher.num_docs)

    def search(self, query: SearchQuery, today: date, facets: bool = True,
               snapshot: Snapshot | None = None, offset: int | None = None,
               semantic: Sequence[str] | Future[list[str]] = ()) -> RawResult:
        """The page of ``query``, its exact total and, unless ``facets`` is False (exports),
        every facet's counts. ``snapshot``: search that one (an export's pages) rather than
        the index as it stands now; ``offset``: where the page starts, instead of the query's
        cursor (bounded by MAX_OFFSET). ``semantic``: project ids nearest the query by meaning,
        nearest first (search by meaning, docs/semantic-search.md), or their future (being
        found on another thread: the words are searched meanwhile): those the filters keep are
        added to the matches (total and facet counts included) and, sorted by relevance, the
        two rankings are fused (reciprocal rank fusion)."""
        started = time.perf_counter()
        snap = snapshot or self.snapshot()
        if offset is None:
            offset = decode_cursor(query.cursor) if query.cursor else 0
        with engine_errors("searching"):
            return self._search(query, today, facets, snap, offset, started, semantic)

    def _search(self, query: SearchQuery, today: date, facets: bool, snap: Snapshot,
                offset: int, started: float,
                semantic: Sequence[str] | Future[list[str]] = ()) -> RawResult:
        searcher = snap.searcher
        base, filters, corrector = self._compiled(query, today, snap)
        words = base
        # no words to look for (none, or exclusions only): a list, the same in every mode
        mode = query.mode if words is not None and query.text.groups else "lexical"
        key, descending = query.effective_sort
        ranked = None  # the words' first matches, ranked while the nearest are found
        if isinstance(semantic, Future):
            if mode == "hybrid" and key == "relevance" and words is not None:
                ranked = words_window(searcher, words, list(filters.values()))
            semantic = semantic.result()
        near = Query.term_set_query(self.schema, "id", list(semantic)) if semantic else None
        excluded = excluded_query(self.schema, query.text)
        if near is not None and excluded is not None:  # "-wind" holds for them too
            near = Query.boolean_query([(Occur.Must, near), (Occur.MustNot, excluded)])
        if mode == "semantic":  # the nearest by meaning alone (none without vectors)
            base = near or Query.empty_query()
        elif mode == "hybrid" and near is not None and words is not None:  # either
            base = Query.boolean_query([(Occur.Should, words), (Occur.Should, near)])
        full = combine(base, list(filters.values()))
        if key == "relevance" and mode != "lexical" and near is not None and words is not None:
            hits, total = fused_page(searcher, words if mode == "hybrid" else None, semantic,
                                     near, list(filters.values()), offset, query.size, ranked)
        else:
            if key == "relevance":
                found = searcher.search(full, limit=query.size, offset=offset, count=True)
            else:
                found = searcher.search(full, limit=query.size, offset=offset, count=True,
                                        order_by_field=_SORT_FIELDS[key],
                                        order=Order.Desc if descending else Order.Asc)
            hits = [
                (searcher.doc(address)["id"][0], score if key == "relevance" else None)
                for score, address in found.hits
            ]
            # tantivy's stub omits SearchResult.count (an int here, as count=True asks for it)
            total = found.count or 0  # type: ignore[attr-defined]
        result = RawResult(total=total, hits=hits, offset=offset,
                           spelling=spelling(query.q, query.text, corrector,
                                             lambda token: self._starts_a_word(snap, token)),
                           reading=reading(query.text, query.typos, _frequency(searcher),
                                           corrector))
        if offset + len(hits) < total and offset + len(hits) <= MAX_OFFSET:
            result.next_cursor = encode_cursor(offset + len(hits))
        if facets:
            facet_key = self._facet_key(query, today, snap) + (mode, tuple(semantic))
            budget = self.time_budget_ms / 1000 - (time.perf_counter() - started)
            result.facets, result.cut = self._counter.count(
                searcher, base, filters, today, facet_key, budget,
                self._everything_of(snap, today))
        result.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return result

    def filter_ids(self, query: SearchQuery, today: date, ids: Sequence[str],
                   snapshot: Snapshot | None = None) -> list[str]:
        """Of ``ids``, in their order, those in the index that ``query``'s filters keep (its
        words are not read)."""
        if not ids:
            return []
        snap = snapshot or self.snapshot()
        with engine_errors("searching"):
            wanted = Query.term_set_query(self.schema, "id", list(ids))
            found = snap.searcher.search(
                combine(wanted, list(filter_queries(self.schema, query, today).values())),
                limit=len(ids))
            kept = {snap.searcher.doc(address)["id"][0] for _, address in found.hits}
        return [pid for pid in ids if pid in kept]

    def statistics(self, query: SearchQuery, today: date,
                   snapshot: Snapshot | None = None) -> IndexStats:
        """The statistics of the projects ``query`` matches (search/_stats.py)."""
        snap = snapshot or self.snapshot()
        with engine_errors("computing statistics"):
            return index_statistics(snap.searcher, self.schema,
                                    self._matching(query, today, snap))

    def participation_statistics(self, query: SearchQuery, today: date,
                                 snapshot: Snapshot | None = None,
                                 top: int = 20) -> ParticipationStats:
        """The participations of the projects ``query`` matches, summed from the columns of
        the generation (search/_columns.py): over every live row for the whole catalog, over
        the rows the columns select for a search of filters they hold, else over the rows
        the index finds."""
        snap = snapshot or self.snapshot()
        with engine_errors("computing statistics"):
            columns = self._columns_of(snap.generation)
            if not query.q.strip() and not query.filters and not query.ranges:
                return columns.statistics(None, top)
            rows = columns.select(query)
            return columns.statistics(self._rows(query, today, snap) if rows is None else rows,
                                      top)

    def find_partners(self, query: SearchQuery, today: date, size: int = 10,
                      snapshot: Snapshot | None = None) -> tuple[list[PartnerHit], int]:
        """The organisations whose projects match ``query`` best (search/_partners.py), from
        the countries of its ``country`` filter (any without one)."""
        snap = snapshot or self.snapshot()
        with engine_errors("finding partners"):
            return find_partners(snap.searcher, self._matching(query, today, snap),
                                 self._columns_of(snap.generation),
                                 frozenset(query.filters.get("country", ())), today, size)

    def _rows(self, query: SearchQuery, today: date, snap: Snapshot) -> np.ndarray:
        """The rows of every project ``query`` matches, sorted (no scores, no cap)."""
        full = Query.const_score_query(self._matching(query, today, snap), 1.0)
        total = int(snap.searcher.num_docs)
        if total == 0:
            return np.empty(0, np.int64)
        hits = snap.searcher.search(full, limit=total, order_by_field="row",
                                    order=Order.Asc).hits
        return np.fromiter((row for row, _ in hits), np.int64, len(hits))

    def _everything_of(self, snap: Snapshot, today: date) -> Facets | None:
        """The facet counts of every project kept for the snapshot's generation and contents
        (None: not kept, or kept for other contents), with the status's on ``today`` (counted
        here, once a day: they depend on the day)."""
        key = (snap.generation, snap.commits, today)
        with self._lock:
            kept = self._everything
        if kept is None or kept[0] != key:
            counts = read_everything(self.path / snap.generation, snap.commits)
            if counts is not None:
                counts["status"] = count_status(snap.searcher, Query.all_query(), today)
            kept = (key, counts)
            with self._lock:
                self._everything = kept
        return kept[1]

    def _columns_of(self, generation: str) -> Columns:
        """The participation columns of a generation, read again when a run was added."""
        folder = self.path / generation
        key = (generation, Columns.names(folder))
        with self._lock:
            if self._columns is None or self._columns[0] != key:
                try:
                    self._columns = (key, Columns.load(folder))
                except (OSError, ValueError, KeyError) as exc:
                    raise SearchIndexError(
                        f"cannot read the participation columns in {folder} ({exc}): "
                        "run 'euprojects index --rebuild'") from None
            return self._columns[1]

    def _compiled(self, query: SearchQuery, today: date, snap: Snapshot
                  ) -> tuple[Query | None, dict[str, Query], Corrector]:
        """``query`` as engine queries: its words (None for none), one query per filter, and
        the typo corrections it asked the index for (cached for this search)."""
        searcher = snap.searcher
        held, named = _frequency(searcher), _frequency(searcher, NAME_FIELDS)
        corrector: Corrector = functools.cache(
            lambda token: self._corrections(searcher, token))
        english, field = analyzer(stem_field(PIVOT)), stem_field(PIVOT)

        def translator(word: str) -> list[tuple[str, str]]:
            # a dictionary's translations for a word the English texts do not hold only: "data"
            # is an English word, not the Spanish one for "date"
            stems = english.analyze(word)
            known = bool(stems) and all(searcher.doc_freq(field, s) > 0 for s in stems)
            return snap.lexicon.translations(word, dictionary=not known)

        base = text_query(self.schema, query.text, query.typos, corrector, translator,
                          lambda token: split_compound(token, held, named), held)
        owners = self.organisations.named(snap.generation, query.q) if base is not None else []
        if base is not None and owners:  # their projects first, the matches unchanged
            base = Query.boolean_query([
                (Occur.Must, base),
                (Occur.Should, Query.boost_query(
                    Query.term_set_query(self.schema, "organisations", owners),
                    _OWNER_BOOST))])
        return base, filter_queries(self.schema, query, today), corrector

    def _matching(self, query: SearchQuery, today: date, snap: Snapshot) -> Query:
        """What ``query`` matches as one engine query: its words and every filter."""
        base, filters, _ = self._compiled(query, today, snap)
        return combine(base, list(filters.values()))

    def _read_commits(self, generation: str) -> int:
        """How many updates this generation has had (cached counts of older contents are not
        used)."""
        try:
            return int((self.path / generation / _COMMITS_FILE).read_text())
        except (OSError, ValueError):
            return 0

    def _facet_key(self, query: SearchQuery, today: date, snap: Snapshot) -> FacetKey:
        """What facet counts depend on: the index generation, the day, the text and the
        filters; not the sort, the page or its size (a next page reuses the counts)."""
        return (snap.generation, snap.commits, today, query.q, query.typos,
                tuple(sorted((k, tuple(sorted(v))) for k, v in query.filters.items())),
                tuple(sorted((k, tuple(map(str, v))) for k, v in query.ranges.items())))

    def _starts_a_word(self, snap: Snapshot, token: str) -> bool:
        found = snap.searcher.search(prefix_query(self.schema, token), limit=1)
        return bool(found.hits)

    @staticmethod
    def _corrections(searcher: tantivy.Searcher, token: str,
                     most: int = 3) -> tuple[list[str], int] | None:
        """The words one typo away from ``token`` that the index holds, most frequent first,
        and how many projects hold ``token`` itself in any text field; None when ``token`` is
        common in the titles and texts (then it is no typo)."""
        held = searcher.doc_freq("title", token) + searcher.doc_freq("body", token)
        if held >= TAKEN_AS_TYPED:
            return None
        found = []
        for variant in one_typo_variants(token):
            freq = searcher.doc_freq("title", variant) + searcher.doc_freq("body", variant)
            if freq:
                found.append((freq, variant))
        anywhere = held + sum(searcher.doc_freq(f, token) for f in NAME_FIELDS)
        return [v for _, v in sorted(found, reverse=True)[:most]], anywhere


def _applied_text(applied: Applied) -> str:
    return json.dumps({"store": applied.store, "seq": applied.seq})


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _frequency(searcher: tantivy.Searcher,
               fields: tuple[str, ...] = ("title", "body")) -> Callable[[str], int]:
    """How many projects hold a word in these fields (cached for one search)."""

    @functools.cache
    def held(word: str) -> int:
        return int(sum(searcher.doc_freq(f, word) for f in fields))

    return held
