from datetime import date
from decimal import Decimal

import pytest

from euprojects.model import (
    LangText,
    Money,
    Project,
    Status,
    cofinancing_rate,
    derive_status,
    normalise_country,
    organisation_id,
    project_id,
)

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("eu", "total", "expected"),
    [
        (Money(Decimal("302699.26")), Money(Decimal("394139.66")), Decimal("76.80")),
        (Money(Decimal("758394.29")), Money(Decimal("892228.58")), Decimal("85.00")),
        (Money(Decimal("1")), Money(Decimal("0")), None),  # never a division by zero
        (Money(Decimal("1")), None, None),
        (None, Money(Decimal("10")), None),
        (Money(Decimal("1"), "EUR"), Money(Decimal("2"), "SEK"), None),
    ],
)
def test_cofinancing_rate(eu, total, expected):
    assert cofinancing_rate(eu, total) == expected


def test_source_rate_wins_over_computed_rate():
    p = Project(
        id="keep:x",
        source="keep",
        title=LangText("t"),
        eu_contribution=Money(Decimal("50")),
        total_budget=Money(Decimal("100")),
        source_cofinancing_rate=Decimal("76.80"),
    )
    assert p.cofinancing_rate == Decimal("76.80")
    assert p.__class__.from_dict(p.to_dict()) == p


@pytest.mark.parametrize(
    ("start", "end", "said", "expected"),
    [
        (date(2008, 12, 31), date(2010, 1, 23), None, Status.CLOSED),
        (date(2025, 1, 1), date(2027, 6, 30), None, Status.ONGOING),
        (date(2027, 1, 1), date(2029, 1, 1), None, Status.PLANNED),
        (date(2025, 1, 1), date(2027, 6, 30), "TERMINATED", Status.TERMINATED),
        (date(2025, 1, 1), date(2027, 6, 30), "closed", Status.CLOSED),
        (date(2025, 1, 1), date(2027, 6, 30), "SIGNED", Status.ONGOING),
        (None, None, None, None),
        (date(2026, 11, 28), date(2026, 11, 28), None, Status.ONGOING),
    ],
)
def test_status_is_derived_from_dates_unless_the_source_says_more(start, end, said, expected):
    assert derive_status(start, end, said, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("DE Germany / DEUTSCHLAND", "DE"),
        ("EL", "GR"),
        ("UK", "GB"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Greece", "GR"),
        ("Allemagne", "DE"),
        ("Österreich", "AT"),
        ("Atlantis", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_country(value, code):
    assert normalise_country(value) == code


def test_ids_carry_the_source_and_are_stable():
    assert project_id("cordis", "101046133") == "cordis:101046133"
    a = project_id("keep", None, "2014 - 2020 Interreg X", "ABC")
    assert a.startswith("keep:") and len(a) == len("keep:") + 12
    assert a == project_id("keep", None, "2014 - 2020  interreg x", "abc")
    assert organisation_id("VINNOVA", "SE", "Stockholm") == organisation_id(
        "Vinnova", "SE", "STOCKHOLM"
    )
    assert organisation_id("VINNOVA", "SE", "Stockholm") != organisation_id(
        "VINNOVA", "SE", "Uppsala"
    )
