"""One search over every source: the source is a facet, and the shared vocabulary (EU programme,
topic, period, country) means the same thing whichever source a project came from."""

from __future__ import annotations

from collections import Counter

import pytest

from euprojects.model import FACETS, TOPICS, Project, framework_of, topics_of
from euprojects.search import SearchQuery


def _search(catalog, **params):
    return catalog.search(SearchQuery.from_params({k: v for k, v in params.items()}))


def _matches(catalog, **params) -> list[Project]:
    return [item.project for item in catalog.iter_matches(SearchQuery.from_params(params))]


def test_every_source_is_searched_and_counted(combined_catalog):
    info = combined_catalog.info()["sources"]
    assert {s: info[s]["projects"] for s in ("keep", "cordis", "eac")} == {
        "keep": 1852, "cordis": 1894, "eac": 19}
    result = _search(combined_catalog)
    counts = {v.value: v.count for v in result.facets["source"]}
    assert counts == {"keep": 1852, "cordis": 1894, "eac": 19}
    assert result.total == sum(counts.values())


@pytest.mark.parametrize("q", ["energy", "cultural heritage", "climate adaptation", "museum"])
def test_a_query_finds_several_sources_and_its_facet_counts_are_right(combined_catalog, q):
    result = _search(combined_catalog, q=q, size="5")
    projects = _matches(combined_catalog, q=q)
    assert len(projects) == result.total
    by_source = Counter(p.source for p in projects)
    assert len(by_source) >= 2, by_source  # research and Interreg projects alike
    for facet, values_of in (
        ("source", lambda p: [p.source]),
        ("framework", lambda p: [framework_of(p)] if framework_of(p) else []),
        ("topic", topics_of),
        ("period", lambda p: [p.period] if p.period else []),
        ("country", lambda p: p.countries),
        # each source's own vocabulary: keep.eu's themes, CORDIS's fields of science
        ("theme", lambda p: FACETS["theme"].extract(p, [])),
        ("field", lambda p: FACETS["field"].extract(p, [])),
    ):
        expected = Counter(v for p in projects for v in set(values_of(p)))
        shown = {v.value: v.count for v in result.facets[facet]}
        top = dict(expected.most_common(len(shown)))
        assert shown == {k: expected[k] for k in shown}, facet  # every count shown is exact
        assert set(shown) >= {k for k, n in top.items() if n > min(shown.values(), default=0)}, facet


def test_shared_vocabulary_across_sources(combined_catalog):
    frameworks = {v.value: v.count for v in _search(combined_catalog).facets["framework"]}
    assert frameworks == {"Interreg": 1852, "Horizon Europe": 1894, "Creative Europe": 19}
    # one topic holds projects of both keep.eu and CORDIS; a filter on it is one vocabulary
    energy = _search(combined_catalog, topic="energy")
    sources = {v.value: v.count for v in energy.facets["source"]}
    assert sources.get("keep", 0) > 20 and sources.get("cordis", 0) > 20, sources
    # periods and countries are one vocabulary too
    periods = {v.value for v in _search(combined_catalog, source="cordis").facets["period"]}
    assert periods == {"2021-2027"}
    greece = _search(combined_catalog, country="GR")
    assert {v.value for v in greece.facets["source"]} >= {"keep", "cordis"}
    assert not _search(combined_catalog, country="EL").total  # EL is read as GR on import
    assert set(TOPICS) >= {v.value for v in _search(combined_catalog).facets["topic"]}


def test_keep_themes_all_have_a_place_but_one(combined_catalog):
    themes = {v.value for v in _search(combined_catalog, source="keep", size="1").facets["theme"]}
    unplaced = sorted(t for t in themes
                      if not topics_of(Project("x", "keep", title=None, themes=(t,))))
    assert unplaced == ["Infrastructure"]


def test_the_search_page_offers_the_shared_facets_in_the_page_language(combined_catalog):
    from starlette.testclient import TestClient

    from euprojects.web import create_app

    with TestClient(create_app(combined_catalog)) as client:
        page = client.get("/fr/projects", params={"topic": "energy"})
        assert page.status_code == 200
        assert "Cadre de financement de l’UE" in page.text
        assert "Domaine d’action (toutes sources)" in page.text
        assert "Énergie" in page.text and "Horizon Europe" in page.text
        api = client.get("/api/v1/projects", params={"topic": "energy", "source": "cordis"})
        body = api.json()
        assert body["meta"]["total"] > 20
        assert {v["value"] for v in body["facets"]["framework"]} == {"Horizon Europe"}
