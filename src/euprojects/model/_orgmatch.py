"""When two organisation records are the same organisation: conservative rules that can be
explained, never a loose guess.

Rules, in order (docs/organisations.md):

1. ``pic``: both records carry the same Participant Identification Code (the EU's register
   number of a legal entity, nine digits).
2. ``wikidata``: both carry the same Wikidata item (Kohesio gives one for many beneficiaries).
3. ``vat``: both carry the same VAT number (spaces, dots and dashes ignored; Greece's EL prefix
   and a missing country prefix read as the record's country).
4. ``name``: one name of each (legal name, short or translated names, and the Latin
   transliteration of a Cyrillic or Greek name) is the same after
   normalisation, in the same country and the same town (equal once normalised, or one
   written with more words around the other: ``Irún, Guipúzcoa`` and ``Irun``). Normalising
   folds case and accents (and reads ``ae``, ``oe``, ``ue`` as the letter they write out),
   reads punctuation as space, ``&`` as ``and``, drops legal-form words (GmbH, AB, S.A.,
   sp. z o.o., ...) and linking words (of, de, der, ...), reads the word for a university or
   a municipality in any EU language as one word, and sorts the words (word order).
   A name that normalises to a single word of five letters or fewer (an acronym such as
   ``UALG``) is an alias only, never a key: acronyms repeat. A record without a town (Kohesio
   names no beneficiary's town) takes it from its name when the name is a municipality's:
   ``Obshtina Petrich`` is in Petrich.

A rule never links records that contradict each other: two different PICs, two different
Wikidata items, two different VAT numbers or two different countries keep the records apart
whatever the names say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ._records import LangText, Organisation
from ._translit import needs_transliteration, transliterate
from ._vocab import fold

__all__ = [
    "Link",
    "match_keys",
    "normalise_city",
    "normalise_name",
    "normalise_vat",
    "normalise_wikidata",
    "name_forms",
    "same_organisation",
    "conflict",
    "cluster",
    "merge",
    "Member",
    "Edge",
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
)
_LEGAL_RE = re.compile(
    r"(?:^| )(?:" + "|".join(re.escape(f) for f in sorted(set(_LEGAL_FORMS), key=len,
                                                         reverse=True)) + r")(?= |$)"
)
# Linking words that carry no identity and move with word order.
_LINKING = frozenset(
    "of the and for a an at in on de des du la le les l d et der die das den dem des und fur "
    "von vom zu zur zum van het en voor di del della dello dei degli delle e y el los las da do "
    "dos das och for i af og pa w z na ve v u".split()
)
# The same kind of body in the EU's languages, read as one word: "Uppsala universitet" is
# "Uppsala University", "Comune di Torino" is "City of Torino". Only words that name the kind
# of body, never a part of its proper name.
_KINDS = {
    "university": "university universitet universitat universite universidad universidade "
                  "universita universiteit uniwersytet univerzita univerza universitatea "
                  "universitetas universitate yliopisto egyetem sveuciliste panepistimio",
    "municipality": "municipality municipio municipiul comune commune ayuntamiento concello "
                    "gemeinde gemeente kommune kommun kunta gmina obec obcina opcina dimos "
                    "obshtina savivaldybe pasvaldiba city stadt ville citta ciudad cidade miasto "
                    "mesto grad",
}
_KIND = {word: kind for kind, words in _KINDS.items() for word in words.split()}
# German and Nordic letters written out (ä as ae, ö as oe, ü as ue): read as the folded letter
_WRITTEN_OUT = re.compile(r"(?<=[a-z])(ae|oe|ue)|^(ae|oe|ue)")
_PUNCT = re.compile(r"[^\w]+|_")
_ACRONYM_MAX = 5


def _words(text: str) -> str:
    folded = fold(text).replace("&", " and ").replace("+", " and ")
    words = _PUNCT.sub(" ", folded).split()
    return " ".join(_WRITTEN_OUT.sub(lambda m: (m.group(1) or m.group(2))[0], w) for w in words)


@lru_cache(maxsize=1 << 16)  # an import asks again for the names it keyed
def normalise_name(name: str) -> str:
    """The name's comparison form: folded, legal forms and linking words dropped, words
    sorted. ``"Uppsala universitet"`` and ``"UPPSALA UNIVERSITET AB"`` both give
    ``"universitet uppsala"``."""
    words = _words(name)
    stripped = _LEGAL_RE.sub(" ", words)
    tokens = [_KIND.get(t, t) for t in stripped.split() if t not in _LINKING]
    if not tokens:  # a name made only of such words keeps them all
        tokens = words.split()
    return " ".join(sorted(set(tokens)))


@lru_cache(maxsize=1 << 16)
def normalise_city(city: str | None) -> str:
    """A town's comparison form: folded, postcodes and punctuation dropped."""
    if not city:
        return ""
    return " ".join(t for t in _words(city).split() if not t.isdigit() and t != "cedex")


def normalise_vat(vat: str | None, country: str | None) -> str | None:
    """A VAT number's comparison form, country prefix included; None for a value too short to
    be one."""
    if not vat:
        return None
    value = re.sub(r"[\s.\-/]", "", vat).upper()
    if value.startswith("EL"):
        value = "GR" + value[2:]
    if not value[:2].isalpha() and country:
        value = country.upper() + value
    return value if len(value) >= 8 and any(c.isdigit() for c in value) else None


def normalise_pic(pic: str | None) -> str | None:
    """A PIC is nine digits; anything else (``0``, ``n/a``, a typo) is no PIC."""
    value = (pic or "").strip()
    return value if re.fullmatch(r"\d{9}", value) else None


def normalise_wikidata(value: str | None) -> str | None:
    """A Wikidata item's id, ``Q42``, from the id or its address; None for anything else."""
    found = re.fullmatch(r"(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9]\d*)",
                         (value or "").strip())
    return found.group(1) if found else None


def _names(organisation: Organisation) -> list[str]:
    names = [organisation.name, *(n.text for n in organisation.other_names)]
    return names + [transliterate(n) for n in names if needs_transliteration(n)]


def name_forms(organisation: Organisation) -> set[str]:
    """Every normalised name of the record (transliterations included): within one project,
    two participants sharing one are the same participant."""
    return {normalise_name(n) for n in _names(organisation)} - {""}


@lru_cache(maxsize=1 << 16)
def _town_words_of(city: str | None) -> frozenset[str]:
    return frozenset(t for t in normalise_city(city).split() if len(t) > 1 and t not in _LINKING)


def _municipality_town(organisation: Organisation) -> frozenset[str]:
    """The town a municipality's name gives (``Obshtina Petrich``, ``Comune di Torino``): the
    words of its normalised name beside the word for a municipality, when there are some."""
    for name in _names(organisation):
        words = normalise_name(name).split()
        if "municipality" in words and len(words) > 1:
            return frozenset(w for w in words if w != "municipality" and len(w) > 1)
    return frozenset()


def _town_words(organisation: Organisation) -> frozenset[str]:
    if not organisation.city:
        return _municipality_town(organisation)
    return _town_words_of(organisation.city)


def _same_town(ta: frozenset[str], tb: frozenset[str]) -> bool:
    return bool(ta and tb) and (ta <= tb or tb <= ta)


def towns_agree(a: Organisation, b: Organisation) -> bool:
    """The same town: equal once normalised, or one written with more words around the other's
    (``Irún, Guipúzcoa`` and ``Irun``; ``Piran/Pirano`` and ``Piran``)."""
    return _same_town(_town_words(a), _town_words(b))


def _name_keys(organisation: Organisation) -> set[str]:
    """``name:<country>|<normalised name>`` for each name (the town is checked pairwise)."""
    if not _town_words(organisation) or not organisation.country:
        return set()
    keys = set()
    for name in _names(organisation):
        norm = normalise_name(name)
        if " " not in norm and len(norm) <= _ACRONYM_MAX:
            continue
        keys.add(f"name:{organisation.country}|{norm}")
    return keys


def match_keys(organisation: Organisation) -> set[str]:
    """Every key that links this record to another carrying the same key."""
    keys = _name_keys(organisation)
    pic = normalise_pic(organisation.pic)
    if pic:
        keys.add(f"pic:{pic}")
    vat = normalise_vat(organisation.vat, organisation.country)
    if vat:
        keys.add(f"vat:{vat}")
    wikidata = normalise_wikidata(organisation.wikidata)
    if wikidata:
        keys.add(f"wikidata:{wikidata}")
    return keys


@dataclass(frozen=True, slots=True)
class Link:
    rule: str  # pic | wikidata | vat | name
    detail: str  # the key they share

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "detail": self.detail}


def conflict(
    pics: Iterable[str | None], vats: Iterable[str | None], countries: Iterable[str | None],
    items: Iterable[str | None] = (),
) -> str | None:
    """Why records with these identifiers (PICs, VAT numbers, countries, Wikidata items)
    cannot be one organisation, or None."""
    for label, values in (("PICs", pics), ("Wikidata items", items), ("VAT numbers", vats),
                          ("countries", countries)):
        distinct = {v for v in values if v}
        if len(distinct) > 1:
            return f"different {label}: {', '.join(sorted(distinct))}"
    return None


def _identity(o: Organisation) -> tuple[str | None, str | None, str | None, str | None]:
    return (normalise_pic(o.pic), normalise_vat(o.vat, o.country), o.country,
            normalise_wikidata(o.wikidata))


def same_organisation(a: Organisation, b: Organisation) -> Link | None:
    """The rule that makes these two records one organisation, or None."""
    (pa, va, ca, wa), (pb, vb, cb, wb) = _identity(a), _identity(b)
    if pa and pa == pb:
        return Link("pic", f"pic:{pa}")
    if conflict((pa, pb), (), (), (wa, wb)):
        return None
    if wa and wa == wb:
        return Link("wikidata", f"wikidata:{wa}")
    if conflict((pa, pb), (va, vb), (ca, cb)):
        return None
    if va and va == vb:
        return Link("vat", f"vat:{va}")
    shared = sorted(_name_keys(a) & _name_keys(b))
    if shared and towns_agree(a, b):
        return Link("name", shared[0])
    return None


@dataclass(frozen=True, slots=True)
class Member:
    """One organisation record as clustering sees it: ``order`` ranks who names a cluster
    (the earliest imported record)."""

    id: str
    organisation: Organisation
    order: tuple[int, str]


@dataclass(frozen=True, slots=True)
class Edge:
    """One accepted link: ``organisation_id`` joined ``linked_to``'s organisation by ``link``."""

    organisation_id: str
    linked_to: str
    link: Link


_RULE_RANK = {"pic": 0, "wikidata": 1, "vat": 2, "name": 3}


def cluster(members: Iterable[Member]) -> tuple[dict[str, str], list[Edge]]:
    """Group records into organisations: every record -> its cluster's id (the id of the
    member first in ``order``), and the links accepted. Keys are tried strongest rule first
    (PIC, Wikidata, VAT, name), then in key order, so the result does not depend on the input
    order. Two groups are joined only when they do not contradict each other: no two PICs (for
    every rule), no two Wikidata items (for every rule but PIC), no two VAT numbers and no two
    countries (for VAT and name links)."""
    by_id = {m.id: m for m in members}
    parent = {i: i for i in by_id}
    identity = {i: tuple({value} - {None} for value in _identity(m.organisation))
                for i, m in by_id.items()}
    keyed: dict[str, list[str]] = {}
    for i, m in by_id.items():
        for key in match_keys(m.organisation):
            keyed.setdefault(key, []).append(i)

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: list[Edge] = []

    def join(first: str, other: str, rule: str, key: str) -> None:
        a, b = find(first), find(other)
        if a == b:
            return
        (pa, va, ca, wa), (pb, vb, cb, wb) = identity[a], identity[b]
        weak = rule in ("vat", "name")
        vats = (*va, *vb) if weak else ()
        countries = (*ca, *cb) if weak else ()
        items = () if rule == "pic" else (*wa, *wb)
        if conflict((*pa, *pb), vats, countries, items):
            return
        root, child = (a, b) if by_id[a].order <= by_id[b].order else (b, a)
        parent[child] = root
        identity[root] = (pa | pb, va | vb, ca | cb, wa | wb)
        edges.append(Edge(other, first, Link(rule, key)))

    for key in sorted(keyed, key=lambda k: (_RULE_RANK[k.split(":", 1)[0]], k)):
        ids = sorted(keyed[key], key=lambda i: by_id[i].order)
        rule = key.split(":", 1)[0]
        if rule != "name":
            for other in ids[1:]:
                join(ids[0], other, rule, key)
            continue
        towns = [_town_words(by_id[i].organisation) for i in ids]
        for n, first in enumerate(ids):  # a name links only records of the same town
            for later in range(n + 1, len(ids)):
                if _same_town(towns[n], towns[later]):
                    join(first, ids[later], rule, key)
    return {i: find(i) for i in by_id}, edges


def merge(records: list[Organisation], cluster_id: str) -> Organisation:
    """One organisation from the records linked into it: the first in ``records`` gives the
    name; the fields come from the first record with a PIC, then the first record, the others
    filling what they lack; every other name is kept as an alias. The
    department a record names (keep.eu gives one per participation) is left out: it is that
    record's, not the organisation's."""
    first, rest = records[0], records[1:]
    if not rest:
        return first
    values = {}
    # the fields of a record with a PIC first: register data describe the organisation better
    # than a partner list's (whose website may be the project's); then in the records' order
    ranked = sorted(records, key=lambda r: normalise_pic(r.pic) is None)
    for name in ("country", "country_label", "city", "postcode", "street", "legal_status",
                 "organisation_type", "website", "pic", "vat", "wikidata"):
        values[name] = next((getattr(r, name) for r in ranked if getattr(r, name)), None)
    values["department"] = None  # a department is one record's, never the organisation's
    nuts = next((r.nuts for r in ranked if r.nuts), ())
    seen = {fold(first.name)}
    aliases = []
    for record in records:
        for text in (LangText(record.name), *record.other_names):
            if fold(text.text) not in seen:
                seen.add(fold(text.text))
                aliases.append(text)
    return Organisation(id=cluster_id, name=first.name, other_names=tuple(aliases),
                        nuts=nuts, **values)
