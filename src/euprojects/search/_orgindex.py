"""The organisation index: one document per organisation (its source records linked into one,
docs/organisations.md), searched by its names and filtered by what it is and what its projects
are. It lives in the generation of the project index (``organisations/``), is written with it
and follows its updates: an organisation's figures (its projects, what it received, its latest
start, the frameworks and topics of its projects) are the participation columns' sums over the
live rows (search/_columns.py), so they always agree with the project index they sit beside.

An organisation without a live project (all its projects replaced or gone) has no document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import tantivy

from ..model import FACETS, Facet, Organisation, fold
from ._analysis import NEUTRAL, register
from ._columns import OrganisationFigures

__all__ = ["ORG_DIR", "ORG_FACETS", "build_org_schema", "write_organisations"]

ORG_DIR = "organisations"
_HEAP = 64_000_000


def _(message: str) -> str:
    """Marks a label for extraction (the interface translates it where it is shown)."""
    return message


# The facets of the organisation search, each defined once: the project facets of the same
# name (an organisation holds the values of its projects and of its own places), then the
# organisation's own. ``extract`` is the project's and is not used here.
ORG_FACETS: Mapping[str, Facet] = {
    **{name: FACETS[name] for name in ("country", "nuts1", "nuts2", "nuts3", "source",
                                       "framework", "topic", "period", "legal_status")},
    "organisation_type": Facet("organisation_type", _("Type of organisation"), None),
    "sme": Facet("sme", _("SME"), None, shown="messages",
                 messages={"yes": _("Declared an SME in a project")}),
}
# the figures each document holds, as integers (fast: sorted and shown without the store)
NUMBERS = ("projects", "participations", "received_cents", "latest_day")


def build_org_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    sb.add_text_field("name", stored=False, tokenizer_name=NEUTRAL, index_option="position")
    sb.add_text_field("names", stored=False, tokenizer_name=NEUTRAL, index_option="position")
    sb.add_text_field("town", stored=False, tokenizer_name=NEUTRAL, index_option="freq")
    # every name and acronym folded whole: a query that is exactly one of them ranks first
    sb.add_text_field("exact", stored=False, tokenizer_name="raw")
    for name in ORG_FACETS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in NUMBERS:
        sb.add_integer_field(name, stored=True, indexed=True, fast=True)
    # what a result shows of it (JSON), stored only
    sb.add_bytes_field("card", stored=True)
    return sb.build()


_BRACKETED = re.compile(r"\(([A-Z][A-Z0-9&.-]{1,15})\)\s*$")


def acronyms_of(organisation: Organisation) -> set[str]:
    """The acronyms an organisation's names give, folded: a word in capitals in brackets at
    the end of a name (``Latvian Investment and Development Agency (LIAA)``), and the first
    word of a name in capitals when it is not a word of the organisation's own name (CORDIS's
    short name ``VINNOVA SWEDISH AGENCY FOR INNOVATION SYSTEMS`` for ``VERKET FOR
    INNOVATIONSSYSTEM``). A query that is one of them ranks the organisation first."""
    own = set(fold(organisation.name).split())
    found = set()
    for text in (organisation.name, *(o.text for o in organisation.other_names)):
        bracketed = _BRACKETED.search(text)
        if bracketed:
            found.add(fold(bracketed.group(1)))
        words = text.split()
        if (len(words) > 1 and text.isupper() and len(words[0]) >= 3 and words[0].isalpha()
                and fold(words[0]) not in own):
            found.add(fold(words[0]))
    return found


def org_facet_values(organisation: Organisation, figures: OrganisationFigures,
                     n: int) -> dict[str, set[str]]:
    """The facet values of an organisation (number ``n`` in the figures)."""
    values: dict[str, set[str]] = {name: set() for name in ORG_FACETS}
    for country, nuts in figures.places(n):
        if country:
            values["country"].add(country)
        for level, size in (("nuts1", 3), ("nuts2", 4), ("nuts3", 5)):
            if len(nuts) >= size:
                values[level].add(nuts[:size])
    if organisation.country:
        values["country"].add(organisation.country)
    for facet, value in figures.values(n):
        values[facet].add(value)
    if organisation.legal_status:
        values["legal_status"].add(organisation.legal_status)
    if organisation.organisation_type:
        values["organisation_type"].add(organisation.organisation_type)
    if bool(figures.sme[n]):
        values["sme"].add("yes")
    return values


def _document(organisation: Organisation, figures: OrganisationFigures,
              n: int) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", organisation.id)
    doc.add_text("name", organisation.name)
    others = [o.text for o in organisation.other_names]
    for text in others:
        doc.add_text("names", text)
    for text in {fold(t) for t in (organisation.name, *others)} | acronyms_of(organisation):
        doc.add_text("exact", text)
    if organisation.city:
        doc.add_text("town", organisation.city)
    values = org_facet_values(organisation, figures, n)
    for name, held in values.items():
        for value in sorted(held):
            doc.add_text(name, value)
    numbers = {"projects": figures.projects[n], "participations": figures.participations[n],
               "received_cents": figures.received_cents[n] if figures.known[n] else -1,
               "latest_day": figures.latest_day[n]}
    for name, value in numbers.items():
        doc.add_integer(name, int(value))
    doc.add_bytes("card", json.dumps({
        "name": organisation.name, "city": organisation.city,
        "country": organisation.country, "countries": sorted(values["country"]),
        "sources": sorted(values["source"])},
        ensure_ascii=False).encode())
    return doc


def write_organisations(folder: Path, organisations: Iterable[Organisation],
                        figures: OrganisationFigures, replace: Iterable[str] | None = None
                        ) -> int:
    """Write the documents of ``organisations`` into the generation ``folder``: all of them
    anew (``replace`` None), or in place of the documents of the ids ``replace`` names (an
    update; an id without an organisation any more loses its document). Returns how many
    documents were written."""
    path = folder / ORG_DIR
    fresh = replace is None
    path.mkdir(exist_ok=True)
    index = (tantivy.Index(build_org_schema(), path=str(path), reuse=False) if fresh
             else tantivy.Index.open(str(path)))
    register(index)
    number = figures.number()
    writer = index.writer(heap_size=_HEAP, num_threads=1)
    count = 0
    try:
        for oid in replace or ():
            writer.delete_documents_by_term("id", oid)
        for organisation in organisations:
            n = number.get(organisation.id)
            if n is None or figures.projects[n] == 0:
                continue
            writer.add_document(_document(organisation, figures, n))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    return count
