"""The CLI on the seed fixture and the real file: import, info, show, list."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import DATA, cli_env, copy_catalog
from euprojects.cli import cli
from euprojects.importers._keep import keep_project_id

SEED = DATA / "keep" / "keep_api_seed.json"
SEED_ID = keep_project_id("2007 - 2013 Baltic Sea Region", "BSR CBP")
NNBSP, NBSP = "\u202f", "\xa0"
TITLE = (
    "Capacity Building Programme on Trans-National Cluster and Innovation Systems in the "
    "Baltic Sea Region (BSR CBP)"
)


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    env = cli_env(tmp_path / "cli.db")

    def invoke(*args):
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    return invoke


SEED_LINES = {
    "fr": [
        TITLE,
        "Date du début : 31 déc. 2008, Date de fin : 23 janv. 2010  PROJET TERMINÉ",
        "Description (en anglais)",
        "Réalisations (en anglais)",
        f"Taux de cofinancement : 76,8{NBSP}%",
        f"Montant UE : 302{NNBSP}699,26{NBSP}€",
        "Programme : 2007 - 2013 Baltic Sea Region (2007-2013)",
        "Projet sur KEEP platform : https://keep.eu/projects/990001/",
        "Projet Website : https://example.org/bsr-cbp",
        "Partenaire chef de file : Triangle Region (Vejle, Danemark)",
        "2 Participants partenaires",
        "  - VINNOVA (Stockholm, Suède)",
        "  - Latvian Investment and Development Agency (LIAA) (Riga, Lettonie)",
    ],
    "en": [
        TITLE,
        "Start date: Dec 31, 2008, End date: Jan 23, 2010  PROJECT CLOSED",
        "Description",
        "Achievements",
        "Co-financing rate: 76.8%",
        "EU amount: €302,699.26",
        "Programme: 2007 - 2013 Baltic Sea Region (2007-2013)",
        "Project on KEEP platform: https://keep.eu/projects/990001/",
        "Project website: https://example.org/bsr-cbp",
        "Lead partner: Triangle Region (Vejle, Denmark)",
        "2 partner participants",
        "  - VINNOVA (Stockholm, Sweden)",
        "  - Latvian Investment and Development Agency (LIAA) (Riga, Latvia)",
    ],
    "de": [
        TITLE,
        "Beginn: 31.12.2008, Ende: 23.01.2010  PROJEKT ABGESCHLOSSEN",
        "Beschreibung (auf Englisch)",
        "Erreichte Ergebnisse (auf Englisch)",
        f"Kofinanzierungssatz: 76,8{NBSP}%",
        f"EU-Betrag: 302.699,26{NBSP}€",
        "Programm: 2007 - 2013 Baltic Sea Region (2007-2013)",
        "Projekt auf KEEP platform: https://keep.eu/projects/990001/",
        "Projekt-Website: https://example.org/bsr-cbp",
        "Lead-Partner: Triangle Region (Vejle, Dänemark)",
        "2 Projektpartner",
        "  - VINNOVA (Stockholm, Schweden)",
        "  - Latvian Investment and Development Agency (LIAA) (Riga, Lettland)",
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_show_prints_every_seed_field(run, lang):
    run("import", "keep-eu", str(SEED))
    out = run("show", SEED_ID, "--lang", lang).splitlines()
    present = [line for line in out if line in SEED_LINES[lang]]
    assert present == SEED_LINES[lang]  # every field, in this order
    description = out.index(SEED_LINES[lang][2])
    assert out[description + 1].startswith("BSR CBP grew out of the BSR InnoNet network")
    achievements = out.index(SEED_LINES[lang][3])
    assert "45 policy makers" in " ".join(out[achievements + 1 : achievements + 6])


def test_show_language_comes_from_the_global_option_too(run):
    run("import", "keep-eu", str(SEED))
    assert "PROJET TERMINÉ" in run("--lang", "fr", "show", SEED_ID)


def test_show_json(run):
    run("import", "keep-eu", str(SEED))
    data = json.loads(run("show", SEED_ID, "--json"))
    assert {k: data[k] for k in ("id", "acronym", "status", "cofinancing_rate", "partner_count",
                                 "start_date", "end_date", "website", "source_url")} == {
        "id": SEED_ID,
        "acronym": "BSR CBP",
        "status": "closed",
        "cofinancing_rate": "76.80",
        "partner_count": 2,
        "start_date": "2008-12-31",
        "end_date": "2010-01-23",
        "website": "https://example.org/bsr-cbp",
        "source_url": "https://keep.eu/projects/990001/",
    }
    assert data["eu_contribution"] == {"amount": "302699.26", "currency": "EUR"}
    assert [(p["role"], p["organisation"]["name"]) for p in data["participants"]] == [
        ("lead", "Triangle Region"),
        ("partner", "VINNOVA"),
        ("partner", "Latvian Investment and Development Agency (LIAA)"),
    ]


def test_import_and_info_on_the_real_file(run, tmp_path, keep_import, keep_reimport):
    # `import keep-eu FILE --json` into an empty store: the session's one import of the real
    # file (conftest.keep_import)
    report = keep_import.reports["keep"]
    assert report["rows_read"] == report["rows_imported"] + report["rows_rejected"] == 10512
    assert report["projects"] == {"created": 1852, "updated": 0, "unchanged": 0}
    # `import keep-eu FILE` once more into a store that holds it (and CORDIS and EAC after
    # it): the session's one re-import of it (conftest.keep_reimport), which changes nothing;
    # `info` runs on a copy of the store it left
    copy_catalog(keep_reimport.db, tmp_path, "cli")
    info = json.loads(run("info", "--json"))
    assert info["sources"]["keep"]["projects"] == 1852
    assert info["sources"]["keep"]["participations"] == 8621
    again = keep_reimport.output
    assert "projects: 0 created, 0 updated, 1852 unchanged" in again
    assert "Nothing changed" in again
    text = run("info")
    assert "keep: 1852 projects, 8621 participations" in text


def test_list_filters(run, tmp_path, keep_import):
    copy_catalog(keep_import, tmp_path, "cli")  # the real file imported: `run`'s store
    lines = run("list", "--programme", "Sweden - Norway", "--limit", "100").splitlines()
    assert len(lines) == 41
    assert all(line.startswith("keep:") for line in lines)
    rows = [json.loads(x) for x in run("list", "--country", "lv", "--json", "--limit", "500")
            .splitlines()]
    assert rows and all("LV" in r["countries"] for r in rows)
    dated = run("list", "--started-from", "2019-01-01", "--json", "--limit", "500").splitlines()
    assert dated and all(json.loads(x)["start_date"] >= "2019-01-01" for x in dated)


def test_unknown_project_is_one_line_and_exit_1(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "euprojects", "--db", str(tmp_path / "x.db"), "show", "keep:nope"],
        capture_output=True, text=True, check=False,
    )
    assert (proc.returncode, proc.stderr) == (1, "Error: no project 'keep:nope'\n")


def test_bad_setting_names_the_key(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "euprojects", "info"],
        capture_output=True, text=True, check=False,
        env={"PATH": "", "EUPROJECTS_TODAY": "yesterday", "EUPROJECTS_DB": str(tmp_path / "d.db")},
    )
    assert (proc.returncode, proc.stderr) == (
        1, "Error: setting 'EUPROJECTS_TODAY': 'yesterday' is not a date (YYYY-MM-DD)\n")


def test_stats_prints_the_statistics_of_a_search_and_their_json(run, tmp_path, keep_import):
    copy_catalog(keep_import, tmp_path, "cli")  # the real keep.eu file: `run`'s store
    data = json.loads(run("stats", "--country", "LV", "--json"))
    assert data["query"] == {"country": ["LV"]}
    rows = [json.loads(x) for x in run("list", "--country", "LV", "--json", "--limit", "500")
            .splitlines()]
    assert data["totals"]["projects"] == len(rows) > 0
    latvia = next(r for r in data["tables"]["country"] if r["key"] == "LV")
    assert latvia["projects"] == len(rows)
    text = run("stats", "--country", "LV", "--table", "country", "--rows", "3")
    assert f"projects: {len(rows):,}" in text.splitlines()
    lines = text.splitlines()
    head = lines.index(next(x for x in lines if x.startswith("country (")))
    assert lines[head + 1].split()[:3] == ["key", "projects", "projects_share"]
    assert lines[head + 2].startswith("Latvia ")  # every project has a Latvian partner
    assert len(lines) == head + 2 + 3  # --rows 3
