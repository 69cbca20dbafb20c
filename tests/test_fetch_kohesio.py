"""`euprojects fetch kohesio`: real downloads from an HTTP server on loopback that serves the
hand-made Kohesio fixtures (tests/data/kohesio) under the `latest/` addresses of Kohesio's data
API, and the beneficiaries and NUTS exports under `/api/data/beneficiaries` and `/api/data/nuts`.
No mock of urllib."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import DATA, TODAY
from euprojects.catalog import KOHESIO_COUNTRIES, Catalog, download
from euprojects.cli import cli, main
from euprojects.errors import SettingsError
from euprojects.settings import load_settings

FIXTURES = DATA / "kohesio"
API = "/api/data/"
P1420 = f"{API}object?id=data/projects-2014-2020/latest/IE-pp14-20-latest.csv"
P2127 = f"{API}object?id=data/projects-2021-2027/latest/IE-pp21-27-latest.csv"
BENEFICIARIES, NUTS = f"{API}beneficiaries", f"{API}nuts"
# request target -> (the fixture served there, the name it is saved under)
SERVED = {
    P1420: ("IE-pp14-20-20260924.csv", "IE-pp14-20-latest.csv"),
    P2127: ("IE-pp21-27-20260924.csv", "IE-pp21-27-latest.csv"),
    BENEFICIARIES: ("beneficiaries-20260924.csv", "beneficiaries.csv"),
    NUTS: ("nuts-20260924.csv", "nuts.csv"),
}
ORDER = [P1420, P2127, BENEFICIARIES, NUTS]  # periods in order, then the two exports
MODIFIED = "Thu, 24 Sep 2026 06:00:00 GMT"
CSV = "text/csv; charset=utf-8"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tag(data: bytes) -> str:
    return '"k-' + _sha(data)[:12] + '"'


class Kohesio:
    """The loopback server: its bodies by request target, and each request it answered."""

    def __init__(self) -> None:
        self.bodies = {target: (FIXTURES / fixture).read_bytes()
                       for target, (fixture, _) in SERVED.items()}
        self.answered: list[tuple[str, dict[str, str], int, int]] = []  # target, headers,
        # status, body bytes sent
        self.statuses: dict[str, int] = {}  # targets that answer this error instead
        self.short: dict[str, int] = {}  # targets whose next answer stops after N bytes
        self.root = ""

    def sent(self) -> list[tuple[str, int]]:
        return [(target, status) for target, _, status, _ in self.answered]


def _kohesio_handler(server: Kohesio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, head: dict[str, str], body: bytes = b"",
                    length: int | None = None) -> None:
            asked = {k.lower(): v for k, v in self.headers.items()}
            server.answered.append((self.path, asked, status, len(body)))
            self.send_response(status)
            for name, value in head.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            body = server.bodies.get(self.path)
            if self.path in server.statuses or body is None:
                return self._answer(server.statuses.get(self.path, 404), {})
            tag = _tag(body)
            if self.headers.get("If-None-Match") == tag:
                return self._answer(304, {"ETag": tag})
            head = {"Content-Type": CSV, "ETag": tag, "Last-Modified": MODIFIED}
            start, wanted = 0, self.headers.get("Range")
            if wanted and self.headers.get("If-Range") == tag:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                head["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            rest = body[start:]
            sent = rest[: server.short.pop(self.path, len(rest))]
            self._answer(206 if start else 200, head, sent, length=len(rest))

    return Handler


@pytest.fixture
def kohesio():
    state = Kohesio()
    with ThreadingHTTPServer(("127.0.0.1", 0), _kohesio_handler(state)) as httpd:
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        state.root = "http://{}:{}".format(*httpd.server_address)
        yield state
        httpd.shutdown()  # returns once serve_forever has stopped


def _environ(tmp_path: Path, server: Kohesio) -> dict[str, str | None]:
    return {"EUPROJECTS_DB": str(tmp_path / "kohesio.db"), "EUPROJECTS_TODAY": TODAY.isoformat(),
            "EUPROJECTS_DOWNLOADS_DIR": None, "EUPROJECTS_KOHESIO_DATA_URL": server.root + API}


def _fetch(tmp_path: Path, server: Kohesio, *options: str):
    return CliRunner().invoke(cli, ["fetch", "kohesio", *options],
                              env=_environ(tmp_path, server))


def _fetched(tmp_path: Path, server: Kohesio, *options: str) -> dict:
    result = _fetch(tmp_path, server, *options, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def _failed(tmp_path: Path, server: Kohesio, *options: str) -> str:
    """The standard error of the installed command, which ends in error."""
    command = click.Command("euprojects",
                            callback=lambda: main(["fetch", "kohesio", *options]))
    result = CliRunner().invoke(command, [], env=_environ(tmp_path, server))
    assert result.exit_code == 1, result.output
    return result.stderr


def _folder(tmp_path: Path) -> Path:
    return tmp_path / "downloads" / "kohesio"  # beside the database


# -- the downloads ----------------------------------------------------------------------------


def test_the_latest_files_and_the_two_exports_are_saved_with_their_manifests(tmp_path, kohesio):
    fetched = _fetched(tmp_path, kohesio, "--country", "ie", "--no-import")
    assert fetched["import"] is None
    assert not (tmp_path / "kohesio.db").exists()  # --no-import opens no store
    assert kohesio.sent() == [(target, 200) for target in ORDER]
    folder = _folder(tmp_path)
    assert [(d["path"], d["url"], d["status"]) for d in fetched["downloads"]] == [
        (str(folder / SERVED[t][1]), kohesio.root + t, "downloaded") for t in ORDER]
    for target in ORDER:
        fixture, name = SERVED[target]
        body = (FIXTURES / fixture).read_bytes()
        assert (folder / name).read_bytes() == body
        manifest = json.loads((folder / f"{name}.manifest.json").read_text(encoding="utf-8"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", manifest.pop("fetched_at"))
        assert manifest == {"url": kohesio.root + target, "file": name, "size": len(body),
                            "sha256": _sha(body), "etag": _tag(body), "last_modified": MODIFIED,
                            "content_type": CSV}
    names = [SERVED[t][1] for t in ORDER]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        names + [n + ".manifest.json" for n in names])


def test_a_second_fetch_finds_every_file_unchanged_and_downloads_nothing(tmp_path, kohesio):
    _fetched(tmp_path, kohesio, "--country", "IE", "--no-import")
    folder = _folder(tmp_path)
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    del kohesio.answered[:]

    again = _fetched(tmp_path, kohesio, "--country", "IE", "--no-import")
    assert [d["status"] for d in again["downloads"]] == ["unchanged"] * 4
    assert kohesio.sent() == [(target, 304) for target in ORDER]
    assert sum(sent for *_, sent in kohesio.answered) == 0
    assert [asked["if-none-match"] for _, asked, _, _ in kohesio.answered] == [
        _tag(kohesio.bodies[t]) for t in ORDER]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written

    text = _fetch(tmp_path, kohesio, "--country", "IE", "--no-import")
    assert text.exit_code == 0, text.output
    assert text.stdout.count("unchanged, not downloaded again") == 4


def test_a_broken_transfer_resumes_with_a_range_request(tmp_path, kohesio):
    body = kohesio.bodies[P2127]
    half = len(body) // 2
    kohesio.short[P2127] = half  # the first answer stops half way
    fetched = _fetched(tmp_path, kohesio, "--country", "IE", "--period", "2021-2027",
                       "--no-import")
    assert kohesio.sent() == [(P2127, 200), (P2127, 206), (BENEFICIARIES, 200), (NUTS, 200)]
    asked = kohesio.answered[1][1]
    assert (asked["range"], asked["if-range"]) == (f"bytes={half}-", _tag(body))
    first = fetched["downloads"][0]
    assert (first["status"], first["size"], first["sha256"]) == ("resumed", len(body), _sha(body))
    saved = _folder(tmp_path) / "IE-pp21-27-latest.csv"
    assert saved.read_bytes() == body
    assert not saved.with_name(saved.name + ".part").exists()


def test_the_default_asks_both_periods_of_the_27_member_states(tmp_path, kohesio):
    fetched = _fetched(tmp_path, kohesio, "--no-import")
    asked = [target for target, _ in kohesio.sent()]
    expected = [f"{API}object?id=data/projects-{period}/latest/{country}-pp{pp}-latest.csv"
                for period, pp in (("2014-2020", "14-20"), ("2021-2027", "21-27"))
                for country in KOHESIO_COUNTRIES]
    assert asked[:-2] == expected
    assert len(set(KOHESIO_COUNTRIES)) == 27 and "GR" in KOHESIO_COUNTRIES
    assert asked[-2:] == [BENEFICIARIES, NUTS]
    statuses = [d["status"] for d in fetched["downloads"]]
    assert (statuses.count("downloaded"), statuses.count("missing")) == (4, 52)


# -- what a server may answer -----------------------------------------------------------------


def test_a_country_without_a_file_is_reported_and_the_others_imported(tmp_path, kohesio):
    fetched = _fetched(tmp_path, kohesio, "--country", "IE", "--country", "LU")
    missing = [d for d in fetched["downloads"] if d["status"] == "missing"]
    folder = _folder(tmp_path)
    assert [(Path(d["path"]).name, d["size"], d["sha256"]) for d in missing] == [
        ("LU-pp14-20-latest.csv", None, None), ("LU-pp21-27-latest.csv", None, None)]
    assert not list(folder.glob("LU-*"))
    assert [f["file"] for f in fetched["import"]["files"]] == ["IE-pp14-20-latest.csv",
                                                              "IE-pp21-27-latest.csv"]
    text = _fetch(tmp_path, kohesio, "--country", "LU", "--country", "IE")
    assert text.exit_code == 0, text.output
    lu = kohesio.root + P1420.replace("IE-", "LU-")
    assert (f"{folder / 'LU-pp14-20-latest.csv'}: missing (HTTP 404 Not Found at {lu}), "
            "not imported\n") in text.stdout


def test_no_file_at_all_is_an_error_and_the_exports_are_not_asked_for(tmp_path, kohesio):
    stderr = _failed(tmp_path, kohesio, "--country", "XK", "--period", "2021-2027")
    assert stderr == (f"Error: no Kohesio project file found: HTTP 404 for each of the 1 asked "
                      f"for under {kohesio.root}{API} (check --country, --period and the setting "
                      "kohesio_data_url)\n")
    assert [target for target, _ in kohesio.sent()] == [P2127.replace("IE-", "XK-")]


@pytest.mark.parametrize(("target", "status", "reason"), [
    (P2127, 503, "Service Unavailable"),  # a project file: only a 404 is taken for "none there"
    (BENEFICIARIES, 404, "Not Found"),  # an export: any error fails
])
def test_any_other_failure_is_an_error(tmp_path, kohesio, target, status, reason):
    kohesio.statuses[target] = status
    stderr = _failed(tmp_path, kohesio, "--country", "IE")
    assert stderr == f"Error: {kohesio.root}{target}: HTTP {status} {reason}\n"
    info = CliRunner().invoke(cli, ["info", "--json"], env=_environ(tmp_path, kohesio))
    assert json.loads(info.stdout)["sources"] == {}  # nothing imported


def test_a_bad_country_or_period_is_refused_before_any_request(tmp_path, kohesio):
    assert _failed(tmp_path, kohesio, "--country", "IRL") == (
        "Error: country 'IRL' is not a two-letter code (IE, PL...)\n")
    assert _fetch(tmp_path, kohesio, "--period", "2007-2013").exit_code == 2  # click's Choice
    settings = load_settings({"db": tmp_path / "k.db", "kohesio_data_url": kohesio.root + API},
                             {})
    with pytest.raises(SettingsError, match="Kohesio period '2028-2034' is not one of "
                                            "2014-2020, 2021-2027"):
        download(settings, "kohesio", periods=["2028-2034"])
    with pytest.raises(SettingsError, match="no Kohesio period or no country asked for"):
        download(settings, "kohesio", countries=[])
    assert kohesio.answered == []


def test_the_base_address_is_a_setting_checked_like_the_others():
    assert load_settings({}, {}).kohesio_data_url == "https://kohesio.ec.europa.eu/api/data/"
    with pytest.raises(SettingsError) as info:
        load_settings({}, {"EUPROJECTS_KOHESIO_DATA_URL": "kohesio.ec.europa.eu/api/data/"})
    assert str(info.value) == ("setting 'kohesio_data_url': 'kohesio.ec.europa.eu/api/data/' is "
                               "not an http:// or https:// URL")


# -- fetch, then import -----------------------------------------------------------------------


def test_fetch_imports_the_projects_with_the_exports_read_beside_them(tmp_path, kohesio):
    fetched = _fetched(tmp_path, kohesio, "--country", "IE")
    report = fetched["import"]
    assert [(f["file"], f["origin"], f["rows_imported"]) for f in report["files"]] == [
        ("IE-pp14-20-latest.csv", kohesio.root + P1420, 8),
        ("IE-pp21-27-latest.csv", kohesio.root + P2127, 4)]
    assert report["projects"]["created"] == 12
    env = _environ(tmp_path, kohesio)
    info = CliRunner().invoke(cli, ["info", "--json"], env=env)
    assert info.exit_code == 0, info.output
    counts = json.loads(info.stdout)
    assert counts["sources"]["kohesio"]["projects"] == 12
    assert counts["imports"][0]["origins"] == {
        "IE-pp14-20-latest.csv": kohesio.root + P1420,
        "IE-pp21-27-latest.csv": kohesio.root + P2127}
    # SEAI's website is in the beneficiaries export only: it was read beside the project file
    show = CliRunner().invoke(cli, ["show", "kohesio:Q7361509", "--json"], env=env)
    assert show.exit_code == 0, show.output
    websites = [p["organisation"]["website"] for p in json.loads(show.stdout)["participants"]]
    assert websites == ["https://www.seai.ie"]

    again = _fetched(tmp_path, kohesio, "--country", "IE")
    assert {d["status"] for d in again["downloads"]} == {"unchanged"}
    assert again["import"]["projects"] == {"created": 0, "updated": 0, "unchanged": 12}


def test_the_json_output_gives_each_download_and_the_import(tmp_path, kohesio):
    fetched = _fetched(tmp_path, kohesio, "--country", "IE", "--country", "MT", "--period",
                       "2021-2027")
    keys = {"url", "file", "size", "sha256", "etag", "last_modified", "content_type",
            "fetched_at", "path", "status"}
    assert [set(d) for d in fetched["downloads"]] == [keys] * 4
    assert [(d["file"], d["status"]) for d in fetched["downloads"]] == [
        ("IE-pp21-27-latest.csv", "downloaded"), ("MT-pp21-27-latest.csv", "missing"),
        ("beneficiaries.csv", "downloaded"), ("nuts.csv", "downloaded")]
    assert fetched["import"]["source"] == "kohesio"
    assert fetched["import"]["rows_imported"] == 4


def test_the_catalog_fetch_imports_only_the_project_files(tmp_path, kohesio):
    settings = load_settings({"db": tmp_path / "k.db", "kohesio_data_url": kohesio.root + API,
                              "today": TODAY.isoformat()}, {})
    with Catalog(settings) as catalog:
        fetched = catalog.fetch("kohesio", countries=["IE", "SE"], periods=["2014-2020"])
        assert [(d.path.name, d.importable) for d in fetched.downloads] == [
            ("IE-pp14-20-latest.csv", True), ("SE-pp14-20-latest.csv", False),
            ("beneficiaries.csv", False), ("nuts.csv", False)]
        assert fetched.report is not None
        assert [f.file for f in fetched.report.files] == ["IE-pp14-20-latest.csv"]
        assert catalog.count_projects() == 8
