"""Baseline search engines for bench/search_bench.py, over the same corpus and queries.

Every engine is built from the same export of a euprojects store (``export_docs``): the same
text in the same four weighted fields (acronym, title, body, partners) and the same facets.
Each search returns the top 10 ids, the exact total and every facet's counts with the product's
semantics (a facet's counts ignore its own selection and respect every other filter, see
``facet_plan``). Status is computed once at export against the bench's day (euprojects computes
it at query time).
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from euprojects.model import derive_status

FACETS = ("source", "programme", "period", "country", "theme", "status", "fund", "legal_status")
MULTI = {"country", "theme", "fund", "legal_status"}


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
    """Every project of a euprojects store as the baselines index it, in id order. Reads the
    store's tables directly (the JSON documents), which is much faster than the model objects."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    orgs: dict[str, tuple[str, str, str | None, str | None]] = {}
    for oid, doc in con.execute("SELECT id, doc FROM organisations"):
        o = json.loads(doc)
        orgs[oid] = (o["name"], o.get("city") or "", o.get("country"), o.get("legal_status"))
    parts = con.cursor().execute(
        "SELECT project_id, organisation_id FROM participations ORDER BY project_id, position")
    pending = next(parts, None)
    for rid, (pid, doc) in enumerate(con.execute("SELECT id, doc FROM projects ORDER BY id"),
                                     start=1):
        p = json.loads(doc)
        found = []
        while pending is not None and pending[0] < pid:
            pending = next(parts, None)
        while pending is not None and pending[0] == pid:
            found.append(orgs[pending[1]])
            pending = next(parts, None)
        body = [t["text"] for k in ("description", "expected_results", "achievements",
                                     "expected_outputs", "delivered_outputs") for t in p[k]]
        body.extend(p["themes"])
        start = date.fromisoformat(p["start_date"]) if p["start_date"] else None
        end = date.fromisoformat(p["end_date"]) if p["end_date"] else None
        status = derive_status(start, end, p["source_status"], today)
        eu = p.get("eu_contribution")
        facets = {
            "source": [p["source"]],
            "programme": [p["programme"]] if p["programme"] else [],
            "period": [p["period"]] if p["period"] else [],
            "country": list(p["countries"]),
            "theme": list(p["themes"]),
            "status": [status.value] if status else [],
            "fund": list(p["funds"]),
            "legal_status": sorted({o[3] for o in found if o[3]}),
        }
        yield Doc(
            rid=rid, id=pid, acronym=p.get("acronym") or "",
            title="\n".join([p["title"]["text"], *(t["text"] for t in p["other_titles"])]),
            body="\n".join(body),
            partners="\n".join(f"{name} {city}".strip() for name, city, _, _ in found),
            end=p["end_date"], eu=float(eu["amount"]) if eu else None, facets=facets,
        )
    con.close()


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
