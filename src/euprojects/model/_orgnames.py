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
    "BODY",
    "KIND",
    "TERRITORIAL",
    "distinctive",
    "faculty_words",
    "postcode_key",
    "street_key",
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
# Kinds of body that a place's bare name stands for: "Alba Iulia" is its municipality.
TERRITORIAL = frozenset({"municipality", "region", "county"})
# Other words that name a kind of body, not one body: a name that adds one to another's names
# another body ("Politecnico di Milano" and its "Fondazione Politecnico di Milano"; "Commune
# Korycin" and its "Centre for Culture, Sports and Tourism in Korycin").
BODY = frozenset(
    "centre center centro centrum centar centras keskus kozpont association associazione "
    "asociacion associacao associacio verein vereniging stowarzyszenie sdruzeni zdruzenje "
    "udruga udruzenje asociatia society societe societa gesellschaft company compagnie "
    "compania enterprise przedsiebiorstwo unternehmen poduzece podjetje school scuola ecole "
    "escuela escola schule szkola skola skole skolan koulu iskola college academy akademie "
    "accademia academia akademia hospital hopital ospedale krankenhaus szpital bolnica "
    "nemocnice sairaala korhaz museum musee museo muzeum muzej library bibliotheque "
    "biblioteca bibliothek biblioteka knjiznica council office ufficio bureau union unione "
    "federation consortium consorzio consorcio konsortium cooperative cooperativa "
    "genossenschaft spoldzielnia zadruga club klub theatre teatro theater divadlo "
    "kindergarten gradinita vrtic przedszkole".split())
# Words of what bodies do, common to many names: a name made only of these, kinds of body and
# linking words ("Przedsiębiorstwo Gospodarki Komunalnej i Mieszkaniowej", a municipal housing
# company found in many towns) names no one body.
_ACTIVITY = frozenset(
    "development regional local research innovation technology technologies technical "
    "science sciences scientific education educational training economic economy business "
    "public social cultural culture tourism tourist sport sports health environmental "
    "environment energy water housing municipal communal management services service "
    "district office administration authority network cluster partnership group youth "
    "employment commerce industry trade crafts agricultural agriculture forest forestry "
    "transport primary secondary high upper lower new general central common rural urban "
    "entwicklung regionale forschung wirtschaft bildung kultur tourismus umwelt energie "
    "developpement recherche economique culturel tourisme sante environnement regional "
    "desarrollo investigacion economico cultural turismo salud medio ambiente "
    "sviluppo ricerca economico culturale turismo salute ambiente servizi "
    "rozwoju rozwoj badan gospodarki gospodarczy komunalnej komunalne mieszkaniowej "
    "wodociagow kanalizacji kultury sportu turystyki osnovna srednja javna ustanova razvojna "
    "razvoj lokalna regionalna zakladni stredni skoly rozvoje rozvoj obecni mestska "
    "dezvoltare locala regionala cercetare".split())
_GENERIC = BODY | _ACTIVITY
# A faculty, which may be a legal entity of its own (docs/organisations.md)
_FACULTY = frozenset("faculty faculte facultad faculdade facolta facultat facultatea fakultat "
                     "fakultet fakulta fakulteta wydzial kar".split())
# The words of an address that name no street: kinds of way, boxes, numbers' marks
_STREET_WORDS = frozenset(
    "street st str strasse strase straat gasse weg road rd avenue ave av avda avenida calle "
    "carrer rua via viale corso piazza piazzale largo rue route chemin boulevard bd blvd "
    "place pl plaza placa ulica ul ulice iela gatan gata vagen vej vei katu tie utca ut "
    "cesta ulitsa ulitza odos leoforos calea strada bulevardul bulevard bulv aleja al box "
    "postbox postbus postfach apartado bp cs sn nº no nr km lane way square platz ring allee "
    "parque park campus edificio building".split())
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


def distinctive(norm: str) -> bool:
    """A normalised name that names one body: a word of it is neither a kind of body, a
    linking word, nor a word of what bodies do (``hazi foundation``, ``helsinki university``;
    not ``gospodarki komunalnej mieszkaniowej przedsiebiorstwo``), and it is no acronym."""
    words = norm.split()
    if len(words) == 1 and len(words[0]) <= ACRONYM_MAX:
        return False
    return any(w not in KIND and w not in LINKING and w not in _GENERIC and not w.isdigit()
               and len(w) > 1 for w in words)


def faculty_words(norm: str) -> frozenset[str]:
    """The words of a normalised name that name a faculty."""
    return frozenset(norm.split()) & _FACULTY


_POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,3}[- ]+(?=[0-9])")


def postcode_key(postcode: str | None) -> str:
    """A postcode as compared: capitals and digits only, a country prefix (``LV-``, ``FL-``)
    dropped, leading zeros of a postcode of digits dropped (keep.eu writes ``08007`` as
    ``8007``); empty for one of fewer than three characters."""
    code = _POSTCODE_PREFIX.sub("", (postcode or "").strip().upper())
    code = re.sub(r"[^0-9A-Z]", "", code)
    if code.isdigit():
        code = code.lstrip("0")
    return code if len(code) >= 3 else ""


def street_key(street: str | None) -> str:
    """A street as compared: the first five letters of its first word of four letters or more
    that names no kind of way (``Hafenstr. 47`` and ``Hafenstraße 47-51`` give ``hafen``;
    ``Avda. Serapio Huici 22`` gives ``serap``); empty when there is none."""
    for word in name_words(street or "").split():
        if word.isalpha() and len(word) >= 4 and word not in _STREET_WORDS \
                and word not in LINKING:
            return word[:5]
    return ""


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
