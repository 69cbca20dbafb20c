"""The Kohesio importer against the hand-made files in the real layouts (tests/data/kohesio:
the README lists each record and what it is for)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, TODAY, assert_facets_exact, cli_env
from euprojects.catalog import SearchQuery
from euprojects.cli import cli
from euprojects.errors import BadFileError
from euprojects.importers import open_reader
from euprojects.model import (
    THEMATIC_OBJECTIVE_FACT,
    Money,
    Project,
    Role,
    framework_of,
    topics_of,
)

KOHESIO = DATA / "kohesio"
P1420 = KOHESIO / "IE-pp14-20-20260924.csv"
P2127 = KOHESIO / "IE-pp21-27-20260924.csv"
PL, BG = KOHESIO / "PL-pp21-27-20260924.csv", KOHESIO / "BG-pp21-27-20260924.csv"
OLD = KOHESIO / "latest_IE-old-layout.csv"
MALFORMED = KOHESIO / "IE-pp14-20-malformed.csv"
GOOD = [P1420, P2127, PL, BG, OLD]


def _read(path: Path):
    reader = open_reader("kohesio", path, today=TODAY)
    return reader, {r.project.source_id: r for r in reader}


@pytest.mark.parametrize(("path", "count"), [(P1420, 8), (P2127, 4), (PL, 3), (BG, 3), (OLD, 3)])
def test_every_layout_imports_every_row(path, count):
    reader, records = _read(path)
    report = reader.report
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (count, count, 0)
    assert len(records) == count
    assert [i for i in report.issues if i.action == "rejected"] == []


def test_a_real_operation_field_by_field():
    _, records = _read(P1420)
    record = records["Q232171"]
    p = record.project
    assert (p.id, p.source, p.source_url) == (
        "kohesio:Q232171", "kohesio", "https://kohesio.ec.europa.eu/en/projects/Q232171")
    assert (p.title.text, p.title.lang) == ("AMN Productions Ltd - Feasibility", "en")
    assert p.description[0].text.startswith("Developing an app for iOS & android")
    assert (p.start_date, p.end_date) == (date(2014, 12, 12), date(2015, 12, 31))
    assert (p.eu_contribution, p.total_budget) == (Money(Decimal("2392.00")),
                                                   Money(Decimal("4784.00")))
    assert p.cofinancing_rate == Decimal("50.00")
    assert (p.funds, p.countries, p.nuts, p.period) == (("ERDF",), ("IE",), ("IE061",),
                                                        "2014-2020")
    assert framework_of(p) == "Cohesion policy"
    assert "business" in topics_of(p)  # thematic objective 3: competitiveness of SMEs
    facts = dict(p.extra)
    assert facts["Category of intervention (code)"] == "001"
    assert facts["Programme CCI code"] == "2014IE16RFOP002"
    assert facts[THEMATIC_OBJECTIVE_FACT] == "TO03 – Enhancing the competitiveness of SMEs"
    assert p.coordinates == ((Decimal("53.3497645"), Decimal("-6.2602732")),)
    assert facts["LAU"] == "North Inner City"
    (part,), (org,) = record.participations, record.organisations
    assert (org.name, org.country) == ("AMN Productions Ltd", "IE")
    assert (part.role, part.eu_contribution) == (Role.LEAD, p.eu_contribution)


def test_what_the_csv_format_allows():
    _, records = _read(P1420)
    # a summary with line breaks, quotes and commas, read whole
    hub = records["Q900000101"].project
    assert "\n" in hub.description[0].text and '"' in hub.description[0].text
    assert records["Q900000101"].organisations[0].name == 'Harbour Quay Hub, "The Dock" CLG'
    # |-joined values: two funds, two NUTS 3 regions
    greenway = records["Q900000102"].project
    assert greenway.funds == ("ERDF", "CF") and greenway.nuts == ("IE041", "IE042")
    assert len(greenway.coordinates) == 2
    # several countries, written as names in this layout
    assert records["Q900000103"].project.countries == ("IE", "GB")
    # no dates; ISO dates
    assert records["Q900000104"].project.start_date is None
    assert records["Q900000104"].project.end_date is None
    assert records["Q900000105"].project.start_date == date(2016, 3, 1)
    # two beneficiaries: the first leads, neither is given the whole EU amount
    two = records["Q900000106"]
    assert [p.role for p in two.participations] == [Role.LEAD, Role.PARTNER]
    assert [o.name for o in two.organisations] == ["Midland Agri-Tech Cluster CLG",
                                                  "Tullamore Food Innovation Ltd"]
    assert all(p.eu_contribution is None for p in two.participations)


def test_the_2021_2027_layout_and_its_extra_columns():
    _, records = _read(P2127)
    warm = records["Q7361509"].project
    assert (warm.start_date, warm.end_date) == (date(2023, 1, 1), date(2029, 12, 31))
    assert warm.eu_contribution == Money(Decimal("33054544.20"))
    assert warm.nuts == ("IE042", "IE041") and warm.period == "2021-2027"
    assert {"energy", "environment"} <= set(topics_of(warm))  # policy objective 2
    jtf = dict(records["Q900000201"].project.extra)
    assert records["Q900000201"].project.funds == ("JTF",)
    assert jtf["Specific objective (code)"].startswith("JSO8")
    assert jtf["InfoRegio"].startswith("http") and jtf["Image"].startswith("http")
    assert records["Q900000203"].project.countries == ("IE", "GB")  # CountryCode IE|GB
    _, bg = _read(BG)
    petrich = bg["Q900000601"]
    assert petrich.organisations[0].name == "Община Петрич"
    assert petrich.project.countries == ("BG",) and petrich.project.funds == ("CF",)


def test_the_older_layout_names_its_beneficiaries_from_the_export_beside_it(tmp_path):
    reader, records = _read(OLD)
    assert records["Q232171"].organisations[0].name == "AMN Productions Ltd"
    assert records["Q7361509"].organisations[0].website == "https://www.seai.ie"
    assert records["Q7361509"].project.period == "2021-2027"  # per row, in one file
    assert dict(records["Q232171"].project.extra)["Region"] == "Dublin Region"
    # without the beneficiaries export beside it, a beneficiary known by its id alone is
    # reported and left out; the operation imports
    alone = tmp_path / OLD.name
    shutil.copyfile(OLD, alone)
    reader, records = _read(alone)
    assert reader.report.rows_imported == 3
    assert records["Q232171"].participations == ()
    left_out = [i for i in reader.report.issues if i.field == "Beneficiary_Unique_Identifier"]
    assert len(left_out) == 3 and "Q2531369 has no name" in left_out[0].reason


def test_each_malformed_row_gets_its_line():
    reader, records = _read(MALFORMED)
    report = reader.report
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (8, 4, 4)
    assert set(records) == {"Q232171", "Q900000303", "Q900000304", "Q900000305"}
    lines = sorted((i.row, i.field, i.action, i.reason) for i in report.issues)
    assert lines == [
        (3, None, "rejected", "39 fields where the header has 40"),
        (4, "Operation_Start_Date", "repaired", "not a date: '31/02/2019'; left empty"),
        (5, "Project_EU_Budget", "repaired", "not an amount: '12 000 EUR'; left empty"),
        (6, "Fund_Code", "flagged", "unknown fund code 'XYZ'; kept as given"),
        (7, "Operation_Unique_Identifier", "rejected", "no operation id"),
        (8, "Operation_Name_English", "rejected",
         "no operation name in English or the programme's language"),
        (9, "Operation_Unique_Identifier", "rejected", "operation Q232171 again; left out"),
    ]
    assert records["Q900000304"].project.eu_contribution is None
    assert records["Q900000305"].project.funds == ("XYZ",)


@pytest.mark.parametrize(("name", "reason"), [
    ("not-kohesio.csv", "not a Kohesio projects export: no column 'Operation_Unique_Identifier'"),
    ("beneficiaries-20260924.csv", "the Kohesio beneficiaries export: it is read beside"),
    ("nuts-20260924.csv", "the Kohesio nuts export: it is read beside"),
])
def test_a_file_of_another_kind_is_refused_whole(name, reason):
    with pytest.raises(BadFileError, match=reason):
        open_reader("kohesio", KOHESIO / name)


def test_a_missing_required_column_and_a_workbook_are_refused(tmp_path):
    text = P1420.read_bytes().replace(b"Fund_Code,", b"Fund,", 1)
    (tmp_path / "no-fund.csv").write_bytes(text)
    with pytest.raises(BadFileError, match="without the column.*'Fund_Code'"):
        open_reader("kohesio", tmp_path / "no-fund.csv")
    with pytest.raises(BadFileError, match="not a Kohesio CSV export: a xlsx file"):
        open_reader("kohesio", DATA / "keep" / "keep_current_export.xlsx")


def test_an_unknown_column_is_kept_and_reported_once(tmp_path):
    lines = P2127.read_bytes().decode("utf-8").split("\r\n")  # no line break in a field
    lines[0] += ",Keep_Project_ID"
    lines = [lines[0]] + [line + ",kp-42" if line else line for line in lines[1:]]
    path = tmp_path / "IE-pp21-27-extra.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    reader, records = _read(path)
    flagged = [i for i in reader.report.issues if i.field == "Keep_Project_ID"]
    assert [(i.row, i.action) for i in flagged] == [(1, "flagged")]
    assert all(dict(r.project.extra)["Keep_Project_ID"] == "kp-42" for r in records.values())


def test_a_bad_file_in_a_run_writes_nothing(catalog):
    with pytest.raises(BadFileError):
        catalog.import_files("kohesio", [P1420, KOHESIO / "not-kohesio.csv"])
    assert catalog.info()["sources"] == {}


def test_import_info_and_reimport_through_the_cli(tmp_path):
    env = cli_env(tmp_path / "k.db")
    runner = CliRunner()
    first = runner.invoke(cli, ["import", "kohesio", *map(str, GOOD), "--json"], env=env)
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    # the old layout repeats the three real operations of the other files: updated, not doubled
    assert (report["rows_read"], report["rows_imported"], report["rows_rejected"]) == (21, 21, 0)
    info = json.loads(runner.invoke(cli, ["info", "--json"], env=env).output)["sources"]
    assert info["kohesio"]["projects"] == 18
    assert info["kohesio"]["participations"] == 19
    # the current exports again: nothing changes (the older snapshot's three operations, read
    # last above, take the current exports' values back once)
    current = [str(p) for p in GOOD if p != OLD]
    runner.invoke(cli, ["import", "kohesio", *current], env=env)
    again = json.loads(runner.invoke(cli, ["import", "kohesio", *current, "--json"],
                                     env=env).output)
    assert again["rows_imported"] == 18 and not any(
        again[kind][change] for kind in ("projects", "participations", "organisations")
        for change in ("created", "updated"))
    shown = runner.invoke(cli, ["search", "--fund", "JTF", "--json"], env=env)
    assert [r["id"] for r in json.loads(shown.output)["results"]] == ["kohesio:Q900000201"]


def test_one_search_over_four_sources_counts_every_facet_exactly(combined_copy):
    combined_copy.import_files("kohesio", GOOD)
    result = combined_copy.search(SearchQuery.from_params({"size": "1"}))
    sources = {v.value: v.count for v in result.facets["source"]}
    assert sources == {"keep": 1852, "cordis": 1894, "eac": 19, "kohesio": 18}
    for params in ({}, {"q": "energy"}, {"country": "IE"}, {"fund": "ERDF"}):
        assert_facets_exact(combined_copy, params, ("source", "framework", "fund", "nuts1",
                                                    "nuts2", "nuts3", "category"))
    kohesio = combined_copy.search(SearchQuery.from_params({"source": "kohesio", "size": "1"}))
    assert {v.value: v.count for v in kohesio.facets["framework"]} == {"Cohesion policy": 18}
    assert {v.value: v.count for v in kohesio.facets["nuts1"]}["IE0"] == 12


def test_a_kohesio_page_names_its_facts_in_the_page_language(catalog):
    from starlette.testclient import TestClient

    from euprojects.web import create_app

    catalog.import_files("kohesio", [P2127])
    with TestClient(create_app(catalog)) as client:
        fr = client.get("/fr/projects/kohesio:Q7361509").text
        de = client.get("/de/projects/kohesio:Q7361509").text
        en = client.get("/en/projects/kohesio:Q7361509").text
        offaly = client.get("/en/projects/kohesio:Q900000201").text
    # a fact that is an address is a link
    assert ('<a href="https://ec.europa.eu/regional_policy/en/projects/Ireland/peatlands-'
            'community-energy-retrofit-offaly" rel="external">' in offaly)
    assert "Autorité de gestion" in fr and "Managing authority" not in fr
    assert "Verwaltungsbehörde" in de and "Spezifisches Ziel" in de
    assert "Managing authority" in en and "Northern and Western Regional Assembly" in en
    assert 'href="https://kohesio.ec.europa.eu/en/projects/Q7361509"' in fr
    # the place: each point in the page's numbers and hemisphere letters, linked to a map
    assert ">53,9635\u00b0 N 7,3574\u00b0 O</a>" in fr and "Localisation" in fr
    assert ">53.9635\u00b0 N 7.3574\u00b0 W</a>" in en
    assert ">53,9635\u00b0 N 7,3574\u00b0 W</a>" in de and "Standort" in de
    assert ('href="https://www.openstreetmap.org/?mlat=53.963472222222&amp;mlon=-7.3574444444444'
            in en)


def test_a_damaged_export_beside_refuses_the_file(tmp_path):
    shutil.copyfile(P1420, tmp_path / P1420.name)
    good = (KOHESIO / "beneficiaries-20260924.csv").read_bytes()
    (tmp_path / "beneficiaries-20260924.csv").write_bytes(good + b"Q1,\xff\xfe broken,,\r\n")
    with pytest.raises(BadFileError, match="the export beside it, beneficiaries-20260924.csv, cannot be read"):
        open_reader("kohesio", tmp_path / P1420.name)


def test_the_place_given_by_two_columns_is_read_once_and_checked(tmp_path):
    """The 2014-2020 export has both Coordinates and Location_Indicator_latitude_longitude:
    one place, structured (no raw fact); a pair that is no place is reported and left out."""
    _, records = _read(P1420)
    project = records["Q232171"].project
    assert "Coordinates" not in dict(project.extra) and len(project.coordinates) == 1
    assert Project.from_dict(project.to_dict()) == project
    text = P1420.read_text(encoding="utf-8").replace("53.3497645,-6.2602732", "95.1,-6.26|53.3,x")
    bad = tmp_path / P1420.name
    bad.write_text(text, encoding="utf-8")
    reader, records = _read(bad)
    assert records["Q232171"].project.coordinates == ()
    reasons = [i.reason for i in reader.report.issues if i.field ==
               "Location_Indicator_latitude_longitude"]
    assert reasons == ["not a latitude,longitude pair: '95.1,-6.26'; left out",
                       "not a latitude,longitude pair: '53.3,x'; left out"]


def test_the_exports_beside_are_read_once_for_every_file_of_their_folder(tmp_path):
    """An import of a snapshot's 54 country files opens 54 readers at once: they share one
    reading of the beneficiaries and NUTS exports, closed when the last is done."""
    from euprojects.importers.kohesio import _Lookups

    for name in (P1420.name, P2127.name, "beneficiaries-20260924.csv", "nuts-20260924.csv"):
        shutil.copyfile(KOHESIO / name, tmp_path / name)
    first = open_reader("kohesio", tmp_path / P1420.name, today=TODAY)
    second = open_reader("kohesio", tmp_path / P2127.name, today=TODAY)
    assert first._shared is second._shared and first._shared.users == 2
    assert len(list(first)) == 8 and first._shared.users == 1
    records = {r.project.source_id: r for r in second}
    assert records["Q7361509"].organisations[0].website == "https://www.seai.ie"
    def held() -> list:
        return [k for k in _Lookups._open if k[0] == tmp_path.resolve()]

    assert held() == []  # closed with its last reader
    # a beneficiaries export changed meanwhile is read again
    third = open_reader("kohesio", tmp_path / P1420.name, today=TODAY)
    path = tmp_path / "beneficiaries-20260924.csv"
    path.write_text(path.read_text(encoding="utf-8") + "https://linkedopendata.eu/entity/Q1,X,,\r\n",
                    encoding="utf-8")
    fourth = open_reader("kohesio", tmp_path / P2127.name, today=TODAY)
    assert fourth._shared is not third._shared
    list(third), list(fourth)
    assert held() == []
