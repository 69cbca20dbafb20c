"""PostgreSQL 15 full-text search: a throwaway cluster (initdb + pg_ctl in a temporary folder,
loopback port, run as user postgres when we are root), GIN index on to_tsvector('simple', ...)
weighted A/B/C/D (acronym, title, body, partners), websearch_to_tsquery, ts_rank, ts_headline
for the page's snippets, GROUP BY facet counts. Needs ``pip install "psycopg[binary]"``."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import Answer, Doc, Engine, facet_plan

_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgCluster:
    def __init__(self, port: int = 54329) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        bindir = _BIN if _BIN.exists() else Path(shutil.which("initdb") or "initdb").parent
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(self.data), "-U",
                                     "postgres", "--auth=trust", "-E", "UTF8",
                                     "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL, cwd=self.dir)
        opts = (f"-c listen_addresses=127.0.0.1 -c port={port}"
                f" -c unix_socket_directories={self.dir}"
                " -c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=1GB"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off"
                " -c max_wal_size=4GB")
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
                                     "-l", str(self.dir / "log"), "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL, cwd=self.dir)
        self.bindir = bindir

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                                     "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


class PostgresEngine(Engine):
    name = "postgresql-fts"

    def __init__(self, cluster: PgCluster, dbname: str) -> None:
        self.cluster = cluster
        self.dbname = dbname

    def build(self, docs: Iterator[Doc]) -> dict[str, Any]:
        import psycopg

        started = time.perf_counter()
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {self.dbname}")
            con.execute(f"CREATE DATABASE {self.dbname}")
        with psycopg.connect(self.cluster.dsn(self.dbname), autocommit=True) as con:
            con.execute(
                "CREATE UNLOGGED TABLE docs (rid int PRIMARY KEY, id text, acronym text, "
                "title text, body text, partners text, end_date date, eu float8, "
                "tsv tsvector GENERATED ALWAYS AS ("
                "setweight(to_tsvector('simple', coalesce(acronym, '')), 'A') || "
                "setweight(to_tsvector('simple', coalesce(title, '')), 'B') || "
                "setweight(to_tsvector('simple', coalesce(body, '')), 'C') || "
                "setweight(to_tsvector('simple', coalesce(partners, '')), 'D')) STORED)")
            con.execute("CREATE UNLOGGED TABLE facets (rid int, name text, value text)")
            n = 0
            with con.cursor() as cur:
                with cur.copy("COPY docs (rid, id, acronym, title, body, partners, end_date, eu)"
                              " FROM STDIN") as cp_docs:
                    facet_buf = io.StringIO()
                    for d in docs:
                        cp_docs.write("\t".join(_copy_text(v) for v in (
                            d.rid, d.id, d.acronym, d.title, d.body, d.partners, d.end, d.eu))
                            + "\n")
                        for k, vs in d.facets.items():
                            for v in vs:
                                facet_buf.write(f"{d.rid}\t{k}\t{_copy_text(v)}\n")
                        n += 1
                with cur.copy("COPY facets FROM STDIN") as cp:
                    cp.write(facet_buf.getvalue())
            con.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
            con.execute("CREATE INDEX docs_end ON docs (end_date)")
            con.execute("CREATE INDEX facets_value ON facets (name, value, rid)")
            con.execute("CREATE INDEX facets_rid ON facets (rid, name, value)")
            con.execute("VACUUM ANALYZE")
            size = con.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        return {"docs": n, "build_s": round(time.perf_counter() - started, 1),
                "size_mb": round(size / 2**20, 1)}

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.cluster.dsn(self.dbname), autocommit=True)

    def search(self, con: Any, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        def fsql(applied: Mapping[str, Sequence[str]], column: str) -> tuple[str, list[Any]]:
            sql, params = [], []
            for name, values in applied.items():
                sql.append(f" AND {column} IN (SELECT rid FROM facets WHERE name = %s "
                           "AND value = ANY(%s))")
                params.extend([name, list(values)])
            return "".join(sql), params

        text = q.strip()
        where, wparams = fsql(filters, "d.rid")
        if text:
            rows = con.execute(
                "WITH q AS (SELECT websearch_to_tsquery('simple', %s) AS q), "
                "top AS (SELECT d.rid, d.id, d.body, ts_rank(d.tsv, q.q) AS r FROM docs d, q "
                f"WHERE d.tsv @@ q.q{where} ORDER BY r DESC LIMIT {size}) "
                "SELECT top.id, ts_headline('simple', top.body, q.q, "
                "'MaxFragments=1, MaxWords=35, MinWords=15') FROM top, q ORDER BY top.r DESC",
                [text, *wparams]).fetchall()
            total = con.execute(
                "WITH q AS (SELECT websearch_to_tsquery('simple', %s) AS q) "
                f"SELECT count(*) FROM docs d, q WHERE d.tsv @@ q.q{where}",
                [text, *wparams]).fetchone()[0]
            hits, hparams = ("SELECT d.rid FROM docs d, (SELECT websearch_to_tsquery('simple', "
                             "%s) AS q) q WHERE d.tsv @@ q.q"), [text]
        else:
            rows = con.execute(
                f"SELECT d.id, left(d.body, 240) FROM docs d WHERE true{where} "
                f"ORDER BY d.end_date DESC NULLS LAST LIMIT {size}", wparams).fetchall()
            total = con.execute(f"SELECT count(*) FROM docs d WHERE true{where}",
                                wparams).fetchone()[0]
            hits, hparams = "SELECT d.rid FROM docs d WHERE true", []
        facets: dict[str, list[tuple[str, int]]] = {}
        for applied, names in facet_plan(filters):
            w, p = fsql(applied, "h.rid")
            for name, value, count in con.execute(
                f"SELECT f.name, f.value, count(*) FROM ({hits}) h JOIN facets f "
                f"ON f.rid = h.rid AND f.name = ANY(%s) WHERE true{w} "
                "GROUP BY f.name, f.value ORDER BY 3 DESC", [*hparams, names, *p]):
                facets.setdefault(name, []).append((value, count))
        return Answer([r[0] for r in rows], total, facets, [r[1] for r in rows])
