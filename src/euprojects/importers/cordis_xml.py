"""CORDIS project XML: the official bulk dataset, a zip of one ``<project>`` XML file per project.

The zip is read in place, member by member, never unpacked. A member that is damaged, not XML or
not a CORDIS project is reported (file, member, reason) and the other members import; a file that
is not a readable zip is refused whole before anything is written. Mapping and quirks:
docs/sources.md.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..errors import BadFileError
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
from ._report import FileReport
from ._workbook import sha256_of

__all__ = ["CordisXmlReader", "SOURCE", "cordis_url"]

SOURCE = "cordis"
FORMAT = "CORDIS project XML (zip)"
_ROLES = {
    "coordinator": Role.LEAD,
    "participant": Role.PARTNER,
    "associatedPartner": Role.ASSOCIATED,
    "thirdParty": Role.THIRD_PARTY,
}
# Framework programme -> programming period.
_PERIODS = {"HORIZON": "2021-2027", "H2020": "2014-2020", "FP7": "2007-2013"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def cordis_url(grant_id: str) -> str:
    return f"https://cordis.europa.eu/project/id/{grant_id}"


def _t(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    return c.text(element.findtext(path))


def _nonzero(money: Money | None) -> Money | None:
    """CORDIS writes 0 for a cost it does not know (MSCA, ERC, lump sums): never a real zero."""
    return None if money is None or money.amount == 0 else money


def _coded(element: etree._Element) -> str | None:
    """"HORIZON.2.5 Climate, Energy and Mobility": code and title, either alone if one lacks."""
    code = _t(element, "code")
    title = _t(element, "title")
    return " ".join(p for p in (code, title) if p) or None


def _category(cat: etree._Element) -> str | None:
    """A category's title, or its code without the leading slash."""
    return _t(cat, "title") or (_t(cat, "code") or "").lstrip("/") or None


class CordisXmlReader:
    """Reads one CORDIS XML zip; the constructor refuses a file that is not a readable zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise BadFileError(str(path), "no such file")
        if path.stat().st_size == 0:
            raise BadFileError(str(path), "the file is empty")
        try:
            with zipfile.ZipFile(path) as archive:
                self._members = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BadFileError(
                str(path), f"not a CORDIS XML zip: not a zip archive, or a truncated one ({exc})"
            ) from None
        if not self._members:
            raise BadFileError(str(path), "the zip holds no file")
        self.expected: int | None = len(self._members)
        self.report = FileReport(file=path.name, format=FORMAT, sha256=sha256_of(path))

    def __iter__(self) -> Iterator[ProjectRecord]:
        seen: set[str] = set()
        with zipfile.ZipFile(self.path) as archive:
            for member in self._members:
                self.report.rows_read += 1
                row = c.Row(self.report, None, None, member)
                record = self._member(archive, member, row)
                if record is not None and record.project.id in seen:
                    row.issue("id", f"grant {record.project.source_id} again; left out", "rejected")
                    record = None
                if record is None:
                    self.report.rows_rejected += 1
                    continue
                seen.add(record.project.id)
                self.report.rows_imported += 1
                yield record

    def _member(
        self, archive: zipfile.ZipFile, member: str, row: c.Row
    ) -> ProjectRecord | None:
        try:
            data = archive.read(member)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            row.issue(None, f"damaged member, cannot be read ({exc})", "rejected")
            return None
        head = data.lstrip()[:1]
        if head != b"<":
            row.issue(None, "not an XML file", "rejected")
            return None
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            row.issue(None, f"malformed XML ({exc})", "rejected")
            return None
        if root.tag != "project":
            row.issue(None, f"not a CORDIS project: the root element is <{root.tag}>", "rejected")
            return None
        return self._record(root, row)

    def _record(self, root: etree._Element, row: c.Row) -> ProjectRecord | None:
        grant = _t(root, "id")
        if grant is None or not grant.isdigit():
            row.issue("id", f"no grant agreement number ({grant!r})", "rejected")
            return None
        title = _t(root, "title")
        acronym = c.clean_acronym(root.findtext("acronym"))
        if title is None:
            if acronym is None:
                row.issue("title", "neither a title nor an acronym", "rejected")
                return None
            row.issue("title", "no title; the acronym stands in")
            title = acronym
        lang = _t(root, "language")
        pid = project_id(SOURCE, grant)
        assoc = root.find("relations/associations")
        if assoc is None:
            assoc = etree.Element("associations")
        cats = root.findall("relations/categories/category")

        extra: list[tuple[str, str]] = []

        def add(label: str, value: str | None) -> None:
            if value:
                extra.append((label, value))

        add("teaser", _t(root, "teaser"))
        add("keywords", _t(root, "keywords"))
        add("rcn", _t(root, "rcn"))
        add("grant DOI", _t(root, "identifiers/grantDoi"))
        add("signature date", _t(root, "ecSignatureDate"))
        add("termination date", _t(root, "terminationDate"))
        framework = None
        for programme in assoc.findall("programme"):
            kind = programme.get("type")
            framework = framework or _t(programme, "frameworkProgramme")
            if kind == "relatedLegalBasis":
                add("legal basis", _coded(programme))
            elif kind == "relatedTopic":
                add("topic", _coded(programme))
        master = sub = None
        for call in assoc.findall("call"):
            ident = _t(call, "identifier") or _t(call, "title")
            if call.get("type") == "relatedMasterCall":
                master = master or ident
            elif call.get("type") == "relatedSubCall":
                sub = sub or ident
        if sub and sub != master:
            add("sub call", sub)
        themes: list[str] = []
        for cat in cats:
            kind = cat.get("classification")
            label = _category(cat)
            if kind == "euroSciVoc" and label and label not in themes:
                themes.append(label)
            elif kind == "projectFundingSchemeCategory":
                code = (_t(cat, "code") or "").lstrip("/")
                add("funding scheme", " ".join(p for p in (code, label) if p) or None)
            elif kind == "policyPriorities":
                add("policy priority", label)
        website = None
        for link in assoc.findall("webLink"):
            if link.get("type") == "relatedWebsite" and website is None:
                website = c.url(link.findtext("physUrl"), row, "webLink[relatedWebsite]")
        participations, organisations = self._organisations(pid, assoc, row, extra)
        countries = sorted({o.country for o in organisations if o.country})
        nuts = sorted({o.nuts[-1][0] for o in organisations if o.nuts})
        objective = c.lang_text(root.findtext("objective"), lang)
        project = Project(
            id=pid,
            source=SOURCE,
            source_id=grant,
            source_url=cordis_url(grant),
            title=LangText(title, lang),
            acronym=acronym,
            description=(objective,) if objective else (),
            start_date=c.day(root.findtext("startDate"), row, "startDate"),
            end_date=c.day(root.findtext("endDate"), row, "endDate"),
            source_status=_t(root, "status"),
            programme=framework,
            period=_PERIODS.get(framework or ""),
            total_budget=_nonzero(c.money(root.findtext("totalCost"), row, "totalCost")),
            eu_contribution=c.money(
                root.findtext("ecMaxContribution"), row, "ecMaxContribution"
            ),
            website=website,
            themes=tuple(themes),
            countries=tuple(countries),
            nuts=tuple(nuts),
            call=master or sub,
            extra=tuple(extra),
        )
        return ProjectRecord(project, tuple(participations), tuple(organisations))

    def _organisations(
        self,
        pid: str,
        assoc: etree._Element,
        row: c.Row,
        extra: list[tuple[str, str]],
    ) -> tuple[list[Participation], list[Organisation]]:
        elements = assoc.findall("organization")

        def source_order(pair: tuple[int, etree._Element]) -> tuple[int, int]:
            raw = pair[1].get("order") or ""
            return (int(raw) if raw.isdigit() else 1 << 30, pair[0])

        participations: list[Participation] = []
        organisations: dict[str, Organisation] = {}
        for _, element in sorted(enumerate(elements), key=source_order):
            kind = element.get("type") or ""
            field = f"organization[@order={element.get('order')}]"
            organisation = self._organisation(element, row, field)
            if organisation is None:
                continue
            role = _ROLES.get(kind)
            if role is None:
                row.issue(f"{field}/@type", f"unknown role {kind!r}; taken as other", "flagged")
                role = Role.OTHER
            organisations.setdefault(organisation.id, organisation)
            number = len(participations) + 1
            budget = _nonzero(c.money(element.get("totalCost"), row, f"{field}/@totalCost"))
            participations.append(
                Participation(
                    project_id=pid,
                    organisation_id=organisation.id,
                    role=role,
                    order=number,
                    budget=budget,
                    eu_contribution=c.money(
                        element.get("ecContribution"), row, f"{field}/@ecContribution"
                    ),
                )
            )
            who = f"participant {number}"
            sme = element.get("sme")
            if sme in {"true", "false"}:
                extra.append((f"{who} SME", sme))
            net = c.money(element.get("netEcContribution"), row, f"{field}/@netEcContribution")
            if net is not None:
                extra.append((f"{who} net EU contribution", str(net.amount)))
            if element.get("terminated") == "true":
                extra.append((f"{who} terminated", "true"))
        for number, result in enumerate(assoc.findall("result"), start=1):
            for registrar in result.findall("relations/associations/organization"):
                name = _t(registrar, "legalName")
                pic = _t(registrar, "id")
                label = " ".join(p for p in (f"PIC {pic}" if pic else None, name) if p)
                what = _t(result, "title") or _t(result, "id") or f"result {number}"
                extra.append(("result registered by", f"{what}: {label}"))
                row.issue(
                    f"result[{number}]/relations/associations/organization",
                    f"an organisation of type {registrar.get('type')!r} ({label}) holds the "
                    f"result {what!r}: not a participation; kept in the project's extras",
                    "flagged",
                )
        return participations, list(organisations.values())

    def _organisation(
        self, element: etree._Element, row: c.Row, field: str
    ) -> Organisation | None:
        name = _t(element, "legalName")
        if name is None:
            row.issue(field, "an organisation without a legal name; left out")
            return None
        label = _t(element, "address/country")
        country = normalise_country(label)
        if label and country is None:
            row.issue(f"{field}/address/country", f"unknown country {label!r}; left empty")
        city = _t(element, "address/city")
        short = _t(element, "shortName")
        nuts: list[tuple[str, str | None]] = []
        region = element.find("relations/regions/region[@type='relatedNutsCode']")
        while region is not None:
            code = _t(region, "nutsCode")
            if code and len(code) > 2:  # the country level is the country, not a NUTS region
                nuts.append((code, _t(region, "name")))
            region = region.find("parents/region")
        activity = element.find(
            "relations/categories/category[@classification='organizationActivityType']"
        )
        return Organisation(
            id=organisation_id(name, country, city),
            name=name,
            other_names=(LangText(short, None),) if short and short != name else (),
            country=country,
            country_label=label,
            city=city,
            postcode=c.code_text(element.findtext("address/postalCode")),
            street=_t(element, "address/street"),
            nuts=tuple(reversed(nuts)),
            organisation_type=_category(activity) if activity is not None else None,
            website=c.url(element.findtext("address/url"), row, f"{field}/address/url"),
            department=_t(element, "departmentName"),
            pic=_t(element, "id"),
            vat=_t(element, "vatNumber"),
        )

