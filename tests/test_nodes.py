"""Several portal nodes over one PostgreSQL store (docs/deploy.md), on loopback: a primary, a
streaming replica, two ``euprojects serve`` nodes reading from the replica, each with its own
index folder. An import on the primary reaches both; a node killed with SIGKILL under load
leaves the other answering, and catches up when it comes back; with the replica stopped the
nodes read from the primary.

Run in .ci/run's PostgreSQL lane (EUPROJECTS_TEST_STORE=postgresql: marker ``postgres``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import KEEP_FIXTURES, TODAY
from pgcluster import PgServer, available, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# an import on the primary is searchable on every node within this (docs/deploy.md)
REACH_S = 15.0


def _get(port: int, path: str, timeout: float = 10.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _total(port: int, query: str = "") -> int:
    status, body = _get(port, f"/api/v1/projects?size=1&q={query}")
    assert status == 200, body
    return int(body["meta"]["total"])


class Node:
    def __init__(self, env: dict[str, str], index: Path, log: Path) -> None:
        self.port = free_port()
        self.env = {**env, "EUPROJECTS_INDEX_DIR": str(index)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:  # the child writes through its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "euprojects", "serve", "--port", str(self.port),
                 "--workers", "1"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_ready(self, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, \
                self.log.read_text(errors="replace")[-3000:]
            try:
                status, body = _get(self.port, "/api/v1/status", timeout=2)
                if status == 200:
                    return body
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"node on {self.port} not ready in {timeout} s: {body}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _import(env: dict[str, str], *files: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "euprojects", "import", "keep-eu",
                             *map(str, files)], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not available(), reason="PostgreSQL is not installed")
def test_nodes_follow_one_store_through_a_replica(tmp_path, keep_small):
    primary = PgServer()
    nodes: list[Node] = []
    replica = None
    try:
        url = primary.new_database("euprojects")
        replica = primary.replica()
        read_url = replica.url.rsplit("/", 1)[0] + "/euprojects"
        base = {**os.environ, "EUPROJECTS_TODAY": TODAY.isoformat(),
                "EUPROJECTS_STORE_URL": url, "EUPROJECTS_DB": str(tmp_path / "unused.db")}
        # the first import, by a machine of its own (its index in its own folder)
        importer = {**base, "EUPROJECTS_INDEX_DIR": str(tmp_path / "importer.index")}
        _import(importer, keep_small)

        node_env = {**base, "EUPROJECTS_STORE_READ_URL": read_url,
                    "EUPROJECTS_FOLLOW_SECONDS": "0.5"}
        nodes = [Node(node_env, tmp_path / f"node{i}.index", tmp_path / f"node{i}.log")
                 for i in (1, 2)]
        for node in nodes:
            node.start()
        states = [node.wait_ready() for node in nodes]
        for state in states:
            assert state["store"]["replica"] is True
            assert state["changes_behind"] == 0
            assert state["index"]["projects"] > 500
        before = [_total(n.port) for n in nodes]
        assert before[0] == before[1] == states[0]["index"]["projects"]

        # an import on the primary: searchable on both nodes within REACH_S
        started = time.monotonic()
        _import(importer, *KEEP_FIXTURES)
        imported = time.monotonic()
        reached = {}
        while len(reached) < 2 and time.monotonic() - imported < REACH_S:
            for i, node in enumerate(nodes):
                if i not in reached and _total(node.port) > before[i]:
                    reached[i] = time.monotonic() - imported
            time.sleep(0.1)
        assert len(reached) == 2, f"not on every node within {REACH_S} s: {reached}"
        after = _total(nodes[0].port)
        assert _total(nodes[1].port) == after > before[0]
        print(f"import took {imported - started:.1f} s; searchable on the nodes after "
              f"{', '.join(f'{s:.2f} s' for s in reached.values())}")

        # SIGKILL of node 1 under a search load: a client that retries on the other node
        # never fails
        errors: list[str] = []
        answered = [0, 0]
        stop = threading.Event()

        def client(first: int) -> None:
            order = [nodes[first], nodes[1 - first]]
            words = ["water", "energy", "tourism", "health", "river", ""]
            n = 0
            while not stop.is_set():
                n += 1
                for attempt, node in enumerate(order):
                    try:
                        status, body = _get(node.port, f"/api/v1/projects?size=5&q="
                                            f"{words[n % len(words)]}", timeout=5)
                        if status == 200:
                            answered[attempt] += 1
                            break
                    except (OSError, ValueError):
                        pass
                else:
                    errors.append(f"request {n}: no node answered")

        clients = [threading.Thread(target=client, args=(i % 2,)) for i in range(4)]
        for c in clients:
            c.start()
        time.sleep(2)
        nodes[0].kill()
        time.sleep(3)
        stop.set()
        for c in clients:
            c.join(30)
        assert errors == []
        assert answered[0] > 0 and answered[1] > 0  # some requests did go to the other node

        # node 1 restarts on its index folder, catches up, answers the same totals
        nodes[0].start()
        nodes[0].wait_ready()
        for query in ("", "water", "interreg"):
            assert _total(nodes[0].port, query) == _total(nodes[1].port, query)

        # the replica stops: the nodes read from the primary and stay ready
        replica.halt()
        for node in nodes:
            deadline = time.monotonic() + 30
            while True:
                status, body = _get(node.port, "/api/v1/status", timeout=10)
                if status == 200 and not body["store"]["replica"]:
                    break
                assert time.monotonic() < deadline, body
                time.sleep(0.5)
            assert body["store"]["server"].endswith(f":{primary.port}/euprojects")
            status, project = _get(node.port, "/api/v1/projects?size=3&q=water")
            assert status == 200 and project["meta"]["total"] > 0
    finally:
        for node in nodes:
            node.stop()
        if replica is not None:
            replica.stop()
        primary.stop()


@pytest.mark.skipif(not available(), reason="PostgreSQL is not installed")
def test_the_store_bench_at_its_smallest(tmp_path):
    """bench/pg_store.py, its corpus from a small SQLite store of the hand-made keep.eu
    records: both stores written, both indexes built, the same totals for every query."""
    from euprojects.catalog import Catalog
    from euprojects.settings import load_settings

    real = tmp_path / "real.db"
    with Catalog(load_settings({"db": real, "today": TODAY.isoformat()}, {})) as catalog:
        catalog.import_files("keep-eu", KEEP_FIXTURES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent.parent / "bench" / "pg_store.py"),
         str(tmp_path / "out"), "--projects", "300", "--queries", "14", "--mix", "keep=1",
         "--skip-real", "--source-db", str(real)],
        env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    for kind in ("sqlite", "postgresql"):
        assert result["corpus"][kind]["write"]["wall_s"] > 0
        assert result["corpus"][kind]["catch_up"]["wall_s"] > 0
        assert result["search"][kind]["latency_ms"]["n"] >= 7  # a class may find too few words
    assert result["search"]["same_totals"] is True
