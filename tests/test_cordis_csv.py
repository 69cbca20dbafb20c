"""CORDIS project CSV: the hand-made fixture (tests/data/cordis, four real projects of the XML
sample written in the documented CSV layout) against the same projects read from the real XML."""

from __future__ import annotations

import csv
import importlib.util
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from conftest import DATA, _need, shared_data_dir
from euprojects.errors import BadFileError
from euprojects.importers import RowIssue, open_reader
from euprojects.importers.cordis_csv import (
    LINK_COLUMNS,
    ORGANISATION_COLUMNS,
    PROJECT_COLUMNS,
    THEME_COLUMNS,
    CordisCsvReader,
)
from euprojects.importers.cordis_xml import CordisXmlReader
from euprojects.model import Money, Role

FIXTURE = DATA / "cordis"
FIXTURE_ZIP = FIXTURE / "cordis_horizon_projects_csv_fixture.zip"
FILES = ("project.csv", "organization.csv", "euroSciVoc.csv", "webLink.csv")
# XML sample member -> grant: the projects that make_csv_fixture.py took.
MEMBERS = {
    "240366.xml": "101090290",
    "243465.xml": "101092984",
    "263158.xml": "101160314",
    "242361.xml": "101081865",
}
# Extras that the CSV layout has no column for (docs/sources.md, "CORDIS CSV").
XML_ONLY_EXTRAS = {"teaser", "keywords", "termination date", "policy priority",
                   "result registered by"}
# Extras that the CSV gives as a code only (the XML: "code title"; one legal basis, not each).
CODE_ONLY_EXTRAS = {"legal basis", "topic", "funding scheme"}

# The headers as documented (the shared data's PROVENANCE.md, section 2, and the published data
# dictionary for the companions), written out here to hold the importer's column lists to them.
DOCUMENTED = {
    "project.csv": "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;"
                   "legalBasis;topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;"
                   "fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi",
    "organization.csv": "projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;"
                        "activityType;street;postCode;city;country;nutsCode;geolocation;"
                        "organizationURL;contactForm;contentUpdateDate;rcn;order;role;"
                        "ecContribution;netEcContribution;totalCost;endOfParticipation;active",
    "euroSciVoc.csv": "projectID;euroSciVocCode;euroSciVocPath;euroSciVocTitle;"
                      "euroSciVocDescription",
    "webLink.csv": "projectID;physUrl;availableLanguages;status;archivedDate;type;source;"
                   "represents",
}


@pytest.fixture(scope="session")
def xml_zip():
    return _need(shared_data_dir() / "cordis" / "cordis_horizon_projects_xml_sample.zip")


@pytest.fixture(scope="session")
def xml_records(xml_zip, tmp_path_factory):
    """The fixture's projects read from the real XML: its four members, copied unchanged."""
    small = tmp_path_factory.mktemp("xml") / "four.zip"
    with zipfile.ZipFile(xml_zip) as zin, zipfile.ZipFile(small, "w") as zout:
        for member in MEMBERS:
            zout.writestr(member, zin.read(member))
    return {r.project.source_id: r for r in CordisXmlReader(small)}


@pytest.fixture(scope="session")
def csv_records():
    return {r.project.source_id: r for r in open_reader("cordis", FIXTURE_ZIP)}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def _write(path, rows, delimiter=";"):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
            rows
        )


def _dataset(tmp_path, edit=lambda name, rows: rows, delimiter=";"):
    """A copy of the fixture's CSV files in a folder, each edited by ``edit(name, rows)``;
    returns the path of its project.csv."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    for name in FILES:
        _write(folder / name, edit(name, _rows(FIXTURE / name)),
               delimiter if name == "project.csv" else ";")
    return folder / "project.csv"


def _zip(project_csv, names=FILES):
    path = project_csv.parent / "dataset.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.write(project_csv.parent / name, name)
    return path


def _expected_organisation(xml_org):
    """What the CSV gives of an organisation the XML gives: the same, but the NUTS names (the
    CSV has the deepest code only, whose levels are its prefixes) and the department."""
    d = xml_org.to_dict()
    deepest = d["nuts"][-1]["code"] if d["nuts"] else ""
    d["nuts"] = [{"code": deepest[:n], "name": None} for n in range(3, len(deepest) + 1)]
    d["department"] = None
    return d


def test_the_column_lists_and_the_fixture_headers_are_the_documented_ones():
    columns = {"project.csv": PROJECT_COLUMNS, "organization.csv": ORGANISATION_COLUMNS,
               "euroSciVoc.csv": THEME_COLUMNS, "webLink.csv": LINK_COLUMNS}
    for name, header in DOCUMENTED.items():
        assert ";".join(columns[name]) == header
        first = (FIXTURE / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == '"' + header.replace(";", '";"') + '"'  # every field quoted


def test_the_fixture_holds_the_projects_it_says_and_what_they_exercise(csv_records):
    assert sorted(csv_records) == sorted(MEMBERS.values())
    records = csv_records.values()
    assert {p.role for r in records for p in r.participations} == {
        Role.LEAD, Role.PARTNER, Role.ASSOCIATED, Role.THIRD_PARTY}
    assert sorted(r.project.source_id for r in records if r.project.total_budget is None) == [
        "101090290", "101160314"]
    assert {r.project.source_id: r.project.website for r in records if r.project.website} == {
        "101092984": "https://horizon-opencube.eu/", "101081865": "http://ninfa-project.eu/"}
    labels = {(o.country_label, o.country) for r in records for o in r.organisations}
    assert {("EL", "GR"), ("UK", "GB")} <= labels
    assert all(r.project.themes for r in records)


@pytest.mark.parametrize("grant", sorted(MEMBERS.values()))
def test_a_project_reads_the_same_from_the_csv_as_from_the_xml(grant, xml_records, csv_records):
    xml, got = xml_records[grant], csv_records[grant]
    assert [p.to_dict() for p in got.participations] == [
        p.to_dict() for p in xml.participations]
    assert [o.to_dict() for o in got.organisations] == [
        _expected_organisation(o) for o in xml.organisations]
    want_project, got_project = xml.project.to_dict(), got.project.to_dict()
    want_extra, got_extra = want_project.pop("extra"), got_project.pop("extra")
    assert got_project == want_project  # every field but the extras, identical
    left_out = XML_ONLY_EXTRAS | CODE_ONLY_EXTRAS
    assert [e for e in got_extra if e[0] not in CODE_ONLY_EXTRAS] == [
        e for e in want_extra if e[0] not in left_out]
    coded = [(label, value) for label, value in got_extra if label in CODE_ONLY_EXTRAS]
    assert sorted(label for label, _ in coded) == sorted(CODE_ONLY_EXTRAS)  # one of each
    for label, code in coded:  # the code of one of the XML's "code title" values
        assert code in [v.split(" ", 1)[0] for k, v in want_extra if k == label]


def test_the_zip_and_the_project_csv_path_give_the_same_records(csv_records):
    reader = open_reader("cordis", FIXTURE / "project.csv")
    assert isinstance(reader, CordisCsvReader)
    from_path = {r.project.source_id: r for r in reader}
    assert {k: (r.project, r.participations, r.organisations) for k, r in from_path.items()} == {
        k: (r.project, r.participations, r.organisations) for k, r in csv_records.items()}
    assert reader.report.format == "CORDIS project CSV (project.csv + organization.csv)"
    zipped = open_reader("cordis", FIXTURE_ZIP)
    list(zipped)
    assert zipped.report.format == "CORDIS project CSV (zip)"
    for r in (reader, zipped):
        assert (r.report.rows_read, r.report.rows_imported, r.report.issues) == (4, 4, [])


def test_the_xml_zip_still_goes_to_the_xml_reader(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("1.xml", "<project/>")
        z.writestr("project.csv", "")  # a CSV name among XML members: still the XML dataset
    assert isinstance(open_reader("cordis", path), CordisXmlReader)
    assert isinstance(open_reader("cordis", FIXTURE_ZIP), CordisCsvReader)


def test_amounts_with_a_decimal_comma_or_point(tmp_path, csv_records):
    assert '"169326,72"' in (FIXTURE / "project.csv").read_text(encoding="utf-8")
    assert csv_records["101090290"].project.eu_contribution == Money(Decimal("169326.72"))

    def edit(name, rows):
        if name == "project.csv":
            head = rows[0]
            rows[1][head.index("totalCost")] = "2073781,25"
            rows[1][head.index("ecMaxContribution")] = "169326.72"
        if name == "organization.csv":
            head = rows[0]
            rows[2][head.index("totalCost")] = "1.234.567,89"  # the coordinator of 101090290
            rows[2][head.index("ecContribution")] = " 5000 "
        return rows

    records = {r.project.source_id: r for r in open_reader("cordis", _dataset(tmp_path, edit))}
    project = records["101090290"]
    assert project.project.total_budget == Money(Decimal("2073781.25"))
    assert project.project.eu_contribution == Money(Decimal("169326.72"))
    lead = project.participations[0]
    assert (lead.role, lead.budget, lead.eu_contribution) == (
        Role.LEAD, Money(Decimal("1234567.89")), Money(Decimal("5000.00")))


def test_a_bad_row_is_reported_and_the_other_rows_import(tmp_path):
    def edit(name, rows):
        head = rows[0]
        if name == "project.csv":
            rows[1][head.index("startDate")] = "2023-13-01"  # 101090290
            rows[3][head.index("title")] = ""  # 101160314: no title and no acronym
            rows[3][head.index("acronym")] = ""
        if name == "organization.csv":
            rows[2][head.index("ecContribution")] = "12,3,4"  # row 3: 101090290's coordinator
            rows[3][head.index("role")] = "partner"  # row 4: 101092984's coordinator
            rows.append(["999", *rows[4][1:]])  # row 26: no such project
            rows.append(["101090290", "LANAFUSEHA", "x"])  # row 27: three fields
        return rows

    reader = open_reader("cordis", _dataset(tmp_path, edit))
    records = {r.project.source_id: r for r in reader}
    report = reader.report
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 3, 1)
    assert report.balanced
    assert sorted(records) == ["101081865", "101090290", "101092984"]

    def issue(member, row, field, reason, action):
        return RowIssue("project.csv", None, row, field, reason, action, member)

    assert report.issues == [
        issue("organization.csv", 27, None, "3 fields where the header has 25; left out",
              "rejected"),
        issue("organization.csv", 3, "ecContribution", "not an amount: '12,3,4'; left empty",
              "repaired"),
        issue("project.csv", 2, "startDate", "not a date: '2023-13-01'; left empty", "repaired"),
        issue("organization.csv", 4, "role", "unknown role 'partner'; taken as other", "flagged"),
        issue("project.csv", 4, "title", "neither a title nor an acronym", "rejected"),
        issue("organization.csv", 26, "projectID", "no project '999' in project.csv; left out",
              "rejected"),
    ]
    assert str(report.issues[1]) == (
        "repaired: project.csv, member 'organization.csv', row 3, field 'ecContribution': "
        "not an amount: '12,3,4'; left empty")
    first = records["101090290"]
    assert first.project.start_date is None and first.project.end_date == date(2025, 5, 31)
    assert first.participations[0].eu_contribution is None
    assert len(first.participations) == 2  # the three-field row is not one of them
    assert records["101092984"].participations[0].role is Role.OTHER


def test_a_companion_file_with_another_header_is_reported_and_not_read(tmp_path):
    def edit(name, rows):
        if name == "euroSciVoc.csv":
            rows[0] = ["projectID", "code", "path", "label", "description"]
        return rows

    reader = open_reader("cordis", _dataset(tmp_path, edit))
    records = list(reader)
    assert len(records) == 4 and all(r.project.themes == () for r in records)
    assert [r.project.website for r in records if r.project.source_id == "101092984"] == [
        "https://horizon-opencube.eu/"]  # was all() over a list that could be empty
    assert reader.report.issues == [RowIssue(
        "project.csv", None, 1, None,
        "not a CORDIS euroSciVoc.csv header: no column euroSciVocTitle; the file is not read",
        "flagged", "euroSciVoc.csv")]


def _rename(file, old, new):
    def edit(name, rows):
        if name == file:
            rows[0] = [new if col == old else col for col in rows[0]]
        return rows
    return edit


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: _dataset(tmp, _rename("project.csv", "title", "name")),
         "project.csv: not a CORDIS project.csv header: no column title"),
        (lambda tmp: _dataset(tmp, _rename("organization.csv", "role", "type")),
         "organization.csv: not a CORDIS organization.csv header: no column role"),
        (lambda tmp: _dataset(tmp, delimiter=","),
         "(the header is one field: the file is not ';'-separated)"),
        (lambda tmp: _zip(_dataset(tmp, _rename("project.csv", "id", "grant"))),
         "project.csv: not a CORDIS project.csv header: no column id"),
        (lambda tmp: _zip(_dataset(tmp), names=("project.csv", "webLink.csv")),
         "not a CORDIS CSV dataset: no organization.csv in the zip"),
        (lambda tmp: _dataset(tmp).parent / "organization.csv",
         "give the dataset's zip or its project.csv"),
    ],
    ids=["project-header", "organization-header", "comma-separated", "zip-header",
         "zip-without-organizations", "organization-csv-given"],
)
def test_a_file_that_is_not_a_cordis_csv_is_refused_whole(tmp_path, catalog, make, reason):
    bad = make(tmp_path)
    before = catalog.import_files("cordis", [FIXTURE_ZIP])
    assert before.projects_created == 4
    counts = catalog.info()["sources"]
    with pytest.raises(BadFileError) as raised:
        catalog.import_files("cordis", [FIXTURE / "project.csv", bad])
    assert reason in str(raised.value)
    assert catalog.info()["sources"] == counts


def test_project_csv_without_organization_csv_beside_it_is_refused(tmp_path):
    (tmp_path / "project.csv").write_bytes((FIXTURE / "project.csv").read_bytes())
    with pytest.raises(BadFileError, match="no organization.csv beside project.csv"):
        open_reader("cordis", tmp_path / "project.csv")


def test_import_through_the_catalog(catalog, csv_records):
    report = catalog.import_files("cordis", [FIXTURE_ZIP])
    assert (report.rows_read, report.rows_imported, report.projects_created,
            report.participations_created) == (4, 4, 4, 24)
    view = catalog.project("cordis:101092984")
    record = csv_records["101092984"]
    assert view.project == record.project
    assert [(p.participation.order, p.participation.role, p.organisation.name)
            for p in view.participants] == [
        (p.order, p.role, o.name)
        for p, o in zip(record.participations,
                        [{o.id: o for o in record.organisations}[p.organisation_id]
                         for p in record.participations], strict=True)]
    again = catalog.import_files("cordis", [FIXTURE / "project.csv"])
    assert (again.projects_unchanged, again.participations_unchanged) == (4, 24)
    assert not again.changed


def test_the_committed_fixture_is_what_the_generator_writes(tmp_path, xml_zip):
    spec = importlib.util.spec_from_file_location("make_csv_fixture",
                                                  FIXTURE / "make_csv_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(MEMBERS) == module.MEMBERS
    module.main(xml_zip, tmp_path)
    for name in (*FILES, FIXTURE_ZIP.name):
        assert (tmp_path / name).read_bytes() == (FIXTURE / name).read_bytes(), name
