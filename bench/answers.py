"""Dump what users see (20 JSON API answers, 3 exports and a feed) so that two commits can be
compared.

A refactoring claims "no behaviour change visible to users": this builds a catalog from the
real keep.eu, CORDIS and EAC files (as tests/conftest.py's ``combined_catalog``) plus the seed
project's keep.eu fixture, with the public CLI, in a temporary folder; then asks the web app
in-process (Starlette's TestClient) and writes each answer to OUTDIR/NN-name.{json,csv,jsonl,xlsx}
and status code and headers to OUTDIR/00-responses.json. JSON is pretty-printed with sorted keys.

Only public entry points are used (``euprojects import``, ``Catalog``, ``load_settings``,
``web.create_app``), so the same script runs against an older checkout. To compare two commits:

    git worktree add ../before OLD
    PYTHONPATH=../before/src .venv/bin/python bench/answers.py ../answers-before
    .venv/bin/python bench/answers.py ../answers-now
    diff -r ../answers-before ../answers-now

Fields that legitimately vary between runs are replaced by "<varies>" (VOLATILE) and listed in
the output; "today" is fixed so that statuses do not drift, and the search time budget is
raised so that no answer is cut by a slow machine. The XLSX zip is rewritten with fixed member
times and docProps/core.xml dates (openpyxl stamps both with the clock); its cell values are
also dumped to NN-name.xlsx.json.

Real data: env EUPROJECTS_SHARED_DATA, default ../shared/data beside the repository.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from starlette.testclient import TestClient

import euprojects
from euprojects.catalog import Catalog
from euprojects.settings import load_settings
from euprojects.web import create_app

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("EUPROJECTS_SHARED_DATA", ROOT.parent / "shared" / "data"))
TODAY = "2026-11-28"
IMPORTS = [  # (source, file): combined_catalog's real files, then the seed project's fixture
    ("keep-eu", DATA / "keep" / "keep_closed_1420.xlsx"),
    ("cordis", DATA / "cordis" / "cordis_horizon_projects_xml_sample.zip"),
    ("eac", DATA / "eac" / "creative_europe_project_results_sample.xls"),
    ("keep-eu", ROOT / "tests" / "data" / "keep" / "keep_api_seed.json"),
]
# Keys whose values vary from run to run: meta.took_ms of a search (its duration) and
# last_import of /api/v1/sources (the clock at import). No store id reaches an answer. The
# content-length header of a JSON answer follows took_ms's digits: "<varies>" too.
VOLATILE = {"took_ms", "last_import"}
SEARCH = "/api/v1/projects?"
REQUESTS = [  # (name, path); {cursor} is the next_cursor of the answer before
    ("sources", "/api/v1/sources"),
    ("search-plain", SEARCH + "q=cluster&size=5"),
    ("search-page2", SEARCH + "q=cluster&size=5&cursor={cursor}"),
    ("search-typo", SEARCH + "q=inovation+ecosystm"),
    ("search-typo-off", SEARCH + "q=inovation+ecosystm&typos=0"),
    ("search-phrase", SEARCH + "q=%22cultural+heritage%22&size=20"),
    ("search-french", SEARCH + "q=patrimoine+culturel"),
    ("search-german", SEARCH + "q=Hochschule+Zusammenarbeit"),
    ("search-operators", SEARCH + "q=water+OR+flood+-sea+digit*"),
    ("search-country", SEARCH + "q=innovation&country=SE&country=DK&sort=-start_date&size=20"),
    ("search-source-status", SEARCH + "source=cordis&status=ongoing&sort=-eu_contribution"),
    ("search-framework", SEARCH + "framework=Interreg&framework=Creative+Europe&theme=Tourism"
                                  "&fund=ERDF&sort=end_date"),
    ("search-ranges", SEARCH + "start_date_min=2016-01-01&start_date_max=2017-12-31"
                               "&eu_contribution_min=1000000&sort=start_date&size=50"),
    ("search-rate", SEARCH + "q=energy&cofinancing_rate_min=80&cofinancing_rate_max=90"
                             "&total_budget_max=2000000&topic=energy&sort=-end_date"),
    ("project-seed", "/api/v1/projects/keep:f168f72363d6"),
    ("project-cordis", "/api/v1/projects/cordis:101069506"),
    ("project-eac", "/api/v1/projects/eac:552036-CREA-1-2014-1-IT-CULT-COOP2"),
    ("organisation", "/api/v1/organisations/org:14f0783cfcb4"),  # keep, CORDIS and EAC records
    ("openapi", "/api/v1/openapi.json"),
    ("error-size", SEARCH + "q=cluster&size=1000"),
    ("export", "/api/v1/projects.csv?q=cluster&country=SE&country=FI&sort=-start_date"),
    ("export", "/api/v1/projects.jsonl?q=heritage&legal_status=private"),
    ("export", "/api/v1/projects.xlsx?country=SE&period=2014-2020&sort=-eu_contribution"),
    ("feed", "/api/v1/projects.atom?q=cluster&country=LV&lang=fr"),
]
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# an Atom feed's own date (and an entry's without a start date) is the clock's
CLOCK_STAMP = re.compile(rb"<updated>(?!\d{4}-\d\d-\d\dT00:00:00Z)[^<]*</updated>")


def normalise(value: Any, found: set[str]) -> Any:
    """The JSON value with every VOLATILE key's value replaced by "<varies>"."""
    if isinstance(value, dict):
        for key in VOLATILE & value.keys():
            found.add(key)
        return {k: "<varies>" if k in VOLATILE else normalise(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, found) for v in value]
    return value


def fixed_xlsx(content: bytes) -> bytes:
    """The workbook with fixed zip member times and docProps/core.xml dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = W3CDTF.sub(b"1980-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), data, info.compress_type)
    return out.getvalue()


def cells(content: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [[c if c is None or isinstance(c, int | float | str) else str(c)
                           for c in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build(db: Path) -> None:
    """Import IMPORTS with ``euprojects import``, this interpreter and its sys.path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    env["EUPROJECTS_TODAY"] = TODAY
    for source, file in IMPORTS:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
        print(f"  import {source} {file.name} (sha256 {digest}...)")
        subprocess.run([sys.executable, "-m", "euprojects", "--db", str(db), "import", source,
                        str(file)], env=env, cwd=db.parent, check=True, stdout=subprocess.DEVNULL)


def main(outdir: Path) -> None:
    print(f"code: {Path(euprojects.__file__).parent}")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="answers-") as tmp:
        db = Path(tmp) / "answers.db"
        build(db)
        settings = load_settings({"db": db, "today": TODAY, "search_time_budget_ms": 600_000}, {})
        with Catalog(settings) as catalog, TestClient(create_app(catalog)) as client:
            responses, found, cursor = {}, set(), None
            for number, (name, path) in enumerate(REQUESTS, 1):
                answer = client.get(path.format(cursor=cursor))
                suffix = Path(path.split("?")[0]).suffix or ".json"
                file = outdir / f"{number:02d}-{name}{suffix}"
                headers = dict(sorted(answer.headers.items()))
                responses[file.name] = {"path": path, "status": answer.status_code, **headers}
                if suffix == ".json":
                    responses[file.name]["content-length"] = "<varies>"
                    body = answer.json()
                    cursor = (body.get("meta") or {}).get("next_cursor")
                    file.write_text(dump(normalise(body, found)), "utf-8")
                elif suffix == ".xlsx":
                    file.write_bytes(fixed_xlsx(answer.content))
                    file.with_name(file.name + ".json").write_text(dump(cells(answer.content)),
                                                                   "utf-8")
                elif suffix == ".atom":
                    file.write_bytes(CLOCK_STAMP.sub(b"<updated><varies></updated>",
                                                     answer.content))
                else:
                    file.write_bytes(answer.content)
                print(f"  {file.name}: {answer.status_code}, {len(answer.content)} bytes")
    (outdir / "00-responses.json").write_text(dump(responses), "utf-8")
    print(f"normalised (<varies>): {', '.join(sorted(found)) or 'nothing'}, content-length of "
          "JSON answers; xlsx: zip member times, docProps/core.xml created/modified; atom: the "
          "feed's own <updated>")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
