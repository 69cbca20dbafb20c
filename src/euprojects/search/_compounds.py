"""Compound words split by the frequencies of their parts in the index (Koehn and Knight,
"Empirical methods for compound splitting", 2003).

German, Dutch, the Nordic languages and Hungarian write compounds as one word: a person types
"Hochwasserschutz" where a text says "Schutz vor Hochwasser", or the English text says "flood
protection". A query word is split where the parts the index holds are, on the geometric
mean of their document frequencies, more common than the word itself; German linking
elements ("Meer-es-müll") are dropped from the part before them. The parts then stand as one
more alternative of the word, all of them required (see _compile).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["split_compound"]

MIN_WORD = 9  # shorter words are rarely compounds of two meaningful parts
MIN_PART = 4  # "rad", "see": three letters match too many unrelated words
MIN_HELD = 2  # a part the index holds less often than this is no word of the catalog
LINKS = ("s", "es", "n", "en", "e")  # German linking elements (Fugenelemente)

# how many projects hold a (folded) word in their titles or texts
Frequency = Callable[[str], int]


def split_compound(token: str, held: Frequency, named: Frequency) -> list[str] | None:
    """The parts of ``token`` (2 or 3) when they are more common than the word, else None.
    ``named``: how many projects hold the word in an acronym or a partner's name; a name
    ("Nordregio") is never split."""
    if len(token) < MIN_WORD or not token.isalpha() or named(token):
        return None
    found = _best(token, held, depth=2)
    if found is None:
        return None
    parts, score = found
    return parts if len(parts) > 1 and score > max(held(token), 1) else None


def _best(token: str, held: Frequency, depth: int) -> tuple[list[str], float] | None:
    whole = held(token)
    best: tuple[list[str], float] | None = ([token], float(whole)) if whole >= MIN_HELD else None
    if depth == 0:
        return best
    for i in range(MIN_PART, len(token) - MIN_PART + 1):
        left, right = token[:i], token[i:]
        heads = [left] + [left[: -len(k)] for k in LINKS if left.endswith(k)]
        head_freq = max(((held(h), h) for h in heads if len(h) >= MIN_PART), default=(0, ""))
        if head_freq[0] < MIN_HELD:
            continue
        rest = _best(right, held, depth - 1)
        if rest is None:
            continue
        parts = [head_freq[1], *rest[0]]
        score = _geometric_mean([head_freq[0], *(held(p) for p in rest[0])])
        if best is None or score > best[1]:
            best = (parts, score)
    return best


def _geometric_mean(values: list[int]) -> float:
    product = 1.0
    for v in values:
        product *= v
    mean: float = product ** (1 / len(values))  # a float: the product is never negative
    return mean
