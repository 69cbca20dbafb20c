"""Project records of two sources linked into one project (model/_projmatch.py), kept by every
import.

``project_keys`` holds each record's link keys; ``project_links`` names, for a record shown as
part of another (a Kohesio operation), the record that is shown (its keep.eu project) and the
key that linked them. An import relinks only the records it created or changed and those that
share a key or a link with them; every project whose links changed is returned, so that the
index shows it again (or no longer shows it on its own)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..model import LINKED_SOURCE, PRIMARY_SOURCE, Project, project_keys, same_project
from ._db import Db
from ._links import _chunks

__all__ = ["set_project_keys", "relink_projects", "relink_all_projects", "linked_records",
           "shown_as", "hidden", "read_projects"]

def set_project_keys(db: Db, project: Project, *, new: bool) -> bool:
    """Write one record's link keys; True when it may link (it has keys, or had some)."""
    had = 0 if new else db.execute(
        "DELETE FROM project_keys WHERE project_id = ?", (project.id,)).rowcount
    keys = sorted(project_keys(project))
    db.executemany("INSERT INTO project_keys (key, project_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING", [(key, project.id) for key in keys])
    return bool(keys) or had > 0


def read_projects(db: Db, ids: Iterable[str]) -> dict[str, Project]:
    """The stored records of these ids that exist, by id, each as stored (no other record
    merged in)."""
    out: dict[str, Project] = {}
    for chunk in _chunks(sorted(set(ids))):
        marks = ",".join("?" * len(chunk))
        for pid, doc in db.execute(f"SELECT id, doc FROM projects WHERE id IN ({marks})", chunk):
            out[pid] = Project.from_dict(json.loads(doc))
    return out


def relink_projects(db: Db, touched: Iterable[str]) -> set[str]:
    """Link again the Kohesio records among ``touched`` and among the records sharing a key or
    a link with them; returns every project whose links changed (both sides)."""
    start = sorted(set(touched))
    if not start:
        return set()
    around: set[str] = set(start)
    for chunk in _chunks(start):
        marks = ",".join("?" * len(chunk))
        around.update(r[0] for r in db.execute(
            "SELECT k2.project_id FROM project_keys k1 JOIN project_keys k2 ON k2.key = k1.key "
            f"WHERE k1.project_id IN ({marks})", chunk))
        for a, b in db.execute(f"SELECT project_id, same_as FROM project_links WHERE "
                               f"project_id IN ({marks}) OR same_as IN ({marks})", chunk + chunk):
            around.update((a, b))
    records = read_projects(db, around)
    changed: set[str] = set()
    for pid in sorted(around):
        record = records.get(pid)
        if record is None or record.source != LINKED_SOURCE:
            continue
        old = db.execute("SELECT same_as, key FROM project_links WHERE project_id = ?",
                         (pid,)).fetchone()
        new = _best(db, record, records)
        if (tuple(old) if old else None) == new:
            continue
        db.execute("DELETE FROM project_links WHERE project_id = ?", (pid,))
        if new is not None:
            db.execute("INSERT INTO project_links (project_id, same_as, key) VALUES (?, ?, ?)",
                       (pid, *new))
        changed.update(x for x in (pid, old[0] if old else None, new[0] if new else None) if x)
    return changed


def _best(db: Db, record: Project,
          records: dict[str, Project]) -> tuple[str, str] | None:
    """The keep.eu project this Kohesio record is, by the rule (the first by id when several
    are), and the key; None when none is."""
    candidates = sorted(r[0] for r in db.execute(
        "SELECT DISTINCT k2.project_id FROM project_keys k1 JOIN project_keys k2 "
        "ON k2.key = k1.key WHERE k1.project_id = ? AND k2.project_id != ?",
        (record.id, record.id)))
    missing = [c for c in candidates if c not in records]
    records.update(read_projects(db, missing))
    for cid in candidates:
        other = records[cid]
        key = same_project(other, record) if other.source == PRIMARY_SOURCE else None
        if key is not None:
            return cid, key
    return None


def relink_all_projects(db: Db) -> set[str]:
    """Key and link every record (a store made before project links); returns the projects
    whose links changed."""
    touched = []
    for pid, doc in db.execute("SELECT id, doc FROM projects ORDER BY id").fetchall():
        if set_project_keys(db, Project.from_dict(json.loads(doc)), new=True):
            touched.append(pid)
    return relink_projects(db, touched)


def hidden(db: Db) -> dict[str, str]:
    """Every record shown as part of another: its id -> the id of the one shown."""
    return dict(db.execute("SELECT project_id, same_as FROM project_links").fetchall())


def shown_as(db: Db, project_id: str) -> str:
    """The project shown for this record: itself, or the one it is part of."""
    row = db.execute("SELECT same_as FROM project_links WHERE project_id = ?",
                     (project_id,)).fetchone()
    return str(row[0]) if row else project_id


def linked_records(db: Db,
                   ids: Iterable[str]) -> dict[str, list[tuple[Project, str]]]:
    """The records shown as part of each of these projects, with their keys, by id."""
    found: dict[str, list[tuple[str, str]]] = {}
    for chunk in _chunks(sorted(set(ids))):
        marks = ",".join("?" * len(chunk))
        for pid, same_as, key in db.execute(
                f"SELECT project_id, same_as, key FROM project_links WHERE same_as IN ({marks}) "
                "ORDER BY project_id", chunk):
            found.setdefault(same_as, []).append((pid, key))
    records = read_projects(db, (pid for links in found.values() for pid, _ in links))
    return {shown: [(records[pid], key) for pid, key in links if pid in records]
            for shown, links in found.items()}
