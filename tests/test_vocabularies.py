"""The vocabularies a search offers: the shared topics hold a plausible share of each source's
projects, and each source's own themes are a facet of their own (one vocabulary each), titled
so that no two facets look alike, in every language (docs/search.md, "Topics" and "Facets")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import DATA, TODAY
from euprojects.i18n import LOCALE_DIR, texts
from euprojects.importers import open_reader
from euprojects.model import FACETS, TOPICS, Project, fold, topics_of
from euprojects.model import _shared_vocab as vocab
from euprojects.model._objectives import KOHESIO_OBJECTIVES
from euprojects.search import SearchQuery

KOHESIO = DATA / "kohesio"
LANGS = ("en", "fr", "de")


def _counts(catalog, facet: str, **params: str) -> dict[str, int]:
    result = catalog.search(SearchQuery.from_params({**params, "size": "1"}))
    return {v.value: v.count for v in result.facets[facet]}


def _cordis(*extra: tuple[str, str]) -> tuple[str, ...]:
    return topics_of(Project("cordis:1", "cordis", title=None, extra=extra))


# -- topics: shares on the real files --------------------------------------------------------

# The bounds, per source (docs/search.md, "Topics", has the counts they hold):
# - CORDIS: every project is research and innovation (what the framework programmes fund);
#   no other topic holds more than a quarter of the projects: Horizon Europe's largest cluster,
#   health, takes about a fifth of its budget, and the real file holds 1 894 projects of every
#   part of it, most of them ERC and MSCA grants of no one policy area (the old mapping put
#   environment on 1 880 and digital on 1 873). The topics of its clusters (health, digital,
#   energy, environment, transport, food, culture) each hold at least 2 % of them.
# - keep.eu: its 46 themes are placed one by one; no topic holds more than 30 % (culture, with
#   tourism and heritage, the most common Interreg themes, is about a quarter) and each holds
#   at least 2 %.
# - EAC: the file is the Creative Europe culture strand: every project is culture.
def test_cordis_topic_shares_are_plausible(combined_catalog):
    total = _counts(combined_catalog, "source")["cordis"]
    topics = _counts(combined_catalog, "topic", source="cordis")
    assert topics.pop("research") == total
    shares = {t: n / total for t, n in topics.items()}
    assert max(shares.values()) <= 0.25, shares
    for topic in ("health", "digital", "energy", "environment", "transport", "food", "culture"):
        assert shares.get(topic, 0) >= 0.02, (topic, shares)


def test_keep_topic_shares_are_plausible(combined_catalog):
    total = _counts(combined_catalog, "source")["keep"]
    topics = _counts(combined_catalog, "topic", source="keep")
    assert set(topics) == set(TOPICS)
    shares = {t: n / total for t, n in topics.items()}
    assert max(shares.values()) <= 0.30 and min(shares.values()) >= 0.02, shares


def test_eac_projects_take_the_topic_of_their_programme(combined_catalog):
    total = _counts(combined_catalog, "source")["eac"]
    assert _counts(combined_catalog, "topic", source="eac") == {"culture": total}


# -- topics: why the old mapping over-matched -------------------------------------------------


def test_policy_priorities_give_no_topic():
    # CORDIS lists its five policy-priority markers on nearly every project, most of them of
    # weight 0 (not relevant): they say nothing of the project's topic
    priorities = [("policy priority", p) for p in (
        "Climate action", "Digital agenda", "Clean air", "Artificial intelligence", "Biodiversity")]
    assert _cordis(*priorities) == ("research",)


@pytest.mark.parametrize(("path", "topics"), [
    # the deepest level the table names decides, not every word of every level
    ("/engineering and technology/environmental engineering/energy and fuels/renewable energy",
     ("energy", "research")),
    ("/natural sciences/earth and related environmental sciences/geology/petrology", ("research",)),
    ("/social sciences/sociology/industrial relations/automation", ("research",)),
    ("/engineering and technology/mechanical engineering/vehicle engineering/aerospace "
     "engineering/satellite technology", ("research",)),
    ("/engineering and technology/mechanical engineering/vehicle engineering/aerospace "
     "engineering/aircraft", ("transport", "research")),
    ("/medical and health sciences/clinical medicine/oncology", ("health", "research")),
    # a field the classifier gives for another sense of its word gives nothing; below it, a
    # narrower field keeps its topic
    ("/natural sciences/biological sciences/ecology/ecosystems", ("research",)),
    ("/natural sciences/computer and information sciences/databases", ("research",)),
    ("/agricultural sciences/agriculture, forestry, and fisheries/agriculture", ("research",)),
    ("/agricultural sciences/agriculture, forestry, and fisheries/agriculture/horticulture/"
     "fruit growing", ("research", "food")),
])
def test_a_field_of_science_by_its_deepest_level(path, topics):
    assert _cordis(("field of science", path)) == topics


@pytest.mark.parametrize(("facts", "topics"), [
    ([("legal basis", "HORIZON.2.5.7 Clean, Safe and Accessible Transport and Mobility"),
      ("legal basis", "HORIZON.2.5 Climate, Energy and Mobility")], ("transport", "research")),
    ([("legal basis", "HORIZON.2.5 Climate, Energy and Mobility")], ("research",)),
    ([("legal basis", "HORIZON.2.1 Health")], ("health", "research")),
    ([("legal basis", "HORIZON.1.2 Marie Skłodowska-Curie Actions (MSCA)"),
      ("topic", "HORIZON-MSCA-2023-PF-01-01 MSCA Postdoctoral Fellowships 2023")], ("research",)),
    ([("topic", "HORIZON-CL6-2021-FARM2FORK-01-01 Reaching the farm to fork target")],
     ("research", "food")),
    ([("topic", "HORIZON-CL5-2021-D3-02-04")], ("energy", "research")),
    ([("topic", "HORIZON-EIC-2022-ACCELERATOROPEN-01")], ("business", "research")),
    # a mission names every cluster: its call decides, not the clusters
    ([("legal basis", f"HORIZON.2.{n}") for n in range(1, 7)]
     + [("topic", "HORIZON-MISS-2022-OCEAN-01-02 Restoration of wetlands")],
     ("water", "research")),
    # the CSV dataset gives codes only, and Horizon 2020 and FP7 codes of their own
    ([("legal basis", "HORIZON.2.6.4")], ("water", "research")),
    ([("legal basis", "H2020-EU.3.3.")], ("energy", "research")),
    ([("legal basis", "H2020-EU.3.2.5.1.")], ("water", "research")),
    ([("legal basis", "FP7-HEALTH")], ("health", "research")),
    ([("legal basis", "HORIZON.2.10")], ("research",)),  # no part of HORIZON.2.1
])
def test_cordis_programme_parts_and_calls(facts, topics):
    assert _cordis(*facts) == topics


def _kohesio(path: Path) -> dict[str, Project]:
    return {r.project.source_id: r.project
            for r in open_reader("kohesio", path, today=TODAY)}


def test_a_kohesio_operation_takes_the_topics_of_its_narrowest_objective():
    old = _kohesio(KOHESIO / "IE-pp14-20-20260924.csv")
    # TO03 (SMEs) and PO1 (a smarter Europe): the thematic objective is the narrower
    assert topics_of(old["Q232171"]) == ("business",)
    new = {**_kohesio(KOHESIO / "IE-pp21-27-20260924.csv"),
           **_kohesio(KOHESIO / "PL-pp21-27-20260924.csv"),
           **_kohesio(KOHESIO / "BG-pp21-27-20260924.csv")}
    by_code = {dict(p.extra).get("Specific objective (code)"): topics_of(p)
               for p in new.values()}
    assert by_code["RSO2.1"] == ("energy", "environment")  # energy efficiency, emissions
    assert by_code["RSO2.5"] == ("water",)  # not PO2's energy and environment
    assert by_code["ESO4.1"] == ("inclusion",)  # not PO4's health and education too
    assert by_code["RSO1.3"] == ("business",)


# -- each source's own vocabulary, a facet of its own ----------------------------------------


def test_the_theme_facet_holds_keep_themes_and_the_field_facet_cordis_fields(combined_catalog):
    themes = _counts(combined_catalog, "theme")
    assert themes and set(themes) <= set(vocab.KEEP_THEMES)
    assert themes == _counts(combined_catalog, "theme", source="keep")
    fields = _counts(combined_catalog, "field")
    assert fields == _counts(combined_catalog, "field", source="cordis")
    cordis = [i.project for i in combined_catalog.iter_matches(
        SearchQuery.from_params({"source": "cordis"}))]
    assert set(fields) == {t for p in cordis for t in p.themes}
    assert not set(fields) & set(vocab.KEEP_THEMES)
    assert set(_counts(combined_catalog, "activity")) == {
        t for i in combined_catalog.iter_matches(SearchQuery.from_params({"source": "eac"}))
        for t in i.project.themes}
    # a theme no longer mixes the sources: the old facet held 42 keep.eu themes, 561 fields of
    # science and the EAC activity types in one list of 614
    assert (len(themes), len(fields)) == (42, 561)


def test_objective_facet_names_kohesio_objectives_and_keeps_them_out_of_themes():
    from euprojects.model import merge_projects

    op = _kohesio(KOHESIO / "IE-pp14-20-20260924.csv")["Q232171"]
    objective, theme = FACETS["objective"].extract, FACETS["theme"].extract
    assert objective is not None and theme is not None
    assert list(objective(op, [])) == ["Enhancing the competitiveness of SMEs",
                                       "A more competitive and smarter Europe"]
    assert list(theme(op, [])) == []
    keep = Project("keep:x", "keep", title=op.title, themes=("Tourism",))
    linked = merge_projects(keep, [(op, "interreg:key")])
    assert set(linked.themes) > {"Tourism"}  # the operation's objective names come along
    assert list(theme(linked, [])) == ["Tourism"]
    assert list(objective(linked, [])) == list(objective(op, []))


# -- titles and translations ------------------------------------------------------------------


def _stems(title: str) -> set[str]:
    """The first four letters of each word of four letters or more, outside parentheses."""
    bare = re.sub(r"\(.*?\)", " ", fold(title))
    return {w[:4] for w in re.findall(r"\w+", bare) if len(w) >= 4}


@pytest.mark.parametrize("lang", LANGS)
def test_facet_titles_say_what_each_holds(lang):
    t = texts(lang)
    titles = {name: t.gettext(f.label) for name, f in FACETS.items()}
    assert len(set(titles.values())) == len(titles), titles
    # the pairs that read as one thing twice ("Programme de l’UE" and "Programme",
    # "Thématique" and "Thème"): no word in common
    for a, b in (("framework", "programme"), ("topic", "theme"), ("theme", "field"),
                 ("topic", "field"), ("field", "activity"), ("theme", "objective")):
        assert not _stems(titles[a]) & _stems(titles[b]), (titles[a], titles[b])
    # a facet of one source's vocabulary names its source
    for name, source in (("theme", "keep.eu"), ("field", "CORDIS"), ("activity", "EAC"),
                         ("objective", "Kohesio")):
        assert source in titles[name], titles[name]


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_keep_themes_and_facet_titles_are_translated(lang):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    wanted = [*vocab.KEEP_THEMES, *KOHESIO_OBJECTIVES, *(f.label for f in FACETS.values())]
    missing = [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]
    assert missing == []
    shown = {texts(lang).gettext(m) for m in vocab.KEEP_THEMES}
    assert len(shown) == len(vocab.KEEP_THEMES)  # two themes never read the same
    assert FACETS["theme"].shown == "messages"
    assert set(FACETS["theme"].messages) == set(vocab.KEEP_THEMES)
    assert FACETS["objective"].shown == "messages"
    shown = {texts(lang).gettext(m) for m in KOHESIO_OBJECTIVES}
    assert len(shown) == len(KOHESIO_OBJECTIVES)


def test_kohesio_objectives_show_in_the_page_language(catalog):
    from starlette.testclient import TestClient

    from euprojects.web import create_app

    catalog.import_files("kohesio", [KOHESIO / "IE-pp14-20-20260924.csv"])
    with TestClient(create_app(catalog)) as client:
        fr = client.get("/fr/projects", params={"source": "kohesio"})
        assert "Renforcer la compétitivité des PME" in fr.text
        assert "Enhancing the competitiveness of SMEs <span" not in fr.text  # a label
        assert 'value="Enhancing the competitiveness of SMEs"' in fr.text  # the filter value
        de = client.get("/de/projects/kohesio:Q232171")
        assert de.status_code == 200
        assert "Stärkung der Wettbewerbsfähigkeit von KMU" in de.text  # its theme tags


def test_the_search_page_shows_keep_themes_in_its_language(combined_catalog):
    from starlette.testclient import TestClient

    from euprojects.web import create_app

    with TestClient(create_app(combined_catalog)) as client:
        fr = client.get("/fr/projects", params={"source": "keep"})
        assert fr.status_code == 200
        assert "Tourisme" in fr.text and "Patrimoine culturel et arts" in fr.text
        assert "Thème (keep.eu)" in fr.text and "Domaine d’action (toutes sources)" in fr.text
        de = client.get("/de/projects", params={"source": "cordis"})
        assert "Wissenschaftsgebiet (CORDIS)" in de.text
        assert "Thema (keep.eu)" not in de.text  # no keep.eu project among them: no theme list
