"""Search over the real keep.eu data: languages, typos, phrases, exclusions, exact facets,
ranges, sorts, pages, rebuilds under load, and odd input."""

from __future__ import annotations

import re
import threading
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY, settings_for, store_sql
from euprojects.catalog import Catalog
from euprojects.errors import QueryError
from euprojects.model import fold
from euprojects.search import SearchQuery


def run(catalog, **params):
    return catalog.search(SearchQuery.from_params(params))


def all_ids(catalog, **params):
    """Every id a search returns, page by page through the cursor."""
    ids, cursor = [], None
    while True:
        page = dict(params, size="100", **({"cursor": cursor} if cursor else {}))
        result = run(catalog, **page)
        ids.extend(result.ids)
        cursor = result.next_cursor
        if not cursor:
            assert len(ids) == result.total
            return ids


def texts_of(catalog, pid):
    view = catalog.project(pid)
    p = view.project
    parts = [p.title.text, p.acronym or "", *(t.text for t in p.other_titles), *p.themes]
    for kind in (p.description, p.expected_results, p.achievements, p.expected_outputs,
                 p.delivered_outputs):
        parts.extend(t.text for t in kind)
    for participant in view.participants:
        o = participant.organisation
        parts.extend([o.name, o.city or "", *(n.text for n in o.other_names)])
    return fold(" ".join(parts))


def test_french_query_finds_french_texts_through_stems(real_catalog):
    ids = all_ids(real_catalog, q="énergies renouvelables")
    # these say "énergie renouvelable" (singular) and never the plural
    assert {"keep:72d585309015", "keep:fdba1c9a8de1", "keep:d6e978837ac4"} <= set(ids)


def test_german_plural_finds_singular(real_catalog):
    ids = all_ids(real_catalog, q="Städte")
    assert {"keep:1fbd10e6d4cc", "keep:b753386f3e19", "keep:c4ce878ab857"} <= set(ids)


def test_accents_are_folded(real_catalog):
    ids = all_ids(real_catalog, q="cooperation")
    assert {"keep:dd01bd809fa6", "keep:d602ded1a106", "keep:d86807f39d46"} <= set(ids)


@pytest.mark.parametrize(("typo", "clean"), [("inovation", "innovation"),
                                              ("toursim", "tourism"),
                                              ("herritage", "heritage")])
def test_one_typo_finds_what_the_clean_word_finds(real_catalog, typo, clean):
    clean_ids = set(all_ids(real_catalog, q=clean, typos="0"))
    assert clean_ids
    assert clean_ids <= set(all_ids(real_catalog, q=typo))


def test_typos_off_means_exact_words(real_catalog):
    assert run(real_catalog, q="toursim", typos="0").total < run(real_catalog, q="toursim").total


def test_did_you_mean_spells_the_words_no_project_holds_as_the_index_does(real_catalog):
    # without typos the misspelt search finds nothing: the index's spelling of it does
    lost = run(real_catalog, q="Renewabel energy", typos="0")
    assert lost.total == 0
    assert lost.did_you_mean == "renewable energy"
    assert run(real_catalog, q=lost.did_you_mean, typos="0").total > 0
    # with typos the search already reads the word as its correction, and still says so
    assert run(real_catalog, q="renewabel").did_you_mean == "renewable"
    assert run(real_catalog, q="renewabel").to_dict()["meta"]["did_you_mean"] == "renewable"


@pytest.mark.parametrize("q", ["tourism heritage",  # every word held
                               "renewabel*",  # a prefix asked for is no typo
                               "heritage renewa",  # nor the last word typed, read as a prefix
                               '"toursim"',  # a phrase is taken as typed
                               "heritage -renewabel",  # and so is an excluded word
                               "zzqqxxwwkk"])  # no correction held: nothing to offer
def test_did_you_mean_leaves_what_is_no_misspelling(real_catalog, q):
    assert run(real_catalog, q=q).did_you_mean is None


def test_the_last_word_typed_is_a_prefix_only_when_few_projects_hold_it(real_catalog):
    # "water" is a word hundreds of projects hold: typed last, it is that word (and its
    # stems), not every word starting with it, unless the prefix is asked for ("water*")
    typed, whole, asked = (set(all_ids(real_catalog, q=q)) for q in ("water", "water ", "water*"))
    assert typed == whole and asked > whole
    marks = {m.lower() for item in run(real_catalog, q="water", size="100").items
             for m in re.findall(r"<mark>(\w+)</mark>", item.snippet)}
    assert "water" in marks and all(m in ("water", "waters") for m in marks)
    # "hydrog" is no project's word: typed last, it is read as a prefix ("hydrogen")
    hydrog = run(real_catalog, q="hydrog", size="100")
    assert hydrog.total == run(real_catalog, q="hydrog*").total > 0
    assert any("<mark>hydrogen</mark>" in item.snippet.lower() for item in hydrog.items)


def test_exact_matches_rank_above_typo_matches(real_catalog):
    result = run(real_catalog, q="tourism", size="20")
    top = result.ids[0]
    assert "tourism" in texts_of(real_catalog, top).split()


def test_short_word_is_a_whole_word(real_catalog):
    ids = all_ids(real_catalog, q="sea")
    assert ids  # the loop below asserts nothing on no result
    for pid in ids:
        words = set(re.findall(r"\w+", texts_of(real_catalog, pid)))
        assert "sea" in words, pid  # never "research", "search" or "seaside" alone


def test_phrase_matches_only_the_phrase(real_catalog):
    ids = all_ids(real_catalog, q='"climate change"')
    assert ids
    for pid in ids:
        assert re.search(r"\bclimate\W+change\b", texts_of(real_catalog, pid)), pid
    loose = set(all_ids(real_catalog, q="climate change"))
    assert set(ids) < loose


def test_minus_excludes(real_catalog):
    energy = set(all_ids(real_catalog, q="energy "))
    without = set(all_ids(real_catalog, q="energy -solar"))
    assert without and without < energy
    for pid in energy:
        has_solar = bool(re.search(r"\bsolar\b", texts_of(real_catalog, pid)))
        assert (pid in without) != has_solar, pid


def test_or_between_words(real_catalog):
    # trailing spaces: whole words, not the prefix of a word still being typed
    a = set(all_ids(real_catalog, q="biogas ", typos="0"))
    b = set(all_ids(real_catalog, q="hydrogen ", typos="0"))
    assert a and b
    assert set(all_ids(real_catalog, q="biogas OR hydrogen ", typos="0")) == a | b


def _sql(real_catalog):
    return store_sql(real_catalog.settings.db)


def test_facets_and_total_match_a_straight_sql_count(real_catalog):
    result = run(real_catalog, country="SE")
    con = _sql(real_catalog)
    expected_total = con.execute(
        "SELECT COUNT(DISTINCT p.project_id) FROM participations p JOIN organisations o "
        "ON o.id = p.organisation_id WHERE o.country = 'SE'").fetchone()[0]
    assert result.total == expected_total
    expected_programmes = dict(con.execute(
        "SELECT programme, COUNT(*) FROM projects WHERE id IN (SELECT p.project_id FROM "
        "participations p JOIN organisations o ON o.id = p.organisation_id WHERE "
        "o.country = 'SE') GROUP BY programme").fetchall())
    assert result.facet_counts("programme") == expected_programmes
    # the country facet ignores its own selection: it counts over every project
    all_countries = Counter(c for (doc,) in con.execute("SELECT doc FROM projects")
                            for c in __import__("json").loads(doc)["countries"])
    assert result.facet_counts("country") == dict(all_countries)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(("q", "selected"), [("energy", ()), ("", ("country",)),
                                             ("climate", ("field", "nuts1"))])
def test_facets_counted_by_group_are_what_their_own_fields_count(combined_catalog, threads,
                                                                 q, selected):
    """The facets of a group (FACET_GROUPS) are counted through the group's field: the counts,
    and their order, must be those of each facet's own field."""
    from euprojects.model import FACETS
    from euprojects.search._facets import FacetCounter, _grouped, _units

    index = combined_catalog.index
    # a selection of each facet named: its most frequent value among the words' matches
    first = run(combined_catalog, q=q)
    params = {"q": q, **{name: first.facets[name][0].value for name in selected}}
    snap = index.snapshot()
    base, filters, _ = index._compiled(SearchQuery.from_params(params), TODAY, snap)
    counted, cut = FacetCounter(threads, 0).count(snap.searcher, base, filters, TODAY,
                                                  ("test",), 60.0)
    assert not cut and set(counted) == set(FACETS)
    units, _ = _units(base, filters, threads)
    assert any(_grouped(names)[0] for _, names in units)  # a group's field counted some
    for query, names in units:
        for name in names:
            if FACETS[name].indexed:
                own = snap.searcher.aggregate(query, {name: {"terms": {
                    "field": name, "size": 65000}}})[name]["buckets"]
                assert counted[name] == [(b["key"], b["doc_count"]) for b in own], name
    assert counted["country"] and counted["nuts1"] and counted["field"]


def test_facets_are_counted_side_by_side_only_by_a_search_counting_alone(real_catalog):
    """Two threads for the facets of a search alone in its process; in turn on its own
    thread while another search counts (the cores are busy already): the same counts."""
    from euprojects.search._facets import FacetCounter

    index = real_catalog.index
    snap = index.snapshot()
    base, filters, _ = index._compiled(SearchQuery.from_params({"q": "water"}), TODAY, snap)
    busy = FacetCounter(2, 0)
    busy._counting = 1  # another search of the process is counting
    in_turn, _ = busy.count(snap.searcher, base, filters, TODAY, ("a",), 60.0)
    assert busy._executor is None and busy._counting == 1
    alone = FacetCounter(2, 0)
    side_by_side, _ = alone.count(snap.searcher, base, filters, TODAY, ("b",), 60.0)
    assert alone._executor is not None and alone._counting == 0
    assert in_turn == side_by_side and in_turn["country"]
    alone.close()


def test_facet_counts_match_the_results_they_describe(real_catalog):
    params = {"q": "water", "country": ["PL", "CZ"], "theme": "Water management"}
    ids = all_ids(real_catalog, **params)
    result = run(real_catalog, **params)
    projects = real_catalog.store.get_projects(ids)
    programmes = Counter(p.programme for p in projects.values())
    assert result.facet_counts("programme") == dict(programmes)
    # theme counts ignore the theme selection but respect q and country
    others = all_ids(real_catalog, q="water", country=["PL", "CZ"])
    themes = Counter(t for p in real_catalog.store.get_projects(others).values()
                     for t in p.themes)
    assert result.facet_counts("theme") == dict(themes)
    assert {v.value for v in result.facets["theme"] if v.selected} == {"Water management"}


def test_repeated_parameter_is_or_and_facets_are_and(real_catalog):
    se = set(all_ids(real_catalog, country="SE"))
    dk = set(all_ids(real_catalog, country="DK"))
    assert set(all_ids(real_catalog, country=["SE", "DK"])) == se | dk
    public = set(all_ids(real_catalog, legal_status="public"))
    assert set(all_ids(real_catalog, country="SE", legal_status="public")) == se & public


def test_status_is_computed_against_today(real_catalog):
    result = run(real_catalog)
    expected = Counter(p.status(TODAY).value for p in real_catalog.store.iter_projects()
                       if p.status(TODAY))
    assert result.facet_counts("status") == dict(expected)
    assert set(expected) >= {"closed", "ongoing"}  # the fixtures hold an ongoing project
    for status in expected:
        ids = all_ids(real_catalog, status=status)
        assert len(ids) == expected[status]
        assert {real_catalog.project(p).status.value for p in ids} == {status}
    # the status counts ignore the status selection and respect the others
    se = run(real_catalog, status="closed", country="SE")
    se_expected = Counter(p.status(TODAY).value for p in real_catalog.store.iter_projects()
                          if "SE" in p.countries and p.status(TODAY))
    assert se.facet_counts("status") == dict(se_expected)


def test_ranges_and_sorts(real_catalog):
    ids = all_ids(real_catalog, eu_contribution_min="1000000", sort="-eu_contribution")
    amounts = [real_catalog.project(p).project.eu_contribution.amount for p in ids]
    assert amounts and min(amounts) >= Decimal("1000000")
    assert amounts == sorted(amounts, reverse=True)
    starts = [real_catalog.project(p).project.start_date
              for p in all_ids(real_catalog, start_date_min="2018-01-01", sort="start_date")]
    assert starts and starts == sorted(starts) and starts[0].isoformat() >= "2018-01-01"
    newest = run(real_catalog).items
    ends = [i.project.end_date for i in newest]
    assert ends == sorted(ends, reverse=True)  # no query: newest end date first
    rate = all_ids(real_catalog, cofinancing_rate_max="50")
    assert rate and all(real_catalog.project(p).cofinancing_rate <= 50 for p in rate)


def test_pages_by_cursor_cover_every_result_once(real_catalog):
    ids = all_ids(real_catalog, q="tourism")
    assert len(ids) == len(set(ids)) == run(real_catalog, q="tourism").total


def test_snippets_are_escaped_before_marks(real_catalog):
    result = run(real_catalog, q="energy", size="50")
    for item in result.items:
        assert "<script" not in item.snippet
        stripped = item.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped
    assert any("<mark>" in i.snippet for i in result.items)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"size": "500"}, "parameter 'size': '500' is not a whole number from 1 to 100"),
        ({"sort": "title"}, "parameter 'sort': 'title' is not one of relevance, start_date, "
                            "end_date, eu_contribution (prefix '-' for descending)"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"start_date_min": "2020-13-01"},
         "parameter 'start_date_min': '2020-13-01' is not a date YYYY-MM-DD from year 1000 to 9999"),
        ({"cursor": "nonsense"}, "parameter 'cursor': not a cursor this service gave"),
        ({"q": "x" * 10_000}, "the query is too long (10000 characters, at most 1000)"),
        ({"eu_contribution_min": "5", "eu_contribution_max": "1"},
         "eu_contribution_min is above eu_contribution_max"),
    ],
)
def test_bad_parameters_get_a_clear_error(real_catalog, params, message):
    with pytest.raises(QueryError) as info:
        run(real_catalog, **params)
    assert str(info.value) == message


@pytest.mark.parametrize("q", ['"unbalanced', "-", " - ", '""', "*", "OR", "-solar",
                               "energy\x00\x07 policy", "(", "AND OR NOT"])
def test_odd_queries_get_a_sensible_reading(real_catalog, q):
    result = run(real_catalog, q=q)
    _consistent(real_catalog, result)
    if q in ("-", " - ", '""', "*", "OR", "("):  # read as no words at all: every project
        assert result.total == real_catalog.count_projects()


def _consistent(catalog, result):
    """A page of a search: as many items as the page holds, each a stored project, the total
    no more than the catalog holds."""
    assert 0 <= result.total <= catalog.count_projects()
    assert len(result.items) == min(10, result.total)
    assert len(set(result.ids)) == len(result.ids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_gets_a_result_or_a_clear_error(real_catalog, q):
    try:
        result = run(real_catalog, q=q)
    except QueryError:
        return
    _consistent(real_catalog, result)


def test_time_budget_zero_cuts_the_facets(tmp_path, keep_import):
    from conftest import copy_catalog
    from euprojects.catalog import Catalog

    # the real keep.eu file (a copy of the session's import), searched with a budget of 0 ms
    settings_ = settings_for(copy_catalog(keep_import, tmp_path, "b"), search_time_budget_ms=0)
    with Catalog(settings_) as c:
        result = run(c, q="energy")
        assert result.cut and result.facets == {} and result.total > 0


def test_rebuild_while_searching_never_fails(small_copy):
    # rebuilt twice: a catalog of its own, of real data a third the size of real_catalog's
    # (conftest.small_built), so that each rebuild takes a third of the time
    real_catalog = small_copy
    expected = run(real_catalog, q="tourism").total
    assert expected > 0
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                totals.append(run(real_catalog, q="tourism").total)
            except BaseException as exc:  # noqa: BLE001 - any failure fails the test
                errors.append(exc)
                return

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        for _ in range(2):
            assert real_catalog.reindex() == real_catalog.count_projects()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert totals and set(totals) == {expected}


@pytest.mark.parametrize(
    ("query", "lang", "text", "expected"),
    [
        # stem in the text's language, exact word, and a word the tokenizer splits (ART_UP)
        ("énergies renouvelables", "fr", "Une énergie renouvelable pour ART_UP & co <b>",
         "Une <mark>énergie</mark> <mark>renouvelable</mark> pour ART_UP &amp; co &lt;b&gt;"),
        ("art", "en", "ART_UP: art & the state of the arts, not start",
         "<mark>ART_UP</mark>: <mark>art</mark> &amp; the state of the <mark>arts</mark>, not start"),
        # one typo (a transposition costs one), as the index's fuzzy queries count them
        ("inovation", "en", "Innovation and inovation, not invitation",
         "<mark>Innovation</mark> and <mark>inovation</mark>, not invitation"),
        # the prefix of the last word, search-as-you-type
        ("cross-border coop", "en", "Cross-border cooperation and co-operation",
         "<mark>Cross</mark>-<mark>border</mark> <mark>cooperation</mark> and co-operation"),
    ],
)
def test_snippet_marks(query, lang, text, expected):
    from euprojects.model import LangText
    from euprojects.search import parse_text, snippet

    assert snippet([LangText(text, lang)], parse_text(query)) == expected


def test_compounds_split_by_the_frequency_of_their_parts():
    from euprojects.search._compounds import split_compound

    held = {"hochwasser": 40, "schutz": 60, "meer": 30, "mull": 8, "waste": 90, "water": 300,
            "wastewater": 400, "hochwasserschutz": 2, "nord": 50, "regio": 20}.get
    frequency = lambda w: held(w, 0)  # noqa: E731
    nowhere = lambda w: 0  # noqa: E731
    assert split_compound("hochwasserschutz", frequency, nowhere) == ["hochwasser", "schutz"]
    # the linking element "es" of Meer-es-müll is dropped from the part before it
    assert split_compound("meeresmull", frequency, nowhere) == ["meer", "mull"]
    # a word more common than its parts is taken as it stands
    assert split_compound("wastewater", frequency, nowhere) is None
    # a name is never split, however common its parts
    assert split_compound("nordregio", frequency, lambda w: 1) is None
    assert split_compound("nordregio", frequency, nowhere) == ["nord", "regio"]
    assert split_compound("schutz", frequency, nowhere) is None  # too short to be a compound


def test_a_compound_also_finds_its_parts(real_catalog):
    # no text of the real data holds "Stadtentwicklung"; "Stadt" + "Entwicklung" (or their
    # English translations, "city" + "development") are held apart
    assert run(real_catalog, q='"stadtentwicklung"').total == 0
    found = run(real_catalog, q="stadtentwicklung", size="20")
    assert found.total > 20
    for pid in found.ids:
        words = texts_of(real_catalog, pid)
        # "stadt" within a word (Innenstadt), "city" or "cities" as a word: a bare "cit" was
        # held by nearly every text (specific, capacity, electricity) and so could not fail
        assert re.search(r"stadt|\bcit(y|ies)\b", words), pid
        assert "entwicklung" in words or "develop" in words, pid


def test_facet_counts_kept_for_next_pages_follow_every_import(tmp_path):
    from conftest import DATA
    from euprojects.catalog import Catalog
    from euprojects.settings import load_settings

    settings_ = load_settings({"db": tmp_path / "f.db", "today": TODAY.isoformat()}, {})
    with Catalog(settings_) as searching, Catalog(settings_) as importing:
        importing.import_files("keep-eu", [DATA / "keep" / "keep_api_projects.json"])
        first = run(searching, q="", size="1")
        second = run(searching, q="", size="1", cursor=first.next_cursor)
        assert second.facets == first.facets  # the next page: the same counts
        # another process-like catalog imports: the searching one must not serve old counts
        importing.import_files("keep-eu", [DATA / "keep" / "keep_current_export.xlsx"])
        after = run(searching, q="", size="1")
        assert after.total > first.total
        assert sum(v.count for v in after.facets["source"]) == after.total
        with Catalog(settings_) as fresh:  # nothing kept: counted anew
            assert run(fresh, q="", size="1").facets == after.facets


def test_the_counts_of_every_project_are_kept_per_generation_and_follow_updates(tmp_path):
    """The empty search's counts (but the status's) are counted when a generation is built or
    updated and kept beside it; a search over every project, or with one facet's filter only
    (that facet's own counts), takes them: they must be what counting gives."""
    import json

    from conftest import DATA

    settings_ = settings_for(tmp_path / "e.db")

    def counted_anew(**params):  # without the kept counts: a catalog that finds none
        kept = folder() / "facets.json"
        saved = kept.read_bytes()
        kept.unlink()
        try:
            with Catalog(settings_) as fresh:
                return run(fresh, **params).facets
        finally:
            kept.write_bytes(saved)

    with Catalog(settings_) as catalog:
        def folder():
            return catalog.index.path / catalog.index._current()

        catalog.import_files("kohesio", [DATA / "kohesio" / "IE-pp21-27-20260924.csv"])
        catalog.import_files("kohesio", [DATA / "kohesio" / "PL-pp21-27-20260924.csv"])
        assert json.loads((folder() / "facets.json").read_text())["commits"] == 0
        every = run(catalog, q="")
        assert every.facets == counted_anew(q="") and every.facets["status"]
        one = run(catalog, q="", fund="ERDF")
        # its own counts: every project's
        assert [(v.value, v.count) for v in one.facets["fund"]] == \
            [(v.value, v.count) for v in every.facets["fund"]]
        assert one.facets == counted_anew(q="", fund="ERDF")
        # an update of the generation (one project of 12: not rebuilt) counts them again
        generation = catalog.index._current()
        catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])
        assert catalog.index._current() == generation
        assert json.loads((folder() / "facets.json").read_text())["commits"] == 1
        after = run(catalog, q="")
        def counts(result, name):
            return {v.value: v.count for v in result.facets[name]}

        assert counts(after, "source")["keep"] == 1 and after.total == every.total + 1
        assert after.facets == counted_anew(q="")
        # what is kept is what a search shows (kept counts of other contents are not)
        kept = json.loads((folder() / "facets.json").read_text())
        kept["facets"]["source"] = [["keep", 7]]
        (folder() / "facets.json").write_text(json.dumps(kept))
        with Catalog(settings_) as fresh:
            assert counts(run(fresh, q=""), "source") == {"keep": 7}
            kept["commits"] = 2
            (folder() / "facets.json").write_text(json.dumps(kept))
        with Catalog(settings_) as fresh:
            assert counts(run(fresh, q=""), "source")["keep"] == 1


@pytest.mark.parametrize(("typed", "meant"), [("renewabel energy", "renewable energy"),
                                              ("sustainabel tourism", "sustainable tourism")])
def test_a_word_no_project_holds_ranks_as_its_correction(real_catalog, typed, meant):
    assert run(real_catalog, q=typed).ids == run(real_catalog, q=meant).ids


@pytest.mark.parametrize(("typed", "meant"), [("inovation", "innovation"),
                                              ("renewabel energy", "renewable energy")])
def test_a_word_no_project_holds_finds_what_its_correction_finds(real_catalog, typed, meant):
    # its corrections stand for it; the words two typos away from the typo itself are not
    # looked for ("inovation" found "renovation" when they were)
    assert set(all_ids(real_catalog, q=typed)) == set(all_ids(real_catalog, q=meant))


def test_a_word_no_project_holds_marks_what_its_correction_marks(real_catalog):
    # the snippets mark what the search matched: the corrections that stand for the word,
    # not the words within the typo allowance of the typo itself ("isolation" for "inovation")
    def marks(q):
        return {m.lower() for item in run(real_catalog, q=q, size="100").items
                for m in re.findall(r"<mark>(\w+)</mark>", item.snippet)}

    typed = marks("inovation")
    assert "innovation" in typed and typed <= marks("innovation")


@pytest.mark.parametrize(
    ("query", "lang", "text", "expected"),
    [
        # the first look at a word keeps accented, ligatured and Greek first letters
        ("ecole", "fr", "Une École", "Une <mark>École</mark>"),
        ("oeuvre", "fr", "Une Œuvre", "Une <mark>Œuvre</mark>"),
        ("œuvre", "fr", "Une oeuvre", "Une <mark>oeuvre</mark>"),
        ("ενέργεια", "el", "Η ενέργεια", "Η <mark>ενέργεια</mark>"),
        # a typo in the first letter still marks the word
        ("tourism", "en", "Sustainable Pourism", "Sustainable <mark>Pourism</mark>"),
    ],
)
def test_snippet_first_letters(query, lang, text, expected):
    from euprojects.model import LangText
    from euprojects.search import parse_text, snippet

    assert snippet([LangText(text, lang)], parse_text(query)) == expected


def test_an_import_into_a_fresh_store_searches_as_a_rebuilt_index(tmp_path, keep_small):
    """Every CLI command catches the index up first: on a fresh store that makes an empty
    index, which the import then brings up to the store. That index must find what one built
    whole finds: the lexicon learnt from the parallel texts ("Zusammenarbeit" finding English
    "cooperation", "santé" English "health") comes with it."""
    queries = ["Zusammenarbeit", "santé", "development", "cooperation"]
    with Catalog(settings_for(tmp_path / "fresh.db")) as fresh:
        fresh.catch_up()  # what the CLI does before the import
        fresh.import_files("keep-eu", [keep_small])
        found = {q: fresh.search(SearchQuery.from_params({"q": q})).total for q in queries}
        fresh.reindex()
        rebuilt = {q: fresh.search(SearchQuery.from_params({"q": q})).total for q in queries}
    assert rebuilt["Zusammenarbeit"] > 100 and rebuilt["santé"] > 20  # the lexicon at work
    assert found == rebuilt


def test_a_catch_up_of_many_changes_rebuilds_and_of_few_updates(catalog):
    """Replacing a project costs several times what a rebuild spends on one (docs/benchmarks.md,
    the catalog at 2 million projects): a fifth of the index or more is rebuilt whole (a new
    generation), fewer changes are applied to the current one."""
    from conftest import DATA
    from euprojects.catalog import REBUILD_SHARE

    assert REBUILD_SHARE == 5
    kohesio = DATA / "kohesio"
    catalog.import_files("kohesio", [kohesio / "IE-pp14-20-20260924.csv"])  # 8
    first = catalog.index._current()
    report = catalog.import_files("kohesio", [kohesio / "PL-pp21-27-20260924.csv"])  # 3 x 5 >= 8
    second = catalog.index._current()
    assert report.index_applied == 11 and second != first  # rebuilt: all 11
    report = catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])  # 1 x 5 < 11
    assert report.index_applied == 1 and catalog.index._current() == second
    assert catalog.index.count() == 12
