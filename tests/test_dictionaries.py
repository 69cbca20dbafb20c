"""FreeDict's dictionaries read into the search index (search/_dictionaries.py): a German,
Spanish or French query word also finds the English texts of its translation, without the
model. CI installs Debian's dict-freedict-XXX-eng packages (.ci/run); elsewhere, without them,
these tests are skipped, and the search works without translations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Built, _open_copy, settings_for
from euprojects.catalog import Catalog, SearchQuery
from euprojects.search._analysis import analyzer, stem_field
from euprojects.search._dictionaries import dictionary_table, read_entries

DICTD = Path("/usr/share/dictd")
if not (DICTD / "freedict-deu-eng.index").is_file() and os.environ.get("CI") != "true":
    pytest.skip("the FreeDict dictionaries are not installed (.ci/run installs them)",
                allow_module_level=True)


def _stem(lang: str, word: str) -> str:
    return analyzer(stem_field(lang)).analyze(word)[0]


def test_a_headword_gives_the_english_stems_of_its_first_translation():
    table = dictionary_table(DICTD)
    assert {"de", "fr", "es", "it", "pt", "nl", "sv"} <= set(table)
    assert len(table["de"]) > 100_000
    assert table["de"][_stem("de", "Batterierecycling")] == "batteri recycl"
    assert table["de"][_stem("de", "Antibiotikaresistenz")] == "antibiot resist"
    assert table["es"][_stem("es", "terremotos")] == "earthquak"
    assert table["fr"][_stem("fr", "hydrogène")] == "hydrogen"
    # only nouns and adjectives of four letters or more, one to three English words
    entries = dict(read_entries(DICTD / "freedict-spa-eng.index",
                                DICTD / "freedict-spa-eng.dict.dz"))
    assert entries["terremoto"] == "earthquake"
    assert all(len(h) >= 4 and h.isalpha() for h in entries)
    assert dictionary_table(DICTD / "nowhere") == {}


def test_a_german_query_finds_the_english_projects_of_its_translation(
        tmp_path: Path, combined_built: Built):
    """`Batterierecycling`: no project holds the word; its translation, "battery recycling",
    finds the CORDIS projects on recycling batteries (judged relevant in
    tests/data/eval/crosslang.jsonl), by words alone."""
    query = SearchQuery.from_params({"q": "Batterierecycling", "mode": "lexical"})
    for catalog in _open_copy(combined_built, tmp_path / "with"):
        found = catalog.search(query).ids
        assert {"cordis:101069685", "cordis:101069890"} & set(found[:10]), found
        # an English word the texts hold is not read as a foreign one ("data" is Spanish for
        # "date", "water" Dutch for "aquatic"): the same matches as without dictionaries
        english = {w: catalog.search(SearchQuery.from_params({"q": w, "mode": "lexical"})).total
                   for w in ("data", "water", "solar", "brand")}
    bare = settings_for(tmp_path / "with" / "copy.db", dictionaries_dir=tmp_path / "none",
                        index_dir=tmp_path / "bare.index")
    with Catalog(bare) as catalog:
        catalog.reindex()
        assert catalog.search(query).total == 0
        assert english == {
            w: catalog.search(SearchQuery.from_params({"q": w, "mode": "lexical"})).total
            for w in english}
