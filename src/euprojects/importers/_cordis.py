"""What the CORDIS importers (project XML and CSV) share: the source's vocabulary (roles, periods,
activity types), its conventions (0 is an unknown cost, the record's address) and the assembly
of one ProjectRecord from the values that either layout gives, so that the same project reads
the same from both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model import (
    LangText,
    Money,
    Organisation,
    Participation,
    Project,
    ProjectRecord,
    Role,
    normalise_country,
    organisation_id,
    project_id,
)
from . import _cells as c

__all__ = [
    "SOURCE",
    "ROLES",
    "PERIODS",
    "ACTIVITY_TYPES",
    "Member",
    "build_member",
    "cordis_url",
    "nonzero",
    "source_order",
    "role_of",
    "identify",
    "organisation",
    "participants",
    "build_record",
]

SOURCE = "cordis"
ROLES = {
    "coordinator": Role.LEAD,
    "participant": Role.PARTNER,
    "associatedPartner": Role.ASSOCIATED,
    "thirdParty": Role.THIRD_PARTY,
}
_ROLES_FOLDED = {k.casefold(): v for k, v in ROLES.items()}
# Framework programme -> programming period.
PERIODS = {"HORIZON": "2021-2027", "H2020": "2014-2020", "FP7": "2007-2013"}
# Organisation activity type: code -> title, as the XML's organizationActivityType categories
# title them (the CSV gives the code only).
ACTIVITY_TYPES = {
    "HES": "Higher or Secondary Education Establishments",
    "REC": "Research Organisations",
    "PRC": "Private for-profit entities (excluding Higher or Secondary Education Establishments)",
    "PUB": "Public bodies (excluding Research Organisations and Secondary or Higher Education "
           "Establishments)",
    "OTH": "Other",
}


def cordis_url(grant_id: str) -> str:
    return f"https://cordis.europa.eu/project/id/{grant_id}"


def nonzero(money: Money | None) -> Money | None:
    """CORDIS writes 0 for a cost it does not know (MSCA, ERC, lump sums): never a real zero."""
    return None if money is None or money.amount == 0 else money


def source_order(raw: str | None, index: int) -> tuple[int, int]:
    """Sort key of a participant: the source's ``order``, then its place in the file."""
    raw = (raw or "").strip()
    return (int(raw) if raw.isdigit() else 1 << 30, index)


def role_of(kind: str | None, row: c.Row, field: str) -> Role:
    role = _ROLES_FOLDED.get((kind or "").strip().casefold())
    if role is None:
        row.issue(field, f"unknown role {kind or ''!r}; taken as other", "flagged")
        return Role.OTHER
    return role


def identify(
    grant: str | None, title: str | None, acronym: str | None, row: c.Row, *, id_field: str = "id"
) -> tuple[str, str] | None:
    """(grant, title) of a project, the acronym standing in for a missing title; None (and the
    row rejected) without a grant agreement number or without both title and acronym."""
    if grant is None or not grant.isdigit():
        row.issue(id_field, f"no grant agreement number ({grant!r})", "rejected")
        return None
    if title is None:
        if acronym is None:
            row.issue("title", "neither a title nor an acronym", "rejected")
            return None
        row.issue("title", "no title; the acronym stands in")
        title = acronym
    return grant, title


def organisation(
    row: c.Row,
    *,
    name: str | None,
    field: str,
    country_label: str | None,
    country_field: str,
    city: str | None,
    short_name: str | None,
    postcode: str | None,
    street: str | None,
    nuts: tuple[tuple[str, str | None], ...],
    organisation_type: str | None,
    website: str | None,
    website_field: str,
    department: str | None,
    pic: str | None,
    vat: str | None,
) -> Organisation | None:
    """An Organisation from one participant's values (already stripped texts, but the raw
    website); None, reported, without a legal name."""
    if name is None:
        row.issue(field, "an organisation without a legal name; left out")
        return None
    country = normalise_country(country_label)
    if country_label and country is None:
        row.issue(country_field, f"unknown country {country_label!r}; left empty")
    return Organisation(
        id=organisation_id(name, country, city, SOURCE),
        name=name,
        other_names=(LangText(short_name, None),) if short_name and short_name != name else (),
        country=country,
        country_label=country_label,
        city=city,
        postcode=postcode,
        street=street,
        nuts=nuts,
        organisation_type=organisation_type,
        website=c.url(website, row, website_field),
        department=department,
        pic=pic,
        vat=vat,
    )


@dataclass(frozen=True, slots=True)
class Member:
    """One participant of a project as read from either layout, its values parsed."""

    organisation: Organisation
    role: Role
    budget: Money | None
    eu_contribution: Money | None
    net_eu_contribution: Money | None
    sme: str | None  # "true" / "false" as CORDIS writes it; anything else is not kept
    terminated: bool


def build_member(
    org: Organisation,
    row: c.Row,
    *,
    role: str | None,
    role_field: str,
    amount: Callable[[str], Money | None],
    sme: str | None,
    terminated: bool,
) -> Member:
    """One participant; ``amount(name)`` reads the named amount (totalCost, ecContribution,
    netEcContribution: both layouts call them so) and reports a bad one. A 0 cost is unknown."""
    kind = role_of(role, row, role_field)
    budget = nonzero(amount("totalCost"))
    return Member(org, kind, budget, amount("ecContribution"), amount("netEcContribution"), sme,
                  terminated)


def participants(
    pid: str, members: Iterable[Member]
) -> tuple[list[Participation], list[Organisation]]:
    """Participations numbered 1.. in the order given (the source's), their organisations once
    each; the SME flag, net EU contribution and termination stay with the participation."""
    participations: list[Participation] = []
    organisations: dict[str, Organisation] = {}
    for member in members:
        org = member.organisation
        organisations.setdefault(org.id, org)
        participations.append(
            Participation(
                pid,
                org.id,
                member.role,
                len(participations) + 1,
                member.budget,
                member.eu_contribution,
                net_eu_contribution=member.net_eu_contribution,
                sme={"true": True, "false": False}.get(member.sme or ""),
                terminated=member.terminated,
            )
        )
    return participations, list(organisations.values())


def build_record(
    grant: str,
    title: str,
    lang: str | None,
    row: c.Row,
    *,
    raw: Callable[[str], str | None],
    amount: Callable[[str], Money | None],
    acronym: str | None,
    framework: str | None,
    website: str | None,
    themes: tuple[str, ...],
    call: str | None,
    extra: list[tuple[str, str]],
    participations: list[Participation],
    organisations: list[Organisation],
) -> ProjectRecord:
    """The ProjectRecord of one CORDIS project. ``raw(name)`` gives the text of the project's
    objective, startDate, endDate and status, ``amount(name)`` its totalCost and
    ecMaxContribution (both layouts name them so). Countries and NUTS codes come from the
    participants, the period from the framework programme; a 0 total cost is unknown."""
    description = c.lang_text(raw("objective"), lang)
    project = Project(
        id=project_id(SOURCE, grant),
        source=SOURCE,
        source_id=grant,
        source_url=cordis_url(grant),
        title=LangText(title, lang),
        acronym=acronym,
        description=(description,) if description else (),
        start_date=c.day(raw("startDate"), row, "startDate"),
        end_date=c.day(raw("endDate"), row, "endDate"),
        source_status=c.text(raw("status")),
        programme=framework,
        period=PERIODS.get(framework or ""),
        total_budget=nonzero(amount("totalCost")),
        eu_contribution=amount("ecMaxContribution"),
        website=website,
        themes=themes,
        countries=tuple(sorted({o.country for o in organisations if o.country})),
        nuts=tuple(sorted({o.nuts[-1][0] for o in organisations if o.nuts})),
        call=call,
        extra=tuple(extra),
    )
    return ProjectRecord(project, tuple(participations), tuple(organisations))
