"""Query strings in and out: the search parameters of a request, links that change one of them,
and the language of a request."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from starlette.requests import Request

from ..settings import LANGUAGES

__all__ = [
    "search_params",
    "split_params",
    "query_string",
    "with_params",
    "toggle",
    "without_filters",
    "pick_language",
    "blank_free",
    "PAGE_OFFSET_LIMIT",
    "cursor_at",
    "cursor_offset",
    "page_numbers",
]

Params = dict[str, list[str]]


def search_params(request: Request) -> Params:
    """Every parameter of the request with its values in order, empty values dropped (a GET
    form sends its empty fields)."""
    out: Params = {}
    for name, value in request.query_params.multi_items():
        if value.strip():
            out.setdefault(name, []).append(value)
    return out


def blank_free(request: Request) -> str | None:
    """The query string without its empty parameters (``start_date_min=&sort=``: what a GET
    form sends of its empty fields), when it has any; else None."""
    pairs = request.query_params.multi_items()
    if all(value.strip() for _name, value in pairs):
        return None
    return query_string({name: [v for n, v in pairs if n == name and v.strip()]
                         for name, _value in pairs})


def split_params(params: Params, *extras: str) -> tuple[Params, dict[str, str]]:
    """(the search parameters, the first value of each of ``extras``) for endpoints that take
    a few parameters of their own besides the search's."""
    search = {k: v for k, v in params.items() if k not in extras}
    own = {k: params[k][0] for k in extras if k in params}
    return search, own


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    pairs = [(k, v) for k, values in params.items() for v in values]
    return "?" + urlencode(pairs) if pairs else ""


def with_params(params: Params, **changes: str | None) -> Params:
    """A copy with each named parameter set to one value, or removed when None; any change
    but of the cursor starts from the first page again."""
    out = {k: list(v) for k, v in params.items()}
    for name, value in changes.items():
        out.pop(name, None)
        if value is not None:
            out[name] = [value]
    if "cursor" not in changes:
        out.pop("cursor", None)
    return out


def toggle(params: Params, name: str, value: str) -> Params:
    """The parameters with one facet value ticked if it was not, unticked if it was."""
    out = with_params(params)
    values = out.get(name, [])
    if value in values:
        values = [v for v in values if v != value]
    else:
        values = [*values, value]
    if values:
        out[name] = values
    else:
        out.pop(name, None)
    return out


def without_filters(params: Params) -> Params:
    """Only the query text (and sort): what a search without filters would be."""
    return {k: v for k, v in params.items() if k in {"q", "sort", "size"}}


def pick_language(accept_language: str | None, default: str) -> str:
    """The first of fr, en, de the browser asks for (by quality), else ``default``."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip()))
    for _quality, _position, tag in sorted(wanted):
        if tag == "*":
            return default
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return default


# Where the search's cursors stop (search/_query.py MAX_OFFSET, which the catalog does not
# name): a cursor past it is refused, so the page numbers stop there too.
PAGE_OFFSET_LIMIT = 100_000


def cursor_at(offset: int) -> str:
    """The search's cursor of the page that starts after ``offset`` results (the format of
    search/_index.py: base64url of ``{"o": offset}``; opaque to clients, not to the portal)."""
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_offset(cursor: str | None) -> int:
    """How many results come before a cursor's page (0 for none; a cursor the search has
    accepted)."""
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["o"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return 0
    return offset if type(offset) is int and offset >= 0 else 0


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager links: the first, the last and ``around`` on each side of
    ``current``, with None where pages are left out (shown as an ellipsis)."""
    wanted = {1, last, *range(current - around, current + around + 1)}
    out: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if out and out[-1] is not None and number - out[-1] > 1:
            out.append(None if number - out[-1] > 2 else number - 1)
        out.append(number)
    return out
