"""Defects an outside test campaign found in the portal, each reproduced: forged cursors that
killed the server, out-of-range parameters, 405 without Allow, Host-built links, unknown
tracking parameters, missing headers, server paths in errors, Atom feeds that were no XML,
damaged stores and indexes, costly requests without a budget, exports during rebuilds, and
requests whose headers never end."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import DATA, TODAY, Built, copy_catalog, settings_for
from euprojects.catalog import Catalog
from euprojects.search import MAX_OFFSET, SearchQuery
from euprojects.settings import load_settings
from euprojects.web import create_app


def _cursor(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = [_cursor(10**9), _cursor(2**62), _cursor(2**64), _cursor(MAX_OFFSET + 1),
          base64.urlsafe_b64encode(b'{"o":' + b"[" * 5000 + b"]" * 5000 + b"}").decode()]


@pytest.fixture(scope="module")
def client(real_catalog: Catalog) -> TestClient:
    with TestClient(create_app(real_catalog)) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    return {**env, "EUPROJECTS_TODAY": TODAY.isoformat(), **extra}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``euprojects serve`` in a process of its own (one worker, header timeout 1 s) over the
    seed project and the keep.eu API fixture."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "served.db"
    base = [sys.executable, "-m", "euprojects", "--db", str(db)]
    subprocess.run([*base, "import", "keep-eu", str(DATA / "keep" / "keep_api_seed.json"),
                    str(DATA / "keep" / "keep_api_projects.json")],
                   check=True, capture_output=True, env=_env(), timeout=120)
    port = _free_port()
    with (folder / "serve.log").open("w") as log:
        process = subprocess.Popen([*base, "serve", "--port", str(port), "--workers", "1",
                                    "--header-timeout", "1"], stdout=log, stderr=log,
                                   env=_env())
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (folder / "serve.log").read_text()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.1)
            yield process, port
        finally:
            process.terminate()
            process.wait(20)


def _get(port: int, path: str, headers: dict[str, str] | None = None):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# -- 1. forged cursors ----------------------------------------------------------------------


def test_forged_cursors_get_400_and_the_server_lives_on(server):
    process, port = server
    for cursor in FORGED:
        for path in (f"/api/v1/projects?cursor={cursor}", f"/en/projects?cursor={cursor}",
                     f"/api/v1/projects.csv?cursor={cursor}",
                     f"/api/v1/projects.jsonl?q=project&cursor={cursor}"):
            status, headers, body = _get(port, path)
            assert status == 400, (path, status, body[:300])
            if path.startswith("/api/v1/projects?"):
                assert headers["content-type"].startswith("application/json")
                assert json.loads(body)["parameter"] == "cursor"
    assert process.poll() is None  # still serving
    status, _, body = _get(port, "/api/v1/projects?q=cluster")
    assert status == 200 and json.loads(body)["meta"]["total"] > 0


def test_a_real_cursor_still_pages_to_the_end(real_catalog):
    total = real_catalog.count_projects()
    result = real_catalog.search(SearchQuery.from_params({"cursor": _cursor(total - 3),
                                                          "size": "5"}))
    assert [len(result.items), result.total] == [3, total]
    assert result.next_cursor is None


# -- 6. a request whose headers never end ------------------------------------------------------


def test_half_sent_request_headers_are_cut_off(server):
    _process, port = server
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /api/v1/sources HTTP/1.1\r\nHost: x\r\n")  # no end of headers
        assert s.recv(1024) == b""  # closed by the server, nothing answered
    assert time.monotonic() - started < 5  # header timeout 1 s (the default is 10 s)
    # a kept-alive connection: the next request's headers are due as well
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /api/v1/sources HTTP/1.1\r\nHost: x\r\n\r\n")
        first = s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        s.sendall(b"GET /api/v1/sources HTTP/1.1\r\n")
        started = time.monotonic()
        while s.recv(65536):  # the rest of the first answer, then the close
            pass
        assert time.monotonic() - started < 5


# -- 3. parameters out of range ----------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "size=%C2%B2",  # size=²: a digit to str.isdigit, no number to int()
    "size=%D9%A1",  # Arabic-Indic one
    "eu_contribution_min=%D9%A1%D9%A2",  # ١٢
    "eu_contribution_max=1e400",
    "eu_contribution_max=NaN",
    "total_budget_min=99999999999999999999",
    "start_date_min=0001-01-01",
    "end_date_max=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01",  # full-width digits
    "typos=true",
])
def test_bad_numbers_dates_and_flags_are_400(client, query):
    paths = ["/api/v1/projects", "/en/projects"]
    if not query.startswith("size="):  # an export has no pages: it ignores size
        paths.append("/api/v1/projects.csv")
    for path in paths:
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400, (path, query, r.text[:200])
    assert client.get(f"/api/v1/projects?{query}").json()["ok"] is False


@pytest.mark.parametrize(("query", "expected"), [
    ("end_date_max=9999-12-31", "every dated project"),
    ("start_date_min=1000-01-01", "every dated project"),
    ("start_date_min=9000-01-01", "none"),
    ("end_date_max=1200-01-01", "none"),
])
def test_dates_beyond_the_engine_range_answer(client, real_catalog, query, expected):
    r = client.get(f"/api/v1/projects?{query}")
    assert r.status_code == 200, r.text[:300]
    total = r.json()["meta"]["total"]
    field = "end_date" if query.startswith("end") else "start_date"
    dated = sum(1 for p in real_catalog.list_projects() if getattr(p, field) is not None)
    assert total == (dated if expected == "every dated project" else 0)
    assert client.get(f"/api/v1/projects.csv?{query}").status_code == 200


# -- 7. smaller findings -----------------------------------------------------------------------


def test_405_says_what_is_allowed(client):
    r = client.post("/api/v1/projects")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert client.delete("/en/projects").headers["allow"]


def test_no_link_is_built_from_the_host_header(client):
    evil = {"host": "evil.example"}
    r = client.get("/fr", headers=evil, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/fr/"
    r = client.get("/", headers=evil, follow_redirects=False)
    assert r.headers["location"] == "/en/"  # no Accept-Language: English, a relative link
    feed = client.get("/api/v1/projects.atom?q=cluster", headers=evil)
    assert feed.status_code == 200 and b"evil.example" not in feed.content
    assert b"http://localhost:8000/" in feed.content  # the base_url setting's default


def test_tracking_parameters_are_ignored_by_pages_and_refused_by_the_api(client):
    page = client.get("/en/projects?q=cluster&utm_source=newsletter&fbclid=x")
    plain = client.get("/en/projects?q=cluster")
    assert page.status_code == 200
    assert 'data-total="' in page.text
    total = page.text.split('data-total="')[1].split('"')[0]
    assert total == plain.text.split('data-total="')[1].split('"')[0]
    api = client.get("/api/v1/projects?q=cluster&utm_source=newsletter")
    assert api.status_code == 400 and api.json()["parameter"] == "utm_source"


def test_security_headers_include_permissions_policy_and_coop(client):
    for path in ("/en/", "/api/v1/projects", "/en/projects/nope", "/static/portal.css?v=1"):
        r = client.get(path)
        assert "camera=()" in r.headers["permissions-policy"], path
        assert r.headers["cross-origin-opener-policy"] == "same-origin", path


@pytest.mark.parametrize("q", ["%EF%BF%BE", "a%EF%BF%BFb", "x%01y", "%ED%A0%80", "%FF%FE"])
def test_the_feed_is_well_formed_xml_for_any_query(client, q):
    r = client.get(f"/api/v1/projects.atom?q={q}")  # U+FFFE, U+FFFF, a control, no UTF-8
    assert r.status_code == 200
    ET.fromstring(r.content)  # raises on XML that is not well formed


# -- damaged index and store while serving -----------------------------------------------------


def _copy_catalog(source: Built, folder: Path) -> Catalog:
    """A catalog of its own on a file copy of a session catalog's data: c.db and c.index."""
    return Catalog(settings_for(copy_catalog(source, folder, "c")))


def test_a_damaged_index_is_a_503_that_names_no_server_path(small_built, tmp_path):
    # rebuilt at the end: real data a third the size of real_catalog's (conftest.small_built)
    catalog = _copy_catalog(small_built, tmp_path / "copy")
    try:
        current = (catalog.settings.index_path / "CURRENT").read_text().strip()
        (catalog.settings.index_path / current / "lexicon.json").unlink()
        with TestClient(create_app(catalog)) as c:
            for path in ("/api/v1/projects?q=energy", "/en/projects?q=energy"):
                r = c.get(path)
                assert r.status_code == 503, path
                assert str(tmp_path) not in r.text and "/c.index" not in r.text
            assert "not available" in c.get("/api/v1/projects").json()["error"]
        # a deleted lexicon no longer changes results silently: the next command rebuilds
        state = catalog.catch_up()
        assert state.rebuilt and catalog.index.count() == catalog.count_projects()
    finally:
        catalog.close()


def test_a_store_damaged_while_serving_is_a_503(real_built, tmp_path):
    """Pages in the middle of the file damaged, the schema intact: the store opens, and the
    reads that reach a damaged page answer 503 (the documented status), never 500."""
    folder = tmp_path / "copy"
    _copy_catalog(real_built, folder).close()
    db = folder / "c.db"
    pages = db.stat().st_size // 4096
    with db.open("r+b") as f:
        for page in range(pages // 3, 2 * pages // 3, 7):
            f.seek(page * 4096)
            f.write(os.urandom(4096))
    catalog = Catalog(load_settings({"db": db, "today": TODAY.isoformat()}, {}))
    try:
        with TestClient(create_app(catalog)) as c:
            answers = []
            for offset in range(0, 1900, 100):
                r = c.get(f"/api/v1/projects?size=100&cursor={_cursor(offset)}")
                answers.append(r.status_code)
                if r.status_code == 503:
                    assert r.json()["error"].startswith("the catalog's database is not available")
                    assert str(tmp_path) not in r.text
            r = c.get("/en/projects?size=100&sort=-eu_contribution")
            answers.append(r.status_code)
        assert set(answers) <= {200, 503} and 503 in answers, answers
    finally:
        catalog.close()


# -- the costly-request budget -----------------------------------------------------------------


def test_costly_requests_over_the_budget_get_429_cheap_ones_do_not(real_catalog):
    app = create_app(real_catalog)
    long_typos = "renewabel energie efficency buildngs transprt infrastructre"
    assert SearchQuery.from_params({"q": long_typos}).costly
    assert not SearchQuery.from_params({"q": "renewable energy"}).costly
    with TestClient(app) as c:
        budget = app.state.budget
        budget.acquire("testclient")  # this client already runs one costly request
        try:
            r = c.get("/api/v1/projects", params={"q": long_typos})
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            assert r.json()["status"] == 429
            assert c.get("/api/v1/projects.csv").status_code == 429  # every row: costly
            page = c.get("/fr/projects", params={"q": long_typos})
            assert page.status_code == 429 and "Trop de requêtes coûteuses" in page.text
            assert page.headers["retry-after"]
            # cheap: a short query, a small export, typos off
            assert c.get("/api/v1/projects", params={"q": "renewable energy"}).status_code == 200
            assert c.get("/api/v1/projects.csv?country=LV&q=port").status_code == 200
            assert c.get("/api/v1/projects",
                         params={"q": long_typos, "typos": "0"}).status_code == 200
        finally:
            budget.release("testclient")
        assert budget.running() == 0
        r = c.get("/api/v1/projects.csv")
        assert r.status_code == 200 and r.text.count("\n") > real_catalog.count_projects()
        assert budget.running() == 0  # released once the stream ended


# -- 4. exports during rebuilds ----------------------------------------------------------------


def test_an_export_during_repeated_rebuilds_has_every_row_once(small_built, tmp_path):
    # real data a third the size of real_catalog's (conftest.small_built): a rebuild takes a
    # third of the time, so the exports below see more of them
    catalog = _copy_catalog(small_built, tmp_path / "copy")
    expected = {p.id for p in catalog.list_projects()}
    stop = threading.Event()
    rebuilds = []

    def rebuild() -> None:
        with Catalog(catalog.settings) as other:
            while not stop.is_set():
                rebuilds.append(other.reindex())

    thread = threading.Thread(target=rebuild)
    thread.start()
    try:
        with TestClient(create_app(catalog)) as c:
            for params in ("", "?sort=-eu_contribution", "?q=development"):
                r = c.get(f"/api/v1/projects.csv{params}")
                assert r.status_code == 200
                ids = [row["id"] for row in csv.DictReader(io.StringIO(r.text))]
                assert len(ids) == len(set(ids)), "a row twice"
                if not params.startswith("?q"):
                    assert set(ids) == expected, "a row missing"
        # pages of 7, 14, 28... ids: many page ends, each a chance for a rebuild to fall between;
        # on a busy machine a rebuild takes longer: the rounds go on until two have finished
        deadline, rounds = time.monotonic() + 120, 0
        while rounds < 1 or (len(rebuilds) < 2 and time.monotonic() < deadline):
            for sort in ("-end_date", "-eu_contribution", "start_date"):
                for _ in range(3):
                    query = SearchQuery.from_params({"sort": sort})
                    ids = [item.project.id for item in catalog.iter_matches(query, batch=7)]
                    assert len(ids) == len(set(ids)), f"a row twice ({sort})"
                    assert set(ids) == expected, f"a row missing ({sort})"
            rounds += 1
    finally:
        stop.set()
        thread.join(120)
        catalog.close()
    assert len(rebuilds) >= 2  # the exports really ran during rebuilds
