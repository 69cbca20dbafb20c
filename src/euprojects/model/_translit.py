"""Latin letters for names written in Cyrillic or Greek, by the official systems of the EU
countries that write them: Bulgaria's (the Transliteration Act of 2009, the one Kohesio's
transliterations follow: ``Община Петрич`` -> ``Obshtina Petrich``) and Greece's ELOT 743
(``Δήμος Αθηναίων`` -> ``Dimos Athinaion``). Cyrillic letters Bulgarian does not use (Serbian,
Macedonian, Ukrainian, Russian) take their usual Latin forms.

A transliteration is an alias for recognising and finding an organisation, never its name."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["transliterate", "transliterations", "needs_transliteration"]

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    # not Bulgarian
    "ё": "yo", "ы": "y", "э": "e", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ђ": "dj",
    "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}
# ELOT 743, letter by letter; the digraphs are handled first (_GREEK_PAIRS)
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}
_GREEK_PAIRS = {"ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "μπ": "b", "ντ": "nt",
                "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch"}
# αυ, ευ, ηυ: v before a voiced sound or a vowel, f before a voiceless one or at the end
_U_PAIRS = {"α": "a", "ε": "e", "η": "i"}
_VOICELESS = set("θκξπστφχψ")
_LETTERS = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]")


def needs_transliteration(text: str) -> bool:
    """True when the text holds a Cyrillic or Greek letter."""
    return _LETTERS.search(text) is not None


def _plain_greek(ch: str) -> str:
    """A Greek letter without its accent or diaeresis (ά -> α, ϊ -> ι); any other letter as
    it is (the breve of the Cyrillic й is part of the letter)."""
    if not ("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff"):
        return ch
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def _word(word: str, final_iya: bool = False) -> str:
    lower = "".join(_plain_greek(ch) for ch in word.lower())
    out: list[str] = []
    i = 0
    while i < len(lower):
        pair = lower[i:i + 2]
        if pair == "ия" and i + 2 == len(lower):  # Bulgarian: -ия at a word's end is -ia
            out.append("iya" if final_iya else "ia")
            break
        if len(pair) == 2 and pair[1] == "υ" and pair[0] in _U_PAIRS:
            following = lower[i + 2:i + 3]
            voiceless = not following or following in _VOICELESS or not following.isalpha()
            out.append(_U_PAIRS[pair[0]] + ("f" if voiceless else "v"))
            i += 2
            continue
        if pair in _GREEK_PAIRS:
            out.append(("mp" if 0 < i and i + 2 < len(lower) else "b") if pair == "μπ"
                       else _GREEK_PAIRS[pair])
            i += 2
            continue
        ch = lower[i]
        out.append(_CYRILLIC.get(ch) or _GREEK.get(ch) or ch)
        i += 1
    latin = "".join(out)
    if word.isupper() and len(word) > 1:
        return latin.upper()
    if word[:1].isupper():
        return latin[:1].upper() + latin[1:]
    return latin


def transliterate(text: str) -> str:
    """The text in Latin letters; the same text when it holds no Cyrillic or Greek letter."""
    if not needs_transliteration(text):
        return text
    return re.sub(r"\w+", lambda m: _word(m.group(0)), text)


def transliterations(text: str) -> list[str]:
    """The text's Latin forms: by the systems above, then, when a word ends in ``-ия``, as
    Kohesio writes it (``-iya``: ``Агенция`` is ``Agentsia`` by the Act, ``Agentsiya`` in
    Kohesio and in most English texts). Empty when the text holds no Cyrillic or Greek
    letter."""
    if not needs_transliteration(text):
        return []
    forms = [transliterate(text)]
    iya = re.sub(r"\w+", lambda m: _word(m.group(0), final_iya=True), text)
    return forms if iya == forms[0] else [*forms, iya]
