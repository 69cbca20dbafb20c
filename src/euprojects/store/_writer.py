"""The writer of one import: puts ProjectRecords into the store's open transaction and counts
what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..model import Organisation, Participation, ProjectRecord
from ._db import Db
from ._links import relink, set_keys
from ._projlinks import relink_projects, set_project_keys
from ._types import PutCounts

__all__ = ["Writer", "chunks"]


def _doc(data: dict[str, Any]) -> tuple[str, str]:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Writer:
    """Writes ProjectRecords inside the store's open transaction and counts what changed."""

    def __init__(self, db: Db, import_id: int) -> None:
        self._db = db
        self.import_id = import_id
        self.counts = PutCounts()
        self._seen_organisations: set[str] = set()
        self.summary: dict[str, Any] = {}
        self.changed_ids: list[str] = []  # projects to index again (an id may come twice)
        self._touched: set[str] = set()  # organisation records created or changed
        self.relinked = 0  # records whose organisation changed by the links
        self._touched_projects: set[str] = set()  # created or changed, with link keys
        self.projects_relinked = 0  # projects whose links to other sources' records changed

    def link_projects(self) -> int:
        """Link the project records created or changed so far with the other sources' records
        of the same project (store/_projlinks.py); every project whose links changed is marked
        for the index. Returns how many; called again before the commit, to no effect."""
        changed = relink_projects(self._db, self._touched_projects)
        self._touched_projects.clear()
        self.projects_relinked += len(changed)
        self._mark(sorted(changed))
        return len(changed)

    def link_organisations(self) -> int:
        """Link the records created or changed so far into organisations (store/_links.py);
        the projects of every record whose organisation changed are marked for the index
        (their participants' aliases changed). Returns how many records changed organisation;
        the store calls it again before the commit, which then finds nothing left to do."""
        changed = relink(self._db, self._touched)
        self._touched.clear()
        self.relinked += len(changed)
        for chunk in chunks(sorted(changed), 500):
            marks = ",".join("?" * len(chunk))
            self._mark(pid for (pid,) in self._db.execute(
                f"SELECT DISTINCT project_id FROM participations WHERE organisation_id IN "
                f"({marks}) ORDER BY project_id", chunk))
        return len(changed)

    def _mark(self, project_ids: Iterable[str]) -> None:
        """Mark these projects for the index (a project marked twice is logged once: the
        store's commit takes each id once)."""
        self.changed_ids.extend(project_ids)

    def put(self, record: ProjectRecord) -> str:
        """Store one project with its participants; returns created / updated / unchanged.

        An organisation takes the fields of its first appearance in an import; a re-import of
        the same files therefore changes nothing.
        """
        organisations_changed = False
        for organisation in record.organisations:
            if organisation.id not in self._seen_organisations:
                self._seen_organisations.add(organisation.id)
                org_outcome = self._put_organisation(organisation)
                self.counts.organisations[org_outcome] += 1
                organisations_changed |= org_outcome != "unchanged"
        project = record.project
        doc, digest = _doc(project.to_dict())
        db = self._db
        old = db.execute("SELECT hash FROM projects WHERE id = ?", (project.id,)).fetchone()
        columns = (
            project.source,
            project.programme,
            project.period,
            project.start_date.isoformat() if project.start_date else None,
            project.end_date.isoformat() if project.end_date else None,
            doc,
            digest,
        )
        if old is None:
            outcome = "created"
            db.execute(
                "INSERT INTO projects (source, programme, period, start_date, end_date, doc, hash,"
                " created_import, updated_import, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*columns, self.import_id, self.import_id, project.id),
            )
        elif old[0] != digest:
            outcome = "updated"
            db.execute(
                "UPDATE projects SET source = ?, programme = ?, period = ?, start_date = ?, "
                "end_date = ?, doc = ?, hash = ?, updated_import = ? WHERE id = ?",
                (*columns, self.import_id, project.id),
            )
        else:
            outcome = "unchanged"
        if outcome != "unchanged" and set_project_keys(db, project, new=outcome == "created"):
            self._touched_projects.add(project.id)
        participants_changed = self._put_participations(project.id, record.participations)
        if outcome != "unchanged" or participants_changed or organisations_changed:
            self.changed_ids.append(project.id)
        self.counts.projects[outcome] += 1
        return outcome

    def _put_organisation(self, organisation: Organisation) -> str:
        doc, digest = _doc(organisation.to_dict())
        old = self._db.execute(
            "SELECT hash FROM organisations WHERE id = ?", (organisation.id,)
        ).fetchone()
        if old is None:
            self._db.execute(
                "INSERT INTO organisations (id, name, country, doc, hash, created_import, "
                "updated_import, cluster) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    organisation.id,
                    organisation.name,
                    organisation.country,
                    doc,
                    digest,
                    self.import_id,
                    self.import_id,
                    organisation.id,
                ),
            )
            set_keys(self._db, organisation)
            self._touched.add(organisation.id)
            return "created"
        if old[0] != digest:
            self._db.execute(
                "UPDATE organisations SET name = ?, country = ?, doc = ?, hash = ?, "
                "updated_import = ? WHERE id = ?",
                (
                    organisation.name,
                    organisation.country,
                    doc,
                    digest,
                    self.import_id,
                    organisation.id,
                ),
            )
            set_keys(self._db, organisation)
            self._touched.add(organisation.id)
            return "updated"
        return "unchanged"

    def _put_participations(
        self, project_id: str, participations: tuple[Participation, ...]
    ) -> bool:
        """Write the project's participations; True when any row changed."""
        db, counts = self._db, self.counts.participations
        old = dict(
            db.execute(
                "SELECT position, hash FROM participations WHERE project_id = ?", (project_id,)
            ).fetchall()
        )
        before = counts["created"] + counts["updated"]
        for p in participations:
            doc, digest = _doc(p.to_dict())
            if p.order not in old:
                db.execute(
                    "INSERT INTO participations (project_id, position, organisation_id, role, "
                    "doc, hash) VALUES (?, ?, ?, ?, ?, ?)",
                    (project_id, p.order, p.organisation_id, p.role.value, doc, digest),
                )
                counts["created"] += 1
            elif old[p.order] != digest:
                db.execute(
                    "UPDATE participations SET organisation_id = ?, role = ?, doc = ?, hash = ? "
                    "WHERE project_id = ? AND position = ?",
                    (p.organisation_id, p.role.value, doc, digest, project_id, p.order),
                )
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        gone = set(old) - {p.order for p in participations}
        for position in gone:
            db.execute(
                "DELETE FROM participations WHERE project_id = ? AND position = ?",
                (project_id, position),
            )
        counts["removed"] += len(gone)
        return bool(gone) or counts["created"] + counts["updated"] > before

