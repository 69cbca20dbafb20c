"""An Interreg operation in Kohesio and its keep.eu project are one project: one search result
with both sources, one page with both source links (tests/data/kohesio/BG-pp14-20-*.csv holds
two made-up operations written after two real keep.eu projects of the real export: one must
link, one must not)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from starlette.testclient import TestClient

from conftest import DATA, STORE, assert_facets_exact, settings_for, store_sql
from euprojects.catalog import Catalog, SearchQuery
from euprojects.model import LangText, Project, merge_projects, same_project
from euprojects.web import create_app

KOHESIO = DATA / "kohesio"
INTERREG = KOHESIO / "BG-pp14-20-20260924.csv"
OTHERS = [KOHESIO / "IE-pp14-20-20260924.csv", KOHESIO / "BG-pp21-27-20260924.csv"]
ARCH_3D, LINKED = "keep:ee826d335073", "kohesio:Q900000801"
EASYGUIDE, APART = "keep:da100d0ef5ca", "kohesio:Q900000802"


def _links(catalog: Catalog) -> list[tuple[str, str, str]]:
    with store_sql(catalog.settings.db) as db:
        return db.execute("SELECT project_id, same_as, key FROM project_links").fetchall()


def test_the_operation_and_its_keep_project_are_one_result_with_both_sources(combined_copy):
    catalog = combined_copy
    catalog.import_files("kohesio", [INTERREG, *OTHERS])
    assert _links(catalog) == [(LINKED, ARCH_3D, "interreg:2014-2020|advertising of regional "
                                                 "cultural heritage in 3d")]
    hits = catalog.search(SearchQuery.from_params({"q": "Advertising of Regional Cultural "
                                                        "Heritage in 3D"}))
    ids = [i.project.id for i in hits.items]
    assert ids[0] == ARCH_3D and LINKED not in ids
    first = hits.items[0].project
    assert first.sources == ("keep", "kohesio")
    # an export's row of it (its brief, read by the store's JSON functions) is merged too
    assert catalog.store.get_briefs([ARCH_3D]) == {ARCH_3D: first.brief()}
    with store_sql(catalog.settings.db) as db:
        (doc,) = db.execute("SELECT doc FROM projects WHERE id = ?", (ARCH_3D,)).fetchone()
    assert Project.from_dict(json.loads(doc)).brief() != first.brief()  # its own record alone
    assert [s.source_url for s in first.same_as] == [
        "https://kohesio.ec.europa.eu/en/projects/Q900000801"]
    # the other operation starts three years after its keep.eu namesake: two projects
    easyguide = catalog.search(SearchQuery.from_params({"q": "Calarasi Silistra mobile"}))
    assert {EASYGUIDE, APART} <= {i.project.id for i in easyguide.items}
    # the index holds one document per project shown, as many as the store counts
    assert catalog.index.count() == catalog.store.count_projects()
    assert not catalog.check_index().mismatch


def test_the_facets_count_the_project_once_under_each_of_its_sources(combined_copy):
    catalog = combined_copy
    catalog.import_files("kohesio", [INTERREG, *OTHERS])
    result = catalog.search(SearchQuery.from_params({"source": "kohesio", "size": "50"}))
    assert ARCH_3D in {i.project.id for i in result.items}
    assert result.total == 2 + 8 + 3 - 1 + 1  # kohesio records, less the one shown as keep.eu's
    frameworks = {v.value: v.count for v in result.facets["framework"]}
    assert frameworks["Interreg"] == 1 and frameworks["Cohesion policy"] == 13

    for params in ({"q": "heritage"}, {"country": "BG"}, {"fund": "ERDF"}):
        assert_facets_exact(catalog, params, ("source", "framework", "fund", "nuts3",
                                              "category", "topic"))


def test_one_page_names_both_sources_and_the_operation_address_leads_there(combined_copy):
    catalog = combined_copy
    catalog.import_files("kohesio", [INTERREG])
    with TestClient(create_app(catalog), follow_redirects=False) as client:
        moved = client.get(f"/fr/projects/{LINKED}")
        assert (moved.status_code, moved.headers["location"]) == (301, f"/fr/projects/{ARCH_3D}")
        api = client.get(f"/api/v1/projects/{LINKED}")
        assert (api.status_code, api.headers["location"]) == (301, f"/api/v1/projects/{ARCH_3D}")
        page = client.get(f"/fr/projects/{ARCH_3D}").text
        data = client.get(f"/api/v1/projects/{ARCH_3D}").json()
    assert 'href="https://kohesio.ec.europa.eu/en/projects/Q900000801"' in page
    assert "Projet sur Kohesio" in page
    assert data["same_as"][0]["project_id"] == LINKED
    # Kohesio's beneficiary "Община Балчик" is the keep.eu lead partner "Balchik Municipality"
    # (a municipality: its town is in its name): listed once
    names = [p["organisation"]["name"] for p in data["participants"]]
    assert "Balchik Municipality" in names and "Община Балчик" not in names
    # the Kohesio facts come with it: the category of intervention, the fund
    facts = dict(map(tuple, data["extra"]))
    assert facts["Category of intervention (code)"] == "094" and data["funds"] == ["ERDF"]


def test_the_link_is_made_whichever_source_comes_first_and_a_reimport_changes_nothing(
        tmp_path, keep_file):
    catalog = Catalog(settings_for(tmp_path / "k.db"))
    try:
        catalog.import_files("kohesio", [INTERREG])
        assert _links(catalog) == []
        catalog.import_files("keep-eu", [keep_file])
        assert [link[:2] for link in _links(catalog)] == [(LINKED, ARCH_3D)]
        catalog.catch_up()
        assert catalog.index.count() == catalog.store.count_projects() == 1852 + 1
        again = catalog.import_files("kohesio", [INTERREG])
        assert again.projects_unchanged == 2 and again.projects_updated == 0
        assert catalog.store.index_state()[1] == 2  # nothing logged for the index
    finally:
        catalog.close()
    if STORE != "sqlite":
        return  # what follows migrates an SQLite store of schema 4: SQLite's own
    # a store made before the links (schema 4): the migration links its records and tells the
    # index to show the project again
    with sqlite3.connect(tmp_path / "k.db") as db:
        db.executescript("DROP INDEX participations_stats; DROP INDEX projects_stats; "
                         "DROP INDEX organisations_stats; "
                         "ALTER TABLE participations DROP COLUMN eu_cents; "
                         "ALTER TABLE projects DROP COLUMN eu_cents; "
                         "ALTER TABLE organisations DROP COLUMN nuts; "
                         "DROP TABLE project_keys; DROP TABLE project_links; "
                         "DROP TABLE embeddings; PRAGMA user_version = 4;")
    catalog = Catalog(settings_for(tmp_path / "k.db"))
    try:
        assert [link[:2] for link in _links(catalog)] == [(LINKED, ARCH_3D)]
        assert catalog.store.changes_since(2) == ([ARCH_3D, LINKED], 3)
        catalog.catch_up()
        assert catalog.index.count() == catalog.store.count_projects()
    finally:
        catalog.close()


def _project(pid: str, source: str, title: str, start: date | None, countries=("BG",),
             programme="Interreg V-A Romania-Bulgaria", acronym=None) -> Project:
    return Project(id=pid, source=source, title=LangText(title, "en"), acronym=acronym,
                   start_date=start, period="2014-2020", countries=countries,
                   programme=programme)


def test_the_rule_and_what_keeps_records_apart():
    title = "Joint management of the Danube river floods"
    keep = _project("keep:a", "keep", title, date(2016, 3, 1), ("BG", "RO"), acronym="DANUBE")
    op = _project("kohesio:Q1", "kohesio", title.upper() + ".", date(2016, 4, 15))
    assert same_project(keep, op) == "interreg:2014-2020|joint management of the danube " \
                                      "river floods"
    # the acronym and the title, as Kohesio sometimes names an operation
    assert same_project(keep, _project("kohesio:Q2", "kohesio", f"DANUBE - {title}",
                                       date(2016, 3, 1)))
    # not an Interreg programme
    assert same_project(keep, _project("kohesio:Q3", "kohesio", title, date(2016, 3, 1),
                                       programme="Regional programme Severoiztochen")) is None
    # too far apart, no country in common, too short a name, two records of one source
    assert same_project(keep, _project("kohesio:Q4", "kohesio", title, date(2017, 1, 1))) is None
    assert same_project(keep, _project("kohesio:Q5", "kohesio", title, date(2016, 3, 1),
                                       ("GR",))) is None
    short = _project("keep:b", "keep", "Technical assistance", date(2016, 3, 1))
    assert same_project(short, _project("kohesio:Q6", "kohesio", "Technical assistance",
                                        date(2016, 3, 1))) is None
    assert same_project(keep, _project("keep:c", "keep", title, date(2016, 3, 1))) is None
    merged = merge_projects(keep, [(op, "k")])
    assert merged.id == "keep:a" and merged.sources == ("keep", "kohesio")
    assert merged.to_dict()["same_as"][0]["project_id"] == "kohesio:Q1"
    assert "same_as" not in keep.to_dict()  # a stored record never has it
