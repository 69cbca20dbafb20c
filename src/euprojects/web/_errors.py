"""One table from exceptions to HTTP status, and the JSON error body of the API."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

from ..errors import (
    BadFileError,
    BusyError,
    EuProjectsError,
    NotFoundError,
    QueryError,
    SearchIndexError,
    SemanticUnavailableError,
    SettingsError,
    StoreError,
)

__all__ = ["STATUS", "status_of", "error_body", "error_headers", "public_message",
           "ERROR_HEADERS"]

# The most specific class wins (looked up along the exception's MRO).
STATUS: dict[type[BaseException], int] = {
    NotFoundError: 404,
    QueryError: 400,
    BusyError: 429,
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


# What a client is told of a server-side failure: never the message itself (it names files and
# folders of the server); the server's log has it whole.
_PUBLIC = {
    SemanticUnavailableError: "search by meaning is not available here at the moment (no "
                              "vectors yet, or the model cannot load); search by words works",
    SearchIndexError: "the search index is not available at the moment; try again later",
    StoreError: "the catalog's database is not available at the moment; try again later",
}


def public_message(exc: BaseException, status: int) -> str:
    if status < 500 and isinstance(exc, EuProjectsError):
        return str(exc)
    for cls in type(exc).__mro__:
        if cls in _PUBLIC:
            return _PUBLIC[cls]
    return "internal error"


def error_headers(exc: BaseException) -> dict[str, str]:
    """ERROR_HEADERS, with the exception's own (Allow on a 405, Retry-After on a 429)."""
    headers = dict(ERROR_HEADERS)
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    if isinstance(exc, BusyError):
        headers["Retry-After"] = str(exc.retry_after)
    return headers


def error_body(exc: BaseException, status: int) -> dict[str, Any]:
    """``{ok: false, error, status}`` (and the parameter at fault for a bad query)."""
    if isinstance(exc, EuProjectsError):
        message = public_message(exc, status)
    elif isinstance(exc, HTTPException):
        message = exc.detail if status != 404 else "no such address"
    else:
        message = "internal error"
    body: dict[str, Any] = {"ok": False, "error": message, "status": status}
    if isinstance(exc, QueryError) and exc.parameter:
        body["parameter"] = exc.parameter
    return body
