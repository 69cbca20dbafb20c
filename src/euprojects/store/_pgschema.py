"""The PostgreSQL schema: the tables of the SQLite schema (store/_schema.py) as its seven
migrations left them, for PostgreSQL. Every text the store orders or compares by is of the "C"
collation, so that rows come in the order of SQLite's and of Python's (the store merges ordered
streams by comparing their keys in Python). Documents are ``json``: kept as written, read back
as text. ``meta`` holds the schema version, the store's id and the organisation rules."""

from __future__ import annotations

import secrets

from ..errors import StoreError
from ..model import MATCH_RULES
from ._db import Db
from ._schema import relink_on_new_rules

__all__ = ["PG_MIGRATIONS", "LOCK", "schema_version", "up_to_date", "migrate_pg"]

# the advisory lock every writer of a store takes for its transaction: one writer at a time,
# whatever the process or the node ("eupr")
LOCK = 0x65757072

_T = 'TEXT COLLATE "C"'

PG_MIGRATIONS: tuple[str, ...] = (
    # 1: everything of SQLite's schema 7 (without the computed columns of its migration 6,
    # which nothing reads since the index's participation columns took the statistics over)
    f"""
    CREATE TABLE projects (
        id {_T} PRIMARY KEY,
        source {_T} NOT NULL,
        programme {_T},
        period {_T},
        start_date {_T},
        end_date {_T},
        doc JSON NOT NULL,
        hash TEXT NOT NULL,
        created_import INTEGER NOT NULL,
        updated_import INTEGER NOT NULL
    );
    CREATE INDEX projects_source ON projects(source);
    CREATE INDEX projects_programme ON projects(programme);
    CREATE TABLE organisations (
        id {_T} PRIMARY KEY,
        name {_T} NOT NULL,
        country {_T},
        doc JSON NOT NULL,
        hash TEXT NOT NULL,
        created_import INTEGER NOT NULL,
        updated_import INTEGER NOT NULL,
        cluster {_T}
    );
    CREATE INDEX organisations_cluster ON organisations(cluster);
    CREATE TABLE participations (
        project_id {_T} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        organisation_id {_T} NOT NULL REFERENCES organisations(id),
        role {_T} NOT NULL,
        doc JSON NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (project_id, position)
    );
    CREATE INDEX participations_organisation ON participations(organisation_id);
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        source {_T} NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        changed INTEGER NOT NULL,
        report TEXT NOT NULL
    );
    CREATE TABLE source_counts (
        source {_T} PRIMARY KEY,
        projects INTEGER NOT NULL,
        participations INTEGER NOT NULL,
        organisations INTEGER NOT NULL
    );
    CREATE TABLE organisation_keys (
        key {_T} NOT NULL,
        organisation_id {_T} NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        PRIMARY KEY (key, organisation_id)
    );
    CREATE INDEX organisation_keys_organisation ON organisation_keys(organisation_id);
    CREATE TABLE organisation_links (
        organisation_id {_T} NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        linked_to {_T} NOT NULL,
        rule {_T} NOT NULL,
        detail {_T} NOT NULL,
        PRIMARY KEY (organisation_id, linked_to)
    );
    CREATE TABLE index_log (
        project_id {_T} PRIMARY KEY,
        seq INTEGER NOT NULL
    );
    CREATE INDEX index_log_seq ON index_log(seq);
    CREATE TABLE meta (
        key {_T} PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE project_keys (
        key {_T} NOT NULL,
        project_id {_T} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        PRIMARY KEY (key, project_id)
    );
    CREATE INDEX project_keys_project ON project_keys(project_id);
    CREATE TABLE project_links (
        project_id {_T} PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        same_as {_T} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key {_T} NOT NULL
    );
    CREATE INDEX project_links_same_as ON project_links(same_as);
    CREATE TABLE embeddings (
        project_id {_T} PRIMARY KEY,
        model {_T} NOT NULL,
        text_hash TEXT NOT NULL,
        vector BYTEA NOT NULL,
        seq INTEGER NOT NULL
    );
    CREATE INDEX embeddings_seq ON embeddings(model, seq);
    """,
)


def schema_version(db: Db) -> int:
    """The migrations the database has had (0: none, not even the table that counts them)."""
    if db.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def up_to_date(db: Db) -> bool:
    """The database has had every migration, and its links were made by these rules."""
    if schema_version(db) != len(PG_MIGRATIONS):
        return False
    row = db.execute("SELECT value FROM meta WHERE key = 'organisation_rules'").fetchone()
    return row is not None and row[0] == MATCH_RULES


def migrate_pg(db: Db, where: str) -> None:
    """In the open write transaction (its advisory lock taken): run the migrations the
    database has not had, then relink the organisations if their rules changed."""
    version = schema_version(db)
    if version > len(PG_MIGRATIONS):
        raise StoreError(f"{where}: schema version {version} is newer than this euprojects "
                         f"knows ({len(PG_MIGRATIONS)})")
    for number, script in enumerate(PG_MIGRATIONS[version:], start=version + 1):
        db.execute(script)
        if number == 1:  # a new store: its id; nothing to relink under the rules
            db.execute("INSERT INTO meta (key, value) VALUES ('store_id', ?), "
                       "('organisation_rules', ?)", (secrets.token_hex(8), MATCH_RULES))
        db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(number),))
    relink_on_new_rules(db)
