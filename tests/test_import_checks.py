"""The importer driver (importers/_driver.py): one counting, one de-duplication and the checks
every source shares, each finding flagged and the record kept as given."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import TODAY
from euprojects.importers import (
    IMPORTERS,
    FileReport,
    Parsed,
    SourceReader,
    check,
)
from euprojects.importers._cells import Row
from euprojects.importers.cordis_csv import CordisCsvReader
from euprojects.importers.cordis_xml import CordisXmlReader
from euprojects.importers.eac import EacResultsReader
from euprojects.importers.keep_api import KeepApiReader
from euprojects.importers.keep_export import KeepExportReader
from euprojects.importers.kohesio import KohesioReader
from euprojects.model import LangText, Money, Participation, Project, ProjectRecord, Role

READERS = (KeepExportReader, KeepApiReader, CordisXmlReader, CordisCsvReader, EacResultsReader,
           KohesioReader)


def _record(**changes) -> ProjectRecord:
    project = Project(id="keep:x", source="keep", title=LangText("A project"), source_id="x",
                      start_date=date(2020, 1, 1), end_date=date(2022, 12, 31),
                      eu_contribution=Money(Decimal("800")), total_budget=Money(Decimal("1000")))
    participations = changes.pop("participations", ())
    return ProjectRecord(dataclasses.replace(project, **changes), participations)


def _flags(record: ProjectRecord, columns=None) -> list[tuple[str | None, str]]:
    report = FileReport("f.xlsx", "test")
    check(record, Row(report, "sheet", 7), TODAY, columns)
    assert all(i.action == "flagged" and i.row == 7 and i.reason.endswith("; kept as given")
               for i in report.issues)
    return [(i.field, i.reason.removesuffix("; kept as given")) for i in report.issues]


def test_a_clean_record_raises_nothing():
    assert _flags(_record()) == []
    # closed in the past, ongoing in the future, planned: what the dates say is no finding
    assert _flags(_record(source_status="closed")) == []
    assert _flags(_record(end_date=date(2030, 1, 1))) == []
    assert _flags(_record(start_date=date(2027, 1, 1), end_date=date(2030, 1, 1))) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"end_date": date(2019, 12, 31)},
     [("end_date", "ends (2019-12-31) before it starts (2020-01-01)")]),
    ({"eu_contribution": Money(Decimal("-5"))},
     [("eu_contribution", "an amount below zero (-5)")]),
    ({"total_budget": Money(Decimal("-1000")), "eu_contribution": None},
     [("total_budget", "an amount below zero (-1000)")]),
    ({"participations": (Participation("keep:x", "org:a", Role.LEAD, 1,
                                       budget=Money(Decimal("-2"))),)},
     [("participant_budget", "participant 1: an amount below zero (-2)")]),
    ({"eu_contribution": Money(Decimal("1200"))},
     [("eu_contribution", "the EU amount (1200) is above the total budget (1000)")]),
    ({"source_cofinancing_rate": Decimal("120")},
     [("cofinancing_rate", "a co-financing rate above 100 % (120)")]),
    ({"source_status": "closed", "end_date": date(2027, 6, 30)},
     [("end_date", "said closed, but it ends 2027-06-30, after today (2026-11-28)")]),
    ({"source_status": "terminated", "start_date": date(2027, 1, 1),
      "end_date": date(2028, 1, 1)},
     [("start_date", "said terminated, but it starts 2027-01-01, after today (2026-11-28)")]),
])
def test_each_shared_check_flags_and_keeps_the_record(changes, expected):
    record = _record(**changes)
    before = dataclasses.replace(record.project)
    assert _flags(record) == expected
    assert record.project == before  # reported, never mended


def test_a_finding_names_the_field_as_the_source_does():
    columns = {"end_date": "Project end"}
    assert _flags(_record(end_date=date(2019, 1, 1)), columns) == [
        ("Project end", "ends (2019-01-01) before it starts (2020-01-01)")]


class _Rows(SourceReader):
    """A reader of hand-made rows: the driver's counting without a file format around it."""

    def __init__(self, items: list[tuple[int, ProjectRecord | None, int, int]]) -> None:
        self.path = Path("rows.txt")
        self.report = FileReport("rows.txt", "test")
        self.items = items
        self.today = TODAY

    def parse(self) -> Iterator[Parsed]:
        for number, record, read, rejected in self.items:
            yield Parsed(Row(self.report, None, number), record, read, rejected)


def test_the_driver_counts_every_row_once_and_leaves_out_repeats():
    a, b = _record(), _record(id="keep:y", source_id="y", end_date=date(2019, 1, 1))
    reader = _Rows([
        (2, a, 1, 0),
        (3, None, 1, 0),  # rejected by the reader (it said why)
        (4, b, 4, 1),  # a project of four rows, one partner row of which is left out
        (8, a, 2, 0),  # the first project again: both its rows rejected
    ])
    assert [r.project.id for r in reader] == ["keep:x", "keep:y"]
    report = reader.report
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (8, 4, 4)
    assert report.balanced
    assert [(i.row, i.field, i.action) for i in report.issues] == [
        (4, "end_date", "flagged"), (8, "id", "rejected")]
    assert report.issues[1].reason == "project x again; left out"


def test_every_importer_is_driven():
    """No reader counts or de-duplicates on its own: each only parses, the driver iterates."""
    for reader in READERS:
        assert issubclass(reader, SourceReader)
        assert reader.__iter__ is SourceReader.__iter__, reader.__name__
    assert set(IMPORTERS) == {"keep-eu", "cordis", "eac", "kohesio"}


def test_the_real_keep_file_gets_the_shared_checks(keep_read):
    """Two projects of the real keep.eu export end a day before they start; one declares an
    EU amount of EUR 499 815 164 on a total budget of EUR 588 017.84."""
    reader, records = keep_read  # open_reader("keep-eu", the real file, today=TODAY), read once
    assert len(records) == reader.expected
    findings = [(i.row, i.field, i.reason) for i in reader.report.issues
                if i.reason.endswith("kept as given")]
    assert findings == [
        (1287, "EU Funding", "the EU amount (499815164.00) is above the total budget "
                             "(588017.84); kept as given"),
        (1392, "Project end", "ends (2019-09-21) before it starts (2019-09-22); kept as given"),
        (1600, "Project end", "ends (2017-10-11) before it starts (2017-10-12); kept as given"),
    ]
    report = reader.report
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (10512, 10512, 0)
