"""A file that is not a keep.eu export is refused whole, with one line, and nothing is written."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from click.testing import CliRunner

from conftest import DATA, cli_env
from euprojects.cli import cli
from euprojects.errors import BadFileError

SEED = DATA / "keep" / "keep_api_seed.json"


def _without_sheet(src, dst, sheet_xml):
    """A copy of the workbook with one sheet removed from the workbook and its parts."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                start = text.index('<sheet name="Partners"')
                text = text[:start] + text[text.index("/>", start) + 2 :]
                data = text.encode("utf-8")
            if item.filename == sheet_xml:
                continue
            zout.writestr(item, data)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, keep_file):
    """The bad files, made once for the module (the tests only read them)."""
    tmp_path = tmp_path_factory.mktemp("bad_files")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(keep_file.read_bytes()[: keep_file.stat().st_size // 2])
    renamed_csv = tmp_path / "projects.xlsx"
    renamed_csv.write_text("Programme,Acronym,Project Name\nX,Y,Z\n", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    no_partners = tmp_path / "no_partners.xlsx"
    _without_sheet(keep_file, no_partners, "xl/worksheets/sheet2.xml")
    not_keep_json = tmp_path / "other.json"
    not_keep_json.write_text('{"hello": "world"}', encoding="utf-8")
    return {
        "truncated": (truncated, "damaged or truncated workbook"),
        "csv": (renamed_csv, "neither an xlsx workbook nor JSON (a CSV or text file?)"),
        "empty": (empty, "the file is empty"),
        "no_partners": (no_partners, "not a complete keep.eu export: no sheet 'Partners'"),
        "json": (not_keep_json, "not keep.eu API JSON"),
    }


@pytest.mark.parametrize("kind", ["truncated", "csv", "empty", "no_partners", "json"])
def test_bad_file_is_refused_and_nothing_is_written(tmp_path, bad_files, kind):
    path, reason = bad_files[kind]
    db = tmp_path / "store.db"
    runner = CliRunner()
    env = cli_env(db)
    first = runner.invoke(cli, ["import", "keep-eu", str(SEED)], env=env)
    assert first.exit_code == 0, first.output
    before = runner.invoke(cli, ["info", "--json"], env=env).output

    # a good file and a bad one in the same run: the bad one refuses the whole run
    result = runner.invoke(cli, ["import", "keep-eu", str(SEED), str(path)], env=env)
    assert result.exit_code != 0
    assert isinstance(result.exception, BadFileError)
    assert reason in str(result.exception)
    assert "\n" not in str(result.exception)
    assert runner.invoke(cli, ["info", "--json"], env=env).output == before


def test_cli_prints_one_line_and_exits_1(tmp_path, bad_files):
    import subprocess
    import sys

    path, reason = bad_files["csv"]
    proc = subprocess.run(
        [sys.executable, "-m", "euprojects", "--db", str(tmp_path / "s.db"), "import", "keep-eu",
         str(path)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        f"Error: {path}: not a keep.eu export: neither an xlsx workbook nor JSON "
        "(a CSV or text file?)\n"
    )


def test_missing_required_column_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    projects = book.active
    projects.title = "Projects (lead partners)"
    projects.append(["Programme", "Project Name", "Project start", "Project end"])
    partners = book.create_sheet("Partners")
    partners.append(["Programme", "Acronym", "Project Partner", "Lead Partner"])
    path = tmp_path / "no_acronym.xlsx"
    book.save(path)
    from euprojects.importers import open_reader

    with pytest.raises(BadFileError) as info:
        open_reader("keep-eu", path)
    assert str(info.value) == (
        f"{path}: sheet 'Projects (lead partners)' lacks the column(s) 'Acronym'"
    )


def test_missing_file(tmp_path):
    from euprojects.importers import open_reader

    with pytest.raises(BadFileError, match="no such file"):
        open_reader("keep-eu", tmp_path / "nope.xlsx")


def test_copy_of_real_file_under_other_name_imports(tmp_path, keep_small):
    """The check reads content, not names: a renamed real export is still accepted (the real
    file cut to its first projects, conftest.keep_small: opening reads every row)."""
    copy = tmp_path / "renamed.bin"
    shutil.copy(keep_small, copy)
    from euprojects.importers import open_reader

    assert open_reader("keep-eu", copy).layout.name == "keep.eu export (2019 layout)"
