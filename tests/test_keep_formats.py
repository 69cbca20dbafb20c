"""The two keep.eu formats no real file exists for here, on hand-made fixtures
(tests/data/keep/README.md): the current xlsx export and the API JSON."""

from __future__ import annotations

from decimal import Decimal

from conftest import DATA
from euprojects.importers import open_reader
from euprojects.importers._keep import keep_project_id
from euprojects.model import Money, Role

KEEP = DATA / "keep"
EXAMPLE = "2021 - 2027 Interreg Example Cross-border Programme"


def _records(name):
    reader = open_reader("keep-eu", KEEP / name)
    return {r.project.acronym + "|" + r.project.programme: r for r in reader}, reader.report


def test_current_export_layout():
    records, report = _records("keep_current_export.xlsx")
    assert report.format == "keep.eu export (current layout)"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (14, 14, 0)
    assert len(records) == 4
    solar = records[f"SolarRoofs|{EXAMPLE}"].project
    assert solar.id == keep_project_id(EXAMPLE, "SolarRoofs")
    assert solar.programme_id == "EXCB-00456"
    assert (solar.start_date.isoformat(), solar.end_date.isoformat()) == (
        "2023-04-01", "2026-03-31")  # real Excel date cells
    assert solar.source_cofinancing_rate == Decimal("80.00")  # "80%" as text
    assert solar.website is None  # the shared programme site
    assert solar.programme_website == "https://example.org/interreg-programme"
    numeric = records[f"2048|{EXAMPLE}"].project
    assert numeric.total_budget == Money(Decimal("1234567.89"))  # "1,234,567.89" as text
    coast = [r for k, r in records.items() if k.startswith("COAST|")]
    assert len(coast) == 2  # the same acronym in two programmes is two projects
    maritime = records["COAST|2014 - 2020 Interreg Example Maritime Programme"]
    assert maritime.project.website == "https://example.org/projects/coast"
    greek = [o for o in maritime.organisations if o.country_label == "EL"]
    assert {o.country for o in greek} == {"GR"}
    assert [p.eu_contribution for p in maritime.participations] == [
        Money(Decimal("425000.00")), Money(Decimal("212500.00")), Money(Decimal("120894.29"))]
    transnational = records["COAST|2014 - 2020 Interreg Example Transnational Programme"]
    assert transnational.project.eu_contribution is None  # "N.a."


def test_current_export_partner_identifiers():
    records, _ = _records("keep_current_export.xlsx")
    solar = records[f"SolarRoofs|{EXAMPLE}"]
    assert [o.pic for o in solar.organisations] == ["999999911", "999999912", None]
    assert [p.role for p in solar.participations] == [Role.LEAD, Role.PARTNER, Role.PARTNER]


def test_api_json_seed_project():
    records, report = _records("keep_api_seed.json")
    assert (report.format, report.rows_read, report.rows_imported) == ("keep.eu API JSON", 1, 1)
    record = records["BSR CBP|2007 - 2013 Baltic Sea Region"]
    p = record.project
    assert p.id == keep_project_id("2007 - 2013 Baltic Sea Region", "BSR CBP")
    assert p.source_url == "https://keep.eu/projects/990001/"
    assert p.total_budget is None  # "n/a"
    assert p.eu_contribution == Money(Decimal("302699.26"))
    assert p.cofinancing_rate == Decimal("76.80")
    assert p.period == "2007-2013"
    assert [(o.name, o.country) for o in record.organisations] == [
        ("Triangle Region", "DK"),
        ("VINNOVA", "SE"),
        ("Latvian Investment and Development Agency (LIAA)", "LV"),
    ]


def test_api_json_result_page():
    records, report = _records("keep_api_projects.json")
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 3, 0)
    heat = records[f"HeatShare|{EXAMPLE}"]
    assert heat.project.programme_id == "EXCB-00123"
    assert [t.lang for t in heat.project.description] == ["en", "de"]
    assert heat.project.other_titles[0].lang == "de"
    assert [o.country for o in heat.organisations] == ["DE", "CZ", "DE"]  # "Czechia"
    assert heat.participations[2].budget == Money(Decimal("123819.00"))
    lakes = records["LAKES|2007 - 2013 Example Transnational Programme"]
    assert (lakes.project.total_budget, lakes.project.eu_contribution) == (None, None)
    assert lakes.project.cofinancing_rate is None
    port = records["PortLink|2014 - 2020 Interreg Example Maritime Programme"]
    assert port.project.source_status == "closed"
    assert port.organisations[1].postcode == "00199"
