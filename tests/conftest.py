"""Shared fixtures: the real files in place, a fresh catalog per test, and the real catalogs
built once per session.

Each catalog is built once per session, then closed (its database checkpointed: the one file
holds everything) and kept as a ``Built`` (its database, and the reports of the imports that
made it); a catalog built on another starts from a file copy of it, so that each real file is
imported whole once:

- ``keep_import``: keep_closed_1420.xlsx alone, into an empty store;
- ``real_built``: ``keep_import``, then the hand-made keep.eu fixtures (``real_catalog``);
- ``combined_built``: ``keep_import``, then the real CORDIS zip and EAC workbook
  (``combined_catalog``);
- ``keep_reimport``: ``combined_built``, then keep_closed_1420.xlsx once more (the one
  re-import);
- ``small_built``: ``keep_small`` (the real keep.eu file cut to its first 600 projects, made at
  each session), then the hand-made fixtures (``small_catalog``): real data for tests of what
  the code does with a catalog (rebuilds, exports) rather than of what the real files hold.

``real_catalog``, ``combined_catalog`` and ``small_catalog`` are open for the whole session on a
copy of their data, for tests that only read. A test that changes a catalog takes a copy of its
own: ``copy_catalog(built, folder)`` copies the database file and the index folder (a fraction
of a second), and ``real_copy``, ``combined_copy`` and ``small_copy`` open a Catalog on such a
copy in the test's tmp_path.

Every test that uses one of these fixtures gets the ``slow`` marker (pytest_collection_
modifyitems), as tests that read whole real files carry it: ``-m "not slow and not long"`` is a
quick lane that reads no real file whole.

Two stores, one suite: with ``EUPROJECTS_TEST_STORE=postgresql`` every catalog of these
fixtures (and of ``settings_for``) keeps its store in PostgreSQL instead of SQLite: a database
of its own on a throwaway server of each test process (tests/pgcluster.py), a copy made by
``CREATE DATABASE ... TEMPLATE``; its index stays a folder beside the path the SQLite file
would have. A test that reads the SQLite file itself carries the ``sqlite`` marker, which that
lane deselects (docs/deploy.md names them and says why).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from euprojects.catalog import Catalog
from euprojects.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 11, 28)
KEEP_FIXTURES = [DATA / "keep" / n for n in (
    "keep_api_seed.json", "keep_api_projects.json", "keep_current_export.xlsx")]

# fixtures that import or read whole real files: a test that uses one is marked slow
REAL_FIXTURES = frozenset({
    "keep_read", "keep_small", "keep_import", "keep_reimport",
    "real_built", "combined_built", "small_built",
    "real_catalog", "combined_catalog", "small_catalog",
    "real_copy", "combined_copy", "small_copy",
})


# the store of the fixtures' catalogs: "sqlite" (the default) or "postgresql"
STORE = os.environ.get("EUPROJECTS_TEST_STORE", "sqlite")
_pg_server: Any = None
_pg_databases: dict[Path, str] = {}  # the database of each catalog, by its SQLite path


def _pg() -> Any:
    """This test process's PostgreSQL server (started at the first need, stopped at exit)."""
    global _pg_server
    if _pg_server is None:
        import atexit

        from pgcluster import PgServer

        _pg_server = PgServer()
        atexit.register(_pg_server.stop)
    return _pg_server


def store_url(db: Path, template: Path | None = None) -> str | None:
    """Under EUPROJECTS_TEST_STORE=postgresql, the PostgreSQL database of the catalog at
    ``db`` (a new one at the first ask: empty, or a copy of ``template``'s); else None."""
    if STORE != "postgresql":
        return None
    db = db.resolve()
    if template is not None:  # a copy: made anew even where a test asked for the path first
        name = _pg_databases[db].rsplit("/", 1)[1] if db in _pg_databases \
            else f"t{len(_pg_databases) + 1}"
        _pg_databases[db] = _pg().new_database(
            name, template=_pg_databases[template.resolve()].rsplit("/", 1)[1], replace=True)
    elif db not in _pg_databases:
        _pg_databases[db] = _pg().new_database(f"t{len(_pg_databases) + 1}")
    return _pg_databases[db]


def open_test_store(db: Path) -> Any:
    """The store of the catalog at ``db``, as the fixtures keep it (SQLite, or PostgreSQL)."""
    from euprojects.store import open_store

    return open_store(db, store_url(db))


def euro_cents_sql(doc: str) -> str:
    """SQL of a test's own: the EU amount of the JSON document ``doc`` (a column) in euro cents
    when in EUR, else NULL, in the store's dialect."""
    if STORE == "postgresql":
        return (f"CASE WHEN ({doc}->'eu_contribution'->>'currency') = 'EUR' THEN CAST(ROUND("
                f"CAST({doc}->'eu_contribution'->>'amount' AS NUMERIC) * 100) AS BIGINT) END")
    return (f"CASE WHEN json_extract({doc}, '$.eu_contribution.currency') = 'EUR' THEN "
            f"CAST(ROUND(CAST(json_extract({doc}, '$.eu_contribution.amount') AS REAL) * 100) "
            "AS INTEGER) END")


def store_sql(db: Path) -> Any:
    """A connection to the store of the catalog at ``db`` for a test's own SQL (``?``
    placeholders, execute, fetchone, fetchall, close): sqlite3's, or psycopg's speaking the
    same SQL (store/_pgconn.py)."""
    url = store_url(db)
    if url is None:
        return sqlite3.connect(db)
    from euprojects.store._pgconn import PgDb, connect

    class _Closing(PgDb):
        def close(self) -> None:
            self.conn.close()

        def commit(self) -> None:
            pass  # autocommit

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()  # (sqlite3's only commits: a test closes it after, or never)

        def __del__(self) -> None:  # a test that never closes it, as sqlite3's allows
            self.conn.close()

    return _Closing(connect(url))


def shared_data_dir() -> Path:
    return Path(os.environ.get("EUPROJECTS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _need(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real data file {path.name} is missing (set EUPROJECTS_SHARED_DATA)")
        pytest.skip(f"real data file {path.name} not found (set EUPROJECTS_SHARED_DATA)")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def assert_facets_exact(catalog: Catalog, params: dict[str, str], names: tuple[str, ...]) -> None:
    """The search's total and each named facet's counts equal those counted over every match
    (a facet's counts leave out its own selection: the other values stay offered)."""
    from collections import Counter

    from euprojects.catalog import FACETS, SearchQuery

    def matches(chosen: dict[str, str]) -> list[tuple[Any, Any]]:
        return [(i.project, catalog.project(i.project.id).participants)
                for i in catalog.iter_matches(SearchQuery.from_params(chosen))]

    result = catalog.search(SearchQuery.from_params({**params, "size": "1"}))
    assert len(matches(params)) == result.total
    for name in names:
        extract = FACETS[name].extract
        assert extract is not None
        found = matches({k: v for k, v in params.items() if k != name})
        expected = Counter(v for p, parts in found
                           for v in set(extract(p, [x.organisation for x in parts])))
        assert {v.value: v.count for v in result.facets[name]} == dict(expected), name


def settings_for(db: Path, **more: Any) -> Settings:
    """The settings of a catalog at ``db`` (its index beside it), on the tests' day; its store
    in PostgreSQL under EUPROJECTS_TEST_STORE=postgresql."""
    return load_settings({"db": db, "today": TODAY.isoformat(), "store_url": store_url(db),
                          **more}, {})


# -- the real files ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def keep_file() -> Path:
    return _need(shared_data_dir() / "keep" / "keep_closed_1420.xlsx")


@pytest.fixture(scope="session")
def cordis_zip() -> Path:
    return _need(shared_data_dir() / "cordis" / "cordis_horizon_projects_xml_sample.zip")


@pytest.fixture(scope="session")
def eac_xls() -> Path:
    return _need(shared_data_dir() / "eac" / "creative_europe_project_results_sample.xls")


@pytest.fixture(scope="session")
def keep_read(keep_file: Path) -> tuple[Any, list[Any]]:
    """The real keep.eu file read once by its importer, on the tests' day: the reader (its
    report, its expected count) and every record it gave, for the tests of the importer."""
    from euprojects.importers import open_reader

    reader = open_reader("keep-eu", keep_file, today=TODAY)
    return reader, list(reader)


# The first KEEP_SMALL_PROJECTS projects of keep_closed_1420.xlsx with their partner rows: a
# real keep.eu export a third the size, for tests of what an import does (killed halfway, on a
# full disk) rather than of what the real file holds.
KEEP_SMALL_PROJECTS = 600
_KEEP_SHEETS = {"Projects (lead partners)": "xl/worksheets/sheet1.xml",
                "Partners": "xl/worksheets/sheet2.xml"}
_ROW = re.compile(r'<row r="(\d+)"[^>]*>.*?</row>', re.S)


def _rows_kept(xml: str, numbers: set[int]) -> str:
    """A worksheet's XML with only the rows of these numbers, numbered anew from 1."""
    head, rest = xml.split("<sheetData>", 1)
    body, tail = rest.split("</sheetData>", 1)
    rows: list[str] = []
    for found in _ROW.finditer(body):
        if int(found.group(1)) in numbers:
            n = len(rows) + 1
            row = re.sub(r'^<row r="\d+"', f'<row r="{n}"', found.group(0))
            rows.append(re.sub(r'(<c r="[A-Z]+)\d+"', rf'\g<1>{n}"', row))
    head = re.sub(r'(<dimension ref="[A-Z]+\d+:[A-Z]+)\d+"', rf'\g<1>{len(rows)}"', head)
    return f"{head}<sheetData>{''.join(rows)}</sheetData>{tail}"


def derive_keep_export(source: Path, target: Path, projects: int) -> Path:
    """A copy of a keep.eu export (2019 layout) with the first ``projects`` project keys
    (programme + acronym) of its projects sheet, their rows there and on the partners sheet,
    every other part as it is (the shared strings whole). Stored, not deflated: it is made
    anew each session and read a few times."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(source))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in _KEEP_SHEETS}
    keys = set(list(dict.fromkeys(
        (row[0], row[1]) for row in sheets["Projects (lead partners)"][1:]))[:projects])
    numbers = {name: {1} | {n for n, row in enumerate(rows, start=1)
                            if n > 1 and (row[0], row[1]) in keys}
               for name, rows in sheets.items()}
    members = {member: name for name, member in _KEEP_SHEETS.items()}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in members:
                name = members[item.filename]
                data = _rows_kept(data.decode("utf-8"), numbers[name]).encode("utf-8")
            item.compress_type = zipfile.ZIP_STORED
            dst.writestr(item, data)
    return target


@pytest.fixture(scope="session")
def keep_small(tmp_path_factory: pytest.TempPathFactory, keep_file: Path) -> Path:
    """keep_closed_1420.xlsx cut to its first KEEP_SMALL_PROJECTS projects (made from the
    real file at each session, never kept in the repository)."""
    target = tmp_path_factory.mktemp("keep_small") / "keep_small.xlsx"
    return derive_keep_export(keep_file, target, KEEP_SMALL_PROJECTS)


# -- catalogs built once, copied by file ------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A catalog built once per session, closed: its database (checkpointed: no -wal file) and
    its index folder beside it; ``reports``: the report of each import that made it, as the
    CLI's ``import ... --json`` prints it, by name ("keep", "fixtures", "cordis", "eac")."""

    db: Path
    reports: dict[str, dict[str, Any]]

    @property
    def index(self) -> Path:
        return self.db.with_suffix(".index")  # Settings.index_path without index_dir


def _checkpoint(db: Path) -> None:
    """Move everything the WAL holds into the database file, so that the file alone is the
    store (SQLite does this when the last connection closes; this makes it certain)."""
    if STORE == "postgresql":
        return
    con = sqlite3.connect(db)
    try:
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, f"{db}: a connection is still open"
    finally:
        con.close()


def copy_catalog(built: Built | Path, folder: Path, name: str = "copy") -> Path:
    """A file copy of a closed catalog into ``folder`` (made if missing): ``name``.db (with any
    -wal and -shm file) and ``name``.index; returns the new database path."""
    db = built.db if isinstance(built, Built) else built
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{target}{suffix}"))
    shutil.copytree(db.with_suffix(".index"), target.with_suffix(".index"))
    store_url(target, template=db)
    return target


def cli_env(db: Path, **more: str) -> dict[str, str]:
    """The environment of a command on the catalog at ``db`` on the tests' day (its store in
    PostgreSQL under EUPROJECTS_TEST_STORE=postgresql)."""
    return {"EUPROJECTS_DB": str(db), "EUPROJECTS_TODAY": TODAY.isoformat(),
            "EUPROJECTS_STORE_URL": store_url(db) or "", **more}


def _cli(db: Path, *args: str) -> str:
    """``euprojects ARGS`` on the store ``db``, in this process; returns what it printed."""
    from euprojects.cli import cli

    env = cli_env(db)
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _cli_import(db: Path, source: str, *files: Path) -> dict[str, Any]:
    """``euprojects import SOURCE FILES --json``; returns its report."""
    return json.loads(_cli(db, "import", source, *map(str, files), "--json"))


def _closed(db: Path, reports: dict[str, dict[str, Any]]) -> Built:
    _checkpoint(db)
    assert db.with_suffix(".index").is_dir(), "no search index beside the database"
    return Built(db, reports)


@pytest.fixture(scope="session")
def keep_import(tmp_path_factory: pytest.TempPathFactory, keep_file: Path) -> Built:
    """The real keep.eu file imported alone into an empty store: the one full import of
    keep_closed_1420.xlsx, which the catalogs below start from. Its report is kept as the
    CLI's ``--json`` prints it (the same to_dict, through JSON)."""
    db = tmp_path_factory.mktemp("keep") / "keep.db"
    # Catalog.import_files, as the CLI's import does (the CLI's catching up first makes an
    # empty index, which the import then builds whole: test_search's
    # test_an_import_into_a_fresh_store_searches_as_a_rebuilt_index)
    with Catalog(settings_for(db)) as c:
        report = c.import_files("keep-eu", [keep_file])
    assert report.index_error is None
    return _closed(db, {"keep": json.loads(json.dumps(report.to_dict(), ensure_ascii=False))})


@pytest.fixture(scope="session")
def real_built(tmp_path_factory: pytest.TempPathFactory, keep_import: Built) -> Built:
    """The real keep.eu file, then the hand-made keep.eu fixtures in a second import (through
    the CLI)."""
    db = copy_catalog(keep_import, tmp_path_factory.mktemp("real"), "real")
    fixtures = _cli_import(db, "keep-eu", *KEEP_FIXTURES)
    return _closed(db, {**keep_import.reports, "fixtures": fixtures})


@pytest.fixture(scope="session")
def combined_built(tmp_path_factory: pytest.TempPathFactory, keep_import: Built,
                   cordis_zip: Path, eac_xls: Path) -> Built:
    """keep.eu, CORDIS and EAC: the real files of three sources, imported in that order; the
    CORDIS zip through the CLI (``import cordis ZIP --json``): its one full import."""
    db = copy_catalog(keep_import, tmp_path_factory.mktemp("combined"), "combined")
    cordis = _cli_import(db, "cordis", cordis_zip)
    eac = _cli_import(db, "eac", eac_xls)
    return _closed(db, {**keep_import.reports, "cordis": cordis, "eac": eac})


@pytest.fixture(scope="session")
def small_built(tmp_path_factory: pytest.TempPathFactory, keep_small: Path) -> Built:
    """``keep_small`` (the real keep.eu file cut to its first 600 projects), then the
    hand-made keep.eu fixtures: a catalog of real data a third the size of ``real_built``."""
    db = tmp_path_factory.mktemp("small") / "small.db"
    with Catalog(settings_for(db)) as c:
        small = c.import_files("keep-eu", [keep_small]).to_dict()
        fixtures = c.import_files("keep-eu", KEEP_FIXTURES).to_dict()
    return _closed(db, {"keep_small": small, "fixtures": fixtures})


@dataclass(frozen=True)
class Reimport:
    """The real keep.eu file imported once more into the combined catalog's store: ``db`` the
    store after it (closed); before it, the store's ``fingerprint`` and its number of
    ``organisations``; ``output``: what ``euprojects import keep-eu FILE`` printed."""

    db: Path
    fingerprint: str
    organisations: int
    output: str


@pytest.fixture(scope="session")
def keep_reimport(tmp_path_factory: pytest.TempPathFactory, combined_built: Built,
                  keep_file: Path) -> Reimport:
    """``euprojects import keep-eu FILE`` (text output) into a copy of ``combined_built``, which
    holds that file already (its first import, then CORDIS and EAC): the session's one
    re-import of the real file, read by test_store, test_cli and test_organisations."""
    db = copy_catalog(combined_built, tmp_path_factory.mktemp("keep_again"), "again")
    with Catalog(settings_for(db)) as c:
        fingerprint, organisations = c.store.fingerprint(), c.store.total_organisations()
    output = _cli(db, "import", "keep-eu", str(keep_file))
    _closed(db, {})
    return Reimport(db, fingerprint, organisations, output)


def _open_copy(built: Built, folder: Path) -> Iterator[Catalog]:
    with Catalog(settings_for(copy_catalog(built, folder))) as c:
        yield c


@pytest.fixture(scope="session")
def real_catalog(tmp_path_factory: pytest.TempPathFactory, real_built: Built) -> Catalog:
    """The real keep.eu file and the hand-made keep.eu fixtures, open for the whole session:
    for tests that only read (one that changes it takes ``real_copy``)."""
    yield from _open_copy(real_built, tmp_path_factory.mktemp("real_open"))


@pytest.fixture(scope="session")
def small_catalog(tmp_path_factory: pytest.TempPathFactory, small_built: Built) -> Catalog:
    """``small_built``, open for the whole session: for tests that only read."""
    yield from _open_copy(small_built, tmp_path_factory.mktemp("small_open"))


@pytest.fixture(scope="session")
def combined_catalog(tmp_path_factory: pytest.TempPathFactory,
                     combined_built: Built) -> Catalog:
    """keep.eu, CORDIS and EAC, open for the whole session: for tests that only read."""
    yield from _open_copy(combined_built, tmp_path_factory.mktemp("combined_open"))


@pytest.fixture
def real_copy(tmp_path: Path, real_built: Built) -> Catalog:
    """A catalog of its own on a copy of ``real_catalog``'s data, free to change."""
    yield from _open_copy(real_built, tmp_path / "real_copy")


@pytest.fixture
def combined_copy(tmp_path: Path, combined_built: Built) -> Catalog:
    """A catalog of its own on a copy of ``combined_catalog``'s data, free to change."""
    yield from _open_copy(combined_built, tmp_path / "combined_copy")


@pytest.fixture
def small_copy(tmp_path: Path, small_built: Built) -> Catalog:
    """A catalog of its own on a copy of ``small_catalog``'s data, free to change."""
    yield from _open_copy(small_built, tmp_path / "small_copy")


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """A fresh, empty catalog."""
    with Catalog(settings_for(tmp_path / "test.db")) as c:
        yield c
