"""Shared fixtures: the real files in place, a fresh catalog per test, one real catalog per
session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from euprojects.catalog import Catalog
from euprojects.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 11, 28)


def shared_data_dir() -> Path:
    return Path(os.environ.get("EUPROJECTS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _need(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real data file {path.name} is missing (set EUPROJECTS_SHARED_DATA)")
        pytest.skip(f"real data file {path.name} not found (set EUPROJECTS_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def keep_file() -> Path:
    return _need(shared_data_dir() / "keep" / "keep_closed_1420.xlsx")


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    settings = load_settings({"db": tmp_path / "test.db", "today": TODAY.isoformat()}, {})
    with Catalog(settings) as c:
        yield c


@pytest.fixture(scope="session")
def real_catalog(tmp_path_factory: pytest.TempPathFactory, keep_file: Path) -> Catalog:
    """The real keep.eu file and the hand-made keep.eu fixtures, imported once."""
    db = tmp_path_factory.mktemp("real") / "real.db"
    settings = load_settings({"db": db, "today": TODAY.isoformat()}, {})
    c = Catalog(settings)
    c.import_files("keep-eu", [keep_file])
    c.import_files(
        "keep-eu",
        [
            DATA / "keep" / "keep_api_seed.json",
            DATA / "keep" / "keep_api_projects.json",
            DATA / "keep" / "keep_current_export.xlsx",
        ],
    )
    yield c
    c.close()


@pytest.fixture(scope="session")
def combined_catalog(tmp_path_factory: pytest.TempPathFactory, keep_file: Path) -> Catalog:
    """keep.eu, CORDIS and EAC: the real files of three sources in one catalog."""
    data = shared_data_dir()
    cordis = _need(data / "cordis" / "cordis_horizon_projects_xml_sample.zip")
    eac = _need(data / "eac" / "creative_europe_project_results_sample.xls")
    db = tmp_path_factory.mktemp("combined") / "combined.db"
    c = Catalog(load_settings({"db": db, "today": TODAY.isoformat()}, {}))
    c.import_files("keep-eu", [keep_file])
    c.import_files("cordis", [cordis])
    c.import_files("eac", [eac])
    yield c
    c.close()
