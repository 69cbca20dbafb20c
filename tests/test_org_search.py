"""Organisation search (issue 15): the organisation index of each index generation, searched by
name with exact facet counts, on the real catalog (keep.eu, CORDIS and EAC, then the keep.eu
seed and the Kohesio fixtures applied as updates). Figures are checked against plain SQL on
the store, independently of the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import DATA, Built, _open_copy, euro_cents_sql, store_sql
from euprojects.catalog import Catalog, OrganisationQuery, SearchQuery
from euprojects.errors import QueryError
from euprojects.web import create_app

KOHESIO = DATA / "kohesio"


@pytest.fixture(scope="module")
def org_catalog(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> Catalog:
    for catalog in _open_copy(combined_built, tmp_path_factory.mktemp("org_search")):
        catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])
        catalog.import_files("kohesio", [KOHESIO / "IE-pp21-27-20260924.csv"])
        yield catalog


def _find(catalog: Catalog, **params: str | list[str]):
    return catalog.search_organisations(OrganisationQuery.from_params(params))


def _db(catalog: Catalog) -> sqlite3.Connection:
    return store_sql(catalog.settings.db)


# the projects shown (a record shown inside another counts for it) of each organisation
PROJECTS_OF = (
    "SELECT o.cluster AS org, COALESCE(l.same_as, p.project_id) AS project, "
    f"{euro_cents_sql('p.doc')} AS cents "
    "FROM participations p JOIN organisations o ON o.id = p.organisation_id "
    "LEFT JOIN project_links l ON l.project_id = p.project_id")


def test_every_organisation_with_a_project_is_found_and_its_figures_are_the_stores(org_catalog):
    everything = _find(org_catalog, size="10")
    db = _db(org_catalog)
    orgs = db.execute(f"SELECT COUNT(DISTINCT org) FROM ({PROJECTS_OF}) x").fetchone()[0]
    assert everything.total == orgs > 10_000
    # without words: the most projects first, each count the store's
    counts = [item.hit.projects for item in everything.items]
    assert counts == sorted(counts, reverse=True)
    for item in everything.items:
        projects, cents = db.execute(
            f"SELECT COUNT(DISTINCT project), SUM(cents) FROM ({PROJECTS_OF}) x WHERE org = ?",
            (item.hit.id,)).fetchone()
        assert (item.hit.projects, item.hit.received_cents) == (projects, cents), item.hit.name
    by_amount = _find(org_catalog, sort="received", size="5")
    top = db.execute(f"SELECT org, SUM(cents) AS s FROM ({PROJECTS_OF}) x GROUP BY org "
                     "ORDER BY s DESC NULLS LAST LIMIT 5").fetchall()
    assert [(i.hit.id, i.hit.received_cents) for i in by_amount.items] == top


def test_a_facet_count_is_the_number_of_organisations_and_ticking_a_value_keeps_the_others(
        org_catalog):
    db = _db(org_catalog)
    latvian = db.execute(
        f"SELECT COUNT(DISTINCT q.org) FROM ({PROJECTS_OF}) q JOIN organisations r "
        "ON r.cluster = q.org WHERE r.country = 'LV'").fetchone()[0]
    everything = _find(org_catalog)
    counts = {v.value: v.count for v in everything.facets["country"]}
    assert counts["LV"] == latvian > 100
    found = _find(org_catalog, country="LV")
    assert found.total == latvian
    # the country facet counts as if no country were ticked (disjunctive): SE still offered
    assert {v.value: v.count for v in found.facets["country"]} == counts
    assert [v.value for v in found.facets["country"] if v.selected] == ["LV"]
    # another facet counts within Latvia
    sources = {v.value: v.count for v in found.facets["source"]}
    assert sum(sources.values()) >= found.total and set(sources) <= {"keep", "cordis", "eac"}
    both = _find(org_catalog, country=["LV", "SE"])
    assert both.total == db.execute(
        f"SELECT COUNT(DISTINCT q.org) FROM ({PROJECTS_OF}) q JOIN organisations r "
        "ON r.cluster = q.org WHERE r.country IN ('LV', 'SE')").fetchone()[0] > latvian
    assert all({"LV", "SE"} & set(i.hit.countries) for i in both.items)


def test_an_exact_name_or_acronym_ranks_first_and_a_typo_is_forgiven(org_catalog):
    for q in ("Uppsala University", "uppsala university", "Uppsala Universty"):
        assert _find(org_catalog, q=q).items[0].hit.name == "Uppsala University", q
    # CORDIS gives VINNOVA's acronym as its short name: the acronym finds it first
    first = _find(org_catalog, q="VINNOVA").items[0].hit
    names = {first.name, *(n.text for n in org_catalog.organisation(first.id).other_names)}
    assert "VINNOVA" in names
    # a prefix of the last word: search as you type
    assert _find(org_catalog, q="Uppsala univ").items[0].hit.name == "Uppsala University"
    assert _find(org_catalog, q="zzqxw").total == 0


def test_bad_parameters_are_refused_with_their_reason(org_catalog):
    for params, reason in [({"sort": "name"}, "sort"), ({"size": "0"}, "size"),
                           ({"page": "x"}, "page"), ({"colour": "red"}, "unknown parameter"),
                           ({"page": "100000"}, "page")]:
        with pytest.raises(QueryError, match=reason):
            OrganisationQuery.from_params(params)
    with TestClient(create_app(org_catalog)) as client:
        answer = client.get("/api/v1/organisations?sort=name")
        assert answer.status_code == 400 and "sort" in answer.json()["error"]


def test_an_update_of_the_index_gives_the_organisations_their_new_projects(
        combined_built: Built, tmp_path: Path):
    for catalog in _open_copy(combined_built, tmp_path):
        before = {i.hit.id: i.hit.projects for i in _find(catalog, q="Lietuvos", size="100").items}
        total = _find(catalog).total
        catalog.import_files("kohesio", [KOHESIO / "IE-pp21-27-20260924.csv"])
        db = _db(catalog)
        irish = db.execute(
            f"SELECT COUNT(DISTINCT q.org) FROM ({PROJECTS_OF}) q JOIN projects p "
            "ON p.id = q.project WHERE p.source = 'kohesio'").fetchone()[0]
        assert irish > 0
        after = _find(catalog, source="kohesio")
        assert after.total == irish
        assert _find(catalog).total > total
        # the organisations the import did not touch keep their figures
        assert {i.hit.id: i.hit.projects
                for i in _find(catalog, q="Lietuvos", size="100").items} == before
        catalog.reindex()  # a rebuild gives the same
        assert _find(catalog, source="kohesio").total == irish


def test_the_page_and_its_json_twin(org_catalog):
    with TestClient(create_app(org_catalog)) as client:
        page = client.get("/fr/organisations?q=uppsala&country=SE")
        assert page.status_code == 200
        html = page.text
        assert 'href="/api/v1/organisations?q=uppsala&amp;country=SE"' in html
        first = _find(org_catalog, q="uppsala", country="SE").items[0].hit
        assert f'href="/fr/organisations/{first.id}"' in html
        assert 'name="country" value="SE"' in html and "checked" in html
        assert 'href="/api/v1/organisations.xlsx?q=uppsala&amp;country=SE" download' in html
        data = client.get("/api/v1/organisations?q=uppsala&country=SE&size=1").json()
        assert data["meta"]["total"] == _find(org_catalog, q="uppsala", country="SE").total
        assert data["results"][0]["id"] == first.id
        assert set(data["facets"]) >= {"country", "source", "framework"}
        empty = client.get("/en/organisations?q=&country=LV", follow_redirects=False)
        assert empty.status_code == 301  # a form's empty fields dropped
        assert empty.headers["location"] == "/en/organisations?country=LV"


# -- the partner finder ------------------------------------------------------------------------

def test_the_partner_finder_gives_latvian_and_swedish_bodies_with_their_matching_projects(
        org_catalog):
    """The issue's example: "innovation clusters" in Latvia or Sweden. Every organisation of
    the top 10 took part from LV or SE in projects that the same search matches, and shows
    them."""
    query = SearchQuery.from_params({"q": ["innovation clusters"], "country": ["LV", "SE"]})
    found = org_catalog.find_partners(query)
    assert len(found.items) == 10 and found.total >= 10
    matched = {item.project.id for item in org_catalog.iter_matches(query)}
    db = _db(org_catalog)
    scores = [item.score for item in found.items]
    assert scores == sorted(scores, reverse=True)
    for item in found.items:
        o = item.organisation.hit
        assert item.evidence and item.matching >= len(item.evidence)
        for e in item.evidence:
            assert e.project.id in matched, (o.name, e.project.id)
            # it took part in it (a record of it, in the project or a record shown in it),
            # from Latvia or Sweden
            places = {r[0] for r in db.execute(
                "SELECT o.country FROM participations p JOIN organisations o "
                "ON o.id = p.organisation_id LEFT JOIN project_links l "
                "ON l.project_id = p.project_id WHERE o.cluster = ? "
                "AND COALESCE(l.same_as, p.project_id) = ?", (o.id, e.project.id))}
            assert places & {"LV", "SE"}, (o.name, e.project.id, places)
    # without countries, any country; the same words rank the same projects
    anywhere = org_catalog.find_partners(SearchQuery.from_params({"q": ["innovation clusters"]}))
    assert anywhere.total > found.total
    assert {c for i in anywhere.items for c in i.organisation.hit.countries} - {"LV", "SE"}


def test_the_partner_finder_api_and_page(org_catalog):
    with TestClient(create_app(org_catalog)) as client:
        data = client.get("/api/v1/partners?q=hydrogen&size=3").json()
        assert len(data["results"]) == 3 and data["meta"]["total"] >= 3
        first = data["results"][0]
        assert first["evidence"] and first["matching_projects"] >= 1
        assert client.get("/api/v1/partners").status_code == 400  # words are needed
        assert client.get("/api/v1/partners?q=x&size=99").status_code == 400
        page = client.get("/de/partners?q=hydrogen&country=DE")
        assert page.status_code == 200
        html = page.text
        assert 'id="c-DE" name="country" value="DE" checked' in html
        assert 'href="/api/v1/partners?q=hydrogen&amp;country=DE"' in html
        assert client.get("/en/partners").status_code == 200  # the empty form


def test_a_query_naming_an_organisation_ranks_its_projects_first_in_the_project_search(
        org_catalog):
    """`VINNOVA` used to rank "BalkanMed INNOVA" (one typo away) above VINNOVA's own
    projects; an organisation's name or acronym now ranks its projects first, and the
    matches stay those of the words."""
    owner = _find(org_catalog, q="VINNOVA").items[0].hit
    db = _db(org_catalog)
    own = {r[0] for r in db.execute(f"SELECT DISTINCT project FROM ({PROJECTS_OF}) x WHERE org = ?",
                                    (owner.id,))}
    assert len(own) >= 2
    found = org_catalog.search(SearchQuery.from_params({"q": "VINNOVA", "size": "20"}))
    first = [item.project.id for item in found.items[:len(own)]]
    assert set(first) == own
    assert all(item.project.id not in own for item in found.items[len(own):])
    # the matches are those of the words: the same with the ranking by name switched off
    organisations = org_catalog.index.organisations
    organisations.named = lambda generation, text: []  # type: ignore[method-assign]
    try:
        plain = org_catalog.search(SearchQuery.from_params({"q": "VINNOVA", "size": "20"}))
    finally:
        del organisations.named
    assert plain.total == found.total
    assert plain.items[0].project.id not in own  # what the words alone ranked first


def test_an_organisation_search_exports_every_organisation_it_finds(org_catalog):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    found = _find(org_catalog, country="LV", sort="projects")
    assert found.total > 100  # more than a page
    with TestClient(create_app(org_catalog)) as client:
        answer = client.get("/api/v1/organisations.csv?country=LV&sort=projects")
        assert answer.status_code == 200
        assert "euprojects-organisations-country-lv-" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert len(rows) == found.total
        first = found.items[0].hit
        assert (rows[0]["id"], rows[0]["name"], int(rows[0]["projects"])) == (
            first.id, first.name, first.projects)
        assert all("LV" in r["countries"].split("; ") for r in rows)
        lines = client.get("/api/v1/organisations.jsonl?country=LV").text.splitlines()
        assert len(lines) == found.total and json.loads(lines[0])["id"] == first.id
        book = load_workbook(io.BytesIO(client.get(
            "/api/v1/organisations.xlsx?country=LV&sort=projects").content), read_only=True)
        sheet = list(book.active.iter_rows(values_only=True))
        assert sheet[0][:2] == ("id", "name") and len(sheet) == found.total + 1
        assert sheet[1][6] == first.projects  # a number, not text
        assert client.get("/api/v1/organisations.csv?sort=bad").status_code == 400


# -- "possibly the same organisation" ---------------------------------------------------------

def test_an_organisation_page_suggests_the_same_name_in_another_town_with_its_rule(org_catalog):
    """keep.eu's Leitrim County Council in Carrick-on-Shannon and in "Co Leitrim": the same
    name, but a council (a kind of body that repeats from town to town) in two towns is not
    linked by rule site; the page suggests the other with the rule that would link them."""
    carrick = next(i.hit for i in _find(org_catalog, q="Leitrim County Council",
                                        size="10").items
                   if (i.hit.city or "").startswith("Carrick"))
    view = org_catalog.organisation_view(carrick.id)
    suggested = {(o.name, o.city): rule for o, rule in view.possibly_same}
    assert suggested.get(("Leitrim County Council", "Co Leitrim")) == "name"
    assert all(o.id != carrick.id for o, _ in view.possibly_same)
    with TestClient(create_app(org_catalog)) as client:
        data = client.get(f"/api/v1/organisations/{carrick.id}").json()
        assert {"name": "Leitrim County Council", "city": "Co Leitrim",
                "rule": "name"}.items() <= next(
            s for s in data["possibly_same"] if s["city"] == "Co Leitrim").items()
        html = client.get(f"/en/organisations/{carrick.id}").text
        assert "Possibly the same organisation" in html
        assert "the same name in the same country, in another town" in html
    # the Swedish University of Agricultural Sciences in Uppsala and in Umeå: one body at two
    # of its sites, linked (rule site), so no longer a suggestion
    uppsala = next(i.hit for i in _find(org_catalog, q="Swedish University of Agricultural "
                                        "Sciences", size="10").items if i.hit.city == "Uppsala")
    records = org_catalog.organisation_view(uppsala.id)
    assert not [o for o, _ in records.possibly_same if o.city == "Umeå"]


def test_possibly_same_names_the_rule_but_never_across_an_identifier():
    import dataclasses

    from euprojects.model import Organisation, possibly_same

    a = Organisation("org:a", "Technische Universität Dresden", country="DE", city="Dresden")
    b = Organisation("org:b", "Technische Universitaet Dresden", country="DE", city="Zittau")
    assert possibly_same(a, b) == "name"
    # different PICs: two legal entities, whatever their names
    assert possibly_same(dataclasses.replace(a, pic="999999999"),
                         dataclasses.replace(b, pic="888888888")) is None
    # another country, or other names: nothing to suggest
    assert possibly_same(a, Organisation("org:c", "Technische Universität Dresden",
                                         country="AT", city="Wien")) is None
    assert possibly_same(a, Organisation("org:d", "Universität Leipzig", country="DE",
                                         city="Leipzig")) is None


def test_the_empty_search_counts_are_kept_with_the_index_and_follow_its_updates(
        combined_built: Built, tmp_path: Path):
    """precount: the facet counts of the empty organisation search are written with the
    organisation index (a rebuild and each update), and are those a search counts itself."""
    import json

    from euprojects.search._orgsearch import search_organisations

    for catalog in _open_copy(combined_built, tmp_path):
        def kept(catalog: Catalog = catalog) -> dict:
            snap = catalog.index.snapshot()
            path = catalog.index.path / snap.generation / "organisations" / "everything.json"
            return json.loads(path.read_text("utf-8"))

        def counted(catalog: Catalog = catalog) -> dict:
            snap = catalog.index.snapshot()
            organisations = catalog.index.organisations
            found = search_organisations(organisations.searcher(snap.generation),
                                         organisations.schema, OrganisationQuery())
            return {name: [list(pair) for pair in pairs] for name, pairs in found.facets.items()}

        catalog.reindex()
        assert kept()["facets"] == counted()
        assert kept()["documents"] == _find(catalog).total
        catalog.import_files("kohesio", [KOHESIO / "IE-pp21-27-20260924.csv"])  # an update
        assert kept()["facets"] == counted()
        assert kept()["documents"] == _find(catalog).total
        assert {v.value for v in _find(catalog).facets["source"]} >= {"kohesio"}
