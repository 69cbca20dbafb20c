"""The statistics page (issue 14) in a real browser: Debian's Chromium driven by Playwright
against uvicorn on loopback, over keep.eu, CORDIS and EAC with the keep.eu seed and four Kohesio
files, the map drawn from the GISCO boundaries of the shared data folder (read in place).

- in fr, en and de, at 1280 and 390 px: the totals, the map (its regions as links, its legend,
  its attribution), the charts named by their title and description, no horizontal scroll on a
  phone; a full-page screenshot of each in var/screenshots/ (git-ignored);
- a region of the map opens the search filtered to it, as many projects as the table says, at
  country and at NUTS 2 level; the measure switch redraws the map in euros;
- the search and its statistics link to each other; a table's heading sorts it;
- axe-core: no violation of impact serious or critical; the keyboard reaches the map."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from conftest import DATA, Built, copy_catalog, settings_for, shared_data_dir
from euprojects.catalog import Catalog, SearchQuery
from euprojects.i18n import texts
from euprojects.statistics import COLUMNS
from test_accessibility import DESKTOP, LANGS, PHONE, _axe, _context, _need_axe, _tab_to
from test_browser import SHOTS, _need_chromium, _total, chromium, serving
from test_statistics import FILES

pytestmark = pytest.mark.browser

ATTRIBUTION = ("© EuroGeographics for the administrative boundaries · "
               "Source: Eurostat GISCO (NUTS 2021)")
RECEIVED = "Amount received by partners there"
CHARTS = 13  # projects and EU amount by start year, then one per table but the years'


class Site(NamedTuple):
    url: str
    catalog: Catalog
    browser: Any  # Playwright's Browser, one for the module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> Iterator[Site]:
    """uvicorn on loopback over a copy of the combined catalog, the keep.eu seed and the
    Kohesio files of test_statistics, its map read from the shared GISCO folder; and the
    module's one Chromium."""
    _need_chromium()
    geo = shared_data_dir() / "geo"
    if not (geo / "nutsrg_0.json").exists():
        pytest.skip(f"the GISCO boundaries are missing from {geo}")
    db = copy_catalog(combined_built, tmp_path_factory.mktemp("browser_stats"), "stats")
    catalog = Catalog(settings_for(db, geo_dir=geo))
    catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])
    catalog.import_files("kohesio", FILES)
    with serving(catalog) as url, chromium() as browser:
        yield Site(url, catalog, browser)
    catalog.close()


@pytest.fixture
def open_page(site):
    """A page at a viewport's width (1280 px unless told), failing the test on a script error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = DESKTOP):
        context = _context(site.browser, (site.url, {}), viewport)
        contexts.append(context)
        pg = context.new_page()
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        return pg

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def _go(pg, address: str) -> None:
    r = pg.goto(address)
    assert r is not None and r.status == 200, (address, r and r.status)


# -- what the page shows ------------------------------------------------------------------------

# the map: its regions, the legend's classes and the attribution
MAP = """() => {
  const figure = document.querySelector("figure.map");
  if (!figure) return null;
  const svg = figure.querySelector("svg[aria-labelledby]");
  const byId = id => document.getElementById(id);
  return {
    svgs: figure.querySelectorAll(":scope > svg").length,
    regions: figure.querySelectorAll("a path.map-region").length,
    valued: figure.querySelectorAll("a path.map-region:not(.map-no-data)").length,
    hrefs: [...figure.querySelectorAll("a:has(> path.map-region)")].map(a => a.getAttribute("href")),
    title: svg && byId(svg.getAttribute("aria-labelledby"))?.textContent,
    desc: svg && byId(svg.getAttribute("aria-describedby"))?.textContent,
    legendTitle: figure.querySelector(".map-legend-title")?.textContent,
    legend: [...figure.querySelectorAll(".map-legend li[class^=map-class-]")].map(
      li => li.textContent.trim()),
    attribution: figure.querySelector("p.attribution")?.textContent,
    width: svg ? svg.getBoundingClientRect().width : 0,
  };
}"""

# each chart: its figure's id, and the texts its svg's aria-labelledby names (inside the svg)
CHART_NAMES = """() => [...document.querySelectorAll("figure.chart")].map(f => {
  const svg = f.querySelector("svg");
  if (!svg) return {id: f.id, svg: false};
  const named = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
    .map(id => svg.querySelector(`#${CSS.escape(id)}`))
    .map(el => el ? [el.tagName.toLowerCase(), el.textContent.trim()] : [null, ""]);
  return {id: f.id, svg: true, named, width: svg.getBoundingClientRect().width,
          role: svg.getAttribute("role")};
})"""

# what sticks out to the right of a phone's screen, or null
WIDE = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= window.innerWidth) return null;
  return [doc.scrollWidth, window.innerWidth, [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth)
    .slice(-5).map(e => e.tagName + "." + e.className)];
}"""


def _figures(pg) -> dict[str, str]:
    """The totals as shown: each term and its figure."""
    return dict(zip(pg.locator("section.totals dt").all_inner_texts(),
                    pg.locator("section.totals dd").all_inner_texts(), strict=True))


@pytest.mark.parametrize("lang", LANGS)
def test_totals_map_and_charts_at_desktop_and_phone_width(site, open_page, lang):
    t = texts(lang)
    stats = site.catalog.statistics(SearchQuery.from_params({}))
    assert stats.projects > 3000
    for viewport in (DESKTOP, PHONE):
        pg = open_page(viewport)
        _go(pg, f"/{lang}/statistics")
        width = viewport["width"]
        assert pg.evaluate("document.documentElement.lang") == lang
        figures = _figures(pg)
        assert figures[t.gettext("Projects")] == t.number(stats.projects), width
        assert figures[t.gettext("EU amount")] == t.euros(stats.eu_amount), width
        assert figures[t.gettext("Organisations")] == t.number(stats.organisations), width

        drawn = pg.evaluate(MAP)
        assert drawn is not None, "no figure.map"
        assert drawn["svgs"] == 1 and drawn["regions"] >= 35, drawn["regions"]
        assert drawn["valued"] >= 30  # the countries with a partner
        assert all(re.fullmatch(rf"/{lang}/projects\?country=[A-Z]{{2}}", h)
                   for h in drawn["hrefs"]), drawn["hrefs"]
        assert drawn["title"] == drawn["legendTitle"] == t.gettext(
            "Projects with a partner in the region")
        assert drawn["desc"]  # the map's text alternative: how many regions, the highest
        assert len(drawn["legend"]) == 5 and all(drawn["legend"]), drawn["legend"]
        assert drawn["legend"][-1].endswith(t.number(max(
            r.projects for r in stats.table("country") if f"country={r.key}" in
            " ".join(drawn["hrefs"]))))
        assert drawn["attribution"] == ATTRIBUTION
        assert 0 < drawn["width"] <= width

        charts = pg.evaluate(CHART_NAMES)
        assert len(charts) == CHARTS, [c["id"] for c in charts]
        for chart in charts:
            assert chart["svg"], chart["id"]
            tags = [tag for tag, _text in chart["named"]]
            assert tags == ["title", "desc"], chart
            assert all(text for _tag, text in chart["named"]), chart
            assert 0 < chart["width"] <= width, chart
        assert {c["role"] for c in charts} <= {"img", "group"}

        if viewport is PHONE:
            assert pg.evaluate(WIDE) is None
            assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth")
        pg.screenshot(path=str(SHOTS / f"statistics-{lang}-{width}.png"), full_page=True)


# -- the map's links ----------------------------------------------------------------------------


def _row(pg, table: str, href_end: str) -> dict[str, str] | None:
    """The row of a table whose first cell links to an address ending so: each cell's text by
    its column's name (statistics.COLUMNS)."""
    cells = pg.evaluate("""([table, end]) => {
      const row = [...document.querySelectorAll(`section[aria-labelledby="t-${table}-h"] tbody tr`)]
        .find(tr => (tr.querySelector("td a")?.getAttribute("href") || "").endsWith(end));
      return row ? [...row.cells].map(c => c.textContent.trim()) : null;
    }""", [table, href_end])
    return None if cells is None else dict(zip(COLUMNS[table], cells, strict=True))


def _whole(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_a_country_and_a_nuts2_region_of_the_map_open_their_search(open_page):
    pg = open_page()
    _go(pg, "/en/statistics")
    germany = _row(pg, "country", "country=DE")
    assert germany is not None and _whole(germany["projects"]) > 100, germany
    region = pg.locator('figure.map a[href="/en/projects?country=DE"]')
    assert region.locator("title").text_content() == f"Germany (DE): {germany['projects']}"
    region.locator("path.map-region").click()
    pg.wait_for_url(re.compile(r"/en/projects\?country=DE$"))
    assert pg.is_checked('input[name="country"][value="DE"]')
    assert _total(pg) == _whole(germany["projects"])

    # NUTS 2, in German: the region with most projects (the table's first row)
    _go(pg, "/de/statistics?map=nuts2")
    first = pg.locator('section[aria-labelledby="t-nuts2-h"] tbody tr').first
    href = first.locator("td a").first.get_attribute("href")
    found = re.fullmatch(r"/de/projects\?nuts2=([A-Z]{2}[0-9A-Z]{2})", href or "")
    assert found, href
    code = found.group(1)
    count = first.locator("td").nth(COLUMNS["nuts2"].index("projects")).inner_text()
    region = pg.locator(f'figure.map a[href="{href}"]')
    assert region.locator("title").text_content().endswith(f"({code}): {count}")
    region.locator("path.map-region").click()
    pg.wait_for_url(re.compile(rf"/de/projects\?nuts2={code}$"))
    assert _total(pg) == _whole(count) > 0


def test_the_measure_switch_redraws_the_map_in_euros(site, open_page):
    stats = site.catalog.statistics(SearchQuery.from_params({}))
    pg = open_page()
    for lang in ("fr", "de"):
        t = texts(lang)
        _go(pg, f"/{lang}/statistics")
        before = pg.evaluate(MAP)
        label = t.gettext("Amount received by partners in the region")
        pg.locator("nav.map-options a", has_text=label).click()
        pg.wait_for_url(re.compile(rf"/{lang}/statistics\?measure=received$"))
        after = pg.evaluate(MAP)
        assert after["title"] == after["legendTitle"] == label
        assert after["legend"] != before["legend"]
        money = re.compile(r"[\d\s\u202f\xa0.,]+\xa0€")  # 1 234,56 € and 1.234,56 €
        for text in after["legend"]:
            assert all(money.fullmatch(part) for part in text.split(" – ")), text
        drawn = " ".join(after["hrefs"])
        top = max(r.received for r in stats.table("country")
                  if r.received and f"country={r.key}" in drawn)
        assert after["legend"][-1].endswith(t.euros(top)), (after["legend"], t.euros(top))
        assert t.euros(top) in after["desc"]
        # the region titles too: an amount, not a count
        title = pg.locator('figure.map a[href$="country=DE"] title').text_content()
        assert money.search(title.split(": ")[-1]), title


# -- the search and its statistics --------------------------------------------------------------


def test_the_search_and_its_statistics_link_to_each_other(open_page):
    pg = open_page()
    _go(pg, "/en/projects?country=LV&source=keep")
    total = _total(pg)
    assert 0 < total < 200
    pg.locator("p.to-stats a", has_text="Statistics, charts and map of these projects").click()
    pg.wait_for_url(re.compile(r"/en/statistics\?"))
    assert "country=LV" in pg.url and "source=keep" in pg.url
    assert _figures(pg)["Projects"] == f"{total:,}"
    back = pg.locator("p.stats-links a")
    assert back.inner_text() == f"See these {total:,} projects"
    back.click()
    pg.wait_for_url(re.compile(r"/en/projects\?"))
    assert "country=LV" in pg.url and "source=keep" in pg.url
    assert _total(pg) == total
    for lang in ("fr", "de"):
        _go(pg, f"/{lang}/projects?country=LV")
        link = pg.locator("p.to-stats a")
        assert link.inner_text() == texts(lang).gettext(
            "Statistics, charts and map of these projects")
        assert link.get_attribute("href") == f"/{lang}/statistics?country=LV"


def _amounts(pg, table: str, column: str) -> list[Decimal | None]:
    """The amounts of a column of a table (in English), from the top row down."""
    at = COLUMNS[table].index(column) + 1
    cells = pg.locator(f'section[aria-labelledby="t-{table}-h"] tbody td:nth-child({at})')
    return [Decimal(re.sub(r"[^\d.]", "", text)) if text.strip() else None
            for text in cells.all_inner_texts()]


def test_a_heading_sorts_its_table(open_page):
    pg = open_page()
    _go(pg, "/en/statistics")
    table = 'section[aria-labelledby="t-country-h"]'
    heading = pg.locator(f"{table} thead th", has_text=RECEIVED)
    assert heading.get_attribute("aria-sort") is None
    amounts = _amounts(pg, "country", "received")
    assert len(amounts) == 25 and amounts != sorted(amounts, reverse=True)  # by projects
    heading.locator("a").click()
    pg.wait_for_url(re.compile(r"order=country%3A-received#t-country-h$"))
    assert heading.get_attribute("aria-sort") == "descending"
    amounts = _amounts(pg, "country", "received")
    assert None not in amounts and amounts == sorted(amounts, reverse=True), amounts
    assert pg.locator(f"{table} th[aria-sort]").count() == 1
    assert pg.locator("th[aria-sort]").count() == 1  # the other tables keep their order
    # again: smallest first
    heading.locator("a").click()
    pg.wait_for_url(re.compile(r"order=country%3Areceived#t-country-h$"))
    assert heading.get_attribute("aria-sort") == "ascending"
    known = [a for a in _amounts(pg, "country", "received") if a is not None]
    assert known and known == sorted(known), known


# -- accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_serious_violation_on_the_statistics(open_page, lang):
    source = _need_axe()
    found = {}
    pg = open_page()
    addresses = [f"/{lang}/statistics"]
    if lang == "de":  # and once the other map: NUTS 2 regions, in euros
        addresses.append(f"/{lang}/statistics?map=nuts2&measure=received")
    for address in addresses:
        _go(pg, address)
        if violations := _axe(pg, source):
            found[address] = violations
    assert not found, found


def test_the_keyboard_reaches_a_region_of_the_map_and_opens_its_search(site, open_page):
    pg = open_page()
    _go(pg, "/en/statistics")
    state = _tab_to(pg, lambda s: re.fullmatch(r"/en/projects\?country=[A-Z]{2}",
                                                s["href"] or "") is not None, limit=60)
    assert pg.evaluate("!!document.activeElement.closest('figure.map')")
    title = pg.evaluate("document.activeElement.querySelector('title').textContent")
    pg.screenshot(path=str(SHOTS / "statistics-keyboard-en-1280.png"))
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(re.escape(site.url + state["href"]) + "$"))
    assert _total(pg) == _whole(title.rsplit(": ", 1)[1])

