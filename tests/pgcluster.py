"""Throwaway PostgreSQL servers for the tests and the benches: Debian's PostgreSQL started with
initdb + pg_ctl in a temporary folder on a free loopback port (as user postgres when run as
root), and a streaming replica of one (pg_basebackup -R). Nothing of them outlives stop()."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgServer", "available", "free_port"]


def _bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def available() -> bool:
    """PostgreSQL's server programs are installed."""
    return _bindir() is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgServer:
    """One PostgreSQL server: a new cluster (``PgServer()``) or a streaming replica of another
    (``primary.replica()``). ``url`` is the address of its database ``postgres``."""

    def __init__(self, *, primary: PgServer | None = None, fast: bool = True) -> None:
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="euprojects-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        if primary is None:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8")
        else:
            self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                      "postgres", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast")
        # fsync off for a throwaway server (a test's crash is of euprojects, not of the disk)
        self.options = (f"-c listen_addresses=127.0.0.1 -c port={self.port}"
                        f" -c unix_socket_directories={self.dir} -c max_connections=200"
                        " -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on"
                        " -c wal_receiver_status_interval=1"
                        + (" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                           if fast else ""))
        self.start()

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bindir / program), *args]), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def replica(self) -> PgServer:
        return PgServer(primary=self)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options,
                  "-l", str(self.dir / "log"), "-w", "start")

    def halt(self) -> None:
        """Stop the server at once (its data stays: start() brings it back)."""
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                                     "immediate", "stop"]), cwd=self.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_database(self, name: str, template: str | None = None,
                     replace: bool = False) -> str:
        """A new database on this server, empty or a copy of ``template`` (which nothing may
        be connected to); its URL. ``replace``: one of that name is dropped first."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            if replace:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for attempt in range(50):  # the last connection to the template may be closing
                try:
                    conn.execute(f'CREATE DATABASE "{name}"'
                                 + (f' TEMPLATE "{template}"' if template else ""))
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
        return self.url.rsplit("/", 1)[0] + f"/{name}"
