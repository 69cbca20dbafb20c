"""The engine's failures as the project's errors: a panic of tantivy, or a failure to write
its files, becomes a SearchIndexError (or IndexBusyError) of one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import IndexBusyError, QueryError, SearchIndexError

__all__ = ["engine_errors", "is_panic", "reason"]


def is_panic(exc: BaseException) -> bool:
    """A Rust panic inside tantivy, raised as pyo3's PanicException (a BaseException, so it
    gets past every ``except Exception``)."""
    return type(exc).__name__ == "PanicException"


def reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "No space left" in text or getattr(exc, "errno", None) == 28:
        return f"the disk is full ({text.splitlines()[0]})"
    return text.splitlines()[0]


@contextmanager
def engine_errors(doing: str, *, writing: bool = False) -> Iterator[None]:
    """A panic of the engine, or (when ``writing``) a failure to write its files, as a
    SearchIndexError of one line; our own errors pass as they are."""
    try:
        yield
    except (QueryError, SearchIndexError):
        raise
    except BaseException as exc:
        if is_panic(exc):
            raise SearchIndexError(f"the search engine failed while {doing}") from None
        if writing and isinstance(exc, (ValueError, OSError)):
            if "LockBusy" in str(exc):
                raise IndexBusyError("another process is writing the search index") from None
            raise SearchIndexError(f"cannot write the search index: {reason(exc)}") from None
        raise
