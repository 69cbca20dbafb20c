"""One frozen Settings object, read once at start: CLI option > EUPROJECTS_* env > default."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from .errors import SettingsError

__all__ = ["Settings", "LANGUAGES", "load_settings"]

LANGUAGES = ("fr", "en", "de")

_Value = TypeVar("_Value")


def _setting(default: _Value, help: str) -> _Value:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting of euprojects. Each field's metadata holds its help text (docs/settings.md)."""

    db: Path = _setting(
        Path("var/euprojects.db"),
        "Path of the SQLite database file (the store, source of truth).",
    )
    store_url: str | None = field(default=None, repr=False, metadata={"help": (
        "PostgreSQL address of the shared store (postgresql://user:password@host:port/name), "
        "where imports go (the primary); empty: the SQLite file 'db'. Never printed whole: "
        "its password is left out.")})
    store_read_url: str | None = field(default=None, repr=False, metadata={"help": (
        "PostgreSQL address the portal reads the store from, e.g. a streaming replica of "
        "'store_url'; reads go to 'store_url' while it does not answer. Empty: 'store_url'.")})
    follow_seconds: float = _setting(
        0.0, "Seconds between two looks of 'euprojects serve' at the store's changes, which "
        "it then applies to its index (a node of a portal sharing a PostgreSQL store, "
        "docs/deploy.md); 0: none, the importing command applies them.")
    index_dir: Path | None = _setting(
        None,
        "Folder of the search index (derived from the store; rebuilt by 'euprojects index'); "
        "empty: beside the database, its name ending in .index.",
    )
    dictionaries_dir: Path | None = _setting(
        Path("/usr/share/dictd"),
        "Folder of the FreeDict dictionaries (Debian's dict-freedict-XXX-eng packages) read into "
        "the search index when it is built, so that a query in French, German, Spanish, "
        "Italian, Portuguese, Dutch or Swedish also finds English texts; a folder without "
        "them: none.",
    )
    search_time_budget_ms: int = _setting(
        2000,
        "Time a search may take in milliseconds; past it the answer says it was cut "
        "(0: no facet counts).",
    )
    search_threads: int = _setting(
        2,
        "Threads one search counts its facets on, side by side, while no other search of the "
        "process counts (1: one after the other).",
    )
    search_facet_cache: int = _setting(
        512,
        "Searches whose facet counts are kept for their next pages and other sorts (0: none).",
    )
    vector_graph_min: int = _setting(
        50_000,
        "Vectors from which the vector index of search by meaning also holds an approximate "
        "graph (HNSW) that a search walks instead of reading every vector (0: never).",
    )
    lang: str = _setting("en", "Default interface language: fr, en or de.")
    today: date | None = _setting(
        None,
        "Day that project statuses are computed against (YYYY-MM-DD); empty: the real today.",
    )

    host: str = _setting("127.0.0.1", "Address the portal listens on ('euprojects serve').")
    port: int = _setting(8000, "TCP port the portal listens on, 1 to 65535.")
    workers: int = _setting(
        0, "Server processes of 'euprojects serve' (each opens the store and the index); "
        "0: one per core, at most 8.")
    keep_alive_timeout: int = _setting(
        75, "Seconds 'euprojects serve' keeps an idle connection open for the client's next "
        "request, 1 to 3600 (longer than the clients' own idle timeouts, so that the server "
        "never closes a connection a client is about to reuse).")
    header_timeout: int = _setting(
        10, "Seconds a client may take to send a request's headers, 1 to 600; then the "
        "connection is closed (half-sent requests cannot hold connections open).")
    base_url: str = _setting(
        "", "Address the portal is reached at, for the absolute links of the Atom feed "
        "(e.g. https://projects.example.org); empty: http://localhost:<port>. Never taken "
        "from a request's Host header.")
    costly_requests: int = _setting(
        2, "Costly requests (full exports, long typo-tolerant queries) one server process "
        "runs at once; more get 429 with Retry-After (0: no limit).")
    costly_per_client: int = _setting(
        1, "Costly requests one client address runs at once; more get 429 (0: no limit).")
    max_member_bytes: int = _setting(
        64 * 1024 * 1024, "Largest zip member (uncompressed bytes) an importer reads whole "
        "into memory (one CORDIS project XML); a larger one is rejected as it is read.")

    downloads_dir: Path | None = _setting(
        None,
        "Folder that 'euprojects fetch' downloads into, one sub-folder per source; "
        "empty: 'downloads' beside the database.",
    )
    geo_dir: Path | None = _setting(
        None,
        "Folder of the NUTS 2021 boundaries of Eurostat GISCO (nutsrg_0.json to nutsrg_3.json "
        "and cntrg.json) that the maps read in place; empty: no maps.",
    )
    cordis_data_url: str = _setting(
        "https://cordis.europa.eu/data/",
        "Base URL of the CORDIS dataset files that 'euprojects fetch cordis' downloads.",
    )
    kohesio_data_url: str = _setting(
        "https://kohesio.ec.europa.eu/api/data/",
        "Base URL of Kohesio's data API that 'euprojects fetch kohesio' downloads from: the "
        "project exports under object?id=data/projects-<period>/latest/, the beneficiaries and "
        "the nuts exports.",
    )
    keep_api_url: str = _setting(
        "https://keep.eu/api/open-data",
        "URL of the keep.eu Open Data API that 'euprojects fetch keep-eu' calls.",
    )
    keep_api_key: str | None = field(default=None, repr=False, metadata={"help": (
        "keep.eu Open Data API key for 'euprojects fetch keep-eu' (given by keep.eu on "
        "request); never printed or logged.")})
    fetch_connect_timeout: int = _setting(
        5, "Seconds 'euprojects fetch' waits for a server to accept the connection, 1 to 60.")
    fetch_read_timeout: int = _setting(
        60, "Seconds 'euprojects fetch' waits for the next bytes of an answer, at least 1.")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def index_path(self) -> Path:
        return self.index_dir or self.db.with_suffix(".index")

    @property
    def downloads_path(self) -> Path:
        return self.downloads_dir or self.db.parent / "downloads"

    @property
    def worker_count(self) -> int:
        return self.workers or max(1, min(8, os.cpu_count() or 1))

    @property
    def public_url(self) -> str:
        """The portal's address for absolute links (never a request's Host header)."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "localhost" if self.host in {"127.0.0.1", "0.0.0.0", "::", "::1"} else self.host
        return f"http://{host}:{self.port}"

    def current_day(self) -> date:
        return self.today or date.today()


def _convert(name: str, raw: str, kind: type) -> Any:
    if kind is Path:
        if not raw.strip():
            raise SettingsError(f"setting {name!r}: empty path")
        return Path(raw)
    if kind is int:
        try:
            number = int(raw)
        except ValueError:
            raise SettingsError(f"setting {name!r}: {raw!r} is not a whole number") from None
        if number < 0:
            raise SettingsError(f"setting {name!r}: {number} must not be negative")
        return number
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(f"setting {name!r}: {raw!r} is not a number") from None
    if kind is date:
        if not raw.strip():
            return None
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise SettingsError(f"setting {name!r}: {raw!r} is not a date (YYYY-MM-DD)") from None
    return raw


def _validate(settings: Settings) -> Settings:
    if settings.lang not in LANGUAGES:
        raise SettingsError(
            f"setting 'lang': {settings.lang!r} is not one of {', '.join(LANGUAGES)}"
        )
    if not 1 <= settings.port <= 65535:
        raise SettingsError(f"setting 'port': {settings.port} is not from 1 to 65535")
    if not 1 <= settings.keep_alive_timeout <= 3600:
        raise SettingsError(f"setting 'keep_alive_timeout': {settings.keep_alive_timeout} is "
                            "not from 1 to 3600")
    if not 1 <= settings.header_timeout <= 600:
        raise SettingsError(f"setting 'header_timeout': {settings.header_timeout} is not "
                            "from 1 to 600")
    if settings.base_url and not settings.base_url.startswith(("http://", "https://")):
        raise SettingsError(f"setting 'base_url': {settings.base_url!r} is not an http:// or "
                            "https:// URL")
    for name in ("store_url", "store_read_url"):
        url = getattr(settings, name)
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise SettingsError(f"setting {name!r}: not a postgresql:// address")
    if settings.store_read_url and not settings.store_url:
        raise SettingsError("setting 'store_read_url' needs 'store_url' (the primary, where "
                            "imports go)")
    if not 0 <= settings.follow_seconds <= 3600:
        raise SettingsError(f"setting 'follow_seconds': {settings.follow_seconds} is not from "
                            "0 to 3600")
    if settings.max_member_bytes < 1024:
        raise SettingsError(f"setting 'max_member_bytes': {settings.max_member_bytes} is "
                            "below 1024")
    if not settings.host.strip():
        raise SettingsError("setting 'host': empty address")
    for name in ("cordis_data_url", "kohesio_data_url", "keep_api_url"):
        if not getattr(settings, name).startswith(("http://", "https://")):
            raise SettingsError(f"setting {name!r}: {getattr(settings, name)!r} is not an "
                                "http:// or https:// URL")
    if not 1 <= settings.fetch_connect_timeout <= 60:
        raise SettingsError(f"setting 'fetch_connect_timeout': {settings.fetch_connect_timeout} "
                            "is not from 1 to 60")
    if settings.fetch_read_timeout < 1:
        raise SettingsError(f"setting 'fetch_read_timeout': {settings.fetch_read_timeout} "
                            "must be at least 1")
    return settings


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build Settings from defaults, then ``EUPROJECTS_<NAME>`` variables, then ``overrides``.

    ``overrides`` values of None are ignored (an unset CLI option). A bad value raises
    SettingsError naming the key.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    types = {
        "db": Path,
        "store_url": str,
        "store_read_url": str,
        "follow_seconds": float,
        "index_dir": Path,
        "dictionaries_dir": Path,
        "search_time_budget_ms": int,
        "search_threads": int,
        "search_facet_cache": int,
        "vector_graph_min": int,
        "lang": str,
        "today": date,
        "host": str,
        "port": int,
        "workers": int,
        "keep_alive_timeout": int,
        "header_timeout": int,
        "base_url": str,
        "costly_requests": int,
        "costly_per_client": int,
        "max_member_bytes": int,
        "downloads_dir": Path,
        "geo_dir": Path,
        "cordis_data_url": str,
        "kohesio_data_url": str,
        "keep_api_url": str,
        "keep_api_key": str,
        "fetch_connect_timeout": int,
        "fetch_read_timeout": int,
    }
    for f in dataclasses.fields(Settings):
        env_name = f"EUPROJECTS_{f.name.upper()}"
        if env_name in environ:
            values[f.name] = _convert(env_name, environ[env_name], types[f.name])
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in types:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _convert(name, str(value), types[name]) if isinstance(value, str) else value
    return _validate(Settings(**values))
