"""A bilingual lexicon learnt from the catalog's own parallel texts, for cross-language search.

keep.eu projects often describe themselves twice: in English and in a national language. Over
those pairs, a word whose stem keeps appearing in the German text exactly when an English stem
appears in the English text is taken as its translation (Dice coefficient of their document
counts). Built from the store at every index rebuild; a French query word then also finds the
English texts of its translation ("santé" -> "health"), and an English word the German ones.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..model import Project
from ._analysis import STEMMED, analyzer, stem_field

__all__ = ["Lexicon", "LexiconBuilder", "PIVOT"]

PIVOT = "en"
MAX_PAIRS = 400  # per language: enough for the frequent words, bounded build time
MAX_STEMS = 60  # per text side of a pair: the opening of a description says what it is about
MIN_PAIRS = 20  # fewer parallel projects than this teach nothing reliable
MIN_TOGETHER = 3  # the two stems appear together in at least this many projects
MIN_DICE = 0.4
MAX_SHARE = 0.6  # stems in more than this share of the projects are too common to align
MIN_STEM = 4


def _stems(lang: str, text: str) -> frozenset[str]:
    out: dict[str, None] = {}
    for s in analyzer(stem_field(lang)).analyze(text[:4000]):
        if len(s) >= MIN_STEM and not s.isdigit():
            out[s] = None
            if len(out) >= MAX_STEMS:
                break
    return frozenset(out)


class LexiconBuilder:
    """Collects parallel projects during a rebuild, then aligns their stems."""

    def __init__(self) -> None:
        self._pairs: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}

    def add(self, project: Project) -> None:
        by_lang: dict[str, list[str]] = {}
        for t in (project.title, *project.other_titles, *project.description,
                  *project.expected_results, *project.achievements):
            if t.lang in STEMMED:
                by_lang.setdefault(t.lang, []).append(t.text)
        if PIVOT not in by_lang:
            return
        pivot: frozenset[str] | None = None
        for lang, texts in by_lang.items():
            if lang == PIVOT:
                continue
            pairs = self._pairs.setdefault(lang, [])
            if len(pairs) >= MAX_PAIRS:
                continue
            pivot = pivot or _stems(PIVOT, " ".join(by_lang[PIVOT]))
            pairs.append((pivot, _stems(lang, " ".join(texts))))

    def build(self, dictionary: Mapping[str, Mapping[str, str]] | None = None) -> Lexicon:
        """The lexicon learnt, with the translations of a dictionary beside it
        (search/_dictionaries.py: stem -> English stems)."""
        table: dict[str, dict[str, str]] = {}
        reverse: dict[str, dict[str, str]] = {}
        for lang, pairs in self._pairs.items():
            if len(pairs) < MIN_PAIRS:
                continue
            forward, backward = _align(pairs)
            table[lang], reverse[lang] = forward, backward
        return Lexicon(table, reverse, {lang: dict(entries)
                                        for lang, entries in (dictionary or {}).items()})


def _align(
    pairs: list[tuple[frozenset[str], frozenset[str]]]
) -> tuple[dict[str, str], dict[str, str]]:
    n = len(pairs)
    pivot_count = Counter(w for p, _ in pairs for w in p)
    other_count = Counter(w for _, o in pairs for w in o)

    def usable(count: int) -> bool:
        return MIN_TOGETHER <= count <= MAX_SHARE * n

    together: Counter[tuple[str, str]] = Counter()
    for pivot, other in pairs:
        ps = [w for w in pivot if usable(pivot_count[w])]
        for o in other:
            if usable(other_count[o]):
                together.update((o, p) for p in ps)
    best_for_other: dict[str, tuple[float, str]] = {}
    best_for_pivot: dict[str, tuple[float, str]] = {}
    for (o, p), c in together.items():
        if c < MIN_TOGETHER:
            continue
        dice = 2 * c / (pivot_count[p] + other_count[o])
        if dice < MIN_DICE:
            continue
        if dice > best_for_other.get(o, (0.0, ""))[0]:
            best_for_other[o] = (dice, p)
        if dice > best_for_pivot.get(p, (0.0, ""))[0]:
            best_for_pivot[p] = (dice, o)
    return ({o: p for o, (_, p) in best_for_other.items()},
            {p: o for p, (_, o) in best_for_pivot.items()})


class Lexicon:
    """other-language stem -> English stem, and English stem -> other-language stem, learnt;
    and a dictionary's other-language stem -> English stems."""

    def __init__(self, table: dict[str, dict[str, str]], reverse: dict[str, dict[str, str]],
                 dictionary: dict[str, dict[str, str]] | None = None) -> None:
        self.table = table
        self.reverse = reverse
        self.dictionary = dictionary or {}

    @classmethod
    def empty(cls) -> Lexicon:
        return cls({}, {})

    def translations(self, word: str, dictionary: bool = True) -> list[tuple[str, str]]:
        """(field language, stem) pairs a query word also stands for in other languages: what
        the catalog taught, and, with ``dictionary`` (for a word the English texts do not
        hold: an English word is not read as a foreign one), what the dictionary says where
        the catalog taught nothing; a translation of several words gives their stems with a
        space between."""
        out: set[tuple[str, str]] = set()
        for lang in sorted({*self.table, *(self.dictionary if dictionary else ())}):
            stems = analyzer(stem_field(lang)).analyze(word)
            if len(stems) != 1:
                continue
            learnt = self.table.get(lang, {}).get(stems[0])
            found = learnt or (self.dictionary.get(lang, {}).get(stems[0]) if dictionary
                               else None)
            if found:
                out.add((PIVOT, found))
        pivot = analyzer(stem_field(PIVOT)).analyze(word)
        if len(pivot) == 1:
            for lang, reverse in self.reverse.items():
                if pivot[0] in reverse:
                    out.add((lang, reverse[pivot[0]]))
        return sorted(out)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"table": self.table, "reverse": self.reverse,
                                    "dictionary": self.dictionary},
                                   ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls.empty()
        return cls(data["table"], data["reverse"], data.get("dictionary"))

    def __len__(self) -> int:
        return sum(len(t) for t in self.table.values())


def learn(projects: Iterable[Project]) -> Lexicon:
    builder = LexiconBuilder()
    for project in projects:
        builder.add(project)
    return builder.build()
