"""The Catalog's exports: every match of a search, page after page, as whole projects or as
their briefs, in the formats of exports.FORMATS (a part of the Catalog, catalog/__init__.py,
kept apart for its size)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.parse import quote

from ..errors import QueryError
from ..exports import FORMATS, Export, Feed, Item, Options, filename_for
from ..i18n import texts
from ..model import ProjectBrief, Status
from ..search import SearchQuery, TantivyIndex
from ..settings import LANGUAGES, Settings
from ..store import Store
from ..views import ResultItem, SearchResult

__all__ = ["Exports"]

# projects read from the store at a time by the exports
_STORE_BATCH = 500


class Exports:
    """The Catalog's methods of exports (the Catalog is one of these)."""

    settings: Settings
    index: TantivyIndex
    store: Store

    @property
    def today(self) -> date:
        raise NotImplementedError  # the Catalog's

    def search(self, query: SearchQuery) -> SearchResult:
        raise NotImplementedError  # the Catalog's

    def semantic_candidates(self, query: SearchQuery) -> list[str]:
        raise NotImplementedError  # catalog/_semantic.py's

    def _beside(self) -> ThreadPoolExecutor:
        raise NotImplementedError  # the Catalog's

    def iter_matches(self, query: SearchQuery, batch: int = 500,
                     most: int = 100_000) -> Iterator[ResultItem]:
        """Every project the query matches, in its order, page after page: no cap, no facet
        counts, no snippets. ``query.cursor`` is where it starts (see ``_matched``)."""
        for hits in self._matched(query, batch, most):
            projects = self.store.get_projects([pid for pid, _ in hits])
            for pid, score in hits:
                project = projects.get(pid)
                if project is not None:
                    yield ResultItem(project, project.status(self.today), "", score)

    def iter_briefs(self, query: SearchQuery, batch: int = 500,
                    most: int = 100_000) -> Iterator[tuple[ProjectBrief, Status | None]]:
        """The brief of every project the query matches, with its status, in the order of
        ``iter_matches`` (for exports: the store reads only a row's fields)."""
        def read(hits: list[tuple[str, float | None]]) -> dict[str, ProjectBrief]:
            return self.store.get_briefs([pid for pid, _ in hits])

        pages = self._matched(query, batch, most)
        hits = next(pages, None)
        # the store reads the next briefs while these are written: the two overlap
        pending = None if hits is None else self._beside().submit(read, hits)
        try:
            while hits is not None and pending is not None:
                briefs = pending.result()
                shown, hits = hits, next(pages, None)
                pending = None if hits is None else self._beside().submit(read, hits)
                for pid, _score in shown:
                    brief = briefs.get(pid)
                    if brief is not None:
                        yield brief, brief.status(self.today)
        finally:  # an export stopped halfway (a client gone) reads no further
            if pending is not None:
                pending.cancel()

    def _matched(self, query: SearchQuery, batch: int,
                 most: int) -> Iterator[list[tuple[str, float | None]]]:
        """Every hit of the query, in its order, in lists of at most ``_STORE_BATCH``.

        The index pages by offset, so a page costs collecting every hit before it as well:
        pages of one size would make an export quadratic in its length. The first page holds
        ``batch`` ids (the first rows come fast), each next one twice as many as the last, up
        to ``most``; the projects are read from the store ``_STORE_BATCH`` at a time, so memory
        stays bounded by ``most`` ids."""
        snapshot = self.index.snapshot()  # every page from one generation: a rebuild or an
        page = dataclasses.replace(query, size=batch)  # update meanwhile changes nothing here
        offset: int | None = None  # the query's cursor, for the first page
        semantic = self.semantic_candidates(query)  # the same as the list's
        while True:
            raw = self.index.search(page, self.today, facets=False, snapshot=snapshot,
                                    offset=offset, semantic=semantic)
            for start in range(0, len(raw.hits), _STORE_BATCH):
                yield raw.hits[start : start + _STORE_BATCH]
            offset = raw.offset + len(raw.hits)
            if offset >= raw.total or not raw.hits:
                return
            page = dataclasses.replace(page, size=min(page.size * 2, max(most, batch)))

    def export(self, query: SearchQuery, fmt: str, *, bom: bool = False,
               feed: Feed | None = None, lang: str | None = None,
               partners: bool = False) -> Export:
        """The matches of ``query`` in one of the formats of exports.FORMATS, streamed: the one
        path of the API's ``/api/v1/projects.<format>`` and of ``euprojects export``. An export
        format gives every match; a feed (Atom) gives the query's page. CSV and XLSX: headers
        in ``lang`` when given (else the column names), each project's page on the portal (in
        ``lang``, else English), and with ``partners`` the lead partner and every participant.
        The export's file name says what was searched."""
        if fmt not in FORMATS:
            raise QueryError(f"format {fmt!r} is not one of {', '.join(FORMATS)}", "format")
        if lang is not None and lang not in LANGUAGES:
            raise QueryError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}", "lang")
        form = FORMATS[fmt]
        base = f"{self.settings.public_url}/{lang or 'en'}/projects/"
        options = Options(
            bom=bom, feed=feed, translate=texts(lang).gettext if lang else None,
            link_of=lambda p: base + quote(p.id, safe=":"),
            participants=self.store.participants if partners else None)
        filters = sorted((name, value) for name, values in query.filters.items()
                         for value in values)
        filename = filename_for(query.q, filters, fmt, self.today)
        if not form.whole:
            page = self.search(query)
            return Export(form, [(i.project, i.status) for i in page.items], options, filename)
        matches: Iterator[Item] = (
            self.iter_briefs(query) if form.brief
            else ((i.project, i.status) for i in self.iter_matches(query)))
        # the first match now: a bad cursor or a missing index fails here, before any output
        # (an HTTP answer then still gets its status code)
        first = next(matches, None)
        return Export(form, itertools.chain([] if first is None else [first], matches),
                      options, filename)
