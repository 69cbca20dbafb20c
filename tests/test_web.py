"""The portal through Starlette's TestClient: every route, the API contract, pages and API
agreeing, exports, the seed project page in three languages, untrusted text; and through
uvicorn, concurrent requests while an import is open."""

from __future__ import annotations

import csv
import html
import http.client
import io
import json
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import uvicorn
from starlette.testclient import TestClient

from conftest import DATA, TODAY
from euprojects.catalog import Catalog
from euprojects.errors import (
    EuProjectsError,
    NotFoundError,
    QueryError,
    SearchIndexError,
    StoreError,
)
from euprojects.exports import COLUMNS, iter_csv, safe_cell
from euprojects.model import LangText, Money, Project, Status
from euprojects.search import FACETS, RANGES, SearchQuery
from euprojects.web import create_app, status_of
from euprojects.web._openapi import openapi_document

SEED_ID = "keep:f168f72363d6"
VINNOVA = "org:88143721b10a"
NNBSP, NBSP = "\u202f", "\xa0"


@pytest.fixture(scope="module")
def client(real_catalog: Catalog) -> TestClient:
    with TestClient(create_app(real_catalog)) as c:
        yield c


def _text(page: str) -> str:
    """The visible text of a page: tags dropped, entities read, ASCII white space collapsed
    (no-break spaces stay, as Babel writes them)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _twin(page: str) -> str:
    found = re.findall(r'<link rel="alternate" type="application/json" href="([^"]+)">', page)
    assert len(found) == 1
    return html.unescape(found[0])


# -- routes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "target"),
    [("de-DE,de;q=0.9,en;q=0.8", "/de/"), ("fr-BE", "/fr/"), ("it, en;q=0.5", "/en/"),
     ("es, de;q=0.1, fr;q=0.4", "/fr/"), ("", "/en/")],
)
def test_root_redirects_by_accept_language(client, accept, target):
    r = client.get("/", headers={"Accept-Language": accept}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (302, target)


PAGES = [
    ("/{lang}/", "/api/v1/sources"),
    ("/{lang}/projects?q=cluster&country=SE", "/api/v1/projects?q=cluster&country=SE"),
    (f"/{{lang}}/projects/{SEED_ID}", f"/api/v1/projects/{SEED_ID}"),
    (f"/{{lang}}/organisations/{VINNOVA}", f"/api/v1/organisations/{VINNOVA}"),
    ("/{lang}/api", "/api/v1/openapi.json"),
]


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@pytest.mark.parametrize(("path", "twin"), PAGES)
def test_every_page_answers_links_its_twin_and_runs_no_inline_script(client, lang, path, twin):
    r = client.get(path.format(lang=lang))
    assert r.status_code == 200
    page = r.text
    assert f'<html lang="{lang}">' in page
    assert _twin(page) == twin
    assert client.get(twin).status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []  # scripts come from files only
    assert not re.search(r'(src|href)="(https?:)?//(?!keep\.eu|example\.org)', page)  # no CDN
    assert r.headers["cache-control"] == "public, max-age=60"


def test_static_assets_are_local(client):
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "http" not in css.text
    assert client.get("/static/portal.js").status_code == 200


def test_language_switch_keeps_page_and_query(client):
    page = client.get("/fr/projects?q=cluster&country=SE&sort=-start_date").text
    assert 'href="/de/projects?q=cluster&amp;country=SE&amp;sort=-start_date"' in page
    assert 'href="/en/projects?q=cluster&amp;country=SE&amp;sort=-start_date"' in page
    project = client.get(f"/de/projects/{SEED_ID}").text
    assert f'href="/fr/projects/{SEED_ID}"' in project


# -- the seed project page ----------------------------------------------------------------------

SEED_FIELDS = {
    "fr": [
        "Capacity Building Programme on Trans-National Cluster and Innovation Systems in the "
        "Baltic Sea Region (BSR CBP)",
        "Date du début : 31 déc. 2008, Date de fin : 23 janv. 2010",
        "PROJET TERMINÉ",
        "Description (en anglais)",
        "BSR CBP grew out of the BSR InnoNet network",
        "Réalisations (en anglais)",
        "Roughly 45 policy makers",
        f"Taux de cofinancement 76,8{NBSP}%",
        f"Montant UE 302{NNBSP}699,26{NBSP}€",
        "Programme 2007 - 2013 Baltic Sea Region (2007-2013)",
        "Projet sur KEEP platform",
        "Projet Website",
        "Partenaire chef de file Triangle Region Vejle, Danemark",
        "2 Participants partenaires",
        "VINNOVA Partenaire Stockholm Suède",
        "Latvian Investment and Development Agency (LIAA) Partenaire Riga Lettonie",
        # keep.eu's themes in the page's language, as the theme facet shows them
        "Thèmes Capacité d’innovation et sensibilisation Clusters et coopération économique",
    ],
    "en": [
        "Start date: Dec 31, 2008, End date: Jan 23, 2010",
        "PROJECT CLOSED",
        "Co-financing rate 76.8%",
        "EU amount €302,699.26",
        "Project on KEEP platform",
        "Project website",
        "Lead partner Triangle Region Vejle, Denmark",
        "2 partner participants",
        "VINNOVA Partner Stockholm Sweden",
    ],
    "de": [
        "Beginn: 31.12.2008, Ende: 23.01.2010",
        "PROJEKT ABGESCHLOSSEN",
        "Beschreibung (auf Englisch)",
        f"76,8{NBSP}%",
        f"302.699,26{NBSP}€",
        "Projekt auf KEEP platform",
        "Projekt-Website",
        "2 Projektpartner",
        "VINNOVA Partner Stockholm Schweden",
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_seed_project_page_shows_every_field_of_the_seed(client, lang):
    page = client.get(f"/{lang}/projects/{SEED_ID}").text
    text = _text(page)
    missing = [field for field in SEED_FIELDS[lang] if field not in text]
    assert missing == []
    assert '<a href="https://keep.eu/projects/990001/" rel="external">' in page
    assert '<a href="https://example.org/bsr-cbp" rel="external">' in page
    for org in ("org:e3291b56c91b", VINNOVA, "org:8790581f96a5"):
        assert f'href="/{lang}/organisations/{org}"' in page
    assert '<section class="text-block" lang="en">' in page


def test_a_project_page_lists_other_projects_of_its_partners(client, real_catalog):
    # the first project (newest start first) whose partners took part in other projects
    pid, related = next((p.id, r) for p in real_catalog.list_projects()
                        if (r := real_catalog.related_projects(p.id)))
    page = client.get(f"/en/projects/{pid}").text
    assert 'id="related-h"' in page
    for r in related:
        assert f'href="/en/projects/{r.project.id}"' in page
    api = client.get(f"/api/v1/projects/{pid}").json()
    assert [r["id"] for r in api["related_projects"]] == [r.project.id for r in related]
    assert [r["shared_participants"] for r in api["related_projects"]] == \
        [r.shared for r in related]
    assert all(r.shared >= 1 for r in related)


def test_project_api_is_the_project_view(client, real_catalog):
    data = client.get(f"/api/v1/projects/{SEED_ID}").json()
    del data["related_projects"]
    assert data.pop("similar_projects") is None  # no vectors in this catalog
    assert data == real_catalog.project(SEED_ID).to_dict()
    assert (data["cofinancing_rate"], data["eu_contribution"], data["partner_count"]) == (
        "76.80", {"amount": "302699.26", "currency": "EUR"}, 2)


# -- organisation ---------------------------------------------------------------------------------


def test_organisation_page_and_api(client, real_catalog):
    page = client.get(f"/fr/organisations/{VINNOVA}").text
    text = _text(page)
    assert "VINNOVA" in text and "Stockholm" in text and "Suède" in text
    assert f'href="/fr/projects/{SEED_ID}"' in page
    assert "1 projet" in text
    assert "Partenaires les plus fréquents" in text
    assert 'href="/fr/organisations/org:e3291b56c91b"' in page
    data = client.get(f"/api/v1/organisations/{VINNOVA}").json()
    assert data == real_catalog.organisation_view(VINNOVA).to_dict()
    assert [p["project"]["id"] for p in data["projects"]] == [SEED_ID]
    assert data["projects"][0]["role"] == "partner"
    assert {c["id"]: c["projects_together"] for c in data["co_partners"]} == {
        "org:e3291b56c91b": 1, "org:8790581f96a5": 1}


# -- search: page and API agree ---------------------------------------------------------------------


def _page_state(page: str) -> tuple[int, list[str], dict[str, dict[str, int]]]:
    total = int(re.search(r'data-total="(\d+)"', page).group(1))
    ids = [html.unescape(i) for i in re.findall(r'<li class="hit" data-id="([^"]+)">', page)]
    facets: dict[str, dict[str, int]] = {}
    for name, value, count in re.findall(
        r'<input type="checkbox" id="[^"]+" name="(\w+)" value="([^"]*)" data-count="(\d+)"',
        page,
    ):
        facets.setdefault(name, {})[html.unescape(value)] = int(count)
    return total, ids, facets


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=cluster",
        "q=cluster&country=SE&country=DK",
        "q=energy&period=2014-2020&sort=-start_date&size=20",
        "status=closed&eu_contribution_min=100000&start_date_min=2016-01-01",
        "q=zzzqqqxxy",
    ],
)
def test_search_page_and_api_agree(client, query):
    page = client.get(f"/en/projects?{query}").text
    api = client.get(f"/api/v1/projects?{query}").json()
    total, ids, facets = _page_state(page)
    assert total == api["meta"]["total"]
    assert ids == [r["id"] for r in api["results"]]
    assert facets == {name: {v["value"]: v["count"] for v in values}
                      for name, values in api["facets"].items() if values}


def test_api_is_the_search_result(client, real_catalog):
    params = {"q": "cluster", "country": ["SE", "DK"], "size": "5"}
    api = client.get("/api/v1/projects", params=params).json()
    expected = real_catalog.search(SearchQuery.from_params(params)).to_dict()
    for data in (api, expected):
        del data["meta"]["took_ms"]
    assert api == expected
    assert set(api) == {"meta", "results", "facets"}
    assert api["meta"]["count"] == 5 and api["meta"]["next_cursor"]


def test_search_page_shows_results_facets_and_next_page(client):
    page = client.get("/fr/projects?q=cluster&country=SE").text
    text = _text(page)
    assert re.search(r"\d+ projets trouvés", text)
    assert 'name="q" value="cluster"' in page  # the box keeps the query
    assert re.search(r'<input type="checkbox" id="f-country-\d+" name="country" value="SE" '
                     r'data-count="\d+" checked>', page)
    assert "Suède" in text and "<mark>" in page
    next_link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1)
    second = client.get(html.unescape(next_link))
    assert second.status_code == 200
    first_ids = _page_state(page)[1]
    assert not set(first_ids) & set(_page_state(second.text)[1])


def test_no_result_suggests_removing_filters(client):
    page = client.get("/fr/projects?q=cluster&country=SE&period=1990-1999").text
    text = _text(page)
    assert "Aucun projet ne correspond à cette recherche." in text
    assert 'href="/fr/projects?q=cluster">rechercher sans filtres</a>' in page


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/v1/projects?size=1000", 400,
         "parameter 'size': '1000' is not a whole number from 1 to 100"),
        ("/api/v1/projects?colour=red", 400, "unknown parameter 'colour'"),
        ("/api/v1/projects?cursor=nonsense", 400,
         "parameter 'cursor': not a cursor this service gave"),
        ("/api/v1/projects.csv?start_date_min=yesterday", 400,
         "parameter 'start_date_min': 'yesterday' is not a date YYYY-MM-DD from year 1000 to 9999"),
        ("/api/v1/projects/keep:nothing", 404, "no project 'keep:nothing'"),
        ("/api/v1/organisations/org:nothing", 404, "no organisation 'org:nothing'"),
        ("/api/v1/nothing", 404, "no such address"),
    ],
)
def test_api_errors(client, path, status, error):
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    body.pop("parameter", None)
    assert body == {"ok": False, "error": error, "status": status}
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/fr/projects?size=0", 400, "Cette recherche ne peut pas être lue"),
        ("/de/projects?sort=colour", 400, "Diese Suche ist nicht lesbar"),
        ("/de/projects/keep:nothing", 404, "Seite nicht gefunden"),
        ("/fr/organisations/org:nothing", 404, "Page introuvable"),
        ("/en/nowhere/at/all", 404, "Page not found"),
        ("/it/projects", 404, "Page not found"),
    ],
)
def test_error_pages_in_the_chosen_language(client, path, status, heading):
    r = client.get(path)
    assert r.status_code == status
    assert f"<h1>{heading}</h1>" in r.text


def test_one_table_maps_errors_to_status():
    assert [status_of(e) for e in (NotFoundError("x"), QueryError("x"), SearchIndexError("x"),
                                   StoreError("x"), EuProjectsError("x"), ValueError("x"))] == [
        404, 400, 503, 503, 500, 500]


# -- exports ----------------------------------------------------------------------------------------


def test_csv_of_an_unfiltered_search_has_every_project_and_round_trips(client, real_catalog):
    r = client.get("/api/v1/projects.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="euprojects-projects-{TODAY.isoformat()}.csv"')
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert len(rows) == real_catalog.count_projects()
    expected = {p.id: p for p in real_catalog.list_projects()}
    assert {row["id"] for row in rows} == set(expected)
    for row in rows:
        eu = expected[row["id"]].eu_contribution
        assert row["eu_contribution"] == (str(eu.amount) if eu else "")
        assert Decimal(row["eu_contribution"] or "0") == (eu.amount if eu else 0)


def test_csv_bom_and_filters(client):
    plain = client.get("/api/v1/projects.csv?country=LV")
    with_bom = client.get("/api/v1/projects.csv?country=LV&bom=1")
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert with_bom.content == b"\xef\xbb\xbf" + plain.content
    api = client.get("/api/v1/projects?country=LV").json()
    rows = list(csv.DictReader(io.StringIO(plain.text, newline="")))
    assert len(rows) == api["meta"]["total"] > 0
    assert all("LV" in row["countries"].split() for row in rows)
    assert client.get("/api/v1/projects.csv?bom=maybe").status_code == 400


def test_csv_is_safe_for_commas_quotes_new_lines_and_formulas():
    project = Project(
        id="keep:000000000001", source="keep",
        title=LangText('Ports, "green" and\nclean', "en"),
        acronym="=HYPERLINK(\"http://x\")", programme="+SUM(A1)", period="-2", call="@x",
        eu_contribution=Money(Decimal("1234.50")), themes=("\tTab", "Fine"),
    )
    # a NUL before a formula sign inside a cell: the row is looked at cell by cell, nothing added
    plain = Project(id="keep:000000000002", source="keep", title=LangText("a\x00=b\x00-c"))
    text = "".join(iter_csv([(project, Status.CLOSED), (plain, None)]))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(COLUMNS)
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["title"] == 'Ports, "green" and\nclean'
    assert (row["acronym"], row["programme"], row["period"]) == (
        "'=HYPERLINK(\"http://x\")", "'+SUM(A1)", "'-2")
    assert row["themes"] == "'\tTab; Fine"
    assert row["eu_contribution"] == "1234.50"
    assert rows[2][:3] == ["keep:000000000002", "", "a\x00=b\x00-c"]
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@1", "\t1", "\r1", "1", "a=b")] == [
        "'=1", "'+1", "'-1", "'@1", "'\t1", "'\r1", "1", "a=b"]


def test_jsonl_and_xlsx_stream_every_match(client):
    total = client.get("/api/v1/projects?q=cluster").json()["meta"]["total"]
    assert total > 100  # more than one page of the largest size
    # lines end at "\n" only: a text may hold U+2028, which str.splitlines splits at
    lines = [line for line in client.get("/api/v1/projects.jsonl?q=cluster").text.split("\n")
             if line]
    assert len(lines) == total
    assert {"id", "title", "status", "participants"} - set(json.loads(lines[0])) == {
        "participants"}
    r = client.get("/api/v1/projects.xlsx?q=cluster")
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    sheet_rows = list(book["projects"].iter_rows(values_only=True))
    book.close()
    assert sheet_rows[0] == (*COLUMNS, "url")
    assert len(sheet_rows) == total + 1
    assert {row[0] for row in sheet_rows[1:]} == {json.loads(line)["id"] for line in lines}


def test_an_export_says_what_was_searched_in_the_page_language_with_its_partners(client):
    """The file name says what was searched; ``lang`` gives the headers in that language and
    the portal links in it; ``partners=1`` adds the lead partner and every participant."""
    r = client.get("/api/v1/projects.csv?q=Wasserstoff&country=LV&country=EE&lang=fr"
                   "&partners=1")
    assert r.headers["content-disposition"] == (
        'attachment; filename="euprojects-wasserstoff-country-ee-country-lv-'
        f'{TODAY.isoformat()}.csv"')
    r = client.get("/api/v1/projects.csv?q=BSR%20CBP&lang=fr&partners=1")
    rows = list(csv.reader(io.StringIO(r.text, newline="")))
    assert rows[0][:3] == ["Fiche", "Acronyme", "Titre"]
    assert rows[0][-4:] == ["Page sur euprojects", "Partenaire chef de file", "Participants",
                            "Nombre de participants"]
    seed = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[1] == "BSR CBP")
    assert seed["Page sur euprojects"].endswith(f"/fr/projects/{seed['Fiche']}")
    assert int(seed["Nombre de participants"]) == len(seed["Participants"].split("; ")) >= 2
    assert seed["Partenaire chef de file"] in seed["Participants"]
    plain = next(csv.reader(io.StringIO(client.get("/api/v1/projects.csv?q=BSR").text)))
    assert plain == [*COLUMNS, "url"]
    assert client.get("/api/v1/projects.csv?lang=xx").status_code == 400


def test_atom_feed_of_the_newest_matches(client):
    r = client.get("/api/v1/projects.atom?q=cluster&lang=fr")
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(r.content)
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 50
    days = [e.find("a:updated", ns).text for e in entries]
    assert days == sorted(days, reverse=True)
    assert entries[0].find("a:link", ns).get("href").startswith("http://localhost:8000/fr/projects/")  # base_url, never Host
    assert feed.find("a:title", ns).text == "euprojects : projets les plus récents: cluster"


# -- sources, OpenAPI, docs -------------------------------------------------------------------------


def test_sources_and_home(client, real_catalog):
    data = client.get("/api/v1/sources").json()
    counts = real_catalog.store.counts()
    assert [(s["source"], s["projects"]) for s in data["results"]] == [
        (name, c["projects"]) for name, c in counts.items()]
    assert data["results"][0]["last_import"]
    home = _text(client.get("/en/").text)
    assert f"KEEP platform {counts['keep']['projects']:,}" in home


def test_openapi_documents_every_api_route_and_parameter(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc == json.loads(json.dumps(openapi_document()))
    api_routes = {r.path.replace("{project_id}", "{id}").replace("{organisation_id}", "{id}")
                  for r in client.app.routes if getattr(r, "path", "").startswith("/api/v1/")}
    assert api_routes - {"/api/v1/openapi.json"} == set(doc["paths"])
    names = {p["name"] for p in doc["paths"]["/api/v1/projects"]["get"]["parameters"]}
    assert names == {"q", "sort", "size", "cursor", "typos", "mode", *FACETS,
                     *(f"{r}_{e}" for r in RANGES for e in ("min", "max"))}
    readable = _text(client.get("/de/api").text)
    assert "Projekte suchen" in readable and "GET /api/v1/projects.csv" in readable


def test_json_api_doc_names_every_path_and_parameter():
    text = (Path(__file__).resolve().parents[1] / "docs" / "json-api.md").read_text("utf-8")
    doc = openapi_document()
    for path, item in doc["paths"].items():
        assert f"`{path}`" in text, path
        for param in item["get"]["parameters"]:
            assert f"`{param['name']}`" in text, (path, param["name"])
    assert "{ok: false, error, status}" in text or '"ok": false' in text


# -- untrusted text ---------------------------------------------------------------------------------

UNSAFE = '<script>alert("owned")</script> and <img src=x onerror="alert(1)"> in a text'


def _unsafe_seed(tmp_path: Path) -> Path:
    seed = json.loads((DATA / "keep" / "keep_api_seed.json").read_text("utf-8"))
    seed["id"] = 990099
    seed["acronym"] = "UNSAFE <b>ACR</b>"
    seed["translations"]["en"]["name"] = "Unsafe <i>title</i> project"
    seed["translations"]["en"]["description"] = UNSAFE + "<br>second paragraph"
    path = tmp_path / "unsafe.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


def test_injected_markup_is_shown_as_text(catalog, tmp_path):
    catalog.import_files("keep-eu", [_unsafe_seed(tmp_path)])
    (project,) = catalog.list_projects()
    with TestClient(create_app(catalog)) as c:
        page = c.get(f"/en/projects/{project.id}").text
        results = c.get("/en/projects?q=alert").text
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>ACR" not in page
    assert ("&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; and &lt;img src=x "
            "onerror=&#34;alert(1)&#34;&gt; in a text</p>") in page
    assert "<p>second paragraph</p>" in page  # <br>: the only markup read, as a break
    assert "Unsafe &lt;i&gt;title&lt;/i&gt; project (UNSAFE &lt;b&gt;ACR&lt;/b&gt;)" in page
    assert "<script>alert" not in results and "&lt;script&gt;" in results
    assert "<mark>alert</mark>" in results


# -- many requests at once, through a real server ---------------------------------------------------


class _Serving:
    """The portal on a free port of 127.0.0.1, served by uvicorn in a thread."""

    def __init__(self, catalog: Catalog) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(catalog), log_level="warning", ws="none",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.socket],))

    def __enter__(self) -> _Serving:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "no server"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()

    def get(self, path: str) -> tuple[int, dict]:
        """The status and JSON body of one request (a search's took_ms left out)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = json.loads(response.read())
        finally:
            connection.close()
        body.get("meta", {}).pop("took_ms", None)
        return response.status, body


class _Abandon(Exception):
    pass


def test_concurrent_requests_during_an_open_import_see_only_committed_data(catalog, tmp_path):
    catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json",
                                     DATA / "keep" / "keep_api_projects.json"])
    seed = json.loads((DATA / "keep" / "keep_api_seed.json").read_text("utf-8"))
    seed["eu_funding"] = "1.00"
    changed = tmp_path / "seed_changed.json"
    changed.write_text(json.dumps(seed), encoding="utf-8")
    paths = [f"/api/v1/projects/{SEED_ID}", f"/api/v1/organisations/{VINNOVA}",
             "/api/v1/sources", "/api/v1/projects?q=cluster&size=5"]
    answers: list[list[tuple[int, dict]]] = []

    with _Serving(catalog) as server:
        before = [server.get(path) for path in paths]
        requests = [paths[i % len(paths)] for i in range(40)]

        def in_the_open_import(name, done, expected):
            # the seed's new amount is written, not committed: six clients ask meanwhile
            with ThreadPoolExecutor(6) as pool:
                answers.append(list(pool.map(server.get, requests)))
            raise _Abandon

        with pytest.raises(_Abandon):
            catalog.import_files("keep-eu", [changed], progress=in_the_open_import)
        after = [server.get(path) for path in paths]

    assert before[0][0] == 200 and before[0][1]["eu_contribution"]["amount"] == "302699.26"
    assert [status for status, _ in before] == [200] * 4
    assert answers == [[before[i % len(paths)] for i in range(40)]]
    assert after == before
