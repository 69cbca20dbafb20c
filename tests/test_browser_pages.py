"""Project pages of each source family in a real browser (issue 13): Debian's Chromium driven
by Playwright, its requests answered by the portal in process, over the real keep.eu, CORDIS
and EAC files. Screenshots go to var/screenshots/ (git-ignored)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from conftest import Built, copy_catalog, settings_for
from euprojects.catalog import Catalog
from euprojects.web import create_app
from test_browser import CHROMIUM, FLAGS, SHOTS, _need_chromium

pytestmark = pytest.mark.browser

CUE_GO = "cordis:101116257"
KEEP_ALONE = "keep:62fa47e06a90"
RAW = ("teaser", "rcn", "policy priority", "participant ", "field of science", "signature date")

# every column of the partner table: its heading, and whether some row has a value in it
COLUMNS = """() => {
  const table = document.querySelector("section.partners table.data");
  if (!table) return [];
  const heads = [...table.querySelectorAll("thead th")].map(th => th.innerText.trim());
  const rows = [...table.querySelectorAll("tbody tr")].map(
    tr => [...tr.children].map(c => c.innerText.trim()));
  return heads.map((h, i) => [h, rows.some(r => r[i] !== "")]);
}"""


ORIGIN = "http://portal.test"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, combined_built: Built) -> TestClient:
    """The portal over a copy of the combined catalog, answering in process: the browser's
    requests to ORIGIN are answered by it (no server, no port)."""
    _need_chromium()
    db = copy_catalog(combined_built, tmp_path_factory.mktemp("browser_pages"), "pages")
    with Catalog(settings_for(db)) as catalog, TestClient(create_app(catalog)) as client:
        yield client


@pytest.fixture
def page(portal: TestClient):
    from playwright.sync_api import sync_playwright

    def answer(route) -> None:  # every request of the page, to the portal in process
        r = portal.get(route.request.url.removeprefix(ORIGIN), follow_redirects=False)
        route.fulfill(status=r.status_code, headers=dict(r.headers), body=r.content)

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(base_url=ORIGIN, viewport={"width": 1280, "height": 900})
        context.route(f"{ORIGIN}/**", answer)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        assert errors == []
        browser.close()


def test_a_cordis_and_a_keep_page_as_a_reader_sees_them(page):
    page.goto(f"/fr/projects/{CUE_GO}")
    labels = [t.strip() for t in page.locator("aside.facts dt").all_inner_texts()]
    assert "Priorités politiques" in labels and "Régime de financement" in labels
    assert len(labels) == len(set(labels))
    assert not [label for label in labels if label.lower().startswith(RAW)]
    priorities = page.locator("aside.facts div", has_text="Priorités politiques")
    assert priorities.locator("li").all_inner_texts() == [
        "Digital agenda", "Clean air", "Artificial intelligence", "Climate action", "Biodiversity"]
    columns = page.evaluate(COLUMNS)
    assert [h for h, _ in columns] == ["Organisation", "Rôle", "Ville", "Pays", "Montant UE",
                                       "Contribution UE nette", "PME", "Participation résiliée"]
    assert all(filled for _, filled in columns)
    assert "257281" not in page.inner_text("aside.facts")  # the record number: JSON only
    page.screenshot(path=str(SHOTS / "project-cordis-fr.png"), full_page=True)

    page.goto(f"/de/projects/{KEEP_ALONE}")
    main = page.inner_text("main")
    assert "Keine weiteren Partner." in main and "0 Projektpartner" not in main
    assert page.locator("section.partners table").count() == 0
    link = page.locator("a.source-search")
    assert link.inner_text() == "Dieses Projekt auf KEEP platform suchen"
    assert link.get_attribute("href").startswith("https://keep.eu/projects/?search=")
    assert "EFRE-Budget" in page.locator("aside.facts dt").all_inner_texts()
    assert "Weitere Projekte dieser Partner" in main
    page.screenshot(path=str(SHOTS / "project-keep-de.png"), full_page=True)


# -- 6. the vocabularies, as a reader of the search page sees them ------------------------------

FACET_COUNTS = """name => [...document.querySelectorAll(
  `fieldset[data-facet="${name}"] input[type=checkbox]`)].map(
  b => [b.labels[0].firstChild.textContent.trim(), Number(b.dataset.count)])"""


def test_topics_themes_and_fields_read_as_a_domain_reader_expects(page):
    page.goto("/fr/projects?source=cordis")
    total = int(page.locator("#count-h").get_attribute("data-total"))
    topics = dict(page.evaluate(FACET_COUNTS, "topic"))
    # the old mapping put "climate" on 1 880 and "digital" on 1 873 of 1 894 CORDIS projects
    assert total == 1894 and len(topics) >= 10
    assert topics.pop("Recherche et innovation") == total  # what CORDIS funds, by definition
    assert max(topics.values()) < total / 3, topics
    assert topics["Climat, environnement et biodiversité"] < total / 5
    titles = page.locator("fieldset[data-facet] legend").all_inner_texts()
    assert len(titles) == len(set(titles))
    assert any(t.startswith("Discipline scientifique (CORDIS)") for t in titles)
    assert not any(t.startswith("Thème (keep.eu)") for t in titles)  # no keep.eu project here
    fields = page.locator('fieldset[data-facet="field"] details')
    fields.locator("summary").click()
    find = fields.locator("input.find-value")
    find.fill("quantum")  # a science term (as CORDIS writes it), found among hundreds
    shown = [li.inner_text() for li in fields.locator("li").all() if li.is_visible()]
    assert shown and all("quant" in s.lower() for s in shown), shown
    page.screenshot(path=str(SHOTS / "search-cordis-fr.png"), full_page=True)

    page.goto("/de/projects?source=keep")
    themes = dict(page.evaluate(FACET_COUNTS, "theme"))
    assert "Tourismus" in themes and "Tourism" not in themes  # keep.eu's themes, translated
    legends = page.locator("fieldset[data-facet] legend").all_inner_texts()
    assert any(t.startswith("Thema (keep.eu)") for t in legends)
    assert not any(t.startswith("Wissenschaftsgebiet (CORDIS)") for t in legends)
