"""The store's reads and its import transaction, written once in the SQL both databases speak
(store/_db.py): SqliteStore (store/sqlite.py) and PostgresStore (store/postgres.py) add how
they connect, their schema and their transactions."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from ..errors import NotFoundError
from ..model import (
    Organisation,
    Participation,
    Project,
    ProjectBrief,
    merge,
    merge_projects,
    name_forms,
)
from ._db import Db
from ._embeddings import Embeddings
from ._errors import guarded
from ._links import (
    OrganisationRecord,
    merged,
    merges,
    multi_clusters,
    records_of,
)
from ._projlinks import hidden, linked_records, read_projects, shown_as
from ._schema import COUNT_SOURCES
from ._types import ImportEntry, ProjectFilter
from ._writer import Writer, chunks

__all__ = ["SqlStore"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# the other organisations (o2, with their participations p2) in the projects of the
# organisation of the record o0: the co-partners
_CO_PARTNERS = (
    "FROM organisations o0 JOIN organisations o1 ON o1.cluster = o0.cluster "
    "JOIN participations p1 ON p1.organisation_id = o1.id "
    "JOIN participations p2 ON p2.project_id = p1.project_id "
    "JOIN organisations o2 ON o2.id = p2.organisation_id AND o2.cluster != o0.cluster "
    "WHERE o0.id = ?"
)


class SqlStore(Embeddings):
    """Projects, organisations and participations as JSON documents with indexed columns.

    A subclass gives ``_read`` (the connection this thread reads through; the writer's, in
    the thread of an open writer), ``_write_transaction`` (one transaction of the one writer
    at a time, the thread inside it reading through its connection, so that it sees its own
    rows before the commit), ``_session``, ``_db_errors``, ``_store_error``, ``describe`` and
    ``_BRIEF_SELECT``. A generator (``iter_projects``, ``iter_with_participants``) reads through
    the connection of the thread that started it: consume it in that thread.
    """

    # a brief's values (model BRIEF_PATHS) of a row of projects, as one JSON array of text
    _BRIEF_SELECT: str
    _writing_thread: int | None

    def _read(self) -> Db:
        raise NotImplementedError

    def _write_transaction(self) -> AbstractContextManager[Db]:
        raise NotImplementedError

    def describe(self) -> str:
        """Where the store is, for a person (no password)."""
        raise NotImplementedError

    # -- writing ----------------------------------------------------------------------------

    @contextmanager
    def writer(self, source: str) -> Iterator[Writer]:
        """One transaction: everything written through the writer lands, or nothing does.
        Writers of other threads (and, on PostgreSQL, of other processes) wait for it to end."""
        started = _now()
        with self._write_transaction() as db:
            import_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM imports").fetchone()[0]
            writer = Writer(db, import_id)
            yield writer
            writer.link_organisations()
            writer.link_projects()
            if writer.counts.changed:
                db.execute("DELETE FROM source_counts")
                db.execute("INSERT INTO source_counts " + COUNT_SOURCES)
            db.execute(
                "INSERT INTO imports (id, source, started_at, finished_at, changed, report) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (import_id, source, started, _now(), int(writer.counts.changed),
                 json.dumps(writer.summary, ensure_ascii=False)),
            )
            # the index's to-do list, in the same transaction: a crash after the commit
            # cannot lose what the index still has to apply
            db.executemany(
                "INSERT INTO index_log (project_id, seq) VALUES (?, ?) "
                "ON CONFLICT (project_id) DO UPDATE SET seq = excluded.seq",
                [(pid, import_id) for pid in dict.fromkeys(writer.changed_ids)])

    # -- what the search index has to apply --------------------------------------------------

    @guarded
    def index_state(self) -> tuple[str, int]:
        """(this store's id, the number of the last change the index has to apply)."""
        db = self._read()
        store_id = db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]
        last = db.execute("SELECT COALESCE(MAX(seq), 0) FROM index_log").fetchone()[0]
        return store_id, last

    @guarded
    def changes_since(self, seq: int) -> tuple[list[str], int]:
        """(the projects changed after change ``seq``, the number of the last change), read
        together."""
        db = self._read()
        rows = db.execute("SELECT project_id, seq FROM index_log WHERE seq > ? "
                          "ORDER BY project_id", (seq,)).fetchall()
        return [pid for pid, _ in rows], max((s for _, s in rows), default=seq)

    # -- reading ----------------------------------------------------------------------------

    @guarded
    def get_project(self, project_id: str) -> Project:
        """The project as shown: a record shown as part of another project gives that project
        (whose id then differs from the one asked for), with its other sources' records."""
        db = self._read()
        shown = shown_as(db, project_id)
        row = db.execute("SELECT doc FROM projects WHERE id = ?", (shown,)).fetchone()
        if row is None:
            raise NotFoundError(f"no project {project_id!r}")
        project = Project.from_dict(json.loads(row[0]))
        return merge_projects(project, linked_records(db, [shown]).get(shown, []))

    def _with_links(self, projects: dict[str, Project]) -> dict[str, Project]:
        """These projects with their other sources' records merged in."""
        linked = linked_records(self._read(), projects)
        return {pid: merge_projects(p, linked.get(pid, [])) for pid, p in projects.items()}

    @guarded
    def get_organisation(self, organisation_id: str) -> Organisation:
        """The organisation this record id belongs to, its linked records merged (the id of
        the result is the organisation's, which may differ from the record's)."""
        organisation = merged(self._read(), organisation_id)
        if organisation is None:
            raise NotFoundError(f"no organisation {organisation_id!r}")
        return organisation

    @guarded
    def iter_organisations(self, ids: Sequence[str] | None = None) -> Iterator[Organisation]:
        """Every organisation (or those of these organisation ids), its records merged, in id
        order: what the organisation index shows (one pass over the records, flat memory)."""
        db = self._read()
        order = "ORDER BY cluster, id != cluster, created_import, id"
        if ids is None:
            yield from _grouped(db.stream(f"SELECT cluster, doc FROM organisations {order}"))
            return
        for chunk in chunks(sorted(set(ids)), 500):
            marks = ",".join("?" * len(chunk))
            yield from _grouped(db.execute(
                f"SELECT cluster, doc FROM organisations WHERE cluster IN ({marks}) {order}",
                chunk))

    @guarded
    def organisation_records(self, organisation_id: str) -> list[OrganisationRecord]:
        """The records linked into this organisation, each with its sources and links."""
        return records_of(self._read(), organisation_id)

    @guarded
    def organisation_merges(self, limit: int | None = None) -> list[list[OrganisationRecord]]:
        """Every organisation made of several records, with its records, largest first."""
        return merges(self._read(), limit)

    @guarded
    def participants(self, project_id: str) -> list[tuple[Participation, Organisation]]:
        """The project's participants, then those of its other sources' records that are not
        already among them (the same organisation, or the same name in this one project)."""
        db = self._read()
        ids = [project_id, *(p.id for p, _ in linked_records(db, [project_id]).get(
            project_id, []))]
        out: list[tuple[Participation, Organisation]] = []
        seen: set[str] = set()
        names: set[str] = set()
        for pid in ids:
            for p, o, group in db.execute(
                "SELECT p.doc, o.doc, o.cluster FROM participations p JOIN organisations o "
                "ON o.id = p.organisation_id WHERE p.project_id = ? ORDER BY p.position",
                (pid,),
            ).fetchall():
                organisation = Organisation.from_dict(json.loads(o))
                forms = name_forms(organisation) if len(ids) > 1 else set()
                if pid != project_id and (group in seen or forms & names):
                    continue
                seen.add(group)
                names |= forms
                out.append((Participation.from_dict(json.loads(p)), organisation))
        return out

    @guarded
    def participations_of(self, organisation_id: str) -> list[tuple[Participation, Project]]:
        rows = self._read().execute(
            "SELECT p.doc, j.doc FROM participations p JOIN projects j ON j.id = p.project_id "
            "WHERE p.organisation_id IN (SELECT o2.id FROM organisations o1 JOIN organisations "
            "o2 ON o2.cluster = o1.cluster WHERE o1.id = ?) "
            "ORDER BY j.start_date DESC NULLS LAST, j.id, p.position",
            (organisation_id,),
        ).fetchall()
        return [
            (Participation.from_dict(json.loads(p)), Project.from_dict(json.loads(j)))
            for p, j in rows
        ]

    @guarded
    def related_projects(self, project_id: str, limit: int = 10) -> list[tuple[Project, int]]:
        """Other projects of this project's participants, with how many participants they
        share: most shared first, then newest start."""
        rows = self._read().execute(
            "SELECT j.doc, COUNT(DISTINCT o1.cluster) AS shared FROM participations p1 "
            "JOIN organisations o1 ON o1.id = p1.organisation_id "
            "JOIN organisations o2 ON o2.cluster = o1.cluster "
            "JOIN participations p2 ON p2.organisation_id = o2.id "
            "AND p2.project_id != p1.project_id JOIN projects j ON j.id = p2.project_id "
            "WHERE p1.project_id = ? GROUP BY j.id "
            "ORDER BY shared DESC, j.start_date DESC NULLS LAST, j.id LIMIT ?",
            (project_id, limit),
        ).fetchall()
        return [(Project.from_dict(json.loads(doc)), shared) for doc, shared in rows]

    @guarded
    def co_partners(self, organisation_id: str, limit: int = 10) -> list[tuple[Organisation, int]]:
        """The organisations that took part in the most projects with this one, with how many."""
        db = self._read()
        rows = db.execute(
            "SELECT o2.cluster, COUNT(DISTINCT p2.project_id) AS together, MIN(o2.name) AS name "
            f"{_CO_PARTNERS} GROUP BY o2.cluster ORDER BY together DESC, name, o2.cluster LIMIT ?",
            (organisation_id, limit),
        ).fetchall()
        out = []
        for cluster_id, n, _ in rows:
            organisation = merged(db, cluster_id)
            if organisation is not None:
                out.append((organisation, n))
        return out

    @guarded
    def co_partner_countries(self, organisation_id: str) -> list[tuple[str, int, int]]:
        """The countries of this organisation's co-partners: per country, how many distinct
        co-partner organisations and how many projects together, most organisations first."""
        rows = self._read().execute(
            "SELECT o2.country, COUNT(DISTINCT o2.cluster) AS n, COUNT(DISTINCT p2.project_id) "
            f"{_CO_PARTNERS} AND o2.country IS NOT NULL "
            "GROUP BY o2.country ORDER BY n DESC, o2.country",
            (organisation_id,),
        ).fetchall()
        return [(country, n, projects) for country, n, projects in rows]

    @guarded
    def iter_projects(self, filters: ProjectFilter | None = None) -> Iterator[Project]:
        """Projects in id order (newest start first when filtered), streamed from a cursor."""
        where, params = _where(filters or ProjectFilter())
        limit = f" LIMIT {int(filters.limit)}" if filters and filters.limit else ""
        sql = f"SELECT id, doc FROM projects{where} ORDER BY start_date DESC NULLS LAST, id{limit}"
        rows = self._read().stream(sql, params)
        while batch := list(itertools.islice(rows, 500)):
            yield from self._with_links(
                {pid: Project.from_dict(json.loads(doc)) for pid, doc in batch}).values()

    @guarded
    def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        """The projects of these ids that exist, by id."""
        return self._with_links(read_projects(self._read(), ids))

    @guarded
    def get_briefs(self, ids: Sequence[str]) -> dict[str, ProjectBrief]:
        """The briefs of the projects of these ids that exist, by id: what get_projects gives,
        ``.brief()``, read by SQLite's JSON functions without decoding the whole stored project
        in Python (an export's rows: docs/json-api.md). A project shown with other sources'
        records is read whole and merged, as get_projects does."""
        out: dict[str, ProjectBrief] = {}
        db = self._read()
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for pid, values in db.execute(
                f"SELECT id, {self._BRIEF_SELECT} FROM projects WHERE id IN ({marks})",
                chunk,
            ):
                out[pid] = ProjectBrief.from_stored(json.loads(values))
        linked = linked_records(db, out)
        out.update((pid, merge_projects(p, linked[pid]).brief())
                   for pid, p in read_projects(db, linked).items())
        return out

    @guarded
    def iter_with_participants(
        self, ids: Sequence[str] | None = None
    ) -> Iterator[tuple[Project, list[tuple[Participation, Organisation]]]]:
        """Every project (or these ids) with its participants, streamed in id order: two
        ordered cursors merged, so memory stays flat whatever the size of the store. What the
        index holds: each participant is its organisation (the id its records are linked under,
        every name) at the place of the record that took part (see ``_indexed``)."""
        db = self._read()
        # read once, not once per chunk (a catch-up of many changes reads thousands of chunks)
        linked = multi_clusters(db)  # participants shown with every name of their organisation
        parts = hidden(db)  # records shown as part of another project: not on their own
        if ids is not None:
            for chunk in chunks(sorted(set(ids)), 500):
                marks = ",".join("?" * len(chunk))
                yield from self._merge(f"WHERE id IN ({marks})",
                                       f"WHERE p.project_id IN ({marks})", chunk, linked, parts)
            return
        yield from self._merge("", "", [], linked, parts)

    def _merge(
        self, where: str, p_where: str, params: list[str], linked: set[str],
        parts: dict[str, str],
    ) -> Iterator[tuple[Project, list[tuple[Participation, Organisation]]]]:
        db = self._read()
        with db.snapshot():  # the two streams see one state of the store
            yield from self._merged(db, where, p_where, params, linked, parts)

    def _merged(
        self, db: Db, where: str, p_where: str, params: list[str], linked: set[str],
        parts: dict[str, str],
    ) -> Iterator[tuple[Project, list[tuple[Participation, Organisation]]]]:
        shown = set(parts.values())
        projects = db.stream(f"SELECT id, doc FROM projects {where} ORDER BY id", params)
        participants = db.stream(
            "SELECT p.project_id, p.doc, p.organisation_id, o.doc, o.cluster "
            "FROM participations p JOIN "
            f"organisations o ON o.id = p.organisation_id {p_where} "
            "ORDER BY p.project_id, p.position", params
        )
        organisations: dict[str, Organisation] = {}  # one organisation, many projects: parse once
        pending = next(participants, None)
        for pid, doc in projects:
            found: list[tuple[Participation, Organisation]] = []
            while pending is not None and pending[0] < pid:
                pending = next(participants, None)
            while pending is not None and pending[0] == pid:
                organisation = organisations.get(pending[2])
                if organisation is None:
                    if len(organisations) > 100_000:
                        organisations.clear()
                    organisation = _indexed(db, Organisation.from_dict(json.loads(pending[3])),
                                            pending[4], linked)
                    organisations[pending[2]] = organisation
                found.append((Participation.from_dict(json.loads(pending[1])), organisation))
                pending = next(participants, None)
            if pid in parts:
                continue
            if pid in shown:  # with its other sources' records and their participants
                project = Project.from_dict(json.loads(doc))
                clusters = dict(db.execute(
                    "SELECT o.id, o.cluster FROM participations p JOIN organisations o "
                    "ON o.id = p.organisation_id WHERE p.project_id IN "
                    "(SELECT CAST(? AS TEXT) UNION SELECT project_id FROM project_links "
                    "WHERE same_as = ?)",
                    (pid, pid)))
                yield (merge_projects(project, linked_records(db, [pid]).get(pid, [])),
                       [(p, _indexed(db, o, clusters.get(o.id, o.id), linked))
                        for p, o in self.participants(pid)])
                continue
            yield Project.from_dict(json.loads(doc)), found

    @guarded
    def count_projects(self, filters: ProjectFilter | None = None) -> int:
        where, params = _where(filters or ProjectFilter())
        db = self._read()
        count: int = db.execute(f"SELECT COUNT(*) FROM projects{where}", params).fetchone()[0]
        return count

    @guarded
    def counts(self) -> dict[str, dict[str, int]]:
        """Per source: projects, participations, organisations taking part (kept by every
        import in the same transaction, so reading them costs nothing)."""
        rows = self._read().execute(
            "SELECT source, projects, participations, organisations FROM source_counts "
            "WHERE projects > 0 ORDER BY source"
        )
        return {source: {"projects": projects, "participations": participations,
                         "organisations": organisations}
                for source, projects, participations, organisations in rows}

    @guarded
    def total_organisations(self) -> int:
        """Organisations, linked records counting once."""
        count: int = self._read().execute(
            "SELECT COUNT(DISTINCT cluster) FROM organisations").fetchone()[0]
        return count

    @guarded
    def imports(self, limit: int = 10) -> list[ImportEntry]:
        rows = self._read().execute(
            "SELECT id, source, started_at, finished_at, changed, report FROM imports "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            ImportEntry(i, s, start, end, bool(changed), json.loads(report))
            for i, s, start, end, changed, report in rows
        ]

    @guarded
    def last_imports(self) -> dict[str, str]:
        """Each source's last import's end time (one grouped query)."""
        rows = self._read().execute(
            "SELECT source, MAX(finished_at) FROM imports GROUP BY source").fetchall()
        return dict(rows)

    @guarded
    def fingerprint(self) -> str:
        """A digest of every project, organisation and participation row, import ids included:
        equal fingerprints mean the data rows are exactly as they were."""
        h = hashlib.sha256()
        db = self._read()
        for table, order in (
            ("projects", "id"),
            ("organisations", "id"),
            ("participations", "project_id, position"),
        ):
            for row in db.stream(f"SELECT * FROM {table} ORDER BY {order}"):
                h.update(repr(row).encode("utf-8"))
        return h.hexdigest()


def _grouped(rows: Iterable[tuple[str, str]]) -> Iterator[Organisation]:
    """Rows of (organisation id, record document) in organisation order, each organisation's
    records first the one that names it: the organisations, merged (model.merge)."""
    for cluster, group in itertools.groupby(rows, key=lambda row: row[0]):
        organisation = merge([Organisation.from_dict(json.loads(doc)) for _, doc in group],
                             cluster)
        yield (organisation if organisation.id == cluster
               else dataclasses.replace(organisation, id=cluster))


def _indexed(db: Db, record: Organisation, cluster: str,
             linked: set[str]) -> Organisation:
    """A participant as the index holds it: the organisation its records make (under the id
    they are linked under, with every name), at the record's own country and NUTS region (a
    partner list gives where the partner took part; the statistics sum amounts by it)."""
    organisation = (merged(db, record.id) if cluster in linked else None) or record
    if (organisation.id, organisation.country, organisation.nuts) == (
            cluster, record.country, record.nuts):
        return organisation
    return dataclasses.replace(organisation, id=cluster, country=record.country,
                               nuts=record.nuts)


def _where(f: ProjectFilter) -> tuple[str, list[str]]:
    # a record shown as part of another project is not a project of its own
    clauses: list[str] = ["id NOT IN (SELECT project_id FROM project_links)"]
    params: list[str] = []
    if f.source:
        clauses.append("source = ?")
        params.append(f.source)
    if f.programme:
        clauses.append("lower(programme) LIKE ?")
        params.append(f"%{f.programme.lower()}%")
    if f.period:
        clauses.append("period = ?")
        params.append(f.period)
    if f.country:
        clauses.append(
            "EXISTS (SELECT 1 FROM participations p JOIN organisations o ON o.id = "
            "p.organisation_id WHERE p.project_id = projects.id AND o.country = ?)"
        )
        params.append(f.country)
    if f.started_from:
        clauses.append("start_date >= ?")
        params.append(f.started_from.isoformat())
    if f.started_until:
        clauses.append("start_date <= ?")
        params.append(f.started_until.isoformat())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
