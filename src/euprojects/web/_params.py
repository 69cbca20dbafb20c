"""Query strings in and out: the search parameters of a request, links that change one of them,
and the language of a request."""

from __future__ import annotations

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
