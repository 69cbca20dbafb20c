"""Every error euprojects raises on purpose. A leaf module: it imports nothing of ours."""

from __future__ import annotations

__all__ = [
    "EuProjectsError",
    "SettingsError",
    "BadFileError",
    "StoreError",
    "NotFoundError",
    "QueryError",
    "SearchIndexError",
    "IndexBusyError",
    "SemanticUnavailableError",
    "BusyError",
    "FetchError",
]


class EuProjectsError(Exception):
    """Base of every error this package raises on purpose; its message is one line for a person."""


class SettingsError(EuProjectsError):
    """A setting has a value that cannot be used; the message names the key."""


class BadFileError(EuProjectsError):
    """A whole input file is refused before anything is written (wrong format, missing sheet...)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(EuProjectsError):
    """The database cannot be opened, migrated or written."""


class NotFoundError(EuProjectsError):
    """A project or organisation id that the catalog does not hold."""


class QueryError(EuProjectsError):
    """A search request that cannot be read: a bad parameter, an unusable query text."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class SearchIndexError(EuProjectsError):
    """The search index is missing, damaged or cannot be written."""


class SemanticUnavailableError(SearchIndexError):
    """Search by meaning cannot run here: the embedding model's engine cannot be loaded, or no
    project has a vector yet. Search by words still works."""


class IndexBusyError(SearchIndexError):
    """Another process holds the search index's writer lock (it is applying changes itself)."""


class BusyError(EuProjectsError):
    """Too many costly requests at once (of one client, or in all): try again after
    ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FetchError(EuProjectsError):
    """A download failed: the server cannot be reached (``offline``), it answered an HTTP error
    (``status``), or the transfer broke off. Never carries an API key."""

    def __init__(self, message: str, *, offline: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.offline = offline
        self.status = status
