"""The search page's defects of issue 13 in a real browser (Debian's Chromium through
Playwright, on test_browser.py's server and fixtures): the back button, the active filters
and the phone's filter drawer, the keyboard, the pages, the dead ends and the facet's "more"
list. Each test failed on the page before its fix."""

from __future__ import annotations

import re
import unicodedata

import pytest
from playwright.sync_api import expect

from euprojects.search import MAX_OFFSET
from test_browser import SHOTS, _total, base_url, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

COUNTRIES = 'fieldset[data-facet="country"] > ul input'


def _box(name: str, value: str) -> str:
    return f'input[name="{name}"][value="{value}"]'


def _active(pg, selector: str) -> bool:
    return bool(pg.evaluate("s => document.activeElement === document.querySelector(s)",
                            selector))


def _phone(browser, base_url):  # noqa: F811
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    return context, context.new_page()


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c)).lower()


# -- 1. the back button -------------------------------------------------------------------------


def test_after_back_the_form_shows_the_url_and_the_next_tick_keeps_no_stale_filter(page):  # noqa: F811
    page.goto("/en/projects?q=cluster")
    first, second = (page.locator(COUNTRIES).nth(i).get_attribute("value") for i in (0, 1))
    page.check(_box("country", first))
    page.wait_for_url(re.compile(rf"country={first}"))
    page.select_option("#sort", "-start_date")
    page.wait_for_url(re.compile(r"sort=-start_date"))

    page.go_back()
    page.wait_for_url(re.compile(rf"country={first}(?!.*sort=-)"))
    expect(page.locator("#sort")).to_have_value("")  # the URL sorts by default
    page.go_back()
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster$"))
    expect(page.locator(_box("country", first))).not_to_be_checked()
    assert page.input_value("#q") == "cluster"

    page.check(_box("country", second))
    page.wait_for_url(re.compile(rf"country={second}"))
    assert f"country={first}" not in page.url  # not the box the browser restored
    assert page.errors == []


# -- 2. active filters, the phone's drawer, the position kept ------------------------------------


def test_active_filters_are_chips_each_removed_by_its_cross_and_all_by_clear_all(page):  # noqa: F811
    page.goto("/en/projects")
    everything = _total(page)
    page.goto("/en/projects?q=cluster&country=SE&start_date_min=2008-01-01&sort=-end_date")
    chips = page.locator(".active-filters a.chip")
    texts = chips.all_inner_texts()
    assert len(texts) == 3, texts
    assert any("cluster" in t for t in texts)
    assert any("Sweden" in t for t in texts)
    assert any("Jan 1, 2008" in t for t in texts)
    assert all("×" in t for t in texts)
    with_all = _total(page)

    page.click('.active-filters a.chip:has-text("Sweden")')
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster&start_date_min=2008-01-01"
                                 r"&sort=-end_date$"))
    assert _total(page) >= with_all
    assert page.locator(".active-filters a.chip").count() == 2

    page.click(".active-filters a.clear-all")
    page.wait_for_url(re.compile(r"/en/projects\?sort=-end_date$"))  # the sort is no filter
    assert _total(page) == everything
    assert page.locator(".active-filters").count() == 0
    assert page.errors == []


def test_words_with_markup_show_as_text_in_chips_and_offers(page):  # noqa: F811
    page.goto("/en/projects?q=cluster+%3Cimg+src%3Dx+onerror%3Dalert(1)%3E+%3Cb%3Ezzzqqqxxy")
    assert _total(page) == 0
    chip = page.locator(".active-filters a.chip").first.inner_text()
    assert "<img src=x onerror=alert(1)> <b>zzzqqqxxy" in chip
    assert page.locator("main img, main b").count() == 0
    assert any("<b>" in t for t in page.locator(".did-you-mean a").all_inner_texts())
    assert page.errors == []


def test_phone_filters_open_in_a_drawer_and_a_tick_keeps_it_open_and_focused(browser, base_url):  # noqa: F811
    context, pg = _phone(browser, base_url)
    pg.goto("/fr/projects?q=cluster")
    first_hit = pg.locator("li.hit").first
    box = first_hit.bounding_box()
    assert box is not None and box["y"] + 40 < 844  # the first result without scrolling
    assert not pg.locator(COUNTRIES).first.is_visible()  # the filters wait in the drawer
    toggle = pg.locator("button.filters-toggle")
    expect(toggle).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "false"

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    boxes = pg.locator(COUNTRIES)
    expect(boxes.nth(2)).to_be_visible()
    value = boxes.nth(2).get_attribute("value")
    boxes.nth(2).tap()
    pg.wait_for_url(re.compile(rf"country={value}"))
    ticked = pg.locator(_box("country", value))
    expect(ticked).to_be_checked()
    expect(ticked).to_be_focused()  # the drawer is open again, on the box just ticked
    expect(ticked).to_be_in_viewport()
    assert pg.locator("button.filters-toggle").get_attribute("aria-expanded") == "true"

    pg.keyboard.press("Escape")  # closes the drawer, back on its button
    expect(pg.locator("button.filters-toggle")).to_be_focused()
    expect(pg.locator(COUNTRIES).first).to_be_hidden()
    assert pg.locator(".active-filters a.chip").count() == 2  # the words and the country
    pg.screenshot(path=str(SHOTS / "search-fr-phone-drawer.png"))
    context.close()


FOCUSABLE = """() => [...document.querySelectorAll(
  "#filters a[href], #filters button, #filters input, #filters select")].filter(
  e => !e.disabled && e.getClientRects().length)"""


def test_tab_goes_round_inside_the_open_drawer(browser, base_url):  # noqa: F811
    context, pg = _phone(browser, base_url)
    pg.goto("/en/projects?q=cluster")
    pg.locator("button.filters-toggle").click()
    inside = "document.getElementById('filters').contains(document.activeElement)"
    pg.evaluate(f"() => ({FOCUSABLE})().at(-1).focus()")  # the drawer's last control
    pg.keyboard.press("Tab")
    assert pg.evaluate(f"() => document.activeElement === ({FOCUSABLE})()[0]")
    pg.keyboard.press("Shift+Tab")
    assert pg.evaluate(f"() => document.activeElement === ({FOCUSABLE})().at(-1)")
    for _ in range(5):  # never behind the drawer, onto the page it covers
        pg.keyboard.press("Tab")
        assert pg.evaluate(inside)
    pg.keyboard.press("Escape")
    expect(pg.locator("button.filters-toggle")).to_be_focused()
    pg.keyboard.press("Tab")  # closed, the page's order again
    assert not pg.evaluate(inside)
    context.close()


def test_a_tick_far_down_the_filters_keeps_the_box_where_it_was(page):  # noqa: F811
    page.goto("/en/projects?q=cluster")
    boxes = page.locator("aside.filters fieldset.facet > ul input")
    target = boxes.nth(boxes.count() - 1)  # the last facet's last value, far below the fold
    name, value = target.get_attribute("name"), target.get_attribute("value")
    target.scroll_into_view_if_needed()
    before = target.bounding_box()["y"]
    assert page.evaluate("window.scrollY") > 0
    target.click()  # it submits at once: check() would look at the page that answers
    page.wait_for_url(re.compile(rf"{name}="))
    ticked = page.locator(_box(name, value))
    expect(ticked).to_be_focused()
    after = ticked.bounding_box()["y"]
    assert abs(after - before) < 60, (before, after)  # not thrown to the top of the page
    assert page.errors == []


# -- 3. the keyboard ----------------------------------------------------------------------------


def test_skip_to_results_is_the_second_tab_stop_and_lands_on_the_results(page):  # noqa: F811
    page.goto("/en/projects?q=cluster")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to results"
    assert page.locator('a.skip[href="#results"]').is_visible()  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    expect(page.locator("li.hit").first).to_be_in_viewport()


def test_space_on_a_filter_keeps_the_focus_on_it_after_the_reload(page):  # noqa: F811
    page.goto("/en/projects?q=cluster")
    value = page.locator(COUNTRIES).nth(1).get_attribute("value")
    page.focus(_box("country", value))
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(rf"country={value}"))
    expect(page.locator(_box("country", value))).to_be_checked()
    expect(page.locator(_box("country", value))).to_be_focused()
    page.keyboard.press("Space")  # and the next Space unticks it, from the same place
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster$"))
    expect(page.locator(_box("country", value))).to_be_focused()


def _luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", css)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_focus_ring_on_the_grey_filter_panel_has_contrast(page):  # noqa: F811
    page.goto("/en/projects?q=cluster")
    page.keyboard.press("Tab")  # keyboard use: focus rings show
    page.focus(f"{COUNTRIES} >> nth=0")
    style = page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        return {visible: el.matches(":focus-visible"), color: s.outlineColor,
                width: parseFloat(s.outlineWidth), line: s.outlineStyle,
                panel: getComputedStyle(el.closest("aside.filters")).backgroundColor};
    }""")
    assert style["visible"] and style["line"] == "solid" and style["width"] >= 2, style
    # WCAG 2.2, 1.4.11 and 2.4.13: a focus indicator at 3:1 against what is around it
    assert _contrast(style["color"], style["panel"]) >= 3, style
    assert _contrast(style["color"], "rgb(255, 255, 255)") >= 3, style


# -- 4. pages and clean addresses ---------------------------------------------------------------


def test_numbered_pages_with_previous_next_and_the_range_shown(page):  # noqa: F811
    from euprojects.web._params import PAGE_OFFSET_LIMIT

    page.goto("/en/projects?q=cluster")
    total = _total(page)
    assert total > 30
    pager = page.locator("nav.pager")
    assert f"1–10 of {total}" in page.inner_text(".shown")
    assert pager.locator('[aria-current="page"]').inner_text() == "1"
    assert pager.locator('a[rel="prev"]').count() == 0
    last = (total + 9) // 10
    assert pager.locator(f'a.page:text-is("{last}")').count() == 1  # the last page, linked

    page.click('nav.pager a.page:text-is("2")')
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster&page=2$"))
    assert f"11–20 of {total}" in page.inner_text(".shown")
    first_page = page.request.get("/api/v1/projects?q=cluster").json()
    second_page = page.request.get(
        f"/api/v1/projects?q=cluster&cursor={first_page['meta']['next_cursor']}").json()
    ids = page.eval_on_selector_all("li.hit", "els => els.map(e => e.dataset.id)")
    assert ids == [r["id"] for r in second_page["results"]]  # the cursor's page, numbered

    page.click('nav.pager a[rel="next"]')
    page.wait_for_url(re.compile(r"page=3$"))
    assert pager.locator('[aria-current="page"]').inner_text() == "3"
    page.click('nav.pager a[rel="prev"]')
    page.wait_for_url(re.compile(r"page=2$"))
    page.click('nav.pager a.page:text-is("1")')
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster$"))  # page 1 has no number

    r = page.request.get(f"/en/projects?q=cluster&page={PAGE_OFFSET_LIMIT // 10 + 2}")
    assert r.status == 400 and "page" in r.text()
    assert PAGE_OFFSET_LIMIT == MAX_OFFSET  # the pages end where the cursors do


def test_a_submitted_search_has_no_empty_parameters(page):  # noqa: F811
    page.goto("/en/projects?q=cluster&country=SE")
    page.fill("#q", "energy")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=energy"))
    assert page.url.endswith("/en/projects?q=energy&country=SE"), page.url
    page.select_option("#sort", "-start_date")
    page.wait_for_url(re.compile(r"sort=-start_date"))
    assert page.url.endswith("/en/projects?q=energy&country=SE&sort=-start_date"), page.url


def test_an_address_with_empty_parameters_redirects_to_its_clean_form(browser, base_url):  # noqa: F811
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    pg = context.new_page()
    r = pg.request.get("/en/projects?q=cluster&start_date_min=&country=SE&sort=&q=",
                       max_redirects=0)
    assert r.status == 301
    assert r.headers["location"] == "/en/projects?q=cluster&country=SE"
    pg.goto("/de/projects?q=cluster")
    pg.click("#search-form .searchrow button[type=submit]")  # without script: every field
    pg.wait_for_load_state()
    assert pg.url == f"{base_url}/de/projects?q=cluster"
    context.close()


# -- 5. dead ends -------------------------------------------------------------------------------


def test_no_result_offers_searches_that_find_projects_and_no_downloads(page):  # noqa: F811
    page.goto("/en/projects?q=cluster+zzzqqqxxy")
    assert _total(page) == 0
    assert page.locator("section.exports").count() == 0  # nothing to download
    offers = page.locator(".did-you-mean a")
    texts = offers.all_inner_texts()
    assert any(t.startswith("cluster") for t in texts), texts
    page.click('.did-you-mean a:text-is("cluster")')
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster$"))
    assert _total(page) > 0
    assert page.locator("section.exports a").count() == 6


def test_did_you_mean_offers_the_index_spelling_first_and_above_results(page):  # noqa: F811
    page.goto("/fr/projects?q=renewabel+energy&typos=0")
    assert _total(page) == 0
    first = page.locator(".did-you-mean a").first
    assert first.inner_text() == "renewable energy"
    first.click()
    page.wait_for_url(re.compile(r"/fr/projects\?typos=0&q=renewable\+energy$"))
    assert _total(page) > 0
    assert page.locator("p.spelling").count() == 0  # every word is held now
    # with typos the misspelt search finds projects, and still names the spelling
    page.goto("/de/projects?q=renewabel+energy")
    assert _total(page) > 0
    link = page.locator("p.spelling a")
    assert link.inner_text() == "renewable energy"
    assert link.get_attribute("href") == "/de/projects?q=renewable+energy"
    assert page.errors == []


def test_a_search_that_cannot_be_read_keeps_its_query_in_a_box_to_edit(page):  # noqa: F811
    long_query = "cluster " * 130
    r = page.goto(f"/en/projects?country=SE&q={long_query.replace(' ', '+')}")
    assert r.status == 400
    box = page.locator("main form input[name=q]")
    assert box.input_value() == long_query  # to shorten, not to type again
    again = page.locator("a.again").get_attribute("href")
    assert again == "/en/projects?country=SE"  # not the query that failed once more
    box.fill("cluster")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/en/projects\?q=cluster&country=SE$"))
    assert _total(page) > 0

    page.goto("/en/projects?q=cluster&size=0")
    assert page.locator("main form input[name=q]").input_value() == "cluster"
    assert page.locator("a.again").get_attribute("href") == "/en/projects?q=cluster"

    r = page.goto("/de/nowhere")  # a page not found offers a search too
    assert r.status == 404
    page.fill("main form input[name=q]", "cluster")
    page.press("main form input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/de/projects\?q=cluster$"))


# -- 6. a facet's "more" list -------------------------------------------------------------------


def test_a_box_finds_values_in_a_facets_more_list(page):  # noqa: F811
    page.goto("/en/projects")
    more = page.locator('fieldset[data-facet="country"] details')
    more.locator("summary").click()
    items = more.locator("li")
    counts = [int(c) for c in more.locator("input[type=checkbox]").evaluate_all(
        "els => els.map(e => e.dataset.count)")]
    assert counts == sorted(counts, reverse=True)  # the top values first
    last = items.last
    label = last.locator("label").evaluate("l => l.firstChild.textContent.trim()")
    find = more.locator("input.find-value")
    expect(find).to_be_visible()
    find.fill(label[:4].upper())
    visible = [t for t in items.all() if t.is_visible()]
    assert 0 < len(visible) < items.count()
    assert all(_fold(label[:4]) in _fold(t.inner_text()) for t in visible)
    expect(last).to_be_visible()
    find.press("Enter")  # finds, never submits
    assert page.url.endswith("/en/projects")
    find.fill("qqqqqq")
    expect(more.locator(".find-none")).to_be_visible()
    find.fill(label)
    value = last.locator("input").get_attribute("value")
    last.locator("input").click()  # it submits at once: check() would wait on the old page
    page.wait_for_url(re.compile(rf"country={value}$"))
    assert page.errors == []


def test_the_more_list_works_without_javascript(browser, base_url):  # noqa: F811
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    pg = context.new_page()
    pg.goto("/en/projects")
    more = pg.locator('fieldset[data-facet="country"] details')
    more.locator("summary").click()
    assert not more.locator("input.find-value").is_visible()
    box = more.locator("li input").last
    value = box.get_attribute("value")
    box.check()
    pg.click("aside.filters button[type=submit]")
    pg.wait_for_url(re.compile(rf"country={value}$"))
    assert pg.locator(".active-filters a.chip").count() == 1
    context.close()

