"""CLI faults: what the command line does when the disk, the database or the input file fails it.

The contract for every failure: exit code 1, no "Traceback" on either stream, and standard error
ends with ONE line starting with "Error: " that names the cause. Where the fault can leave
something behind, the test checks that the store holds what it held before (``info --json``) or,
for the search index, that the next ``euprojects index`` brings it level with the store.

The faults are real, not mocked: a full disk is a small tmpfs mounted in the test's tmp dir
(unmounted at teardown, always), a read-only database is an immutable file (``chattr +i``), a
damaged database has garbage written over its pages. Mounting and ``chattr`` need root; the
tests run as root (in CI too) and are skipped elsewhere (failed when CI=true).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import DATA, KEEP_SMALL_PROJECTS, TODAY, _need, copy_catalog, shared_data_dir

SEED = DATA / "keep" / "keep_api_seed.json"
MORE = DATA / "keep" / "keep_api_projects.json"
KEEP_PROJECTS = 1852  # projects of keep_closed_1420.xlsx (tests/test_cli.py)
TIMEOUT = 120  # seconds any one command may take

# Sizes measured on the current code: a complete import of keep_closed_1420.xlsx makes a 21 MB
# database (5369 pages of 4096 bytes) and an 8.4 MB search index; its first 600 projects
# (conftest.keep_small, what the disk tests import) a 7.3 MB database and a 2.8 MB index; the
# seed file alone makes a 72 KB database and a 56 KB index.
STORE_DISK = "4m"  # holds the seed's database and index, not the keep_small import's database
INDEX_DISK = "1m"  # holds the seed's index, not the keep_small import's index update
ROOMY_DISK = "64m"


def _cannot(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


# -- running the CLI ------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    """The environment passed through, without a database or index location (--db says it)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("EUPROJECTS_DB", "EUPROJECTS_INDEX_DIR", "EUPROJECTS_MAX_MEMBER_BYTES")}
    env["EUPROJECTS_TODAY"] = TODAY.isoformat()
    # no dictionaries read into the index (6.5 MB of translations per generation): the disks
    # of these tests are sized to a store and an index without them
    env["EUPROJECTS_DICTIONARIES_DIR"] = str(Path(__file__).resolve().parent / "no-dictionaries")
    env.update(extra)
    return env


def _argv(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "euprojects", "--db", str(db), *args]


def _cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_argv(db, *args), capture_output=True, text=True, env=_env(**env),
                          timeout=TIMEOUT, check=False)


def _ok(db: Path, *args: str, **env: str) -> str:
    proc = _cli(db, *args, **env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    return proc.stdout


def _info(db: Path, **env: str) -> dict:
    return json.loads(_ok(db, "info", "--json", **env))


def _shown(proc: subprocess.CompletedProcess[str]) -> str:
    return (f"exit code {proc.returncode}\n--- stdout (end):\n{proc.stdout[-2000:]}"
            f"\n--- stderr (end):\n{proc.stderr[-4000:]}")


def _failed(proc: subprocess.CompletedProcess[str]) -> str:
    """Check the contract of a CLI failure; returns the final "Error: " line."""
    assert "Traceback" not in proc.stdout, _shown(proc)
    assert "Traceback" not in proc.stderr, _shown(proc)
    assert proc.returncode == 1, _shown(proc)
    lines = proc.stderr.splitlines()
    assert lines and lines[-1].startswith("Error: "), _shown(proc)
    assert [line for line in lines if line.startswith("Error: ")] == [lines[-1]], _shown(proc)
    return lines[-1]


# -- real faults: a small disk, an immutable file -------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """mount(name, size): a tmpfs of that size at tmp_path/name; all unmounted at teardown."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            _cannot(f"cannot mount a tmpfs (needs root): {proc.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


@pytest.fixture
def read_only(tmp_path):
    """make(path): a database file SQLite cannot write, even as root; undone at teardown.

    chmod 0444 stops SQLite writing only for other users than root. As root, what does stop
    it is the immutable attribute (chattr +i): opening the file for writing fails (EPERM),
    SQLite opens it read-only and every write fails with "attempt to write a readonly
    database", while the folder stays writable (the -wal and -shm files can be made, reads
    work) -- exactly a 0444 file for an ordinary user. A read-only mount was tried too: there
    SQLite cannot even open a WAL database for reading ("unable to open database file", it
    cannot make the -shm file), a different fault."""
    made: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(0o444)
        if os.geteuid() != 0:
            return  # 0444 is enough for a user that is not root
        proc = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            _cannot(f"chattr +i does not work here: {proc.stderr.strip()}")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    """A store that ``euprojects import keep-eu SEED`` made, closed, for tests to copy."""
    db = tmp_path_factory.mktemp("seed_store") / "seed.db"
    _ok(db, "import", "keep-eu", str(SEED))
    return db


@pytest.fixture
def seeded(tmp_path, seed_store) -> Path:
    """A copy of ``seed_store`` of the test's own: tmp_path/store.db and its index."""
    return copy_catalog(seed_store, tmp_path, "store")


# -- 1. a read-only database ----------------------------------------------------------------------


def test_import_into_a_read_only_database(seeded, read_only):
    db = seeded  # the seed imported
    before = _info(db)
    read_only(db)

    error = _failed(_cli(db, "import", "keep-eu", str(MORE)))
    assert "read-only" in error
    assert _info(db) == before  # still readable, and nothing was written


# -- 2. a database folder that cannot be made -----------------------------------------------------


@pytest.mark.parametrize("args", [("import", "keep-eu", str(SEED)), ("info",)],
                         ids=["import", "info"])
def test_database_folder_that_cannot_be_created(tmp_path, args):
    somefile = tmp_path / "somefile.txt"
    somefile.write_text("a file, not a folder\n", encoding="utf-8")

    error = _failed(_cli(somefile / "sub" / "x.db", *args))
    assert "cannot create" in error
    assert somefile.read_text(encoding="utf-8") == "a file, not a folder\n"


# -- 3. the disk fills during the store write -----------------------------------------------------


def test_disk_full_during_the_store_write(tmpfs, keep_small):
    disk = tmpfs("store", STORE_DISK)
    db = disk / "full.db"
    _ok(db, "import", "keep-eu", str(SEED))
    before = _info(db)

    proc = _cli(db, "import", "keep-eu", str(keep_small))
    error = _failed(proc)
    assert "disk is full" in error  # SQLite's own word for the cause
    assert "cannot rollback" not in proc.stdout + proc.stderr

    _remount(disk, f"size={ROOMY_DISK}")
    assert _info(db) == before
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        check.close()


# -- 4. the disk fills during the index update only -----------------------------------------------


def test_disk_full_during_the_index_update(tmp_path, tmpfs, keep_small):
    index_disk = tmpfs("index", INDEX_DISK)
    env = {"EUPROJECTS_INDEX_DIR": str(index_disk / "search.index")}
    db = tmp_path / "store.db"
    _ok(db, "import", "keep-eu", str(SEED), **env)
    before = _info(db, **env)

    proc = _cli(db, "import", "keep-eu", str(keep_small), **env)
    error = _failed(proc)
    assert re.search(r"no space|disk is full", error, re.IGNORECASE), _shown(proc)
    lines = (proc.stdout + proc.stderr).splitlines()
    assert any("committed" in line for line in lines), _shown(proc)
    assert any(re.search(r"\bindex\b.*\bnot\b", line, re.IGNORECASE) for line in lines), (
        _shown(proc))
    after = _info(db, **env)  # the store part is there
    assert after["totals"]["projects"] == before["totals"]["projects"] + KEEP_SMALL_PROJECTS

    _remount(index_disk, f"size={ROOMY_DISK}")
    _ok(db, "index", **env)  # plain: no --rebuild
    found = json.loads(_ok(db, "search", "--json", **env))
    assert found["meta"]["total"] == after["totals"]["projects"]


# -- 5. a database with damaged pages -------------------------------------------------------------

PAGE = 4096
DAMAGED_PAGES = range(3, 21)  # SQLite's page numbers (page 1 starts the file)


@pytest.fixture(scope="module")
def keep_store(tmp_path_factory, keep_import):
    """A database and its index holding the real keep.eu file, checkpointed and closed (a copy
    of the session's import of it, conftest.keep_import)."""
    db = copy_catalog(keep_import, tmp_path_factory.mktemp("keep_store"), "keep")
    assert _info(db)["totals"]["projects"] == KEEP_PROJECTS  # the CLI reads it
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert con.execute("PRAGMA page_size").fetchone()[0] == PAGE
        assert con.execute("PRAGMA page_count").fetchone()[0] > max(DAMAGED_PAGES) * 10
    finally:
        con.close()
    return db


@pytest.fixture
def damaged_db(tmp_path, keep_store):
    db = tmp_path / "damaged.db"
    shutil.copyfile(keep_store, db)
    shutil.copytree(keep_store.with_suffix(".index"), db.with_suffix(".index"))  # a good index
    garbage = random.Random(1420).randbytes(len(DAMAGED_PAGES) * PAGE)
    with db.open("r+b") as f:
        f.seek((DAMAGED_PAGES[0] - 1) * PAGE)
        f.write(garbage)
    return db


@pytest.mark.parametrize("args", [("info",), ("search",), ("list",)], ids=lambda a: a[0])
def test_damaged_database_is_reported(damaged_db, args):
    error = _failed(_cli(damaged_db, *args))
    assert "damaged" in error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_a_damaged_database(tmp_path, damaged_db):
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(_argv(damaged_db, "serve", "--port", str(_free_port())),
                                  stdout=stdout, stderr=stderr, env=_env(), text=True)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            pytest.fail("serve started serving a damaged database instead of refusing:\n"
                        + out.read_text() + err.read_text())
    proc = subprocess.CompletedProcess(server.args, server.returncode, out.read_text(),
                                       err.read_text())
    error = _failed(proc)
    assert "damaged" in error


# -- 6. JSON nested too deep ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000],
                         ids=["arrays", "objects"])
def test_deeply_nested_json_is_refused(tmp_path, seeded, text):
    db = seeded  # the seed imported
    before = _info(db)
    deep = tmp_path / "deep.json"
    deep.write_text(text, encoding="utf-8")

    error = _failed(_cli(db, "import", "keep-eu", str(deep)))
    assert "nested" in error
    assert _info(db) == before  # no import recorded


# -- 7. an xlsx given as a CORDIS zip -------------------------------------------------------------


def test_xlsx_given_to_import_cordis_is_refused_whole(seeded, keep_file):
    db = seeded  # the seed imported
    before = _info(db)

    error = _failed(_cli(db, "import", "cordis", str(keep_file)))
    assert "not a CORDIS" in error
    after = _info(db)
    assert "cordis" not in after["sources"]
    assert after == before  # no import recorded


# -- 8. a zip member that declares a huge size ----------------------------------------------------

HUGE = 300 * 1024 * 1024  # bytes of the big member, uncompressed
MAX_MEMBER = 50_000_000
PEAK_RSS = 400 * 1024 * 1024


def _zip_with_a_huge_member(path: Path) -> str:
    """A CORDIS-like zip: one project XML member of HUGE bytes (spaces, deflated to ~300 KB),
    written chunk by chunk, and one real member of the CORDIS sample; returns its name."""
    real = _need(shared_data_dir() / "cordis" / "cordis_horizon_projects_xml_sample.zip")
    with zipfile.ZipFile(real) as source:
        valid = source.infolist()[0].filename
        valid_bytes = source.read(valid)
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("huge.xml", "w") as member:
            member.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<project>')
            for _ in range(HUGE // len(chunk)):
                member.write(chunk)
            member.write(b"</project>\n")
        archive.writestr(valid, valid_bytes)
    return valid


def _high_water(pid: int) -> int:
    """The peak resident memory of a running process so far, in bytes (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) * 1024 if found else 0


@pytest.mark.slow
def test_a_huge_zip_member_is_rejected_without_reading_it_whole(tmp_path):
    big = tmp_path / "huge.zip"
    valid = _zip_with_a_huge_member(big)
    with zipfile.ZipFile(big) as archive:
        assert archive.getinfo("huge.xml").file_size > HUGE  # declared in the zip
    db = tmp_path / "store.db"
    out, err = tmp_path / "import.out", tmp_path / "import.err"
    argv = _argv(db, "import", "cordis", str(big), "--json")
    env = _env(EUPROJECTS_MAX_MEMBER_BYTES=str(MAX_MEMBER))
    # The child's own high-water mark (VmHWM of its address space after exec), read while it
    # runs: the peak RSS that wait4 reports would count this test process's pages, which a
    # forked or spawned child carries until its exec.
    peak = 0
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env)
        while child.poll() is None:
            peak = max(peak, _high_water(child.pid))
            time.sleep(0.01)
    proc = subprocess.CompletedProcess(argv, child.returncode, out.read_text(),
                                       err.read_text())
    assert proc.returncode == 0, _shown(proc)
    assert "Traceback" not in proc.stderr, _shown(proc)
    report = json.loads(proc.stdout)
    (file,) = report["files"]
    assert (file["rows_read"], file["rows_imported"], file["rows_rejected"]) == (2, 1, 1)
    rejected = [i for i in file["issues"] if i["action"] == "rejected"]
    assert [i["member"] for i in rejected] == ["huge.xml"]
    assert "larger than" in rejected[0]["reason"], rejected[0]
    assert report["projects"]["created"] == 1
    assert _info(db)["sources"]["cordis"]["projects"] == 1
    assert peak > 20 * 2**20  # the measure saw the child running
    assert peak < PEAK_RSS, f"peak RSS {peak / 2**20:.0f} MB reading {valid} and huge.xml"
