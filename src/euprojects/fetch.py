"""Download the official files: the CORDIS dataset zips, the keep.eu Open Data API answer and
Kohesio's bulk CSV exports (the ``latest/`` project file of each country and period, and the
beneficiaries and NUTS exports the importer reads beside them).

A download is written to ``NAME.part`` first. A broken transfer resumes with an HTTP ``Range``
request (``If-Range`` guards against a file that changed meanwhile); a server that answers 200
instead of 206 is read again from the start. A complete file is checked against Content-Length,
renamed atomically and described by ``NAME.manifest.json`` beside it (url, size, sha256, ETag,
Last-Modified, fetched_at). The next fetch sends a conditional request: a 304, or the same ETag
(or the same Last-Modified and size), means unchanged and nothing is downloaded again.

Standard library only (urllib). Connection failures become one-line FetchErrors that say the
machine may be offline; an API key goes into the request and nowhere else.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from . import __version__
from .errors import FetchError, SettingsError
from .settings import Settings

__all__ = [
    "CORDIS_PROGRAMMES",
    "CORDIS_FORMATS",
    "KEEP_KEY_VARIABLE",
    "KOHESIO_PERIODS",
    "KOHESIO_COUNTRIES",
    "Download",
    "cordis_file_name",
    "kohesio_file_name",
    "fetch_cordis",
    "fetch_keep",
    "fetch_kohesio",
]

# option value -> the programme as the published file names spell it
CORDIS_PROGRAMMES = {"horizon": "HORIZON", "h2020": "h2020", "fp7": "fp7"}
CORDIS_FORMATS = ("xml", "csv")
KEEP_FILE = "keep-eu-open-data.json"
KEEP_KEY_VARIABLE = "EUPROJECTS_KEEP_API_KEY"
# Kohesio: the programming period -> how its file names spell it
KOHESIO_PERIODS = {"2014-2020": "pp14-20", "2021-2027": "pp21-27"}
# the 27 member states, as ISO 3166 codes (Greece GR: that Kohesio names its file GR, not EL, is
# an assumption)
KOHESIO_COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
                     "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
                     "SK")
# the exports of the whole of Kohesio, under the names the importer reads beside the project files
KOHESIO_LOOKUPS = {"beneficiaries": "beneficiaries.csv", "nuts": "nuts.csv"}

# progress(file name, bytes done, bytes expected or None)
Progress = Callable[[str, int, int | None], None]

_CHUNK = 1 << 18
_ATTEMPTS = 3  # a transfer that breaks off is resumed at once, at most this many times in all
_OFFLINE_HINT = (
    "are you offline? The files of ../shared/data can be imported with `euprojects import`"
)


@dataclass(frozen=True)
class Download:
    """One file in the downloads folder and how this fetch got it."""

    path: Path
    url: str  # as published: never with an API key
    size: int
    sha256: str
    status: str  # "downloaded" | "resumed" | "unchanged" | "missing" (HTTP 404: nothing there)
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched_at: str = ""
    lookup: bool = False  # read by the importer beside the files it imports, not imported itself

    @property
    def importable(self) -> bool:
        """A file for the source's importer: there, and not one only read beside the others."""
        return self.status != "missing" and not self.lookup

    @property
    def manifest_path(self) -> Path:
        return _manifest_path(self.path)

    def manifest(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "file": self.path.name,
            "size": self.size,
            "sha256": self.sha256,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "content_type": self.content_type,
            "fetched_at": self.fetched_at,
        }

    def to_dict(self) -> dict[str, Any]:
        data = {**self.manifest(), "path": str(self.path), "status": self.status}
        if self.status == "missing":
            data.update(size=None, sha256=None)
        return data


def cordis_file_name(programme: str, fmt: str) -> str:
    """The published name: ``cordis-HORIZONprojects-xml.zip``, ``cordis-h2020projects-csv.zip``."""
    return f"cordis-{CORDIS_PROGRAMMES[programme]}projects-{fmt}.zip"


def fetch_cordis(settings: Settings, programmes: Iterable[str] = ("horizon",), fmt: str = "xml",
                 progress: Progress | None = None) -> list[Download]:
    """Download the CORDIS project zips of these programmes (horizon, h2020, fp7) in one format."""
    if fmt not in CORDIS_FORMATS:
        raise SettingsError(f"CORDIS format {fmt!r} is not one of {', '.join(CORDIS_FORMATS)}")
    client = _Client(settings)
    folder = settings.downloads_path / "cordis"
    base = settings.cordis_data_url.rstrip("/") + "/"
    downloads = []
    for programme in dict.fromkeys(programmes):
        if programme not in CORDIS_PROGRAMMES:
            raise SettingsError(f"CORDIS programme {programme!r} is not one of "
                                f"{', '.join(CORDIS_PROGRAMMES)}")
        name = cordis_file_name(programme, fmt)
        downloads.append(_download(client, base + name, base + name, folder / name, progress))
    return downloads


def fetch_keep(settings: Settings, progress: Progress | None = None) -> list[Download]:
    """Save the keep.eu Open Data API answer as received (its format is not verified)."""
    key = (settings.keep_api_key or "").strip()
    if not key:
        raise SettingsError(
            f"no keep.eu API key: set the environment variable {KEEP_KEY_VARIABLE} "
            "(keep.eu gives keys on request: keep.support@interact.eu)"
        )
    shown = settings.keep_api_url
    url = f"{shown}{'&' if '?' in shown else '?'}key={quote(key, safe='')}"
    folder = settings.downloads_path / "keep"
    client = _Client(settings, key_variable=KEEP_KEY_VARIABLE)
    return [_download(client, url, shown, folder / KEEP_FILE, progress)]


def kohesio_file_name(country: str, period: str) -> str:
    """The name of a ``latest/`` project export: ``IE-pp21-27-latest.csv``."""
    return f"{country}-{KOHESIO_PERIODS[period]}-latest.csv"


def fetch_kohesio(settings: Settings, periods: Iterable[str] = tuple(KOHESIO_PERIODS),
                  countries: Iterable[str] = KOHESIO_COUNTRIES,
                  progress: Progress | None = None) -> list[Download]:
    """Download the ``latest/`` Kohesio project export of each country and period, then the
    beneficiaries and NUTS exports beside them. A project file that answers 404 is a Download
    ``missing`` (not every country has operations in every period); when every one does, or on
    any other failure, FetchError."""
    chosen = [_kohesio_period(p) for p in dict.fromkeys(periods)]
    codes = [_country_code(c) for c in dict.fromkeys(c.strip().upper() for c in countries)]
    if not chosen or not codes:
        raise SettingsError("no Kohesio period or no country asked for")
    client = _Client(settings)
    folder = settings.downloads_path / "kohesio"
    base = settings.kohesio_data_url.rstrip("/") + "/"
    downloads = []
    for period in chosen:
        for country in codes:
            name = kohesio_file_name(country, period)
            url = f"{base}object?id=data/projects-{period}/latest/{name}"
            try:
                downloads.append(_download(client, url, url, folder / name, progress))
            except FetchError as exc:
                if exc.status != 404:
                    raise
                downloads.append(Download(path=folder / name, url=url, size=0, sha256="",
                                          status="missing", fetched_at=_now()))
    if all(d.status == "missing" for d in downloads):
        raise FetchError(f"no Kohesio project file found: HTTP 404 for each of the "
                         f"{len(downloads)} asked for under {base} (check --country, --period "
                         "and the setting kohesio_data_url)", status=404)
    for export, name in KOHESIO_LOOKUPS.items():
        got = _download(client, base + export, base + export, folder / name, progress)
        downloads.append(replace(got, lookup=True))
    return downloads


def _kohesio_period(period: str) -> str:
    if period not in KOHESIO_PERIODS:
        raise SettingsError(f"Kohesio period {period!r} is not one of "
                            f"{', '.join(KOHESIO_PERIODS)}")
    return period


def _country_code(code: str) -> str:
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise SettingsError(f"country {code!r} is not a two-letter code (IE, PL...)")
    return code


# -- HTTP ------------------------------------------------------------------------------------


class _ReadTimeout(http.client.HTTPConnection):
    """Connects within the connect timeout (the TLS handshake included), then waits up to the
    read timeout for each next bytes."""

    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timeout = read_timeout

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self._read_timeout)


class _Connection(_ReadTimeout, http.client.HTTPConnection):
    pass


class _TlsConnection(_ReadTimeout, http.client.HTTPSConnection):
    pass


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self._read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_Connection, read_timeout=self._read_timeout)
        return self.do_open(factory, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(context=self._tls)
        self._read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_TlsConnection, read_timeout=self._read_timeout)
        return self.do_open(factory, req, context=self._tls)


class _Client:
    def __init__(self, settings: Settings, key_variable: str | None = None) -> None:
        self.key_variable = key_variable  # where the key in the URL comes from, if any
        self.connect_timeout = settings.fetch_connect_timeout
        self.read_timeout = settings.fetch_read_timeout
        self._opener = urllib.request.build_opener(
            _HttpHandler(self.read_timeout), _HttpsHandler(self.read_timeout)
        )

    def get(self, url: str, shown: str,
            headers: Mapping[str, str]) -> http.client.HTTPResponse | urllib.error.HTTPError:
        """The response of a GET; an HTTPError for 304 and 416 (to be read as answers); a
        FetchError for anything else that is not a 2xx answer."""
        request = urllib.request.Request(
            url, headers={"User-Agent": f"euprojects/{__version__}", **headers}
        )
        try:
            # the handlers above answer with an HTTPResponse (typeshed types open() as Any)
            response: http.client.HTTPResponse = self._opener.open(
                request, timeout=self.connect_timeout)
            return response
        except urllib.error.HTTPError as exc:
            if exc.code in (304, 416):
                return exc
            exc.close()
            raise self._http_error(shown, exc.code, exc.reason) from None
        except urllib.error.URLError as exc:  # while connecting
            raise self._unreachable(shown, exc.reason, self.connect_timeout) from None
        except (OSError, http.client.HTTPException) as exc:  # while waiting for the answer
            raise self._unreachable(shown, exc, self.read_timeout) from None

    @staticmethod
    def _unreachable(shown: str, reason: object, timeout: int) -> FetchError:
        host = urlsplit(shown).netloc.rpartition("@")[2]
        if isinstance(reason, ssl.SSLError):
            return FetchError(f"no secure connection to {host} ({reason})")
        if isinstance(reason, socket.gaierror):
            why = "name not resolved"
        elif isinstance(reason, ConnectionRefusedError):
            why = "connection refused"
        elif isinstance(reason, TimeoutError):
            why = f"no answer within {timeout} s"
        elif isinstance(reason, http.client.RemoteDisconnected):
            why = "closed the connection without answering"
        else:
            why = str(reason) or type(reason).__name__
        return FetchError(f"cannot reach {host} ({why}): {_OFFLINE_HINT}", offline=True)

    def _http_error(self, shown: str, status: int, reason: object) -> FetchError:
        text = f"HTTP {status} {reason}".rstrip()
        if status in (401, 403) and self.key_variable:
            return FetchError(f"{shown} refused the API key ({text}): check {self.key_variable}",
                              status=status)
        return FetchError(f"{shown}: {text}", status=status)


# -- one download ----------------------------------------------------------------------------


class _Broken(Exception):
    """The transfer stopped early; the .part file keeps what came."""

    def __init__(self, done: int, total: int | None, reason: str) -> None:
        super().__init__(reason)
        self.done, self.total, self.reason = done, total, reason


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _part_paths(path: Path) -> tuple[Path, Path]:
    """The partial file and the validators of the answer it came from."""
    return path.with_name(path.name + ".part"), path.with_name(path.name + ".part.json")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _previous(path: Path) -> dict[str, Any] | None:
    """The manifest of the file already there, if the file is whole (its size matches)."""
    manifest = _read_json(_manifest_path(path))
    if manifest is None or not path.is_file() or path.stat().st_size != manifest.get("size"):
        return None
    return manifest


def _unchanged(old: Mapping[str, Any], head: Message) -> bool:
    """A 200 answer describing the same file (a server that ignores conditional requests)."""
    etag, modified, length = head.get("ETag"), head.get("Last-Modified"), head.get("Content-Length")
    if etag and old.get("etag"):
        return bool(etag == old["etag"])
    if modified and old.get("last_modified"):
        return modified == old["last_modified"] and (length is None or int(length) == old["size"])
    return False


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """``bytes 100-199/200`` -> (100, 200); ``bytes */200`` -> (None, 200)."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[6:].partition("/")
    start = span.partition("-")[0]
    return (int(start) if start.isdigit() else None, int(total) if total.isdigit() else None)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _download(client: _Client, url: str, shown: str, path: Path,
              progress: Progress | None) -> Download:
    path.parent.mkdir(parents=True, exist_ok=True)
    broken: _Broken | None = None
    for _ in range(_ATTEMPTS):
        try:
            return _attempt(client, url, shown, path, progress)
        except _Broken as exc:
            broken = exc
    assert broken is not None
    of = f" of {broken.total}" if broken.total is not None else ""
    raise FetchError(f"{shown}: the download broke off after {broken.done}{of} bytes "
                     f"({broken.reason}); run the command again to resume it")


def _attempt(client: _Client, url: str, shown: str, path: Path,
             progress: Progress | None) -> Download:
    part, part_meta = _part_paths(path)
    old = _previous(path)
    offset = part.stat().st_size if part.is_file() else 0
    headers: dict[str, str] = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        validators = _read_json(part_meta) or {}
        etag = validators.get("etag")
        strong = etag if etag and not etag.startswith("W/") else None
        if strong or validators.get("last_modified"):
            headers["If-Range"] = strong or validators["last_modified"]
    elif old is not None:
        if old.get("etag"):
            headers["If-None-Match"] = old["etag"]
        if old.get("last_modified"):
            headers["If-Modified-Since"] = old["last_modified"]
    response = client.get(url, shown, headers)
    with response:
        status, head = response.status, response.headers
        if status == 304 and old is not None and not offset:
            return Download(**{**_from_manifest(old), "path": path, "status": "unchanged"})
        if status == 304:
            raise FetchError(f"{shown}: HTTP 304 to a request that was not conditional",
                             status=304)
        if status == 416:  # the range starts at or past the end
            total = _content_range(head.get("Content-Range"))[1]
            if offset and total == offset:  # the .part is whole: only its rename was missing
                return _finish(path, shown, _read_json(part_meta) or {}, total, _hash_file(part),
                               resumed=True)
            part.unlink(missing_ok=True)
            raise _Broken(0, total, "the server refused the range; starting again")
        length = head.get("Content-Length")
        if status == 206:
            start, total = _content_range(head.get("Content-Range"))
            if start != offset:
                part.unlink(missing_ok=True)
                raise _Broken(0, total, f"the server sent bytes from {start}, not {offset}")
            hasher = _hash_file(part)
        else:  # 200: the whole file, also when a range was asked for and ignored
            if old is not None and not offset and _unchanged(old, head):
                return Download(**{**_from_manifest(old), "path": path, "status": "unchanged"})
            offset = 0
            total = int(length) if length and length.isdigit() else None
            hasher = hashlib.sha256()
            _write_json(part_meta, _validators(shown, head))
        done = offset
        if progress is not None:
            progress(path.name, done, total)
        with part.open("ab" if offset else "wb") as out:
            try:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    hasher.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(path.name, done, total)
            except (OSError, http.client.HTTPException) as exc:
                raise _Broken(done, total, _broken_reason(exc, client)) from None
    if total is not None and done != total:
        if done > total:
            part.unlink(missing_ok=True)
            raise _Broken(done, total, "more bytes than announced; starting again")
        raise _Broken(done, total, "the connection closed early")
    return _finish(path, shown, _validators(shown, head), done, hasher, resumed=status == 206)


def _validators(shown: str, head: Message) -> dict[str, Any]:
    return {"url": shown, "etag": head.get("ETag"), "last_modified": head.get("Last-Modified"),
            "content_type": head.get("Content-Type")}


def _broken_reason(exc: BaseException, client: _Client) -> str:
    if isinstance(exc, TimeoutError):
        return f"no bytes for {client.read_timeout} s"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed early"
    return str(exc) or type(exc).__name__


class _Hasher(Protocol):
    """What a download needs of a hashlib object."""

    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _hash_file(path: Path) -> _Hasher:
    hasher = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            hasher.update(chunk)
    return hasher


def _from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("url", "size", "sha256", "etag", "last_modified", "content_type", "fetched_at")
    return {k: manifest.get(k) for k in keys}


def _finish(path: Path, shown: str, validators: Mapping[str, Any], size: int, hasher: _Hasher, *,
            resumed: bool) -> Download:
    part, part_meta = _part_paths(path)
    os.replace(part, path)  # same folder: atomic
    download = Download(
        path=path,
        url=shown,
        size=size,
        sha256=hasher.hexdigest(),
        status="resumed" if resumed else "downloaded",
        etag=validators.get("etag"),
        last_modified=validators.get("last_modified"),
        content_type=validators.get("content_type"),
        fetched_at=_now(),
    )
    _write_json(download.manifest_path, download.manifest())
    part_meta.unlink(missing_ok=True)
    return download
