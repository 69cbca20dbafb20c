"""SQLite errors as the one-line StoreError of errors.py: the real cause, and what to do."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import StoreError

__all__ = ["store_error", "guarded"]


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """An SQLite error as one line for a person: the real cause, and what to do."""
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "readonly" in low or "read-only" in low:
        reason = "the database is read-only: give write access to the file and its folder"
    elif "disk is full" in low:
        reason = "the disk is full: free some space and run the command again"
    elif "malformed" in low or "not a database" in low or "corrupt" in low:
        reason = ("the database is damaged: restore it from a backup, or delete it (and its "
                  "-wal and -shm files) and import the files again")
    elif "unable to open" in low:
        reason = "cannot open the database file"
    elif "disk i/o" in low:
        reason = "the disk failed to read or write (full, removed or damaged?)"
    else:
        reason = "database error"
    return StoreError(f"{path}: {reason} (SQLite: {text})")


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors of a store method (or of the generator it returns) as StoreError."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from None

        return generator

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    return call
