"""The Catalog: the one door of the CLI and the web app. This module also gives them the words
they speak to it: the query (SearchQuery and its vocabulary, the facet registry), the list
filter, the import report, the downloads, the export formats and feeds."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .. import fetch as fetching
from ..errors import EuProjectsError, IndexBusyError, NotFoundError, SearchIndexError
from ..exports import FORMATS, ORG_FORMATS, Export, ExportFormat, Feed
from ..fetch import (
    CORDIS_FORMATS,
    CORDIS_PROGRAMMES,
    KOHESIO_COUNTRIES,
    KOHESIO_PERIODS,
    Download,
)
from ..importers import IMPORTERS, ImportReport, Reader, ReadLimits, open_reader
from ..model import (
    FACETS,
    Facet,
    LangText,
    Organisation,
    Project,
)
from ..search import (
    DEFAULT_MODE,
    MAX_SIZE,
    MODES,
    ORG_FACETS,
    ORG_SORTS,
    PARAMETERS,
    RANGES,
    SORTS,
    Applied,
    Embedder,
    EvalReport,
    Judgement,
    OrganisationQuery,
    SearchQuery,
    Snapshot,
    TantivyIndex,
    VectorIndex,
    evaluate,
    matcher_for,
    read_judgements,
    snippet,
)
from ..settings import Settings, load_settings
from ..statistics import TABLES as STATISTICS_TABLES
from ..statistics import Statistics, build_statistics
from ..store import ImportEntry, ProjectFilter, Store, open_store
from ..views import (
    FacetValue,
    OrganisationSearch,
    Participant,
    ProjectView,
    RelatedProject,
    ResultItem,
    SearchResult,
)
from ._exports import Exports
from ._node import Node
from ._organisations import Organisations, read_pairs
from ._semantic import EmbedReport, Semantic

__all__ = [
    "Catalog",
    "EmbedReport",
    "read_pairs",
    "IndexState",
    "Fetched",
    "download",
    # the query and its vocabulary
    "SearchQuery",
    "SearchResult",
    "OrganisationQuery",
    "OrganisationSearch",
    "ORG_FORMATS",
    "ORG_FACETS",
    "ORG_SORTS",
    "Statistics",
    "STATISTICS_TABLES",
    "FACETS",
    "Facet",
    "RANGES",
    "SORTS",
    "MODES",
    "DEFAULT_MODE",
    "PARAMETERS",
    "MAX_SIZE",
    "ProjectFilter",
    # imports, downloads, exports
    "SOURCES",
    "ImportReport",
    "Download",
    "CORDIS_FORMATS",
    "CORDIS_PROGRAMMES",
    "KOHESIO_PERIODS",
    "KOHESIO_COUNTRIES",
    "FORMATS",
    "ExportFormat",
    "Export",
    "Feed",
]

_STATS_CACHE = 64  # the statistics of this many searches are kept (per index generation)

# the sources an import takes, as the CLI spells them
SOURCES = tuple(IMPORTERS)

# progress(file name, projects done, projects expected or None)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class IndexState:
    """What bringing the index up to the store did: rebuilt it whole (with ``applied``
    projects), or applied ``applied`` changed projects; ``mismatch``: the counts differed."""

    rebuilt: bool
    applied: int
    mismatch: bool = False


@dataclass(frozen=True)
class Fetched:
    """The files a fetch downloaded (or found unchanged), and the import of them, if any."""

    downloads: list[Download]
    report: ImportReport | None


def download(settings: Settings, source: str, *, programmes: Sequence[str] = ("horizon",),
             fmt: str = "xml", periods: Sequence[str] = tuple(KOHESIO_PERIODS),
             countries: Sequence[str] = KOHESIO_COUNTRIES,
             progress: Progress | None = None) -> list[Download]:
    """Download the official files of a source (resumable, skipped when unchanged; CORDIS:
    ``programmes`` in ``fmt``; Kohesio: the ``latest/`` file of ``countries`` in ``periods``,
    those that answer 404 listed as ``missing``) into the settings' download folder. Opens no
    store."""
    if source == "cordis":
        return fetching.fetch_cordis(settings, programmes, fmt, progress)
    if source == "keep-eu":
        return fetching.fetch_keep(settings, progress)
    if source == "kohesio":
        return fetching.fetch_kohesio(settings, periods, countries, progress)
    raise EuProjectsError(f"no download is known for source {source!r} "
                          "(known: cordis, keep-eu, kohesio)")


# A catch-up of at least 1/REBUILD_SHARE of the index's projects rebuilds it instead of
# replacing them one by one (docs/benchmarks.md, "Kohesio: the catalog at 2 million projects")
REBUILD_SHARE = 5


class Catalog(Organisations, Semantic, Exports, Node):
    """Everything a person can ask of euprojects: import, look up, list, describe."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings or load_settings()
        self.store = store or open_store(self.settings.db, self.settings.store_url,
                                         self.settings.store_read_url)
        self.index = TantivyIndex(self.settings.index_path, self.settings.search_time_budget_ms,
                                  self.settings.search_threads, self.settings.search_facet_cache,
                                  self.settings.dictionaries_dir)
        self._stats_cache: OrderedDict[tuple[Any, ...], Statistics] = OrderedDict()
        self._stats_lock = threading.Lock()
        # work beside a request's own (threads made once, each with its store connection):
        # the participation sums of a statistics request beside its index aggregation (the
        # engine releases the GIL while it aggregates or collects: the two overlap), an
        # export's next rows read from the store while the last are written (SQLite releases it)
        self._pool: ThreadPoolExecutor | None = None
        self.embedder = Embedder(threads=1)  # a query embeds in about 12 ms on one thread
        self.vectors = VectorIndex(self.settings.index_path,
                                   graph_min=self.settings.vector_graph_min)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        self.index.close()
        self.store.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def today(self) -> date:
        return self.settings.current_day()

    # -- import -----------------------------------------------------------------------------

    def import_files(
        self, source: str, paths: Sequence[Path], progress: Progress | None = None,
        origins: Mapping[Path, str] | None = None,
    ) -> ImportReport:
        """Import files of one source in one transaction.

        Every file is opened and checked before anything is written: one bad file refuses the
        whole run (BadFileError). Damage found while reading rolls everything back. ``origins``
        gives the URL a file was downloaded from, kept in its report (the import history).
        """
        if source not in IMPORTERS:
            raise EuProjectsError(
                f"unknown source {source!r} (known: {', '.join(sorted(IMPORTERS))})"
            )
        limits = ReadLimits(max_member_bytes=self.settings.max_member_bytes)
        readers: list[Reader] = [open_reader(source, Path(p), limits, self.today)
                                 for p in paths]
        for reader in readers:
            reader.report.origin = (origins or {}).get(reader.path, reader.report.origin)
        report = ImportReport(source=IMPORTERS[source][0])
        with self.store.writer(report.source) as writer:
            for reader in readers:
                report.files.append(reader.report)
                for done, record in enumerate(reader, start=1):
                    writer.put(record)
                    if progress is not None:
                        progress(reader.path.name, done, reader.expected)
                if not reader.report.balanced:  # a bug, never a data problem: refuse to commit
                    raise EuProjectsError(f"{reader.path}: rows read != imported + rejected")
            report.organisations_relinked = writer.link_organisations()
            counts = writer.counts
            report.projects_created = counts.projects["created"]
            report.projects_updated = counts.projects["updated"]
            report.projects_unchanged = counts.projects["unchanged"]
            report.participations_created = counts.participations["created"]
            report.participations_updated = counts.participations["updated"]
            report.participations_removed = counts.participations["removed"]
            report.participations_unchanged = counts.participations["unchanged"]
            report.organisations_created = counts.organisations["created"]
            report.organisations_updated = counts.organisations["updated"]
            report.organisations_unchanged = counts.organisations["unchanged"]
            writer.summary = report.to_dict()
        # committed: the store is the source of truth, and its index_log lists what the index
        # must apply; if this fails (or the process dies here), the next command applies it
        report.import_id = writer.import_id
        try:
            report.index_applied = self.catch_up().applied
        except SearchIndexError as exc:
            report.index_error = str(exc)
        return report

    def fetch(self, source: str, *, programmes: Sequence[str] = ("horizon",), fmt: str = "xml",
              periods: Sequence[str] = tuple(KOHESIO_PERIODS),
              countries: Sequence[str] = KOHESIO_COUNTRIES,
              download_progress: Progress | None = None,
              import_progress: Progress | None = None) -> Fetched:
        """``download`` the official files of a source, then import them, each file's address
        kept in its report (not the missing ones, nor those the importer reads beside them)."""
        downloads = download(self.settings, source, programmes=programmes, fmt=fmt,
                             periods=periods, countries=countries, progress=download_progress)
        files = [d for d in downloads if d.importable]
        report = self.import_files(source, [d.path for d in files], progress=import_progress,
                                   origins={d.path: d.url for d in files})
        return Fetched(downloads, report)

    # -- the index --------------------------------------------------------------------------

    def catch_up(self) -> IndexState:
        """Bring the search index up to the store: build it when it is missing, damaged, of
        another format or of another store; otherwise apply the changes the store logged
        after the last one the index applied. Cheap when there is nothing to do (two indexed
        reads). Raises IndexBusyError when another process is writing the index."""
        store_id, last = self.store.index_state()
        applied = self.index.applied()
        if applied is None or applied.store != store_id:
            count = self.reindex()
            return IndexState(rebuilt=True, applied=count)
        if applied.seq >= last:
            return IndexState(rebuilt=False, applied=0)
        ids, last = self.store.changes_since(applied.seq)
        if len(ids) * REBUILD_SHARE >= max(1, self.index.count()):
            # many changes (a fresh store's first import, a large country file): built whole,
            # which costs less per project than replacing them one by one, and learns from the
            # whole catalog what an update keeps as it was (the lexicon)
            count = self.reindex()
            return IndexState(rebuilt=True, applied=count)
        try:
            count = self.index.update(self.store.iter_with_participants(ids),
                                      Applied(store_id, last), ids,
                                      self.store.iter_organisations)
        except IndexBusyError:
            raise
        except SearchIndexError:
            # an update killed inside the engine's commit can leave files that make every
            # later update of that generation fail: a new generation from the store does not
            # depend on them (and on a full disk it fails too, with the same reason)
            count = self.reindex()
            return IndexState(rebuilt=True, applied=count)
        return IndexState(rebuilt=False, applied=count)

    def check_index(self) -> IndexState:
        """catch_up, then compare the index's and the store's project counts: a difference
        means the index is not derived from this store as it is, and it is rebuilt."""
        state = self.catch_up()
        if not state.rebuilt and self.index.count() != self.store.count_projects():
            count = self.reindex()
            return IndexState(rebuilt=True, applied=count, mismatch=True)
        return state

    def check(self) -> IndexState:
        """Before serving: read every page of the store (a damaged one raises StoreError),
        then check_index."""
        self.store.check()
        return self.check_index()

    def catch_up_quietly(self) -> IndexState | None:
        """catch_up for a command that only reads: another process writing the index is no
        error here (that process is applying the same changes)."""
        try:
            return self.catch_up()
        except IndexBusyError:
            return None

    def index_status(self) -> dict[str, Any]:
        """The store's and the index's counts and change numbers (``euprojects index``)."""
        store_id, last = self.store.index_state()
        applied = self.index.applied()
        return {
            "store": {"id": store_id, "last_change": last,
                      "projects": self.store.count_projects()},
            "index": {"store": applied.store if applied else None,
                      "last_change": applied.seq if applied else None,
                      "projects": self.index.count() if applied else None},
        }

    def reindex(self) -> int:
        """Build a new index from the store alone and switch to it atomically. The changes
        logged up to now are in it (read before the projects: a change logged meanwhile may
        be in it too, and is then applied once more by the next catch_up, to no effect)."""
        store_id, last = self.store.index_state()
        return self.index.rebuild(self.store.iter_with_participants(), Applied(store_id, last),
                                  self.store.iter_organisations)

    # -- search -----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """One search: exact total, the page of results with snippets, every facet's counts;
        with words and vectors, the projects nearest by meaning too (its mode)."""
        # the words are searched while the query is embedded (on another thread)
        raw = self.index.search(query, self.today, semantic=self.semantic_later(query))
        projects = self.store.get_projects([pid for pid, _ in raw.hits])
        parsed = query.text
        # one for the page (it caches its answers), marking what the search matched
        marks = matcher_for(parsed, query.typos, raw.reading)
        items = []
        for pid, score in raw.hits:
            project = projects.get(pid)
            if project is None:  # indexed but deleted since: the index is behind the store
                continue
            texts: tuple[LangText, ...] = (*project.description, *project.expected_results,
                                           *project.achievements, project.title)
            items.append(ResultItem(project, project.status(self.today),
                                    snippet(texts, parsed, matcher=marks), score))
        facets = {
            name: tuple(FacetValue(v, n, v in query.filters.get(name, ()))
                        for v, n in counts)
            for name, counts in raw.facets.items()
        }
        return SearchResult(query, raw.total, tuple(items), facets, raw.next_cursor,
                            raw.took_ms, raw.cut, raw.spelling)

    def _beside(self) -> ThreadPoolExecutor:
        """The threads of work beside a request's own (made at the first need)."""
        with self._stats_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(2, thread_name_prefix="beside")
            return self._pool

    def statistics(self, query: SearchQuery) -> Statistics:
        """The statistics of the projects ``query`` matches (statistics.py): the counts and
        sums of the index and the participation amounts of the store, computed once per index
        generation and search (the sort, the page and its size change nothing)."""
        started = time.perf_counter()
        snap = self.index.snapshot()
        key = self._stats_key(query, snap)
        with self._stats_lock:
            kept = self._stats_cache.get(key)
            if kept is not None:
                self._stats_cache.move_to_end(key)
                return kept
        summing = self._beside().submit(self.index.participation_statistics, query, self.today,
                                        snap)
        counted = self.index.statistics(query, self.today, snap)
        amounts = summing.result()

        def organisation(organisation_id: str) -> Organisation | None:
            try:
                return self.store.get_organisation(organisation_id)
            except NotFoundError:
                return None

        stats = build_statistics(query, counted, amounts, organisation, snap.generation,
                                 round((time.perf_counter() - started) * 1000, 2))
        with self._stats_lock:
            self._stats_cache[key] = stats
            while len(self._stats_cache) > _STATS_CACHE:
                self._stats_cache.popitem(last=False)
        return stats

    def has_statistics(self, query: SearchQuery) -> bool:
        """Whether the statistics of ``query`` are kept for the index as it stands (then they
        cost nothing to give)."""
        key = self._stats_key(query, self.index.snapshot())
        with self._stats_lock:
            return key in self._stats_cache

    def _stats_key(self, query: SearchQuery, snap: Snapshot) -> tuple[Any, ...]:
        """What statistics depend on: the index generation and its updates, the day, the
        words and the filters (not the sort or the page)."""
        return (snap.generation, snap.commits, self.today, query.q, query.typos,
                tuple(sorted((k, tuple(sorted(v))) for k, v in query.filters.items())),
                tuple(sorted((k, tuple(map(str, v))) for k, v in query.ranges.items())))

    def count_matches(self, query: SearchQuery) -> int:
        """How many projects the query matches (no page, no facets)."""
        one = dataclasses.replace(query, size=1, cursor=None)
        return self.index.search(one, self.today, facets=False).total

    def evaluate(self, path: Path, k: int = 10, mode: str | None = None) -> EvalReport:
        """nDCG@k and recall@k of the search over a file of judged queries (``mode``: how the
        words are read, search/_query.py MODES; default the search's)."""

        def ranked(j: Judgement) -> list[str]:
            params = {**j.params, "q": j.query, "size": str(k), **({"mode": mode} if mode else {})}
            return self.search(SearchQuery.from_params(params)).ids

        return evaluate(read_judgements(path), ranked, k)

    # -- reading ----------------------------------------------------------------------------

    def project(self, project_id: str) -> ProjectView:
        project = self.store.get_project(project_id)
        participants = tuple(
            Participant(p, o) for p, o in self.store.participants(project_id)
        )
        return ProjectView(project, project.status(self.today), participants)

    def related_projects(self, project_id: str, limit: int = 10) -> list[RelatedProject]:
        """Further projects of the same participants, most participants shared first."""
        return [RelatedProject(p, shared)
                for p, shared in self.store.related_projects(project_id, limit)]

    def list_projects(self, filters: ProjectFilter | None = None) -> list[Project]:
        return list(self.store.iter_projects(filters))

    def count_projects(self, filters: ProjectFilter | None = None) -> int:
        return self.store.count_projects(filters)

    def imports(self, limit: int = 10) -> list[ImportEntry]:
        return self.store.imports(limit)

    def info(self) -> dict[str, Any]:
        """Counts per source and the last imports, as ``euprojects info`` prints them."""
        sources = self.store.counts()
        last = self.store.last_imports()
        return {
            "database": self.store.describe(),
            "schema_version": self.store.schema_version,
            "sources": {
                name: {**counts, "last_import": last.get(name)} for name, counts in sources.items()
            },
            "totals": {
                "projects": sum(c["projects"] for c in sources.values()),
                "participations": sum(c["participations"] for c in sources.values()),
                "organisations": self.store.total_organisations(),
            },
            "imports": [
                {
                    "id": e.id,
                    "source": e.source,
                    "finished_at": e.finished_at,
                    "changed": e.changed,
                    "files": [f["file"] for f in e.report.get("files", [])],
                    "origins": {f["file"]: f["origin"] for f in e.report.get("files", [])
                                if f.get("origin")},
                }
                for e in self.store.imports(limit=5)
            ],
        }
