"""The views: what a page, a JSON answer, an export or the command line shows of a project, a
search or an organisation, each shape defined once: a project in a list (``project_summary``),
a search result and its items and facet values, a project page, a participant, an
organisation page and its involvements, a related project, and an export row. The catalog
builds them; the CLI, the web, the text view and the export formats read them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any
from urllib.parse import quote

from .model import (
    FACETS,
    THEMATIC_OBJECTIVE_FACT,
    Money,
    Organisation,
    Participation,
    Project,
    ProjectBrief,
    Role,
    SourceFact,
    Status,
)
from .search import ORG_FACETS, OrganisationHit, OrganisationQuery, SearchQuery
from .store import OrganisationRecord

__all__ = ["project_summary", "ResultItem", "FacetValue", "SearchResult", "Participant",
           "ProjectView", "Fact", "SourceLink", "project_facts", "source_links",
           "keep_search_url", "Involvement", "OrganisationView", "RelatedProject",
           "SimilarProject", "export_row",
           "OrganisationItem", "OrganisationSearch", "PartnerItem", "PartnerSearch", "Status",
           "Role"]


def _(message: str) -> str:
    """Marks a label for extraction; the page translates it where it shows it."""
    return message


@dataclass(frozen=True)
class ResultItem:
    project: Project
    status: Status | None
    snippet: str  # HTML-safe: escaped text with <mark> around matching words
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {**project_summary(self.project, self.status), "snippet": self.snippet,
                "score": self.score}


def project_summary(p: Project, status: Status | None) -> dict[str, Any]:
    """A project as a list shows it (a search result, an organisation's projects): the one
    definition of that shape."""
    rate = p.cofinancing_rate
    return {
        "id": p.id,
        "source": p.source,
        "sources": list(p.sources),
        "acronym": p.acronym,
        "title": p.title.to_dict(),
        "programme": p.programme,
        "period": p.period,
        "start_date": p.start_date.isoformat() if p.start_date else None,
        "end_date": p.end_date.isoformat() if p.end_date else None,
        "status": status.value if status else None,
        "eu_contribution": p.eu_contribution.to_dict() if p.eu_contribution else None,
        "total_budget": p.total_budget.to_dict() if p.total_budget else None,
        "cofinancing_rate": str(rate) if rate is not None else None,
        "countries": list(p.countries),
    }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "selected": self.selected}


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    total: int  # exact, always
    items: tuple[ResultItem, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    next_cursor: str | None = None
    took_ms: float = 0.0
    cut: bool = False
    did_you_mean: str | None = None  # the text with its unknown words spelt as the index's

    @property
    def ids(self) -> list[str]:
        return [i.project.id for i in self.items]

    def facet_counts(self, name: str) -> dict[str, int]:
        return {v.value: v.count for v in self.facets.get(name, ())}

    def to_dict(self) -> dict[str, Any]:
        key, descending = self.query.effective_sort
        return {
            "meta": {
                "total": self.total,
                "size": self.query.size,
                "count": len(self.items),
                "sort": ("-" if descending and key != "relevance" else "") + key,
                "next_cursor": self.next_cursor,
                "took_ms": self.took_ms,
                "cut": self.cut,
                "did_you_mean": self.did_you_mean,
                "query": self.query.to_params(),
            },
            "results": [i.to_dict() for i in self.items],
            "facets": {
                name: [v.to_dict() for v in self.facets[name]]
                for name in FACETS if name in self.facets
            },
        }


# -- the organisation search ---------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationItem:
    """An organisation in a list: who it is, where, from which sources, and what it did."""

    hit: OrganisationHit

    @property
    def received(self) -> Decimal | None:
        cents = self.hit.received_cents
        return None if cents is None else Decimal(cents) / 100

    @property
    def latest_start(self) -> date | None:
        day = self.hit.latest_day
        return None if day is None else date.fromordinal(day)

    def to_dict(self) -> dict[str, Any]:
        h = self.hit
        return {
            "id": h.id, "name": h.name, "city": h.city, "country": h.country,
            "countries": list(h.countries), "sources": list(h.sources),
            "projects": h.projects, "participations": h.participations,
            "received": str(self.received) if self.received is not None else None,
            "latest_start": self.latest_start.isoformat() if self.latest_start else None,
        }


@dataclass(frozen=True)
class OrganisationSearch:
    query: OrganisationQuery
    total: int  # exact
    items: tuple[OrganisationItem, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": {
                "total": self.total, "page": self.query.page, "size": self.query.size,
                "count": len(self.items), "sort": self.query.order, "took_ms": self.took_ms,
                "query": self.query.to_params(),
            },
            "results": [i.to_dict() for i in self.items],
            "facets": {name: [v.to_dict() for v in self.facets[name]]
                       for name in ORG_FACETS if name in self.facets},
        }


@dataclass(frozen=True)
class PartnerItem:
    """An organisation the partner finder proposes, with the projects that justify it."""

    organisation: OrganisationItem
    score: float  # the sum of its matching projects' weighed scores (search/_partners.py)
    matching: int  # its projects among those the search matched best
    evidence: tuple[ResultItem, ...]  # the best of them

    def to_dict(self) -> dict[str, Any]:
        return {**self.organisation.to_dict(), "score": round(self.score, 4),
                "matching_projects": self.matching,
                "evidence": [{**project_summary(i.project, i.status), "score": i.score}
                             for i in self.evidence]}


@dataclass(frozen=True)
class PartnerSearch:
    query: SearchQuery
    total: int  # the organisations with at least one of the projects matched best
    items: tuple[PartnerItem, ...]
    took_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"meta": {"total": self.total, "count": len(self.items), "took_ms": self.took_ms,
                         "query": self.query.to_params()},
                "results": [i.to_dict() for i in self.items]}


# -- the project page: its facts, laid out per source family ------------------------------------


@dataclass(frozen=True)
class Fact:
    """One labelled fact of a project page. ``label`` is a message (translated where shown);
    ``kind`` says how each value is shown: ``text`` (the source's text; an address is a link),
    ``date`` (a date), ``money`` (Money), ``yes_no`` (a bool) or ``doi`` (a DOI, linked);
    ``values`` holds each value once, in the source's order."""

    label: str
    kind: str
    values: tuple[Any, ...]


# The stored label of each fact a page lays out -> its label on the page, each source family's
# in the order its page shows them. The facts of a label named here by none (Kohesio's, whose
# labels are messages already) follow, in the source's order.
_FACT_LABELS = {
    # CORDIS
    SourceFact.FUNDING_SCHEME: _("Funding scheme"),
    SourceFact.LEGAL_BASIS: _("Legal basis"),
    SourceFact.CALL_TOPIC: _("Call topic"),
    SourceFact.SUB_CALL: _("Sub-call"),
    SourceFact.SIGNATURE_DATE: _("Grant signed on"),
    SourceFact.TERMINATION_DATE: _("Terminated on"),
    SourceFact.GRANT_DOI: _("Grant DOI"),
    SourceFact.POLICY_PRIORITY: _("Policy priorities"),
    SourceFact.KEYWORDS: _("Keywords"),
    SourceFact.RESULT_REGISTERED_BY: _("Results registered by"),
    # EAC
    SourceFact.SUB_PROGRAMME: _("Sub-programme"),
    SourceFact.ACTION: _("Action"),
    SourceFact.CALL_YEAR: _("Call year"),
    SourceFact.SUCCESS_STORY: _("Success story"),
    SourceFact.RESULTS_AVAILABLE: _("Results available"),
    # keep.eu
    SourceFact.THEMATIC_OBJ: THEMATIC_OBJECTIVE_FACT,
    SourceFact.INVESTMENT_PRIORITY: _("Investment priority"),
    SourceFact.SPECIFIC_OBJ: _("Specific objective"),
    SourceFact.IPA_THEMATIC_PRIORITY: _("Thematic priority (Interreg-IPA CBC)"),
    SourceFact.INTERVENTION_TYPE: _("Type of intervention"),
    SourceFact.STRATEGY: _("Macro-regional strategy"),
    SourceFact.PRIORITY_AREA: _("Priority area of the strategy"),
    SourceFact.STRATEGY_DEGREE: _("Contribution to the strategy"),
    SourceFact.ERDF_BUDGET: _("ERDF budget"),
    SourceFact.ERDF_EQUIVALENT_BUDGET: _("ERDF-equivalent budget"),
    SourceFact.IPA_BUDGET: _("IPA budget"),
    SourceFact.ENI_BUDGET: _("ENI budget"),
}
# How the values of a label are shown when not as text.
_FACT_KINDS = {
    SourceFact.SIGNATURE_DATE: "date", SourceFact.TERMINATION_DATE: "date",
    SourceFact.GRANT_DOI: "doi",
    SourceFact.SUCCESS_STORY: "yes_no", SourceFact.RESULTS_AVAILABLE: "yes_no",
    SourceFact.ERDF_BUDGET: "money", SourceFact.ERDF_EQUIVALENT_BUDGET: "money",
    SourceFact.IPA_BUDGET: "money", SourceFact.ENI_BUDGET: "money",
}
# Kept in the JSON twin only: CORDIS's teaser (the start of the description again), its record
# number, and the fields of science (the paths of the themes, which the page shows); EAC's word
# for a closed project (the status badge says it).
_TWIN_ONLY = frozenset({SourceFact.TEASER, SourceFact.RCN, SourceFact.FIELD_OF_SCIENCE,
                        SourceFact.PROJECT_STATUS})
_RANK = {label: rank for rank, label in enumerate(_FACT_LABELS)}
# A participant's fact as a project fact ("participant 2 SME"), as imports before the
# Participation carried them wrote it: shown with the participant once the file is imported
# again, until then in the JSON twin only.
_OLD_PARTICIPANT_FACT = re.compile(r"participant \d+ ")
_YES, _NO = {"yes", "true"}, {"no", "false"}


def _value(kind: str, raw: str) -> Any:
    """A fact's value as its kind shows it; the source's text when it does not read as one."""
    try:
        if kind == "date":
            return date.fromisoformat(raw.strip()[:10])
        if kind == "money":
            return Money(Decimal(raw.strip()))
    except (ValueError, InvalidOperation):
        return raw
    folded = raw.strip().casefold()
    if kind == "yes_no" and folded in _YES | _NO:
        return folded in _YES
    return raw


def project_facts(project: Project) -> tuple[Fact, ...]:
    """The further facts of a project (``Project.extra``) as its page shows them: under labels
    of their own, in the source family's order, the values of one label together and each
    once, formatted by kind; what means nothing to a reader stays in the JSON twin only."""
    values: dict[str, list[str]] = {}
    for label, value in project.extra:
        seen = values.setdefault(label, [])
        if value not in seen:
            seen.append(value)
    # one fact per label shown: keep.eu's "Thematic Obj" and Kohesio's "Thematic objective" of
    # a project of both sources are one
    facts: dict[tuple[str, str], list[Any]] = {}
    for label in sorted(values, key=lambda k: _RANK.get(k, len(_RANK))):  # stable: source order
        if label not in _TWIN_ONLY and not _OLD_PARTICIPANT_FACT.match(label):
            kind = _FACT_KINDS.get(label, "text")
            parsed = facts.setdefault((_FACT_LABELS.get(label, label), kind), [])
            parsed.extend(_value(kind, v) for v in values[label])
    return tuple(Fact(label, kind, tuple(dict.fromkeys(parsed)))
                 for (label, kind), parsed in facts.items())


@dataclass(frozen=True)
class SourceLink:
    """A link from a project page to the project at one of its sources: its record there or,
    where the source gives no record address, a search of the source that finds it."""

    source: str
    url: str
    search: bool = False  # a search for the project, not the address of its record


# keep.eu's project search (docs/sources.md, "Project identity", says what is known of it)
KEEP_SEARCH = "https://keep.eu/projects/?search={query}"


def keep_search_url(acronym: str) -> str:
    """The keep.eu project search for an acronym: the way to the record of a project read from
    an export without keep.eu ids (the 2019 export)."""
    return KEEP_SEARCH.format(query=quote(acronym, safe=""))


def source_links(project: Project) -> tuple[SourceLink, ...]:
    """The project at each of its sources: the record's address, else (keep.eu) a search."""
    links = []
    for source, url in ((project.source, project.source_url),
                        *((s.source, s.source_url) for s in project.same_as)):
        if url:
            links.append(SourceLink(source, url))
        elif source == "keep" and project.acronym:
            links.append(SourceLink(source, keep_search_url(project.acronym), search=True))
    return tuple(links)


@dataclass(frozen=True)
class Participant:
    participation: Participation
    organisation: Organisation

    def to_dict(self) -> dict[str, Any]:
        p = self.participation.to_dict()
        del p["project_id"], p["organisation_id"]
        return {**p, "organisation": self.organisation.to_dict()}

    @property
    def facts(self) -> tuple[Fact, ...]:
        """What the source says of the participant in this project, as a page shows it."""
        p = self.participation
        facts = (
            (_("Region"), "text", p.region),
            (_("Budget"), "money", p.budget),
            (_("EU amount"), "money", p.eu_contribution),
            (_("Net EU contribution"), "money", p.net_eu_contribution),
            (_("SME"), "yes_no", p.sme),
            (_("Participation terminated"), "yes_no", p.terminated or None),
        )
        return tuple(Fact(label, kind, (value,)) for label, kind, value in facts
                     if value is not None)


# The optional columns of a page's partner table: each is shown when a partner has a value.
PARTNER_COLUMNS = ("city", "country", "region", "budget", "eu_contribution",
                   "net_eu_contribution", "sme", "terminated")


def _column_value(participant: Participant, column: str) -> Any:
    if column in ("city", "country"):
        return getattr(participant.organisation, column)
    value = getattr(participant.participation, column)
    return (value or None) if column == "terminated" else value


# The facets that hold a project's themes, one vocabulary each (model/_facets.py).
THEME_FACETS = ("theme", "field", "activity", "objective")


@dataclass(frozen=True)
class ProjectView:
    """A project as a page shows it: with its status on a given day and its participants."""

    project: Project
    status: Status | None
    participants: tuple[Participant, ...]

    @property
    def cofinancing_rate(self) -> Decimal | None:
        return self.project.cofinancing_rate

    @property
    def leads(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.participation.role is Role.LEAD)

    @property
    def partners(self) -> tuple[Participant, ...]:
        """Every participant but the lead(s), as keep.eu counts "partner participants"."""
        return tuple(p for p in self.participants if p.participation.role is not Role.LEAD)

    @property
    def facts(self) -> tuple[Fact, ...]:
        """The project's further facts as its page lays them out (``project_facts``)."""
        return project_facts(self.project)

    @property
    def source_links(self) -> tuple[SourceLink, ...]:
        return source_links(self.project)

    @property
    def theme_tags(self) -> tuple[tuple[str | None, str], ...]:
        """The project's themes, each with the facet that holds it (keep.eu's themes, CORDIS's
        fields of science, EAC's activity types, Kohesio's objectives): a theme's link
        searches that facet. None: no facet holds it (shown without a link)."""
        organisations = [p.organisation for p in self.participants]
        held = {name: set(extract(self.project, organisations))
                for name in THEME_FACETS if (extract := FACETS[name].extract) is not None}
        return tuple((next((name for name, values in held.items() if theme in values), None),
                      theme) for theme in self.project.themes)

    @property
    def partner_columns(self) -> frozenset[str]:
        """The optional columns of the partner table that some partner has a value in (a
        column no partner fills is not shown)."""
        return frozenset(c for c in PARTNER_COLUMNS
                         if any(_column_value(p, c) is not None for p in self.partners))

    def to_dict(self) -> dict[str, Any]:
        rate = self.cofinancing_rate
        return {
            **self.project.to_dict(),
            "status": self.status.value if self.status else None,
            "cofinancing_rate": str(rate) if rate is not None else None,
            "partner_count": len(self.partners),
            "participants": [p.to_dict() for p in self.participants],
        }


@dataclass(frozen=True)
class Involvement:
    """One project an organisation took part in, with its role and amounts there."""

    participation: Participation
    project: Project
    status: Status | None

    def to_dict(self) -> dict[str, Any]:
        p = self.participation.to_dict()
        del p["organisation_id"], p["project_id"]
        return {**p, "project": project_summary(self.project, self.status)}


@dataclass(frozen=True)
class OrganisationView:
    """An organisation as its page shows it: every project it took part in (in every source),
    its co-partners, and the source records linked into it."""

    organisation: Organisation
    involvements: tuple[Involvement, ...]
    co_partners: tuple[tuple[Organisation, int], ...]
    records: tuple[OrganisationRecord, ...] = ()
    # (country, co-partner organisations, projects together), most organisations first
    co_partner_countries: tuple[tuple[str, int, int], ...] = ()
    # other organisations that a rule would link to it but for their towns, with the rule
    possibly_same: tuple[tuple[Organisation, str], ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({i.project.source for i in self.involvements}))

    def received_by(self, key: Callable[[Project], str | None]) -> dict[str, Decimal]:
        """The EU amounts this organisation received (its participations' amounts in EUR,
        where the source gives them), summed per ``key`` of the project (no key: left out)."""
        out: dict[str, Decimal] = {}
        for i in self.involvements:
            money, group = i.participation.eu_contribution, key(i.project)
            if money is not None and money.currency == "EUR" and group is not None:
                out[group] = out.get(group, Decimal(0)) + money.amount
        return out

    @cached_property
    def received_by_year(self) -> dict[str, Decimal]:
        """Per start year of the projects, in year order."""
        found = self.received_by(lambda p: str(p.start_date.year) if p.start_date else None)
        return dict(sorted(found.items()))

    @cached_property
    def received_by_source(self) -> dict[str, Decimal]:
        """Per source, the largest first."""
        found = self.received_by(lambda p: p.source)
        return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.organisation.to_dict(),
            "sources": list(self.sources),
            "records": [r.to_dict() for r in self.records],
            "project_count": len(self.involvements),
            "projects": [i.to_dict() for i in self.involvements],
            "co_partners": [
                {"id": o.id, "name": o.name, "country": o.country, "city": o.city,
                 "projects_together": n}
                for o, n in self.co_partners
            ],
            "received_by_year": {k: str(v) for k, v in self.received_by_year.items()},
            "received_by_source": {k: str(v) for k, v in self.received_by_source.items()},
            "co_partner_countries": [
                {"country": c, "organisations": n, "projects_together": m}
                for c, n, m in self.co_partner_countries
            ],
            "possibly_same": [
                {"id": o.id, "name": o.name, "country": o.country, "city": o.city,
                 "rule": rule}
                for o, rule in self.possibly_same
            ],
        }


@dataclass(frozen=True)
class RelatedProject:
    """Another project of a project's participants, with how many participants they share."""

    project: Project
    shared: int

    def to_dict(self) -> dict[str, Any]:
        p = self.project
        return {"id": p.id, "acronym": p.acronym, "title": p.title.to_dict(), "period": p.period,
                "shared_participants": self.shared}


@dataclass(frozen=True)
class SimilarProject:
    """A project near another in meaning (search by meaning), with their cosine similarity."""

    project: Project
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        p = self.project
        return {"id": p.id, "source": p.source, "acronym": p.acronym,
                "title": p.title.to_dict(), "period": p.period,
                "start_date": p.start_date.isoformat() if p.start_date else None,
                "similarity": self.similarity}


def export_row(project: Project | ProjectBrief, status: Status | None) -> dict[str, str]:
    """The export columns of one project (whole or its brief) as text ('' for a missing
    value)."""
    rate = project.cofinancing_rate
    eu, total = project.eu_contribution, project.total_budget
    money = eu or total
    return {
        "id": project.id,
        "acronym": project.acronym or "",
        "title": project.title.text,
        "programme": project.programme or "",
        "period": project.period or "",
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "status": status.value if status else "",
        "eu_contribution": str(eu.amount) if eu else "",
        "total_budget": str(total.amount) if total else "",
        "currency": money.currency if money else "",
        "cofinancing_rate": str(rate) if rate is not None else "",
        "countries": " ".join(project.countries),
        "themes": "; ".join(project.themes),
        "website": project.website or "",
        "source_url": project.source_url or "",
    }
