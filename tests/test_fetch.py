"""`euprojects fetch`: real downloads from an HTTP server on loopback that serves the shared files
under the published CORDIS names and a keep.eu Open Data endpoint (Range, ETag, conditional
requests, broken connections). No mock of urllib."""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import pytest
from click.testing import CliRunner

from conftest import DATA, TODAY, cli_env
from euprojects.catalog import Catalog
from euprojects.cli import cli, main
from euprojects.errors import FetchError, SettingsError
from euprojects.fetch import fetch_cordis
from euprojects.settings import load_settings

HORIZON = "/data/cordis-HORIZONprojects-xml.zip"
KEEP_JSON = DATA / "keep" / "keep_api_projects.json"
KEY = "k-7f3e9a1c-SECRET"
LAST_MODIFIED = "Sat, 01 Nov 2025 10:00:00 GMT"
HINT = "are you offline? The files of ../shared/data can be imported with `euprojects import`"
BLOB = random.Random(7).randbytes(300_000)  # for the download mechanics: any bytes will do


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _etag(data: bytes) -> str:
    return f'"{_sha(data)[:16]}"'


class Site:
    """What the loopback server serves and every request it answered."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, str], int]] = []  # path, headers, status
        self.keys: list[str | None] = []  # the API keys the keep.eu endpoint received
        self.cuts: list[int] = []  # the next answers stop after this many body bytes
        self.ignore_range = False
        self.ignore_conditional = False
        self.url = ""

    def statuses(self) -> list[int]:
        return [status for _, _, status in self.requests]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _plain(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            url = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if url.path == "/api/open-data":
                key = parse_qs(url.query).get("key", [None])[0]
                site.keys.append(key)
                body = KEEP_JSON.read_bytes() if key == KEY else None
                status = 200 if key == KEY else 403
                kind = "application/json"
            else:
                body = site.files.get(url.path)
                status = 200 if body is not None else 404
                kind = "application/zip"
            if body is None:
                site.requests.append((url.path, headers, status))
                return self._plain(status)
            etag = _etag(body)
            conditional = headers.get("if-none-match") == etag or (
                "if-none-match" not in headers and headers.get("if-modified-since") == LAST_MODIFIED)
            if conditional and not site.ignore_conditional:
                site.requests.append((url.path, headers, 304))
                return self._plain(304, {"ETag": etag})
            start = 0
            wanted = headers.get("range")
            if wanted and not site.ignore_range and headers.get("if-range") in (None, etag,
                                                                                 LAST_MODIFIED):
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                if start >= len(body):
                    site.requests.append((url.path, headers, 416))
                    return self._plain(416, {"Content-Range": f"bytes */{len(body)}"})
                status = 206
            site.requests.append((url.path, headers, status))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body) - start))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.end_headers()
            payload = body[start:]
            if site.cuts:
                payload = payload[: site.cuts.pop(0)]
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client read the headers and hung up: it had the file already

    return Handler


@pytest.fixture
def site():
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    s.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def small_zip(cordis_zip, tmp_path_factory) -> bytes:
    """The first 12 projects of the shared zip: a real CORDIS XML zip that imports at once."""
    path = tmp_path_factory.mktemp("small") / "small.zip"
    with zipfile.ZipFile(cordis_zip) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist()[:12]:
            dst.writestr(name, src.read(name), zipfile.ZIP_DEFLATED)
    return path.read_bytes()


def _env(tmp_path: Path, site: Site, **more: str | None) -> dict[str, str | None]:
    return {
        "EUPROJECTS_DB": str(tmp_path / "fetch.db"),
        "EUPROJECTS_TODAY": TODAY.isoformat(),
        "EUPROJECTS_DOWNLOADS_DIR": None,
        "EUPROJECTS_CORDIS_DATA_URL": f"{site.url}/data/",
        "EUPROJECTS_KEEP_API_URL": f"{site.url}/api/open-data",
        "EUPROJECTS_KEEP_API_KEY": None,
        **more,
    }


def _set(env):
    """The variables of a CliRunner environment that are set (None unsets one there)."""
    return {k: v for k, v in env.items() if v is not None}


def _run(env, *args):
    return CliRunner().invoke(cli, list(args), env=env)


def _main(env, *args):
    """The installed command: `main` with its error handling, run under CliRunner."""
    command = click.Command("euprojects", callback=lambda: main(list(args)))
    return CliRunner().invoke(command, [], env=env)


def _json(result) -> dict:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


# -- CORDIS: fetch and import -----------------------------------------------------------------


@pytest.mark.slow
def test_fetch_and_import_gives_the_counts_of_importing_the_shared_zip(tmp_path, site,
                                                                        cordis_zip,
                                                                        combined_built,
                                                                        combined_catalog):
    site.files[HORIZON] = cordis_zip.read_bytes()
    env = _env(tmp_path, site)
    fetched = _json(_run(env, "fetch", "cordis", "--json"))
    (download,) = fetched["downloads"]
    assert (download["status"], download["sha256"], download["url"]) == (
        "downloaded", _sha(site.files[HORIZON]), site.url + HORIZON)
    (report_file,) = fetched["import"]["files"]
    assert (report_file["sha256"], report_file["origin"]) == (download["sha256"], download["url"])

    # `import cordis ZIP --json` of the shared zip: the session's one import of it, into the
    # store of the real keep.eu file (conftest.combined_built). The same report, less what
    # depends on the store it went into (records linked to another source's) and on the
    # file's name and address; the same projects and participations in `info`.
    direct = combined_built.reports["cordis"]
    imported = fetched["import"]
    for key in ("source", "rows_read", "rows_imported", "rows_rejected", "projects",
                "participations"):
        assert imported[key] == direct[key], key
    for key in ("created", "updated", "unchanged"):
        assert imported["organisations"][key] == direct["organisations"][key], key

    def as_read(file):  # a file's report, less its name and address
        return {**{k: v for k, v in file.items() if k not in ("file", "origin")},
                "issues": [{k: v for k, v in i.items() if k != "file"} for i in file["issues"]]}

    (direct_file,) = direct["files"]
    assert as_read(report_file) == as_read(direct_file)

    def counts(e):
        return {name: {k: v for k, v in c.items() if k != "last_import"}
                for name, c in _json(_run(e, "info", "--json"))["sources"].items()}

    direct_env = {**env, **cli_env(combined_catalog.settings.db)}
    assert list(counts(env)) == ["cordis"]
    assert [counts(e)["cordis"][k] for e in (env, direct_env) for k in (
        "projects", "participations")] == [1894, 12118] * 2


def test_the_manifest_and_the_import_history_hold_the_sha256_and_the_url(tmp_path, site,
                                                                         small_zip):
    site.files[HORIZON] = small_zip
    env = _env(tmp_path, site)
    result = _run(env, "fetch", "cordis")
    assert result.exit_code == 0, result.output
    path = tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-xml.zip"  # beside the db
    url = site.url + HORIZON
    assert f"{path}: downloaded ({len(small_zip)} bytes, sha256 {_sha(small_zip)}) from {url}" \
        in result.stdout
    assert "projects: 12 created, 0 updated, 0 unchanged" in result.stdout
    assert path.read_bytes() == small_zip
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", manifest.pop("fetched_at"))
    assert manifest == {"url": url, "file": path.name, "size": len(small_zip),
                        "sha256": _sha(small_zip), "etag": _etag(small_zip),
                        "last_modified": LAST_MODIFIED, "content_type": "application/zip"}
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name +
                                                             ".manifest.json"]
    with Catalog(load_settings({"db": tmp_path / "fetch.db"}, {})) as catalog:
        (entry, *_) = catalog.imports()
    (file_report,) = entry.report["files"]
    assert (file_report["file"], file_report["sha256"], file_report["origin"]) == (
        path.name, _sha(small_zip), url)
    info = _json(_run(env, "info", "--json"))
    assert info["imports"][0]["origins"] == {path.name: url}


def test_a_file_imported_from_disk_has_no_origin(tmp_path, site, small_zip):
    zip_path = tmp_path / "local.zip"
    zip_path.write_bytes(small_zip)
    report = _json(_run(_env(tmp_path, site), "import", "cordis", str(zip_path), "--json"))
    assert [(f["sha256"], f["origin"]) for f in report["files"]] == [(_sha(small_zip), None)]


def test_programmes_and_format_choose_the_published_names(tmp_path, site):
    for name in ("h2020", "fp7"):
        site.files[f"/data/cordis-{name}projects-csv.zip"] = BLOB
    env = _env(tmp_path, site)
    fetched = _json(_run(env, "fetch", "cordis", "--programme", "h2020", "--programme", "fp7",
                         "--format", "csv", "--no-import", "--json"))
    assert [p for p, _, _ in site.requests] == ["/data/cordis-h2020projects-csv.zip",
                                                "/data/cordis-fp7projects-csv.zip"]
    assert [(Path(d["path"]).name, d["sha256"]) for d in fetched["downloads"]] == [
        ("cordis-h2020projects-csv.zip", _sha(BLOB)), ("cordis-fp7projects-csv.zip", _sha(BLOB))]
    assert fetched["import"] is None
    assert not (tmp_path / "fetch.db").exists()  # --no-import opens no catalog


# -- resuming ---------------------------------------------------------------------------------


def test_an_interrupted_download_resumes_with_a_range_request(tmp_path, site):
    site.files[HORIZON] = BLOB
    half = len(BLOB) // 2
    site.cuts = [half]  # the first answer stops half way and the connection closes
    fetched = _json(_run(_env(tmp_path, site), "fetch", "cordis", "--no-import", "--json"))
    (download,) = fetched["downloads"]
    assert (download["status"], download["size"], download["sha256"]) == (
        "resumed", len(BLOB), _sha(BLOB))
    assert site.statuses() == [200, 206]
    resumed_headers = site.requests[1][1]
    assert (resumed_headers["range"], resumed_headers["if-range"]) == (f"bytes={half}-",
                                                                       _etag(BLOB))
    path = Path(download["path"])
    assert _sha(path.read_bytes()) == _sha(BLOB)
    assert not path.with_name(path.name + ".part").exists()


def test_a_download_that_keeps_breaking_fails_and_the_next_run_resumes_it(tmp_path, site):
    site.files[HORIZON] = BLOB
    site.cuts = [1000, 1000, 1000]
    env = _env(tmp_path, site)
    result = _main(env, "fetch", "cordis", "--no-import")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {site.url}{HORIZON}: the download broke off after 3000 of "
                             f"{len(BLOB)} bytes (the connection closed early); run the command "
                             "again to resume it\n")
    part = tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-xml.zip.part"
    assert part.read_bytes() == BLOB[:3000]
    assert [h.get("range") for _, h, _ in site.requests] == [None, "bytes=1000-", "bytes=2000-"]
    fetched = _json(_run(env, "fetch", "cordis", "--no-import", "--json"))
    assert site.requests[-1][1]["range"] == "bytes=3000-"
    assert (fetched["downloads"][0]["status"], fetched["downloads"][0]["sha256"]) == (
        "resumed", _sha(BLOB))
    assert not part.exists()


def test_a_server_that_answers_200_to_a_range_is_read_again_from_the_start(tmp_path, site):
    site.files[HORIZON] = BLOB
    site.ignore_range = True
    site.cuts = [5000]
    fetched = _json(_run(_env(tmp_path, site), "fetch", "cordis", "--no-import", "--json"))
    assert site.statuses() == [200, 200]
    assert site.requests[1][1]["range"] == "bytes=5000-"
    (download,) = fetched["downloads"]
    assert (download["status"], download["sha256"]) == ("downloaded", _sha(BLOB))
    assert Path(download["path"]).read_bytes() == BLOB


@pytest.mark.parametrize(("part_bytes", "statuses", "status"), [
    (BLOB, [416], "resumed"),  # whole but not renamed yet: finished without a byte more
    (BLOB + b"junk", [416, 200], "downloaded"),  # longer than the file: discarded, read again
])
def test_a_range_past_the_end_416(tmp_path, site, part_bytes, statuses, status):
    site.files[HORIZON] = BLOB
    folder = tmp_path / "downloads" / "cordis"
    folder.mkdir(parents=True)
    (folder / "cordis-HORIZONprojects-xml.zip.part").write_bytes(part_bytes)
    fetched = _json(_run(_env(tmp_path, site), "fetch", "cordis", "--no-import", "--json"))
    assert site.statuses() == statuses
    (download,) = fetched["downloads"]
    assert (download["status"], download["sha256"]) == (status, _sha(BLOB))
    assert (folder / "cordis-HORIZONprojects-xml.zip").read_bytes() == BLOB


# -- unchanged files --------------------------------------------------------------------------


def test_an_unchanged_file_is_not_downloaded_again(tmp_path, site, small_zip):
    site.files[HORIZON] = small_zip
    env = _env(tmp_path, site)
    assert _run(env, "fetch", "cordis").exit_code == 0
    path = tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-xml.zip"
    written = path.stat().st_mtime_ns

    again = _run(env, "fetch", "cordis")
    assert again.exit_code == 0, again.output
    assert site.statuses() == [200, 304]
    asked = site.requests[1][1]
    assert (asked["if-none-match"], asked["if-modified-since"]) == (_etag(small_zip),
                                                                   LAST_MODIFIED)
    assert f"{path}: unchanged, not downloaded again ({len(small_zip)} bytes" in again.stdout
    assert "projects: 0 created, 0 updated, 12 unchanged" in again.stdout  # imported all the same

    site.ignore_conditional = True  # a server that answers 200 with the same ETag
    third = _json(_run(env, "fetch", "cordis", "--no-import", "--json"))
    assert site.statuses()[-1] == 200
    assert third["downloads"][0]["status"] == "unchanged"
    assert path.stat().st_mtime_ns == written

    site.files[HORIZON] = BLOB  # a new version: another ETag
    fourth = _json(_run(env, "fetch", "cordis", "--no-import", "--json"))
    assert (fourth["downloads"][0]["status"], fourth["downloads"][0]["sha256"]) == (
        "downloaded", _sha(BLOB))
    assert path.read_bytes() == BLOB


def test_progress_reports_bytes_of_the_expected_size(tmp_path, site):
    site.files[HORIZON] = BLOB
    calls = []
    settings = load_settings({"db": tmp_path / "p.db"}, _set(_env(tmp_path, site)))
    (download,) = fetch_cordis(settings, progress=lambda *call: calls.append(call))
    name = "cordis-HORIZONprojects-xml.zip"
    assert calls[0] == (name, 0, len(BLOB))
    assert calls[-1] == (name, len(BLOB), len(BLOB))
    assert download.size == len(BLOB)


# -- keep.eu ----------------------------------------------------------------------------------


def test_keep_without_a_key_names_the_variable(tmp_path, site):
    result = _main(_env(tmp_path, site), "fetch", "keep-eu")
    assert result.exit_code == 1
    assert result.stderr == ("Error: no keep.eu API key: set the environment variable "
                             "EUPROJECTS_KEEP_API_KEY (keep.eu gives keys on request: "
                             "keep.support@interact.eu)\n")
    assert site.requests == [] and site.keys == []


def test_keep_key_goes_to_the_server_and_nowhere_else(tmp_path, site):
    env = _env(tmp_path, site, EUPROJECTS_KEEP_API_KEY=KEY)
    result = _run(env, "fetch", "keep-eu", "--json")
    assert result.exit_code == 0, result.output
    assert site.keys == [KEY]
    fetched = json.loads(result.stdout)
    (download,) = fetched["downloads"]
    assert download["url"] == f"{site.url}/api/open-data"
    assert Path(download["path"]).read_bytes() == KEEP_JSON.read_bytes()  # as received
    assert fetched["import"]["projects"]["created"] == 3
    assert fetched["import"]["files"][0]["origin"] == f"{site.url}/api/open-data"
    plain = _run(env, "fetch", "keep-eu")
    assert plain.exit_code == 0 and "unchanged" in plain.stdout
    assert KEY not in result.output + plain.output
    for path in tmp_path.rglob("*"):  # the downloads, the manifests, the database
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path.name
    assert KEY not in repr(load_settings({}, _set(env)))


def test_keep_refusing_the_key_says_so_without_the_key(tmp_path, site):
    result = _main(_env(tmp_path, site, EUPROJECTS_KEEP_API_KEY="wrong-key-123"),
                   "fetch", "keep-eu")
    assert site.keys == ["wrong-key-123"]
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {site.url}/api/open-data refused the API key "
                             "(HTTP 403 Forbidden): check EUPROJECTS_KEEP_API_KEY\n")


# -- failures ---------------------------------------------------------------------------------


def test_an_unresolvable_host_is_offline(tmp_path, site):
    env = _env(tmp_path, site, EUPROJECTS_CORDIS_DATA_URL="http://nonexistent.invalid/")
    result = _main(env, "fetch", "cordis")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: cannot reach nonexistent.invalid (name not resolved): {HINT}\n"
    raw = _run(env, "fetch", "cordis")
    assert isinstance(raw.exception, FetchError) and raw.exception.offline


def test_a_closed_port_is_offline(tmp_path, site):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    env = _env(tmp_path, site, EUPROJECTS_CORDIS_DATA_URL=f"http://127.0.0.1:{port}/data/")
    result = _main(env, "fetch", "cordis")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot reach 127.0.0.1:{port} (connection refused): {HINT}\n"


def test_a_server_that_never_answers_times_out(tmp_path, site):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        env = _env(tmp_path, site, EUPROJECTS_CORDIS_DATA_URL=f"http://127.0.0.1:{port}/",
                   EUPROJECTS_FETCH_READ_TIMEOUT="1")
        result = _main(env, "fetch", "cordis")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot reach 127.0.0.1:{port} (no answer within 1 s): {HINT}\n"


def test_a_404_gives_its_status(tmp_path, site):
    result = _main(_env(tmp_path, site), "fetch", "cordis", "--programme", "fp7")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {site.url}/data/cordis-fp7projects-xml.zip: HTTP 404 Not Found\n"
    assert not list((tmp_path / "downloads" / "cordis").iterdir())


@pytest.mark.parametrize(("env", "message"), [
    ({"EUPROJECTS_FETCH_CONNECT_TIMEOUT": "0"}, "setting 'fetch_connect_timeout': 0 is not from 1 to 60"),
    ({"EUPROJECTS_FETCH_READ_TIMEOUT": "0"}, "setting 'fetch_read_timeout': 0 must be at least 1"),
    ({"EUPROJECTS_CORDIS_DATA_URL": "ftp://cordis.europa.eu/data/"},
     "setting 'cordis_data_url': 'ftp://cordis.europa.eu/data/' is not an http:// or https:// URL"),
])
def test_bad_fetch_settings_name_the_key(env, message):
    with pytest.raises(SettingsError) as info:
        load_settings({}, env)
    assert str(info.value) == message


def test_downloads_go_beside_the_database_unless_set():
    assert load_settings({}, {}).downloads_path == Path("var/downloads")
    assert load_settings({}, {"EUPROJECTS_DOWNLOADS_DIR": "dl"}).downloads_path == Path("dl")
