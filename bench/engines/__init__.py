"""Baseline search engines for bench/search_bench.py, over the same corpus and queries.

Every engine is built from the same export of a euprojects store (``export_docs``): the same
text in the same four weighted fields (acronym, title, body, partners) and the same facets: all
17 of the product (model.FACETS).
Each search returns the top 10 ids, the exact total and every facet's counts with the product's
semantics (a facet's counts ignore its own selection and respect every other filter, see
``facet_plan``). Status is computed once at export against the bench's day (euprojects computes
it at query time).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from euprojects.model import FACETS as PRODUCT_FACETS
from euprojects.search._documents import facet_values
from euprojects.store import SqliteStore

# every facet of the product (model.FACETS: 17), each counted by every baseline; a project has
# one value at most of these three, any number of the others
FACETS = tuple(PRODUCT_FACETS)
MULTI = set(FACETS) - {"programme", "period", "status"}


@dataclass
class Doc:
    rid: int  # 1.. in store id order
    id: str
    acronym: str
    title: str
    body: str
    partners: str
    end: str | None  # ISO date
    eu: float | None
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Answer:
    ids: list[str]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    snippets: list[str] = field(default_factory=list)


def export_docs(db: Path, today: date) -> Iterator[Doc]:
    """Every project of a euprojects store as the baselines index it, in id order: the
    projects as the portal shows them (store.iter_with_participants, as the index build reads
    them), the text of the four fields, and the values of every facet of the product
    (model.FACETS through the index's own extraction, facet_values; the status against
    ``today``)."""
    store = SqliteStore(db)
    try:
        for rid, (p, held) in enumerate(store.iter_with_participants(), start=1):
            organisations = [o for _, o in held]
            facets = facet_values(p, organisations)
            status = p.status(today)
            facets["status"] = [status.value] if status else []
            body = [t.text for texts in (p.description, p.expected_results, p.achievements,
                                         p.expected_outputs, p.delivered_outputs)
                    for t in texts]
            body.extend(p.themes)
            yield Doc(
                rid=rid, id=p.id, acronym=p.acronym or "",
                title="\n".join([p.title.text, *(t.text for t in p.other_titles)]),
                body="\n".join(body),
                partners="\n".join(f"{o.name} {o.city or ''}".strip() for o in organisations),
                end=p.end_date.isoformat() if p.end_date else None,
                eu=float(p.eu_contribution.amount) if p.eu_contribution else None,
                facets=facets,
            )
    finally:
        store.close()


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.combining(c))


@dataclass(frozen=True)
class Clause:
    tokens: tuple[str, ...]
    phrase: bool  # quoted, or a word joined by punctuation ("e-mobility")


def clauses(q: str) -> list[Clause]:
    """The query text as the baselines read it: "quoted phrases" and words; a word of several
    tokens (e-mobility, d'inondation) is a phrase, as in euprojects. No OR, no exclusions."""
    out = []
    for m in re.finditer(r'"([^"]*)"?|(\S+)', q):
        if m.group(1) is not None:
            tokens = tuple(re.findall(r"\w+", fold(m.group(1))))
            if tokens:
                out.append(Clause(tokens, True))
        else:
            tokens = tuple(re.findall(r"\w+", fold(m.group(2))))
            if tokens:
                out.append(Clause(tokens, len(tokens) > 1))
    return out


def facet_plan(filters: Mapping[str, Sequence[str]]) -> list[tuple[dict[str, Sequence[str]],
                                                                    list[str]]]:
    """(filters to apply, facets to count under them): the facets without a selection under
    every filter, and each selected facet under every filter but its own."""
    plan = [(dict(filters), [f for f in FACETS if f not in filters])]
    for name in filters:
        plan.append(({k: v for k, v in filters.items() if k != name}, [name]))
    return plan


def queries_for_eval(judgement: Any) -> tuple[str, dict[str, list[str]]]:
    params = dict(judgement.params)
    filters = {k: (v if isinstance(v, list) else [v]) for k, v in params.items() if k in FACETS}
    return judgement.query, filters


class Engine:
    """What search_bench.py needs of a baseline."""

    name = "engine"

    def build(self, docs: Iterator[Doc]) -> dict[str, Any]:  # returns build stats
        raise NotImplementedError

    def connect(self) -> Any:  # one per thread
        raise NotImplementedError

    def search(self, conn: Any, q: str, filters: Mapping[str, Sequence[str]],
               size: int = 10) -> Answer:
        raise NotImplementedError

    def close(self) -> None:
        pass
