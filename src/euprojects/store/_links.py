"""Organisation records linked into organisations, kept by every import.

Each record keeps its source's fields untouched in ``organisations``; ``organisations.cluster``
names the organisation it belongs to (its own id when it stands alone), ``organisation_keys``
holds each record's match keys (model ``match_keys``) and ``organisation_links`` the links
accepted, with their rule, for review. An import relinks only the neighbourhood of the records
it created or changed: every record reachable from them through a shared key or a shared
cluster, clustered again from scratch, so the result is the one a full relink would give.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Member, Organisation, cluster, match_keys, merge
from ._db import Db

__all__ = ["relink", "relink_all", "set_keys", "merged", "members_of", "multi_clusters",
           "OrganisationRecord", "records_of", "merges"]

_CHUNK = 500


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def set_keys(db: Db, organisation: Organisation) -> None:
    """Write one record's match keys (after it was created or changed)."""
    db.execute("DELETE FROM organisation_keys WHERE organisation_id = ?", (organisation.id,))
    db.executemany(
        "INSERT INTO organisation_keys (key, organisation_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(key, organisation.id) for key in sorted(match_keys(organisation))],
    )


def _neighbourhood(db: Db, start: Iterable[str]) -> set[str]:
    """Every record reachable from ``start`` through shared keys or shared clusters."""
    seen: set[str] = set()
    frontier = set(start)
    while frontier:
        seen |= frontier
        found: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in db.execute(
                "SELECT k2.organisation_id FROM organisation_keys k1 JOIN organisation_keys k2 "
                f"ON k2.key = k1.key WHERE k1.organisation_id IN ({marks})", chunk))
            found.update(r[0] for r in db.execute(
                "SELECT o2.id FROM organisations o1 JOIN organisations o2 "
                f"ON o2.cluster = o1.cluster WHERE o1.id IN ({marks})", chunk))
        frontier = found - seen
    return seen


def _recluster(db: Db, ids: set[str]) -> set[str]:
    """Cluster these records again; returns the records whose organisation changed
    (its id or its set of records)."""
    members, before = [], {}
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for oid, doc, created, group in db.execute(
            f"SELECT id, doc, created_import, cluster FROM organisations WHERE id IN ({marks})",
            chunk,
        ):
            members.append(Member(oid, Organisation.from_dict(json.loads(doc)), (created, oid)))
            before[oid] = group
    after, edges = cluster(members)
    old, new = _groups(before), _groups(after)
    changed = {i for i in after if (before[i], old[before[i]]) != (after[i], new[after[i]])}
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM organisation_links WHERE organisation_id IN ({marks})", chunk)
    db.executemany("UPDATE organisations SET cluster = ? WHERE id = ?",
                   [(after[i], i) for i in sorted(changed)])
    db.executemany(
        "INSERT INTO organisation_links (organisation_id, linked_to, rule, detail) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(e.organisation_id, e.linked_to, e.link.rule, e.link.detail) for e in edges],
    )
    return changed


def _groups(assignment: dict[str, str]) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for oid, head in assignment.items():
        groups.setdefault(head, set()).add(oid)
    return {head: frozenset(ids) for head, ids in groups.items()}


def relink(db: Db, touched: Iterable[str]) -> set[str]:
    """Relink the neighbourhood of these records, a few hundred at a time so that memory
    stays bounded; returns the records whose organisation changed."""
    pending = sorted(set(touched))
    changed: set[str] = set()
    done: set[str] = set()
    for chunk in _chunks(pending):
        start = [i for i in chunk if i not in done]
        if not start:
            continue
        group = _neighbourhood(db, start)
        done |= group
        changed |= _recluster(db, group)
    return changed


def relink_all(db: Db) -> set[str]:
    """Key and relink every record (a new store schema, or after the rules changed)."""
    ids = []
    for oid, doc in db.execute("SELECT id, doc FROM organisations").fetchall():
        set_keys(db, Organisation.from_dict(json.loads(doc)))
        ids.append(oid)
    return relink(db, ids)


def members_of(db: Db, organisation_id: str) -> list[tuple[str, Organisation]]:
    """The records of the organisation this record belongs to, the one that names it first."""
    rows = db.execute(
        "SELECT o2.id, o2.doc FROM organisations o1 JOIN organisations o2 "
        "ON o2.cluster = o1.cluster WHERE o1.id = ? "
        "ORDER BY o2.id != o2.cluster, o2.created_import, o2.id",
        (organisation_id,),
    ).fetchall()
    return [(oid, Organisation.from_dict(json.loads(doc))) for oid, doc in rows]


def merged(db: Db, organisation_id: str) -> Organisation | None:
    """The organisation this record belongs to, all its records merged; None if unknown."""
    records = members_of(db, organisation_id)
    if not records:
        return None
    return merge([o for _, o in records], records[0][0])


def multi_clusters(db: Db) -> set[str]:
    """The organisations made of more than one record."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT o.cluster FROM organisation_links l "
        "JOIN organisations o ON o.id = l.organisation_id")}


@dataclass(frozen=True)
class OrganisationRecord:
    """One source record of an organisation: as its source gave it, where it took part, and
    the links that joined it to the organisation's other records."""

    organisation: Organisation
    cluster: str
    sources: tuple[str, ...]
    projects: int
    links: tuple[tuple[str, str, str], ...]  # (the other record, rule, shared key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.organisation.to_dict(),
            "organisation_id": self.cluster,
            "sources": list(self.sources),
            "projects": self.projects,
            "links": [{"with": t, "rule": r, "detail": d} for t, r, d in self.links],
        }


def records_of(db: Db, organisation_id: str) -> list[OrganisationRecord]:
    """The records of the organisation this record belongs to, the naming one first."""
    out = []
    records = members_of(db, organisation_id)
    for oid, organisation in records:
        sources = tuple(r[0] for r in db.execute(
            "SELECT DISTINCT j.source FROM participations p JOIN projects j "
            "ON j.id = p.project_id WHERE p.organisation_id = ? ORDER BY j.source", (oid,)))
        projects = db.execute("SELECT COUNT(DISTINCT project_id) FROM participations "
                              "WHERE organisation_id = ?", (oid,)).fetchone()[0]
        links = tuple(db.execute(  # every link that touches the record, either way
            "SELECT linked_to AS other, rule, detail FROM organisation_links "
            "WHERE organisation_id = ? UNION SELECT organisation_id, rule, detail "
            "FROM organisation_links WHERE linked_to = ? ORDER BY other", (oid, oid)).fetchall())
        # the record naming the organisation comes first: its id is the organisation's
        out.append(OrganisationRecord(organisation, records[0][0], sources, projects, links))
    return out


def merges(db: Db, limit: int | None = None) -> list[list[OrganisationRecord]]:
    """Every organisation of several records, most records first, then by id."""
    sql = ("SELECT cluster, COUNT(*) AS n FROM organisations GROUP BY cluster "
           "HAVING COUNT(*) > 1 ORDER BY n DESC, cluster")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [records_of(db, cluster_id) for cluster_id, _ in db.execute(sql).fetchall()]
