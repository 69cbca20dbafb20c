from datetime import date
from decimal import Decimal

import pytest

from euprojects.importers import FileReport
from euprojects.importers import _cells as c
from euprojects.model import LangText, Money


@pytest.fixture
def row():
    return c.Row(FileReport(file="f.xlsx", format="test"), "Sheet", 7)


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("892,228.58", Decimal("892228.58")),
        (758394.29, Decimal("758394.29")),
        (176134.0, Decimal("176134.00")),
        (2500000, Decimal("2500000.00")),
        (" 1,234,567.89 ", Decimal("1234567.89")),
        ("n/a", None),
        ("N.a.", None),
        ("", None),
        (None, None),
    ],
)
def test_money(row, cell, amount):
    assert c.money(cell, row, "Budget") == (Money(amount) if amount is not None else None)
    assert row.report.issues == []


def test_money_with_decimal_comma(row):
    assert c.money("2073781,25", row, "x", decimal_comma=True) == Money(Decimal("2073781.25"))


def test_bad_money_is_reported_with_file_sheet_row_and_field(row):
    assert c.money("about 3 million", row, "Budget") is None
    assert [str(i) for i in row.report.issues] == [
        "repaired: f.xlsx, sheet 'Sheet', row 7, field 'Budget': "
        "not an amount: 'about 3 million'; left empty"
    ]


@pytest.mark.parametrize(
    ("cell", "pct"),
    [("80%", Decimal("80.00")), ("76.80", Decimal("76.80")), (0.8, Decimal("80.00")),
     (76.8, Decimal("76.80")), ("85,5 %", Decimal("85.50")), ("N.a.", None)],
)
def test_rate(row, cell, pct):
    assert c.rate(cell, row, "rate") == pct


def test_rate_out_of_range_is_reported(row):
    assert c.rate("180%", row, "rate") is None
    assert row.report.issues[0].field == "rate"


@pytest.mark.parametrize(
    ("cell", "day"),
    [("2015/10/27", date(2015, 10, 27)), ("2015-10-27", date(2015, 10, 27)),
     ("27/10/2015", date(2015, 10, 27)), (date(2021, 3, 1), date(2021, 3, 1)), ("", None)],
)
def test_day(row, cell, day):
    assert c.day(cell, row, "start") == day


def test_bad_day_is_reported(row):
    assert c.day("2015/13/45", row, "Project start") is None
    assert row.report.issues[0].reason == "not a date: '2015/13/45'; left empty"


def test_nuts(row):
    assert c.nuts("DEG01  / Erfurt, Kreisfreie Stadt", row, "n") == (
        "DEG01", "Erfurt, Kreisfreie Stadt")
    assert c.nuts("DE21", row, "n") == ("DE21", None)
    assert c.nuts("Erfurt", row, "n") is None
    assert len(row.report.issues) == 1


def test_codes_typed_as_numbers_are_kept_as_given(row):
    assert c.code_text(99099.0) == "99099"
    assert c.code_text(6560.0) == "6560"  # a lost leading zero is not invented back
    assert c.code_text("06800") == "06800"
    assert c.code_text(10.0) == "10"


@pytest.mark.parametrize(
    ("cell", "address"),
    [("http://migraminho.org/", "http://migraminho.org/"),
     ("www.latlit.eu", "http://www.latlit.eu"),
     ("centralbaltic.eu/projects", "http://centralbaltic.eu/projects"),
     ("http://www.si-at.eu/en2/321-go/ ", "http://www.si-at.eu/en2/321-go/")],
)
def test_url(row, cell, address):
    assert c.url(cell, row, "Website") == address


@pytest.mark.parametrize("cell", ["see programme site", "http://[www.example.eu", "ftp://x.eu"])
def test_url_that_is_no_address_is_dropped_and_reported(row, cell):
    assert c.url(cell, row, "Website") is None
    assert [(i.field, i.action) for i in row.report.issues] == [("Website", "repaired")]
    assert c.url_key(cell)  # comparing addresses never fails either


def test_url_key_ignores_scheme_www_and_trailing_slash():
    assert c.url_key("http://www.interreg-sverige-norge.com/") == c.url_key(
        "https://interreg-sverige-norge.com"
    )


@pytest.mark.parametrize(
    ("cell", "acronym"),
    [(103.0, "103"), ('"Antonius cum Johannis"', "Antonius cum Johannis"),
     ('"Bez granic - część 1"/"Grenzenlos - Teil 1"', '"Bez granic - część 1"/"Grenzenlos - Teil 1"'),
     ("  BSR CBP ", "BSR CBP"), ("", None)],
)
def test_clean_acronym(cell, acronym):
    assert c.clean_acronym(cell) == acronym


def test_text_keeps_lines_and_drops_missing_markers():
    assert c.text("a\r\nb ") == "a\nb"
    assert c.text("n/a") is None
    assert c.lang_text("Hallo", "de") == LangText("Hallo", "de")
