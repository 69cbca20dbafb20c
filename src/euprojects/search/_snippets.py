"""Highlighted snippets, made from the texts the store holds (the index keeps no text).

The text is HTML-escaped first; only then are the <mark> tags added around words that match
the query: exactly, by stem in the text's language, as a prefix, or within the typo rule.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence

import tantivy
from rapidfuzz.distance import OSA

from ..model import LangText
from ._analysis import NEUTRAL, STEMMED, analyzer, stem_field
from ._compile import MIN_STEM, Reading, typo_distance
from ._query import ParsedText

__all__ = ["snippet", "matcher_for"]

_WORD = re.compile(r"\w+", re.UNICODE)
_SCAN_CHARS = 3_000  # a snippet shows where the text first matches; no need to read further
_ENOUGH = 8  # matches in one text: that text is the one to show


class _Matcher:
    """Decides which words of a text to mark, judging many words in one call where it can."""

    def __init__(self, parsed: ParsedText, typos: bool, read: Reading | None = None) -> None:
        clauses = parsed.clauses()
        # the corrections that stand for a word are matched as it would be
        corrections = read.corrections if read is not None else ()
        self.exact = {t for c in clauses for t in c.tokens} | set(corrections)
        # a phrase's last word is always a prefix when the phrase asks for one
        self.prefixes = tuple(c.tokens[-1] for c in clauses
                              if c.prefix and len(c.tokens[-1]) >= 2
                              and (read is None or len(c.tokens) > 1
                                   or c.tokens[0] in read.prefixes))
        self.fuzzy = (
            {t: typo_distance(t) for c in clauses if not c.phrase for t in c.tokens
             if typo_distance(t) and (read is None or t in read.typos)} if typos else {}
        )
        self.raw = [c.raw.rstrip("*") for c in clauses if not c.phrase] + list(corrections)
        self._stems: dict[str, set[str]] = {}
        self._seen: dict[str | None, dict[str, bool]] = {}  # texts repeat their words
        # no word shorter than the shortest query word (less typos) or stem can match
        lengths = [len(t) for t in self.exact] or [1]
        self.shortest = max(1, min(min(lengths) - 2, MIN_STEM))

    def stems(self, lang: str) -> set[str]:
        if lang not in self._stems:
            a = analyzer(stem_field(lang))
            self._stems[lang] = {s for raw in self.raw for s in a.analyze(raw)}
        return self._stems[lang]

    def matches(self, word: str, lang: str | None) -> bool:
        return word in self.matching({word}, lang)

    def matching(self, words: set[str], lang: str | None) -> set[str]:
        """The words of ``words`` (as they stand in a text of language ``lang``) to mark."""
        seen = self._seen.setdefault(lang, {})
        new = [w for w in words if w not in seen]
        if new:
            seen.update(zip(new, self._judge(new, lang), strict=True))
        return {w for w in words if seen[w]}

    def _judge(self, words: list[str], lang: str | None) -> list[bool]:
        out = [False] * len(words)
        todo = [i for i, w in enumerate(words) if len(w) >= self.shortest]
        if not todo:
            return out
        folded = _first_tokens(analyzer(NEUTRAL), [words[i] for i in todo])
        stems = (_first_tokens(analyzer(stem_field(lang)), [words[i] for i in todo])
                 if lang in STEMMED else None)
        wanted = self.stems(lang) if lang in STEMMED else set()
        for n, i in enumerate(todo):
            token = folded[n]
            if not token:
                continue
            if token in self.exact or token.startswith(self.prefixes or ("\0",)):
                out[i] = True
            elif stems is not None and stems[n] in wanted:
                out[i] = True
            else:
                # the same distance as the index's fuzzy queries (a transposition costs one)
                out[i] = any(abs(len(token) - len(q)) <= d
                             and OSA.distance(token, q, score_cutoff=d) <= d
                             for q, d in self.fuzzy.items())
        return out


def _first_tokens(a: tantivy.TextAnalyzer, words: list[str]) -> list[str]:
    """The first token of each word by analyzer ``a``: one call for all the words when the
    analyzer keeps each one a single token (the usual case), else one call per word."""
    tokens = a.analyze(" ".join(words))
    if len(tokens) == len(words):
        return tokens
    return [(a.analyze(w) or [""])[0] for w in words]


def matcher_for(parsed: ParsedText, typos: bool = True,
                read: Reading | None = None) -> _Matcher:
    """What decides which words to mark; share one across a page of results (it caches).
    ``read``: how the search read the words (None: every word the text asks to be read as a
    prefix is, and every long enough word within the typo rule)."""
    return _Matcher(parsed, typos, read)


def _spans(text: LangText, matcher: _Matcher) -> list[tuple[int, int]]:
    """Where the first matching words of a text are: each distinct word is judged once, then
    one regular expression of the matching ones finds them (the scan itself stays in C)."""
    head = text.text[:_SCAN_CHARS]
    hits = matcher.matching(set(_WORD.findall(head)), text.lang)
    if not hits:
        return []
    words = "|".join(re.escape(w) for w in sorted(hits, key=len, reverse=True))
    found = re.finditer(rf"(?<!\w)(?:{words})(?!\w)", head)
    return [m.span() for m in itertools.islice(found, _ENOUGH)]


def snippet(
    texts: Sequence[LangText], parsed: ParsedText, width: int = 240, typos: bool = True,
    matcher: _Matcher | None = None,
) -> str:
    """An HTML-safe excerpt of the text that matches best, matching words in <mark>."""
    if not texts:
        return ""
    if parsed.empty:
        matcher = None
    elif matcher is None:
        matcher = _Matcher(parsed, typos)
    best: tuple[int, LangText, list[tuple[int, int]]] | None = None
    for t in texts:
        spans = _spans(t, matcher) if matcher is not None else []
        if best is None or len(spans) > best[0]:
            best = (len(spans), t, spans)
        if len(spans) >= _ENOUGH:
            break  # texts come best first: this one will do
    assert best is not None
    _, chosen, spans = best
    text = chosen.text
    start = max(0, spans[0][0] - width // 4) if spans else 0
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space != -1 and start - space < 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    out: list[str] = ["\u2026" if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("\u2026")
    return " ".join("".join(out).split())
