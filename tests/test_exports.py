"""`euprojects export`: every match of a search, as the API's exports give them."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from click.testing import CliRunner

from conftest import TODAY
from euprojects.cli import cli
from euprojects.search import SearchQuery


def _run(real_catalog, *args):
    env = {"EUPROJECTS_DB": str(real_catalog.settings.db), "EUPROJECTS_TODAY": TODAY.isoformat()}
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
    env = {"EUPROJECTS_DB": str(real_catalog.settings.db)}
    result = CliRunner().invoke(cli, ["export", "--format", "xlsx"], env=env)
    assert result.exit_code == 2
    assert "--format xlsx needs --output FILE" in result.output
