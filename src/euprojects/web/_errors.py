"""One table from exceptions to HTTP status, and the JSON error body of the API."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

from ..errors import (
    BadFileError,
    EuProjectsError,
    NotFoundError,
    QueryError,
    SearchIndexError,
    SettingsError,
    StoreError,
)

__all__ = ["STATUS", "status_of", "error_body", "ERROR_HEADERS"]

# The most specific class wins (looked up along the exception's MRO).
STATUS: dict[type[BaseException], int] = {
    NotFoundError: 404,
    QueryError: 400,
    SearchIndexError: 503,
    StoreError: 503,
    SettingsError: 500,
    BadFileError: 500,
    EuProjectsError: 500,
}

# Errors are never cached: the next request may well succeed.
ERROR_HEADERS = {"Cache-Control": "no-store"}


def status_of(exc: BaseException) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_body(exc: BaseException, status: int) -> dict[str, Any]:
    """``{ok: false, error, status}`` (and the parameter at fault for a bad query)."""
    if isinstance(exc, EuProjectsError):
        message = str(exc)
    elif isinstance(exc, HTTPException):
        message = exc.detail if status != 404 else "no such address"
    else:
        message = "internal error"
    body: dict[str, Any] = {"ok": False, "error": message, "status": status}
    if isinstance(exc, QueryError) and exc.parameter:
        body["parameter"] = exc.parameter
    return body
