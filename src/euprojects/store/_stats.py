"""Statistics of a set of projects from their participations, in SQL: how many participations
and organisations, and the EU amounts that partners received where the source gives them
(CORDIS's ecContribution, Kohesio's beneficiary amount), by the partner's country and NUTS
region and by organisation. Amounts are summed as integer euro cents (exact); an amount in
another currency is not summed. The columns summed and grouped (``eu_cents``, ``nuts``) are
computed from the documents by the schema (migration 6) and held by covering indexes.

A record shown as part of another project (store/_projlinks.py) counts for the project shown.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["PlaceRow", "OrganisationRow", "ParticipationStats", "participation_statistics"]


# a place's key: the partner's country, or its NUTS code cut to the level's length
_PLACE_SIZES = {"country": 2, "nuts1": 3, "nuts2": 4, "nuts3": 5}


@dataclass(frozen=True)
class PlaceRow:
    """A country or region (``key``): the participations of partners there, and the EU
    amount they received where the source gives it (the projects with a partner there are
    the index's count)."""

    key: str
    participations: int
    received_cents: int  # the sum of the known amounts
    known: int  # how many of the participations have an amount


@dataclass(frozen=True)
class OrganisationRow:
    organisation_id: str  # the organisation (the id its records are linked under)
    projects: int
    received_cents: int


@dataclass(frozen=True)
class ParticipationStats:
    participations: int
    organisations: int
    received_cents: int  # the sum of every known participation amount
    unknown_cents: int  # of the projects' EU amounts, what no participation amount accounts for
    places: dict[str, tuple[PlaceRow, ...]] = field(default_factory=dict)  # country, nuts1-3
    organisations_by_amount: tuple[OrganisationRow, ...] = ()


def _parts(ids: Sequence[str] | None) -> tuple[str, list[str]]:
    """The CTEs ``matched`` (the projects) and ``parts`` (their participations, each with the
    project it counts for, its organisation, the organisation's country and NUTS code, and
    its amount in cents), with their parameters. The covering indexes of migration 6 are
    named: the planner would otherwise read the documents."""
    joined = ("FROM participations p INDEXED BY participations_stats "
              "JOIN organisations o INDEXED BY organisations_stats ON o.id = p.organisation_id")
    columns = "o.cluster AS org, o.country AS country, o.nuts AS nuts, p.eu_cents AS cents"
    if ids is None:
        return ("WITH matched(id) AS (SELECT id FROM projects INDEXED BY projects_stats "
                "WHERE id NOT IN (SELECT project_id FROM project_links)), "
                "parts AS (SELECT COALESCE(l.same_as, p.project_id) AS project, "
                f"{columns} {joined} LEFT JOIN project_links l ON l.project_id = p.project_id) ",
                [])
    return ("WITH matched(id) AS (SELECT value FROM json_each(?)), "
            "shown(record, project) AS (SELECT id, id FROM matched UNION ALL "
            "SELECT l.project_id, l.same_as FROM project_links l "
            "WHERE l.same_as IN (SELECT id FROM matched)), "
            f"parts AS (SELECT s.project AS project, {columns} "
            f"FROM shown s CROSS JOIN participations p INDEXED BY participations_stats "
            "ON p.project_id = s.record "
            "JOIN organisations o INDEXED BY organisations_stats ON o.id = p.organisation_id) ",
            [json.dumps(list(ids))])


def participation_statistics(db: sqlite3.Connection, ids: Sequence[str] | None,
                             top: int = 20) -> ParticipationStats:
    """The statistics of the participations of these projects (None: of every project), in
    three passes over them: by place (the countries and the NUTS levels summed here from the
    finest groups), by organisation, and by project (what no participation amount accounts
    for)."""
    with_, params = _parts(ids)
    sums: dict[str, dict[str, list[int]]] = {name: {} for name in _PLACE_SIZES}
    total = [0, 0]  # participations, received cents
    for country, nuts, n, cents, known in db.execute(
            with_ + "SELECT country, nuts, COUNT(*), COALESCE(SUM(cents), 0), COUNT(cents) "
            "FROM parts GROUP BY country, nuts", params):
        total = [total[0] + n, total[1] + cents]
        keys = {"country": country, **{name: nuts[:size] if nuts and len(nuts) >= size
                                         else None for name, size in _PLACE_SIZES.items()
                                         if name != "country"}}
        for name, key in keys.items():
            if key:
                row = sums[name].setdefault(key, [0, 0, 0])
                row[0], row[1], row[2] = row[0] + n, row[1] + cents, row[2] + known
    # every organisation once (for their count), the largest amounts first
    orgs = db.execute(
        with_ + "SELECT org, n, received, COUNT(*) OVER () FROM (SELECT org, "
        "COUNT(DISTINCT project) AS n, SUM(cents) AS received FROM parts GROUP BY org) "
        "ORDER BY received IS NULL, received DESC, org LIMIT ?", [*params, top]).fetchall()
    # per project: its EU amount (a linked record's when it has none, as the project shown
    # takes it) less its participations' known amounts (never below 0)
    unknown = db.execute(
        with_ + "SELECT COALESCE(SUM(MAX(0, d)), 0) FROM (SELECT project, SUM(c) AS d, "
        "MAX(own) AS own FROM (SELECT id AS project, c, 1 AS own FROM (SELECT pr.id, "
        "COALESCE(pr.eu_cents, (SELECT MAX(q.eu_cents) FROM project_links l JOIN projects q "
        "INDEXED BY projects_stats ON q.id = l.project_id WHERE l.same_as = pr.id)) AS c "
        "FROM projects pr INDEXED BY projects_stats WHERE pr.id IN (SELECT id FROM matched)) "
        "WHERE c IS NOT NULL UNION ALL SELECT project, -cents, 0 FROM parts "
        "WHERE cents IS NOT NULL) GROUP BY project) WHERE own = 1", params).fetchone()[0]
    return ParticipationStats(
        participations=total[0], organisations=orgs[0][3] if orgs else 0,
        received_cents=total[1], unknown_cents=int(unknown),
        places={name: tuple(PlaceRow(key, n, cents, known)
                            for key, (n, cents, known) in sorted(rows.items(),
                                                                 key=lambda kv: kv[0]))
                for name, rows in sums.items()},
        organisations_by_amount=tuple(OrganisationRow(org, n, int(cents))
                                      for org, n, cents, _ in orgs if cents is not None),
    )
