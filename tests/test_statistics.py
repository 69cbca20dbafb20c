"""The statistics of a search (issue 14) on the real catalog (keep.eu, CORDIS and EAC, with the
Kohesio fixtures and the keep.eu seed that links one of them): every total and group equals
the same figure computed here from the store with plain SQL, independently of the index."""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from decimal import Decimal
from pathlib import Path
from statistics import median

import pytest
from starlette.testclient import TestClient

from conftest import DATA, Built, _open_copy, store_sql
from euprojects.catalog import Catalog, SearchQuery
from euprojects.web import create_app

KOHESIO = DATA / "kohesio"
FILES = [KOHESIO / n for n in ("IE-pp14-20-20260924.csv", "IE-pp21-27-20260924.csv",
                               "PL-pp21-27-20260924.csv", "BG-pp21-27-20260924.csv")]

# six searches: everything, a country, a source, a source and a period, two countries from a
# start date, and Kohesio (whose one linked operation counts for its keep.eu project)
PARAMS = [
    {},
    {"country": ["LV"]},
    {"source": ["cordis"]},
    {"source": ["keep"], "period": ["2014-2020"]},
    {"country": ["SE", "DK"], "start_date_min": ["2019-01-01"]},
    {"source": ["kohesio"]},
]


@pytest.fixture(scope="module")
def stats_catalog(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> Catalog:
    for catalog in _open_copy(combined_built, tmp_path_factory.mktemp("statistics")):
        catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])
        catalog.import_files("kohesio", FILES)
        yield catalog


# -- the figures, from the store alone --------------------------------------------------------

CENTS = "CAST(ROUND(CAST(json_extract({d}, '$.eu_contribution.amount') AS REAL) * 100) AS INTEGER)"
TOTAL = "CAST(ROUND(CAST(json_extract({d}, '$.total_budget.amount') AS REAL) * 100) AS INTEGER)"


def _matched(db: sqlite3.Connection, params: dict[str, list[str]]) -> list[str]:
    """The projects shown (a record shown inside another is not one) that the filters
    match: a source or a country of the project or of a record shown inside it."""
    where, args = ["p.id NOT IN (SELECT project_id FROM project_links)"], []
    records = ("(SELECT p.id UNION SELECT l.project_id FROM project_links l "
               "WHERE l.same_as = p.id)")
    if "source" in params:
        marks = ",".join("?" * len(params["source"]))
        where.append(f"EXISTS (SELECT 1 FROM projects r WHERE r.id IN {records} "
                     f"AND r.source IN ({marks}))")
        args += params["source"]
    if "country" in params:
        marks = ",".join("?" * len(params["country"]))
        where.append(f"EXISTS (SELECT 1 FROM projects r, json_each(r.doc, '$.countries') c "
                     f"WHERE r.id IN {records} AND c.value IN ({marks}))")
        args += params["country"]
    if "period" in params:
        where.append("p.period = ?")
        args += params["period"]
    if "start_date_min" in params:
        where.append("p.start_date >= ?")
        args += params["start_date_min"]
    sql = f"SELECT p.id FROM projects p WHERE {' AND '.join(where)}"
    return [row[0] for row in db.execute(sql, args)]


def _expected(db: sqlite3.Connection, ids: list[str]) -> dict[str, object]:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS m (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM m")
    db.executemany("INSERT INTO m VALUES (?)", [(i,) for i in ids])
    # each project with its records (itself, then those shown inside it)
    db.execute("DROP TABLE IF EXISTS rec")
    db.execute("CREATE TEMP TABLE rec AS SELECT id AS project, id AS record, 0 AS k FROM m "
               "UNION ALL SELECT l.same_as, l.project_id, 1 FROM project_links l "
               "WHERE l.same_as IN (SELECT id FROM m)")
    amounts = dict(db.execute(
        f"SELECT m.id, COALESCE({CENTS.format(d='p.doc')}, (SELECT MAX({CENTS.format(d='q.doc')}) "
        "FROM rec JOIN projects q ON q.id = rec.record WHERE rec.project = m.id AND rec.k = 1)) "
        "FROM m JOIN projects p ON p.id = m.id"))
    totals = dict(db.execute(
        f"SELECT m.id, COALESCE({TOTAL.format(d='p.doc')}, (SELECT MAX({TOTAL.format(d='q.doc')}) "
        "FROM rec JOIN projects q ON q.id = rec.record WHERE rec.project = m.id AND rec.k = 1)) "
        "FROM m JOIN projects p ON p.id = m.id"))
    years = Counter(dict(db.execute(
        "SELECT substr(p.start_date, 1, 4), COUNT(*) FROM m JOIN projects p ON p.id = m.id "
        "WHERE p.start_date IS NOT NULL GROUP BY 1")))
    countries = Counter(dict(db.execute(
        "SELECT c.value, COUNT(DISTINCT rec.project) FROM rec JOIN projects r "
        "ON r.id = rec.record, json_each(r.doc, '$.countries') c GROUP BY c.value")))
    nuts2 = Counter(dict(db.execute(
        "SELECT substr(n.value, 1, 4), COUNT(DISTINCT rec.project) FROM rec JOIN projects r "
        "ON r.id = rec.record, json_each(r.doc, '$.nuts') n WHERE length(n.value) >= 4 "
        "GROUP BY 1")))
    part = f"{CENTS.format(d='pa.doc')}"
    parts = "FROM rec JOIN participations pa ON pa.project_id = rec.record " \
            "JOIN organisations o ON o.id = pa.organisation_id"
    n_parts, n_orgs, received = db.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT o.cluster), COALESCE(SUM({part}), 0) {parts}"
    ).fetchone()
    received_by_country = dict(db.execute(
        f"SELECT o.country, SUM({part}) {parts} WHERE o.country IS NOT NULL "
        f"AND {part} IS NOT NULL GROUP BY o.country"))
    by_org = db.execute(
        f"SELECT o.cluster, SUM({part}) AS s {parts} WHERE {part} IS NOT NULL "
        "GROUP BY o.cluster ORDER BY s DESC, o.cluster LIMIT 5").fetchall()
    known = dict(db.execute(f"SELECT rec.project, SUM({part}) {parts} GROUP BY rec.project"))
    unknown = sum(max(0, cents - (known.get(pid) or 0))
                  for pid, cents in amounts.items() if cents is not None)
    values = [c for c in amounts.values() if c is not None]
    return {
        "projects": len(ids),
        "eu": sum(values), "eu_projects": len(values),
        "total": sum(c for c in totals.values() if c is not None),
        "median": Decimal(str(median(values))) if values else None,
        "years": years, "countries": countries, "nuts2": nuts2,
        "participations": n_parts, "organisations": n_orgs, "received": received,
        "received_by_country": received_by_country, "top": by_org, "unknown": unknown,
    }


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "&".join(
    f"{k}={','.join(v)}" for k, v in p.items()) or "everything")
# the expected figures are summed by SQLite's JSON functions (json_each) on the file
@pytest.mark.sqlite
def test_every_total_and_group_equals_plain_sql_on_the_store(stats_catalog, params):
    stats = stats_catalog.statistics(SearchQuery.from_params(params))
    db = store_sql(stats_catalog.settings.db)
    ids = _matched(db, params)
    expected = _expected(db, ids)
    assert stats.projects == expected["projects"] > 0
    assert _cents(stats.eu_amount) == expected["eu"]
    assert stats.eu_projects == expected["eu_projects"]
    assert _cents(stats.total_budget) == expected["total"]
    assert stats.median_eu is not None and expected["median"] is not None
    assert stats.median_eu * 100 == expected["median"]
    years = {r.key: r.projects for r in stats.table("year") if r.projects}
    assert years == dict(expected["years"])
    assert stats.no_year == expected["projects"] - sum(expected["years"].values())
    assert {r.key: r.projects for r in stats.table("country")} == dict(expected["countries"])
    assert {r.key: r.projects for r in stats.table("nuts2")} == dict(expected["nuts2"])
    assert stats.participations == expected["participations"]
    assert stats.organisations == expected["organisations"]
    assert _cents(stats.received) == expected["received"]
    received = {r.key: _cents(r.value("received")) for r in stats.table("country")
                if r.value("known")}
    assert received == expected["received_by_country"]
    top = [(r.key, _cents(r.value("received"))) for r in stats.table("organisation")][:5]
    assert top == expected["top"]
    assert _cents(stats.unknown) == expected["unknown"]
    # the sources and periods, counted per project
    sources = {r.key: r.projects for r in stats.table("source")}
    assert sum(sources.values()) >= stats.projects
    db.close()


def test_latvia_projects_with_a_partner_differ_from_what_latvian_partners_received(
        stats_catalog):
    stats = stats_catalog.statistics(SearchQuery.from_params({"country": ["LV"]}))
    latvia = next(r for r in stats.table("country") if r.key == "LV")
    assert latvia.projects == stats.projects  # every project has a Latvian partner
    assert latvia.received is not None and latvia.received < stats.eu_amount / 10
    assert stats.unknown > 0  # keep.eu gives no partner amounts: shown, never split
    with TestClient(create_app(stats_catalog)) as client:
        page = client.get("/en/statistics", params={"country": "LV"})
        assert page.status_code == 200
        assert "Projects with a partner" in page.text
        assert "Amount received by partners there" in page.text
        assert "Unknown: of the EU amount" in page.text
        data = client.get("/api/v1/statistics", params={"country": "LV"}).json()
        row = next(r for r in data["tables"]["country"] if r["key"] == "LV")
        assert row["projects"] == data["totals"]["projects"]
        assert Decimal(row["received"]) == latvia.received
        assert Decimal(data["totals"]["without_participation_amount"]) == stats.unknown


def test_tables_sort_by_any_column_and_a_csv_holds_every_row(stats_catalog):
    query = SearchQuery.from_params({"source": ["cordis"]})
    stats = stats_catalog.statistics(query)
    by_received = stats.table("country", ("received", True))
    known = [r.received for r in by_received if r.received is not None]
    assert known == sorted(known, reverse=True) and len(known) > 10
    # the places with no amount known come last, whatever the direction
    assert all(r.received is None for r in by_received[len(known):])
    assert stats.table("country", ("received", False))[len(known):] == by_received[len(known):]
    by_name = stats.table("country", ("key", False))
    assert [r.key for r in by_name] == sorted(r.key for r in by_name)
    with TestClient(create_app(stats_catalog)) as client:
        csv = client.get("/api/v1/statistics.csv", params={
            "source": "cordis", "table": "country", "order": "country:-received",
            "lang": "fr"})
        assert csv.status_code == 200
        lines = csv.text.strip().split("\r\n")
        assert lines[0].startswith("Pays,Projets avec un partenaire dans ce lieu,")
        assert len(lines) == 1 + len(by_received)
        assert lines[1].split(",")[0] == by_received[0].key
        bad = client.get("/api/v1/statistics", params={"order": "country:-nothing"})
        assert bad.status_code == 400 and "order" in bad.json()["error"]


def test_the_statistics_are_kept_per_index_generation(stats_catalog, tmp_path: Path):
    query = SearchQuery.from_params({"source": ["eac"]})
    first = stats_catalog.statistics(query)
    assert stats_catalog.statistics(query) is first  # the same search: kept
    # the page and its sort change nothing of what is counted
    again = SearchQuery.from_params({"source": ["eac"], "sort": ["-start_date"], "size": ["50"]})
    assert stats_catalog.statistics(again) is first


# the expected figures are summed by SQLite's JSON functions (json_each) on the file
@pytest.mark.sqlite
def test_an_organisation_page_charts_its_amounts_and_co_partner_countries(stats_catalog):
    db = store_sql(stats_catalog.settings.db)
    # the organisation with the most CORDIS participations (several years, many co-partners)
    org = db.execute(
        "SELECT o.cluster FROM participations p JOIN organisations o ON o.id = p.organisation_id "
        "WHERE p.project_id LIKE 'cordis:%' GROUP BY o.cluster ORDER BY COUNT(*) DESC, o.cluster "
        "LIMIT 1").fetchone()[0]
    view = stats_catalog.organisation_view(org)
    by_year = dict(db.execute(
        f"SELECT substr(pr.start_date, 1, 4), SUM({CENTS.format(d='p.doc')}) FROM organisations o "
        "JOIN participations p ON p.organisation_id = o.id JOIN projects pr ON pr.id = p.project_id "
        f"WHERE o.cluster = ? AND {CENTS.format(d='p.doc')} IS NOT NULL "
        "AND pr.start_date IS NOT NULL GROUP BY 1", (org,)))
    assert len(by_year) >= 2
    assert {y: int(v * 100) for y, v in view.received_by_year.items()} == by_year
    countries = dict(db.execute(
        "SELECT o2.country, COUNT(DISTINCT o2.cluster) FROM organisations o1 "
        "JOIN participations p1 ON p1.organisation_id = o1.id "
        "JOIN participations p2 ON p2.project_id = p1.project_id "
        "JOIN organisations o2 ON o2.id = p2.organisation_id "
        "WHERE o1.cluster = ? AND o2.cluster != ? AND o2.country IS NOT NULL GROUP BY 1",
        (org, org)))
    assert {c: n for c, n, _ in view.co_partner_countries} == countries
    db.close()
    with TestClient(create_app(stats_catalog)) as client:
        page = client.get(f"/fr/organisations/{org}")
        assert page.status_code == 200
        assert 'id="chart-org-year"' in page.text and 'id="chart-org-countries"' in page.text
        assert "Montant UE reçu par année de début" in page.text
        data = client.get(f"/api/v1/organisations/{org}").json()
        assert {y: Decimal(v) for y, v in data["received_by_year"].items()} == \
            view.received_by_year
        assert data["co_partner_countries"][0]["organisations"] == max(countries.values())


def test_the_region_facets_name_their_regions_when_the_boundaries_are_there(
        stats_catalog, tmp_path: Path):
    from conftest import settings_for, shared_data_dir

    with TestClient(create_app(stats_catalog)) as client:  # no geo_dir: codes alone
        bare = client.get("/fr/projects", params={"nuts2": "ES51"}).text
    assert "ES51 Cataluña" not in bare
    with Catalog(settings_for(stats_catalog.settings.db,
                              geo_dir=shared_data_dir() / "geo")) as named, \
            TestClient(create_app(named)) as client:
        page = client.get("/fr/projects", params={"nuts2": "ES51"}).text
    assert "ES51 Cataluña" in page  # in the facet and in the active filter's chip
    assert page.count("ES51 Cataluña") >= 2


def test_statistics_not_yet_kept_take_a_costly_slot_kept_ones_do_not(stats_catalog):
    app = create_app(stats_catalog)
    with TestClient(app) as client:
        kept = client.get("/api/v1/statistics", params={"country": "FI"})
        assert kept.status_code == 200
        app.state.budget.acquire("testclient")  # this client already runs a costly request
        try:
            # counting another search reads every participation of it: costly
            r = client.get("/api/v1/statistics", params={"country": "EE"})
            assert r.status_code == 429 and r.headers["retry-after"]
            assert client.get("/de/statistics", params={"country": "EE"}).status_code == 429
            # the same search again: kept, given at once
            assert client.get("/api/v1/statistics",
                              params={"country": "FI"}).json() == kept.json()
        finally:
            app.state.budget.release("testclient")


# -- the participation columns of the index (search/_columns.py) -----------------------------

def _selections(columns) -> list[dict[str, list[str]]]:
    """Searches of filters alone over the facets the columns keep per row: each value of
    each facet, two values of a facet (OR), two facets (AND), with start-date ranges."""
    by_facet: dict[str, list[str]] = {}
    for facet, value in [*columns.values, *columns.filter_values]:
        by_facet.setdefault(facet, []).append(value)
    out: list[dict[str, list[str]]] = []
    for facet, values in by_facet.items():
        out += [{facet: [v]} for v in values]
        out.append({facet: values[:2]})
        out.append({facet: [values[0]], "start_date_min": ["2016-01-01"],
                    "start_date_max": ["2018-12-31"]})
    out += [{"country": ["ES"], "source": ["cordis"]}, {"country": ["ES", "LV"], "topic": [
        by_facet["topic"][0]]}, {"country": ["IE"], "fund": by_facet.get("fund", [])[:1]},
        {"country": ["LV", "nowhere"]}, {"country": ["nowhere"]},
        {"start_date_min": ["1000-01-01"]}, {"start_date_max": ["9999-12-31"]},
        {"start_date_min": ["2020-01-01"]}, {"start_date_max": ["1600-01-01"]},
        {"nuts1": by_facet["nuts1"][:3], "period": by_facet["period"][:1]}]
    return out


def _check_select(catalog: Catalog, facets: set[str]) -> int:
    """Every selection's rows from the columns equal the index's; how many found any."""
    index = catalog.index
    snap = index.snapshot()
    columns = index._columns_of(snap.generation)
    selections = _selections(columns)
    assert facets <= {f for s in selections for f in s}
    found = 0
    for params in selections:
        query = SearchQuery.from_params(params)
        rows = columns.select(query)
        assert rows is not None, params
        assert rows.tolist() == index._rows(query, catalog.today, snap).tolist(), params
        found += len(rows) > 0
    for params in ({"q": ["energy"]}, {"status": ["closed"]}, {"nuts2": ["IE06"]},
                   {"end_date_min": ["2020-01-01"]}, {"country": ["LV"], "q": ["sea"]}):
        assert columns.select(SearchQuery.from_params(params)) is None, params
    return found


def test_the_columns_select_the_rows_the_index_finds_for_filters_alone(stats_catalog):
    """For a search of filters alone over the facets the columns keep, the statistics take
    the rows from the columns instead of the index: the same rows, value for value, and no
    answer where the columns cannot tell (after an update: the next test)."""
    assert _check_select(stats_catalog, {"country", "nuts1", "fund", "objective", "source",
                                         "topic", "period"}) > 40


def test_an_update_of_the_index_keeps_the_participation_sums_a_rebuild_gives(
        combined_built: Built, tmp_path: Path):
    """The columns follow the documents: an update writes a run with the new rows and marks
    the rows it replaced, a failed one writes none; the sums stay those of a rebuild."""
    from euprojects.search import Applied

    searches = [SearchQuery.from_params(p) for p in PARAMS[:4]]
    for catalog in _open_copy(combined_built, tmp_path):
        index, store = catalog.index, catalog.store
        before = [index.participation_statistics(q, catalog.today) for q in searches]
        folder = index.path / index.snapshot().generation / "columns"
        runs = sorted(p.name for p in folder.iterdir())
        db = store_sql(catalog.settings.db)
        ids = [r[0] for r in db.execute(
            "SELECT DISTINCT project_id FROM participations WHERE project_id LIKE 'cordis:%' "
            "ORDER BY project_id LIMIT 300")]
        assert len(ids) == 300
        applied = Applied(*store.index_state())
        # the same 300 projects written again: 300 rows dead, 300 new, the same sums
        assert index.update(store.iter_with_participants(ids), applied, ids) == 300
        assert len(sorted(p.name for p in folder.iterdir())) == len(runs) + 1
        after = [index.participation_statistics(q, catalog.today) for q in searches]
        assert after == before
        assert _check_select(catalog, {"country", "nuts1", "source", "topic"}) > 20
        assert after[0].participations > 0 and after[2].received_cents > 0

        def broken(items):  # an update that fails half-way writes nothing
            yield from itertools.islice(items, 100)
            raise RuntimeError("the store went away")

        with pytest.raises(RuntimeError):
            index.update(broken(store.iter_with_participants(ids)), applied, ids)
        assert len(sorted(p.name for p in folder.iterdir())) == len(runs) + 1
        assert [index.participation_statistics(q, catalog.today) for q in searches] == before
        catalog.reindex()  # a rebuild: one run again, the same sums
        folder = index.path / index.snapshot().generation / "columns"
        assert len(list(folder.iterdir())) == 1
        assert [index.participation_statistics(q, catalog.today) for q in searches] == before
