"""The importer driver: what every source's import shares. A reader only maps a file's rows
to records (``SourceReader.parse``); the driver counts them (read = imported + rejected),
leaves out a project that comes again, and runs the checks every source gets. Each check
reports what it finds as a flagged issue on the row, and never mends it: the record is
imported as the source gives it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from ..model import Money, ProjectRecord, Status, derive_status
from ._cells import Row
from ._report import FileReport

__all__ = ["Parsed", "SourceReader", "check"]


@dataclass(frozen=True)
class Parsed:
    """What a reader made of one unit of its file: the record, or None when it is rejected
    (the reader reported why on ``row``). ``read``: the rows of the file it is made of (a
    keep.eu project and its partners span several); ``rejected``: how many of those were left
    out of a record that is imported."""

    row: Row
    record: ProjectRecord | None
    read: int = 1
    rejected: int = 0


class SourceReader(ABC):
    """An opened, checked input file of one source. Iterating it yields its records, counted,
    de-duplicated and checked, and fills ``report``; it may still raise BadFileError for damage
    found late."""

    report: FileReport
    path: Path
    expected: int | None = None  # how many projects the file holds, once known
    today: date | None = None  # for the checks that compare a date with today
    # the source's name of a model field, for the issues ("end_date" -> "Project end")
    columns: Mapping[str, str] = {}
    # the field naming a record's id, and what a record is called, in "comes again" issues
    again: ClassVar[tuple[str, str]] = ("id", "project")

    @abstractmethod
    def parse(self) -> Iterator[Parsed]:
        """The file's units, in order, each made into a record or rejected."""

    def __iter__(self) -> Iterator[ProjectRecord]:
        report, today = self.report, self.today or date.today()
        field, what = self.again
        seen: set[str] = set()
        for parsed in self.parse():
            report.rows_read += parsed.read
            record = parsed.record
            if record is not None and record.project.id in seen:
                parsed.row.issue(self.columns.get(field, field),
                                 f"{what} {record.project.source_id} again; left out",
                                 "rejected")
                record = None
            if record is None:
                report.rows_rejected += parsed.read
                continue
            seen.add(record.project.id)
            report.rows_rejected += parsed.rejected
            report.rows_imported += parsed.read - parsed.rejected
            check(record, parsed.row, today, self.columns)
            yield record


def _amount(money: Money | None) -> Decimal | None:
    return money.amount if money is not None else None


def check(record: ProjectRecord, row: Row, today: date,
          columns: Mapping[str, str] | None = None) -> None:
    """The checks of every source, each finding flagged on ``row`` (kept as given): a project
    that ends before it starts, an amount below zero, an EU amount above the total budget, a
    co-financing rate above 100 %, and a project the source says is closed (or terminated)
    with a date after today."""
    names = columns or {}

    def flag(field: str, reason: str) -> None:
        row.issue(names.get(field, field), f"{reason}; kept as given", "flagged")

    p = record.project
    start, end = p.start_date, p.end_date
    if start and end and end < start:
        flag("end_date", f"ends ({end}) before it starts ({start})")
    eu, total = _amount(p.eu_contribution), _amount(p.total_budget)
    for field, amount in (("eu_contribution", eu), ("total_budget", total)):
        if amount is not None and amount < 0:
            flag(field, f"an amount below zero ({amount})")
    for part in record.participations:
        for field, money in (("participant_budget", part.budget),
                             ("participant_eu_contribution", part.eu_contribution)):
            amount = _amount(money)
            if amount is not None and amount < 0:
                flag(field, f"participant {part.order}: an amount below zero ({amount})")
    if p.eu_contribution and p.total_budget and eu and total and eu > total > 0 \
            and p.eu_contribution.currency == p.total_budget.currency:
        flag("eu_contribution", f"the EU amount ({eu}) is above the total budget ({total})")
    rate = p.source_cofinancing_rate
    if rate is not None and rate > 100:
        flag("cofinancing_rate", f"a co-financing rate above 100 % ({rate})")
    said = derive_status(None, None, p.source_status, today)
    if said is Status.CLOSED and end is not None and end > today:
        flag("end_date", f"said closed, but it ends {end}, after today ({today})")
    elif said is not None and start is not None and start > today:
        flag("start_date", f"said {said.value}, but it starts {start}, after today ({today})")
