"""Soak test of the portal on loopback: many clients for minutes while the data changes.

    python bench/soak.py [--seconds 600] [--workers 1,2] [--clients 50] [--db DB] [--json]
                         [--out FILE] [--src SNAPSHOT/src --code LABEL] [--no-maintenance]

What it does, for each worker count of ``--workers`` (default ``1,2``: both in one invocation):

- The catalog: without ``--db``, a temporary store built from the three real files of the
  shared data folder (env ``EUPROJECTS_SHARED_DATA``, default ``../shared/data`` from the repo
  root): ``import keep-eu keep/keep_closed_1420.xlsx``, ``import cordis
  cordis/cordis_horizon_projects_xml_sample.zip``, ``import eac
  eac/creative_europe_project_results_sample.xls`` (the first import builds the index). With
  ``--db DB`` the store is copied (SQLite backup, plus its ``DB.index`` folder if there is one)
  into the temporary folder: the soak changes data, never in the given file. Everything lives
  in one temporary folder, removed at the end (``--keep-temp`` keeps it).
- ``euprojects --db DB serve --host 127.0.0.1 --port FREE --workers N`` (loopback only; the
  children run without the caller's ``EUPROJECTS_*`` variables), waited for until
  ``/api/v1/projects?size=1`` answers 200.
- ``--clients`` threads (default 50), each with one kept-alive ``http.client`` connection (a
  new one after a failure or when the server closes it), for ``--seconds`` (default 600) or
  until ``--max-requests`` requests were sent in the run, whichever comes first. No think
  time, except that after an answer a client pauses with chance ``--pauses`` (default 0.01)
  for 1 to ``--pause-max`` s (default 8), as a reader does, keeping its connection: pauses
  longer than the server's keep-alive timeout (``serve --keep-alive``, 75 s by default;
  uvicorn's own default is 5 s) make the next request race the server's closing of the idle
  connection, which a client sees as a reset (``--pauses 0``: a closed loop without any).
  The mix (weights in MIX): API searches with text from WORDS (~30 real
  words and phrases of the three sources, some misspelt, some with a country filter or a
  sort); API searches with facet filters only (source alone, source and country, country
  alone); the next page of an earlier API answer through its ``meta.next_cursor``; project
  pages ``/en/projects/{id}`` (sometimes /fr/, /de/) and ``/api/v1/projects/{id}`` with ids
  taken from earlier answers; the search page ``/en/projects?q=...``; now and then a small
  CSV export (``/api/v1/projects.csv?source=eac``, 19 projects, or a narrow text search in
  one country).
- Meanwhile one thread changes the data at fixed fractions of the run, each a separate
  ``euprojects`` process on the same store: at 25% a re-import of CORDIS, at 50% and 75%
  ``index --rebuild``. The re-import is a copy of the CORDIS sample zip in which every tenth
  project's ``<objective>`` ends in a marker word of the run (``soakmarka``, ``soakmarkb``...),
  so about 190 projects really change (store rows and their index documents are rewritten,
  which a re-import of the unchanged zip would not do: "nothing changed") while no project is
  created or removed: the per-source project counts stay what they were. The import's JSON
  report must say 0 projects created, or the run fails.
- Checks. Every answer must be 200: any other status, any exception and connection resets
  (``ConnectionResetError``, ``http.client.RemoteDisconnected``, ``BrokenPipeError``, counted
  apart, with whether the connection was fresh or had served requests before and how long it
  had been idle) are counted separately. Wrong results: an API search whose only filter is
  ``source`` (no text, whatever the page or sort) must have ``meta.total`` equal to the
  store's project count of those sources, read once before from ``euprojects info --json``;
  the CSV export of ``source=eac`` must hold that many rows; ``/api/v1/projects/{id}`` must
  answer that id; a 200 whose JSON does not parse counts too. After the load, on fresh
  connections (several, to reach every worker): each source's total once more, and a search
  for the run's marker word (``typos=0``) must find exactly the re-imported projects that
  carry it (the server sees the import). ``info --json`` is read again at the end: the
  counts must not have moved.
- Memory: every ``--sample-every`` seconds (default 2) the RSS of the server process and all
  its children (psutil), summed; start (load begins), max, end (load over). The server's CPU
  seconds (user + system, process and children) over the load are reported too.

Output: one row per worker count (requests, req/s, p50/p95/p99 latency in ms over every
answered request, non-200 answers, exceptions, resets, wrong results, RSS start/max/end in MiB)
as a Markdown table followed by details (maintenance steps, error kinds, first failures with
their time and what was running then, per-kind latency), or all of it as JSON with ``--json``;
``--out FILE`` writes the JSON too. Exit status 1 if any run saw a non-200 answer, an
exception, a reset, a wrong result or a failed maintenance step; 2 on a setup failure.

``--src DIR`` runs the package in DIR instead of the installed one (children get
``PYTHONPATH=DIR``): measure a ``git archive`` copy of a commit while others edit the working
tree, and name it with ``--code``.

The clients share the machine with the server (and with the maintenance processes): on a
2-core machine the figures are the whole system's, not the server's alone. Progress goes to
standard error.
"""

from __future__ import annotations

import argparse
import collections
import csv
import http.client
import io
import itertools
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always
DATA = Path(os.environ.get("EUPROJECTS_SHARED_DATA", REPO.parent / "shared" / "data"))
KEEP_FILE = "keep/keep_closed_1420.xlsx"
CORDIS_FILE = "cordis/cordis_horizon_projects_xml_sample.zip"
EAC_FILE = "eac/creative_europe_project_results_sample.xls"

# Real words and phrases of the three sources (keep.eu, CORDIS, EAC), a few misspelt (typo
# tolerance), a few with the query syntax (phrase, OR, exclusion).
WORDS = [
    "cross-border cooperation", "tourism", "cultural heritage", "Danube", "Baltic Sea",
    "flood risk", "innovation", "health care", "water management", "Arctic",
    "renewable energy", "biodiversity", "rural development", "hydrogen", "battery recycling",
    "quantum", "artificial intelligence", "cancer", "climate change", "photonics",
    "circular economy", "machine learning", "film", "theatre", "literary translation",
    "museum", "fisheries", "dementia", "youth employment", "\"energy efficiency\"",
    "wind OR solar", "digital -health",
    "sustainble", "biodiversty", "renewabel energy", "hydrogn", "tourisim", "herritage",
    "artifical intelligence",
]
COUNTRIES = ["DE", "ES", "IT", "FR", "GB", "NL", "BE", "AT", "PL", "SE", "GR", "BG", "FI",
             "CZ", "PT", "RO", "HU", "DK", "LT", "IE"]
SORTS = ["-start_date", "start_date", "-eu_contribution", "end_date"]
MIX = {  # kind: weight
    "search": 30,      # API, text (+ country, sort)
    "facets": 15,      # API, facet filters only (source alone: checked)
    "next_page": 13,   # API, the next page of an earlier answer (its cursor)
    "project": 17,     # HTML project page
    "api_project": 5,  # API project
    "html_search": 17,  # HTML search page
    "csv": 3,          # small CSV export
}
RESET_TYPES = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
MARKED_EVERY = 10
MAX_FAILURES_KEPT = 40


class SetupError(Exception):
    """The soak could not start: no data, a failed import, a server that does not answer."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


SRC: Path | None = None  # --src: the euprojects sources the children run


def child_env() -> dict[str, str]:
    """The caller's environment without EUPROJECTS_* settings (db, host, port...); with
    --src, PYTHONPATH puts those sources before the installed package."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    if SRC is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env


def euprojects(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "euprojects", "--db", str(db), *args]


def run_cli(db: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(euprojects(db, *args), env=child_env(), capture_output=True,
                          text=True, timeout=timeout, cwd=db.parent)


def machine(code: str | None) -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if code is None:
        code = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip()
        if SRC is not None:
            code = f"sources in {SRC} (this checkout: {code})"
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "system": platform.platform(), "code": code,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


# -- the catalog ------------------------------------------------------------------------------


def build_catalog(folder: Path, data: Path) -> Path:
    db = folder / "soak.db"
    for source, name in (("keep-eu", KEEP_FILE), ("cordis", CORDIS_FILE), ("eac", EAC_FILE)):
        path = data / name
        if not path.is_file():
            raise SetupError(f"missing data file {path} (EUPROJECTS_SHARED_DATA?)")
        log(f"import {source} {path.name}")
        done = run_cli(db, "import", source, str(path))
        if done.returncode != 0:
            raise SetupError(f"import {source} failed: {done.stderr[-2000:]}")
    done = run_cli(db, "index")  # the first import built it; this only says so
    if done.returncode != 0:
        raise SetupError(f"index failed: {done.stderr[-2000:]}")
    return db


def copy_catalog(source_db: Path, folder: Path) -> Path:
    """A consistent copy of a store (SQLite backup) and of its index folder, if any."""
    if not source_db.is_file():
        raise SetupError(f"no database {source_db}")
    db = folder / "soak.db"
    log(f"copying {source_db} into {folder}")
    src = sqlite3.connect(f"file:{source_db}?mode=ro", uri=True)
    dst = sqlite3.connect(db)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    index = source_db.with_suffix(".index")
    if index.is_dir():
        shutil.copytree(index, db.with_suffix(".index"))
    return db


def source_counts(db: Path) -> dict[str, int]:
    done = run_cli(db, "info", "--json")
    if done.returncode != 0:
        raise SetupError(f"info failed: {done.stderr[-2000:]}")
    return {name: c["projects"] for name, c in json.loads(done.stdout)["sources"].items()}


def marked_cordis(src: Path, dst: Path, marker: str) -> int:
    """A copy of the CORDIS XML zip in which every MARKED_EVERY-th project's objective ends in
    ``marker``: the same projects (same ids), about a tenth of them changed."""
    marked = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=1) as zout:
        for n, info in enumerate(zin.infolist()):
            body = zin.read(info)
            if n % MARKED_EVERY == 0 and b"</objective>" in body:
                body = body.replace(b"</objective>", f" {marker}.</objective>".encode(), 1)
                marked += 1
            zout.writestr(info, body)
    return marked


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(db: Path, port: int, workers: int, logfile: Path,
                 timeout_s: float = 180) -> subprocess.Popen[bytes]:
    cmd = euprojects(db, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers))
    with logfile.open("ab") as out:
        server = subprocess.Popen(cmd, env=child_env(), stdout=out, stderr=subprocess.STDOUT,
                                  cwd=db.parent)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"the server stopped ({server.returncode}): "
                             f"{logfile.read_text(errors='replace')[-2000:]}")
        try:
            if get(port, "/api/v1/projects?size=1", timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SetupError(f"the server did not answer within {timeout_s} s")


def server_processes(server: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        parent = psutil.Process(server.pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server (uvicorn stops its workers), then SIGKILL to whatever of the
    processes it started is left, each by its pid."""
    children = server_processes(server)[1:]
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    for child in children:
        try:
            child.wait(timeout=5)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.NoSuchProcess:
            pass


class Sampler(threading.Thread):
    """The server's RSS (its process and every child, summed) every ``every`` seconds."""

    def __init__(self, server: subprocess.Popen[bytes], every: float) -> None:
        super().__init__(name="rss", daemon=True)
        self.server, self.every = server, every
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, int]] = []  # (offset s, rss bytes, processes)
        self.t0 = time.monotonic()

    def sample(self) -> tuple[int, int]:
        rss, count = 0, 0
        for p in server_processes(self.server):
            try:
                rss += p.memory_info().rss
                count += 1
            except psutil.Error:
                pass
        self.samples.append((round(time.monotonic() - self.t0, 1), rss, count))
        return rss, count

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in server_processes(self.server):
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()


# -- the load ---------------------------------------------------------------------------------


@dataclass
class Shared:
    """What the clients share: the port, the expected counts, the failures, the clock."""

    port: int
    counts: dict[str, int]
    t0: float
    deadline: float
    budget: itertools.count  # next() is atomic: the request numbers of the run
    max_requests: int
    timeout: float
    pauses: float = 0.0  # chance of a reader's pause after an answer
    pause_max: float = 8.0
    ids: collections.deque = field(default_factory=lambda: collections.deque(maxlen=3000))
    activity: str = "no step yet"  # what the maintenance thread is doing now
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: list[dict[str, Any]] = field(default_factory=list)
    by_activity: collections.Counter = field(default_factory=collections.Counter)

    def fail(self, category: str, kind: str, what: str, path: str) -> None:
        with self.lock:
            self.by_activity[f"{category} during {self.activity}"] += 1
            if len(self.failures) < MAX_FAILURES_KEPT:
                self.failures.append({"t": round(time.monotonic() - self.t0, 2),
                                      "during": self.activity, "category": category,
                                      "kind": kind, "what": what, "path": path})


def expected_total(counts: dict[str, int], sources: list[str]) -> int:
    return sum(counts.get(s, 0) for s in sources)


class Client(threading.Thread):
    def __init__(self, number: int, shared: Shared, seed: int) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.s = shared
        self.rng = random.Random(seed * 1000 + number)
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]
        self.cursors: collections.deque = collections.deque(maxlen=20)  # (params, cursor)
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: collections.Counter = collections.Counter()
        self.exceptions: collections.Counter = collections.Counter()
        self.resets: collections.Counter = collections.Counter()
        self.reset_on: collections.Counter = collections.Counter()  # fresh / reused connection
        self.wrong: collections.Counter = collections.Counter()
        self.checked = 0

    # what to ask

    def _text_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"q": self.rng.choice(WORDS)}
        if self.rng.random() < 0.3:
            params["country"] = self.rng.choice(COUNTRIES)
        if self.rng.random() < 0.2:
            params["sort"] = self.rng.choice(SORTS)
        if self.rng.random() < 0.3:
            params["size"] = self.rng.choice([20, 50])
        return params

    def _facet_params(self) -> dict[str, Any]:
        sources = sorted(self.s.counts)
        r = self.rng.random()
        if r < 0.6:  # source alone: its total is checked
            params: dict[str, Any] = {"source": self.rng.sample(sources,
                                                                 self.rng.choice([1, 1, 2]))}
        elif r < 0.8:
            params = {"source": self.rng.choice(sources),
                      "country": self.rng.sample(COUNTRIES, self.rng.choice([1, 2]))}
        else:
            params = {"country": self.rng.choice(COUNTRIES)}
        if self.rng.random() < 0.3:
            params["sort"] = self.rng.choice(SORTS)
        if self.rng.random() < 0.3:
            params["size"] = self.rng.choice([20, 50])
        return params

    def next_request(self) -> tuple[str, str, dict[str, Any] | None]:
        """(kind, path, params of an API search or None)."""
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "next_page" and not self.cursors:
            kind = "facets"
        if kind in {"project", "api_project"} and not self.s.ids:
            kind = "search"
        if kind == "search":
            params = self._text_params()
        elif kind == "facets":
            params = self._facet_params()
        elif kind == "next_page":
            base, cursor = self.cursors[self.rng.randrange(len(self.cursors))]
            params = {**base, "cursor": cursor}
        elif kind == "project":
            lang = self.rng.choices(["en", "fr", "de"], [8, 1, 1])[0]
            return kind, f"/{lang}/projects/{self.rng.choice(self.s.ids)}", None
        elif kind == "api_project":
            return kind, f"/api/v1/projects/{self.rng.choice(self.s.ids)}", None
        elif kind == "html_search":
            params = self._text_params()
            if self.rng.random() < 0.2:
                params["source"] = self.rng.choice(sorted(self.s.counts))
            return kind, f"/en/projects?{urlencode(params, doseq=True)}", None
        else:  # csv
            if self.rng.random() < 0.5:
                return kind, "/api/v1/projects.csv?source=eac", {"source": ["eac"]}
            params = {"q": self.rng.choice(["battery recycling", "literary translation",
                                            "dementia", "microplastics", "vaccine"]),
                      "country": self.rng.choice(["DE", "FR", "IT", "ES"])}
            return kind, f"/api/v1/projects.csv?{urlencode(params)}", params
        return kind, f"/api/v1/projects?{urlencode(params, doseq=True)}", params

    # checking the answer

    def check(self, kind: str, path: str, params: dict[str, Any] | None, body: bytes) -> None:
        if kind == "csv":
            if params == {"source": ["eac"]}:
                rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
                self.checked += 1
                if len(rows) - 1 != self.s.counts.get("eac", 0):
                    self.wrong["csv rows"] += 1
                    self.s.fail("wrong", kind, f"{len(rows) - 1} rows, expected "
                                f"{self.s.counts.get('eac', 0)}", path)
            return
        if kind == "api_project":
            try:
                data = json.loads(body)
            except ValueError:
                self.wrong["unreadable JSON"] += 1
                self.s.fail("wrong", kind, "unreadable JSON", path)
                return
            wanted = path.rsplit("/", 1)[1]
            self.checked += 1
            if data.get("id") != wanted:
                self.wrong["project id"] += 1
                self.s.fail("wrong", kind, f"id {data.get('id')!r}", path)
            return
        if params is None:  # HTML pages: the status is the check
            return
        try:
            data = json.loads(body)
            total = data["meta"]["total"]
            cursor = data["meta"]["next_cursor"]
            ids = [r["id"] for r in data["results"]]
        except (ValueError, KeyError, TypeError):
            self.wrong["unreadable JSON"] += 1
            self.s.fail("wrong", kind, "unreadable JSON", path)
            return
        self.s.ids.extend(ids[:5])
        base = {k: v for k, v in params.items() if k != "cursor"}
        if cursor:
            self.cursors.append((base, cursor))
        if set(base) <= {"source", "sort", "size"} and "source" in base:
            expected = expected_total(self.s.counts, list(base["source"]))
            self.checked += 1
            if total != expected:
                self.wrong["source total"] += 1
                self.s.fail("wrong", kind, f"total {total}, expected {expected}", path)

    # the loop

    def run(self) -> None:
        s = self.s
        conn: http.client.HTTPConnection | None = None
        served = 0  # requests answered on the current connection
        last = time.perf_counter()  # when the current connection last finished a request
        while time.monotonic() < s.deadline and next(s.budget) < s.max_requests:
            kind, path, params = self.next_request()
            if conn is None:
                conn = http.client.HTTPConnection(HOST, s.port, timeout=s.timeout)
                served = 0
            started = time.perf_counter()
            idle = started - last
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except RESET_TYPES as exc:
                name = type(exc).__name__
                state = f"reused after {idle:.1f} s idle" if served else "fresh"
                self.resets[name] += 1
                self.reset_on["reused, idle > 4 s" if served and idle > 4 else
                              "reused" if served else "fresh"] += 1
                s.fail("reset", kind, f"{name} on a {state} connection: {exc}", path)
                conn.close()
                conn = None
                self.pause()
                continue
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                name = type(exc).__name__
                self.exceptions[name] += 1
                s.fail("exception", kind, f"{name}: {exc}", path)
                conn.close()
                conn = None
                self.pause()
                continue
            last = time.perf_counter()
            self.latency[kind].append((last - started) * 1000)
            served += 1
            self.statuses[response.status] += 1
            if response.will_close:
                conn.close()
                conn = None
            if response.status != 200:
                s.fail("status", kind, f"{response.status}: "
                       f"{body[:300].decode('utf-8', 'replace')}", path)
            else:
                try:
                    self.check(kind, path, params, body)
                except Exception as exc:  # noqa: BLE001 - a broken body is a wrong result
                    self.wrong[f"unreadable {kind}"] += 1
                    s.fail("wrong", kind, f"{type(exc).__name__}: {exc}", path)
            self.pause()
        if conn is not None:
            conn.close()

    def pause(self) -> None:
        """Now and then a reader's pause of 1 s to --pause-max s, the connection kept open
        (past the server's keep-alive timeout, 5 s in uvicorn, it closes it)."""
        if self.s.pauses and self.rng.random() < self.s.pauses:
            left = self.s.deadline - time.monotonic()
            time.sleep(max(0.0, min(self.rng.uniform(1.0, self.s.pause_max), left)))


# -- the maintenance --------------------------------------------------------------------------


class Maintenance(threading.Thread):
    """At fixed fractions of the run: a re-import of CORDIS (changed objectives, same
    projects), then two index rebuilds; each a separate euprojects process."""

    def __init__(self, shared: Shared, db: Path, seconds: float, marked_zip: Path,
                 marked: int) -> None:
        super().__init__(name="maintenance", daemon=True)
        self.s, self.db, self.seconds = shared, db, seconds
        self.plan = [(0.25, "reimport", ("import", "cordis", str(marked_zip), "--json")),
                     (0.50, "rebuild-1", ("index", "--rebuild")),
                     (0.75, "rebuild-2", ("index", "--rebuild"))]
        self.marked = marked
        self.steps: list[dict[str, Any]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        for fraction, name, args in self.plan:
            at = self.s.t0 + fraction * self.seconds
            if self.stop.wait(max(0.0, at - time.monotonic())):
                return
            log(f"  {name}: {' '.join(args[:2])}")
            self.s.activity = name
            started = time.monotonic()
            step: dict[str, Any] = {"step": name, "command": " ".join(args),
                                    "at_s": round(started - self.s.t0, 1)}
            try:
                done = run_cli(self.db, *args, timeout=max(300.0, self.seconds))
                step["rc"] = done.returncode
                if done.returncode != 0:
                    step["error"] = done.stderr[-1500:]
                elif name == "reimport":
                    report = json.loads(done.stdout)
                    step["projects"] = report["projects"]
                    if report["projects"]["created"]:
                        step["error"] = (f"{report['projects']['created']} projects created: "
                                         "the per-source counts changed (--db must hold the "
                                         "CORDIS sample)")
                    elif report["projects"]["updated"] != self.marked:
                        step["note"] = (f"{report['projects']['updated']} projects updated, "
                                        f"{self.marked} marked")
                else:
                    step["output"] = done.stdout.strip()
            except Exception as exc:  # noqa: BLE001 - reported as a failed step
                step["rc"] = None
                step["error"] = f"{type(exc).__name__}: {exc}"
            finally:
                step["took_s"] = round(time.monotonic() - started, 1)
                self.s.activity = f"after {name}"
                self.steps.append(step)
            log(f"  {name} done in {step['took_s']} s (rc {step['rc']})")


# -- one run ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(1, int(round(p / 100 * len(sorted_values) + 0.4999)))  # nearest rank
    return round(sorted_values[min(rank, len(sorted_values)) - 1], 1)


def final_checks(port: int, counts: dict[str, int], marker: str, marked: int,
                 workers: int) -> list[dict[str, Any]]:
    """On fresh connections (several, to reach every worker): every source's total and the
    marker word of the re-import."""
    wrong = []
    probes = [(f"/api/v1/projects?{urlencode({'source': s, 'size': 1})}", counts[s])
              for s in sorted(counts)]
    if marker:
        probes.append((f"/api/v1/projects?{urlencode({'q': marker, 'typos': 0, 'size': 1})}",
                       marked))
    for _ in range(max(2, 2 * workers)):
        for path, expected in probes:
            try:
                status, body = get(port, path)
                total = json.loads(body)["meta"]["total"] if status == 200 else None
            except Exception as exc:  # noqa: BLE001
                status, total = None, f"{type(exc).__name__}: {exc}"
            if status != 200 or total != expected:
                wrong.append({"path": path, "status": status, "total": total,
                              "expected": expected})
    return wrong


def soak_run(db: Path, folder: Path, workers: int, counts: dict[str, int],
             args: argparse.Namespace, ordinal: int) -> dict[str, Any]:
    marker = f"soakmark{'abcdefghijklmnopqrstuvwxyz'[ordinal % 26]}"
    marked_zip = folder / f"cordis-{marker}.zip"
    marked = 0
    if not args.no_maintenance:
        marked = marked_cordis(args.data / CORDIS_FILE, marked_zip, marker)
    port = free_port()
    logfile = folder / f"server-w{workers}.log"
    log(f"workers={workers}: starting the portal on {HOST}:{port}")
    server = start_server(db, port, workers, logfile)
    try:
        # a few ids to start the project pages with
        status, body = get(port, "/api/v1/projects?size=50&sort=-start_date")
        if status != 200:
            raise SetupError(f"first search answered {status}")
        seed_ids = [r["id"] for r in json.loads(body)["results"]]
        sampler = Sampler(server, args.sample_every)
        t0 = sampler.t0
        rss_start, procs = sampler.sample()
        cpu_start = sampler.cpu_seconds()
        shared = Shared(port=port, counts=counts, t0=t0, deadline=t0 + args.seconds,
                        budget=itertools.count(), max_requests=args.max_requests,
                        timeout=args.timeout, pauses=args.pauses, pause_max=args.pause_max)
        shared.ids.extend(seed_ids)
        clients = [Client(n, shared, args.seed) for n in range(args.clients)]
        maintenance = Maintenance(shared, db, args.seconds, marked_zip, marked)
        log(f"workers={workers}: {args.clients} clients for {args.seconds:g} s "
            f"({procs} server processes, RSS {rss_start / 2**20:.0f} MiB)")
        sampler.start()
        if not args.no_maintenance:
            maintenance.start()
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=max(0.0, shared.deadline - time.monotonic()) + args.timeout + 30)
        elapsed = time.monotonic() - t0
        stuck = sum(c.is_alive() for c in clients)
        cpu_end = sampler.cpu_seconds()
        rss_end, _ = sampler.sample()
        sampler.stop.set()
        sampler.join(timeout=10)
        if maintenance.is_alive():  # a step that outlived the load: wait for it (bounded)
            log("waiting for the maintenance step to finish")
            maintenance.stop.set()
            maintenance.join(timeout=max(300.0, args.seconds))
        late = final_checks(port, counts, "" if args.no_maintenance else marker, marked,
                            workers)
    finally:
        stop_server(server)
    server_log = logfile.read_text(errors="replace")

    latency: dict[str, list[float]] = collections.defaultdict(list)
    statuses: collections.Counter = collections.Counter()
    exceptions: collections.Counter = collections.Counter()
    resets: collections.Counter = collections.Counter()
    reset_on: collections.Counter = collections.Counter()
    wrong: collections.Counter = collections.Counter()
    checked = 0
    for c in clients:
        for k, v in c.latency.items():
            latency[k].extend(v)
        statuses.update(c.statuses)
        exceptions.update(c.exceptions)
        resets.update(c.resets)
        reset_on.update(c.reset_on)
        wrong.update(c.wrong)
        checked += c.checked
    if late:
        wrong["after the load"] += len(late)
    every = sorted(x for v in latency.values() for x in v)
    answered = len(every)
    n_resets = sum(resets.values())
    attempts = answered + sum(exceptions.values()) + n_resets
    non_200 = sum(n for code, n in statuses.items() if code != 200)
    failed_steps = [f"{s['step']}: rc {s.get('rc')} {s.get('error', '')}".strip()
                    for s in maintenance.steps if s.get("rc") != 0 or s.get("error")]
    if not args.no_maintenance and len(maintenance.steps) < len(maintenance.plan):
        failed_steps.append(f"only {len(maintenance.steps)} of {len(maintenance.plan)} steps "
                            "ran before the load ended (a longer --seconds gives them time)")
    rss = [r for _, r, _ in sampler.samples]
    kinds = {}
    for k in MIX:
        v = sorted(latency.get(k, []))
        kinds[k] = {"answered": len(v), "p50_ms": percentile(v, 50),
                    "p95_ms": percentile(v, 95), "p99_ms": percentile(v, 99)}
    return {
        "workers": workers,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": attempts,
        "answered": answered,
        "throughput_rps": round(answered / elapsed, 1) if elapsed else None,
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "p99_ms": percentile(every, 99),
        "max_ms": round(every[-1], 1) if every else None,
        "errors": non_200 + sum(exceptions.values()),
        "non_200": non_200,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "exceptions": dict(exceptions),
        "resets": n_resets,
        "reset_kinds": dict(resets),
        "resets_on_connection": dict(reset_on),
        "wrong_results": sum(wrong.values()),
        "wrong_kinds": dict(wrong),
        "checked_results": checked,
        "failures_by_activity": dict(shared.by_activity),
        "first_failures": shared.failures,
        "after_load_mismatches": late,
        "rss_mib": {"start": round(rss_start / 2**20, 1), "max": round(max(rss) / 2**20, 1),
                    "end": round(rss_end / 2**20, 1)},
        "rss_samples": [(t, round(r / 2**20, 1), n) for t, r, n in sampler.samples],
        "server_cpu_s": round(cpu_end - cpu_start, 1),
        "server_processes": procs,
        "maintenance": maintenance.steps,
        "maintenance_failures": failed_steps,
        "marker": None if args.no_maintenance else marker,
        "marked_projects": marked,
        "clients_still_running": stuck,
        "server_log_errors": [line for line in server_log.splitlines()
                              if "Error" in line or "ERROR" in line or "Traceback" in line][:20],
        "kinds": kinds,
    }


def failed(run: dict[str, Any]) -> bool:
    return bool(run["errors"] or run["resets"] or run["wrong_results"]
                or run["maintenance_failures"] or run["clients_still_running"])


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [f"soak: {report['clients']} clients, {report['seconds']:g} s per run, code "
             f"{m['code']}, {m['cpus']} CPUs, load {m['load_average']} at start; "
             f"projects per source {report['source_counts']}", "",
             "| workers | requests | req/s | p50 ms | p95 ms | p99 ms | errors (non-200 + exc.) "
             "| resets | wrong results | RSS start / max / end MiB | server CPU s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in report["runs"]:
        rss = r["rss_mib"]
        lines.append(f"| {r['workers']} | {r['requests']} | {r['throughput_rps']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} "
                     f"({r['non_200']} + {sum(r['exceptions'].values())}) | {r['resets']} | "
                     f"{r['wrong_results']} | {rss['start']} / {rss['max']} / {rss['end']} | "
                     f"{r['server_cpu_s']} |")
    for r in report["runs"]:
        lines += ["", f"workers={r['workers']}: {r['answered']} answered in {r['seconds']} s, "
                  f"{r['checked_results']} results checked, statuses {r['statuses']}"]
        for s in r["maintenance"]:
            extra = s.get("error") or s.get("note") or s.get("projects") or s.get("output", "")
            lines.append(f"  {s['step']} at {s['at_s']} s: {s['took_s']} s, rc {s['rc']} "
                         f"{str(extra)[:300]}")
        for problem in r["maintenance_failures"]:
            lines.append(f"  maintenance failure: {problem[:300]}")
        for label, key in (("exceptions", "exceptions"), ("resets", "reset_kinds"),
                           ("resets on a connection that was", "resets_on_connection"),
                           ("wrong results", "wrong_kinds"),
                           ("failures by activity", "failures_by_activity")):
            if r[key]:
                lines.append(f"  {label}: {r[key]}")
        for f in r["first_failures"][:12]:
            lines.append(f"  t={f['t']} s during {f['during']}: {f['category']} {f['kind']} "
                         f"{f['what'][:160]!r} {f['path'][:80]}")
        if r["after_load_mismatches"]:
            lines.append(f"  after the load: {r['after_load_mismatches'][:4]}")
        if r["server_log_errors"]:
            lines.append(f"  server log: {r['server_log_errors'][:5]}")
        lines.append("  per kind (answered, p50 / p95 / p99 ms): " + ", ".join(
            f"{k} {v['answered']} {v['p50_ms']}/{v['p95_ms']}/{v['p99_ms']}"
            for k, v in r["kinds"].items()))
    if report["source_counts_after"] != report["source_counts"]:
        lines += ["", f"the store's counts changed: {report['source_counts_after']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="a store holding the three sources (copied, never "
                    "changed); default: one built from the shared data")
    ap.add_argument("--data", type=Path, default=DATA, help=f"shared data folder ({DATA})")
    ap.add_argument("--seconds", type=float, default=600, help="load time per run (600)")
    ap.add_argument("--workers", default="1,2",
                    help="server worker counts, one run each, comma-separated (1,2)")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    ap.add_argument("--max-requests", type=int, default=1_000_000,
                    help="at most this many requests per run (1000000)")
    ap.add_argument("--timeout", type=float, default=60, help="socket timeout, s (60)")
    ap.add_argument("--pauses", type=float, default=0.01,
                    help="chance that a client pauses after an answer, keeping its connection "
                    "(0.01; 0: closed loop, no pause)")
    ap.add_argument("--pause-max", type=float, default=8.0,
                    help="longest pause, s; a pause lasts 1 s to this (8)")
    ap.add_argument("--sample-every", type=float, default=2.0, help="RSS sampling, s (2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src", type=Path,
                    help="run the euprojects package of this folder (PYTHONPATH), e.g. the src/ "
                    "of a `git archive` copy while the working tree is being edited")
    ap.add_argument("--code", help="label of the code measured (default: git describe)")
    ap.add_argument("--no-maintenance", action="store_true",
                    help="no re-import, no rebuild: the load alone")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--out", type=Path, help="also write the JSON report to this file")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    try:
        worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    except ValueError:
        ap.error("--workers: comma-separated whole numbers, e.g. 1,2")
    if not worker_counts or min(worker_counts) < 1 or args.clients < 1 or args.seconds <= 0:
        ap.error("--workers, --clients and --seconds must be positive")
    if not args.no_maintenance and not (args.data / CORDIS_FILE).is_file():
        ap.error(f"missing {args.data / CORDIS_FILE} (the re-import needs it; --data?)")

    if args.src is not None:
        if not (args.src / "euprojects" / "__init__.py").is_file():
            ap.error(f"--src: no euprojects package in {args.src}")
        global SRC
        SRC = args.src.resolve()
    report: dict[str, Any] = {"machine": machine(args.code), "clients": args.clients,
                              "seconds": args.seconds, "mix": MIX, "runs": []}
    folder = Path(tempfile.mkdtemp(prefix="euprojects-soak-"))
    try:
        db = copy_catalog(args.db, folder) if args.db else build_catalog(folder, args.data)
        counts = source_counts(db)
        if not counts:
            raise SetupError("the store holds no project")
        report["source_counts"] = counts
        log(f"projects per source: {counts}")
        for ordinal, workers in enumerate(worker_counts):
            report["runs"].append(soak_run(db, folder, workers, counts, args, ordinal))
        report["source_counts_after"] = source_counts(db)
    except SetupError as exc:
        log(f"setup failed: {exc}")
        return 2
    finally:
        if args.keep_temp:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    bad = [r["workers"] for r in report["runs"] if failed(r)]
    if report["source_counts_after"] != counts:
        bad.append("counts")
    report["ok"] = not bad
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1) if args.json else render(report))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
