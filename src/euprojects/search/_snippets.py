"""Highlighted snippets, made from the texts the store holds (the index keeps no text).

The text is HTML-escaped first; only then are the <mark> tags added around words that match
the query: exactly, by stem in the text's language, as a prefix, or within the typo rule.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..model import LangText
from ._analysis import STEMMED, analyzer, fold_tokens, stem_field
from ._compile import MIN_STEM, typo_distance
from ._query import ParsedText

__all__ = ["snippet", "matcher_for"]

_WORD = re.compile(r"\w+", re.UNICODE)
_SCAN_CHARS = 3_000  # a snippet shows where the text first matches; no need to read further
_ENOUGH = 8  # matches in one text: that text is the one to show


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b is at most ``limit`` (small limits, short words)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


class _Matcher:
    def __init__(self, parsed: ParsedText, typos: bool) -> None:
        clauses = parsed.clauses()
        self.exact = {t for c in clauses for t in c.tokens}
        self.prefixes = {c.tokens[-1] for c in clauses if c.prefix and len(c.tokens[-1]) >= 2}
        self.fuzzy = (
            {t: typo_distance(t) for c in clauses if not c.phrase for t in c.tokens
             if typo_distance(t)} if typos else {}
        )
        self.raw = [c.raw.rstrip("*") for c in clauses if not c.phrase]
        self._stems: dict[str, set[str]] = {}
        self._seen: dict[tuple[str, str | None], bool] = {}  # texts repeat their words
        # no word shorter than the shortest query word (less typos) or stem can match
        lengths = [len(t) for t in self.exact] or [1]
        self.shortest = max(1, min(min(lengths) - 2, MIN_STEM))

    def stems(self, lang: str) -> set[str]:
        if lang not in self._stems:
            a = analyzer(stem_field(lang))
            self._stems[lang] = {s for raw in self.raw for s in a.analyze(raw)}
        return self._stems[lang]

    def matches(self, word: str, lang: str | None) -> bool:
        key = (word, lang)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._matches(word, lang)
        return found

    def _matches(self, word: str, lang: str | None) -> bool:
        if len(word) < self.shortest:
            return False
        tokens = fold_tokens(word)
        if not tokens:
            return False
        token = tokens[0]
        if token in self.exact or any(token.startswith(p) for p in self.prefixes):
            return True
        if lang in STEMMED:
            stemmed = analyzer(stem_field(lang)).analyze(word)
            if stemmed and stemmed[0] in self.stems(lang):
                return True
        return any(_within(token, q, d) for q, d in self.fuzzy.items())


def matcher_for(parsed: ParsedText, typos: bool = True) -> _Matcher:
    """What decides which words to mark; share one across a page of results (it caches)."""
    return _Matcher(parsed, typos)


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
        spans = []
        if matcher is not None:
            for m in _WORD.finditer(t.text[:_SCAN_CHARS]):
                if matcher.matches(m.group(), t.lang):
                    spans.append(m.span())
                    if len(spans) >= _ENOUGH:
                        break
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
