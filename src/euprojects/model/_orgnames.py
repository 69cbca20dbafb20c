"""Names and towns in the form the organisation rules compare them (model/_orgmatch.py):
folded, legal forms and linking words dropped, the word for a kind of body read in English,
a listed town's other names read as its own; with the parts of a name the rules read apart (a
university's unit, an acronym in brackets) and the one-letter typos they forgive."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ._towns import TOWN_NAMES
from ._vocab import fold

__all__ = [
    "ACRONYM_MAX",
    "KIND",
    "LINKING",
    "bracketed",
    "TYPO_NAME",
    "normalise_city",
    "normalise_name",
    "one_letter_less",
    "one_typo",
    "spelled",
    "town_words",
    "typo_word",
    "university_of_unit",
    "name_words",
]

# Legal-form words and their spelled-out forms, after folding and with punctuation read as
# space ("S.A." -> "s a", "sp. z o.o." -> "sp z o o"): multi-word forms are matched as phrases.
_LEGAL_FORMS = (
    "ab", "aps", "a s", "as", "asa", "oy", "oyj", "ry", "gmbh", "ggmbh", "mbh", "ag", "ev", "e v",
    "eg", "kg", "ohg", "gbr", "ug", "sa", "s a", "sas", "s a s", "sarl", "s a r l", "sasu",
    "srl", "s r l", "spa", "s p a", "scarl", "s c a r l", "sl", "s l", "slu", "s l u",
    "ltd", "limited", "plc", "llp", "cic", "bv", "b v", "nv", "n v", "vof", "cv", "lda", "ltda",
    "sp z o o", "spzoo", "sp zoo", "s r o", "sro", "spol s r o", "a s", "z s", "o p s",
    "d o o", "doo", "d d", "dd", "kft", "zrt", "nyrt", "bt", "uab", "sia", "ou", "ehf", "hf",
    "ike", "epe", "ae", "oe", "ee", "ad", "ood", "eood", "se", "scs", "sccl", "aisbl", "asbl",
    "vzw", "ivzw", "eeig", "geie", "gie", "inc", "llc", "corp",
    "nonprofit kft", "nonprofit zrt", "nonprofit ltd", "nonprofit gmbh",
)
_LEGAL_RE = re.compile(
    r"(?:^| )(?:" + "|".join(re.escape(f) for f in sorted(set(_LEGAL_FORMS), key=len,
                                                         reverse=True)) + r")(?= |$)"
)
# Linking words that carry no identity and move with word order.
LINKING = frozenset(
    "of the and for a an at in on de des du la le les l d et der die das den dem des und fur "
    "von vom zu zur zum van het en voor di del della dello dei degli delle e y el los las da do "
    "dos das och for i af og pa w z na ve v u".split()
)
# The same kind of body in the EU's languages, read as one word: "Uppsala universitet" is
# "Uppsala University", "Comune di Torino" is "City of Torino", "INSTITUT JOZEF STEFAN" is
# "Jozef Stefan Institute". Only words that name the kind of body, never a part of its proper
# name; each kind stays a word of the name (an institute is not an agency).
_KINDS = {
    "university": "university universitet universitat universite universidad universidade "
                  "universita universiteit uniwersytet univerzita univerza universitatea "
                  "universitetas universitate yliopisto egyetem sveuciliste panepistimio",
    "municipality": "municipality municipio municipiul comune commune ayuntamiento concello "
                    "gemeinde gemeente kommune kommun kunta gmina obec obcina opcina dimos "
                    "obshtina savivaldybe pasvaldiba city stadt ville citta ciudad cidade miasto "
                    "mesto grad",
    "institute": "institute institut instituto istituto instytut institutet instituut "
                 "institutas instituts institutul intezet",
    "foundation": "foundation fondation fundacion fundacao fondazione fundazione stiftung "
                  "stiftelse stiftelsen fundacja fundatia nadace nadacia fundacija sihtasutus "
                  "saatio stichting fundazioa fundacio",
    "agency": "agency agence agencia agenzia agentur agentschap agencja agentura agentuur "
              "agencija ugynokseg agentsia agentsiya",
    "chamber": "chamber chambre camara camera kammer kamer izba komora kamara",
    "region": "region regione regiao regija regionas regiune regiunea perifereia periferia",
    "county": "county powiat megye zupanija judet judetul maakond fylke",
    "ministry": "ministry ministere ministerio ministero ministerium ministerie ministerstvo "
                "ministerstwo ministrstvo ministarstvo ministerul ministerija ministrija "
                "ministeerium miniszterium ministeriet ypourgeio",
}
# A university of applied sciences in one word: Finnish "ammattikorkeakoulu", German
# "Fachhochschule" (each is "University of Applied Sciences" in the body's own English name).
_KINDS["applied sciences university"] = "ammattikorkeakoulu fachhochschule"
KIND = {word: kind for kind, words in _KINDS.items() for word in words.split()}
# Letters that keep no accent to drop (fold leaves them whole), as the Latin letters they are
# written with where the letter is missing: "KOBENHAVN" is København, "LODZ" is Łódź.
_PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                                "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "ŀ": "l"})
# German and Nordic letters written out (ä as ae, ö as oe, ü as ue): read as the folded letter
_WRITTEN_OUT = re.compile(r"(?<=[a-z])(ae|oe|ue)|^(ae|oe|ue)")
_PUNCT = re.compile(r"[^\w]+|_")
ACRONYM_MAX = 5


def _written_out(word: str) -> str:
    return _WRITTEN_OUT.sub(lambda m: (m.group(1) or m.group(2))[0], word)


def _raw_words(text: str) -> str:
    folded = fold(text).translate(_PLAIN_LETTERS).replace("&", " and ").replace("+", " and ")
    return " ".join(_PUNCT.sub(" ", folded).split())


def name_words(text: str) -> str:
    """The text folded, its punctuation read as space and its written-out letters read as the
    letter (``Juelich`` is ``julich``)."""
    return " ".join(_written_out(w) for w in _raw_words(text).split())


@lru_cache(maxsize=1 << 16)  # an import asks again for the names it keyed
def normalise_name(name: str) -> str:
    """The name's comparison form: folded, legal forms and linking words dropped, the word for a
    kind of body read in English, words sorted. ``"Uppsala universitet"`` and ``"UPPSALA
    UNIVERSITET AB"`` both give ``"university uppsala"``."""
    words = name_words(name)
    stripped = _LEGAL_RE.sub(" ", words)
    tokens = [k for t in stripped.split() if t not in LINKING for k in KIND.get(t, t).split()]
    if not tokens:  # a name made only of such words keeps them all
        tokens = words.split()
    return " ".join(sorted(set(tokens)))


@lru_cache(maxsize=1 << 16)
def normalise_city(city: str | None) -> str:
    """A town's comparison form: folded, postcodes and punctuation dropped."""
    if not city:
        return ""
    return " ".join(t for t in name_words(city).split() if not t.isdigit() and t != "cedex")


# A part of a name that names a unit of a university (a department, an institute, a
# laboratory, a chair), never a faculty or a school: some faculties are legal entities of
# their own (docs/organisations.md).
_UNIT_WORDS = frozenset(
    "department departement departament departamento dipartimento departamentul laboratory "
    "laboratoire laboratorio laboratorium lab chair lehrstuhl katedra".split()
) | frozenset(w for w, kind in KIND.items() if kind == "institute")
# Where a name's parts meet: a comma, semicolon, dash, slash or full stop, or a lower-case
# letter running into a capital ("TriesteDipartimento").
_PART_BREAK = re.compile(r"\s*[,;/\u2013\u2014-]\s*|\.\s+|(?<=[a-z])(?=[A-Z])")
_BRACKETED = re.compile(r"^(?P<name>.*\w[^(]*?)\s*\((?P<short>[^()\s]+)\)\s*$")
_ROMAN = re.compile(r"[ivxlcdm]+")
_TYPO_WORD = 5  # a one-letter typo is looked for in words of this many letters or more
TYPO_NAME = 12  # and in names of this many letters or more


def _first_word(text: str) -> str:
    words = name_words(text).split()
    return words[0] if words else ""


def _is_university(text: str) -> bool:
    words = normalise_name(text).split()
    return "university" in words and len(words) > 1


def university_of_unit(name: str) -> str | None:
    """The university a name gives with one of its units, written together: ``Università
    degli Studi di Padova, Dipartimento di ...`` -> ``Università degli Studi di Padova``;
    ``Department of Geography, University of Zagreb`` -> ``University of Zagreb``. None for
    any other name, a faculty's among them."""
    for found in _PART_BREAK.finditer(name):
        before, after = name[:found.start()], name[found.end():]
        if _first_word(after) in _UNIT_WORDS and _is_university(before):
            return before
        if ("," in found.group(0) and _first_word(before) in _UNIT_WORDS
                and _is_university(after)):
            return after
    return None


def bracketed(name: str) -> tuple[str, str] | None:
    """A name ending with one word in brackets, ``Universidad de Zaragoza (UNIZAR)``: the name
    without it and the word (its acronym), else None."""
    found = _BRACKETED.match(name.strip())
    if not found or not name_words(found.group("name")):
        return None
    return found.group("name"), found.group("short")


def _town_lookup() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """Per country, a pattern finding any name of a listed town in a normalised town, and each
    name's town (its first name, normalised)."""
    lookup = {}
    for country, towns in TOWN_NAMES.items():
        canonical: dict[str, str] = {}
        for names in towns:
            first = normalise_city(names[0])
            canonical.update((normalise_city(n), first) for n in names)
        pattern = re.compile(r"\b(?:" + "|".join(
            re.escape(n) for n in sorted(canonical, key=len, reverse=True)) + r")\b")
        lookup[country] = (pattern, canonical)
    return lookup


_TOWNS = _town_lookup()


@lru_cache(maxsize=1 << 16)
def town_words(city: str | None, country: str | None = None) -> frozenset[str]:
    """A town's words, a listed town's other names read as its own (``Wien`` for ``Vienna``),
    and, for a town of several words, those words written together (``Veliko Gradiste`` is
    ``VelikoGradiste``)."""
    town = normalise_city(city)
    if country in _TOWNS:
        pattern, canonical = _TOWNS[country]
        town = pattern.sub(lambda m: canonical[m.group(0)], town)
    words = [t for t in town.split() if len(t) > 1 and t not in LINKING]
    together = {"".join(words)} if len(words) > 1 else set()
    return frozenset(words) | together


def spelled(name: str) -> str:
    """A name's words in their order, legal forms dropped and kinds read as one word, written
    together: ``CENTREFOR WATER`` and ``Centre for Water`` give ``centreforwater``."""
    words = _LEGAL_RE.sub(" ", _raw_words(name)).split()
    return _written_out("".join(KIND.get(_written_out(w), w) for w in words))


def typo_word(word: str) -> bool:
    """A word a one-letter typo is looked for in: five letters or more, no number, no Roman
    numeral (``XVI`` and ``XV`` are two districts)."""
    return len(word) >= _TYPO_WORD and word.isalpha() and not _ROMAN.fullmatch(word)


def one_letter_less(word: str) -> set[str]:
    """The word, and the word with each of its letters left out: a word and the same word with
    one letter changed, added, dropped or swapped with the next share one of these."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_letter_apart(u: str, v: str) -> bool:
    """One letter changed, added, dropped, or swapped with the next."""
    if len(u) > len(v):
        u, v = v, u
    if len(v) - len(u) == 1:
        return any(v[:i] + v[i + 1:] == u for i in range(len(v)))
    if len(u) != len(v):
        return False
    diff = [i for i in range(len(u)) if u[i] != v[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                              and u[diff[0]] == v[diff[1]] and u[diff[1]] == v[diff[0]])


def one_typo(a: str, b: str) -> bool:
    """Two normalised names of twelve letters or more that differ in one word only, a word of
    five letters or more (no number, no Roman numeral), by one letter."""
    if min(len(a.replace(" ", "")), len(b.replace(" ", ""))) < TYPO_NAME:
        return False
    only_a = Counter(a.split()) - Counter(b.split())
    only_b = Counter(b.split()) - Counter(a.split())
    if sum(only_a.values()) != 1 or sum(only_b.values()) != 1:
        return False
    (u,), (v,) = only_a, only_b
    return typo_word(max(u, v, key=len)) and u.isalpha() and v.isalpha() \
        and _one_letter_apart(u, v)
