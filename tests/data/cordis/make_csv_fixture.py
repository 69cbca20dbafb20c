"""Write the hand-made CORDIS CSV fixture of this folder from four real projects of the CORDIS
Horizon Europe XML sample (the shared data's cordis_horizon_projects_xml_sample.zip).

    .venv/bin/python tests/data/cordis/make_csv_fixture.py [XML_ZIP]

No real copy of the CORDIS CSV dataset was available: the files follow the documented headers
of project.csv and organization.csv, and the published data-dictionary layout of euroSciVoc.csv
and webLink.csv. As documented for the official files, every field is quoted, the separator is
``;`` and amounts are written with a decimal comma (2073781,25). Each value is copied from the project's
XML; what the CSV layout has no column for is left out. The output is deterministic (fixed zip
dates), so running it again gives the same bytes.

This reads the XML with the standard library on purpose, not with the importer under test; the
column lists are the importer's, which tests/test_cordis_csv.py holds to the documented headers.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from euprojects.importers.cordis_csv import (
    LINK_COLUMNS,
    ORGANISATION_COLUMNS,
    PROJECT_COLUMNS,
    THEME_COLUMNS,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ZIP_NAME = "cordis_horizon_projects_csv_fixture.zip"
# Members of the XML sample: grant 101090290 (totalCost 0, Greek EL partners, CLOSED, a
# termination date), 101092984 (a website, all four roles, a UK partner, two partners with
# order 2), 101160314 (totalCost 0, all four roles, EL and UK), 101081865 (a website and social
# media links, five euroSciVoc themes, a terminated participant, a department name).
MEMBERS = ("240366.xml", "243465.xml", "263158.xml", "242361.xml")

def _comma(amount: str | None) -> str:
    """2073781.25 -> 2073781,25: the CSV's decimal comma."""
    return (amount or "").replace(".", ",")


def _text(element: ET.Element | None, path: str) -> str:
    if element is None:
        return ""
    return element.findtext(path) or ""


def _first(elements: list[ET.Element], **attrs: str) -> ET.Element | None:
    for element in elements:
        if all(element.get(k) == v for k, v in attrs.items()):
            return element
    return None


def _project_row(root: ET.Element) -> dict[str, str]:
    assoc = root.find("relations/associations")
    programmes = assoc.findall("programme")
    bases = [p for p in programmes if p.get("type") == "relatedLegalBasis"]
    # One legal basis per project in the CSV: the XML's unique programme part.
    basis = _first(bases, uniqueProgrammePart="true")
    if basis is None and bases:
        basis = bases[0]
    topic = _first(programmes, type="relatedTopic")
    calls = assoc.findall("call")
    scheme = _first(
        root.findall("relations/categories/category"),
        classification="projectFundingSchemeCategory",
    )
    return {
        "id": _text(root, "id"),
        "acronym": _text(root, "acronym"),
        "status": _text(root, "status"),
        "title": _text(root, "title"),
        "startDate": _text(root, "startDate"),
        "endDate": _text(root, "endDate"),
        "totalCost": _comma(_text(root, "totalCost")),
        "ecMaxContribution": _comma(_text(root, "ecMaxContribution")),
        "legalBasis": _text(basis, "code"),
        "topics": _text(topic, "code"),
        "ecSignatureDate": _text(root, "ecSignatureDate"),
        "frameworkProgramme": _text(programmes[0] if programmes else None, "frameworkProgramme"),
        "masterCall": _text(_first(calls, type="relatedMasterCall"), "identifier"),
        "subCall": _text(_first(calls, type="relatedSubCall"), "identifier"),
        "fundingScheme": _text(scheme, "code").lstrip("/"),
        "nature": "",
        "objective": _text(root, "objective"),
        "contentUpdateDate": _text(root, "contentUpdateDate"),
        "rcn": _text(root, "rcn"),
        "grantDoi": _text(root, "identifiers/grantDoi"),
    }


def _organisation_rows(root: ET.Element) -> list[dict[str, str]]:
    """One row per participant, in the XML's element order (not sorted by ``order``)."""
    rows = []
    for org in root.findall("relations/associations/organization"):
        if org.get("type") == "isRegisteredBy":  # a result's registrar, not a participant
            continue
        activity = org.find(
            "relations/categories/category[@classification='organizationActivityType']"
        )
        region = org.find("relations/regions/region[@type='relatedNutsCode']")
        rows.append({
            "projectID": _text(root, "id"),
            "projectAcronym": _text(root, "acronym"),
            "organisationID": _text(org, "id"),
            "vatNumber": _text(org, "vatNumber"),
            "name": _text(org, "legalName"),
            "shortName": _text(org, "shortName"),
            "SME": org.get("sme") or "",
            "activityType": _text(activity, "code").lstrip("/"),
            "street": _text(org, "address/street"),
            "postCode": _text(org, "address/postalCode"),
            "city": _text(org, "address/city"),
            "country": _text(org, "address/country"),
            "nutsCode": _text(region, "nutsCode"),
            "geolocation": _text(org, "address/geolocation"),
            "organizationURL": _text(org, "address/url"),
            "contactForm": "",
            "contentUpdateDate": "",
            "rcn": _text(org, "rcn"),
            "order": org.get("order") or "",
            "role": org.get("type") or "",
            "ecContribution": _comma(org.get("ecContribution")),
            "netEcContribution": _comma(org.get("netEcContribution")),
            "totalCost": _comma(org.get("totalCost")),
            "endOfParticipation": org.get("terminated") or "",
            "active": "",
        })
    return rows


def _theme_rows(root: ET.Element) -> list[dict[str, str]]:
    return [
        {
            "projectID": _text(root, "id"),
            "euroSciVocCode": _text(cat, "code"),
            "euroSciVocPath": _text(cat, "displayCode"),
            "euroSciVocTitle": _text(cat, "title"),
            "euroSciVocDescription": _text(cat, "description"),
        }
        for cat in root.findall("relations/categories/category")
        if cat.get("classification") == "euroSciVoc"
    ]


def _link_rows(root: ET.Element) -> list[dict[str, str]]:
    """The project's own links (not those of its deliverables and publications)."""
    return [
        {
            "projectID": _text(root, "id"),
            "physUrl": _text(link, "physUrl"),
            "availableLanguages": _text(link, "availableLanguages"),
            "status": "",
            "archivedDate": "",
            "type": link.get("type") or "",
            "source": link.get("source") or "",
            "represents": link.get("represents") or "",
        }
        for link in root.findall("relations/associations/webLink")
    ]


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row[col] for col in columns] for row in rows)
    return out.getvalue().encode("utf-8")


def main(xml_zip: Path, out: Path = HERE) -> None:
    """Write project.csv, organization.csv, euroSciVoc.csv, webLink.csv and their zip to out."""
    files: dict[str, list[dict[str, str]]] = {
        "project.csv": [], "organization.csv": [], "euroSciVoc.csv": [], "webLink.csv": [],
    }
    with zipfile.ZipFile(xml_zip) as archive:
        for member in MEMBERS:
            root = ET.fromstring(archive.read(member))
            files["project.csv"].append(_project_row(root))
            files["organization.csv"].extend(_organisation_rows(root))
            files["euroSciVoc.csv"].extend(_theme_rows(root))
            files["webLink.csv"].extend(_link_rows(root))
    layouts = {"project.csv": PROJECT_COLUMNS, "organization.csv": ORGANISATION_COLUMNS,
               "euroSciVoc.csv": THEME_COLUMNS, "webLink.csv": LINK_COLUMNS}
    blobs = {name: _csv(layouts[name], rows) for name, rows in files.items()}
    with zipfile.ZipFile(out / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in blobs.items():
            (out / name).write_bytes(blob)
            info = zipfile.ZipInfo(name, date_time=(2025, 9, 19, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)


if __name__ == "__main__":
    shared = Path(os.environ.get("EUPROJECTS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    default = shared / "cordis" / "cordis_horizon_projects_xml_sample.zip"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    print(f"wrote the fixture to {HERE.name}/")
