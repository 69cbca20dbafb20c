"""The keep.eu importer against the real export: every quirk of PROVENANCE.md §1."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from euprojects.importers._keep import keep_project_id, programme_languages
from euprojects.model import Money, Role
from euprojects.store import ProjectFilter

SWEDEN_NORWAY = "2014 - 2020 INTERREG V-A Sweden - Norway"
SAXONY_CZ = "2014 - 2020 INTERREG V-A Germany / Saxony - Czech Republic"


@pytest.fixture(scope="module")
def read(keep_read):
    """Every record of the real file by project id, and its report (the file read once per
    session, conftest.keep_read)."""
    reader, records = keep_read
    return {r.project.id: r for r in records}, reader.report


def test_counts_and_balance(read):
    records, report = read
    assert len(records) == 1852
    assert sum(len(r.participations) for r in records.values()) == 8621
    assert report.rows_read == 1891 + 8621
    assert report.rows_read == report.rows_imported + report.rows_rejected
    assert report.rows_rejected == 0


def test_the_39_repeated_keys_are_one_project_with_two_leads(read):
    records, report = read
    merged = [i for i in report.issues if i.action == "merged"]
    assert len(merged) == 39
    assert {i.sheet for i in merged} == {"Projects (lead partners)"}
    bioraff = records[keep_project_id(SWEDEN_NORWAY, "Bioraff")]
    assert [p.role for p in bioraff.participations] == [Role.LEAD, Role.LEAD]
    assert {o.country for o in bioraff.organisations} == {"NO", "SE"}
    two_leads = [r for r in records.values() if sum(p.role is Role.LEAD for p in r.participations) == 2]
    assert len(two_leads) == 39


def test_numeric_acronyms_are_text_and_join(read):
    records, _ = read
    project = records[keep_project_id("2014 - 2020 INTERREG V-A Germany / Bavaria - Czech Republic", "103")]
    assert project.project.acronym == "103"
    assert len(project.participations) > 0
    numeric = [r for r in records.values() if r.project.acronym.isdigit()]
    assert len(numeric) == 45
    assert all(r.participations for r in numeric)


def test_quoted_acronym_and_money_as_text_and_number(read):
    records, _ = read
    r = records[keep_project_id(SAXONY_CZ, "Antonius cum Johannis")]
    p = r.project
    assert p.acronym == "Antonius cum Johannis"
    assert p.title.text == '"Antonius cum Johannis"'  # the name keeps what the source wrote
    assert p.total_budget == Money(Decimal("892228.58"))  # text with thousands commas
    assert p.eu_contribution == Money(Decimal("758394.29"))  # a number cell
    assert p.cofinancing_rate == Decimal("85.00")  # computed: no rate column
    assert p.source_cofinancing_rate is None
    assert (p.start_date.isoformat(), p.end_date.isoformat()) == ("2015-10-27", "2019-09-30")
    assert p.funds == ("ERDF",)
    assert p.period == "2014-2020"
    assert [(t.lang, t.text[:22]) for t in p.description] == [
        ("de", "Instandhaltungsarbeite"),
        ("cs", "Rekonstrukce budov kos"),
    ]


def test_programme_site_is_not_the_project_website(read):
    records, _ = read
    shared = [r.project for r in records.values() if r.project.programme == SWEDEN_NORWAY]
    assert {p.website for p in shared} == {None}
    assert {p.programme_website for p in shared} == {"http://www.interreg-sverige-norge.com/"}
    own = [r.project for r in records.values() if r.project.website == "http://migraminho.org/"]
    assert len(own) == 1 and own[0].programme_website is None
    with_site = sum(1 for r in records.values() if r.project.website)
    assert with_site == 503


def test_partner_quirks(read):
    records, _ = read
    r = records[keep_project_id("2014 - 2020 INTERREG VB Central Europe", "ECRR")]
    lead = next(o for o in r.organisations if o.id == r.participations[0].organisation_id)
    assert r.participations[0].role is Role.LEAD
    assert lead.name == "Association for Rural Development Thuringia, Erfurt"
    assert lead.country == "DE"  # from "DE Germany / DEUTSCHLAND"
    assert lead.postcode == "99099"  # a number cell, kept as given
    assert lead.legal_status == "public"
    assert lead.nuts == (
        ("DEG", "THÜRINGEN"),
        ("DEG0", "Thüringen"),
        ("DEG01", "Erfurt, Kreisfreie Stadt"),
    )
    assert lead.website is None  # the programme's site, shared by many partners


def test_legal_status_is_normalised(read):
    records, _ = read
    values = {o.legal_status for r in records.values() for o in r.organisations}
    assert values == {"public", "private", None}


def test_postcodes_with_leading_zeros_in_text_cells_are_kept(read):
    records, _ = read
    codes = {o.postcode for r in records.values() for o in r.organisations if o.postcode}
    assert "06800" in codes
    assert "027 32" in codes


def test_html_like_text_is_kept_as_data(read):
    records, _ = read
    tagged = [r for r in records.values() if any("<" in t.text for t in r.project.description)]
    assert len(tagged) == 20  # escaped when shown, never stripped silently


def test_dates_in_wrong_order_are_reported_not_dropped(read):
    _, report = read
    odd = [i for i in report.issues if i.action == "flagged" and i.field == "Project end"]
    assert len(odd) == 2
    assert all("before it starts" in i.reason for i in odd)


@pytest.mark.parametrize(
    ("programme", "langs"),
    [
        (SAXONY_CZ, ("de", "cs")),
        ("2014 - 2020 INTERREG V-A Germany - The Netherlands", ("de", "nl")),
        ("2014 - 2020 INTERREG V-A Belgium - France (France - Wallonie - Vlaanderen)",
         ("fr", "nl", "de")),
        ("2014 - 2020 Interreg IPA CBC Romania - Serbia", ("ro", "sr")),
        ("2014 - 2020 Interreg IPA CBC Croatia-Serbia", ("hr", "sr")),
        ("2014 - 2020 INTERREG VB Baltic Sea", None),
        ("2007 - 2013 Baltic Sea Region", None),
    ],
)
def test_programme_languages(programme, langs):
    assert programme_languages(programme) == langs


def test_national_language_columns_are_recognised_not_assumed(read):
    """Slovenia - Austria puts German in column 1: the order of the name is no guide."""
    records, _ = read
    slovenia_austria = [
        r.project for r in records.values()
        if r.project.programme == "2014 - 2020 INTERREG V-A Slovenia - Austria"
        and len(r.project.description) == 3
    ]
    assert slovenia_austria
    for p in slovenia_austria:
        assert [t.lang for t in p.description] == ["en", "de", "sl"]
    langs = Counter(t.lang for r in records.values() for t in r.project.description)
    assert langs["en"] == 1614  # "Description EN" is filled in 1,614 rows
    assert langs[None] < 200  # unknown rather than guessed where no language clearly wins


def test_store_list_filters(real_catalog):
    se = real_catalog.count_projects(ProjectFilter(source="keep", country="SE"))
    assert 0 < se < real_catalog.count_projects(ProjectFilter(source="keep"))
    sweden_norway = real_catalog.list_projects(ProjectFilter(programme="Sweden - Norway"))
    assert len(sweden_norway) == 80 - 39 and all(p.programme == SWEDEN_NORWAY for p in sweden_norway)
