"""The JSON API against its own OpenAPI document: Schemathesis generates requests for every GET
operation of /api/v1/openapi.json and sends them in-process (ASGI) to the app over the real
combined catalog (keep.eu + CORDIS + EAC), the bulk exports' to the app over a smaller catalog
of real data (see EXPORTS). Every answer must be no server error, with a documented status
code, a documented content type and a body that fits the documented schema.

Then plain regression cases, defects an outside campaign found: each must be a 4xx JSON error
``{ok: false, error, status}``, never a 5xx (nor a crash of the process)."""

from __future__ import annotations

import base64
import copy
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette
from starlette.testclient import TestClient

from conftest import TODAY
from euprojects.catalog import Catalog
from euprojects.web import create_app
from euprojects.web._openapi import openapi_document

OPENAPI = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session")
def api_app(combined_catalog: Catalog) -> Starlette:
    """One app over the real combined catalog for the whole file (the catalog stays open: the
    fixture that made it closes it)."""
    return create_app(combined_catalog)


class _AnsweredOnce:
    """The app, except that a GET it has answered before, the very same request (method, path,
    query string and headers, less Schemathesis's id of the test case), gets the answer it got
    then, message for message, when that answer was at most ``most`` bytes.

    The generated cases repeat some requests (on the exports, about one in six), and an export
    of every project is the slowest answer; over a catalog that no request changes, the same
    request gets the same answer, so every check still runs on every case, and every distinct
    request still reaches the app. A request that raised is not kept (it raises again)."""

    def __init__(self, app: Starlette, most: int = 4 * 2**20) -> None:
        self.app, self.most = app, most
        self.answers: dict[tuple[Any, ...], list[dict[str, Any]]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        key = (scope["path"], scope["query_string"],
               tuple(h for h in scope["headers"] if h[0] != b"x-schemathesis-testcaseid"))
        if key in self.answers:
            for message in self.answers[key]:
                await send(message)
            return
        messages: list[dict[str, Any]] = []
        size = 0

        async def keep(message: dict[str, Any]) -> None:
            nonlocal size
            size += len(message.get("body", b""))
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        if size <= self.most:
            self.answers[key] = messages


@pytest.fixture(scope="session")
def fuzzed_app(api_app: Starlette) -> _AnsweredOnce:
    return _AnsweredOnce(api_app)


# The bulk exports give every matching project, and one generated case in seven matches all
# of them: over the combined catalog (3765 projects) that is half a second a case, most of this
# file's time. Their cases go to an app over a smaller catalog of real data (conftest.
# small_catalog: the first 600 projects of the real keep.eu file and the hand-made fixtures):
# the same parameters, read by the same code, each full export a sixth the size. That every
# project of the combined catalog, of each source, exports in each format is
# test_every_project_of_the_combined_catalog_exports_in_each_format below.
# The organisation exports likewise (every organisation a search finds).
EXPORTS = {f"/api/v1/{what}.{kind}" for what in ("projects", "organisations")
           for kind in ("csv", "jsonl", "xlsx")}


@pytest.fixture(scope="session")
def fuzzed_export_app(small_catalog: Catalog) -> _AnsweredOnce:
    return _AnsweredOnce(create_app(small_catalog))


# -- the API against its OpenAPI document -----------------------------------------------------

# Schemathesis's own settings, given here rather than read from a schemathesis.toml:
# - the bulk exports (.csv, .jsonl, .xlsx) skip the coverage phase: its ~65 positive cases per
#   operation are mostly an unfiltered export of every project (0.5 to 2.6 s each, minutes in
#   all). They still get the fuzzing phase, and the coverage phase's boundary values still
#   reach the same parameter parsing through /api/v1/projects and /api/v1/projects.atom;
# - a request may take 60 s, not 10: a whole .xlsx export on a busy 2-core machine is slow,
#   and a timeout would be a flaky failure, not a finding (response time is not checked here).
CONFIG = schemathesis.Config.from_dict({
    "request-timeout": 60,
    "operations": [{
        "include-path-regex": r"^/api/v1/(projects|organisations)\.(csv|jsonl|xlsx)$",
        "phases": {"coverage": {"enabled": False}},
    }],
})

# The document is the very dict /api/v1/openapi.json serves (test_the_tested_document_is_the_
# served_one checks that), copied because the loader may annotate what it is given; each call
# goes to the session's app in-process through Schemathesis's ASGI transport (``app=``).
# Not ``schemathesis.pytest.from_fixture`` + ``from_asgi`` (which would fetch the document from
# the fixture's app): with pytest 9.2 that lazy path fails before any request, as
# schemathesis 4.32.5 sets ``request.node._nodeid``, which pytest 9.2's nodes no longer have.
schema = schemathesis.openapi.from_dict(
    copy.deepcopy(openapi_document()), config=CONFIG
).include(method="GET")


# A request that raises in the app comes back here as that exception, with its traceback and
# a curl line to reproduce it (Starlette sends the 500 and re-raises; the ASGI transport passes
# it on): that is how a server error shows, besides a 5xx answered without an exception, which
# not_a_server_error catches.
@schema.parametrize()
@settings(
    max_examples=150,  # fuzzing cases per operation; the whole file stays near a minute
    derandomize=True,  # the same cases on every run, and no example database is written
    deadline=None,  # an export of every matching project takes far more than 200 ms
    # The only health check that depends on the machine: drawing 25 query parameters on a
    # busy 2-core machine may pass its time limit, which says nothing of the API. The others
    # are deterministic with derandomize and none fires on this document.
    suppress_health_check=[HealthCheck.too_slow],
)
# No filterwarnings mark: neither Schemathesis nor Hypothesis warns on this test (checked under
# the project's filterwarnings=error and with -o filterwarnings=always); should a new version
# warn, add a mark for that warning only.
def test_every_get_operation_conforms_to_the_openapi_document(case, fuzzed_app,
                                                              fuzzed_export_app):
    app = fuzzed_export_app if case.path in EXPORTS else fuzzed_app
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.mark.parametrize("kind", ["csv", "jsonl", "xlsx"])
def test_every_project_of_the_combined_catalog_exports_in_each_format(api_app, combined_catalog,
                                                                      kind):
    path = f"/api/v1/projects.{kind}"
    with TestClient(api_app) as client:
        r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    (documented,) = openapi_document()["paths"][path]["get"]["responses"]["200"]["content"]
    assert r.headers["content-type"].split(";")[0] == documented
    if kind == "csv":
        ids = [row["id"] for row in csv.DictReader(io.StringIO(r.text, newline=""))]
    elif kind == "jsonl":
        # lines end at "\n" only: a text may hold U+2028, which str.splitlines splits at
        ids = [json.loads(line)["id"] for line in r.content.split(b"\n") if line]
    else:
        book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        ids = [row[0] for row in book["projects"].iter_rows(min_row=2, values_only=True)]
        book.close()
    assert len(ids) == len(set(ids)) == combined_catalog.count_projects()
    assert {i.split(":")[0] for i in ids} == {"keep", "cordis", "eac"}


def test_the_tested_document_is_the_served_one(api_app):
    with TestClient(api_app) as client:
        r = client.get(OPENAPI)
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(openapi_document()))


# -- regression cases -------------------------------------------------------------------------


def _cursor(offset: int) -> str:
    """A cursor as the index writes one (src/euprojects/search/_index.py), for any offset."""
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _assert_json_client_error(url: str, status: int, content_type: str | None,
                              body_text: str) -> None:
    assert 400 <= status < 500, f"{url}: status {status}: {body_text[:300]!r}"
    assert content_type is not None and content_type.startswith("application/json"), (
        f"{url}: content type {content_type!r}")
    body = json.loads(body_text)
    assert body["ok"] is False, body
    assert isinstance(body["error"], str) and body["error"], body
    assert body["status"] == status, body


@pytest.fixture(scope="module")
def client(api_app: Starlette) -> TestClient:
    # A 5xx is a response to assert on, not an exception raised into the test.
    with TestClient(api_app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    "query",
    [
        "start_date_min=0001-01-01",  # was a 500 (beyond the index's dates); now before year 1000
        "size=\u00b2",  # superscript two: str.isdigit() yet not int(); was a 500
        "eu_contribution_min=\u0661\u0662",  # Arabic-Indic "12": was read as 12 (a 200)
        "eu_contribution_max=1e400",  # no float holds it: was read as 1E+400 (a 200)
        # The same class, found while writing this file: digits Python reads but a JSON
        # number does not have (each was a 200 with the value read as ASCII digits).
        "size=\u0663",  # Arabic-Indic 3
        "eu_contribution_min=\uff11\uff12",  # fullwidth "12"
        "eu_contribution_min=1_000",  # Python's digit grouping
    ],
)
def test_a_bad_range_or_size_is_a_client_error(client, query):
    url = f"/api/v1/projects?{query}"
    r = client.get(url)
    _assert_json_client_error(url, r.status_code, r.headers.get("content-type"), r.text)


# Forged cursors are sent by a child process, never by this one. On the code these cases were
# found in, offset 10**9 makes tantivy allocate ~48 GB and abort the whole process (with it
# every test after it), and offset 2**62 raises a Rust PanicException, a BaseException that
# gets past every handler and stops the test client's event loop. The child opens the same
# catalog (as each worker of `euprojects serve` does; it only reads), caps its own address
# space at 4 GiB so a huge allocation fails at once instead of pressing the machine, and
# prints one JSON line per URL as it goes, stopping at the first 5xx or exception (the client
# may be dead after it); a crash shows here with the child's exit code, its stderr and the URL
# it died on.
_CHILD = """
import json, os, resource, sys
limit = 4 * 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pathlib import Path
from starlette.testclient import TestClient
from euprojects.catalog import Catalog
from euprojects.settings import load_settings
from euprojects.web import create_app

db, index, today, *urls = sys.argv[1:]
catalog = Catalog(load_settings({"db": Path(db), "index_dir": Path(index), "today": today,
                                 "store_url": os.environ.get("EUPROJECTS_STORE_URL")}, {}))
with TestClient(create_app(catalog), raise_server_exceptions=False) as client:
    for url in urls:
        try:
            r = client.get(url)
            out = {"url": url, "status": r.status_code,
                   "content_type": r.headers.get("content-type"), "body": r.text}
        except BaseException as exc:
            out = {"url": url, "raised": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(out), flush=True)
        if "raised" in out or out["status"] >= 500:
            break
    os._exit(0)  # a panic may have stopped the client's event loop: no clean shutdown
"""


def _in_child(catalog: Catalog, urls: list[str], check: Callable[[dict[str, Any]], None]) -> None:
    """GET each of ``urls`` in a child process and ``check`` each answer, in order."""
    s = catalog.settings
    env = {**os.environ, "RUST_BACKTRACE": "0",  # the panic's message, not 40 frames
           "EUPROJECTS_STORE_URL": s.store_url or ""}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(s.db), str(s.index_path), TODAY.isoformat(), *urls],
        capture_output=True, text=True, timeout=120, env=env, cwd=Path(__file__).parent)
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    for out in answers:
        assert "raised" not in out, f"{out['url']}: {out['raised']}\n{proc.stderr[:3000]}"
        check(out)
    done = len(answers)
    if proc.returncode != 0 or done < len(urls):
        pytest.fail(f"the child process died (exit code {proc.returncode}) on "
                    f"{urls[done] if done < len(urls) else 'its way out'}:\n{proc.stderr[:3000]}")


def _client_error(out: dict[str, Any]) -> None:
    _assert_json_client_error(out["url"], out["status"], out["content_type"], out["body"])


def _no_server_error(out: dict[str, Any]) -> None:
    assert out["status"] < 500, f"{out['url']}: status {out['status']}: {out['body'][:300]!r}"


@pytest.mark.parametrize("offset", [10**9, 2**62], ids=["1e9", "2**62"])
def test_a_forged_cursor_far_beyond_the_results_is_a_client_error(combined_catalog, offset):
    _in_child(combined_catalog, [f"/api/v1/projects?cursor={_cursor(offset)}"], _client_error)


def test_a_forged_cursor_never_crashes_the_exports_and_the_feed(combined_catalog):
    """Found while writing this file: the exports and the feed do not document ``cursor`` but
    read it, and crash the same way. Whether they should refuse it (400) or ignore it (200) is
    theirs to say; a 5xx or a dead process is wrong either way."""
    urls = [f"/api/v1/projects.{kind}?cursor={_cursor(offset)}"
            for kind in ("csv", "jsonl", "xlsx", "atom") for offset in (2**62, 10**9)]
    _in_child(combined_catalog, urls, _no_server_error)
