"""The partner finder: organisations ranked by how well their projects match a search, with
the projects that justify each. "Who works on innovation clusters in Latvia or Sweden?"

The projects the search matches best (at most DEPTH, by relevance) each give their score,
weighed by how recent the project is (a project that started AGE_HALF years before the year of
the search weighs half, twice that a quarter), to every organisation that took part in it from
one of the chosen countries (the partner's place, as the participation columns hold it:
search/_columns.py). An organisation's score is the sum over its projects, so one that did
several well-matching projects ranks above one that did a single one. Its evidence: its
matching projects, the best first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import tantivy
from tantivy import Query

from ._columns import Columns, participation_spans

__all__ = ["PartnerHit", "find_partners", "DEPTH", "AGE_HALF"]

DEPTH = 2000  # the best-matching projects read
AGE_HALF = 10.0  # years after which a project's score counts half
NO_START_WEIGHT = 0.5  # a project without a start date


@dataclass(frozen=True)
class PartnerHit:
    organisation_id: str
    score: float
    projects: int  # its projects among those read
    evidence: tuple[tuple[str, float], ...]  # (project id, weighed score), the best first


def find_partners(searcher: tantivy.Searcher, query: Query, columns: Columns,
                  countries: frozenset[str], today: date, size: int = 10,
                  evidence: int = 3) -> tuple[list[PartnerHit], int]:
    """The ``size`` best organisations (and how many organisations scored at all) for the
    projects ``query`` matches; ``countries``: the organisations' countries (empty: any)."""
    found = searcher.search(query, limit=DEPTH).hits
    if not found:
        return [], 0
    addresses = [address for _, address in found]
    rows = np.array(searcher.fast_field_values("row", addresses), dtype=np.int64)
    scores = np.array([score for score, _ in found], dtype=np.float64)
    wanted = np.array([c in countries for c, _ in columns.places], dtype=bool)
    orgs, projects, weights = [], [], []
    for run in columns.runs:
        inside = np.flatnonzero((rows >= run.first_row) & (rows < run.first_row + run.rows))
        if not len(inside):
            continue
        a = run.arrays
        local = rows[inside] - run.first_row
        start = a["start"][local].astype(np.int64)
        years = (today.toordinal() - start) / 365.25
        weight = np.where(start >= 0, 0.5 ** (np.maximum(years, 0) / AGE_HALF), NO_START_WEIGHT)
        counts = a["offsets"][local + 1] - a["offsets"][local]
        at = participation_spans(a["offsets"], local)
        code = a["org"][at].astype(np.int64)
        keep = (code & 1) == 1  # an organisation once per project
        if countries:
            keep &= wanted[a["place"][at].astype(np.int64) >> 1]
        orgs.append((code >> 2)[keep])
        projects.append(np.repeat(inside, counts)[keep])
        weights.append(np.repeat(scores[inside] * weight, counts)[keep])
    org = np.concatenate(orgs) if orgs else np.empty(0, np.int64)
    hit = np.concatenate(projects) if projects else np.empty(0, np.int64)
    weighed = np.concatenate(weights) if weights else np.empty(0)
    if not len(org):
        return [], 0
    totals = np.bincount(org, weights=weighed)
    held = np.flatnonzero(totals)
    best = held[np.argsort(-totals[held], kind="stable")][:size]
    out = []
    for n in best.tolist():
        mine = np.flatnonzero(org == n)
        order = mine[np.argsort(-weighed[mine], kind="stable")][:evidence]
        out.append(PartnerHit(
            columns.organisations[n], float(totals[n]), len(mine),
            tuple((str(searcher.doc(addresses[int(hit[i])])["id"][0]), float(weighed[i]))
                  for i in order)))
    return out, len(held)
