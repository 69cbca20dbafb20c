"""EAC project results: the real Creative Europe .xls export, an .xlsx copy of it with damaged
rows, and files that are not such an export."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from conftest import TODAY, _need, cli_env, shared_data_dir
from euprojects.cli import cli
from euprojects.errors import BadFileError
from euprojects.importers import open_reader
from euprojects.importers._cells import Row
from euprojects.importers._report import FileReport
from euprojects.importers.eac import excel_day, period_of_call, split_address
from euprojects.model import LangText, Money, Organisation, Participation, Project, Role, Status
from euprojects.search import SearchQuery

SHEET = "Creative Europe"
FIRST = "eac:552237-CREA-1-2014-1-NL-CULT-COOP1"  # row 2: 6 organisations, a UK partner


@pytest.fixture(scope="session")
def eac_xls():
    return _need(shared_data_dir() / "eac" / "creative_europe_project_results_sample.xls")


@pytest.fixture(scope="session")
def sheet(eac_xls):
    """The real sheet as calamine reads it: the header, then one list per project row."""
    return CalamineWorkbook.from_path(str(eac_xls)).get_sheet_by_name(SHEET).to_python()


def _records(path):
    reader = open_reader("eac", path)
    return reader, list(reader)


def _env(tmp_path):
    return cli_env(tmp_path / "store.db")


def _write_xlsx(path, rows, sheet_name=SHEET):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet_name
    for cells in rows:
        ws.append([None if v == "" else v for v in cells])
    book.save(path)
    return path


def _partner_groups(header, cells):
    """How many of the coordinator + Partner 1..38 groups hold anything, counted from the
    headers themselves."""
    names = [i for i, h in enumerate(header) if h == "Coordinator's name"
             or (h.startswith("Partner ") and h.endswith(" name"))]
    return sum(any(cells[i + k] != "" for k in range(6)) for i in names)


def test_the_real_file_imports_every_project_and_participant(tmp_path, eac_xls, sheet):
    runner = CliRunner()
    env = _env(tmp_path)
    result = runner.invoke(cli, ["import", "eac", str(eac_xls), "--json"], env=env)
    assert result.exit_code == 0, result.output
    (file,) = json.loads(result.output)["files"]
    assert (file["rows_read"], file["rows_imported"], file["rows_rejected"]) == (19, 19, 0)
    assert file["issues"] == []
    assert file["format"] == "EAC project results export (xls)"
    info = json.loads(runner.invoke(cli, ["info", "--json"], env=env).output)
    header = sheet[0]
    groups = sum(_partner_groups(header, cells) for cells in sheet[1:])
    assert groups == 142
    assert info["sources"]["eac"]["projects"] == 19
    assert info["sources"]["eac"]["participations"] == groups


def test_one_project_field_by_field(eac_xls, sheet):
    _, records = _records(eac_xls)
    (record,) = [r for r in records if r.project.id == FIRST]
    summary = sheet[1][9]
    assert summary.startswith("One of the biggest current challenges of Europe")
    card = sheet[1][15]
    assert card.startswith("http://ec.europa.eu/programmes/creative-europe/projects/")
    assert record.project == Project(
        id=FIRST,
        source="eac",
        source_id="552237-CREA-1-2014-1-NL-CULT-COOP1",
        source_url=card,
        title=LangText("International Young Makers in Action", None),
        description=(LangText(summary, "en"),),
        start_date=date(2014, 10, 9),  # the serial number 41921 in the file
        end_date=date(2016, 10, 8),
        source_status="closed",
        programme="Creative Europe",
        period="2014-2020",
        eu_contribution=Money(Decimal("200000.00")),
        countries=("BA", "ES", "GB", "IT", "NL", "PL"),
        extra=(
            ("sub-programme", "Culture"),
            ("action", "Cooperation projects"),
            ("call year", "2014"),
            ("project status", "finalized"),
            ("success story", "No"),
            ("results available", "No"),
        ),
    )
    lead, *partners = record.organisations
    assert lead == Organisation(
        id=lead.id,
        name="STICHTING ITS FESTIVAL",
        country="NL",
        country_label="NL",
        city="AMSTERDAM",
        postcode="1031 CL",
        street="TOLHUISWEG 2",
        organisation_type="Festival (non Audiovisual)",
    )
    assert partners[-1] == Organisation(
        id=partners[-1].id,
        name="BE FESTIVAL CIC",
        country="GB",
        country_label="UK",
        city="BIRMINGHAM",
        postcode="B1 2EP",
        street="BROAD STREET CENTENARY SQUARE",
        organisation_type="Festival (non Audiovisual)",
        website="http://www.bestival.org",
    )
    assert record.participations[0] == Participation(FIRST, lead.id, Role.LEAD, 1,
                                                     region="Noord-Holland")
    assert [(p.role, p.order) for p in record.participations] == [
        (Role.LEAD, 1), *((Role.PARTNER, n) for n in range(2, 7))
    ]
    # each participant's region stays with its participation (the second gives none)
    assert [p.region for p in record.participations] == [
        "Noord-Holland", None, "Lazio", "Bosnia And Herzegovina", "Mazowieckie", "West Midlands"]


def test_across_the_file(eac_xls, sheet):
    _, records = _records(eac_xls)
    header, rows = sheet[0], sheet[1:]
    assert [r.project.source_id for r in records] == [cells[7] for cells in rows]
    for record, cells in zip(records, rows, strict=True):
        # the coordinator leads, every non-empty partner group is one partner
        roles = [p.role for p in record.participations]
        assert roles[0] == Role.LEAD and set(roles[1:]) <= {Role.PARTNER}
        assert len(roles) == _partner_groups(header, cells)
        assert record.project.status(TODAY) == Status.CLOSED  # every end date is past
    amounts = [r.project.eu_contribution.amount for r in records]
    assert amounts[1] == Decimal("199440.70") and amounts[6] == Decimal("111695.16")
    assert amounts == [Decimal(str(cells[11])).quantize(Decimal("0.01")) for cells in rows]
    assert sum(amounts) == Decimal("12047366.94")
    statuses = [r.project.source_status for r in records]
    assert (statuses.count("closed"), statuses.count("ongoing")) == (11, 8)
    orgs = [o for r in records for o in r.organisations]
    assert ("UK", "GB") in {(o.country_label, o.country) for o in orgs}
    assert ("EL", "GR") in {(o.country_label, o.country) for o in orgs}
    assert not {"UK", "EL"} & {c for r in records for c in r.project.countries}
    assert sum(o.city is None for o in orgs) == 6  # addresses kept whole (see split_address)
    assert {r.project.website for r in records} == {
        None, "http://mastersandservers.org", "http://yamspace.org/",
        "http://www.nasamalaknjiznica.si"
    }
    themes = {t for r in records for t in r.project.themes}
    assert "Tangible culture - historical sites and buildings" in themes
    assert "Theatre" in themes and "Street art" in themes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("TOLHUISWEG 2, 1031 CL, AMSTERDAM", ("TOLHUISWEG 2", "1031 CL", "AMSTERDAM")),
        ("VIA CRETA, 78, 25124, BRESCIA", ("VIA CRETA, 78", "25124", "BRESCIA")),
        ("KR. VALDEMARA 5, LV-1010, RIGA", ("KR. VALDEMARA 5", "LV-1010", "RIGA")),
        ("VUKA KARADZICA   18, 11 000 , BELGRADE   ", ("VUKA KARADZICA 18", "11 000", "BELGRADE")),
        ("10 SPYROU DONTA, 11743, ATHINA -", ("10 SPYROU DONTA", "11743", "ATHINA")),
        ("BEECHAMS BUILDING, WATER STREET, WA11 1PP, ST. HELENS",
         ("BEECHAMS BUILDING, WATER STREET", "WA11 1PP", "ST. HELENS")),
        # cannot tell: the whole text is the street, no postcode or city is guessed
        ("HYNES BUILDING, ST CLARKS WALK, MERCHANTS ROAD, GALWAY",
         ("HYNES BUILDING, ST CLARKS WALK, MERCHANTS ROAD, GALWAY", None, None)),
        ("THE REGISTRY CANTERBURY, CT2 7NZ, CANTERBURY, KENT",
         ("THE REGISTRY CANTERBURY, CT2 7NZ, CANTERBURY, KENT", None, None)),
        ("2 CURVED STREET TEMPLE BAR, 2, DUBLIN", ("2 CURVED STREET TEMPLE BAR, 2, DUBLIN", None, None)),
        ("SCHÖNFELDSTR. 5, MUNCHEN", ("SCHÖNFELDSTR. 5, MUNCHEN", None, None)),
        (None, (None, None, None)),
    ],
)
def test_addresses_are_split_only_when_it_is_clear(raw, expected):
    assert split_address(raw) == expected


def test_dates_periods_and_serials():
    row = Row(FileReport("f.xlsx", "EAC"), SHEET, 2)
    assert excel_day(41921, row, "Start date") == date(2014, 10, 9)
    assert excel_day(41921.0, row, "Start date") == date(2014, 10, 9)
    assert excel_day("41921", row, "Start date") == date(2014, 10, 9)
    assert excel_day("2014-10-09", row, "Start date") == date(2014, 10, 9)
    assert excel_day(date(2014, 10, 9), row, "Start date") == date(2014, 10, 9)
    assert row.report.issues == []
    assert excel_day("31/02/2015", row, "Start date") is None
    assert excel_day(-3, row, "End date") is None
    assert [(i.field, i.reason) for i in row.report.issues] == [
        ("Start date", "not a date: '31/02/2015'; left empty"),
        ("End date", "not a date serial number: -3; left empty"),
    ]
    assert [period_of_call(y) for y in (2013, 2014, 2020, 2021, 2027, 2028, None)] == [
        "2007-2013", "2014-2020", "2014-2020", "2021-2027", "2021-2027", None, None
    ]


def test_bad_rows_of_an_xlsx_copy_are_reported_and_the_others_import(tmp_path, sheet):
    header, *rows = [list(r) for r in sheet]
    rows[0][5] = 41921  # a bare serial number, as another export may write it
    rows[1][5] = "31/02/2015"  # no such day
    rows[2][11] = "about two million"
    rows[3][7] = ""  # no project number
    rows[4][8] = "   "  # no title
    rows[5][7] = rows[6][7]  # the same project twice
    path = _write_xlsx(tmp_path / "damaged.xlsx", [header, *rows])
    reader, records = _records(path)
    report = reader.report
    assert report.format == "EAC project results export (xlsx)"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (19, 16, 3)
    assert [str(i) for i in report.issues] == [
        "repaired: damaged.xlsx, sheet 'Creative Europe', row 3, field 'Start date': "
        "not a date: '31/02/2015'; left empty",
        "repaired: damaged.xlsx, sheet 'Creative Europe', row 4, field 'EU Grant award in euros': "
        "not an amount: 'about two million'; left empty",
        "rejected: damaged.xlsx, sheet 'Creative Europe', row 5, field 'Project Number': "
        "no project number",
        "rejected: damaged.xlsx, sheet 'Creative Europe', row 6, field 'Project Title': "
        "no project title",
        "rejected: damaged.xlsx, sheet 'Creative Europe', row 8, field 'Project Number': "
        "project 552236-CREA-1-2014-1-IT-CULT-COOP1 again; left out",
    ]
    by_id = {r.project.id: r.project for r in records}
    assert by_id[FIRST].start_date == date(2014, 10, 9)
    assert by_id["eac:552179-CREA-1-2014-1-IT-CULT-COOP1"].start_date is None
    assert by_id["eac:552036-CREA-1-2014-1-IT-CULT-COOP2"].eu_contribution is None
    # the undamaged rows read the same from the xlsx copy as from the xls
    assert by_id["eac:552170-CREA-1-2014-1-ES-CULT-COOP1"].end_date == date(2016, 12, 31)


def test_files_that_are_not_an_eac_export_are_refused_whole(tmp_path, eac_xls, sheet):
    csv = tmp_path / "projects.xls"
    csv.write_text("Project Number,Project Title\n1,x\n", encoding="utf-8")
    truncated = tmp_path / "truncated.xls"
    truncated.write_bytes(eac_xls.read_bytes()[:60000])
    header = [h for h in sheet[0] if not h.startswith("EU Grant")]
    no_grant = _write_xlsx(tmp_path / "no_grant.xlsx", [header, ["x"] * len(header)])
    keep = _write_xlsx(tmp_path / "keep.xlsx", [["Programme", "Acronym", "Project Name"]],
                       "Projects (lead partners)")
    cases = {
        csv: "neither an .xls nor an .xlsx workbook",
        truncated: "damaged or truncated workbook",
        no_grant: "sheet 'Creative Europe' lacks the column(s) 'EU Grant award in euros (...)'",
        keep: "no sheet has the columns 'Project Number' and 'Project Title' "
              "(sheets: 'Projects (lead partners)')",
    }
    for path, reason in cases.items():
        with pytest.raises(BadFileError) as caught:
            open_reader("eac", path)
        assert reason in caught.value.reason, path.name
    runner = CliRunner()
    env = _env(tmp_path)
    result = runner.invoke(cli, ["import", "eac", str(eac_xls), str(keep)], env=env)
    assert result.exit_code != 0
    assert isinstance(result.exception, BadFileError)
    info = json.loads(runner.invoke(cli, ["info", "--json"], env=env).output)
    assert info["sources"] == {}


def test_import_through_the_catalog_then_search_by_a_title_word(catalog, eac_xls):
    report = catalog.import_files("eac", [eac_xls])
    assert report.projects_created == 19
    result = catalog.search(SearchQuery.from_params({"q": "ceramics"}))
    assert "eac:552636-CREA-1-2014-1-DE-CULT-COOP2" in result.ids
    view = catalog.project("eac:552636-CREA-1-2014-1-DE-CULT-COOP2")
    assert view.project.title.text == "Ceramics and its dimensions"
    again = catalog.import_files("eac", [eac_xls])
    assert not again.changed
