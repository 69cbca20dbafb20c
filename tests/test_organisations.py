"""Organisations recognised across sources: the rules (model/_orgmatch.py), the links the store
keeps (store/_links.py), the judged pairs, and what the catalog, the CLI and the pages show."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import DATA, cli_env, copy_catalog, open_test_store, settings_for, store_sql
from euprojects.catalog import Catalog, read_pairs
from euprojects.cli import cli
from euprojects.model import (
    MATCH_RULES,
    LangText,
    Link,
    Organisation,
    PairReport,
    evaluate_pairs,
    fold,
    match_keys,
    normalise_name,
    same_organisation,
)
from euprojects.model._orgmatch import Member, cluster, merge, normalise_city, normalise_vat
from euprojects.model._orgnames import university_of_unit
from euprojects.model._towns import TOWN_NAMES
from euprojects.model._translit import transliterations
from euprojects.search import SearchQuery
from euprojects.web import create_app

PAIRS = DATA / "organisations" / "pairs.jsonl"


def org(oid: str, name: str, country: str | None = "SE", city: str | None = "Uppsala",
        **fields) -> Organisation:
    return Organisation(id=oid, name=name, country=country, city=city, **fields)


# -- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    ("Uppsala universitet", "UPPSALA UNIVERSITET"),
    ("Forschungsverbund Berlin e.V.", "FORSCHUNGSVERBUND BERLIN EV"),
    ("RISE Research Institutes of Sweden", "RISE RESEARCH INSTITUTES OF SWEDEN AB"),
    ("Municipality of Braga", "Braga Municipality"),
    ("Universidad del País Vasco/Euskal Herriko Unibertsitatea",
     "UNIVERSIDAD DEL PAIS VASCO/ EUSKAL HERRIKO UNIBERTSITATEA"),
    ("Parque Tecnológico, S.A.", "PARQUE TECNOLOGICO SA"),
    ("Polska Firma sp. z o.o.", "POLSKA FIRMA"),
    ("Chamber of Commerce & Industry", "Chamber of Commerce and Industry"),
])
def test_names_that_normalise_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("a, b", [
    ("University of Tartu", "Tartu University Hospital"),
    ("Region Skåne", "Skåne County Administrative Board"),
    ("Faculty of Science, University of Zagreb", "University of Zagreb"),
    ("Stiftelsen Chalmers", "Chalmers AB"),  # a foundation is not a company of that name
])
def test_names_that_stay_apart(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_town_and_vat_forms():
    assert normalise_city("TOULOUSE CEDEX 3") == normalise_city("Toulouse") == "toulouse"
    assert normalise_city("Reykjavík,") == "reykjavik"
    assert normalise_vat("EL 094 01 4201", "GR") == normalise_vat("GR094014201", "GR")
    assert normalise_vat("505387271", "PT") == "PT505387271"
    assert normalise_vat("n/a", "PT") is None


def test_rules_in_order_and_what_keeps_records_apart():
    a = org("a", "Uppsala universitet", pic="999999999")
    assert same_organisation(a, org("b", "UU", city="Elsewhere", pic="999999999")).rule == "pic"
    assert same_organisation(org("a", "X", pic="0"), org("b", "Y", pic="0")) is None  # no PIC
    assert same_organisation(org("a", "X", vat="SE202100293201"),
                             org("b", "Y", city="Lund", vat="SE 2021002932-01")).rule == "vat"
    link = same_organisation(a, org("b", "UPPSALA UNIVERSITET"))
    assert link.rule == "name" and link.detail == "name:SE|university uppsala"
    # two PICs, two VAT numbers, two countries or two towns: never one organisation
    assert same_organisation(a, org("b", "Uppsala universitet", pic="111111111")) is None
    assert same_organisation(org("a", "Acme", vat="SE1111111111"),
                             org("b", "Acme", vat="SE2222222222")) is None
    assert same_organisation(org("a", "Acme Foundation"),
                             org("b", "Acme Foundation", country="NO")) is None
    # a name that names no one body, in two towns or with a town missing on one side: the
    # name alone links nothing
    generic = "Regional Development Foundation"
    assert same_organisation(org("a", generic), org("b", generic, city="Lund")) is None
    assert same_organisation(org("a", generic), org("b", generic, city=None)) is None
    # a name of one body does, whatever the towns (rule site), unless a kind of body that
    # repeats from town to town is in it (a school, a centre, a museum...)
    assert same_organisation(org("a", "Acme Foundation"),
                             org("b", "Acme Foundation", city="Lund")).rule == "site"
    assert same_organisation(org("a", "Acme Foundation"),
                             org("b", "ACME FOUNDATION", city=None)).rule == "site"
    school = "Osnovna škola Ivana Gorana Kovačića"
    assert same_organisation(org("a", school), org("b", school, city="Lund")) is None


def test_an_acronym_is_an_alias_never_a_name_key_but_links_within_one_town():
    a = org("a", "UALG", country="PT", city="Faro")
    b = org("b", "Universidade do Algarve", country="PT", city="Faro",
            other_names=(LangText("UALG"),))
    assert not {k for k in match_keys(a) if k.startswith("name:")}
    assert same_organisation(a, b).rule == "acronym"  # the same acronym, country and town
    assert same_organisation(replace(a, city="Lisboa"), b) is None  # acronyms repeat
    # a translated name is a key: the English name of a record links it to the national one
    c = org("c", "University of the Algarve", country="PT", city="Faro",
            other_names=(LangText("Universidade do Algarve", "pt"),))
    assert same_organisation(b, c).rule == "name"


def test_vinnova_by_the_first_word_of_its_cordis_short_name():
    """The keep.eu partner VINNOVA and its CORDIS record (legal name VERKET FOR
    INNOVATIONSSYSTEM, short name VINNOVA SWEDISH AGENCY FOR INNOVATION SYSTEMS), as the
    sources give them, both in Stockholm."""
    keep = org("k", "VINNOVA", city="Stockholm")
    cordis = org("c", "VERKET FOR INNOVATIONSSYSTEM", city="Stockholm", pic="999618757",
                 vat="SE202100521601",
                 other_names=(LangText("VINNOVA SWEDISH AGENCY FOR INNOVATION SYSTEMS"),))
    assert same_organisation(keep, cordis) == Link("acronym", "acronym:SE|vinnova")
    assert same_organisation(replace(keep, city="Göteborg"), cordis) is None
    # a short name's first word that is in the legal name, a kind of body or the town is none
    assert "acronym:SE|city" not in match_keys(
        org("s", "STOCKHOLMS STAD", other_names=(LangText("CITY OF STOCKHOLM"),)))
    assert match_keys(org("s", "Region Stockholm (NPR/CTE)")) & {"acronym:SE|nprcte"} == set()


@pytest.mark.parametrize("a, b, same", [
    (("Vienna", "AT"), ("Wien", "AT"), True),
    (("Gothenburg", "SE"), ("GÖTEBORG", "SE"), True),
    (("Bruxelles", "BE"), ("Brussel", "BE"), True),
    (("KOBENHAVN", "DK"), ("Copenhagen", "DK"), True),
    (("Rome", "IT"), ("ROMA", "IT"), True),
    (("Nicosia", "CY"), ("Lefkosia", "CY"), True),
    (("Veliko Gradiste", "RS"), ("VelikoGradiste", "RS"), True),
    (("1010 Wien", "AT"), ("Vienna, Austria", "AT"), True),
    (("Vienna", "AT"), ("Graz", "AT"), False),
    (("Mons", "BE"), ("Bergen", "NO"), False),  # Bergen is Mons in Belgium only
    (("Vienne", "FR"), ("Wien", "FR"), False),  # Vienne in France is a French town
])
def test_town_names_in_other_languages(a, b, same):
    # a name that names no one body: only the towns can link them
    ra = org("a", "Regional Research Foundation", city=a[0], country=a[1])
    rb = org("b", "REGIONAL RESEARCH FOUNDATION", city=b[0], country=b[1])
    assert (same_organisation(ra, rb) is not None) is same


def test_no_town_name_is_listed_twice_for_one_country():
    """The table is hand-written: a name is not listed twice for one country (two towns would
    become one), and no listed name is empty once normalised."""
    for country, towns in TOWN_NAMES.items():
        forms = [normalise_city(n) for names in towns for n in names]
        assert all(forms), country
        assert len(forms) == len(set(forms)), country


@pytest.mark.parametrize("a, b", [
    ("Jozef Stefan Institute", "INSTITUT JOZEF STEFAN"),
    ("Tour du Valat Foundation", "FONDATION TOUR DU VALAT"),
    ("Piemonte Region", "REGIONE PIEMONTE"),
    ("Environment Agency", "Agencia Environment"),
    ("Ministry of Education", "MINISTERSTVO EDUCATION"),
    ("Chamber of Commerce of Rijeka", "Komora Commerce Rijeka"),
    ("Zadar County", "Županija Zadar"),
    ("CENTRIA University of Applied Sciences", "Centria-ammattikorkeakoulu Oy"),
    ("Innovation Agency Nonprofit Ltd.", "Innovation Agency"),
    ("København Institute", "Kobenhavn Institute"),
])
def test_kinds_of_body_read_as_one_word(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("a, b", [
    ("Jozef Stefan Institute", "Jozef Stefan Agency"),  # each kind stays a word of its own
    ("Zadar County", "City of Zadar"),
    ("Region Stockholm", "Municipality of Stockholm"),
    ("Stiftelsen Chalmers", "Chalmers AB"),
])
def test_kinds_of_body_stay_apart(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_transliterations_include_the_form_kohesio_writes():
    assert transliterations("Агенция Пътна инфраструктура") == [
        "Agentsia Patna infrastruktura", "Agentsiya Patna infrastruktura"]
    assert transliterations("Община Петрич") == ["Obshtina Petrich"]
    assert transliterations("Uppsala") == []


@pytest.mark.parametrize("name, university", [
    ("Università degli Studi di Padova, Dipartimento di studi linguistici e letterari",
     "Università degli Studi di Padova"),
    ("University of Stuttgart – Institute for Human Factors and Technology Management",
     "University of Stuttgart"),
    ("Università degli Studi di TriesteDipartimento di Scienze della Vita",
     "Università degli Studi di Trieste"),
    ("Department of Geography, University of Zagreb", "University of Zagreb"),
    ("Faculty of Science, University of Zagreb", None),  # a faculty may be a legal entity
    ("University of Novi Sad Faculty of Sciences", None),
    ("Leibniz-Institut für Plasmaforschung", None),  # no university before the unit
    ("Tallinn Urban Planning department", None),
])
def test_a_unit_written_with_its_university(name, university):
    assert university_of_unit(name) == university


def test_a_unit_links_to_its_university_never_a_faculty():
    unit = org("a", "University of Stuttgart – Institute for Human Factors", country="DE",
               city="Stuttgart")
    university = org("b", "UNIVERSITY OF STUTTGART", country="DE", city="Stuttgart",
                     pic="999974747")
    assert same_organisation(unit, university).rule == "name"
    # at another site of the university: the university still (rule site)
    assert same_organisation(replace(unit, city="Esslingen"), university).rule == "site"
    faculty = org("c", "University of Novi Sad Faculty of Sciences", country="RS",
                  city="Novi Sad")
    assert same_organisation(faculty, org("d", "University of Novi Sad", country="RS",
                                          city="Novi Sad")) is None


@pytest.mark.parametrize("a, b, same", [
    ("Frederick Recearch Center", "FREDERICK RESEARCH CENTER", True),  # one letter changed
    ("Lahti Univercity of Applied Sciences", "Lahti University of Applied Sciences", True),
    ("Maritime Insitute in Gdansk", "Maritime Institute Gdansk", True),  # one dropped
    ("EODC Earth Observation Data Centre for Water", "EODC EARTH OBSERVATION DATA CENTREFOR "
     "WATER", True),  # words run together
    ("Fundacion Hazi Fundazioa", "Fundacion Azti Fundazioa", False),  # words under 5 letters
    ("Osnovna skola Ivan Goran 1", "Osnovna skola Ivan Goran 2", False),  # a number
    ("Budapest XVI Kerulet Onkormanyzat", "Budapest XV Kerulet Onkormanyzat", False),
    ("Acme Foundation", "Acma Foundation", False),  # a name under 12 letters
    ("Baltic Sea Research Centre", "Baltic See Research Centre Group", False),  # two changes
])
def test_a_one_letter_typo_in_a_long_name(a, b, same):
    ra, rb = org("a", a, country="CY", city="Nicosia"), org("b", b, country="CY",
                                                               city="Lefkosia")
    link = same_organisation(ra, rb)
    assert (link is not None and link.rule == "spelling") is same
    if same:  # never in another town
        assert same_organisation(ra, replace(rb, city="Limassol")) is None


def test_a_unit_name_is_its_record_s_not_the_organisation_s():
    merged = merge([org("a", "University of Malta - Department of Construction", city="Msida"),
                    org("b", "University of Malta - Institute for Climate Change", city="Msida"),
                    org("c", "UNIVERSITA TA MALTA", city="Msida", pic="999999999")], "a")
    assert merged.name == "University of Malta"
    assert [n.text for n in merged.other_names] == ["UNIVERSITA TA MALTA"]


def test_a_typo_link_is_made_by_the_store_too():
    """The keys find the pair, the rule checks it: clustering links what same_organisation
    links."""
    records = [org("r1", "Frederick Research Center", country="CY", city="Nicosia"),
               org("r2", "Frederick Recearch Center", country="CY", city="Lefkosia"),
               org("r3", "Frederick Researcher Centre", country="CY", city="Nicosia")]
    groups, edges = cluster([Member(o.id, o, (n, o.id)) for n, o in enumerate(records)])
    assert groups["r1"] == groups["r2"] == "r1" and groups["r3"] == "r3"
    assert [e.link.rule for e in edges] == ["spelling"]


def test_clusters_do_not_depend_on_input_order_and_never_join_two_pics():
    records = [
        org("r1", "Acme Research Institute", pic="111111111"),
        org("r2", "ACME RESEARCH INSTITUTE"),
        org("r3", "Acme Research Institute AB", pic="222222222"),
        org("r4", "Acme", pic="111111111", city="Lund"),
        org("r5", "Beta Labs", vat="SE5555555555"),
        org("r6", "Gamma", vat="SE 555555-5555"),
    ]
    members = [Member(o.id, o, (n, o.id)) for n, o in enumerate(records)]
    first, edges = cluster(members)
    for seed in range(5):
        shuffled = members[:]
        random.Random(seed).shuffle(shuffled)
        assert cluster(shuffled)[0] == first
    assert first["r1"] == first["r4"] == "r1"  # PIC 111, whatever the town
    assert first["r5"] == first["r6"] == "r5"  # one VAT number
    assert first["r3"] != first["r1"]  # PIC 222 never joins PIC 111
    assert first["r2"] in ("r1", "r3")  # the PIC-less record joins one of them, not both
    assert {e.link.rule for e in edges} == {"pic", "vat", "name"}


def test_merge_keeps_the_first_record_and_every_name():
    merged = merge([org("a", "Uppsala universitet", website="http://project.example",
                        department="Department of Earth Sciences", postcode="751 05"),
                    org("b", "UPPSALA UNIVERSITET", pic="999999999", website="http://uu.se",
                        other_names=(LangText("UU"),)),
                    org("c", "Uppsala University")], "a")
    # the name of the first record; the fields of the record with a PIC, then the others
    assert (merged.id, merged.name, merged.pic, merged.website, merged.postcode) == (
        "a", "Uppsala universitet", "999999999", "http://uu.se", "751 05")
    assert [n.text for n in merged.other_names] == ["UU", "Uppsala University"]
    assert merged.department is None  # one participation's department, not the organisation's


# -- the judged pairs ---------------------------------------------------------------------------


def _by_kind(path: Path) -> dict[str, PairReport]:
    pairs = list(read_pairs(path))
    return {kind: evaluate_pairs(p for p in pairs if p.get("kind") == kind)
            for kind in sorted({p.get("kind") for p in pairs})}


def test_the_rules_reach_the_precision_bar_on_the_judged_pairs():
    """Measured with the rules of MATCH_RULES 3 (docs/organisations.md): precision 1.000
    overall and in every kind; recall 0.890 (105 of 118): CORDIS-CORDIS 14/14, keep.eu-CORDIS
    61/69, keep.eu-keep.eu 30/35 (the address and site rules: 24 of them). With MATCH_RULES 2:
    recall 0.686 (81), keep.eu-CORDIS 51, keep.eu-keep.eu 16. Before the town names,
    spelling, acronym, unit and kind rules: recall 0.475 (56), keep.eu-CORDIS 34, keep.eu-keep.eu
    8."""
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    labels = [p["label"] for p in pairs]
    assert len(pairs) >= 200 and labels.count("same") >= 50 and labels.count("different") >= 50
    report = evaluate_pairs(read_pairs(PAIRS))
    assert report.pairs == len(pairs)
    assert report.precision >= 0.98, report.wrong_links
    assert report.recall >= 0.75, report.missed
    kinds = _by_kind(PAIRS)
    assert set(kinds) == {"cordis-cordis", "cross-source", "keep-keep"}
    for kind, measured in kinds.items():
        assert measured.precision >= 0.98, (kind, measured.wrong_links)
        assert measured.recall >= 0.75, (kind, measured.missed)
    floors = {"cordis-cordis": (14, 14), "cross-source": (61, 69), "keep-keep": (30, 35)}
    for kind, (found, same) in floors.items():
        assert kinds[kind].recall_by_kind[kind][1] == same
        assert kinds[kind].recall_by_kind[kind][0] >= found, (kind, kinds[kind].missed)


def test_the_rules_reach_the_precision_bar_on_the_judged_kohesio_pairs():
    """Kohesio beneficiaries have no town: before the municipality and transliteration rules,
    the rules linked none of these pairs (recall 0, on b704575); MATCH_RULES 2 linked 18 (recall
    0.247). MATCH_RULES 3 links 42, none wrong (recall 0.575): the site rule links a name of
    one body in its country without asking for a town (24 links); kohesio-kohesio 24/29,
    kohesio-keep 18/44."""
    path = DATA / "organisations" / "kohesio_pairs.jsonl"
    report = evaluate_pairs(read_pairs(path))
    assert report.pairs == 198 and report.unsure == 2
    assert report.precision is not None and report.precision >= 0.98, report.wrong_links
    assert report.recall is not None and report.recall >= 0.55, report.missed
    found, same = report.recall_by_kind["kohesio-keep"]
    assert found >= 18 and same == 44
    for kind, measured in _by_kind(path).items():
        assert measured.precision is None or measured.precision >= 0.98, kind


def test_a_store_linked_by_other_rules_is_linked_again_when_opened(combined_built, tmp_path):
    """The store keeps the version of the rules its links were made by (model MATCH_RULES); a
    store of another version is keyed and linked again when opened, and the projects of the
    records whose organisation changed are marked for the index."""
    db = copy_catalog(combined_built, tmp_path)
    con = store_sql(db)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'organisation_rules'"
                           ).fetchone() == (MATCH_RULES,)
        clusters = dict(con.execute("SELECT id, cluster FROM organisations"))
        links = con.execute("SELECT COUNT(*) FROM organisation_links").fetchone()[0]
        seq = con.execute("SELECT MAX(seq) FROM index_log").fetchone()[0]
        with con:  # as the rules before left it: no spelling key, no link made by one
            con.execute("DELETE FROM organisation_keys WHERE key LIKE 'spelling:%'")
            con.execute("DELETE FROM organisation_links WHERE rule = 'spelling'")
            con.execute("UPDATE organisations SET cluster = id WHERE id IN (SELECT "
                        "organisation_id FROM organisation_links) OR cluster != id")
            con.execute("UPDATE meta SET value = '1' WHERE key = 'organisation_rules'")
    finally:
        con.close()
    store = open_test_store(db)
    store.close()
    con = store_sql(db)
    try:
        assert dict(con.execute("SELECT id, cluster FROM organisations")) == clusters
        assert con.execute("SELECT COUNT(*) FROM organisation_links").fetchone()[0] == links
        marked = con.execute("SELECT COUNT(*) FROM index_log WHERE seq = ?",
                             (seq + 1,)).fetchone()[0]
        assert marked > 0
        assert con.execute("SELECT value FROM meta WHERE key = 'organisation_rules'"
                           ).fetchone() == (MATCH_RULES,)
    finally:
        con.close()


# -- the store, on the real files ---------------------------------------------------------------


def _cross_source(c: Catalog) -> list[list]:
    return [m for m in c.organisation_merges() if len({s for r in m for s in r.sources}) > 1]


def test_no_record_is_written_by_two_sources(combined_catalog):
    con = store_sql(combined_catalog.settings.db)
    try:
        shared = con.execute(
            "SELECT p.organisation_id FROM participations p JOIN projects j "
            "ON j.id = p.project_id GROUP BY p.organisation_id "
            "HAVING COUNT(DISTINCT j.source) > 1").fetchall()
    finally:
        con.close()
    assert shared == []


def test_an_organisation_with_interreg_and_research_projects(combined_catalog):
    merges = _cross_source(combined_catalog)
    assert len(merges) >= 50
    slu = next(m for m in merges if any(r.organisation.name == "SVERIGES LANTBRUKSUNIVERSITET"
                                        for r in m))
    view = combined_catalog.organisation_view(slu[0].organisation.id)
    assert view.sources == ("cordis", "keep")
    by_source = {s: [i for i in view.involvements if i.project.source == s]
                 for s in view.sources}
    assert by_source["keep"] and by_source["cordis"]
    records = {r.organisation.id for r in view.records}
    assert records == {r.organisation.id for r in slu}
    expected = sum(r.projects for r in slu)
    assert len({i.project.id for i in view.involvements}) <= expected <= len(view.involvements)
    # every record id answers with the one organisation
    for r in slu:
        assert (combined_catalog.store.get_organisation(r.organisation.id).id
                == view.organisation.id)
    names = {fold(n) for n in (view.organisation.name,
                               *(n.text for n in view.organisation.other_names))}
    assert {fold(r.organisation.name) for r in slu} <= names  # case variants count once


def test_an_alias_finds_the_projects_of_the_other_source(combined_catalog):
    # the CORDIS legal name finds the keep.eu projects whose partner lists give the English name
    result = combined_catalog.search(SearchQuery.from_params(
        {"q": '"sveriges lantbruksuniversitet"', "source": "keep", "size": "100"}))
    keep_records = [
        r for m in _cross_source(combined_catalog) for r in m
        if r.organisation.name == "Swedish University of Agricultural Sciences"
    ]
    assert keep_records
    keep_projects = {i.project.id for i in combined_catalog.organisation_view(
        keep_records[0].organisation.id).involvements if i.project.source == "keep"}
    assert keep_projects and keep_projects <= set(result.ids)


def test_a_reimport_links_nothing_new_and_counts_organisations_once(keep_reimport, tmp_path):
    # the real keep.eu file imported again into the combined store: the session's one
    # re-import of it (conftest.keep_reimport); the import history keeps its report
    db = copy_catalog(keep_reimport.db, tmp_path)
    with Catalog(settings_for(db)) as combined_catalog:
        before = keep_reimport.organisations
        (entry, *_) = combined_catalog.imports()
        assert entry.source == "keep"
        assert entry.report["organisations"]["relinked"] == 0 and not entry.changed
        con = store_sql(db)
        try:
            records, clusters = con.execute(
                "SELECT COUNT(*), COUNT(DISTINCT cluster) FROM organisations").fetchone()
        finally:
            con.close()
        assert before == clusters < records
        assert combined_catalog.info()["totals"]["organisations"] == clusters


def test_cli_lists_merges_and_measures_the_pairs(combined_catalog):
    runner = CliRunner()
    env = cli_env(combined_catalog.settings.db)
    listed = runner.invoke(cli, ["organisations", "--cross-source", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    merges = json.loads(listed.output)
    assert merges and all(len({s for r in m for s in r["sources"]}) > 1 for m in merges)
    assert all(r["links"] for m in merges for r in m)  # every record says what linked it
    measured = runner.invoke(cli, ["organisations", "--pairs", str(PAIRS)], env=env)
    assert measured.exit_code == 0, measured.output
    assert "precision" in measured.output and "recall" in measured.output


def test_the_organisation_page_lists_both_sources_and_records_redirect(combined_catalog):
    slu = next(m for m in _cross_source(combined_catalog)
               if any(r.organisation.name == "SVERIGES LANTBRUKSUNIVERSITET" for r in m))
    head, other = slu[0].organisation.id, slu[-1].organisation.id
    with TestClient(create_app(combined_catalog), follow_redirects=False) as client:
        moved = client.get(f"/en/organisations/{other}")
        assert moved.status_code == 301
        assert moved.headers["location"] == f"/en/organisations/{head}"
        page = client.get(f"/en/organisations/{head}")
        assert page.status_code == 200
        assert "Linked source records" in page.text
        assert "KEEP platform" in page.text and "CORDIS" in page.text
        api = client.get(f"/api/v1/organisations/{other}").json()
        assert api["id"] == head and api["sources"] == ["cordis", "keep"]
        assert len(api["records"]) == len(slu)
