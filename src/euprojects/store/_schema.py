"""The SQLite schema as ordered migrations; PRAGMA user_version holds how many have run."""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError
from ..model import MATCH_RULES
from ._connections import SqliteDb, rollback
from ._db import Db
from ._links import relink_all
from ._projlinks import relink_all_projects

__all__ = ["MIGRATIONS", "COUNT_SOURCES", "migrate", "relink_on_new_rules"]

# Per source: projects, participations, distinct organisations taking part (as schema 2
# counted them: records, before records were linked into organisations).
_COUNT_SOURCES_2 = (
    "SELECT j.source, COUNT(DISTINCT j.id), COUNT(p.project_id), "
    "COUNT(DISTINCT p.organisation_id) "
    "FROM projects j LEFT JOIN participations p ON p.project_id = j.id GROUP BY j.source"
)
# Per source: projects, participations, distinct organisations (linked records count once).
COUNT_SOURCES = (
    "SELECT j.source, COUNT(DISTINCT j.id), COUNT(p.project_id), COUNT(DISTINCT o.cluster) "
    "FROM projects j LEFT JOIN participations p ON p.project_id = j.id "
    "LEFT JOIN organisations o ON o.id = p.organisation_id GROUP BY j.source"
)

# An EU amount of a document in EUR as whole cents (to the nearest cent), else NULL.
_EURO_CENTS = (
    "CASE WHEN json_extract(doc, '$.eu_contribution.currency') = 'EUR' "
    "THEN CAST(ROUND(CAST(json_extract(doc, '$.eu_contribution.amount') AS REAL) * 100) "
    "AS INTEGER) END"
)

MIGRATIONS: tuple[str, ...] = (
    # 1: projects, organisations, participations, import history
    """
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        programme TEXT,
        period TEXT,
        start_date TEXT,
        end_date TEXT,
        doc TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_import INTEGER NOT NULL,
        updated_import INTEGER NOT NULL
    );
    CREATE INDEX projects_source ON projects(source);
    CREATE INDEX projects_programme ON projects(programme);
    CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        country TEXT,
        doc TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_import INTEGER NOT NULL,
        updated_import INTEGER NOT NULL
    );
    CREATE TABLE participations (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        organisation_id TEXT NOT NULL REFERENCES organisations(id),
        role TEXT NOT NULL,
        doc TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (project_id, position)
    );
    CREATE INDEX participations_organisation ON participations(organisation_id);
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        changed INTEGER NOT NULL,
        report TEXT NOT NULL
    );
    """,
    # 2: counts per source, kept by every import (counting them per request takes minutes on
    # a store of a million projects)
    """
    CREATE TABLE source_counts (
        source TEXT PRIMARY KEY,
        projects INTEGER NOT NULL,
        participations INTEGER NOT NULL,
        organisations INTEGER NOT NULL
    );
    """
    + "INSERT INTO source_counts " + _COUNT_SOURCES_2,
    # 3: organisation records linked into organisations (store/_links.py): the organisation a
    # record belongs to, each record's match keys, the links accepted and why. The store keys
    # and links the records already there right after this script.
    """
    ALTER TABLE organisations ADD COLUMN cluster TEXT;
    UPDATE organisations SET cluster = id;
    CREATE INDEX organisations_cluster ON organisations(cluster);
    CREATE TABLE organisation_keys (
        key TEXT NOT NULL,
        organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        PRIMARY KEY (key, organisation_id)
    ) WITHOUT ROWID;
    CREATE INDEX organisation_keys_organisation ON organisation_keys(organisation_id);
    CREATE TABLE organisation_links (
        organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        linked_to TEXT NOT NULL,
        rule TEXT NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (organisation_id, linked_to)
    );
    """,
    # 4: the changes the search index has to apply: every project an import created or changed
    # (its doc, its participations or the organisations of its participants), with the import
    # that last changed it, written in the import's own transaction. An index records the
    # last import it applied; whatever has a higher number is pending (Catalog.catch_up).
    # The store's id tells an index built from another store.
    """
    CREATE TABLE index_log (
        project_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX index_log_seq ON index_log(seq);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))));
    """,
    # 5: project records of two sources linked into one project (store/_projlinks.py): each
    # record's link keys, and for a record shown as part of another, the one shown
    """
    CREATE TABLE project_keys (
        key TEXT NOT NULL,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        PRIMARY KEY (key, project_id)
    ) WITHOUT ROWID;
    CREATE INDEX project_keys_project ON project_keys(project_id);
    CREATE TABLE project_links (
        project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        same_as TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key TEXT NOT NULL
    );
    CREATE INDEX project_links_same_as ON project_links(same_as);
    """,
    # 6: what the statistics summed in SQL (before the index's participation columns took that
    # over: search/_columns.py), as columns computed from the documents: an EU amount in EUR as
    # integer cents (NULL for none or another currency) and an organisation's deepest NUTS
    # code. They are virtual; the covering indexes hold their values.
    f"""
    ALTER TABLE participations ADD COLUMN eu_cents INTEGER
        GENERATED ALWAYS AS ({_EURO_CENTS}) VIRTUAL;
    ALTER TABLE projects ADD COLUMN eu_cents INTEGER
        GENERATED ALWAYS AS ({_EURO_CENTS}) VIRTUAL;
    ALTER TABLE organisations ADD COLUMN nuts TEXT
        GENERATED ALWAYS AS (json_extract(doc, '$.nuts[#-1].code')) VIRTUAL;
    CREATE INDEX participations_stats ON participations(project_id, organisation_id, eu_cents);
    CREATE INDEX projects_stats ON projects(id, eu_cents);
    CREATE INDEX organisations_stats ON organisations(id, cluster, country, nuts);
    """,
    # 7: each project's meaning as a vector (search by meaning, docs/semantic-search.md): the
    # model that made it, the hash of the text it was made from (model embedding_hash: a
    # project whose text is unchanged is not embedded again), the vector as little-endian
    # float16, and the order vectors arrived in (seq: a vector index knows what is new)
    """
    CREATE TABLE embeddings (
        project_id TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        seq INTEGER NOT NULL
    );
    CREATE INDEX embeddings_seq ON embeddings(model, seq);
    """,
)


def migrate(db: SqliteDb, path: Path) -> None:
    """Run the migrations the database has not had, each in a transaction of its own."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(f"{path}: schema version {version} is newer than this euprojects "
                         f"knows ({len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
            if number == 3:  # the records already there: key and link them
                relink_all(db)
                db.execute("DELETE FROM source_counts")
                db.execute("INSERT INTO source_counts " + COUNT_SOURCES)
            if number == 5:  # the projects already there: key and link them; the index
                # shows each linked project again
                changed = sorted(relink_all_projects(db))
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM index_log").fetchone()[0]
                db.executemany("INSERT INTO index_log (project_id, seq) VALUES (?, ?) "
                               "ON CONFLICT (project_id) DO UPDATE SET seq = excluded.seq",
                               [(pid, seq) for pid in changed])
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            rollback(db)
            raise
    _relink_on_new_rules(db)


def _rules_of(db: Db) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'organisation_rules'").fetchone()
    return None if row is None else str(row[0])


def _relink_on_new_rules(db: SqliteDb) -> None:
    """relink_on_new_rules in a transaction of its own, when the rules changed."""
    if _rules_of(db) == MATCH_RULES:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        relink_on_new_rules(db)  # another connection may have relinked it meanwhile
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise


def relink_on_new_rules(db: Db) -> None:
    """In the open write transaction: key and link every organisation record again when the
    store's links were made by other organisation rules than these (model ``MATCH_RULES``,
    kept in ``meta`` as ``organisation_rules``); the projects of every record whose
    organisation changed are marked for the index, as an import marks them, and the counts
    per source are counted again."""
    if _rules_of(db) == MATCH_RULES:
        return
    changed = sorted(relink_all(db))
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM index_log").fetchone()[0]
    for start in range(0, len(changed), 500):
        chunk = changed[start:start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(
            "INSERT INTO index_log (project_id, seq) SELECT DISTINCT project_id, ? "
            f"FROM participations WHERE organisation_id IN ({marks}) "
            "ON CONFLICT (project_id) DO UPDATE SET seq = excluded.seq", [seq, *chunk])
    db.execute("DELETE FROM source_counts")
    db.execute("INSERT INTO source_counts " + COUNT_SOURCES)
    db.execute("INSERT INTO meta (key, value) VALUES ('organisation_rules', ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (MATCH_RULES,))
