"""Latency of the portal through HTTP on loopback: the search page and its JSON API twin,
against Typesense over HTTP on the same corpus and queries, one client and under load.

    python bench/web_bench.py DB [--queries 140] [--port 8799] [--out OUT.json]
        [--typesense] [--clients 32 --seconds 60 --load-workers 2]

DB is a store with its index (a scale corpus of bench/corpus.py). The program starts
``euprojects --db DB serve`` (one uvicorn worker, 127.0.0.1 only), waits until it answers,
then sends the query mix of bench/search_bench.py (same seed, same classes) one request at a
time on one kept-alive connection: ``GET /en/projects?...`` (the HTML page: search, facets,
snippets, rendering) and ``GET /api/v1/projects?...`` (the JSON twin), each query once after a
warm-up pass. In the same run and process order it times ``Catalog.search`` in-process on the
same queries, the baseline that the HTTP figures are compared with (their ratio is what the
server, the rendering and the socket add). The server keeps no facet counts
(``EUPROJECTS_SEARCH_FACET_CACHE=0``), so each request counts its facets anew. Every loop is
bounded by the number of queries; the server is stopped at the end.

``--typesense``: Typesense (bench/engines/typesense_engine.py) is built from the same store and
sent the same queries over HTTP (one multi_search each, as search_bench.py sends them), one
client on one kept-alive connection. ``--clients N`` (N > 0): then a load phase, for each
engine in turn: the portal started again with ``--load-workers`` processes, N clients (threads
of this program, one kept-alive connection each) sending the API queries of the mix in a loop,
each from its own place in it, for ``--seconds``; requests per second, latency percentiles and
failures, and the memory of every server process at the end (RSS, its peak, and PSS: the
shared pages of the memory-mapped index divided among the processes that map them). The
clients run on the same cores as the servers, for both engines alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import (  # noqa: E402
    TODAY,
    by_class,
    log,
    machine,
    make_queries,
    open_catalog,
    params_of,
    summary,
)

from euprojects.search import SearchQuery  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("euprojects")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, timeout_s: float = 300,
                 workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EUPROJECTS_TODAY": TODAY, "EUPROJECTS_SEARCH_FACET_CACHE": "0"}
    cmd = [str(EXE) if EXE.exists() else "euprojects", "--db", str(db), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/projects?size=1")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the server did not answer within {timeout_s} s")


def query_string(query: dict[str, Any]) -> str:
    """The query's parameters as an address does: no empty one (the search page answers an
    address with an empty parameter by a redirect to the address without it)."""
    return urlencode({k: v for k, v in params_of(query).items() if v not in ("", [])},
                     doseq=True)


# one request: (connection, query) -> (HTTP status, body)
Send = Callable[[http.client.HTTPConnection, dict[str, Any]], tuple[int, bytes]]


def api_get(prefix: str) -> Send:
    """GET ``prefix`` with the query's parameters (the portal's page or API)."""
    def send(conn: http.client.HTTPConnection, query: dict[str, Any]) -> tuple[int, bytes]:
        conn.request("GET", f"{prefix}?{query_string(query)}")
        response = conn.getresponse()
        return response.status, response.read()

    return send


def typesense_post(engine: Any) -> Send:
    """The query as one Typesense multi_search (engine: a TypesenseEngine)."""
    from engines.typesense_engine import _KEY

    headers = {"X-TYPESENSE-API-KEY": _KEY, "Content-Type": "application/json"}

    def send(conn: http.client.HTTPConnection, query: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(engine.request(query["q"], query["filters"]))
        conn.request("POST", "/multi_search", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        # a search's error is inside a 200 answer: read only then (the portal's answers are
        # not parsed either)
        if response.status == 200 and b'"error":' in data:
            engine.answer(json.loads(data))
        return response.status, data

    return send


def timed(conn: http.client.HTTPConnection, send: Send,
          query: dict[str, Any]) -> tuple[float, int, int]:
    started = time.perf_counter()
    try:
        status, body = send(conn, query)
    except (OSError, http.client.HTTPException, RuntimeError, ValueError):
        status, body = 0, b""
    return (time.perf_counter() - started) * 1000, status, len(body)


def run_http(port: int, queries: list[dict[str, Any]], send: Send) -> dict[str, Any]:
    """One client, one kept-alive connection: a warm-up pass, then one timed pass."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for q in queries:  # warm-up pass
        timed(conn, send, q)
    lat, statuses, sizes = [], [], []
    for q in queries:
        ms, status, size = timed(conn, send, q)
        lat.append(ms)
        statuses.append(status)
        sizes.append(size)
    conn.close()
    ok = [s == 200 for s in statuses]
    return {"classes": by_class(queries, lat, ok), "failed": ok.count(False),
            "median_bytes": sorted(sizes)[len(sizes) // 2]}


def run_load(port: int, queries: list[dict[str, Any]], send: Send, clients: int,
             seconds: float) -> dict[str, Any]:
    """``clients`` threads, each on its own kept-alive connection, sending the mix in a loop
    from its own place in it until ``seconds`` have passed."""
    stop = time.monotonic() + seconds
    lat: list[list[float]] = [[] for _ in range(clients)]
    failed = [0] * clients
    load_before = os.getloadavg()[0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        j = i * len(queries) // clients
        while time.monotonic() < stop:
            ms, status, _ = timed(conn, send, queries[j % len(queries)])
            j += 1
            if status == 200:
                lat[i].append(ms)
            else:
                failed[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    every = [ms for one in lat for ms in one]
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(every),
            "requests_per_s": round(len(every) / wall, 1), "failed": sum(failed),
            "latency_ms": summary(every), "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


# /proc/PID/status lines kept: resident memory, its peak, and its two parts: the process's own
# (heap, stacks) and the pages of files it maps (the index: shared, and the kernel may drop
# them under memory pressure and read them again)
_STATUS_FIELDS = {"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb", "RssAnon": "anon_mb",
                  "RssFile": "file_mb"}


def memory(pid: int) -> list[dict[str, float]]:
    """RSS, peak RSS, its own and its mapped files' parts, and PSS (MB) of a process and of
    every process it started."""
    out = []
    for p in _descendants(pid):
        entry: dict[str, float] = {"pid": p}
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                name = _STATUS_FIELDS.get(line.split(":", 1)[0])
                if name:
                    entry[name] = round(int(line.split()[1]) / 1024)
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    entry["pss_mb"] = round(int(line.split()[1]) / 1024)
        except OSError:
            continue
        out.append(entry)
    return out


def run_in_process(db: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    catalog = open_catalog(db)
    for q in queries:
        catalog.search(SearchQuery.from_params(params_of(q)))
    lat = []
    for q in queries:
        started = time.perf_counter()
        catalog.search(SearchQuery.from_params(params_of(q)))
        lat.append((time.perf_counter() - started) * 1000)
    catalog.close()
    return {"classes": by_class(queries, lat)}


def render(report: dict[str, Any]) -> str:
    lines = [f"{report['projects']} projects, {report['queries']} queries, code "
             f"{report['machine'].get('code')}", "",
             "| class | Catalog.search p50 / p95 / p99 ms | API p50 / p95 / p99 ms "
             "| page p50 / p95 / p99 ms | API / in-process p50 | page / in-process p50 |"
             + (" Typesense p50 / p95 / p99 ms |" if "typesense" in report else ""),
             "|---|---|---|---|---|---|" + ("---|" if "typesense" in report else "")]

    def cell(c: dict[str, Any]) -> str:
        return f"{c.get('p50')} / {c.get('p95')} / {c.get('p99')}"

    base = report["in_process"]["classes"]
    for cls, b in base.items():
        a = report["api"]["classes"].get(cls, {})
        p = report["page"]["classes"].get(cls, {})
        line = (f"| {cls} | {cell(b)} | {cell(a)} | {cell(p)} | "
                f"{a.get('p50', 0) / b['p50']:.2f} | {p.get('p50', 0) / b['p50']:.2f} |")
        if "typesense" in report:
            line += f" {cell(report['typesense']['classes'].get(cls, {}))} |"
        lines.append(line)
    lines.append("")
    lines.append(f"failed requests: API {report['api']['failed']}, page "
                 f"{report['page']['failed']}; median body: API "
                 f"{report['api']['median_bytes']} bytes, page "
                 f"{report['page']['median_bytes']} bytes")
    if "typesense" in report:
        lines.append(f"Typesense: failed {report['typesense']['failed']}, built "
                     f"{report['typesense_build']}")
    for engine, load in report.get("load", {}).items():
        lat = load["latency_ms"]
        lines.append(
            f"load, {engine}"
            + (f" ({load['workers']} worker processes)" if "workers" in load else "")
            + f": {load['clients']} clients, "
            f"{load['seconds']} s, {load['requests_per_s']} requests/s, p50 / p95 / p99 "
            f"{lat['p50']} / {lat['p95']} / {lat['p99']} ms, failed {load['failed']}, load "
            f"{load['load_before']} -> {load['load_after']}, memory (MB) "
            + ", ".join(f"rss {m.get('rss_mb')} (own {m.get('anon_mb')}, files "
                        f"{m.get('file_mb')}) pss {m.get('pss_mb')}" for m in load["memory"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--queries", type=int, default=140)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--typesense", action="store_true",
                    help="Typesense too, built from the same store")
    ap.add_argument("--clients", type=int, default=0, help="clients of the load phase (0: none)")
    ap.add_argument("--seconds", type=float, default=60, help="length of each load phase")
    ap.add_argument("--load-workers", type=int, default=2,
                    help="server processes of the portal in the load phase")
    args = ap.parse_args(argv)
    queries = make_queries(args.db, args.queries, args.seed)
    port = args.port or free_port()
    api = api_get("/api/v1/projects")
    report: dict[str, Any] = {"machine": machine(), "queries": len(queries)}
    log(f"in-process Catalog.search on {len(queries)} queries")
    report["in_process"] = run_in_process(args.db, queries)
    log(f"starting the portal on 127.0.0.1:{port}")
    server = start_server(args.db, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/v1/projects?size=1")
        report["projects"] = json.loads(conn.getresponse().read())["meta"]["total"]
        conn.close()
        log("API /api/v1/projects")
        report["api"] = run_http(port, queries, api)
        log("page /en/projects")
        report["page"] = run_http(port, queries, api_get("/en/projects"))
        report["server_memory"] = memory(server.pid)
    finally:
        stop(server)
    if args.clients:
        log(f"load: {args.clients} clients, {args.load_workers} worker(s), {args.seconds} s")
        server = start_server(args.db, port, workers=args.load_workers)
        try:
            load = run_load(port, queries, api, args.clients, args.seconds)
            report["load"] = {"euprojects": {**load, "workers": args.load_workers,
                                             "memory": memory(server.pid)}}
        finally:
            stop(server)
    if args.typesense:
        run_typesense(args, queries, report)
    out = args.out or args.db.with_suffix(".web.json")
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(render(report))
    return 0


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def run_typesense(args: argparse.Namespace, queries: list[dict[str, Any]],
                  report: dict[str, Any]) -> None:
    """Typesense on the same store and queries: built, one client, then the load phase."""
    from datetime import date

    from engines import export_docs
    from engines.typesense_engine import TypesenseEngine, TypesenseServer

    port = free_port()
    server = TypesenseServer(port)
    try:
        engine = TypesenseEngine(server, "bench")
        log("Typesense: building")
        report["typesense_build"] = engine.build(export_docs(args.db,
                                                             date.fromisoformat(TODAY)))
        send = typesense_post(engine)
        log("Typesense: one client")
        report["typesense"] = run_http(port, queries, send)
        if args.clients:
            log(f"Typesense load: {args.clients} clients, {args.seconds} s")
            load = run_load(port, queries, send, args.clients, args.seconds)
            report.setdefault("load", {})["typesense"] = {**load,
                                                          "memory": memory(server.proc.pid)}
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
