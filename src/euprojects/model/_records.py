"""Project, Organisation and Participation: pure data, JSON-ready through to_dict/from_dict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ._money import Money, cofinancing_rate
from ._vocab import Role, Status, derive_status

__all__ = ["BRIEF_PATHS", "LangText", "Project", "ProjectBrief", "SameAs", "Organisation",
           "Participation", "ProjectRecord"]


@dataclass(frozen=True, slots=True)
class LangText:
    """A text with its language (ISO 639-1) when known, None when it is not."""

    text: str
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "lang": self.lang}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LangText:
        return cls(data["text"], data.get("lang"))


def _texts(items: Any) -> tuple[LangText, ...]:
    return tuple(LangText.from_dict(i) for i in items or ())


def _rate(source: Decimal | None, eu: Money | None, total: Money | None) -> Decimal | None:
    return source if source is not None else cofinancing_rate(eu, total)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class SameAs:
    """Another source's record of the same project (model/_projmatch.py): named on the project
    as it is read, never stored in its record."""

    project_id: str
    source: str
    source_id: str | None
    source_url: str | None
    programme: str | None
    key: str  # what linked the two records

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": self.project_id, "source": self.source,
                "source_id": self.source_id, "source_url": self.source_url,
                "programme": self.programme, "key": self.key}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SameAs:
        return cls(d["project_id"], d["source"], d.get("source_id"), d.get("source_url"),
                   d.get("programme"), d.get("key", ""))


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    source: str
    title: LangText
    source_id: str | None = None  # the source's own record id, when it has one
    source_url: str | None = None  # the record at its source
    acronym: str | None = None
    other_titles: tuple[LangText, ...] = ()
    description: tuple[LangText, ...] = ()
    expected_results: tuple[LangText, ...] = ()
    achievements: tuple[LangText, ...] = ()
    expected_outputs: tuple[LangText, ...] = ()
    delivered_outputs: tuple[LangText, ...] = ()
    start_date: date | None = None
    end_date: date | None = None
    source_status: str | None = None  # what the source says, when it says anything
    programme: str | None = None
    programme_id: str | None = None  # a programme's own project id (keep.eu 2021-2027)
    programme_website: str | None = None
    period: str | None = None  # programming period, "2014-2020"
    funds: tuple[str, ...] = ()
    total_budget: Money | None = None
    eu_contribution: Money | None = None
    source_cofinancing_rate: Decimal | None = None  # percent, as the source gives it
    website: str | None = None  # the project's own site, never the programme's
    themes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 of every participant
    nuts: tuple[str, ...] = ()
    call: str | None = None
    priority: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # further labelled facts from the source
    same_as: tuple[SameAs, ...] = ()  # the other sources' records of it, when read
    # where it takes place: (latitude, longitude) in degrees, WGS 84, as the source gives them
    coordinates: tuple[tuple[Decimal, Decimal], ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """Its source, then the sources of its other records."""
        return tuple(dict.fromkeys((self.source, *(s.source for s in self.same_as))))

    @property
    def cofinancing_rate(self) -> Decimal | None:
        """Percent: the source's figure, else EU contribution / total budget."""
        return _rate(self.source_cofinancing_rate, self.eu_contribution, self.total_budget)

    def status(self, today: date) -> Status | None:
        return derive_status(self.start_date, self.end_date, self.source_status, today)

    def brief(self) -> ProjectBrief:
        """Its facts of one row of a list (an export's row, a feed's entry)."""
        return ProjectBrief(*(getattr(self, name) for name in ProjectBrief._fields))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "source_id": self.source_id,
            "source_url": self.source_url,
            "acronym": self.acronym,
            "title": self.title.to_dict(),
            "other_titles": [t.to_dict() for t in self.other_titles],
            "description": [t.to_dict() for t in self.description],
            "expected_results": [t.to_dict() for t in self.expected_results],
            "achievements": [t.to_dict() for t in self.achievements],
            "expected_outputs": [t.to_dict() for t in self.expected_outputs],
            "delivered_outputs": [t.to_dict() for t in self.delivered_outputs],
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "source_status": self.source_status,
            "programme": self.programme,
            "programme_id": self.programme_id,
            "programme_website": self.programme_website,
            "period": self.period,
            "funds": list(self.funds),
            "total_budget": self.total_budget.to_dict() if self.total_budget else None,
            "eu_contribution": self.eu_contribution.to_dict() if self.eu_contribution else None,
            "source_cofinancing_rate": (
                str(self.source_cofinancing_rate)
                if self.source_cofinancing_rate is not None
                else None
            ),
            "website": self.website,
            "themes": list(self.themes),
            "countries": list(self.countries),
            "nuts": list(self.nuts),
            "call": self.call,
            "priority": self.priority,
            "extra": [list(pair) for pair in self.extra],
            # only when there are some, so that the records of sources without them keep
            # their stored form (and content hash)
            **({"coordinates": [[str(lat), str(lon)] for lat, lon in self.coordinates]}
               if self.coordinates else {}),
            # only when read with its other records: a stored record never has it
            **({"same_as": [s.to_dict() for s in self.same_as]} if self.same_as else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Project:
        rate = d.get("source_cofinancing_rate")
        return cls(
            id=d["id"],
            source=d["source"],
            source_id=d.get("source_id"),
            source_url=d.get("source_url"),
            acronym=d.get("acronym"),
            title=LangText.from_dict(d["title"]),
            other_titles=_texts(d.get("other_titles")),
            description=_texts(d.get("description")),
            expected_results=_texts(d.get("expected_results")),
            achievements=_texts(d.get("achievements")),
            expected_outputs=_texts(d.get("expected_outputs")),
            delivered_outputs=_texts(d.get("delivered_outputs")),
            start_date=_date(d.get("start_date")),
            end_date=_date(d.get("end_date")),
            source_status=d.get("source_status"),
            programme=d.get("programme"),
            programme_id=d.get("programme_id"),
            programme_website=d.get("programme_website"),
            period=d.get("period"),
            funds=tuple(d.get("funds") or ()),
            total_budget=Money.from_dict(d.get("total_budget")),
            eu_contribution=Money.from_dict(d.get("eu_contribution")),
            source_cofinancing_rate=Decimal(rate) if rate is not None else None,
            website=d.get("website"),
            themes=tuple(d.get("themes") or ()),
            countries=tuple(d.get("countries") or ()),
            nuts=tuple(d.get("nuts") or ()),
            call=d.get("call"),
            priority=d.get("priority"),
            extra=tuple((k, v) for k, v in d.get("extra") or ()),
            same_as=tuple(SameAs.from_dict(s) for s in d.get("same_as") or ()),
            coordinates=tuple((Decimal(lat), Decimal(lon))
                              for lat, lon in d.get("coordinates") or ()),
        )


class ProjectBrief(NamedTuple):
    """The facts of a project that one row of a list shows (an export's row, a feed's entry):
    the fields of Project of the same names, without its long texts, read at a fraction of a
    whole project's cost (a tuple, not a frozen dataclass of 33 fields). ``Project.brief`` gives
    a project's; a store reads them straight from its stored form (``BRIEF_PATHS``)."""

    id: str
    source: str
    title: LangText
    acronym: str | None
    programme: str | None
    period: str | None
    start_date: date | None
    end_date: date | None
    source_status: str | None
    eu_contribution: Money | None
    total_budget: Money | None
    source_cofinancing_rate: Decimal | None
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    website: str | None
    source_url: str | None

    @property
    def cofinancing_rate(self) -> Decimal | None:
        """As Project.cofinancing_rate."""
        return _rate(self.source_cofinancing_rate, self.eu_contribution, self.total_budget)

    def status(self, today: date) -> Status | None:
        return derive_status(self.start_date, self.end_date, self.source_status, today)

    @classmethod
    def from_stored(cls, values: list[Any]) -> ProjectBrief:
        """The brief of the values at ``BRIEF_PATHS`` of a project's stored form (to_dict's)."""
        (pid, source, title, acronym, programme, period, start, end, status, eu, total, rate,
         countries, themes, website, source_url) = values
        return cls(pid, source, LangText.from_dict(title), acronym, programme, period,
                   _date(start), _date(end), status, Money.from_dict(eu),
                   Money.from_dict(total), Decimal(rate) if rate is not None else None,
                   tuple(countries or ()), tuple(themes or ()), website, source_url)


# Where each field of ProjectBrief lies in a project's stored form (Project.to_dict), in order
BRIEF_PATHS = tuple(f"$.{name}" for name in ProjectBrief._fields)


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    other_names: tuple[LangText, ...] = ()
    country: str | None = None  # ISO 3166 alpha-2
    country_label: str | None = None  # as the source wrote it
    city: str | None = None
    postcode: str | None = None  # as given: never a leading zero invented
    street: str | None = None
    nuts: tuple[tuple[str, str | None], ...] = ()  # (code, name), broadest first
    legal_status: str | None = None  # LegalStatus value
    organisation_type: str | None = None
    website: str | None = None
    department: str | None = None
    pic: str | None = None
    vat: str | None = None
    wikidata: str | None = None  # Wikidata item, "Q42"
    source_id: str | None = None  # the source's own id of the record (Kohesio: "Q2531369")

    def to_dict(self) -> dict[str, Any]:
        # wikidata and source_id are written only when set, so that the records of the
        # sources that have neither keep their stored form (and content hash)
        ids = {k: v for k, v in (("wikidata", self.wikidata), ("source_id", self.source_id))
               if v}
        return {
            **ids,
            "id": self.id,
            "name": self.name,
            "other_names": [t.to_dict() for t in self.other_names],
            "country": self.country,
            "country_label": self.country_label,
            "city": self.city,
            "postcode": self.postcode,
            "street": self.street,
            "nuts": [{"code": c, "name": n} for c, n in self.nuts],
            "legal_status": self.legal_status,
            "organisation_type": self.organisation_type,
            "website": self.website,
            "department": self.department,
            "pic": self.pic,
            "vat": self.vat,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Organisation:
        return cls(
            id=d["id"],
            name=d["name"],
            other_names=_texts(d.get("other_names")),
            country=d.get("country"),
            country_label=d.get("country_label"),
            city=d.get("city"),
            postcode=d.get("postcode"),
            street=d.get("street"),
            nuts=tuple((n["code"], n.get("name")) for n in d.get("nuts") or ()),
            legal_status=d.get("legal_status"),
            organisation_type=d.get("organisation_type"),
            website=d.get("website"),
            department=d.get("department"),
            pic=d.get("pic"),
            vat=d.get("vat"),
            wikidata=d.get("wikidata"),
            source_id=d.get("source_id"),
        )


@dataclass(frozen=True, slots=True)
class Participation:
    project_id: str
    organisation_id: str
    role: Role
    order: int  # position in the source's partner list, 1-based
    budget: Money | None = None  # the participant's own budget
    eu_contribution: Money | None = None
    # What a source says of the participant in this project (CORDIS, EAC), only when it does:
    net_eu_contribution: Money | None = None  # CORDIS: the EU amount net of what it passes on
    sme: bool | None = None  # CORDIS: the participant declared itself an SME
    terminated: bool = False  # CORDIS: its participation ended before the project's end
    region: str | None = None  # EAC: the participant's region, a name without a code

    def to_dict(self) -> dict[str, Any]:
        # the facts below are written only when set, so that the participations of the sources
        # without them keep their stored form (and content hash)
        facts: dict[str, Any] = {}
        if self.net_eu_contribution is not None:
            facts["net_eu_contribution"] = self.net_eu_contribution.to_dict()
        if self.sme is not None:
            facts["sme"] = self.sme
        if self.terminated:
            facts["terminated"] = True
        if self.region:
            facts["region"] = self.region
        return {
            "project_id": self.project_id,
            "organisation_id": self.organisation_id,
            "role": self.role.value,
            "order": self.order,
            "budget": self.budget.to_dict() if self.budget else None,
            "eu_contribution": self.eu_contribution.to_dict() if self.eu_contribution else None,
            **facts,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Participation:
        return cls(
            project_id=d["project_id"],
            organisation_id=d["organisation_id"],
            role=Role(d["role"]),
            order=d["order"],
            budget=Money.from_dict(d.get("budget")),
            eu_contribution=Money.from_dict(d.get("eu_contribution")),
            net_eu_contribution=Money.from_dict(d.get("net_eu_contribution")),
            sme=d.get("sme"),
            terminated=bool(d.get("terminated")),
            region=d.get("region"),
        )


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """What an importer yields: one project with its participants, ready to store."""

    project: Project
    participations: tuple[Participation, ...] = ()
    organisations: tuple[Organisation, ...] = field(default=())
