"""kill -9 campaigns: a crash at any moment of an import or of ``index --rebuild`` leaves the
store as it was or complete, and the one next command (``euprojects index``) brings the search
index level with the store.

Each test first measures an uninterrupted reference run on a fresh copy of its starting
database, then makes RUNS more fresh copies and kills the command on each with SIGKILL at a
moment drawn from random.Random(SEED), uniform over 0 .. 1.1 x the reference duration. After
each kill it runs ``euprojects index`` once, then compares ``search --json`` (empty query, then
per source) with ``info --json``. Every run is recorded (moment, whether the kill landed before
the command ended on its own, what disagreed) in a JSON summary in the test's tmp dir, printed,
and named in the assertion message.

Marked ``long``: not in the default run (``pytest -m long`` runs them).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY

pytestmark = pytest.mark.long

SEED = 1420
RUNS = 20
SPREAD = 1.1  # kill moments are uniform over 0 .. SPREAD x the reference duration
SOURCES = ("keep", "cordis", "eac")  # the values of the search facet "source", as info names them
TIMEOUT = 300  # seconds any one command may take


# -- running the CLI ------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The environment passed through, without a database or index location (--db says it)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("EUPROJECTS_DB", "EUPROJECTS_INDEX_DIR")}
    env["EUPROJECTS_TODAY"] = TODAY.isoformat()
    return env


def _argv(db: Path, *args: str) -> list[str]:
    # the interpreter this test runs in (the project's venv), directly: no shell in between
    return [sys.executable, "-m", "euprojects", "--db", str(db), *args]


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_argv(db, *args), capture_output=True, text=True, env=_env(),
                          timeout=TIMEOUT, check=False)


def _trouble(proc: subprocess.CompletedProcess[str]) -> str | None:
    """Why a command's run is not clean (exit code, a Traceback), or None."""
    command = " ".join(proc.args[3:])
    if proc.returncode != 0:
        return f"'{command}' exited {proc.returncode}: {proc.stderr.strip()[-800:]}"
    if "Traceback" in proc.stdout or "Traceback" in proc.stderr:
        return f"'{command}' printed a Traceback: {(proc.stderr or proc.stdout)[-800:]}"
    return None


def _must(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    problem = _trouble(proc)
    assert problem is None, problem
    return proc


def _copy(db: Path, folder: Path) -> Path:
    """A fresh copy of a database file (with any WAL files) and its index folder beside it."""
    folder.mkdir(parents=True)
    target = folder / db.name
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copy2(source, Path(f"{target}{suffix}"))
    index = db.with_suffix(".index")  # settings.Settings.index_path, no index_dir set
    if index.exists():
        shutil.copytree(index, target.with_suffix(".index"))
    return target


# -- what the store holds, what the index finds ---------------------------------------------------


def _state(info: dict[str, Any]) -> dict[str, Any]:
    """What 'info --json' says of the store, without the import times."""
    return {
        "totals": info["totals"],
        "sources": {name: {"projects": c["projects"], "participations": c["participations"]}
                    for name, c in info["sources"].items()},
        "imports": [entry["id"] for entry in info["imports"]],
    }


def _check(db: Path) -> tuple[dict[str, Any] | None, dict[str, Any], list[str]]:
    """The one next command (plain 'index'), then the searches, then 'info'.

    Returns the store's state (None when 'info' failed), the search totals and the problems.
    The searches run before 'info', so that only 'index' (or the search itself) can have
    brought the index level with the store.
    """
    problems: list[str] = []
    found: dict[str, Any] = {}
    problem = _trouble(_cli(db, "index"))
    if problem:
        problems.append(problem)
    for source in (None, *SOURCES):
        proc = _cli(db, "search", "--json", "--size", "1",
                    *(("--source", source) if source else ()))
        problem = _trouble(proc)
        if problem:
            problems.append(problem)
            continue
        found[source or "all"] = json.loads(proc.stdout)["meta"]["total"]
    proc = _cli(db, "info", "--json")
    problem = _trouble(proc)
    if problem:
        return None, found, [*problems, problem]
    info = json.loads(proc.stdout)
    held = {"all": info["totals"]["projects"],
            **{s: info["sources"].get(s, {}).get("projects", 0) for s in SOURCES}}
    for key, total in found.items():
        if total != held[key]:
            what = "search" if key == "all" else f"search --source {key}"
            problems.append(f"'{what}' finds {total} projects, the store holds {held[key]}")
    return _state(info), found, problems


# -- one campaign -------------------------------------------------------------------------------


def _campaign(name: str, start: Path, args: tuple[str, ...], tmp_path: Path,
              changes_store: bool) -> None:
    runs: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"command": " ".join(args), "seed": SEED, "runs": runs}
    summary_path = tmp_path / f"crash-{name}.json"

    def write_summary() -> None:
        summary_path.write_text(json.dumps(summary, indent=1), encoding="utf-8")

    # the starting database is itself consistent: this is the state "as before"
    before, found, problems = _check(_copy(start, tmp_path / "before"))
    assert before is not None and not problems, f"the starting database of {name}: {problems}"
    summary["before"] = before

    # the reference: uninterrupted, timed as the killed runs are
    db = _copy(start, tmp_path / "reference")
    began = time.monotonic()
    proc = subprocess.run(_argv(db, *args), capture_output=True, text=True, env=_env(),
                          timeout=TIMEOUT, check=False)
    duration = time.monotonic() - began
    _must(proc)
    complete, found, problems = _check(db)
    assert complete is not None and not problems, f"the reference run of {name}: {problems}"
    if changes_store:
        assert complete != before, f"the reference run of {name} changed nothing in the store"
    else:
        assert complete == before, f"the reference run of {name} changed the store: {complete}"
    summary.update(reference_seconds=round(duration, 3), complete=complete)

    rng = random.Random(SEED)
    for number in range(RUNS):
        fraction = rng.uniform(0, SPREAD)
        moment = fraction * duration
        folder = tmp_path / f"run-{number:02d}"
        db = _copy(start, folder)
        out, err = folder / "stdout.txt", folder / "stderr.txt"
        with out.open("w") as stdout, err.open("w") as stderr:
            began = time.monotonic()
            child = subprocess.Popen(_argv(db, *args), stdout=stdout, stderr=stderr, env=_env())
            try:
                try:
                    child.wait(timeout=max(0.0, began + moment - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.kill(child.pid, signal.SIGKILL)  # its pid: no shell in between
                sent = time.monotonic() - began
                child.wait(timeout=60)
            finally:
                if child.poll() is None:  # the test itself failed here: leave nothing running
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait(timeout=60)
        killed = child.returncode == -signal.SIGKILL
        run: dict[str, Any] = {
            "run": number, "fraction": round(fraction, 4), "moment_s": round(moment, 3),
            "killed_at_s": round(sent, 3), "killed_before_end": killed,
            "returncode": child.returncode,
        }
        problems = []
        if not killed:  # it ended on its own before the kill: as the reference did
            output = out.read_text() + err.read_text()
            if child.returncode != 0 or "Traceback" in output:
                problems.append(f"the command ended by itself with exit {child.returncode}: "
                                f"{output[-800:]}")
        state, found, more = _check(db)
        problems += more
        run["store"] = ("before" if state == before else "complete" if state == complete
                        else "other")
        if run["store"] == "other":
            problems.append(f"the store is neither as before nor complete: {state}")
        run.update(search_totals=found, store_projects=state and state["totals"]["projects"],
                   problems=problems)
        runs.append(run)
        if problems:
            run["folder"] = str(folder)  # kept for a look
        else:
            shutil.rmtree(folder)
        write_summary()

    write_summary()
    print(f"\n{name}: reference {duration:.2f} s, seed {SEED}, summary in {summary_path}")
    for run in runs:
        print(f"  run {run['run']:2d}: kill at {run['moment_s']:6.3f} s "
              f"({'landed' if run['killed_before_end'] else 'after the end'}), "
              f"store {run['store']}, search {run['search_totals']}, "
              f"store projects {run['store_projects']}"
              + (f"  FAILED: {run['problems']}" if run["problems"] else ""))
    failed = [r for r in runs if r["problems"]]
    assert not failed, (
        f"{name}: {len(failed)} of {RUNS} kills (seed {SEED}, reference {duration:.2f} s) left "
        "the search index and the store disagreeing or a command failing:\n"
        + "\n".join(f"  run {r['run']} killed at {r['moment_s']:.3f} s "
                    f"(sent at {r['killed_at_s']:.3f} s, fraction {r['fraction']}, seed {SEED}, "
                    f"{'landed' if r['killed_before_end'] else 'after the end'}, "
                    f"store {r['store']}): {'; '.join(r['problems'])}"
                    for r in failed)
        + f"\nsummary: {summary_path}"
    )


# -- the starting databases, built once per module ------------------------------------------------


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crash-bases")


@pytest.fixture(scope="module")
def start_empty(bases: Path) -> Path:
    """No project yet, but an (empty) index: an import then updates the index in place."""
    folder = bases / "empty"
    folder.mkdir()
    db = folder / "start.db"
    _must(_cli(db, "index"))
    assert db.with_suffix(".index").is_dir()
    return db


def _imported(bases: Path, start: Path, name: str, source: str, file: Path) -> Path:
    """A copy of the ``start`` store with one more source imported."""
    db = _copy(start, bases / name)
    _must(_cli(db, "import", source, str(file)))
    return db


@pytest.fixture(scope="module")
def start_keep(bases: Path, start_empty: Path, keep_file: Path) -> Path:
    return _imported(bases, start_empty, "keep", "keep-eu", keep_file)


@pytest.fixture(scope="module")
def start_keep_cordis(bases: Path, start_keep: Path, cordis_zip: Path) -> Path:
    return _imported(bases, start_keep, "keep-cordis", "cordis", cordis_zip)


@pytest.fixture(scope="module")
def start_all(bases: Path, start_keep_cordis: Path, eac_xls: Path) -> Path:
    return _imported(bases, start_keep_cordis, "all", "eac", eac_xls)


# -- the campaigns --------------------------------------------------------------------------------


def test_kill_during_keep_import(tmp_path, start_empty, keep_file):
    _campaign("keep-eu", start_empty, ("import", "keep-eu", str(keep_file)), tmp_path,
              changes_store=True)


def test_kill_during_cordis_import(tmp_path, start_keep, cordis_zip):
    _campaign("cordis", start_keep, ("import", "cordis", str(cordis_zip)), tmp_path,
              changes_store=True)


def test_kill_during_eac_import(tmp_path, start_keep_cordis, eac_xls):
    _campaign("eac", start_keep_cordis, ("import", "eac", str(eac_xls)), tmp_path,
              changes_store=True)


def test_kill_during_index_rebuild(tmp_path, start_all):
    _campaign("index-rebuild", start_all, ("index", "--rebuild"), tmp_path, changes_store=False)
