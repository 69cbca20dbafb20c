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
from functools import partial
from pathlib import Path

from lxml import etree

from ..errors import BadFileError
from ..model import Money, Organisation, ProjectRecord, SourceFact, project_id
from . import _cells as c
from ._cordis import (
    SOURCE,
    Member,
    build_member,
    build_record,
    cordis_url,
    identify,
    organisation,
    participants,
    source_order,
)
from ._driver import Parsed, SourceReader
from ._report import FileReport
from ._workbook import sha256_of

__all__ = ["CordisXmlReader", "SOURCE", "cordis_url"]

FORMAT = "CORDIS project XML (zip)"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
# members looked at before anything is written: one of them must be a CORDIS <project>
_SNIFFED = 20


def _attribute_amount(element: etree._Element, row: c.Row, field: str, name: str) -> Money | None:
    """The amount in an attribute of an <organization> element."""
    return c.money(element.get(name), row, f"{field}/@{name}")


class _TooLarge(Exception):
    pass


def _t(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    return c.text(element.findtext(path))


def _coded(element: etree._Element) -> str | None:
    """"HORIZON.2.5 Climate, Energy and Mobility": code and title, either alone if one lacks."""
    code = _t(element, "code")
    title = _t(element, "title")
    return " ".join(p for p in (code, title) if p) or None


def _category(cat: etree._Element) -> str | None:
    """A category's title, or its code without the leading slash."""
    return _t(cat, "title") or (_t(cat, "code") or "").lstrip("/") or None


class CordisXmlReader(SourceReader):
    """Reads one CORDIS XML zip; the constructor refuses a file that is not a readable zip."""

    def __init__(self, path: Path, max_member_bytes: int = 64 * 1024 * 1024) -> None:
        self.path = path
        self.max_member_bytes = max_member_bytes
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
        self._sniff()
        self.expected: int | None = len(self._members)
        self.report = FileReport(file=path.name, format=FORMAT, sha256=sha256_of(path))

    def _sniff(self) -> None:
        """Refuse the file whole unless one of its first members is a CORDIS project (an
        xlsx or docx is a zip of XML files too)."""
        if "[Content_Types].xml" in self._members:
            raise BadFileError(str(self.path), "not a CORDIS XML zip: an Office document "
                               "(xlsx, docx...), not a zip of <project> files")
        try:
            with zipfile.ZipFile(self.path) as archive:
                for member in self._members[:_SNIFFED]:
                    if self._root_tag(archive, member) == "project":
                        return
        except (zipfile.BadZipFile, OSError, EOFError):
            pass
        raise BadFileError(str(self.path), "not a CORDIS XML zip: none of its first "
                           f"{min(_SNIFFED, len(self._members))} files is a CORDIS <project> "
                           "XML file")

    def _root_tag(self, archive: zipfile.ZipFile, member: str) -> str | None:
        """The name of a member's root element, reading no more than its start."""
        if archive.getinfo(member).file_size > self.max_member_bytes:
            return None
        try:
            with archive.open(member) as stream:
                for _event, element in etree.iterparse(
                        stream, events=("start",), resolve_entities=False, no_network=True):
                    return str(element.tag)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
            return None
        return None

    def _read(self, archive: zipfile.ZipFile, member: str) -> bytes:
        """A member's bytes, never more than max_member_bytes of them in memory (the size
        a zip declares may lie: the read itself stops there)."""
        if archive.getinfo(member).file_size > self.max_member_bytes:
            raise _TooLarge
        with archive.open(member) as stream:
            data = stream.read(self.max_member_bytes + 1)
        if len(data) > self.max_member_bytes:
            raise _TooLarge
        return data

    again = ("id", "grant")

    def parse(self) -> Iterator[Parsed]:
        with zipfile.ZipFile(self.path) as archive:
            for row, record in self._iter_read(archive):
                yield Parsed(row, record)

    def _iter_read(self, archive: zipfile.ZipFile) -> Iterator[tuple[c.Row, ProjectRecord | None]]:
        for member in self._members:
            row = c.Row(self.report, None, None, member)
            yield row, self._member(archive, member, row)

    def _member(
        self, archive: zipfile.ZipFile, member: str, row: c.Row
    ) -> ProjectRecord | None:
        try:
            data = self._read(archive, member)
        except _TooLarge:
            row.issue(None, f"larger than {self.max_member_bytes} bytes (setting "
                      "max_member_bytes); not read", "rejected")
            return None
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
        acronym = c.clean_acronym(root.findtext("acronym"))
        found = identify(_t(root, "id"), _t(root, "title"), acronym, row)
        if found is None:
            return None
        grant, title = found
        lang = _t(root, "language")
        assoc = root.find("relations/associations")
        if assoc is None:
            assoc = etree.Element("associations")
        cats = root.findall("relations/categories/category")

        extra: list[tuple[str, str]] = []

        def add(label: str, value: str | None) -> None:
            if value:
                extra.append((label, value))

        add(SourceFact.TEASER, _t(root, "teaser"))
        add(SourceFact.KEYWORDS, _t(root, "keywords"))
        add(SourceFact.RCN, _t(root, "rcn"))
        add(SourceFact.GRANT_DOI, _t(root, "identifiers/grantDoi"))
        add(SourceFact.SIGNATURE_DATE, _t(root, "ecSignatureDate"))
        add(SourceFact.TERMINATION_DATE, _t(root, "terminationDate"))
        framework = None
        for programme in assoc.findall("programme"):
            kind = programme.get("type")
            framework = framework or _t(programme, "frameworkProgramme")
            if kind == "relatedLegalBasis":
                add(SourceFact.LEGAL_BASIS, _coded(programme))
            elif kind == "relatedTopic":
                add(SourceFact.CALL_TOPIC, _coded(programme))
        master = sub = None
        for call in assoc.findall("call"):
            ident = _t(call, "identifier") or _t(call, "title")
            if call.get("type") == "relatedMasterCall":
                master = master or ident
            elif call.get("type") == "relatedSubCall":
                sub = sub or ident
        if sub and sub != master:
            add(SourceFact.SUB_CALL, sub)
        themes: list[str] = []
        fields: list[str] = []  # each theme's euroSciVoc path, for the shared topics
        for cat in cats:
            kind = cat.get("classification")
            label = _category(cat)
            if kind == "euroSciVoc" and label and label not in themes:
                themes.append(label)
                path = _t(cat, "displayCode")
                if path and path not in fields:
                    fields.append(path)
            elif kind == "projectFundingSchemeCategory":
                code = (_t(cat, "code") or "").lstrip("/")
                add(SourceFact.FUNDING_SCHEME, " ".join(p for p in (code, label) if p) or None)
            elif kind == "policyPriorities":
                add(SourceFact.POLICY_PRIORITY, label)
        for path in fields:
            add(SourceFact.FIELD_OF_SCIENCE, path)
        website = None
        for link in assoc.findall("webLink"):
            if link.get("type") == "relatedWebsite" and website is None:
                website = c.url(link.findtext("physUrl"), row, "webLink[relatedWebsite]")
        participations, organisations = participants(
            project_id(SOURCE, grant), self._iter_members(assoc, row)
        )
        self._results(assoc, row, extra)
        return build_record(
            grant,
            title,
            lang,
            row,
            raw=root.findtext,
            amount=lambda name: c.money(root.findtext(name), row, name),
            acronym=acronym,
            framework=framework,
            website=website,
            themes=tuple(themes),
            call=master or sub,
            extra=extra,
            participations=participations,
            organisations=organisations,
        )

    def _iter_members(self, assoc: etree._Element, row: c.Row) -> Iterator[Member]:
        """The participants in the source's order; one without a legal name is left out."""
        elements = assoc.findall("organization")
        ordered = sorted(enumerate(elements), key=lambda p: source_order(p[1].get("order"), p[0]))
        for _, element in ordered:
            field = f"organization[@order={element.get('order')}]"
            org = self._organisation(element, row, field)
            if org is None:
                continue
            yield build_member(
                org,
                row,
                role=element.get("type"),
                role_field=f"{field}/@type",
                amount=partial(_attribute_amount, element, row, field),
                sme=element.get("sme"),
                terminated=element.get("terminated") == "true",
            )

    def _results(self, assoc: etree._Element, row: c.Row, extra: list[tuple[str, str]]) -> None:
        """Organisations that registered a result (a patent): not participants, kept in extras."""
        for number, result in enumerate(assoc.findall("result"), start=1):
            for registrar in result.findall("relations/associations/organization"):
                name = _t(registrar, "legalName")
                pic = _t(registrar, "id")
                label = " ".join(p for p in (f"PIC {pic}" if pic else None, name) if p)
                what = _t(result, "title") or _t(result, "id") or f"result {number}"
                extra.append((SourceFact.RESULT_REGISTERED_BY, f"{what}: {label}"))
                row.issue(
                    f"result[{number}]/relations/associations/organization",
                    f"an organisation of type {registrar.get('type')!r} ({label}) holds the "
                    f"result {what!r}: not a participation; kept in the project's extras",
                    "flagged",
                )

    def _organisation(
        self, element: etree._Element, row: c.Row, field: str
    ) -> Organisation | None:
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
        return organisation(
            row,
            name=_t(element, "legalName"),
            field=field,
            country_label=_t(element, "address/country"),
            country_field=f"{field}/address/country",
            city=_t(element, "address/city"),
            short_name=_t(element, "shortName"),
            postcode=c.code_text(element.findtext("address/postalCode")),
            street=_t(element, "address/street"),
            nuts=tuple(reversed(nuts)),
            organisation_type=_category(activity) if activity is not None else None,
            website=element.findtext("address/url"),
            website_field=f"{field}/address/url",
            department=_t(element, "departmentName"),
            pic=_t(element, "id"),
            vat=_t(element, "vatNumber"),
        )
