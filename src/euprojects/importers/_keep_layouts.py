"""Where each field stands in keep.eu's two spreadsheet export layouts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadFileError
from ..model import SourceFact

__all__ = ["Layout", "OLD_LAYOUT", "CURRENT_LAYOUT", "LAYOUTS", "detect_layout"]


@dataclass(frozen=True)
class Layout:
    """Where each model field stands in one keep.eu export layout (column header texts)."""

    name: str
    projects_sheet: str
    partners_sheet: str
    programme: str
    acronym: str
    title: str
    # (column, which language: "en", 1 = first national language, 2 = second)
    other_titles: tuple[tuple[str, Any], ...]
    description: tuple[tuple[str, Any], ...]
    expected_results: tuple[tuple[str, Any], ...]
    achievements: tuple[tuple[str, Any], ...]
    expected_outputs: tuple[tuple[str, Any], ...]
    delivered_outputs: tuple[tuple[str, Any], ...]
    start: str
    end: str
    period: str
    total_budget: str
    eu_funding: str
    rate: str | None
    website: str
    themes: tuple[str, ...]
    call: str
    programme_id: str | None
    funds: str | None
    fund_amounts: tuple[tuple[str, str], ...]  # (column, fund)
    extra: tuple[str, ...]
    # partners
    p_programme: str
    p_acronym: str
    p_programme_id: str | None
    p_name: str
    p_other_names: tuple[tuple[str, Any], ...]
    p_lead: str
    p_street: str | None
    p_postcode: str | None
    p_town: str
    p_country: str | None
    p_country_code: str
    p_website: str
    p_department: str | None
    p_legal_status: str | None
    p_type: str | None
    p_pic: str | None
    p_other_id: str | None
    p_nuts: tuple[str, ...]
    p_budget: str | None
    p_eu: tuple[str, ...]

    @property
    def required_projects(self) -> tuple[str, ...]:
        return (self.programme, self.acronym, self.title, self.start, self.end)

    @property
    def required_partners(self) -> tuple[str, ...]:
        return (self.p_programme, self.p_acronym, self.p_name, self.p_lead)


OLD_LAYOUT = Layout(
    name="keep.eu export (2019 layout)",
    projects_sheet="Projects (lead partners)",
    partners_sheet="Partners",
    programme="Programme",
    acronym="Acronym",
    title="Project Name",
    other_titles=(("Project Name language 2", 1), ("Project Name language 3", 2)),
    description=(("Description EN", "en"), ("Description 1", 1), ("Description 2", 2)),
    expected_results=(
        ("Expected Results EN", "en"), ("Expected Results 1", 1), ("Expected Results 2", 2),
    ),
    achievements=(("Achievements EN", "en"), ("Achievements 1", 1), ("Achievements 2", 2)),
    expected_outputs=(
        ("Expected Outputs EN", "en"), ("Expected Outputs 1", 1), ("Expected Outputs 2", 2),
    ),
    delivered_outputs=(
        ("Delivered Outputs EN", "en"), ("Delivered Outputs 1", 1), ("Delivered Outputs 2", 2),
    ),
    start="Project start",
    end="Project end",
    period="Period",
    total_budget="Budget",
    eu_funding="EU Funding",
    rate=None,
    website="Website",
    themes=("Thematic1", "Thematic2", "Thematic3"),
    call="Call SN",
    programme_id=None,
    funds="Co-Financing sources",
    # the column headers are the labels of the facts (model.SourceFact)
    fund_amounts=(
        (SourceFact.ERDF_BUDGET, "ERDF"), (SourceFact.IPA_BUDGET, "IPA"),
        (SourceFact.ENI_BUDGET, "ENI"), (SourceFact.ERDF_EQUIVALENT_BUDGET, "ERDF equivalent"),
    ),
    extra=(
        SourceFact.THEMATIC_OBJ, SourceFact.INVESTMENT_PRIORITY, SourceFact.SPECIFIC_OBJ,
        SourceFact.IPA_THEMATIC_PRIORITY, SourceFact.STRATEGY, SourceFact.PRIORITY_AREA,
        SourceFact.STRATEGY_DEGREE,
    ),
    p_programme="Programme",
    p_acronym="Acronym",
    p_programme_id=None,
    p_name="Project Partner",
    p_other_names=(),
    p_lead="Lead Partner",
    p_street="Street",
    p_postcode="Postal code",
    p_town="Town",
    p_country="Country",
    p_country_code="Country code",
    p_website="Website",
    p_department="Department",
    p_legal_status="Legal Status",
    p_type=None,
    p_pic=None,
    p_other_id=None,
    p_nuts=("NUTS1 (or equivalent)", "NUTS2 (or equivalent)", "NUTS3 (or equivalent)"),
    p_budget=None,
    p_eu=(),
)

CURRENT_LAYOUT = Layout(
    name="keep.eu export (current layout)",
    projects_sheet="Search results, projects",
    partners_sheet="Search results, partners",
    programme="Programme",
    acronym="Project acronym",
    title="Project name in English",
    other_titles=(
        ("Project name in language 2", 1), ("Project name in language 3", 2),
        ("Project name in language 4", None),
    ),
    description=(("Description in English", "en"), ("Description in language 2", 1)),
    expected_results=(("Expected Achievements in English", "en"),),
    achievements=(("Actual Achievements in English", "en"),),
    expected_outputs=(),
    delivered_outputs=(),
    start="Project start",
    end="Project end",
    period="Period",
    total_budget="Project's total budget / expenditure",
    eu_funding="Project's EU funding",
    rate="Union co-financing rate",
    website="Website",
    themes=("Theme 1", "Theme 2", "Theme 3"),
    call="Call serial number",
    programme_id="Project ID (2021-2027 only)",
    funds=None,
    fund_amounts=(),
    extra=(),
    p_programme="Programme",
    p_acronym="Project acronym",
    p_programme_id="Project ID (2021-2027 only)",
    p_name="Organisation in English",
    p_other_names=(
        ("Organisation in language 2", 1), ("Organisation in language 3", 2),
        ("Organisation in language 4", None),
    ),
    p_lead="Lead partner",
    p_street=None,
    p_postcode=None,
    p_town="Town",
    p_country=None,
    p_country_code="Country code",
    p_website="Website",
    p_department=None,
    p_legal_status=None,
    p_type="Type of Organisation",
    p_pic="Participant Identification Code",
    p_other_id="Partner\u2019s ID if not PIC",
    p_nuts=("NUTS2 code (or equivalent)", "NUTS3 code (or equivalent)"),
    p_budget="Partner's total eligible budget / expenditure",
    p_eu=(
        "Partner's programme co-financing (EUR) (2021-2027 only)",
        "ERDF contribution (2014-2020 only)",
    ),
)

LAYOUTS = (OLD_LAYOUT, CURRENT_LAYOUT)


def detect_layout(path: Path, names: list[str]) -> Layout:
    """The layout whose two sheets the workbook has; BadFileError naming what is missing."""
    for layout in LAYOUTS:
        if {layout.projects_sheet, layout.partners_sheet} <= set(names):
            return layout
    for layout in LAYOUTS:
        if layout.projects_sheet in names or layout.partners_sheet in names:
            missing = {layout.projects_sheet, layout.partners_sheet} - set(names)
            raise BadFileError(
                str(path), f"not a complete keep.eu export: no sheet {sorted(missing)[0]!r}"
            )
    raise BadFileError(
        str(path),
        "not a keep.eu export: no sheets 'Projects (lead partners)' + 'Partners' or "
        "'Search results, projects' + 'Search results, partners'",
    )
