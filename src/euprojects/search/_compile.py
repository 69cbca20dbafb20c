"""From a SearchQuery to tantivy queries: the text (with typo tolerance), the facet filters,
the ranges and the status, which depends on the day."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import tantivy
from tantivy import FieldType, Occur, Query

from ._analysis import STEMMED, analyzer, stem_field
from ._documents import NUMBER_FIELDS, TEXT_FIELDS, day_time
from ._query import Bound, Clause, ParsedText, SearchQuery

__all__ = ["one_typo_variants", "text_query", "reading", "Reading", "filter_queries",
           "status_query", "combine", "typo_distance", "day_bounds", "excluded_query",
           "STATUSES", "TAKEN_AS_TYPED"]

STATUSES = ("planned", "ongoing", "closed", "terminated")
_TYPO_BOOST = 0.15  # a typo match scores far below any exact match
_UNKNOWN_TYPO_BOOST = 1.0  # ... unless the word typed has no exact match anywhere
_PREFIX_BOOST = 0.3
_STEM_BOOST = 0.8
_PROXIMITY_BOOST = 2.0
_TRANSLATION_BOOST = 0.3  # the word's translation learnt from parallel texts
_PROXIMITY_SLOP = 2
# A word that this many projects hold (in titles or texts) is taken as typed, as Typesense's
# typo_tokens_threshold does: typo expansion is for words the index barely knows, and so is
# reading the last word typed as a prefix ("hydrog" finds "hydrogen"; "water", which hundreds
# of projects hold, is the word water and its stems, not every word starting with it: that
# expansion reads hundreds of terms for every search)
TAKEN_AS_TYPED = 5


def typo_distance(token: str) -> int:
    """Meilisearch's rule: no typo for 1-4 characters, one for 5-8, two for 9 and more."""
    n = len(token)
    return 0 if n <= 4 else 1 if n <= 8 else 2


def _should(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _must(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


MIN_STEM = 4  # shorter stems match unrelated short words across languages ("sea" -> fr "se")


def _stems(word: str) -> dict[str, str]:
    """The stem of a word in each stemmed language, where it is long enough to mean something."""
    out = {}
    for lang in STEMMED:
        tokens = analyzer(stem_field(lang)).analyze(word)
        if len(tokens) == 1 and len(tokens[0]) >= MIN_STEM:
            out[lang] = tokens[0]
    return out


def _exact(schema: tantivy.Schema, token: str, raw: str, boost: float) -> list[Query]:
    """The word itself in every neutral field, and its stem in every language's field."""
    options = [Query.boost_query(Query.term_query(schema, field, token), weight * boost)
               for field, weight in TEXT_FIELDS.items()]
    for lang, stem in _stems(raw).items():
        options.append(Query.boost_query(Query.term_query(schema, stem_field(lang), stem),
                                         _STEM_BOOST * boost))
    return options


def one_typo_variants(token: str) -> set[str]:
    """Every string one edit (delete, swap, replace, insert) away from ``token``."""
    letters = set("abcdefghijklmnopqrstuvwxyz0123456789") | set(token)
    splits = [(token[:i], token[i:]) for i in range(len(token) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + ch + b[1:] for a, b in splits if b for ch in letters}
    out |= {a + ch + b for a, b in splits for ch in letters}
    out.discard(token)
    return out


# the words one typo away that the index holds and how many projects hold the word itself, or
# None when the word itself is common there
Corrector = Callable[[str], tuple[list[str], int] | None]
Translator = Callable[[str], list[tuple[str, str]]]
# the parts of a compound word that the index holds more often than the whole ("hochwasser",
# "schutz" for "hochwasserschutz"), or None
Splitter = Callable[[str], list[str] | None]
# how many projects hold a word in their titles or texts
Held = Callable[[str], int]
_COMPOUND_BOOST = 0.5


def _translation(schema: tantivy.Schema, lang: str, stems: str) -> Query:
    """A translation's stems in the field of their language: every one of them (a
    dictionary's translation may be several words: "battery recycling")."""
    return _must([Query.term_query(schema, stem_field(lang), s) for s in stems.split()])


def _parts(schema: tantivy.Schema, parts: list[str], translator: Translator | None) -> Query:
    """Every part of a split compound must match: as written, by stem or by translation."""
    musts = []
    for part in parts:
        options = _exact(schema, part, part, _COMPOUND_BOOST)
        for lang, stem in translator(part) if translator else ():
            options.append(Query.boost_query(_translation(schema, lang, stem),
                                             _TRANSLATION_BOOST * _COMPOUND_BOOST))
        musts.append(_should(options))
    return _must(musts)


def _expands(clause: Clause, held: Held | None) -> bool:
    """Whether a word is read as a prefix: asked (``word*``) always; as the last word typed
    only when few projects hold it whole (see TAKEN_AS_TYPED)."""
    token = clause.tokens[0]
    if not clause.prefix or len(token) < 2:
        return False
    return clause.raw.endswith("*") or held is None or held(token) < TAKEN_AS_TYPED


def _typo_plan(token: str, typos: bool,
               corrector: Corrector | None) -> tuple[list[str], int, int]:
    """How the typo rule reads a word: its corrections (the words one typo away that the
    index holds), how many projects hold the word itself, and the distance the fuzzy
    automaton reads it within (0: not read so). A word many projects hold is taken as typed
    (no correction, no automaton); for a word no project holds, its corrections, when it has
    some, stand for it alone."""
    distance = typo_distance(token) if typos else 0
    if not distance:
        return [], 1, 0
    answer = corrector(token) if corrector is not None else ([], 1)
    if answer is None:
        return [], 1, 0
    corrections, holding = answer
    return corrections, holding, 0 if holding == 0 and corrections else distance


@dataclass(frozen=True)
class Reading:
    """How text_query read a text's words beyond themselves and their stems: the words read
    as prefixes too, those read within the typo rule, and the corrections that stand for a
    word (the snippets mark what matched)."""

    prefixes: tuple[str, ...]
    typos: tuple[str, ...]
    corrections: tuple[str, ...] = ()


def reading(text: ParsedText, typos: bool, held: Held | None,
            corrector: Corrector | None) -> Reading:
    """How text_query reads ``text`` with these arguments (see Reading)."""
    words = [c for g in text.groups for c in g if len(c.tokens) == 1 and not c.phrase]
    plans = [_typo_plan(c.tokens[0], typos, corrector) for c in words]
    return Reading(
        tuple(c.tokens[0] for c in words if _expands(c, held)),
        tuple(c.tokens[0] for c, (_, _, distance) in zip(words, plans, strict=True)
              if distance),
        tuple(w for corrections, _, _ in plans for w in corrections))


def _word(schema: tantivy.Schema, clause: Clause, typos: bool, exact_only: bool,
          corrector: Corrector | None = None, translator: Translator | None = None,
          splitter: Splitter | None = None, held: Held | None = None) -> Query:
    token = clause.tokens[0]
    options = _exact(schema, token, clause.raw.rstrip("*"), 1.0)
    parts = splitter(token) if splitter is not None and not exact_only else None
    if parts:
        options.append(_parts(schema, parts, translator))
    if translator is not None and not exact_only:
        for lang, stem in translator(clause.raw.rstrip("*")):
            options.append(Query.boost_query(
                _translation(schema, lang, stem), _TRANSLATION_BOOST))
    if not exact_only:
        if _expands(clause, held):
            for field in TEXT_FIELDS:
                options.append(Query.boost_query(
                    Query.fuzzy_term_query(schema, field, token, distance=0, prefix=True),
                    _PREFIX_BOOST))
        corrections, holding, distance = _typo_plan(token, typos, corrector)
        # a word no project holds has no exact match to rank below: its corrections then
        # stand for it as the word would ("renewabel energy" ranks as "renewable energy"
        # does); a rare word's corrections rank far below its exact matches
        boost = _UNKNOWN_TYPO_BOOST if holding == 0 else _TYPO_BOOST
        # a word one typo away that the index holds counts with its stems too, so that a
        # typo finds what the word it stands for finds ("inovation" -> "innovative")
        for correction in corrections:
            options.extend(_exact(schema, correction, correction, boost))
            for lang, stem in translator(correction) if translator else ():
                options.append(Query.boost_query(
                    _translation(schema, lang, stem), _TRANSLATION_BOOST * boost))
        if distance:
            for field in TEXT_FIELDS:
                options.append(Query.boost_query(
                    Query.fuzzy_term_query(schema, field, token, distance=distance,
                                           transposition_cost_one=True, prefix=clause.prefix),
                    _TYPO_BOOST))
    return _should(options)


def _phrase(schema: tantivy.Schema, clause: Clause) -> Query:
    options = []
    for field, weight in TEXT_FIELDS.items():
        if clause.prefix:
            q = Query.phrase_prefix_query(schema, field, list(clause.tokens))
        else:
            q = Query.phrase_query(schema, field, list(clause.tokens))
        options.append(Query.boost_query(q, weight))
    return _should(options)


def _clause(schema: tantivy.Schema, clause: Clause, typos: bool, exact_only: bool,
            corrector: Corrector | None = None, translator: Translator | None = None,
            splitter: Splitter | None = None, held: Held | None = None) -> Query:
    if len(clause.tokens) > 1:
        return _phrase(schema, clause)
    if clause.phrase:  # a quoted single word: that word, exactly, no stems, no typos
        return _should([Query.boost_query(Query.term_query(schema, f, clause.tokens[0]), w)
                        for f, w in TEXT_FIELDS.items()])
    return _word(schema, clause, typos, exact_only, corrector, translator, splitter, held)


def _as_meant(clause: Clause, typos: bool, corrector: Corrector | None) -> str:
    """The word, or the correction that stands for it when no project holds the word."""
    token = clause.tokens[0]
    if typos and corrector is not None and typo_distance(token):
        answer = corrector(token)
        if answer is not None and answer[1] == 0 and answer[0]:
            return answer[0][0]
    return token


def prefix_query(schema: tantivy.Schema, token: str) -> Query:
    """The projects with a word starting with ``token`` in a text field."""
    return _should([Query.fuzzy_term_query(schema, field, token, distance=0, prefix=True)
                    for field in TEXT_FIELDS])


def spelling(q: str, text: ParsedText, corrector: Corrector,
             starts_a_word: Callable[[str], bool]) -> str | None:
    """The query as it was probably meant: each word that no project holds in any field
    replaced by the word one typo away that most projects hold ("hydrogne storage" ->
    "hydrogen storage"); None when every word is held or none has a correction. Phrases,
    asked prefixes (``word*``) and excluded words are kept as typed, and so is a last word
    read as a prefix that starts a word the index holds ("hydrog" is no typo). It is offered
    whether or not typos are allowed (with them the search already finds the correction;
    without, it finds nothing)."""
    fixed = q
    changed = False
    for clause in text.clauses():
        token = clause.tokens[0]
        if len(clause.tokens) > 1 or clause.phrase or clause.raw.endswith("*") \
                or not typo_distance(token):
            continue
        answer = corrector(token)
        if answer is None or answer[1] or not answer[0]:
            continue
        if clause.prefix and starts_a_word(token):
            continue
        # the word as typed, whole (not inside another word), whatever its case
        pattern = re.compile(rf"(?<![\w-]){re.escape(clause.raw)}(?!\w)", re.IGNORECASE)
        fixed, n = pattern.subn(answer[0][0], fixed)
        changed = changed or bool(n)
    return " ".join(fixed.split()) if changed else None


def text_query(schema: tantivy.Schema, text: ParsedText, typos: bool,
               corrector: Corrector | None = None,
               translator: Translator | None = None,
               splitter: Splitter | None = None, held: Held | None = None) -> Query | None:
    """Every group must match (a group matches when any of its OR-ed clauses does); excluded
    clauses must not match, exactly (no typos, no prefixes: excluding is never a guess).
    ``held``: how many projects hold a word (None: the last word typed is always read as a
    prefix too)."""
    if text.empty:
        return None
    parts: list[tuple[Occur, Query]] = []
    required = text.required
    for group in text.groups:
        occur = Occur.Must if group in required else Occur.Should
        parts.append((occur, _should([
            _clause(schema, c, typos, False, corrector, translator, splitter, held)
            for c in group
        ])))
    words: list[str | tuple[int, str]] = [
        _as_meant(g[0], typos, corrector) for g in required
        if len(g) == 1 and len(g[0].tokens) == 1 and not g[0].phrase
    ]
    if len(words) >= 2:
        # proximity: the words near each other, in order, score above the words apart
        for field in ("title", "body"):
            near = Query.phrase_query(schema, field, words, slop=_PROXIMITY_SLOP)
            parts.append((Occur.Should, Query.boost_query(near, _PROXIMITY_BOOST
                                                           * TEXT_FIELDS[field])))
    for clause in text.excluded:
        parts.append((Occur.MustNot, _clause(schema, clause, False, True)))
    if not text.groups:
        parts.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(parts)


def excluded_query(schema: tantivy.Schema, text: ParsedText) -> Query | None:
    """What the text's exclusions exclude (any of them, exactly, as text_query reads them),
    or None without exclusions."""
    if not text.excluded:
        return None
    return _should([_clause(schema, clause, False, True) for clause in text.excluded])


def _said(schema: tantivy.Schema, value: str) -> Query:
    return Query.term_query(schema, "said_status", value)


def status_query(schema: tantivy.Schema, status: str, today: date) -> Query:
    """A status is computed at query time from the dates against ``today``, unless the source
    said terminated or closed: an index built last month answers right today."""
    ended = Query.range_query(schema, "end", FieldType.Date, None, day_time(today),
                              include_upper=False)
    not_started = Query.range_query(schema, "start", FieldType.Date,
                                    day_time(today + timedelta(days=1)), None)
    said_something = _should([_said(schema, "terminated"), _said(schema, "closed")])
    if status == "terminated":
        return _said(schema, "terminated")
    if status == "closed":
        return _should([
            _said(schema, "closed"),
            Query.boolean_query([(Occur.Must, ended),
                                 (Occur.MustNot, _said(schema, "terminated"))]),
        ])
    if status == "planned":
        return Query.boolean_query([(Occur.Must, not_started), (Occur.MustNot, ended),
                                    (Occur.MustNot, said_something)])
    dated = _should([Query.exists_query("start"), Query.exists_query("end")])
    return Query.boolean_query([(Occur.Must, dated), (Occur.MustNot, ended),
                                (Occur.MustNot, not_started), (Occur.MustNot, said_something)])


# The days tantivy's dates (nanoseconds in 64 bits) can hold; a bound beyond them bounds
# nothing that an index holds, so it is left out.
_FIRST_DAY, _LAST_DAY = date(1678, 1, 1), date(2262, 1, 1)


def day_bounds(low: Bound | None, high: Bound | None
               ) -> tuple[date | None, date | None] | None:
    """A date range's bounds as the index can hold them (a bound beyond every day it can
    hold: no bound), or None when the range is after or before every such day (it matches
    nothing). Both None: every project with a date."""
    first = low if isinstance(low, date) and low >= _FIRST_DAY else None
    last = high if isinstance(high, date) and high <= _LAST_DAY else None
    if isinstance(low, date) and low > _LAST_DAY or isinstance(high, date) and \
            high < _FIRST_DAY:
        return None
    return first, last


def _range(schema: tantivy.Schema, name: str, low: Bound | None, high: Bound | None) -> Query:
    if name in ("start_date", "end_date"):
        field = "start" if name == "start_date" else "end"
        bounds = day_bounds(low, high)
        if bounds is None:
            return Query.empty_query()
        if bounds == (None, None):
            return Query.exists_query(field)
        first, last = bounds
        return Query.range_query(schema, field, FieldType.Date,
                                 day_time(first) if first else None,
                                 day_time(last) if last else None)
    field = NUMBER_FIELDS[name]
    return Query.range_query(schema, field, FieldType.Float,
                             float(low) if isinstance(low, Decimal) else None,
                             float(high) if isinstance(high, Decimal) else None)


def filter_queries(
    schema: tantivy.Schema, query: SearchQuery, today: date
) -> dict[str, Query]:
    """One query per facet with a selection (OR inside) and per range; AND between them."""
    out: dict[str, Query] = {}
    for name, values in query.filters.items():
        if name == "status":
            out[name] = _should([status_query(schema, v, today) for v in values
                                 if v in STATUSES] or [Query.empty_query()])
        else:
            out[name] = _should([Query.term_query(schema, name, v) for v in values])
    for name, (low, high) in query.ranges.items():
        out[f"range:{name}"] = _range(schema, name, low, high)
    return out


def combine(base: Query | None, filters: list[Query]) -> Query:
    parts = [(Occur.Must, q) for q in ([base] if base is not None else []) + filters]
    if not parts:
        return Query.all_query()
    if base is None:
        parts.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(parts)
