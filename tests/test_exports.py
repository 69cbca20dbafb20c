"""`euprojects export`: every match of a search, as the API's exports give them; and
`Catalog.iter_matches` under them: every match once, in the query's order, in few searches."""

from __future__ import annotations

import csv
import io
import itertools
import json

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import cli_env
from euprojects.catalog import Catalog
from euprojects.cli import cli
from euprojects.exports import Options, iter_csv
from euprojects.search import SearchQuery, TantivyIndex


def _run(real_catalog, *args):
    env = cli_env(real_catalog.settings.db)
    result = CliRunner().invoke(cli, ["export", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_export_csv_to_standard_output_has_every_match(real_catalog):
    out = _run(real_catalog, "cluster", "--country", "SE").stdout
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    total = real_catalog.search(SearchQuery.from_params({"q": "cluster", "country": "SE"})).total
    assert len(rows) == total > 10
    assert all("SE" in row["countries"].split() for row in rows)


def test_export_files_in_each_format(real_catalog, tmp_path):
    everything = real_catalog.count_projects()
    csv_file, jsonl_file, xlsx_file = (tmp_path / f"p.{x}" for x in ("csv", "jsonl", "xlsx"))
    _run(real_catalog, "--bom", "-o", str(csv_file))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbfid,acronym,title,")
    with csv_file.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == everything
    _run(real_catalog, "--format", "jsonl", "--period", "2014-2020", "-o", str(jsonl_file))
    lines = [json.loads(line) for line in jsonl_file.read_text("utf-8").splitlines()]
    assert lines and {p["period"] for p in lines} == {"2014-2020"}
    result = _run(real_catalog, "--format", "xlsx", "--country", "LV", "-o", str(xlsx_file))
    book = openpyxl.load_workbook(xlsx_file, read_only=True)
    rows = list(book["projects"].iter_rows(values_only=True))
    book.close()
    total = real_catalog.search(SearchQuery.from_params({"country": "LV"})).total
    assert len(rows) == total + 1
    assert result.stderr == f"{total} projects written to {xlsx_file}\n"


def test_export_xlsx_needs_a_file(real_catalog):
    env = {k: v for k, v in cli_env(real_catalog.settings.db).items()
           if k != "EUPROJECTS_TODAY"}
    result = CliRunner().invoke(cli, ["export", "--format", "xlsx"], env=env)
    assert result.exit_code == 2
    assert "--format xlsx needs --output FILE" in result.output


class _RecordingIndex(TantivyIndex):
    """The real index, noting how many ids each export search (no facet counts) asked for
    and got."""

    def __init__(self, path):
        super().__init__(path)
        self.pages: list[tuple[int, int]] = []

    def search(self, query, today, facets=True, snapshot=None, offset=None, semantic=()):
        raw = super().search(query, today, facets, snapshot, offset, semantic)
        if not facets and snapshot is not None:
            self.pages.append((query.size, len(raw.hits)))
        return raw


@pytest.fixture
def exporting(real_catalog):
    """A catalog of its own over the real data, its export searches recorded."""
    with Catalog(real_catalog.settings) as catalog:
        catalog.index = _RecordingIndex(catalog.settings.index_path)
        yield catalog


def _paged_ids(catalog, params):
    """Every id of a search, page after page of 100 as a client pages through the API."""
    ids, cursor = [], None
    while True:
        page = catalog.search(SearchQuery.from_params(
            {**params, "size": "100", **({"cursor": cursor} if cursor else {})}))
        ids += page.ids
        cursor = page.next_cursor
        if not cursor:
            return ids, page.total


@pytest.mark.parametrize("params", [{}, {"q": "development"},
                                    {"q": "region", "sort": "-start_date"}])
def test_every_match_once_in_the_order_of_the_pages(exporting, params):
    paged, total = _paged_ids(exporting, params)
    assert total > 1000 and len(paged) == total
    for first in (500, 7):  # the default, and a first batch that puts many ends in the pages
        exported = [item.project.id for item in
                    exporting.iter_matches(SearchQuery.from_params(params), first)]
        assert exported == paged


def test_export_pages_grow_so_the_work_stays_linear(exporting):
    query = SearchQuery.from_params({"q": "development"})
    total = exporting.search(query).total
    assert total == 1433
    assert sum(1 for _ in exporting.iter_matches(query, 7)) == total
    pages = exporting.index.pages
    assert pages == [(7, 7), (14, 14), (28, 28), (56, 56), (112, 112), (224, 224), (448, 448),
                     (896, 544)]
    # a page at an offset costs collecting the hits before it too: count them all
    offsets = [sum(got for _, got in pages[: n + 1]) for n in range(len(pages))]
    assert sum(offsets) < 3 * total  # pages of 7 all through: about total**2 / 14


def test_export_pages_stop_growing_at_the_most(exporting):
    query = SearchQuery.from_params({"q": "development"})
    exported = [item.project.id for item in exporting.iter_matches(query, 7, most=100)]
    assert exported == _paged_ids(exporting, {"q": "development"})[0]
    assert [size for size, _ in exporting.index.pages] == [7, 14, 28, 56] + [100] * 14


def test_every_projects_brief_read_by_the_store_is_its_brief(combined_catalog):
    """The store reads a brief from the stored JSON (store.get_briefs): the same as the whole
    project's, for every project of the three sources (a project shown with another source's
    record: tests/test_kohesio_links.py)."""
    store = combined_catalog.store
    ids = [p.id for p in store.iter_projects()]
    projects = store.get_projects(ids)
    briefs = store.get_briefs(ids)
    assert len(briefs) == len(ids) > 3000
    assert briefs == {pid: p.brief() for pid, p in projects.items()}
    assert store.get_briefs(["keep:no-such-project"]) == {}


def test_the_csv_of_briefs_is_the_csv_of_the_whole_projects(combined_catalog):
    """An export reads briefs (Catalog.iter_briefs), not whole projects: byte for byte the same
    CSV, and the same order as iter_matches."""
    query = SearchQuery.from_params({"q": "energy"})
    options = Options(link_of=lambda p: f"https://example.org/en/projects/{p.id}")
    whole = [(i.project, i.status) for i in combined_catalog.iter_matches(query, 7)]
    briefs = list(combined_catalog.iter_briefs(query, 7))
    assert len(briefs) == len(whole) > 100
    assert [b.id for b, _ in briefs] == [p.id for p, _ in whole]
    assert "".join(iter_csv(briefs, options=options)) == "".join(iter_csv(whole, options=options))
    exported = combined_catalog.export(query, "csv")
    assert "".join(exported) == "".join(iter_csv(whole, options=exported.options))


def test_an_export_stopped_halfway_leaves_the_catalog_exporting(combined_catalog):
    query = SearchQuery.from_params({})
    rows = combined_catalog.iter_briefs(query, 7)
    first = [next(rows) for _ in range(20)]
    rows.close()  # a client gone: the read ahead is dropped
    again = [b for b, _ in itertools.islice(combined_catalog.iter_briefs(query, 7), 20)]
    assert [b for b, _ in first] == again
