"""The import report: what was read, what was imported, and every row that was not clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RowIssue", "FileReport", "ImportReport"]


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One row that was rejected (not imported), repaired (imported with a field dropped or
    mended), merged (imported into a project that another row already started) or flagged
    (imported as given, with something odd about it)."""

    file: str
    sheet: str | None
    row: int | None  # 1-based, as a spreadsheet shows it (the header is row 1)
    field: str | None
    reason: str
    action: str  # "rejected" | "repaired" | "merged" | "flagged"
    member: str | None = None  # the file inside an archive (a CORDIS zip), when there is one

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "member": self.member,
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "action": self.action,
        }

    def __str__(self) -> str:
        where = ", ".join(
            p
            for p in (
                self.file,
                f"member {self.member!r}" if self.member else None,
                f"sheet {self.sheet!r}" if self.sheet else None,
                f"row {self.row}" if self.row is not None else None,
                f"field {self.field!r}" if self.field else None,
            )
            if p
        )
        return f"{self.action}: {where}: {self.reason}"


@dataclass
class FileReport:
    """Counts for one input file. Invariant: rows_read == rows_imported + rows_rejected."""

    file: str
    format: str
    sha256: str | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    origin: str | None = None  # the URL the file was downloaded from ('euprojects fetch')

    def add(self, issue: RowIssue) -> None:
        self.issues.append(issue)

    @property
    def rows_repaired(self) -> int:
        return len({(i.member, i.sheet, i.row) for i in self.issues if i.action == "repaired"})

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_imported + self.rows_rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "sha256": self.sha256,
            "origin": self.origin,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "rows_repaired": self.rows_repaired,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass
class ImportReport:
    """One import run: the files and what the store did with their projects."""

    source: str
    files: list[FileReport] = field(default_factory=list)
    projects_created: int = 0
    projects_updated: int = 0
    projects_unchanged: int = 0
    participations_created: int = 0
    participations_updated: int = 0
    participations_unchanged: int = 0
    participations_removed: int = 0  # positions a re-imported project no longer has
    organisations_created: int = 0
    organisations_updated: int = 0
    organisations_unchanged: int = 0
    organisations_relinked: int = 0  # records whose organisation changed by the links
    import_id: int | None = None  # the number of the import, once the store committed it
    index_applied: int = 0  # projects the search index took after the commit
    index_error: str | None = None  # why the index did not catch up with the store

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_imported(self) -> int:
        return sum(f.rows_imported for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(
            self.projects_created
            or self.projects_updated
            or self.participations_created
            or self.participations_updated
            or self.participations_removed
            or self.organisations_created
            or self.organisations_updated
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "projects": {
                "created": self.projects_created,
                "updated": self.projects_updated,
                "unchanged": self.projects_unchanged,
            },
            "participations": {
                "created": self.participations_created,
                "updated": self.participations_updated,
                "unchanged": self.participations_unchanged,
                "removed": self.participations_removed,
            },
            "organisations": {
                "created": self.organisations_created,
                "updated": self.organisations_updated,
                "unchanged": self.organisations_unchanged,
                "relinked": self.organisations_relinked,
            },
            "files": [f.to_dict() for f in self.files],
            "import_id": self.import_id,
            "index": {"caught_up": self.import_id is not None and self.index_error is None,
                      "applied": self.index_applied, "error": self.index_error},
        }
