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


@dataclass(frozen=True)
class PlaceRow:
    """A country or region (``key``): the projects with a partner there, that partners'
    participations, and the EU amount they received where the source gives it."""

    key: str
    projects: int
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
    known: int  # participations with an amount
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
                "parts AS MATERIALIZED (SELECT COALESCE(l.same_as, p.project_id) AS project, "
                f"{columns} {joined} LEFT JOIN project_links l ON l.project_id = p.project_id) ",
                [])
    return ("WITH matched(id) AS (SELECT value FROM json_each(?)), "
            "shown(record, project) AS (SELECT id, id FROM matched UNION ALL "
            "SELECT l.project_id, l.same_as FROM project_links l "
            "WHERE l.same_as IN (SELECT id FROM matched)), "
            f"parts AS MATERIALIZED (SELECT s.project AS project, {columns} "
            f"FROM shown s CROSS JOIN participations p INDEXED BY participations_stats "
            "ON p.project_id = s.record "
            "JOIN organisations o INDEXED BY organisations_stats ON o.id = p.organisation_id) ",
            [json.dumps(list(ids))])


def participation_statistics(db: sqlite3.Connection, ids: Sequence[str] | None,
                             top: int = 20) -> ParticipationStats:
    """The statistics of the participations of these projects (None: of every project)."""
    with_, params = _parts(ids)
    places = " UNION ALL ".join(
        f"SELECT '{name}', {key} AS k, COUNT(DISTINCT project), COUNT(*), "
        f"COALESCE(SUM(cents), 0), COUNT(cents) FROM parts WHERE {key} IS NOT NULL "
        f"AND length({key}) = {size} GROUP BY k"
        for name, key, size in (("country", "country", 2), ("nuts1", "substr(nuts, 1, 3)", 3),
                                ("nuts2", "substr(nuts, 1, 4)", 4),
                                ("nuts3", "substr(nuts, 1, 5)", 5))
    )
    by_place: dict[str, list[PlaceRow]] = {"country": [], "nuts1": [], "nuts2": [], "nuts3": []}
    for name, key, projects, n, cents, known in db.execute(with_ + places, params):
        by_place[name].append(PlaceRow(key, projects, n, cents, known))
    total = db.execute(
        with_ + "SELECT COUNT(*), COUNT(DISTINCT org), COALESCE(SUM(cents), 0), COUNT(cents) "
        "FROM parts", params).fetchone()
    orgs = db.execute(
        with_ + "SELECT org, COUNT(DISTINCT project), SUM(cents) AS received FROM parts "
        "WHERE cents IS NOT NULL GROUP BY org ORDER BY received DESC, org LIMIT ?",
        [*params, top]).fetchall()
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
        participations=total[0], organisations=total[1], received_cents=total[2],
        known=total[3], unknown_cents=int(unknown),
        places={name: tuple(sorted(rows, key=lambda r: (-r.projects, r.key)))
                for name, rows in by_place.items()},
        organisations_by_amount=tuple(OrganisationRow(org, n, int(cents))
                                      for org, n, cents in orgs),
    )
