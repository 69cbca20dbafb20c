"""The store: idempotent re-imports, updates, migrations, atomic imports under SIGKILL, and
reads from many threads at once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from conftest import (
    DATA,
    KEEP_SMALL_PROJECTS,
    copy_catalog,
    open_test_store,
    settings_for,
    store_sql,
)
from euprojects.catalog import Catalog
from euprojects.errors import NotFoundError, StoreError
from euprojects.model import ProjectRecord
from euprojects.settings import load_settings
from euprojects.store import ProjectFilter, SqliteStore

SEED = DATA / "keep" / "keep_api_seed.json"


def test_reimport_of_the_real_file_changes_nothing(keep_import, keep_reimport, tmp_path):
    # the first import: the session's one import of the real file into an empty store
    first = keep_import.reports["keep"]
    assert (first["projects"]["created"], first["participations"]["created"]) == (1852, 8621)
    # again: the session's one re-import of it (conftest.keep_reimport), into the store that
    # holds it and the CORDIS and EAC files imported after it; the import history keeps its
    # report
    with Catalog(settings_for(copy_catalog(keep_reimport.db, tmp_path))) as catalog:
        history = catalog.imports()
        again = history[0].report
        assert again["projects"] == {"created": 0, "updated": 0, "unchanged": 1852}
        assert again["participations"] == {
            "created": 0, "updated": 0, "unchanged": 8621, "removed": 0}
        assert again["organisations"]["created"] == again["organisations"]["updated"] == 0
        assert not history[0].changed
        assert catalog.store.fingerprint() == keep_reimport.fingerprint
        assert [(e.id, e.source, e.changed) for e in history] == [
            (4, "keep", False), (3, "eac", True), (2, "cordis", True), (1, "keep", True)]
        assert catalog.info()["sources"]["keep"]["projects"] == 1852


def test_changed_record_is_updated(catalog, tmp_path):
    catalog.import_files("keep-eu", [SEED])
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["eu_funding"] = "300000.00"
    data["partnerships"] = data["partnerships"][:2]
    changed = tmp_path / "seed_changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    report = catalog.import_files("keep-eu", [changed])
    assert report.to_dict()["projects"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert report.to_dict()["participations"] == {
        "created": 0, "updated": 0, "unchanged": 2, "removed": 1}
    view = catalog.project(report_project_id(catalog))
    assert str(view.project.eu_contribution.amount) == "300000.00"
    assert len(view.participants) == 2


def report_project_id(catalog):
    return catalog.list_projects()[0].id


def test_unknown_ids_raise_not_found(catalog):
    with pytest.raises(NotFoundError, match="no project 'keep:nope'"):
        catalog.project("keep:nope")


# SQLite's own: PRAGMA user_version and WAL
@pytest.mark.sqlite
def test_schema_is_versioned(tmp_path):
    db = tmp_path / "s.db"
    settings = load_settings({"db": db}, {})
    with Catalog(settings) as c:
        assert c.store.schema_version == 7
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        Catalog(settings)


_CHILD = """
import sys, time
from pathlib import Path
from euprojects.catalog import Catalog
from euprojects.model import ProjectRecord
from euprojects.settings import load_settings
from euprojects.store import ProjectFilter, SqliteStore

catalog = Catalog(load_settings({"db": sys.argv[1], "store_url": sys.argv[5]}, {}))
marker = Path(sys.argv[3])

def progress(name, done, expected):
    if done == int(sys.argv[4]):
        marker.write_text("halfway")
        time.sleep(120)

catalog.import_files("keep-eu", [Path(sys.argv[2])], progress=progress)
"""


def test_sigkill_halfway_leaves_the_store_as_it_was(tmp_path, keep_small):
    # keep_small: the real keep.eu export cut to its first KEEP_SMALL_PROJECTS projects
    db = tmp_path / "store.db"
    settings = settings_for(db)  # SQLite, or PostgreSQL in its lane: the kill is the same
    with Catalog(settings) as c:
        c.import_files("keep-eu", [SEED])
        before = c.store.fingerprint()
        imports_before = len(c.imports())
    marker = tmp_path / "halfway"
    halfway = str(KEEP_SMALL_PROJECTS // 2)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(keep_small), str(marker),
                              halfway, settings.store_url or ""])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the import ended before it was halfway"
            assert time.monotonic() < deadline, "the import never got halfway"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with Catalog(settings) as c:
        assert c.store.fingerprint() == before
        assert len(c.imports()) == imports_before
        report = c.import_files("keep-eu", [keep_small])  # the next run completes
        assert report.projects_created == KEEP_SMALL_PROJECTS
        assert c.info()["totals"]["projects"] == KEEP_SMALL_PROJECTS + 1


def test_store_files_stay_in_the_configured_place(tmp_path):
    db = tmp_path / "nested" / "dir" / "x.db"
    with Catalog(load_settings({"db": db}, {})) as c:
        assert c.info()["database"] == f"SQLite {db}"
    assert Path(db).exists()


# -- many threads -------------------------------------------------------------------------------


@pytest.fixture
def real_store(real_built, tmp_path):
    """A store of its own over a copy of the real catalog's database."""
    store = open_test_store(copy_catalog(real_built, tmp_path))
    yield store
    store.close()


def _reads(store, ids):
    """Mixed reads, as the web app's endpoints make them; every answer as plain data."""
    reads = []
    for n, pid in enumerate(ids):
        reads += [
            lambda pid=pid: store.get_project(pid).to_dict(),
            lambda pid=pid: [(p.to_dict(), o.to_dict()) for p, o in store.participants(pid)],
            lambda n=n: sorted(p.to_dict()["id"] for p in
                               store.get_projects(ids[n: n + 30]).values()),
            store.counts,
            lambda n=n: [p.id for p in store.iter_projects(ProjectFilter(limit=20 + n % 7))],
        ]
    return reads


def _open_handles(path):
    return [f.path for f in psutil.Process().open_files() if f.path.startswith(str(path))]


class _Abandon(Exception):
    pass


def _abandoned_writes(store, projects, done):
    """Until ``done``: transactions that change every project and then roll back."""
    records = [ProjectRecord(replace(p, acronym="UNCOMMITTED")) for p in projects]
    rounds = 0
    while not done.is_set():
        with contextlib.suppress(_Abandon), store.writer("keep") as writer:
            for record in records:
                writer.put(record)
            time.sleep(0.002)
            raise _Abandon
        rounds += 1
    return rounds


# SQLite's own: each thread's connection to the file, and its open file handles
@pytest.mark.sqlite
def test_reads_from_many_threads_give_the_single_thread_answers(real_store):
    projects = list(real_store.iter_projects(ProjectFilter(limit=40)))
    ids = [p.id for p in projects]
    reads = _reads(real_store, ids)  # 200 reads
    expected = [read() for read in reads]
    start, done = threading.Barrier(9), threading.Event()

    def run(offset):
        start.wait(timeout=30)
        try:
            return [reads[(i + offset) % len(reads)]() for i in range(len(reads))]
        finally:
            done.set()

    def write():
        start.wait(timeout=30)
        return _abandoned_writes(real_store, projects, done)

    with ThreadPoolExecutor(9) as pool:
        writes = pool.submit(write)
        answers = list(pool.map(run, range(0, 200, 25)))
        assert writes.result() > 0
    assert [len(a) for a in answers] == [200] * 8
    for offset, answer in zip(range(0, 200, 25), answers, strict=True):
        assert answer == expected[offset:] + expected[:offset]
    assert _open_handles(real_store.path)
    real_store.close()  # every thread's connection, not only this one's
    assert _open_handles(real_store.path) == []


def test_a_read_in_another_thread_never_sees_an_open_write(real_store):
    project = next(real_store.iter_projects(ProjectFilter(limit=1)))
    record = ProjectRecord(replace(project, acronym="UNCOMMITTED"))
    seen = []
    with pytest.raises(_Abandon), real_store.writer("keep") as writer:
        writer.put(record)
        with ThreadPoolExecutor(1) as pool:
            seen.append(pool.submit(real_store.get_project, project.id).result().acronym)
        raise _Abandon  # rolled back: nobody should ever have read it
    assert seen == [project.acronym]
    assert real_store.get_project(project.id).acronym == project.acronym


def _counted(db: Path) -> dict[str, tuple[int, int, int]]:
    """Per source, counted straight from the tables: projects, participations, organisations."""
    con = store_sql(db)
    try:
        projects = dict(con.execute("SELECT source, COUNT(*) FROM projects GROUP BY source"))
        joined = {s: (n, o) for s, n, o in con.execute(
            "SELECT j.source, COUNT(*), COUNT(DISTINCT o.cluster) FROM participations p "
            "JOIN projects j ON j.id = p.project_id JOIN organisations o "
            "ON o.id = p.organisation_id GROUP BY j.source")}
    finally:
        con.close()
    return {s: (n, *joined.get(s, (0, 0))) for s, n in projects.items()}


def _kept(store: SqliteStore) -> dict[str, tuple[int, int, int]]:
    return {s: (c["projects"], c["participations"], c["organisations"])
            for s, c in store.counts().items()}


# SQLite's own: a store of schema 1 migrated
@pytest.mark.sqlite
def test_source_counts_are_kept_by_every_import_and_by_the_migration(tmp_path, keep_import):
    with Catalog(settings_for(tmp_path / "seed.db")) as c:
        assert c.store.counts() == {}
        c.import_files("keep-eu", [SEED])
        assert _kept(c.store) == _counted(tmp_path / "seed.db") == {"keep": (1, 3, 3)}
    # the real file imported into an empty store (the session's import), then the seed on top
    db = copy_catalog(keep_import, tmp_path, "c")
    with Catalog(settings_for(db)) as c:
        assert _kept(c.store) == _counted(db)
        assert _kept(c.store)["keep"][0] == 1852
        c.import_files("keep-eu", [SEED])
        assert _kept(c.store) == _counted(db)
        assert _kept(c.store)["keep"][0] == 1853
        linked = _kept(c.store)
    # a store of schema 1 (before the kept counts and the organisation links): the migrations
    # count what it holds and link its organisation records as an import would have
    con = sqlite3.connect(db)
    con.executescript(
        "DROP INDEX participations_stats; DROP INDEX projects_stats; "
        "DROP INDEX organisations_stats; ALTER TABLE participations DROP COLUMN eu_cents; "
        "ALTER TABLE projects DROP COLUMN eu_cents; ALTER TABLE organisations DROP COLUMN nuts; "
        "DROP TABLE source_counts; DROP TABLE organisation_keys; DROP TABLE organisation_links; "
        "DROP INDEX organisations_cluster; ALTER TABLE organisations DROP COLUMN cluster; "
        "DROP TABLE index_log; DROP TABLE meta; DROP TABLE project_keys; "
        "DROP TABLE project_links; DROP TABLE embeddings; PRAGMA user_version = 1;")
    con.close()
    store = open_test_store(db)
    try:
        assert store.schema_version == 7
        assert _kept(store) == _counted(db) == linked
    finally:
        store.close()
