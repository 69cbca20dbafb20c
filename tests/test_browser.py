"""The portal in a real browser: Debian's Chromium driven by Playwright, against uvicorn on
loopback over the real data (plus a project whose texts carry markup). Screenshots go to
var/screenshots/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import DATA, ROOT, TODAY, Built, copy_catalog, settings_for
from euprojects.catalog import Catalog
from euprojects.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "var" / "screenshots"
SEED_ID = "keep:f168f72363d6"
NNBSP, NBSP = "\u202f", "\xa0"
UNSAFE = '<script>window.owned = 1; alert("owned")</script> <img src=x onerror="alert(1)">'


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, keep_import: Built) -> Iterator[str]:
    _need_chromium()
    folder = tmp_path_factory.mktemp("browser")
    seed = json.loads((DATA / "keep" / "keep_api_seed.json").read_text("utf-8"))
    seed.update(id=990098, acronym="UNSAFE")
    seed["translations"]["en"]["description"] = UNSAFE
    unsafe = folder / "unsafe.json"
    unsafe.write_text(json.dumps(seed), encoding="utf-8")
    # the real keep.eu file (a copy of the session's import), the seed and the unsafe project
    catalog = Catalog(settings_for(copy_catalog(keep_import, folder, "browser")))
    catalog.import_files("keep-eu", [DATA / "keep" / "keep_api_seed.json", unsafe])
    with serving(catalog) as url:
        yield url
    catalog.close()


@contextmanager
def serving(catalog: Catalog) -> Iterator[str]:
    """The portal over ``catalog`` in uvicorn on a free loopback port, in a thread: its
    address, until the block ends."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(catalog), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (and var/screenshots/ made)."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser(base_url):
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()


def _total(pg) -> int:
    return int(pg.locator("#count-h").get_attribute("data-total"))


def test_search_tick_a_country_open_the_seed_in_french_then_german(page):
    page.goto("/fr/projects")
    page.fill("#q", "cluster")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/fr/projects\?q=cluster"))
    everywhere = _total(page)
    assert everywhere > 10
    page.check('input[name="country"][value="SE"]')  # the script submits the form at once
    page.wait_for_url(re.compile(r"country=SE"))
    assert page.is_checked('input[name="country"][value="SE"]')
    assert 0 < _total(page) < everywhere
    assert page.input_value("#q") == "cluster"
    page.screenshot(path=str(SHOTS / "search-fr.png"), full_page=True)

    page.fill("#q", "BSR CBP")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=BSR\+CBP"))
    page.click(f'li.hit[data-id="{SEED_ID}"] h3 a')
    page.wait_for_url(re.compile(re.escape(f"/fr/projects/{SEED_ID}")))
    text = page.inner_text("main")
    for field in [
        "Capacity Building Programme on Trans-National Cluster and Innovation Systems in the "
        "Baltic Sea Region (BSR CBP)",
        "Date du début : 31 déc. 2008, Date de fin : 23 janv. 2010",
        "PROJET TERMINÉ",
        f"76,8{NBSP}%",
        f"302{NNBSP}699,26{NBSP}€",
        "2007 - 2013 Baltic Sea Region",
        "Projet sur KEEP platform",
        "Projet Website",
        "2 Participants partenaires",
        "Triangle Region",
        "VINNOVA",
        "Suède",
        "Lettonie",
    ]:
        assert field in text, field
    page.screenshot(path=str(SHOTS / "project-fr.png"), full_page=True)

    page.click('nav.langs a[hreflang="de"]')
    page.wait_for_url(re.compile(re.escape(f"/de/projects/{SEED_ID}")))
    text = page.inner_text("main")
    for field in ["Beginn: 31.12.2008, Ende: 23.01.2010", "PROJEKT ABGESCHLOSSEN",
                  "Projekt auf KEEP platform", "Projekt-Website", "2 Projektpartner",
                  "Schweden"]:
        assert field in text, field
    assert page.evaluate("document.documentElement.lang") == "de"
    page.screenshot(path=str(SHOTS / "project-de.png"), full_page=True)
    assert page.errors == []


def _download(page, address: str, link: str, target: Path) -> int:
    """Click ``link`` on the page at ``address``, check the file is named after the search
    (it was always "projects.csv"), save it to ``target``; the search's total."""
    page.goto(address)
    total = _total(page)
    with page.expect_download() as info:
        page.click(link)
    download = info.value
    assert download.suggested_filename == \
        f"euprojects-country-lv-{TODAY.isoformat()}{target.suffix}"
    download.save_as(target)
    return total


def test_download_the_csv_and_read_it_back(page, tmp_path):
    target = tmp_path / "projects.csv"
    total = _download(page, "/en/projects?country=LV",
                      'section.exports a[href^="/api/v1/projects.csv"]:not([href*="bom"])',
                      target)
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"), newline="")))
    assert len(rows) == total > 0
    assert all("LV" in row["countries"].split() for row in rows)
    assert all(re.fullmatch(r"keep:[0-9a-f]{12}", row["id"]) for row in rows)


def test_the_spreadsheet_with_partners_speaks_the_page_language(page, tmp_path):
    """From a French page: French headers, the lead partner and every participant (the export
    had English snake_case headers and no partner)."""
    target = tmp_path / "projects.xlsx"
    total = _download(page, "/fr/projects?country=LV", "section.exports a.with-partners", target)
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book["projects"].iter_rows(values_only=True))
    book.close()
    assert rows[0][:3] == ("Fiche", "Acronyme", "Titre")
    assert "Partenaire chef de file" in rows[0] and "Participants" in rows[0]
    at = rows[0].index("Participants")
    assert len(rows) == total + 1
    assert all(row[at] and "(LV)" in row[at] for row in rows[1:])


def test_markup_in_a_description_shows_as_text_and_runs_nothing(page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/en/projects?q=UNSAFE")
    page.click("li.hit h3 a")
    page.wait_for_url(re.compile(r"/en/projects/keep:"))
    shown = page.inner_text("section.text-block p")
    assert shown == UNSAFE
    assert page.evaluate("window.owned === undefined")
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    page.screenshot(path=str(SHOTS / "project-unsafe.png"), full_page=True)
    assert dialogs == [] and page.errors == []


def test_filters_work_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    pg = context.new_page()
    pg.goto("/de/projects?q=cluster")
    everywhere = _total(pg)
    box = pg.locator('fieldset[data-facet="country"] > ul input').nth(1)
    country = box.get_attribute("value")
    box.check()
    assert "country=" not in pg.url  # nothing submits by itself
    pg.click("aside.filters button[type=submit]")
    pg.wait_for_url(re.compile(rf"country={country}"))
    assert 0 < _total(pg) < everywhere
    context.close()


def test_phone_layout_screenshot(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                  is_mobile=True)
    pg = context.new_page()
    pg.goto("/fr/projects?q=cluster")
    width = pg.evaluate("document.documentElement.scrollWidth")
    wide = pg.evaluate("""Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 392).slice(0, 8).map(e => e.tagName + "." + e.className + " " + e.textContent.slice(0, 40))""")
    assert width <= 390, wide  # nothing wider than the phone
    pg.screenshot(path=str(SHOTS / "search-fr-phone.png"), full_page=False)
    context.close()
