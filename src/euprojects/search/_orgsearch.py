"""Searching the organisation index (search/_orgindex.py): the parameters, the engine query
and the answer. Words are matched against every name of an organisation (the name first, then
its other names and acronyms, then its town); a word of five letters or more forgives one
typo, the last word is also read as a prefix (search as you type), and a query that is
exactly one of the organisation's names or acronyms ranks it first. Facet counts are exact
and disjunctive: a facet's counts apply every filter but its own, so ticking a second value
widens the search as its count said."""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Order, Query

from ..errors import QueryError
from ..model import fold
from ._analysis import fold_tokens, register
from ._compile import combine
from ._engine import engine_errors
from ._orgindex import ORG_DIR, ORG_FACETS, build_org_schema

__all__ = ["OrganisationQuery", "OrganisationHit", "OrganisationResults", "ORG_SORTS",
           "OrganisationIndex", "search_organisations", "precount"]

# relevance (the default with words), or a figure, largest first (projects is the default
# without words)
ORG_SORTS = ("relevance", "projects", "received", "latest")
_SORT_FIELDS = {"projects": "projects", "received": "received_cents", "latest": "latest_day"}
MAX_SIZE = 100
MAX_PAGE_OFFSET = 10_000  # a page deeper than this is refused (the export gives every match)
_SIZE = re.compile(r"[0-9]{1,3}", re.ASCII)
_PAGE = re.compile(r"[0-9]{1,6}", re.ASCII)
_FACET_SIZE = 65_000
# the weight of a word found in each field
_WEIGHTS = {"name": 4.0, "names": 2.0, "town": 0.5}
_TYPO_FROM = 5  # letters: shorter words must be exact (acronyms, short names)
_PREFIX_FROM = 3
_EXACT = 50.0


@dataclass(frozen=True)
class OrganisationQuery:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = ""  # "" = relevance with words, projects without
    page: int = 1
    size: int = 20

    @property
    def order(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "projects")

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> OrganisationQuery:
        """From URL-style parameters (a list for a repeated one); QueryError when one is bad."""
        def values(name: str) -> list[str]:
            raw = params.get(name, [])
            return [v for v in ([raw] if isinstance(raw, str) else raw) if v != ""]

        known = {"q", "sort", "page", "size", "lang", *ORG_FACETS}
        unknown = sorted(set(params) - known)
        if unknown:
            raise QueryError(f"unknown parameter {unknown[0]!r}: one of {sorted(known)}")
        q = " ".join(values("q"))
        if len(q) > 1000:
            raise QueryError("q: at most 1000 characters")
        sort = (values("sort") or [""])[-1]
        if sort and sort not in ORG_SORTS:
            raise QueryError(f"sort: one of {', '.join(ORG_SORTS)}")
        size_text = (values("size") or ["20"])[-1]
        page_text = (values("page") or ["1"])[-1]
        if not _SIZE.fullmatch(size_text) or not 1 <= int(size_text) <= MAX_SIZE:
            raise QueryError(f"size: a whole number from 1 to {MAX_SIZE}")
        if not _PAGE.fullmatch(page_text) or int(page_text) < 1:
            raise QueryError("page: a whole number from 1")
        size, page = int(size_text), int(page_text)
        if (page - 1) * size > MAX_PAGE_OFFSET:
            raise QueryError(f"page: at most {MAX_PAGE_OFFSET // size + 1} at size {size}")
        filters = {}
        for name, facet in ORG_FACETS.items():
            chosen = values(name)
            if chosen:
                filters[name] = tuple(dict.fromkeys(v.upper() if facet.upper else v
                                                    for v in chosen))
        return cls(q=q, filters=filters, sort=sort, page=page, size=size)

    def to_params(self) -> dict[str, list[str]]:
        """The parameters that give this query back (the page and its size left out)."""
        out: dict[str, list[str]] = {}
        if self.q:
            out["q"] = [self.q]
        for name, chosen in self.filters.items():
            out[name] = list(chosen)
        if self.sort:
            out["sort"] = [self.sort]
        return out


@dataclass(frozen=True)
class OrganisationHit:
    id: str
    name: str
    city: str | None
    country: str | None
    countries: tuple[str, ...]  # of its own record and of its participations
    sources: tuple[str, ...]
    projects: int
    participations: int
    received_cents: int | None  # None: no participation amount known
    latest_day: int | None  # the latest start of its projects (a day ordinal)


@dataclass(frozen=True)
class OrganisationResults:
    total: int
    hits: tuple[OrganisationHit, ...]
    facets: dict[str, list[tuple[str, int]]]


def _text(schema: tantivy.Schema, text: str) -> Query | None:
    words = fold_tokens(text)
    if not words:
        return None
    clauses = []
    for i, word in enumerate(words):
        last = i == len(words) - 1
        ways = [Query.boost_query(Query.term_query(schema, f, word), w)
                for f, w in _WEIGHTS.items()]
        if len(word) >= _TYPO_FROM:
            ways += [Query.boost_query(Query.fuzzy_term_query(schema, f, word, 1), w / 3)
                     for f, w in _WEIGHTS.items() if f != "town"]
        if last and len(word) >= _PREFIX_FROM:
            ways += [Query.boost_query(Query.fuzzy_term_query(schema, f, word, 0, prefix=True),
                                       w / 2) for f, w in _WEIGHTS.items() if f != "town"]
        clauses.append((Occur.Must, Query.boolean_query([(Occur.Should, q) for q in ways])))
    exact = Query.boost_query(Query.term_query(schema, "exact", fold(text)), _EXACT)
    return Query.boolean_query([*clauses, (Occur.Should, exact)])


def _filters(schema: tantivy.Schema, filters: Mapping[str, tuple[str, ...]]
             ) -> dict[str, Query]:
    return {name: Query.term_set_query(schema, name, list(values))
            for name, values in filters.items()}


def _counts(searcher: tantivy.Searcher, query: Query, names: list[str]
            ) -> dict[str, list[tuple[str, int]]]:
    if not names:
        return {}
    answer = searcher.aggregate(Query.const_score_query(query, 1.0), {
        name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in names})
    return {name: [(str(b["key"]), int(b["doc_count"])) for b in answer[name]["buckets"]]
            for name in names}


def _hit(searcher: tantivy.Searcher, address: Any) -> OrganisationHit:
    doc = searcher.doc(address).to_dict()
    card = json.loads(bytes(doc["card"][0]).decode())
    received = int(doc["received_cents"][0])
    latest = int(doc["latest_day"][0])
    return OrganisationHit(
        id=str(doc["id"][0]), name=card["name"], city=card.get("city"),
        country=card.get("country"), countries=tuple(card.get("countries", ())),
        sources=tuple(card.get("sources", ())), projects=int(doc["projects"][0]),
        participations=int(doc["participations"][0]),
        received_cents=received if received >= 0 else None,
        latest_day=latest if latest >= 0 else None)


Counts = dict[str, list[tuple[str, int]]]


def search_organisations(searcher: tantivy.Searcher, schema: tantivy.Schema,
                         query: OrganisationQuery,
                         kept: Callable[[Callable[[], Counts]], Counts] = lambda count: count()
                         ) -> OrganisationResults:
    """One page of the organisations ``query`` finds, its exact total and its facet counts
    (``kept``: gives the counts kept for this query's words and filters, or counts them)."""
    base = _text(schema, query.q)
    filters = _filters(schema, query.filters)
    full = combine(base, list(filters.values()))
    offset = (query.page - 1) * query.size
    order = query.order
    if order == "relevance":
        found = searcher.search(full, limit=query.size, offset=offset, count=True)
    else:
        found = searcher.search(Query.const_score_query(full, 1.0), limit=query.size,
                                offset=offset, count=True,
                                order_by_field=_SORT_FIELDS[order], order=Order.Desc)
    hits = tuple(_hit(searcher, address) for _, address in found.hits)

    def count() -> Counts:
        # every facet not filtered on counts over the whole query; each one filtered on
        # counts over the others' filters (disjunctive)
        facets = _counts(searcher, full, [n for n in ORG_FACETS if n not in filters])
        for name in filters:
            others = [q for other, q in filters.items() if other != name]
            facets.update(_counts(searcher, combine(base, others), [name]))
        return {name: facets[name] for name in ORG_FACETS}

    total = int(found.count or 0)  # type: ignore[attr-defined]
    return OrganisationResults(total=total, hits=hits, facets=kept(count))


def _organisation_hits(searcher: tantivy.Searcher, schema: tantivy.Schema,
                       ids: list[str]) -> dict[str, OrganisationHit]:
    """The organisations of these ids that the index holds, by id."""
    out = {}
    for oid in ids:
        found = searcher.search(Query.term_query(schema, "id", oid), limit=1).hits
        if found:
            out[oid] = _hit(searcher, found[0][1])
    return out


def _every_organisation(searcher: tantivy.Searcher, schema: tantivy.Schema,
                        query: OrganisationQuery) -> Iterator[OrganisationHit]:
    """Every organisation ``query`` finds, in its order (no page, no facets): an export. The
    search runs now (a failure shows before any output); the documents are read as they are
    taken."""
    full = combine(_text(schema, query.q), list(_filters(schema, query.filters).values()))
    total = int(searcher.num_docs)
    if total == 0:
        return iter(())
    order = query.order
    if order == "relevance":
        found = searcher.search(full, limit=total)
    else:
        found = searcher.search(Query.const_score_query(full, 1.0), limit=total,
                                order_by_field=_SORT_FIELDS[order], order=Order.Desc)
    return (_hit(searcher, address) for _, address in found.hits)


_OWNERS = 5  # organisations of one name at most (an acronym may be several bodies')
_OWNER_TEXT = 200  # characters: a longer query is no name
_KEPT = 256  # searches whose facet counts are kept (per generation and update)
# the facet counts of the empty search, written with the organisation index (precount)
_EVERYTHING = "everything.json"


def precount(folder: Path) -> None:
    """Count the facets of the empty search over the organisation index of the generation
    ``folder`` as it now stands, and keep them beside it: the first visitor of a generation
    does not pay the count of every organisation (a quarter of a second at 1.5 M)."""
    index = tantivy.Index.open(str(folder / ORG_DIR))
    register(index)
    index.reload()
    searcher = index.searcher()
    counts = _counts(searcher, Query.all_query(), list(ORG_FACETS))
    path = folder / ORG_DIR / _EVERYTHING
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"documents": int(searcher.num_docs), "facets": counts}),
                   encoding="utf-8")
    os.replace(tmp, path)


def _precounted(folder: Path, documents: int) -> Counts | None:
    """The empty search's counts kept by precount, when they are of these ``documents``."""
    try:
        data = json.loads((folder / ORG_DIR / _EVERYTHING).read_text(encoding="utf-8"))
        if int(data["documents"]) != documents:
            return None
        return {name: [(str(v), int(n)) for v, n in data["facets"][name]]
                for name in ORG_FACETS}
    except (OSError, ValueError, KeyError, TypeError):
        return None


class OrganisationIndex:
    """The organisation index of each generation of the search index (search/_orgindex.py),
    opened once per generation. The facet counts of a search are kept for its generation and
    updates (an empty search counts every organisation: at 1.5 M, a quarter of a second)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_org_schema()
        self._lock = threading.Lock()
        self._open: tuple[str, tantivy.Index] | None = None
        self._kept: OrderedDict[tuple[Any, ...], Counts] = OrderedDict()

    def searcher(self, generation: str) -> tantivy.Searcher:
        with self._lock:
            if self._open is None or self._open[0] != generation:
                index = tantivy.Index.open(str(self.path / generation / ORG_DIR))
                register(index)
                self._open = (generation, index)
                self._kept.clear()
            index = self._open[1]
        index.reload()
        return index.searcher()

    def search(self, generation: str, commits: int,
               query: OrganisationQuery) -> OrganisationResults:
        """One page of what ``query`` finds (search_organisations), facet counts kept."""
        key = (generation, commits, query.q.strip(),
               tuple(sorted(query.filters.items())))
        everything = not key[2] and not key[3]

        def kept(count: Callable[[], Counts]) -> Counts:
            with self._lock:
                found = self._kept.get(key)
                if found is not None:
                    self._kept.move_to_end(key)
                    return found
            counted = (everything and _precounted(self.path / generation,
                                                  int(searcher.num_docs))) or count()
            with self._lock:
                self._kept[key] = counted
                while len(self._kept) > _KEPT:
                    self._kept.popitem(last=False)
            return counted

        with engine_errors("searching organisations"):
            searcher = self.searcher(generation)
            return search_organisations(searcher, self.schema, query, kept)

    def hits(self, generation: str, ids: list[str]) -> dict[str, OrganisationHit]:
        """The organisations of these ids that the index holds, by id."""
        with engine_errors("searching organisations"):
            return _organisation_hits(self.searcher(generation), self.schema, ids)

    def every(self, generation: str, query: OrganisationQuery) -> Iterator[OrganisationHit]:
        """Every organisation ``query`` finds, in its order (an export); searched at once."""
        with engine_errors("searching organisations"):
            return _every_organisation(self.searcher(generation), self.schema, query)

    def named(self, generation: str, text: str) -> list[str]:
        """The organisations whose name or acronym the whole ``text`` is (folded), when it is
        one (field ``exact``): a project search ranks their projects first."""
        folded = fold(text)
        if not folded or len(folded) > _OWNER_TEXT:
            return []
        searcher = self.searcher(generation)
        found = searcher.search(Query.term_query(self.schema, "exact", folded),
                                limit=_OWNERS).hits
        return [str(searcher.doc(address)["id"][0]) for _, address in found]
