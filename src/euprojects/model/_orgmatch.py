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
   sp. z o.o., ...) and linking words (of, de, der, ...), reads the word for a university, a
   municipality, an institute, a foundation, an agency, a chamber, a region, a county or a
   ministry in any EU language as one word, and sorts the words (word order).
   A name that normalises to a single word of five letters or fewer (an acronym such as
   ``UALG``) is never a name key: acronyms repeat (rule 6 reads it within one town). A record
   without a town (Kohesio names no beneficiary's town) takes it from its name when the name
   is a municipality's: ``Obshtina Petrich`` is in Petrich. Towns agree under their other names
   (model/_towns.py: ``Wien`` and ``Vienna``) and written together (``VelikoGradiste``).
5. ``spelling``: as ``name``, but one name of each is the same written together
   (``CENTREFOR``), or the records' own names differ by a one-letter typo in one word of five
   letters or more of a name of twelve letters or more (``Recearch``).
6. ``acronym``: the same acronym (a one-word name, a capitalised word in brackets at a name's
   end, the first word of a short name that the record's name does not hold), in the same
   country and town: ``VINNOVA`` and ``VERKET FOR INNOVATIONSSYSTEM`` (short name ``VINNOVA
   SWEDISH AGENCY FOR INNOVATION SYSTEMS``) in Stockholm.
7. ``address``: the same country, postcode and street, and names of one body: one name of
   each holds the other's words with more words around them that name no other kind of body
   (``Business Upper Austria`` and ``Business Upper Austria – OÖ Wirtschaftsagentur Ltd.``;
   not ``Politecnico di Milano`` and ``Fondazione Politecnico di Milano``), or they share at
   least half their words, read by their first six letters, naming the same kinds of body.
8. ``site``: the same name (as for ``name``) in the same country, both records in a town,
   whatever the towns, when the name names one body (a word of it that is no kind of body,
   linking word or word of what bodies do): one body at two of its sites (``Technische
   Hochschule Deggendorf`` in Deggendorf and in Freyung).

Names are also read without an acronym in brackets at their end, and a university's unit
written with its university (``Università di Padova, Dipartimento di ...``) as the university;
never a faculty (model/_orgnames.py).

A rule never links records that contradict each other: two different PICs, two different
Wikidata items, two different VAT numbers or two different countries keep the records apart
whatever the names say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ._orgnames import (
    ACRONYM_MAX,
    BODY,
    KIND,
    LINKING,
    TERRITORIAL,
    TYPO_NAME,
    bracketed,
    distinctive,
    faculty_words,
    name_words,
    normalise_city,
    normalise_name,
    one_letter_less,
    one_typo,
    postcode_key,
    spelled,
    street_key,
    town_words,
    typo_word,
    university_of_unit,
)
from ._records import LangText, Organisation
from ._translit import transliterations
from ._vocab import fold

__all__ = [
    "MATCH_RULES",
    "possibly_same",
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


def _base_names(organisation: Organisation) -> list[str]:
    names = [organisation.name, *(n.text for n in organisation.other_names)]
    return names + [t for n in names for t in transliterations(n)]


def _names(organisation: Organisation) -> list[str]:
    """Every name of the record the rules compare: its names, their Latin transliterations,
    each without an acronym in brackets at its end, and the university a unit's name gives."""
    names = _base_names(organisation)
    derived = [b[0] for b in map(bracketed, names) if b]
    units = [u for u in map(university_of_unit, names + derived) if u]
    return list(dict.fromkeys(names + derived + units))


def _own_names(organisation: Organisation) -> list[str]:
    """The names ``_names`` gives from the record's own name alone (not its other names)."""
    return _names(replace(organisation, other_names=()))


def name_forms(organisation: Organisation) -> set[str]:
    """Every normalised name of the record (transliterations included): within one project,
    two participants sharing one are the same participant."""
    return {normalise_name(n) for n in _names(organisation)} - {""}


def _municipality_town(organisation: Organisation) -> frozenset[str]:
    """The town a municipality's name gives (``Obshtina Petrich``, ``Comune di Torino``): the
    words of its normalised name beside the word for a municipality, when there are some."""
    for name in _names(organisation):
        words = normalise_name(name).split()
        if "municipality" in words and len(words) > 1:
            town = " ".join(w for w in words if w != "municipality" and len(w) > 1)
            return town_words(town, organisation.country)
    return frozenset()


def _town_words(organisation: Organisation) -> frozenset[str]:
    if not organisation.city:
        return _municipality_town(organisation)
    return town_words(organisation.city, organisation.country)


def _same_town(ta: frozenset[str], tb: frozenset[str]) -> bool:
    return bool(ta and tb) and (ta <= tb or tb <= ta)


def towns_agree(a: Organisation, b: Organisation) -> bool:
    """The same town: equal once normalised, one written with more words around the other's
    (``Irún, Guipúzcoa`` and ``Irun``; ``Piran/Pirano`` and ``Piran``), with its words
    written together (``VelikoGradiste``), or under another of its names (``Wien`` and
    ``Vienna``, model/_towns.py)."""
    return _same_town(_town_words(a), _town_words(b))


def _is_acronym(norm: str) -> bool:
    return " " not in norm and len(norm) <= ACRONYM_MAX


def _name_keys(organisation: Organisation) -> set[str]:
    """``name:<country>|<normalised name>`` for each name (the town is checked pairwise)."""
    keys = set()
    for name in _names(organisation):
        norm = normalise_name(name)
        if not _is_acronym(norm):
            keys.add(f"name:{organisation.country}|{norm}")
    return keys


def _spelling_keys(organisation: Organisation) -> set[str]:
    """``spelling:<country>|...``: each name written together, and, for the record's own name
    of twelve letters or more, each long word with one letter left out beside the name's other
    words (the rule checks the typo itself pairwise)."""
    prefix = f"spelling:{organisation.country}|"
    keys = {f"{prefix}={together}" for together in map(spelled, _names(organisation))
            if len(together) >= TYPO_NAME}
    for name in _own_names(organisation):
        norm = normalise_name(name)
        if len(norm.replace(" ", "")) < TYPO_NAME:
            continue
        words = norm.split()
        for i, word in enumerate(words):
            if typo_word(word):
                rest = " ".join(words[:i] + words[i + 1:])
                keys |= {f"{prefix}{rest}|{less}" for less in one_letter_less(word)}
    return keys


def spelled_alike(a: Organisation, b: Organisation) -> bool:
    """One name of each is the same written together (``CENTREFOR`` and ``Centre for``), or
    their own names are the same but for a one-letter typo in a long word of a long name
    (``Recearch``)."""
    if {spelled(n) for n in _names(a)} & {spelled(n) for n in _names(b)} - {""}:
        return True
    forms_b = {normalise_name(n) for n in _own_names(b)}
    return any(one_typo(normalise_name(n), m) for n in _own_names(a) for m in forms_b)


def _acronyms(organisation: Organisation) -> set[str]:
    """The acronyms a record gives: a name of one word (``VINNOVA``), the word in capitals in
    brackets at the end of a name (``(UNIZAR)``; not ``(NPR/CTE)``, a programme), and the
    first word of another name (a short name) when the record's name does not hold it
    (``VINNOVA SWEDISH AGENCY FOR INNOVATION SYSTEMS`` for ``VERKET FOR
    INNOVATIONSSYSTEM``); never a word of fewer than three letters, a word for a kind of body, a
    linking word, or the record's town."""
    found = set()
    for name in _base_names(organisation):
        norm = normalise_name(name)
        if norm and " " not in norm:
            found.add(norm)
        in_brackets = bracketed(name)
        if in_brackets and in_brackets[1].isupper() and "/" not in in_brackets[1]:
            found.add("".join(name_words(in_brackets[1]).split()))
    own = set(name_words(organisation.name).split())
    for other in organisation.other_names:
        words = name_words(other.text).split()
        if len(words) > 1 and words[0] not in own:
            found.add(words[0])
    town = _town_words(organisation)
    return {a for a in found if len(a) >= 3 and a.isalnum() and not a.isdigit()
            and a not in KIND and a not in LINKING and a not in town}


def match_keys(organisation: Organisation) -> set[str]:
    """Every key that links this record to another carrying the same key. A record without a
    country, or without a town (of its own or from a municipality's name), has no name,
    spelling or acronym key."""
    keys: set[str] = set()
    if organisation.country and _town_words(organisation):
        keys |= _name_keys(organisation) | _spelling_keys(organisation)
        keys |= {f"acronym:{organisation.country}|{a}" for a in _acronyms(organisation)}
    pic = normalise_pic(organisation.pic)
    if pic:
        keys.add(f"pic:{pic}")
    vat = normalise_vat(organisation.vat, organisation.country)
    if vat:
        keys.add(f"vat:{vat}")
    wikidata = normalise_wikidata(organisation.wikidata)
    if wikidata:
        keys.add(f"wikidata:{wikidata}")
    address = _address_key(organisation)
    if address:
        keys.add(address)
    if organisation.country:  # a town (Kohesio names none) is not asked for
        keys |= {f"site:{organisation.country}|{norm}" for norm in name_forms(organisation)
                 if distinctive(norm) and not BODY & set(norm.split())}
    return keys


def _address_key(organisation: Organisation) -> str | None:
    """``address:<country>|<postcode>|<street>`` when the record gives all three."""
    postcode, street = postcode_key(organisation.postcode), street_key(organisation.street)
    if organisation.country and postcode and street:
        return f"address:{organisation.country}|{postcode}|{street}"
    return None


def _stems(words: set[str]) -> set[str]:
    return {w[:6] for w in words}


def _one_body(x: str, y: str) -> bool:
    """Two normalised names at one address name one body (rule ``address``)."""
    if faculty_words(x) != faculty_words(y):
        return False
    wx, wy = set(x.split()), set(y.split())
    small, large = sorted((wx, wy), key=len)
    if small <= large:
        added = large - small
        return any(w not in KIND and w not in LINKING for w in small) and not any(
            w in BODY or (w in KIND and KIND[w] not in TERRITORIAL) for w in added)
    sx, sy = _stems(wx), _stems(wy)
    return (len(sx & sy) * 2 >= len(sx | sy) and wx & BODY == wy & BODY
            and {w for w in wx if w in KIND} == {w for w in wy if w in KIND})


def names_of_one_body(a: Organisation, b: Organisation) -> bool:
    """One name of each names the same body (rule ``address``, see ``_one_body``)."""
    forms_b = name_forms(b)
    return any(_one_body(x, y) for x in name_forms(a) for y in forms_b)


def _weak_keys(organisation: Organisation) -> set[str]:
    """The keys of the rules that ask for the same town, whatever the town."""
    if not organisation.country:
        return set()
    return (_name_keys(organisation) | _spelling_keys(organisation)
            | {f"acronym:{organisation.country}|{a}" for a in _acronyms(organisation)})


def possibly_same(a: Organisation, b: Organisation) -> str | None:
    """The rule (``name``, ``spelling`` or ``acronym``) that would link two organisations
    but for their towns (different, or one unknown): a suggestion a person judges, never a
    link. None when they share no such key, or when an identifier (PIC, VAT, Wikidata,
    country) says they are two."""
    ids_a, ids_b = _identity(a), _identity(b)
    if conflict((ids_a[0], ids_b[0]), (ids_a[1], ids_b[1]), (ids_a[2], ids_b[2]),
                (ids_a[3], ids_b[3])):
        return None
    for rule in sorted({_rule(k) for k in _weak_keys(a) & _weak_keys(b)},
                       key=lambda r: _RULE_RANK[r]):
        if rule != "spelling" or spelled_alike(a, b):
            return rule
    return None


# The version of the rules that make the match keys and the links. A store keeps the version
# its links were made by (store/_schema.py); one made by another is keyed and linked again
# when opened. Change it with any change to what match_keys, same_organisation or cluster
# give.
MATCH_RULES = ("3: town names, spelling, acronym, university units, kinds of body, address, "
               "site")


@dataclass(frozen=True, slots=True)
class Link:
    rule: str  # pic | wikidata | vat | name | spelling | acronym | address | site
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


_RULE_RANK = {"pic": 0, "wikidata": 1, "vat": 2, "name": 3, "spelling": 4, "acronym": 5,
              "address": 6, "site": 7}
# rules that check the pair too: the same town (name, spelling, acronym), names of one body
# (address); and site, whose key says it all but which, like them, asks for one country
_WEAK = ("name", "spelling", "acronym", "address", "site")


def _rule(key: str) -> str:
    return key.split(":", 1)[0]


def _weak_link(a: Organisation, b: Organisation, rule: str) -> bool:
    """Two records sharing a key of a weak rule are one organisation: for ``site``, always
    (the key holds the name, country and the town's being known); for ``address``, when their
    names name one body; else when they are in the same town, and, for ``spelling``, their
    names are spelled alike (the key only finds them)."""
    if rule == "site":
        return True
    if rule == "address":
        return names_of_one_body(a, b)
    return towns_agree(a, b) and (rule != "spelling" or spelled_alike(a, b))


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
    shared = sorted(match_keys(a) & match_keys(b), key=lambda k: (_RULE_RANK[_rule(k)], k))
    for key in shared:
        if _rule(key) in _WEAK and _weak_link(a, b, _rule(key)):
            return Link(_rule(key), key)
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


def cluster(members: Iterable[Member]) -> tuple[dict[str, str], list[Edge]]:
    """Group records into organisations: every record -> its cluster's id (the id of the
    member first in ``order``), and the links accepted. Keys are tried strongest rule first
    (PIC, Wikidata, VAT, name, spelling, acronym), then in key order, so the result does not
    depend on the input order. Two groups are joined only when they do not contradict each
    other: no two PICs (for every rule), no two Wikidata items (for every rule but PIC), no two
    VAT numbers and no two countries (for VAT and the weak rules); a weak rule links two
    records of one key only when they pass it pairwise (``same_organisation``)."""
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
        weak = rule == "vat" or rule in _WEAK
        vats = (*va, *vb) if weak else ()
        countries = (*ca, *cb) if weak else ()
        items = () if rule == "pic" else (*wa, *wb)
        if conflict((*pa, *pb), vats, countries, items):
            return
        root, child = (a, b) if by_id[a].order <= by_id[b].order else (b, a)
        parent[child] = root
        identity[root] = (pa | pb, va | vb, ca | cb, wa | wb)
        edges.append(Edge(other, first, Link(rule, key)))

    for key in sorted(keyed, key=lambda k: (_RULE_RANK[_rule(k)], k)):
        ids = sorted(keyed[key], key=lambda i: by_id[i].order)
        rule = _rule(key)
        if rule not in _WEAK:
            for other in ids[1:]:
                join(ids[0], other, rule, key)
            continue
        for n, first in enumerate(ids):  # a weak rule links only records that pass it
            for later in ids[n + 1:]:
                if find(first) != find(later) and _weak_link(
                        by_id[first].organisation, by_id[later].organisation, rule):
                    join(first, later, rule, key)
    return {i: find(i) for i in by_id}, edges


def merge(records: list[Organisation], cluster_id: str) -> Organisation:
    """One organisation from the records linked into it: the first in ``records`` gives the
    name (the university, when that record names one of its units); the fields come from the
    first record with a PIC, then the first record, the others filling what they lack; every
    other name is kept as an alias. The department a record names (keep.eu gives one per
    participation), and a name that is a university's unit written with the university
    (``Università di Padova, Dipartimento di ...``), are left out: they are that record's, not
    the organisation's."""
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
    name = university_of_unit(first.name) or first.name
    seen = {fold(name)}
    aliases = []
    for record in records:
        for text in (LangText(record.name), *record.other_names):
            if fold(text.text) not in seen and university_of_unit(text.text) is None:
                seen.add(fold(text.text))
                aliases.append(text)
    return Organisation(id=cluster_id, name=name, other_names=tuple(aliases),
                        nuts=nuts, **values)
