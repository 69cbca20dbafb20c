"""SearchQuery: the public search parameters, read from a plain mapping of URL-style
parameters, and the reading of the query text (words, "phrases", -exclusions, OR, prefix*)."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import QueryError
from ..model import FACETS, LANGUAGE_WORDS
from ._analysis import fold_tokens

__all__ = [
    "SearchQuery",
    "FACETS",
    "RANGES",
    "SORTS",
    "Clause",
    "ParsedText",
    "parse_text",
    "MAX_SIZE",
    "MAX_OFFSET",
    "PARAMETERS",
    "encode_cursor",
    "decode_cursor",
    "MODES",
    "DEFAULT_MODE",
]

# One parameter per facet (FACETS, the registry: model/_facets.py); a repeated parameter is OR
# inside the facet.
# <name>_min / <name>_max; dates as YYYY-MM-DD, amounts in euros, rates in percent.
RANGES = {
    "start_date": "date",
    "end_date": "date",
    "eu_contribution": "number",
    "total_budget": "number",
    "cofinancing_rate": "number",
}
# A range's bound, as read from its parameter: a date for a "date" range, else a number.
Bound = date | Decimal
SORTS = ("relevance", "start_date", "end_date", "eu_contribution")
MAX_SIZE = 100
# How deep a cursor may page (results skipped before a page): past it, the exports give every
# match. It bounds what the engine collects for one page (a forged cursor of 10^9 would ask it
# for gigabytes).
MAX_OFFSET = 100_000
MAX_QUERY_CHARS = 1000
# Bounds of the range parameters: a date from year 1000 to 9999, an amount or a rate of at most
# fifteen digits before the point. Digits are ASCII digits only ("²" and "١٢" are no numbers).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_NUMBER = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,6})?", re.ASCII)
_SIZE = re.compile(r"[0-9]{1,3}", re.ASCII)
# A query is costly when typo tolerance may expand this many of its words or more (each such
# word is looked up with its variants: a long typo-tolerant query costs several times a short
# one). The portal limits how many costly requests a client runs at once.
COSTLY_TYPO_WORDS = 6
MAX_CLAUSES = 32
# The last word typed is also read as a prefix (search as you type) from this length on; a
# shorter one is a whole word ("sea" must not find "search"); "sea*" asks for the prefix.
MIN_TYPED_PREFIX = 4
_OTHER = ("q", "sort", "size", "cursor", "typos", "mode")
# How a query's words are read (docs/semantic-search.md): by the words ("lexical"), by meaning
# ("semantic": the projects nearest in meaning, in any language), or both, their rankings fused
# ("hybrid"). Without words every mode lists the same projects.
MODES = ("hybrid", "lexical", "semantic")
DEFAULT_MODE = "hybrid"
# Every parameter a search takes: the API refuses any other, the pages ignore any other
# (tracking parameters such as utm_source must not break a shared link).
PARAMETERS = frozenset((*FACETS, *_OTHER, *(f"{r}_{e}" for r in RANGES for e in ("min", "max"))))
# Short function words of the languages of the data (articles, prepositions, conjunctions):
# a query needs them in no language but its own, so they are optional in a query.
_ELISION = re.compile(r"^\w{1,2}['\u2019]", re.UNICODE)
_FUNCTION_WORDS = frozenset(
    w for words in LANGUAGE_WORDS.values() for w in fold_tokens(words) if len(w) <= 4
)


@dataclass(frozen=True)
class Clause:
    """A word (one or more neutral tokens: "e-mobility" is two) or a quoted phrase."""

    tokens: tuple[str, ...]
    raw: str
    phrase: bool = False
    prefix: bool = False  # "word*", or the last word typed (search as you type)
    optional: bool = False  # a function word ("des", "the", "und"): helps rank, never required


@dataclass(frozen=True)
class ParsedText:
    """Groups that must all match; inside a group, clauses joined by OR; and exclusions."""

    groups: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded

    @property
    def required(self) -> tuple[tuple[Clause, ...], ...]:
        """The groups a result must match: all, less the function words when other words
        remain (a query of function words only keeps them)."""
        meaningful = tuple(g for g in self.groups if not all(c.optional for c in g))
        return meaningful or self.groups

    def clauses(self) -> list[Clause]:
        return [c for g in self.groups for c in g]


def _clean(text: str) -> str:
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch
                   for ch in text)


def _lex(text: str) -> list[tuple[str, bool, bool]]:
    """(content, is_phrase, excluded) tokens; an unbalanced quote runs to the end."""
    out: list[tuple[str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        excluded = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            excluded = True
            i += 1
            ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end
            out.append((text[i + 1 : end], True, excluded))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        out.append((text[start:i], False, excluded))
    return out


def parse_text(q: str) -> ParsedText:
    """Read the query text. Never raises for odd input except a text too long or too many
    clauses; a lone "-", stray quotes or punctuation are read as nothing."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(q)} characters, at most "
                         f"{MAX_QUERY_CHARS})", "q")
    text = _clean(q)
    ends_open = bool(text) and not text[-1].isspace() and text.rstrip()[-1:] not in {'"', "*"}
    lexed = _lex(text)
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    join_next = False
    for position, (content, is_phrase, is_excluded) in enumerate(lexed):
        if not is_phrase and not is_excluded and content == "OR":
            join_next = bool(groups)
            continue
        star = not is_phrase and content.endswith("*")
        tokens = tuple(fold_tokens(content.rstrip("*") if star else content))
        if not tokens:
            continue
        optional = False
        if not is_phrase:
            elided = _ELISION.match(content)
            if elided and len(tokens) > 1:
                # "l'air", "d'inondation": the elided article is no part of the word searched for
                tokens, content = tokens[1:], content[elided.end():]
            meaningful = tuple(t for t in tokens if t not in _FUNCTION_WORDS)
            optional = not meaningful and not is_excluded and not star
        last = position == len(lexed) - 1
        clause = Clause(
            tokens=tokens,
            raw=content,
            phrase=is_phrase or len(tokens) > 1,
            prefix=star or (last and ends_open and not is_phrase and not is_excluded
                            and not optional and len(tokens[-1]) >= MIN_TYPED_PREFIX),
            optional=optional,
        )
        if is_excluded:
            excluded.append(clause)
        elif join_next and groups:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        join_next = False
    if len(excluded) + sum(len(g) for g in groups) > MAX_CLAUSES:
        raise QueryError(f"the query has too many words (at most {MAX_CLAUSES})", "q")
    return ParsedText(tuple(tuple(g) for g in groups), tuple(excluded))


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [str(v).strip() for v in items if str(v).strip()]


def _one(params: Mapping[str, Any], name: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise QueryError(f"parameter {name!r} is given {len(values)} times; give it once", name)
    return values[0] if values else None


def _bound(name: str, kind: str, raw: str) -> Bound:
    try:
        if kind == "date":
            if not _DATE.fullmatch(raw) or raw < "1000":
                raise ValueError
            return date.fromisoformat(raw)
        if not _NUMBER.fullmatch(raw):
            raise ValueError
        return Decimal(raw)
    except (ValueError, InvalidOperation):
        wanted = ("a date YYYY-MM-DD from year 1000 to 9999" if kind == "date"
                  else "a number (digits 0-9, at most 15 before the point)")
        raise QueryError(f"parameter {name!r}: {raw!r} is not {wanted}", name) from None


def _above(low: Bound, high: Bound) -> bool:
    """``low > high``, for the two bounds of one range (two dates or two numbers)."""
    if isinstance(low, date) and isinstance(high, date):
        return low > high
    if isinstance(low, Decimal) and isinstance(high, Decimal):
        return low > high
    raise TypeError(f"bounds of two kinds: {low!r}, {high!r}")


@dataclass(frozen=True)
class SearchQuery:
    """Everything a search takes. Build it with ``from_params`` from URL-style parameters."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[Bound | None, Bound | None]] = field(default_factory=dict)
    sort: str | None = None  # "relevance", "start_date", "-start_date", ...; None: default
    size: int = 10
    cursor: str | None = None
    typos: bool = True
    mode: str = DEFAULT_MODE

    @property
    def text(self) -> ParsedText:
        return parse_text(self.q)

    @property
    def costly(self) -> bool:
        """Typo tolerance may expand COSTLY_TYPO_WORDS words or more: the words of five
        letters or more (the typo rule's length, search/_compile.py), but a quoted single
        word, which is taken as typed."""
        if not self.typos:
            return False
        words = [t for c in self.text.clauses() if not c.phrase or len(c.tokens) > 1
                 for t in c.tokens if len(t) >= 5]
        return len(words) >= COSTLY_TYPO_WORDS

    @property
    def effective_sort(self) -> tuple[str, bool]:
        """(key, descending). Default: relevance with a query, newest end date without."""
        if self.sort:
            key = self.sort.lstrip("-")
            if key == "relevance":
                return key, True
            return key, self.sort.startswith("-")
        return ("relevance", True) if not self.text.empty else ("end_date", True)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchQuery:
        """From a mapping of parameter name to a value or a list of values (a query string).

        Unknown parameters, bad sizes, sorts, cursors, dates and numbers raise QueryError
        naming the parameter.
        """
        unknown = sorted(set(params) - PARAMETERS)
        if unknown:
            raise QueryError(f"unknown parameter {unknown[0]!r}", unknown[0])
        _one(params, "q")  # given once at most
        raw_q = params.get("q") or ""
        # not stripped: a trailing space says the last word is finished (no prefix reading)
        q = raw_q if isinstance(raw_q, str) else str(list(raw_q)[0])
        q = q if q.strip() else ""
        parse_text(q)  # a bad text fails here, with its reason
        filters = {f: tuple(dict.fromkeys(_values(params, f))) for f in FACETS}
        filters = {f: v for f, v in filters.items() if v}
        for name in filters:
            if FACETS[name].upper:
                filters[name] = tuple(v.upper() for v in filters[name])
        ranges: dict[str, tuple[Bound | None, Bound | None]] = {}
        for name, kind in RANGES.items():
            low, high = _one(params, f"{name}_min"), _one(params, f"{name}_max")
            if low is None and high is None:
                continue
            lo = _bound(f"{name}_min", kind, low) if low is not None else None
            hi = _bound(f"{name}_max", kind, high) if high is not None else None
            if lo is not None and hi is not None and _above(lo, hi):
                raise QueryError(f"{name}_min is above {name}_max", f"{name}_min")
            ranges[name] = (lo, hi)
        sort = _one(params, "sort")
        if sort is not None and sort.lstrip("-") not in SORTS:
            raise QueryError(
                f"parameter 'sort': {sort!r} is not one of {', '.join(SORTS)} "
                "(prefix '-' for descending)", "sort")
        size_raw = _one(params, "size")
        size = 10
        if size_raw is not None:
            if not _SIZE.fullmatch(size_raw) or not 1 <= int(size_raw) <= MAX_SIZE:
                raise QueryError(f"parameter 'size': {size_raw!r} is not a whole number from 1 "
                                 f"to {MAX_SIZE}", "size")
            size = int(size_raw)
        typos_raw = _one(params, "typos")
        if typos_raw is not None and typos_raw not in {"0", "1"}:
            raise QueryError("parameter 'typos': give 0 or 1", "typos")
        mode = _one(params, "mode") or DEFAULT_MODE
        if mode not in MODES:
            raise QueryError(f"parameter 'mode': {mode!r} is not one of {', '.join(MODES)}",
                             "mode")
        return cls(
            q=q,
            filters=filters,
            ranges=ranges,
            sort=sort,
            size=size,
            cursor=_one(params, "cursor"),
            typos=typos_raw != "0",
            mode=mode,
        )

    def to_params(self) -> dict[str, list[str]]:
        """The parameters that give this query back (for links: next page, facet toggles)."""
        out: dict[str, list[str]] = {}
        if self.q:
            out["q"] = [self.q]
        for name, values in self.filters.items():
            out[name] = list(values)
        for name, (lo, hi) in self.ranges.items():
            if lo is not None:
                out[f"{name}_min"] = [str(lo)]
            if hi is not None:
                out[f"{name}_max"] = [str(hi)]
        if self.sort:
            out["sort"] = [self.sort]
        if self.size != 10:
            out["size"] = [str(self.size)]
        if not self.typos:
            out["typos"] = ["0"]
        if self.mode != DEFAULT_MODE:
            out["mode"] = [self.mode]
        return out


def encode_cursor(offset: int) -> str:
    """The opaque cursor of the page that starts after ``offset`` results."""
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor of encode_cursor stands for; a clear error for any other text."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["o"]
    except (ValueError, KeyError, TypeError, RecursionError):
        offset = None
    if type(offset) is not int or offset < 0:
        raise QueryError("parameter 'cursor': not a cursor this service gave", "cursor")
    if offset > MAX_OFFSET:
        raise QueryError(f"parameter 'cursor': pages end after {MAX_OFFSET} results; the "
                         "exports give every match", "cursor")
    return offset
