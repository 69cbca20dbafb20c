"""Latency of the portal through HTTP on loopback: the search page and its JSON API twin.

    python bench/web_bench.py DB [--queries 140] [--port 8799] [--out OUT.json]

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
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
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
)

from euprojects.search import SearchQuery  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("euprojects")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, timeout_s: float = 300) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EUPROJECTS_TODAY": TODAY, "EUPROJECTS_SEARCH_FACET_CACHE": "0"}
    cmd = [str(EXE) if EXE.exists() else "euprojects", "--db", str(db), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
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


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def run_http(port: int, queries: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for q in queries:  # warm-up pass
        timed_get(conn, f"{prefix}?{query_string(q)}")
    lat, statuses, sizes = [], [], []
    for q in queries:
        ms, status, size = timed_get(conn, f"{prefix}?{query_string(q)}")
        lat.append(ms)
        statuses.append(status)
        sizes.append(size)
    conn.close()
    ok = [s == 200 for s in statuses]
    return {"classes": by_class(queries, lat, ok), "failed": ok.count(False),
            "median_bytes": sorted(sizes)[len(sizes) // 2]}


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
             "| class | Catalog.search p50 / p95 ms | API p50 / p95 ms | page p50 / p95 ms "
             "| API / in-process p50 | page / in-process p50 |", "|---|---|---|---|---|---|"]
    base = report["in_process"]["classes"]
    for cls, b in base.items():
        a = report["api"]["classes"].get(cls, {})
        p = report["page"]["classes"].get(cls, {})
        lines.append(f"| {cls} | {b['p50']} / {b['p95']} | {a.get('p50')} / {a.get('p95')} | "
                     f"{p.get('p50')} / {p.get('p95')} | "
                     f"{a.get('p50', 0) / b['p50']:.2f} | {p.get('p50', 0) / b['p50']:.2f} |")
    lines.append("")
    lines.append(f"failed requests: API {report['api']['failed']}, page "
                 f"{report['page']['failed']}; median body: API "
                 f"{report['api']['median_bytes']} bytes, page "
                 f"{report['page']['median_bytes']} bytes")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--queries", type=int, default=140)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    queries = make_queries(args.db, args.queries, args.seed)
    port = args.port or free_port()
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
        report["api"] = run_http(port, queries, "/api/v1/projects")
        log("page /en/projects")
        report["page"] = run_http(port, queries, "/en/projects")
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = args.out or args.db.with_suffix(".web.json")
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
