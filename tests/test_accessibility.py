"""Accessibility of every page type in a real browser (issue 13): Debian's Chromium driven by
Playwright against uvicorn on loopback, over keep.eu, CORDIS, EAC and Kohesio data.

- axe-core (npm, package-lock.json at the root; scripts/setup runs ``npm ci``), evaluated in
  the page as served (its CSP intact): no violation of impact serious or critical, in fr, en
  and de, on the home page, a search with filters, a project of each source, a keep.eu project
  linked to a Kohesio operation, an organisation and the error pages;
- the keyboard alone from the home page to a filtered search, a project and back, a visible
  focus indicator at every step;
- a phone (390 px): no horizontal scroll, and the first result above the fold of a search;
- screenshots of each page type at 1280 and 390 px in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import DATA, ROOT, Built, copy_catalog, settings_for
from euprojects.catalog import Catalog, SearchQuery
from euprojects.web import create_app
from test_browser import SEED_ID, SHOTS, _need_chromium, chromium, serving
from test_browser_search import _contrast
from test_kohesio_links import APART, ARCH_3D, INTERREG, OTHERS

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LANGS = ("fr", "en", "de")
CORDIS_ID = "cordis:101116257"
FILTERED = "/projects?q=cluster&country=SE&start_date_min=2008-01-01"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _need_axe() -> str:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing: npm ci (scripts/setup runs it)")
        pytest.skip("axe-core not installed (npm ci)")
    return AXE.read_text("utf-8")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> Iterator[
        tuple[str, dict[str, str]]]:
    """uvicorn on loopback over keep.eu, CORDIS and EAC, the keep.eu seed and the Kohesio
    files of test_kohesio_links (one operation linked to its keep.eu project); and the address
    of each page type, without its language."""
    _need_chromium()
    db = copy_catalog(combined_built, tmp_path_factory.mktemp("a11y"), "a11y")
    catalog = Catalog(settings_for(db))
    catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json"])
    catalog.import_files("kohesio", [INTERREG, *OTHERS])
    eac = catalog.search(SearchQuery.from_params({"source": "eac", "size": "1"})).items[0]
    lead = catalog.project(ARCH_3D).participants[0].organisation
    pages = {
        "home": "/",
        "search": FILTERED,
        "project-keep": f"/projects/{SEED_ID}",
        "project-cordis": f"/projects/{CORDIS_ID}",
        "project-eac": f"/projects/{eac.project.id}",
        "project-kohesio": f"/projects/{APART}",
        "project-keep-kohesio": f"/projects/{ARCH_3D}",
        "organisation": f"/organisations/{lead.id}",
        "organisations": "/organisations?q=university&country=SE",
        "partners": "/partners?q=innovation+clusters&country=LV&country=SE",
        "error-404": "/nowhere",
        "error-400": "/projects?q=cluster&size=0",
    }
    with serving(catalog) as url:
        yield url, pages
    catalog.close()


@pytest.fixture(scope="module")
def browser(portal):
    with chromium() as b:
        yield b


def _context(browser, portal, viewport: dict[str, int]):
    base_url, _pages = portal
    phone = viewport["width"] < 600
    return browser.new_context(base_url=base_url, viewport=viewport, is_mobile=phone,
                               has_touch=phone)


def _open(pg, address: str, kind: str) -> None:
    r = pg.goto(address)
    assert r is not None
    expected = {"error-404": 404, "error-400": 400}.get(kind, 200)
    assert r.status == expected, (address, r.status)


def _axe(pg, source: str) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page, each shortened to its
    rule, its impact, its help and the elements at fault."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.evaluate(source)  # evaluated by the driver: the page's CSP stays as served
    found = pg.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: "
                                           + n.failureSummary.replace(/\\s+/g, " "))}));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


KINDS = ("home", "search", "project-keep", "project-cordis", "project-eac", "project-kohesio",
         "project-keep-kohesio", "organisation", "organisations", "partners", "error-404",
         "error-400")


@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_violation(browser, portal, kind):
    source = _need_axe()
    _base, pages = portal
    found: dict[str, Any] = {}
    for viewport in (DESKTOP, PHONE):
        context = _context(browser, portal, viewport)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        for lang in LANGS if viewport is DESKTOP else ("de",):
            _open(pg, f"/{lang}{pages[kind]}", kind)
            violations = _axe(pg, source)
            if kind in ("search", "organisations") and viewport is PHONE:  # the drawer, open
                pg.click("button.filters-toggle")
                violations += _axe(pg, source)
            if violations:
                found[f"{lang} {viewport['width']}"] = violations
        assert errors == []
        context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("kind", KINDS)
def test_no_horizontal_scroll_on_a_phone_and_screenshots(browser, portal, kind):
    """At 390 px: no horizontal scroll, and each value of a table (its head hidden) named by
    its column; a screenshot of each page at 390 and 1280 px."""
    _base, pages = portal
    for viewport in (PHONE, DESKTOP):
        context = _context(browser, portal, viewport)
        pg = context.new_page()
        for lang in LANGS:
            _open(pg, f"/{lang}{pages[kind]}", kind)
            if viewport is PHONE:
                wide = pg.evaluate("""() => {
                    const s = document.scrollingElement;
                    if (s.scrollWidth <= s.clientWidth) return null;
                    return [s.scrollWidth, s.clientWidth, [...document.querySelectorAll(
                        "body *")].filter(e => e.getBoundingClientRect().right > s.clientWidth)
                        .slice(-5).map(e => e.tagName + "." + e.className)];
                }""")
                assert wide is None, (lang, wide)
                unnamed = pg.evaluate("""() => [...document.querySelectorAll("table.data td")]
                    .filter(td => td.textContent.trim() !== ""
                            && getComputedStyle(td, "::before").content === "none")
                    .slice(0, 5).map(td => td.outerHTML.slice(0, 80))""")
                assert unnamed == [], (lang, unnamed)  # a table's values say their column
            pg.screenshot(path=str(SHOTS / f"a11y-{kind}-{lang}-{viewport['width']}.png"),
                          full_page=True)
        context.close()


def test_on_a_phone_the_first_result_shows_above_the_filters(browser, portal):
    _base, pages = portal
    context = _context(browser, portal, PHONE)
    pg = context.new_page()
    for lang in LANGS:
        _open(pg, f"/{lang}{pages['search']}", "search")
        first = pg.locator("li.hit").first.bounding_box()
        assert first is not None and first["y"] + 40 <= PHONE["height"], (lang, first)
        filters = pg.locator("aside.filters").bounding_box()
        assert filters is None or filters["y"] > first["y"]  # a drawer, or after the results
    context.close()
    context = browser.new_context(base_url=portal[0], viewport=PHONE, java_script_enabled=False)
    pg = context.new_page()  # without the script, the filters follow the results
    _open(pg, f"/en{pages['search']}", "search")
    first = pg.locator("li.hit").first.bounding_box()
    assert first is not None and first["y"] + 40 <= PHONE["height"], first
    assert pg.locator("aside.filters").bounding_box()["y"] > first["y"]
    context.close()


# -- the keyboard alone ---------------------------------------------------------------------------

FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    let back = null;
    for (let e = el.parentElement; e && !back; e = e.parentElement) {
        const c = getComputedStyle(e).backgroundColor;
        if (c && c !== "transparent" && !/rgba\\(.*, 0\\)$/.test(c)) back = c;
    }
    return {tag: el.tagName, text: (el.innerText || el.value || el.id || "").slice(0, 40),
            href: el.getAttribute("href"), visible: el.matches(":focus-visible, :focus-within"),
            line: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
            color: s.outlineColor, shadow: s.boxShadow, back: back || "rgb(255, 255, 255)"};
}"""


def _shadow_colors(shadow: str) -> list[str]:
    return re.findall(r"rgba?\([^)]*\)", shadow) if shadow and shadow != "none" else []


def _focused(pg) -> dict[str, Any]:
    """The focused element, which must show a focus indicator: an outline at least 2 px wide
    or a box shadow, in a colour at 3:1 against the background around the element (its
    parent's: the ring is drawn outside it)."""
    state = pg.evaluate(FOCUS)
    assert state is not None, "nothing has the focus"
    colors = _shadow_colors(state["shadow"])
    if state["line"] not in ("none", "hidden") and state["width"] >= 2:
        colors.append(state["color"])
    assert state["visible"] and colors, state
    assert max(_contrast(c, state["back"]) for c in colors) >= 3, state
    return state


def _tab_to(pg, match, limit: int = 80, key: str = "Tab") -> dict[str, Any]:
    """Tab until the focused element matches, checking the focus indicator at every stop."""
    for _ in range(limit):
        pg.keyboard.press(key)
        state = _focused(pg)
        if match(state):
            return state
    raise AssertionError(f"not reached in {limit} presses of {key}")


def test_home_to_a_filtered_search_to_a_project_and_back_by_keyboard(browser, portal):
    base_url, _pages = portal
    context = _context(browser, portal, DESKTOP)
    pg = context.new_page()
    pg.goto("/en/")
    _tab_to(pg, lambda s: s["tag"] == "INPUT")  # the search box
    pg.keyboard.type("cluster")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"/en/projects\?q=cluster$"))

    # a filter: Space on a country's box submits the search, the box keeps the focus
    _tab_to(pg, lambda s: s["tag"] == "INPUT" and s["text"] == "SE"
            and pg.evaluate("document.activeElement.name") == "country", limit=200)
    pg.keyboard.press("Space")
    pg.wait_for_url(re.compile(r"country=SE"))
    pg.wait_for_function("document.activeElement && document.activeElement.value === 'SE'")
    assert pg.evaluate("document.activeElement.checked")
    _focused(pg)

    # on through the filters to the first result's link
    hit = _tab_to(pg, lambda s: (s["href"] or "").startswith("/en/projects/"), limit=400)
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(re.escape(base_url + hit["href"]) + "$"))
    assert pg.locator("article.project h1").count() == 1

    # back: the breadcrumb to the search, then the home link
    _tab_to(pg, lambda s: s["href"] == "/en/projects" and s["text"] == "Search projects"
            and pg.evaluate("!!document.activeElement.closest('nav.crumbs')"))
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"/en/projects$"))
    _tab_to(pg, lambda s: s["href"] == "/en/" and s["text"] == "Home")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"/en/$"))
    assert pg.locator("h1").inner_text() == "Find EU-funded projects"
    context.close()


# -- a project's themes link to the facet that holds them ---------------------------------------

TAGS = re.compile(r'<ul class="tags">(.*?)</ul>', re.S)
TAG_LINK = re.compile(r'<a href="/en/projects\?(\w+)=([^"]+)">')
OWN_FACET = {"keep": {"theme", "objective"}, "cordis": {"field"}, "eac": {"activity"},
             "kohesio": {"objective"}}


def test_find_a_partner_open_its_page_open_a_shared_project_and_come_back(browser, portal):
    """Issue 15's walk: the partner finder with words and two countries, an organisation it
    proposes, one of the projects it shows as evidence, then Back to the results."""
    context = _context(browser, portal, DESKTOP)
    pg = context.new_page()
    _open(pg, "/en/partners", "partners")
    pg.fill("#q", "innovation clusters")
    pg.check("#c-LV")
    pg.check("#c-SE")
    pg.click("form.partners-form button[type=submit]")
    pg.wait_for_url("**/en/partners?**")
    results = pg.locator("li.partner")
    assert results.count() == 10
    first = results.first
    name = first.locator("h3 a").inner_text()
    project = first.locator(".evidence a").first.get_attribute("href")
    assert project and project.startswith("/en/projects/")
    listed = pg.url
    pg.screenshot(path=str(SHOTS / "partners-walk-1-results.png"), full_page=True)
    first.locator("h3 a").click()
    pg.wait_for_url("**/en/organisations/**")
    assert pg.locator("h1").inner_text().strip() == name
    # the project it shares: on its page, among its projects
    pg.locator(f'main a[href="{project}"]').first.click()
    pg.wait_for_url(f"**{project}")
    assert pg.locator("h1").count() == 1
    pg.screenshot(path=str(SHOTS / "partners-walk-2-project.png"), full_page=True)
    pg.go_back()
    pg.wait_for_url("**/en/organisations/**")
    pg.go_back()
    assert pg.url == listed
    assert pg.locator("li.partner").count() == 10
    assert pg.locator("#c-LV").is_checked() and pg.locator("#q").input_value() == (
        "innovation clusters")
    context.close()


def test_each_theme_tag_searches_its_own_facet_and_finds_the_project(combined_copy):
    from urllib.parse import unquote_plus

    from starlette.testclient import TestClient

    catalog = combined_copy
    catalog.import_files("kohesio", [INTERREG, *OTHERS])
    chosen = {ARCH_3D}  # keep.eu's themes and its Kohesio operation's objectives
    for facet in ("theme", "field", "activity", "objective"):
        top = catalog.search(SearchQuery.from_params({"size": "1"})).facets[facet][0].value
        hits = catalog.search(SearchQuery.from_params({facet: top, "size": "1"}))
        chosen.add(hits.items[0].project.id)
    linked: set[str] = set()
    with TestClient(create_app(catalog)) as client:
        for pid in sorted(chosen):
            project = catalog.project(pid).project
            page = client.get(f"/en/projects/{pid}").text
            tags = TAGS.search(page)
            assert tags, pid
            links = TAG_LINK.findall(tags.group(1))
            assert len(links) == len(project.themes) > 0, (pid, links)
            for facet, value in links:
                assert facet in OWN_FACET[project.source], (pid, facet)
                linked.add(facet)
                params = {facet: unquote_plus(value)}
                assert client.get(f"/en/projects?{facet}={value}").status_code == 200
                found = {i.project.id for i in catalog.iter_matches(
                    SearchQuery.from_params(params))}
                assert pid in found, (pid, params)
    assert linked == {"theme", "field", "activity", "objective"}
