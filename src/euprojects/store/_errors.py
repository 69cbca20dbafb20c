"""A database's errors as the one-line StoreError of errors.py: the real cause, and what to
do; ``guarded`` turns them so for every store method."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar, cast

from ..errors import StoreError

__all__ = ["store_error", "guarded"]


class _Guarded(Protocol):
    """What ``guarded`` needs of a store: its database's errors, how to tell one, and the
    session a call reads in (a connection of the pool held for it, store/postgres.py)."""

    _db_errors: tuple[type[Exception], ...]

    def _store_error(self, exc: Exception) -> StoreError: ...
    def _session(self) -> AbstractContextManager[object]: ...


_Self = TypeVar("_Self", bound=_Guarded)
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


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


def guarded(
    method: Callable[Concatenate[_Self, _Params], _Result],
) -> Callable[Concatenate[_Self, _Params], _Result]:
    """A store method (or the generator it returns) run in a session of the store, its
    database's errors raised as StoreError."""
    if inspect.isgeneratorfunction(method):
        generator_method = cast(Callable[Concatenate[_Self, _Params], Iterator[object]], method)

        @functools.wraps(method)
        def generator(self: _Self, /, *args: _Params.args,
                      **kwargs: _Params.kwargs) -> Iterator[object]:
            try:
                with self._session():
                    yield from generator_method(self, *args, **kwargs)
            except self._db_errors as exc:
                raise self._store_error(exc) from None

        # the same signature: a generator function's _Result is the iterator it returns
        return cast(Callable[Concatenate[_Self, _Params], _Result], generator)

    @functools.wraps(method)
    def call(self: _Self, /, *args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        try:
            with self._session():
                return method(self, *args, **kwargs)
        except self._db_errors as exc:
            raise self._store_error(exc) from None

    return call
