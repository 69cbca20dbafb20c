"""Project pages per source family (issue 13): the key facts of CORDIS, EAC and keep.eu
projects under labels in the page's language, formatted, each value once, the source's
internal fields left to the JSON twin; participant facts with the participant; no empty
partner column and no "0 partner participants" heading; a keep.eu project without a keep.eu
id linked to a keep.eu search for it; Kohesio pages and a keep.eu + Kohesio page unchanged in
what they show. On the real catalogs (tests/conftest.py), read only."""

from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient

from conftest import DATA, Built, copy_catalog, settings_for
from euprojects.catalog import Catalog
from euprojects.web import create_app

NNBSP, NBSP = "\u202f", "\xa0"
# A Horizon Europe grant with five policy priorities and a partner whose participation ended
# early; a CORDIS grant terminated early; an EAC project; keep.eu projects of the 2019 export:
# one with fund budgets and partners, one with fund budgets, a strategy and no other partner.
CUE_GO = "cordis:101116257"
TERMINATED = "cordis:101212196"
EAC = "eac:552237-CREA-1-2014-1-NL-CULT-COOP1"
KEEP = "keep:674f2a2af94f"  # C821, INTERREG V-A Slovakia - Czech Republic
KEEP_ALONE = "keep:62fa47e06a90"  # INTERREG VB Baltic Sea, EUSBSR, no partner but the lead
KOHESIO = DATA / "kohesio"
ARCH_3D = "keep:ee826d335073"  # linked to kohesio:Q900000801 (test_kohesio_links.py)


@pytest.fixture(scope="module")
def client(combined_catalog: Catalog) -> TestClient:
    with TestClient(create_app(combined_catalog)) as c:
        yield c


@pytest.fixture(scope="module")
def kohesio_client(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> TestClient:
    """The combined catalog with the Kohesio files of tests/data/kohesio (the real export
    layouts), in a copy of its own."""
    db = copy_catalog(combined_built, tmp_path_factory.mktemp("pages_kohesio"), "kohesio")
    with Catalog(settings_for(db)) as catalog:
        catalog.import_files("kohesio", sorted(KOHESIO.glob("*-pp*-20260924.csv")))
        with TestClient(create_app(catalog)) as c:
            yield c


def _text(fragment: str) -> str:
    """Visible text: tags dropped, entities read, ASCII white space collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _facts(page: str) -> dict[str, str]:
    """The key-facts box: its labels, each with the text of its value."""
    box = page.split('<aside class="facts"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", box, flags=re.S)
    labels = [_text(dt) for dt, _ in pairs]
    assert len(labels) == len(set(labels)), f"a label shown twice: {labels}"
    return {_text(dt): _text(dd) for dt, dd in pairs}


def _partner_table(page: str) -> tuple[list[str], list[list[str]]]:
    """The partner table's column headings and each row's cells (the organisation first)."""
    table = page.split('<section aria-labelledby="partners-h" class="partners">', 1)[1]
    table = table.split("<table", 1)[1].split("</table>", 1)[0]
    head = [_text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, flags=re.S)]
    rows = [[_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)]
    return head, rows


def _get(client: TestClient, lang: str, pid: str) -> str:
    r = client.get(f"/{lang}/projects/{pid}")
    assert r.status_code == 200
    return r.text


# -- CORDIS -------------------------------------------------------------------------------------

CORDIS_LABELS = {
    "en": {"Funding scheme": "HORIZON-ERC HORIZON ERC Grants",
           "Legal basis": "HORIZON.1.1 European Research Council (ERC)",
           "Call topic": "ERC-2023-STG ERC STARTING GRANTS",
           "Grant signed on": "Sep 29, 2023",
           "Grant DOI": "10.3030/101116257",
           "Policy priorities": "Digital agenda Clean air Artificial intelligence Climate action "
                                "Biodiversity"},
    "fr": {"Régime de financement": "HORIZON-ERC HORIZON ERC Grants",
           "Base juridique": "HORIZON.1.1 European Research Council (ERC)",
           "Convention de subvention signée le": "29 sept. 2023",
           "DOI de la subvention": "10.3030/101116257",
           "Priorités politiques": "Digital agenda Clean air Artificial intelligence "
                                   "Climate action Biodiversity",
           "Mots-clés": "Contextual Radio Cue, Radio Mapping, Localization and Target Tracking, "
                        "Autonomous Navigation, Decision-Making"},
    "de": {"Förderform": "HORIZON-ERC HORIZON ERC Grants",
           "Rechtsgrundlage": "HORIZON.1.1 European Research Council (ERC)",
           "Thema der Ausschreibung": "ERC-2023-STG ERC STARTING GRANTS",
           "Finanzhilfevereinbarung unterzeichnet am": "29.09.2023",
           "Politische Prioritäten": "Digital agenda Clean air Artificial intelligence "
                                     "Climate action Biodiversity"},
}
RAW_CORDIS = ("teaser", "rcn", "policy priority", "field of science", "participant 1",
              "participant 2", "signature date", "grant DOI", "legal basis", "funding scheme")


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_a_cordis_page_labels_its_facts_in_the_page_language_each_once(client, lang):
    page = _get(client, lang, CUE_GO)
    facts = _facts(page)
    for label, value in CORDIS_LABELS[lang].items():
        assert facts.get(label) == value, label
    for raw in RAW_CORDIS:  # the source's own labels are gone from the box
        assert not any(label.startswith(raw) for label in facts), raw
    # the record number, the teaser (the description's start) and the fields' paths: JSON only
    values = " ".join(facts.values())
    assert "257281" not in values and "quantum leap" not in values
    assert "/natural sciences/" not in values
    # five priorities, each once, in a list
    box = page.split('<aside class="facts"', 1)[1].split("</dl>", 1)[0]
    assert box.count("<li>Clean air</li>") == 1
    assert '<a href="https://doi.org/10.3030/101116257" rel="external">' in box


def test_the_json_twin_keeps_every_source_field(client):
    data = client.get(f"/api/v1/projects/{CUE_GO}").json()
    labels = [label for label, _ in data["extra"]]
    assert {"teaser", "rcn", "field of science"} <= set(labels)
    assert labels.count("policy priority") == 5
    assert not any(label.startswith("participant ") for label in labels)
    lead, partner = data["participants"]
    assert (lead["sme"], lead["net_eu_contribution"]) == (
        False, {"amount": "1055314.00", "currency": "EUR"})
    assert (partner["sme"], partner["terminated"]) == (False, True)
    assert "terminated" not in lead  # written only when true


@pytest.mark.parametrize(
    ("lang", "head", "row", "lead"),
    [
        ("en", ["Organisation", "Role", "City", "Country", "EU amount", "Net EU contribution",
                "SME", "Participation terminated"],
         ["CONSIGLIO NAZIONALE DELLE RICERCHE", "Partner", "Roma", "Italy", "€0.00", "€0.00",
          "No", "Yes"],
         "Budget €1,055,314.00 EU amount €1,055,314.00 Net EU contribution €1,055,314.00 SME No"),
        ("fr", ["Organisation", "Rôle", "Ville", "Pays", "Montant UE", "Contribution UE nette",
                "PME", "Participation résiliée"],
         ["CONSIGLIO NAZIONALE DELLE RICERCHE", "Partenaire", "Roma", "Italie",
          f"0,00{NBSP}€", f"0,00{NBSP}€", "Non", "Oui"],
         f"Budget 1{NNBSP}055{NNBSP}314,00{NBSP}€ Montant UE 1{NNBSP}055{NNBSP}314,00{NBSP}€ "
         f"Contribution UE nette 1{NNBSP}055{NNBSP}314,00{NBSP}€ PME Non"),
        ("de", ["Organisation", "Rolle", "Ort", "Land", "EU-Betrag", "EU-Nettobeitrag", "KMU",
                "Teilnahme beendet"],
         ["CONSIGLIO NAZIONALE DELLE RICERCHE", "Partner", "Roma", "Italien",
          f"0,00{NBSP}€", f"0,00{NBSP}€", "Nein", "Ja"],
         f"Budget 1.055.314,00{NBSP}€ EU-Betrag 1.055.314,00{NBSP}€ "
         f"EU-Nettobeitrag 1.055.314,00{NBSP}€ KMU Nein"),
    ],
)
def test_participant_facts_stand_with_the_participant(client, lang, head, row, lead):
    page = _get(client, lang, CUE_GO)
    assert _partner_table(page) == (head, [row])
    facts = page.split('<dl class="org-facts">', 1)[1].split("</dl>", 1)[0]
    assert _text(facts) == lead


def test_a_terminated_grant_shows_its_termination_date_formatted(client):
    assert _facts(_get(client, "fr", TERMINATED))["Résilié le"] == "14 juil. 2025"
    assert _facts(_get(client, "en", TERMINATED))["Terminated on"] == "Jul 14, 2025"


# -- EAC ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "facts", "region"),
    [
        ("en", {"Sub-programme": "Culture", "Action": "Cooperation projects",
                "Call year": "2014", "Success story": "No", "Results available": "No"},
         "Region"),
        ("fr", {"Sous-programme": "Culture", "Action": "Cooperation projects",
                "Année de l’appel": "2014", "Exemple de réussite": "Non",
                "Résultats disponibles": "Non"}, "Région"),
        ("de", {"Unterprogramm": "Culture", "Aktion": "Cooperation projects",
                "Jahr der Ausschreibung": "2014", "Erfolgsgeschichte": "Nein",
                "Ergebnisse verfügbar": "Nein"}, "Region"),
    ],
)
def test_an_eac_page_labels_its_facts_and_lists_regions_with_the_partners(
        client, lang, facts, region):
    page = _get(client, lang, EAC)
    shown = _facts(page)
    assert {k: shown.get(k) for k in facts} == facts
    assert not any(k.startswith(("participant ", "project status", "success story"))
                   for k in shown)
    head, rows = _partner_table(page)
    assert region in head and len(head) == 5  # no EU amount column: no partner has one
    by_name = {r[0]: r[head.index(region)] for r in rows}
    assert by_name["ASSOCIAZIONE CULTURALE AREA06"] == "Lazio"
    assert by_name["TEATRAKO TEATRO ELKARTEA"] == ""
    lead = page.split('<dl class="org-facts">', 1)[1].split("</dl>", 1)[0]
    assert _text(lead) == f"{region} Noord-Holland"


# -- keep.eu ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "facts"),
    [
        ("en", {"Thematic objective": "(6) preserving and protecting the environment and "
                                      "promoting resource efficiency by:",
                "Macro-regional strategy": "EUSBSR", "ERDF budget": "€1,928,988.37",
                "ERDF-equivalent budget": "€182,273.03", "ENI budget": "€182,273.04"}),
        ("fr", {"Objectif thématique": "(6) preserving and protecting the environment and "
                                       "promoting resource efficiency by:",
                "Stratégie macrorégionale": "EUSBSR",
                "Budget FEDER": f"1{NNBSP}928{NNBSP}988,37{NBSP}€",
                "Budget IEV": f"182{NNBSP}273,04{NBSP}€"}),
        ("de", {"Thematisches Ziel": "(6) preserving and protecting the environment and "
                                     "promoting resource efficiency by:",
                "Makroregionale Strategie": "EUSBSR", "EFRE-Budget": f"1.928.988,37{NBSP}€",
                "EFRE-äquivalentes Budget": f"182.273,03{NBSP}€"}),
    ],
)
def test_a_keep_page_labels_its_facts_and_formats_its_fund_budgets(client, lang, facts):
    page = _get(client, lang, KEEP_ALONE)
    shown = _facts(page)
    assert {k: shown.get(k) for k in facts} == facts
    assert not {"Thematic Obj", "Inv. Priority", "Specific Obj", "ERDF budget",
                "ERDF eq. budget", "ENI budget", "Strategy"} & (set(shown) - set(facts))
    assert "1928988.37" not in page and "182273.03" not in page


@pytest.mark.parametrize(
    ("lang", "sentence", "heading"),
    [("en", "No other partner.", "0 partner participants"),
     ("fr", "Aucun autre partenaire.", "0 Participant partenaire"),
     ("de", "Keine weiteren Partner.", "0 Projektpartner")],
)
def test_a_project_without_other_partners_says_so_without_a_zero_heading(
        client, lang, sentence, heading):
    page = _get(client, lang, KEEP_ALONE)
    section = _text(page.split('class="partners">', 1)[1].split("</section>", 1)[0])
    assert sentence in section
    assert heading not in _text(page) and 'id="partners-h"' not in page
    assert '<section aria-labelledby="lead-h" class="partners">' in page


def test_no_partner_column_is_empty_on_any_keep_page(client, combined_catalog):
    """keep.eu's 2019 export gives no partner its EU amount: the column is not shown; every
    column shown has a value in some row."""
    shown = 0
    for project in combined_catalog.list_projects():
        if project.source != "keep" or not combined_catalog.project(project.id).partners:
            continue
        head, rows = _partner_table(_get(client, "en", project.id))
        assert "EU amount" not in head, project.id
        for i, name in enumerate(head):
            assert any(row[i] for row in rows), (project.id, name)
        shown += 1
        if shown == 60:
            break
    assert shown == 60


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "Search for this project on KEEP platform"),
     ("fr", "Rechercher ce projet sur KEEP platform"),
     ("de", "Dieses Projekt auf KEEP platform suchen")],
)
def test_a_keep_project_without_an_id_links_to_a_keep_search_for_its_acronym(
        client, lang, text):
    page = _get(client, lang, KEEP)
    assert (f'<a href="https://keep.eu/projects/?search=C821" rel="external" '
            f'class="source-search">{text}</a>') in page


def test_every_keep_project_of_the_2019_export_has_a_way_to_keep_eu(combined_catalog):
    from euprojects.views import keep_search_url, source_links

    keep = [p for p in combined_catalog.list_projects() if p.source == "keep"]
    assert len(keep) == 1852 and all(p.source_url is None for p in keep)
    for project in keep:
        (link,) = source_links(project)
        assert link.search and link.url == keep_search_url(project.acronym)
        assert link.url.startswith("https://keep.eu/projects/?search=")
    assert keep_search_url("Driven by Danube") == \
        "https://keep.eu/projects/?search=Driven%20by%20Danube"
    assert keep_search_url("PROMO YMC(H)A & 2/3") == \
        "https://keep.eu/projects/?search=PROMO%20YMC%28H%29A%20%26%202%2F3"


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "Other projects of these partners"), ("fr", "Autres projets de ces partenaires"),
     ("de", "Weitere Projekte dieser Partner")],
)
def test_the_related_projects_are_named_for_what_they_are(client, lang, heading):
    page = _get(client, lang, KEEP_ALONE)
    assert f'<h2 id="related-h">{heading}</h2>' in page


# -- Kohesio, and a project of keep.eu and Kohesio ------------------------------------------------


def test_a_kohesio_page_shows_its_facts_links_and_beneficiaries(kohesio_client):
    page = _get(kohesio_client, "fr", "kohesio:Q7361509")
    facts = _facts(page)
    assert facts["Autorité de gestion"] == "Northern and Western Regional Assembly"
    assert "Objectif spécifique" in facts and "Localisation" in facts
    assert 'href="https://kohesio.ec.europa.eu/en/projects/Q7361509"' in page
    assert "0 Participant partenaire" not in _text(page)
    assert "Aucun autre partenaire." in _text(page)
    several = _get(kohesio_client, "en", "kohesio:Q900000106")
    head, rows = _partner_table(several)
    assert head == ["Organisation", "Role", "Country"] and rows


def test_the_keep_and_kohesio_page_keeps_both_sources_and_every_fact(kohesio_client):
    page = _get(kohesio_client, "en", ARCH_3D)
    facts = _facts(page)
    assert facts["Sources"] == "KEEP platform, Kohesio"
    # keep.eu's facts under their labels, then the operation's as Kohesio names them
    assert {"Thematic objective", "Investment priority", "Specific objective",
            "Category of intervention", "Programme CCI code"} <= set(facts)
    assert 'href="https://keep.eu/projects/?search=' in page
    assert 'href="https://kohesio.ec.europa.eu/en/projects/Q900000801"' in page
    # the operation's own address leads there
    r = kohesio_client.get("/en/projects/kohesio:Q900000801", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (301, f"/en/projects/{ARCH_3D}")


def test_records_of_other_sources_keep_their_stored_form(combined_catalog):
    """A participation's new facts are written only when set: keep.eu's keep their keys."""
    view = combined_catalog.project(KEEP)
    for participant in view.participants:
        assert set(participant.participation.to_dict()) == {
            "project_id", "organisation_id", "role", "order", "budget", "eu_contribution"}


def test_pages_of_every_family_answer_in_three_languages(client):
    for pid in (CUE_GO, TERMINATED, EAC, KEEP, KEEP_ALONE):
        for lang in ("en", "fr", "de"):
            assert client.get(f"/{lang}/projects/{pid}").status_code == 200


def test_participant_facts_of_an_older_import_stay_out_of_the_key_facts():
    """A store imported before participations carried them holds "participant N ..." facts:
    the page leaves them to the JSON twin until the file is imported again."""
    from euprojects.model import LangText, Project
    from euprojects.views import project_facts

    old = Project(id="cordis:1", source="cordis", title=LangText("T"), extra=(
        ("participant 1 SME", "false"), ("participant 12 net EU contribution", "0.00"),
        ("participant 3 region", "Lazio"), ("keywords", "a, b"), ("keywords", "a, b")))
    assert [(f.label, f.values) for f in project_facts(old)] == [("Keywords", ("a, b",))]
