"""The Catalog's organisations: one organisation's page, the organisation search and its
exports, the partner finder, and the records linked into organisations (a part of the Catalog,
catalog/__init__.py, kept apart for its size)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import EuProjectsError, NotFoundError, QueryError
from ..exports import ORG_FORMATS, filename_for
from ..model import Organisation, PairReport, evaluate_pairs, possibly_same
from ..search import OrganisationQuery, SearchQuery, TantivyIndex
from ..store import OrganisationRecord, Store
from ..views import (
    FacetValue,
    Involvement,
    OrganisationItem,
    OrganisationSearch,
    OrganisationView,
    PartnerItem,
    PartnerSearch,
    ResultItem,
)

__all__ = ["Organisations", "read_pairs"]


def read_pairs(path: Path) -> Iterator[dict[str, Any]]:
    """The judged organisation pairs of a JSON Lines file (tests/data/organisations)."""
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise EuProjectsError(f"{path}: line {number}: not JSON ({exc})") from None
    except OSError as exc:
        raise EuProjectsError(f"{path}: cannot read ({exc.strerror})") from None


class Organisations:
    """The Catalog's methods on organisations (the Catalog is one of these)."""

    index: TantivyIndex
    store: Store

    @property
    def today(self) -> date:
        raise NotImplementedError  # the Catalog's

    def search_organisations(self, query: OrganisationQuery) -> OrganisationSearch:
        """Organisations by name, with exact facet counts (search/_orgsearch.py)."""
        started = time.perf_counter()
        snap = self.index.snapshot()
        found = self.index.organisations.search(snap.generation, snap.commits, query)
        facets = {name: tuple(FacetValue(v, n, v in query.filters.get(name, ()))
                              for v, n in counts)
                  for name, counts in found.facets.items()}
        return OrganisationSearch(query, found.total,
                                  tuple(OrganisationItem(h) for h in found.hits), facets,
                                  round((time.perf_counter() - started) * 1000, 2))

    def export_organisations(self, query: OrganisationQuery, fmt: str
                             ) -> tuple[str, Iterator[Any], str]:
        """Every organisation ``query`` finds in one of exports.ORG_FORMATS, streamed: (its
        media type, its chunks, a file name that says what was searched)."""
        if fmt not in ORG_FORMATS:
            raise QueryError(f"format: one of {', '.join(ORG_FORMATS)}", "format")
        media, write = ORG_FORMATS[fmt]
        items = (OrganisationItem(hit) for hit in
                 self.index.organisations.every(self.index.snapshot().generation, query))
        filters = [(name, value) for name, values in query.filters.items() for value in values]
        name = filename_for(query.q, filters, fmt, self.today).replace(
            "euprojects-", "euprojects-organisations-", 1)
        return media, write(items), name

    def find_partners(self, query: SearchQuery, size: int = 10) -> PartnerSearch:
        """Organisations whose projects match ``query`` best, from the countries of its
        ``country`` filter, each with its best matching projects (search/_partners.py)."""
        started = time.perf_counter()
        snap = self.index.snapshot()
        hits, total = self.index.find_partners(query, self.today, size, snap)
        cards = self.index.organisations.hits(snap.generation,
                                              [h.organisation_id for h in hits])
        projects = self.store.get_projects([pid for h in hits for pid, _ in h.evidence])
        items = []
        for hit in hits:
            card = cards.get(hit.organisation_id)
            if card is None:  # not in the organisation index (the index is being updated)
                continue
            evidence = tuple(ResultItem(p, p.status(self.today), "", round(score, 4))
                             for pid, score in hit.evidence
                             if (p := projects.get(pid)) is not None)
            items.append(PartnerItem(OrganisationItem(card), hit.score, hit.projects,
                                     evidence))
        return PartnerSearch(query, total, tuple(items),
                             round((time.perf_counter() - started) * 1000, 2))

    def organisation(self, organisation_id: str) -> Organisation:
        return self.store.get_organisation(organisation_id)

    def organisation_view(self, organisation_id: str, co_partners: int = 10) -> OrganisationView:
        organisation = self.store.get_organisation(organisation_id)
        involvements = tuple(
            Involvement(p, project, project.status(self.today))
            for p, project in self.store.participations_of(organisation_id)
        )
        return OrganisationView(organisation, involvements,
                                tuple(self.store.co_partners(organisation_id, co_partners)),
                                tuple(self.store.organisation_records(organisation_id)),
                                tuple(self.store.co_partner_countries(organisation_id)),
                                self._possibly_same(organisation))

    def _possibly_same(self, organisation: Organisation, most: int = 5
                       ) -> tuple[tuple[Organisation, str], ...]:
        """Organisations of the same country found by its name that a rule would link to it
        but for their towns (model.possibly_same), with that rule: for a person to judge."""
        if not organisation.country:
            return ()
        found = self.search_organisations(OrganisationQuery(
            q=organisation.name[:200], filters={"country": (organisation.country,)}, size=20))
        out = []
        for item in found.items:
            if item.hit.id == organisation.id:
                continue
            try:
                other = self.store.get_organisation(item.hit.id)
            except NotFoundError:
                continue
            rule = possibly_same(organisation, other)
            if rule is not None:
                out.append((other, rule))
            if len(out) == most:
                break
        return tuple(out)

    def organisation_merges(self, limit: int | None = None) -> list[list[OrganisationRecord]]:
        """Every organisation made of several source records, for review."""
        return self.store.organisation_merges(limit)

    def evaluate_organisation_pairs(self, path: Path) -> PairReport:
        """Precision and recall of the organisation rules on a file of judged pairs."""
        return evaluate_pairs(read_pairs(path))
