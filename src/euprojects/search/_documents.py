"""What the index holds of a project: searchable text by weight and language, facet values,
and the numbers ranges and sorts use. Large texts stay in the store, not the index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN

import tantivy

from ..model import FACETS, Money, Organisation, Participation, Project
from ._analysis import NEUTRAL, STEMMED, stem_field

__all__ = ["build_schema", "to_document", "facet_values", "TEXT_FIELDS", "FACET_FIELDS",
           "NUMBER_FIELDS", "said_status", "NO_START", "NO_END", "euro_cents", "FACET_GROUPS",
           "group_field", "GROUP_SEPARATOR"]

# Searchable neutral fields and their weights: acronym and title above texts above partners.
TEXT_FIELDS = {"acronym": 6.0, "title": 3.0, "body": 1.0, "partners": 0.6}
# Facets held as exact values (raw tokenizer, fast): every facet of the registry with an
# extraction (the status is computed at query time).
FACET_FIELDS = tuple(f.name for f in FACETS.values() if f.indexed)
# The facets of many values per project, in two groups: each group's values are held once more
# in one field of its own, as "<facet>:<value>" (group_field), so that counting a group's
# facets reads each document's values in one pass instead of one pass per facet (a third less
# time at a million projects: docs/benchmarks.md). The places are one group, the themes and
# the rest the other; a facet's own field stays for its filter and for counting it alone.
FACET_GROUPS = {
    "places": ("country", "nuts1", "nuts2", "nuts3"),
    "themes": ("topic", "theme", "field", "activity", "fund", "legal_status", "objective",
               "category"),
}
GROUP_SEPARATOR = ":"
NO_START, NO_END = -1, 10**8  # "no start date", "no end date" in start_day / end_day
NUMBER_FIELDS = {"eu_contribution": "eu", "total_budget": "total", "cofinancing_rate": "rate"}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=NEUTRAL, index_option="position")
    for lang in STEMMED:
        sb.add_text_field(stem_field(lang), stored=False, tokenizer_name=stem_field(lang),
                          index_option="position")
    for name in (*FACET_FIELDS, "said_status"):
        sb.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for group in FACET_GROUPS:
        sb.add_text_field(group_field(group), stored=False, tokenizer_name="raw", fast=True,
                          index_option="basic")
    # days (proleptic ordinal) for the status counts, with sentinels for a missing date
    sb.add_integer_field("start_day", stored=False, indexed=False, fast=True)
    sb.add_integer_field("end_day", stored=False, indexed=False, fast=True)
    sb.add_date_field("start", stored=False, indexed=True, fast=True)
    sb.add_date_field("end", stored=False, indexed=True, fast=True)
    for short in NUMBER_FIELDS.values():
        sb.add_float_field(short, stored=False, indexed=True, fast=True)
    # the statistics' exact sums (search/_stats.py): amounts in EUR as integer cents, and
    # the start year
    sb.add_integer_field("eu_cents", stored=False, indexed=True, fast=True)
    sb.add_integer_field("total_cents", stored=False, indexed=False, fast=True)
    sb.add_integer_field("start_year", stored=False, indexed=False, fast=True)
    # the document's row in the generation's participation columns (search/_columns.py)
    sb.add_integer_field("row", stored=False, indexed=False, fast=True)
    # the ids of its organisations: a query naming one ranks its projects first
    sb.add_text_field("organisations", stored=False, tokenizer_name="raw", index_option="basic")
    return sb.build()


def group_field(group: str) -> str:
    """The field holding the values of a group of FACET_GROUPS."""
    return f"facets_{group}"


def euro_cents(money: Money | None) -> int | None:
    """An amount in EUR as whole cents (to the nearest cent); None for no amount or an
    amount in another currency (not summed with euros)."""
    if money is None or money.currency != "EUR":
        return None
    return int((money.amount * 100).to_integral_value(ROUND_HALF_EVEN))


def said_status(value: str | None) -> str:
    """What the source said, reduced to what changes a status: terminated, closed or nothing."""
    said = (value or "").strip().lower()
    if said == "terminated":
        return "terminated"
    if said in {"closed", "finished", "completed"}:
        return "closed"
    return ""


def day_time(value: date) -> datetime:
    """A day as the datetime the index stores for it (midnight)."""
    return datetime(value.year, value.month, value.day)


def facet_values(project: Project, organisations: Sequence[Organisation]
                 ) -> dict[str, list[str]]:
    """The values of every indexed facet of a project (FACETS' extractions)."""
    return {facet.name: list(facet.extract(project, organisations))
            for facet in FACETS.values() if facet.extract is not None}


def to_document(
    project: Project, participants: Iterable[tuple[Participation, Organisation]], row: int,
    values: Mapping[str, Sequence[str]] | None = None,
) -> tantivy.Document:
    """The document of a project; ``values``: its facet values when already taken."""
    doc = tantivy.Document()
    doc.add_text("id", project.id)
    doc.add_integer("row", row)
    if project.acronym:
        doc.add_text("acronym", project.acronym)
    stems: dict[str, list[str]] = {}
    for t in (project.title, *project.other_titles):
        doc.add_text("title", t.text)
        if t.lang in STEMMED:
            stems.setdefault(t.lang, []).append(t.text)
    for texts in (project.description, project.expected_results, project.achievements,
                  project.expected_outputs, project.delivered_outputs):
        for t in texts:
            doc.add_text("body", t.text)
            if t.lang in STEMMED:
                stems.setdefault(t.lang, []).append(t.text)
    for theme in project.themes:
        doc.add_text("body", theme)
        stems.setdefault("en", []).append(theme)
    for lang, stemmed in stems.items():
        for text in stemmed:
            doc.add_text(stem_field(lang), text)
    organisations = [organisation for _, organisation in participants]
    for oid in {organisation.id for organisation in organisations}:
        doc.add_text("organisations", oid)
    for organisation in organisations:
        doc.add_text("partners", organisation.name)
        for other in organisation.other_names:
            doc.add_text("partners", other.text)
        if organisation.city:
            doc.add_text("partners", organisation.city)
    values = values or facet_values(project, organisations)
    for name, held in values.items():
        for value in held:
            doc.add_text(name, value)
    for group, names in FACET_GROUPS.items():
        for name in names:
            for value in values.get(name, ()):
                doc.add_text(group_field(group), f"{name}{GROUP_SEPARATOR}{value}")
    doc.add_text("said_status", said_status(project.source_status))
    doc.add_integer("start_day", project.start_date.toordinal() if project.start_date else NO_START)
    doc.add_integer("end_day", project.end_date.toordinal() if project.end_date else NO_END)
    if project.start_date:
        doc.add_date("start", day_time(project.start_date))
    if project.end_date:
        doc.add_date("end", day_time(project.end_date))
    if project.eu_contribution is not None:
        doc.add_float("eu", float(project.eu_contribution.amount))
    if project.total_budget is not None:
        doc.add_float("total", float(project.total_budget.amount))
    rate = project.cofinancing_rate
    if rate is not None:
        doc.add_float("rate", float(rate))
    for name, money in (("eu_cents", project.eu_contribution),
                        ("total_cents", project.total_budget)):
        cents = euro_cents(money)
        if cents is not None:
            doc.add_integer(name, cents)
    if project.start_date:
        doc.add_integer("start_year", project.start_date.year)
    return doc
