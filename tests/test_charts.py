"""Server-side SVG charts (web/_charts.py): drawn to scale, readable by screen readers, escaped,
formatted in the page's language, and free of inline styles (the CSP forbids them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from euprojects.i18n import texts
from euprojects.model import Money
from euprojects.web._charts import Bar, bar_chart, column_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
NNBSP, NBSP = "\u202f", "\xa0"


def parse(markup: str) -> etree._Element:
    """The figure as XML: also proves the output is well-formed."""
    return etree.fromstring(str(markup))


def money(lang: str):
    t = texts(lang)
    return lambda value: t.money(Money(value))


def bars(rows, **options):
    defaults = dict(id="top", title="Countries", formatter=str, axis_label="EU amount (EUR)",
                    empty="Nothing to show")
    return bar_chart(rows=rows, **{**defaults, **options})


def columns(values, **options):
    defaults = dict(id="years", title="Projects by start year", formatter=str,
                    x_label="Start year", y_label="Projects", empty="Nothing to show")
    return column_chart(values=values, **{**defaults, **options})


def widths(figure) -> list[float]:
    return [float(rect.get("width")) for rect in figure.iter(f"{SVG}rect")]


def texts_of(figure, cls: str) -> list[str]:
    return [el.text for el in figure.iter(f"{SVG}text") if el.get("class") == cls]


def row_titles(figure) -> list[str]:
    """The <title> of each bar or column (not the chart's own)."""
    return [el.text for el in figure.iter(f"{SVG}title") if el.get("id") is None]


# ---------------------------------------------------------------------------------------------
# bars


def test_bar_widths_are_proportional_and_the_largest_is_full_width():
    figure = parse(bars([("A", Decimal(100), None), ("B", Decimal(50), None),
                         ("C", Decimal(25), None)]))
    # the value room is 3 characters of 13 units at 0.6 em plus 8: 400 - 23.4 - 8
    assert widths(figure) == [368.6, 184.3, 92.15]
    assert texts_of(figure, "chart-value") == ["100", "50", "25"]
    ends = [float(el.get("x")) for el in figure.iter(f"{SVG}text")
            if el.get("class") == "chart-value"]
    assert ends == [374.6, 190.3, 98.15]  # each value 6 units after its bar's end


def test_bar_order_is_the_callers():
    figure = parse(bars([Bar("Belgique", 10), Bar("Austria", 30.5), Bar("Czechia", 20)]))
    assert texts_of(figure, "chart-label") == ["Belgique", "Austria", "Czechia"]
    assert widths(figure)[1] == max(widths(figure))


def test_bars_with_href_are_links_and_the_others_are_not():
    figure = parse(bars([Bar("France", Decimal(3), "/fr/search?country=FR&size=20"),
                         Bar("Unknown", Decimal(1))]))
    svg = figure.find(f"{SVG}svg")
    rows = [el for el in svg if el.get("class") == "chart-row"]
    assert [(etree.QName(row).localname, row.get("href")) for row in rows] == [
        ("a", "/fr/search?country=FR&size=20"), ("g", None)]
    assert [etree.QName(child).localname for child in rows[0]] == ["title", "text", "rect", "text"]
    # an image's content is presentational: a chart with links is a group, so they can be reached
    assert svg.get("role") == "group"
    assert parse(bars([Bar("France", 3)])).find(f"{SVG}svg").get("role") == "img"


def test_a_link_to_another_scheme_is_refused():
    with pytest.raises(ValueError, match="javascript"):
        bars([Bar("France", 3, "javascript:alert(1)")])


def test_title_and_desc_name_the_chart():
    figure = parse(bars(
        [Bar("France", Decimal(7)), Bar("Deutschland", Decimal(9)), Bar("Italia", Decimal(2))],
        id="by-country", summary="%(count)s of %(total)s countries; the largest: %(label)s, "
                                 "%(value)s", max_rows=2))
    svg = figure.find(f"{SVG}svg")
    assert figure.get("id") == "by-country"
    assert figure.get("class") == "chart"
    assert figure.find("figcaption").text == "Countries"
    assert svg.get("aria-labelledby") == "by-country-title by-country-desc"
    assert svg.find(f"{SVG}title").get("id") == "by-country-title"
    assert svg.find(f"{SVG}title").text == "Countries"
    assert svg.find(f"{SVG}desc").get("id") == "by-country-desc"
    assert svg.find(f"{SVG}desc").text == (
        "2 of 3 countries; the largest: Deutschland, 9. France (7); Deutschland (9)")
    assert (svg.get("viewBox"), svg.get("width")) == ("0 0 400 116", "100%")


def test_long_labels_are_shortened_but_whole_in_the_title():
    name = "Europäische Agentur für Grundrechte und territoriale Zusammenarbeit im Ostseeraum"
    figure = parse(bars([Bar(name, Decimal(1))]))
    [label] = texts_of(figure, "chart-label")
    assert label == name[:46] + "…"
    assert len(label) == 47
    assert row_titles(figure) == [f"{name} (1)"]


def test_max_rows_keeps_the_first_rows():
    figure = parse(bars([Bar(str(n), n) for n in range(10, 0, -1)], max_rows=3))
    assert texts_of(figure, "chart-label") == ["10", "9", "8"]


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", '"><script>alert(1)</script>', "a & b <b>c</b>\x00\x07"],
)
def test_texts_from_the_data_are_escaped(hostile):
    figure = parse(bars([Bar(hostile, 1, '/fr/search?q="><script>')], title=hostile,
                        axis_label=hostile))
    assert not [el for el in figure.iter() if etree.QName(el).localname in {"script", "b"}]
    shown = hostile.replace("\x00", "").replace("\x07", "").strip()  # control characters go
    assert texts_of(figure, "chart-label") == [shown]
    assert texts_of(figure, "chart-axis") == [shown]
    assert figure.find("figcaption").text == shown
    assert row_titles(figure) == [f"{shown} (1)"]
    assert figure.find(f"{SVG}svg/{SVG}a").get("href") == '/fr/search?q="><script>'


def test_hostile_year_chart_texts_are_escaped():
    figure = parse(columns({2020: 1}, x_label="<script>x</script>", y_label="<img src=x>"))
    assert not [el for el in figure.iter() if etree.QName(el).localname in {"script", "img"}]
    assert texts_of(figure, "chart-axis") == ["<img src=x>", "<script>x</script>"]


@pytest.mark.parametrize(
    ("lang", "value", "tick"),
    [
        ("fr", f"1{NNBSP}234{NNBSP}567,00{NBSP}€", f"1{NNBSP}500{NNBSP}000,00{NBSP}€"),
        ("de", f"1.234.567,00{NBSP}€", f"1.500.000,00{NBSP}€"),
        ("en", "€1,234,567.00", "€1,500,000.00"),
    ],
)
def test_the_pages_locale_formats_reach_the_svg(lang, value, tick):
    bar = parse(bars([Bar("Portugal", Decimal("1234567"))], formatter=money(lang)))
    assert texts_of(bar, "chart-value") == [value]
    assert bar.find(f"{SVG}svg/{SVG}desc").text == f"Portugal ({value})"
    year = parse(columns({2021: Decimal("1234567")}, formatter=money(lang)))
    assert texts_of(year, "chart-tick")[-1] == tick
    assert row_titles(year) == [f"2021 ({value})"]


def test_number_formatter_of_texts_fits_as_it_is():
    figure = parse(columns({2020: 12500, 2021: 3}, formatter=texts("de").number))
    assert texts_of(figure, "chart-tick") == ["0", "5.000", "10.000", "15.000"]


def test_an_empty_input_says_so():
    for figure in (parse(bars([])), parse(columns({}))):
        assert figure.get("class") == "chart"
        assert figure.find(f"{SVG}svg") is None
        assert figure.find("figcaption").text in {"Countries", "Projects by start year"}
        assert figure.find("p").text == "Nothing to show"
        assert figure.find("p").get("class") == "chart-empty"


def test_zero_values_draw_empty_bars_without_dividing_by_zero():
    figure = parse(bars([Bar("A", Decimal(0)), Bar("B", 0.0)]))
    assert widths(figure) == [0.0, 0.0]
    assert texts_of(figure, "chart-value") == ["0", "0.0"]
    year = parse(columns({2019: 0, 2021: Decimal(0)}))
    assert widths(year) == [99.95, 99.95, 99.95]  # (400 - 17.2 - 8) / 3 * 0.8
    assert [float(r.get("height")) for r in year.iter(f"{SVG}rect")] == [0.0, 0.0, 0.0]
    assert texts_of(year, "chart-tick") == ["0"]


@pytest.mark.parametrize("value", [Decimal(-1), -0.5, float("nan"), Decimal("Infinity")])
def test_negative_or_undefined_values_are_refused(value):
    with pytest.raises(ValueError, match="non-negative"):
        bars([Bar("A", value)])


@pytest.mark.parametrize("bad", ["", "1chart", "two words", 'x" onload="y'])
def test_an_id_that_cannot_be_an_idref_is_refused(bad):
    with pytest.raises(ValueError, match="chart id"):
        bars([Bar("A", 1)], id=bad)


# ---------------------------------------------------------------------------------------------
# columns


def test_years_missing_inside_the_range_are_empty_columns():
    figure = parse(columns({2017: 4, 2014: 2}, summary="%(count)s years, %(first)s to %(last)s; "
                                                        "most in %(label)s: %(value)s"))
    assert row_titles(figure) == ["2014 (2)", "2015 (0)", "2016 (0)", "2017 (4)"]
    assert texts_of(figure, "chart-label") == ["2014", "2015", "2016", "2017"]
    heights = [float(r.get("height")) for r in figure.iter(f"{SVG}rect")]
    assert heights == [103.0, 0.0, 0.0, 206.0]  # ticks 0 1 2 3 4: 4 is the plot's full height
    assert figure.find(f"{SVG}svg/{SVG}desc").text == (
        "4 years, 2014 to 2017; most in 2017: 4. 2014 (2); 2015 (0); 2016 (0); 2017 (4)")


def test_columns_stand_on_the_axis_and_the_top_tick_is_the_plot_top():
    figure = parse(columns({2020: 41, 2021: 60}))
    assert texts_of(figure, "chart-tick") == ["0", "20", "40", "60"]
    grid = [float(line.get("y1")) for line in figure.iter(f"{SVG}line")
            if line.get("class") == "chart-grid"]
    assert grid == [234.0, pytest.approx(165.33, abs=0.01), pytest.approx(96.67, abs=0.01), 28.0]
    rects = list(figure.iter(f"{SVG}rect"))
    assert [float(r.get("y")) + float(r.get("height")) for r in rects] == [234.0, 234.0]
    assert float(rects[1].get("y")) == 28.0


def test_year_labels_thin_out_on_a_long_range_but_every_year_has_its_column():
    figure = parse(columns({1990: 1, 2027: 2}))
    assert len(list(figure.iter(f"{SVG}rect"))) == 38
    assert texts_of(figure, "chart-label") == [str(y) for y in range(1990, 2027, 5)]


def test_year_columns_link_where_an_href_is_given():
    figure = parse(columns({2020: 1, 2021: 2}, hrefs={2021: "/en/search?start_year=2021"}))
    svg = figure.find(f"{SVG}svg")
    assert [(etree.QName(el).localname, el.get("href")) for el in svg
            if el.get("class") == "chart-column"] == [("g", None),
                                                      ("a", "/en/search?start_year=2021")]
    assert svg.get("role") == "group"
    assert parse(columns({2020: 1})).find(f"{SVG}svg").get("role") == "img"


@pytest.mark.parametrize(
    ("top", "integral", "expected"),
    [
        ("1", False, ["0", "0.25", "0.5", "0.75", "1"]),
        ("1", True, ["0", "1", "2"]),
        ("10", True, ["0", "5", "10"]),
        ("7", True, ["0", "2", "4", "6", "8"]),
        ("0.3", False, ["0", "0.1", "0.2", "0.3"]),
        ("1234567", True, ["0", "500000", "1000000", "1500000"]),
        ("0", True, ["0"]),
    ],
)
def test_nice_ticks(top, integral, expected):
    assert nice_ticks(Decimal(top), integral=integral) == [Decimal(v) for v in expected]


@pytest.mark.parametrize(
    ("top", "integral"),
    [(top, False) for top in ["0.0007", "0.3", "3", "9.99", "41", "99", "101", "250001", "7e12"]]
    + [(top, True) for top in ["3", "5", "11", "41", "99", "101", "250001", "7e12"]],
)
def test_nice_ticks_are_three_to_five_and_cover_the_top(top, integral):
    ticks = nice_ticks(Decimal(top), integral=integral)
    assert 3 <= len(ticks) <= 5
    assert ticks[-2] < Decimal(top) <= ticks[-1]
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


# ---------------------------------------------------------------------------------------------
# what the Content-Security-Policy allows


@pytest.mark.parametrize(
    "markup",
    [
        bars([Bar("A", 1, "/fr/search"), Bar("B", 0)]),
        columns({2000: 5, 2010: Decimal("2.5")}, hrefs={2000: "/de/search"}),
        bars([]),
    ],
)
def test_no_inline_style_anywhere(markup):
    figure = parse(markup)
    elements = list(figure.iter())
    assert len(elements) >= 3
    assert not [el for el in elements if "style" in el.attrib]
    assert not [el for el in elements if etree.QName(el).localname in {"style", "script"}]
    assert "style" not in str(markup)
