"""Write the hand-made Kohesio fixtures of this folder (see README.md beside this file).

    .venv/bin/python tests/data/kohesio/make_fixtures.py

No complete official Kohesio export was at hand. Every file here is HAND-MADE in the real
layout: the headers are the exact ones recorded from the official bulk exports (the shared
data's kohesio/export_headers_2026-09-24.json for the 40- and 44-column project exports;
kohesio/KOHESIO.md section 2 for the older 33-column layout and the beneficiaries and NUTS
exports). The content is partly real (three Irish operations of the shared
ie_operations_normalised_excerpt.json written back into the raw layout, beneficiary names of
beneficiaries_api_2023-01.tsv, NUTS 2021 codes and names of the shared geo/ GISCO files) and
partly made up; README.md says which value is which.

Nothing is read at run time: the values are written out below, so the output depends on this
file only. Written with the csv module (QUOTE_MINIMAL, "\\r\\n" line ends), UTF-8 without BOM;
running it again gives the same bytes. Made-up linkedopendata ids are all Q9000xxxxx (nine
digits, starting 9000), so a test can tell them from the real ones at a glance.

This does not import the importer under test, on purpose: the headers are written out here,
as the official files have them.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
E = "https://linkedopendata.eu/entity/"

# --- headers -------------------------------------------------------------------------------

# IE-pp14-20-20260924.csv, exactly as recorded (export_headers_2026-09-24.json)
HEADER_14_20 = [
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Operation_Start_Date", "Operation_End_Date",
    "Cofinancing_Rate", "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency", "Project_EU_Budget", "Beneficiary_Unique_Identifier",
    "Beneficiary_Name", "Beneficiary_Local_Identifier", "Category_Of_Intervention",
    "Category_Label", "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Fund_Code", "Fund_Name", "Programme_Code", "Programme_Name",
    "Coordinates", "Location_Indicator_latitude_longitude", "Postal_Code", "LAU_IDs",
    "LAU_Labels", "NUTS1_Label", "NUTS2_Label", "NUTS3_Label", "NUTS1_Code", "NUTS2_Code",
    "NUTS3_Code", "Programming_Period", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "InfoRegio_ID",
]

# IE-pp21-27-20260924.csv, exactly as recorded (export_headers_2026-09-24.json)
HEADER_21_27 = [
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Operation_Start_Date", "Operation_End_Date",
    "Cofinancing_Rate", "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency", "Project_EU_Budget", "Beneficiary_Unique_Identifier",
    "Beneficiary_Name", "Beneficiary_Local_Identifier", "Category_Of_Intervention",
    "Category_Label", "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Specific_Objective_ID", "Specific_Objective_Label", "Fund_Code",
    "Fund_Name", "Programme_Code", "Programme_Name", "Location_Indicator_latitude_longitude",
    "Postal_Code", "LAU_IDs", "LAU_Labels", "NUTS1_Label", "NUTS2_Label", "NUTS3_Label",
    "NUTS1_Code", "NUTS2_Code", "NUTS3_Code", "Programming_Period", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "Image_URL", "InfoRegio_ID",
    "InfoRegio_URL", "CountryCode",
]

# latest_<CC>.csv of an earlier snapshot (KOHESIO.md section 2, from clementlefevre/Kohesio
# sql/projects.sql): no Beneficiary_Name, no LAU, no NUTS1/NUTS2, a Region column
HEADER_OLD = [
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Postal_Code", "Operation_Start_Date",
    "Operation_End_Date", "Cofinancing_Rate", "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency", "Project_EU_Budget", "Beneficiary_Unique_Identifier",
    "Location_Indicator_latitude_longitude", "Category_Of_Intervention", "Category_Label",
    "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Fund_Code", "Fund_Name", "Programme_Code", "Programme_Name",
    "Region", "NUTS3_Code", "Programming_Period", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "Image_URL", "InfoRegio_ID",
    "InfoRegio_URL",
]

HEADER_BENEFICIARIES = ["Beneficiary", "BeneficiaryLabel", "Website", "WikidataID"]
HEADER_NUTS = [
    "nuts3", "nuts3Label", "nuts3code", "nuts2", "nuts2Label", "nuts2code", "nuts1",
    "nuts1Label", "nuts1code",
]

# --- shared values -------------------------------------------------------------------------

ERDF = {"Fund_Code": "ERDF", "Fund_Name": "European Regional Development Fund"}
CF = {"Fund_Code": "CF", "Fund_Name": "Cohesion Fund"}
JTF = {"Fund_Code": "JTF", "Fund_Name": "Just Transition Fund"}
ESF_PLUS = {"Fund_Code": "ESF+", "Fund_Name": "European Social Fund Plus"}

# made up (plausible): the two Irish regional ERDF programmes of 2014-2020
SE_OP = {
    "Programme_Code": "2014IE16RFOP002",
    "Programme_Name": "Southern & Eastern Regional Operational Programme 2014-2020",
    "ManagingAuthority": "Southern Regional Assembly",
}
BMW_OP = {
    "Programme_Code": "2014IE16RFOP001",
    "Programme_Name": "Border, Midland and Western Regional Operational Programme 2014-2020",
    "ManagingAuthority": "Northern and Western Regional Assembly",
}
TO03 = {"Thematic_Objective_ID": "TO03",
        "Thematic_Objective_Label": "Enhancing the competitiveness of SMEs"}
PO1 = {"Policy_Objective_ID": "PO1",
       "Policy_Objective_Label": "A more competitive and smarter Europe"}
PO2 = {"Policy_Objective_ID": "PO2", "Policy_Objective_Label": "A greener, low-carbon Europe"}
PO4 = {"Policy_Objective_ID": "PO4",
       "Policy_Objective_Label": "A more social and inclusive Europe"}
PO5 = {"Policy_Objective_ID": "PO5", "Policy_Objective_Label": "A Europe closer to citizens"}
# real label (Regulation (EU) No 215/2014, intervention field 001), as the excerpt has it
SME_CATEGORY = {
    "Category_Of_Intervention": "001",
    "Category_Label": "Generic productive investment in small and medium–sized enterprises (‘SMEs’)",
}
IRELAND = {"Country": "Ireland"}
IE_NUTS_EAST = {"NUTS1_Label": "Ireland", "NUTS2_Label": "Eastern and Midland",
                "NUTS1_Code": "IE0", "NUTS2_Code": "IE06"}
IE_NUTS_NW = {"NUTS1_Label": "Ireland", "NUTS2_Label": "Northern and Western",
              "NUTS1_Code": "IE0", "NUTS2_Code": "IE04"}
IE_NUTS_SOUTH = {"NUTS1_Label": "Ireland", "NUTS2_Label": "Southern",
                 "NUTS1_Code": "IE0", "NUTS2_Code": "IE05"}
P14 = {"Programming_Period": "2014-2020", "Total_Eligible_Expenditure_Currency": "EUR"}
P21 = {"Programming_Period": "2021-2027", "Total_Eligible_Expenditure_Currency": "EUR"}


def same_summary(text: str) -> dict[str, str]:
    """An Irish operation: the programme language is English, both summaries are the same."""
    return {"Operation_Summary_English": text, "Operation_Summary_Programme_Language": text}


def same_name(text: str) -> dict[str, str]:
    return {"Operation_Name_English": text, "Operation_Name_Programme_Language": text}


def where(coordinates: str, both: bool = True) -> dict[str, str]:
    """2014-2020 has Coordinates and Location_Indicator_latitude_longitude: the same value."""
    values = {"Location_Indicator_latitude_longitude": coordinates}
    if both:
        values["Coordinates"] = coordinates
    return values


def row(header: list[str], *parts: dict[str, str], **values: str) -> list[str]:
    """One record in the order of `header`; a column not given is empty."""
    merged: dict[str, str] = {}
    for part in (*parts, values):
        merged.update(part)
    unknown = set(merged) - set(header)
    assert not unknown, f"not in the header: {sorted(unknown)}"
    return [merged.get(column, "") for column in header]


# --- the three real Irish operations (ie_operations_normalised_excerpt.json) ----------------
# Real: id, names (the excerpt's title, in both name columns), summary, dates, amounts,
# currency, coordinates, country, beneficiary URI and name, fund, category label, NUTS3 label(s)
# and code(s), LAU label, period. Made up: everything else (see README.md).

Q232171 = {
    "Operation_Unique_Identifier": E + "Q232171",
    "Operation_Local_Identifier": "SE/LEO/DCC/2014/017",
    **same_name("AMN Productions Ltd - Feasibility"),
    **IRELAND,
    "Operation_Start_Date": "12/12/2014", "Operation_End_Date": "31/12/2015",
    "Cofinancing_Rate": "50.00",
    "Total_Eligible_Expenditure_amount": "4784", "Project_EU_Budget": "2392",
    "Beneficiary_Unique_Identifier": E + "Q2531369",
    "Beneficiary_Name": "AMN Productions Ltd",
    "Beneficiary_Local_Identifier": "IE-CRO-548213",
    **SME_CATEGORY, **TO03, **PO1, **ERDF, **SE_OP,
    **where("53.3497645,-6.2602732"),
    "LAU_Labels": "North Inner City",
    "NUTS3_Label": "Dublin Region", "NUTS3_Code": "IE061",
    **P14,
    **same_summary("Developing an app for iOS & android for vertical market of audio-visual "
                   "sector to make it easier for producers of films & TV projects"),
}
Q232174_TITLE = ("This Automatic Retractable Roofing System represents a new market niche "
                 "between the canvass awning & the conservatory")
Q232174 = {
    "Operation_Unique_Identifier": E + "Q232174",
    "Operation_Local_Identifier": "SE/LEO/WW/2014/052",
    **same_name(Q232174_TITLE),
    **IRELAND,
    "Operation_Start_Date": "20/10/2014", "Operation_End_Date": "31/12/2015",
    "Cofinancing_Rate": "50.00",
    "Total_Eligible_Expenditure_amount": "4196.4", "Project_EU_Budget": "2098.2",
    "Beneficiary_Unique_Identifier": E + "Q2531375",
    "Beneficiary_Name": "Arean Retractable Roofing",
    "Beneficiary_Local_Identifier": "IE-CRO-551907",
    **SME_CATEGORY, **TO03, **PO1, **ERDF, **SE_OP,
    **where("52.95814675,-6.3819707086777"),
    "LAU_Labels": "Arklow",
    "NUTS3_Label": "Mid-East Region, Ireland", "NUTS3_Code": "IE062",
    **P14,
    **same_summary(Q232174_TITLE),
}
Q7361509 = {
    "Operation_Unique_Identifier": E + "Q7361509",
    "Operation_Local_Identifier": "NWRP-2.1-SEAI-001",
    **same_name("NWR Warmer Homes Scheme"),
    **IRELAND,
    "Operation_Start_Date": "01/01/2023", "Operation_End_Date": "31/12/2029",
    "Cofinancing_Rate": "60.00",
    "Total_Eligible_Expenditure_amount": "55090907", "Project_EU_Budget": "33054544.2",
    "Beneficiary_Unique_Identifier": E + "Q7361474",
    "Beneficiary_Name": "SEAI",
    "Beneficiary_Local_Identifier": "IE-SEAI-01",
    "Category_Of_Intervention": "042",
    "Category_Label": "Energy efficiency renovation of existing housing stock, demonstration "
                      "projects and supporting measures compliant with energy efficiency criteria",
    **PO2,
    "Specific_Objective_ID": "RSO2.1",
    "Specific_Objective_Label": "Promoting energy efficiency and reducing greenhouse gas "
                                "emissions",
    **ERDF,
    "Programme_Code": "2021IE16RFPR001",
    "Programme_Name": "Northern and Western Regional Programme 2021-2027",
    "ManagingAuthority": "Northern and Western Regional Assembly",
    "Location_Indicator_latitude_longitude":
        "53.963472222222,-7.3574444444444|53.669328,-8.9570134",
    "NUTS3_Label": "West Region, Ireland|Border Region", "NUTS3_Code": "IE042|IE041",
    **P21,
    **same_summary(
        "This Operation will improve the energy performance of owner-occupied homes of lower "
        "income households in the programme area, thus reducing greenhouse gas emissions and "
        "reducing the proportion of household disposable income spent on energy costs. The "
        "Operation supports the delivery of free energy efficiency upgrades for eligible "
        "homeowners and eligible homes. It aims to make eligible homes warmer, healthier, and "
        "cheaper to run."),
    "CountryCode": "IE",
}

# --- 1. IE-pp14-20-20260924.csv ------------------------------------------------------------

HARBOUR_QUAY_SUMMARY = (
    'Phase 2 of the "Harbour Quay" hub fits out 1,200 m² of shared workspace, a maker lab and '
    "meeting rooms.\n"
    'It is open to SMEs, start-ups and "spin-outs" from the region, at no cost for the first '
    "6 months."
)

IE_14_20 = [
    row(HEADER_14_20, Q232171),
    row(HEADER_14_20, Q232174),
    # a summary with a line break, embedded quotes and commas; a beneficiary name with both
    row(HEADER_14_20, IRELAND, TO03, PO1, ERDF, SE_OP, IE_NUTS_EAST, P14,
        same_name("Harbour Quay Digital Hub, Phase 2"),
        same_summary(HARBOUR_QUAY_SUMMARY), where("53.3456,-6.2389"),
        Operation_Unique_Identifier=E + "Q900000101",
        Operation_Local_Identifier="SE/ERDF/DCC/2017/004",
        Operation_Start_Date="01/09/2017", Operation_End_Date="30/06/2020",
        Cofinancing_Rate="50.00",
        Total_Eligible_Expenditure_amount="1250000.00", Project_EU_Budget="625000.00",
        Beneficiary_Unique_Identifier=E + "Q900000111",
        Beneficiary_Name='Harbour Quay Hub, "The Dock" CLG',
        Beneficiary_Local_Identifier="IE-CRO-600111",
        Category_Of_Intervention="067",
        Category_Label="SME business development, support to entrepreneurship and incubation "
                       "(including support to spin offs and spin outs)",
        Postal_Code="D02 X285",
        NUTS3_Label="Dublin", NUTS3_Code="IE061"),
    # |-joined values: two funds (codes and names), two coordinates, two NUTS3 codes and labels
    row(HEADER_14_20, IRELAND, PO2, BMW_OP, IE_NUTS_NW, P14,
        same_name("Sligo–Mayo greenway and flood-resilience works"),
        same_summary("A 42 km greenway between Sligo and Ballina, with flood-resilience works "
                     "on the river crossings."),
        where("54.2697,-8.4694|54.1149,-9.1551"),
        Operation_Unique_Identifier=E + "Q900000102",
        Operation_Local_Identifier="BMW/ERDF/SMC/2018/011",
        Operation_Start_Date="15/03/2018", Operation_End_Date="31/12/2023",
        Cofinancing_Rate="50.00",
        Total_Eligible_Expenditure_amount="3400000.00", Project_EU_Budget="1700000.00",
        Beneficiary_Unique_Identifier=E + "Q900000112",
        Beneficiary_Name="Western Greenway Partnership DAC",
        Beneficiary_Local_Identifier="IE-CRO-600112",
        Category_Of_Intervention="090", Category_Label="Cycle tracks and footpaths",
        Thematic_Objective_ID="TO07",
        Thematic_Objective_Label="Promoting sustainable transport and removing bottlenecks in "
                                 "key network infrastructures",
        Fund_Code="ERDF|CF", Fund_Name="European Regional Development Fund|Cohesion Fund",
        NUTS3_Label="Border Region|West Region, Ireland", NUTS3_Code="IE041|IE042"),
    # an Interreg-like operation in two countries (Country holds labels in this layout)
    row(HEADER_14_20, PO1, ERDF, P14,
        same_name("Cross-border marine research network"),
        same_summary("Shared survey vessels and data for marine research institutes on both "
                     "sides of the border."),
        where("54.9503,-7.7337|54.5973,-5.9301"),
        Operation_Unique_Identifier=E + "Q900000103",
        Operation_Local_Identifier="IVA/5038",
        Country="Ireland|United Kingdom",
        Operation_Start_Date="01/01/2017", Operation_End_Date="31/12/2021",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="2000000.00", Project_EU_Budget="1700000.00",
        Beneficiary_Unique_Identifier=E + "Q900000113",
        Beneficiary_Name="Loughs Marine Research Institute",
        Beneficiary_Local_Identifier="IVA-LP-113",
        Category_Of_Intervention="060",
        Category_Label="Research and innovation activities in public research centres and "
                       "centres of competence including networking",
        Thematic_Objective_ID="TO01",
        Thematic_Objective_Label="Strengthening research, technological development and "
                                 "innovation",
        Programme_Code="2014TC16RFCB047",
        Programme_Name="INTERREG VA United Kingdom-Ireland "
                       "(Ireland-Northern Ireland-Scotland)",
        ManagingAuthority="Special EU Programmes Body",
        NUTS3_Label="Border Region", NUTS3_Code="IE041"),
    # no start date, no end date
    row(HEADER_14_20, IRELAND, SME_CATEGORY, TO03, PO1, ERDF, SE_OP, P14,
        same_name("Enterprise centre feasibility study, Naas"),
        same_summary("Feasibility study for a shared enterprise centre."),
        where("53.2159,-6.6669"),
        Operation_Unique_Identifier=E + "Q900000104",
        Operation_Local_Identifier="SE/LEO/KD/2015/009",
        Cofinancing_Rate="50.00",
        Total_Eligible_Expenditure_amount="15000.00", Project_EU_Budget="7500.00",
        Beneficiary_Unique_Identifier=E + "Q900000114",
        Beneficiary_Name="Naas Enterprise Centre CLG",
        Beneficiary_Local_Identifier="IE-CRO-600114",
        LAU_Labels="Naas", NUTS3_Label="Mid-East Region, Ireland", NUTS3_Code="IE062"),
    # ISO dates (YYYY-MM-DD), as the older snapshot may write them
    row(HEADER_14_20, IRELAND, SME_CATEGORY, TO03, PO1, ERDF, SE_OP, IE_NUTS_EAST, P14,
        same_name("Precision tooling for medical devices"),
        same_summary("New CNC machining line for medical-device components."),
        where("53.1424,-6.0664"),
        Operation_Unique_Identifier=E + "Q900000105",
        Operation_Local_Identifier="SE/LEO/WW/2016/031",
        Operation_Start_Date="2016-03-01", Operation_End_Date="2018-06-30",
        Cofinancing_Rate="50.00",
        Total_Eligible_Expenditure_amount="86000.00", Project_EU_Budget="43000.00",
        Beneficiary_Unique_Identifier=E + "Q900000115",
        Beneficiary_Name="Wicklow Precision Tooling Ltd",
        Beneficiary_Local_Identifier="IE-CRO-600115",
        LAU_Labels="Greystones", NUTS3_Label="Mid-East", NUTS3_Code="IE062"),
    # two beneficiaries: |-joined URIs, names and local identifiers, in the same order
    row(HEADER_14_20, IRELAND, SME_CATEGORY, TO03, PO1, ERDF, BMW_OP, IE_NUTS_EAST, P14,
        same_name("Midlands agri-food innovation partnership"),
        same_summary("Two companies share a pilot plant for new dairy-based food products."),
        where("53.2739,-7.4889"),
        Operation_Unique_Identifier=E + "Q900000106",
        Operation_Local_Identifier="BMW/ERDF/OY/2019/002",
        Operation_Start_Date="01/02/2019", Operation_End_Date="31/01/2022",
        Cofinancing_Rate="50.00",
        Total_Eligible_Expenditure_amount="640000.00", Project_EU_Budget="320000.00",
        Beneficiary_Unique_Identifier=E + "Q900000116|" + E + "Q900000117",
        Beneficiary_Name="Midland Agri-Tech Cluster CLG|Tullamore Food Innovation Ltd",
        Beneficiary_Local_Identifier="IE-CRO-600116|IE-CRO-600117",
        LAU_Labels="Tullamore", NUTS3_Label="Midland", NUTS3_Code="IE063"),
]

# --- 2. IE-pp21-27-20260924.csv ------------------------------------------------------------

IE_21_27 = [
    row(HEADER_21_27, Q7361509),
    # Just Transition Fund, an image, an InfoRegio id and URL
    row(HEADER_21_27, IRELAND, JTF, IE_NUTS_EAST, P21,
        same_name("Peatlands community energy retrofit, Offaly"),
        same_summary("Deep energy retrofits of community buildings in former peat-harvesting "
                     "areas of County Offaly."),
        Operation_Unique_Identifier=E + "Q900000201",
        Operation_Local_Identifier="JTF-1.1-OFF-0007",
        Operation_Start_Date="01/06/2023", Operation_End_Date="31/12/2026",
        Cofinancing_Rate="70.00",
        Total_Eligible_Expenditure_amount="2400000.00", Project_EU_Budget="1680000.00",
        Beneficiary_Unique_Identifier=E + "Q900000211",
        Beneficiary_Name="Offaly Community Energy CLG",
        Beneficiary_Local_Identifier="IE-CRO-600211",
        Category_Of_Intervention="045",
        Category_Label="Energy efficiency renovation or energy efficiency measures regarding "
                       "public infrastructure, demonstration projects and supporting measures "
                       "compliant with energy efficiency criteria",
        Policy_Objective_ID="PO6", Policy_Objective_Label="Just transition",
        Specific_Objective_ID="JSO8.1",
        Specific_Objective_Label="Enabling regions and people to address the social, "
                                 "employment, economic and environmental impacts of the "
                                 "transition towards the Union's 2030 targets for energy and "
                                 "climate and a climate-neutral economy of the Union by 2050",
        Programme_Code="2021IE16JTPR001",
        Programme_Name="EU Just Transition Fund Programme 2021-2027",
        ManagingAuthority="Eastern and Midland Regional Assembly",
        Location_Indicator_latitude_longitude="53.2739,-7.4889",
        LAU_Labels="Tullamore", NUTS3_Label="Midland", NUTS3_Code="IE063",
        Image_URL="https://example.org/kohesio-fixture/offaly-retrofit.jpg",
        InfoRegio_ID="10001",
        InfoRegio_URL="https://ec.europa.eu/regional_policy/en/projects/Ireland/"
                      "peatlands-community-energy-retrofit-offaly",
        CountryCode="IE"),
    # European Social Fund Plus
    row(HEADER_21_27, IRELAND, ESF_PLUS, PO4, IE_NUTS_SOUTH, P21,
        same_name("Pathways to employment for young people, South-East"),
        same_summary("Guidance, work placements and training for young jobseekers in "
                     "Waterford and Wexford."),
        Operation_Unique_Identifier=E + "Q900000202",
        Operation_Local_Identifier="EISE-4.1-SE-0012",
        Operation_Start_Date="01/09/2023", Operation_End_Date="31/08/2026",
        Cofinancing_Rate="65.00",
        Total_Eligible_Expenditure_amount="800000.00", Project_EU_Budget="520000.00",
        Beneficiary_Unique_Identifier=E + "Q900000212",
        Beneficiary_Name="South-East Youth Employment Partnership CLG",
        Beneficiary_Local_Identifier="IE-CRO-600212",
        Category_Of_Intervention="136",
        Category_Label="Specific support for youth employment and socio-economic integration "
                       "of young people",
        Specific_Objective_ID="ESO4.1",
        Specific_Objective_Label="Improving access to employment and activation measures for "
                                 "all jobseekers",
        Programme_Code="2021IE05SFPR001",
        Programme_Name="Employment, Inclusion, Skills and Education Programme 2021-2027",
        ManagingAuthority="Department of Further and Higher Education, Research, Innovation "
                          "and Science",
        Location_Indicator_latitude_longitude="52.2593,-7.1101",
        NUTS3_Label="South-East", NUTS3_Code="IE052",
        Image_URL="https://example.org/kohesio-fixture/south-east-pathways.jpg",
        CountryCode="IE"),
    # Interreg-like (PEACE PLUS): two countries, CountryCode IE|GB, two coordinates
    row(HEADER_21_27, ERDF, PO5, P21,
        same_name("Shared heritage trails of the border counties"),
        same_summary("Walking trails and heritage interpretation shared by communities on both "
                     "sides of the border."),
        Operation_Unique_Identifier=E + "Q900000203",
        Operation_Local_Identifier="PEACEPLUS-2.3-0042",
        Country="Ireland|United Kingdom",
        Operation_Start_Date="01/04/2024", Operation_End_Date="31/03/2028",
        Cofinancing_Rate="80.00",
        Total_Eligible_Expenditure_amount="1500000.00", Project_EU_Budget="1200000.00",
        Beneficiary_Unique_Identifier=E + "Q900000213",
        Beneficiary_Name="Border Counties Heritage Network",
        Beneficiary_Local_Identifier="PP-LP-0213",
        Category_Of_Intervention="166",
        Category_Label="Protection, development and promotion of cultural heritage and "
                       "cultural services",
        Specific_Objective_ID="RSO5.2",
        Specific_Objective_Label="Fostering the integrated and inclusive social, economic and "
                                 "environmental local development, culture, natural heritage, "
                                 "sustainable tourism and security in areas other than urban "
                                 "areas",
        Programme_Code="2021TC16FFIR001",
        Programme_Name="PEACE PLUS Programme 2021-2027",
        ManagingAuthority="Special EU Programmes Body",
        Location_Indicator_latitude_longitude="54.2492,-6.9683|54.3503,-6.6528",
        NUTS3_Label="Border Region", NUTS3_Code="IE041",
        CountryCode="IE|GB"),
]

# --- 3. PL-pp21-27-20260924.csv (beneficiary names real, from the TSV) ----------------------

PL_KRAKOW = {"NUTS1_Label": "Makroregion południowy", "NUTS2_Label": "Małopolskie",
             "NUTS3_Label": "Miasto Kraków", "NUTS1_Code": "PL2", "NUTS2_Code": "PL21",
             "NUTS3_Code": "PL213", "LAU_Labels": "Kraków"}
PL_WARSZAWA = {"NUTS1_Label": "Makroregion województwo mazowieckie",
               "NUTS2_Label": "Warszawski stołeczny", "NUTS3_Label": "Miasto Warszawa",
               "NUTS1_Code": "PL9", "NUTS2_Code": "PL91", "NUTS3_Code": "PL911",
               "LAU_Labels": "Warszawa"}
POLAND = {"Country": "Poland", "CountryCode": "PL"}

PL_21_27 = [
    # Cohesion Fund
    row(HEADER_21_27, POLAND, CF, PO2, PL_KRAKOW, P21,
        Operation_Unique_Identifier=E + "Q900000401",
        Operation_Local_Identifier="FENX.02.01-IW.01-0012/23",
        Operation_Name_English="Modernisation and extension of the water supply network in "
                               "Kraków",
        Operation_Name_Programme_Language="Modernizacja i rozbudowa sieci wodociągowej w "
                                          "Krakowie",
        Operation_Start_Date="01/03/2023", Operation_End_Date="31/12/2027",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="48500000.00", Project_EU_Budget="41225000.00",
        Beneficiary_Unique_Identifier=E + "Q900000501",
        Beneficiary_Name="MIEJSKIE PRZEDSIĘBIORSTWO WODOCIĄGÓW I KANALIZACJI W KRAKOWIE SPÓŁKA "
                         "AKCYJNA",
        Beneficiary_Local_Identifier="6750000361",
        Category_Of_Intervention="062",
        Category_Label="Provision of water for human consumption (extraction, treatment, "
                       "storage and distribution infrastructure, efficiency measures, drinking "
                       "water supply)",
        Specific_Objective_ID="RSO2.5",
        Specific_Objective_Label="Promoting access to water and sustainable water management",
        Programme_Code="2021PL16FFPR003",
        Programme_Name="Fundusze Europejskie na Infrastrukturę, Klimat, Środowisko 2021-2027",
        ManagingAuthority="Ministerstwo Funduszy i Polityki Regionalnej",
        Location_Indicator_latitude_longitude="50.0614,19.9366",
        Postal_Code="30-106",
        Operation_Summary_English="Replacement of 38 km of water mains and a new pumping "
                                  "station.",
        Operation_Summary_Programme_Language="Wymiana 38 km magistrali wodociągowych i nowa "
                                             "przepompownia."),
    # ERDF; the beneficiary's name is in English in the TSV
    row(HEADER_21_27, POLAND, ERDF, PO1, PL_KRAKOW, P21,
        Operation_Unique_Identifier=E + "Q900000402",
        Operation_Local_Identifier="FEMP.01.01-IP.01-0034/23",
        Operation_Name_English="Laboratory of materials for energy storage",
        Operation_Name_Programme_Language="Laboratorium materiałów do magazynowania energii",
        Operation_Start_Date="01/10/2023", Operation_End_Date="30/09/2026",
        Cofinancing_Rate="80.00",
        Total_Eligible_Expenditure_amount="5200000.00", Project_EU_Budget="4160000.00",
        Beneficiary_Unique_Identifier=E + "Q900000502",
        Beneficiary_Name="Jagiellonian University",
        Beneficiary_Local_Identifier="6750002236",
        Category_Of_Intervention="004",
        Category_Label="Investment in fixed assets, including research infrastructure, in "
                       "public research centres and higher education directly linked to "
                       "research and innovation activities",
        Specific_Objective_ID="RSO1.1",
        Specific_Objective_Label="Developing and enhancing research and innovation capacities "
                                 "and the uptake of advanced technologies",
        Programme_Code="2021PL16FFPR010",
        Programme_Name="Fundusze Europejskie dla Małopolski 2021-2027",
        ManagingAuthority="Zarząd Województwa Małopolskiego",
        Location_Indicator_latitude_longitude="50.0268,19.9045",
        Operation_Summary_English="Equipment for a laboratory studying new battery materials.",
        Operation_Summary_Programme_Language="Wyposażenie laboratorium badającego nowe "
                                             "materiały do baterii."),
    # European Social Fund Plus
    row(HEADER_21_27, POLAND, ESF_PLUS, PO4, PL_WARSZAWA, P21,
        Operation_Unique_Identifier=E + "Q900000403",
        Operation_Local_Identifier="FEMA.06.01-IP.02-0005/24",
        Operation_Name_English="Job activation for unemployed people in Warsaw",
        Operation_Name_Programme_Language="Aktywizacja zawodowa osób bezrobotnych w Warszawie",
        Operation_Start_Date="01/01/2024", Operation_End_Date="31/12/2025",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="3000000.00", Project_EU_Budget="2550000.00",
        Beneficiary_Unique_Identifier=E + "Q900000503",
        Beneficiary_Name="WOJEWÓDZKI URZĄD PRACY W WARSZAWIE",
        Beneficiary_Local_Identifier="5251007925",
        Category_Of_Intervention="134",
        Category_Label="Measures to improve access to employment",
        Specific_Objective_ID="ESO4.1",
        Specific_Objective_Label="Improving access to employment and activation measures for "
                                 "all jobseekers",
        Programme_Code="2021PL05SFPR001",
        Programme_Name="Fundusze Europejskie dla Mazowsza 2021-2027",
        ManagingAuthority="Zarząd Województwa Mazowieckiego",
        Location_Indicator_latitude_longitude="52.2297,21.0122",
        Operation_Summary_English="Counselling, training and internships for 600 unemployed "
                                  "people.",
        Operation_Summary_Programme_Language="Doradztwo, szkolenia i staże dla 600 osób "
                                             "bezrobotnych."),
]

# --- 3b. BG-pp21-27-20260924.csv (beneficiary names real, Cyrillic, as the TSV has them) ----

BG_BLAGOEVGRAD = {"NUTS1_Label": "Yugozapadna i Yuzhna tsentralna Bulgaria",
                  "NUTS2_Label": "Yugozapaden", "NUTS3_Label": "Blagoevgrad",
                  "NUTS1_Code": "BG4", "NUTS2_Code": "BG41", "NUTS3_Code": "BG413"}
BG_SOFIA = {"NUTS1_Label": "Yugozapadna i Yuzhna tsentralna Bulgaria",
            "NUTS2_Label": "Yugozapaden", "NUTS3_Label": "Sofia (stolitsa)",
            "NUTS1_Code": "BG4", "NUTS2_Code": "BG41", "NUTS3_Code": "BG411"}
BULGARIA = {"Country": "Bulgaria", "CountryCode": "BG"}

BG_21_27 = [
    # Cohesion Fund; beneficiary "Община Петрич" (TSV transliteration "Obshtina Petrich")
    row(HEADER_21_27, BULGARIA, CF, PO2, BG_BLAGOEVGRAD, P21,
        Operation_Unique_Identifier=E + "Q900000601",
        Operation_Local_Identifier="BG16FFPR002-2.001-0017",
        Operation_Name_English="Reconstruction of the water supply network of the town of "
                               "Petrich",
        Operation_Name_Programme_Language="Реконструкция на водопроводната мрежа на гр. Петрич",
        Operation_Start_Date="15/05/2024", Operation_End_Date="14/05/2027",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="9400000.00", Project_EU_Budget="7990000.00",
        Beneficiary_Unique_Identifier=E + "Q900000701",
        Beneficiary_Name="Община Петрич",
        Beneficiary_Local_Identifier="000024720",
        Category_Of_Intervention="062",
        Category_Label="Provision of water for human consumption (extraction, treatment, "
                       "storage and distribution infrastructure, efficiency measures, drinking "
                       "water supply)",
        Specific_Objective_ID="RSO2.5",
        Specific_Objective_Label="Promoting access to water and sustainable water management",
        Programme_Code="2021BG16FFPR002",
        Programme_Name="Програма „Околна среда“ 2021-2027",
        ManagingAuthority="Министерство на околната среда и водите",
        Location_Indicator_latitude_longitude="41.3980,23.2070",
        LAU_Labels="Петрич",
        Operation_Summary_English="Replacement of 21 km of old asbestos-cement water pipes.",
        Operation_Summary_Programme_Language="Подмяна на 21 км стари етернитови водопроводи."),
    # ERDF, technical assistance; beneficiary name with embedded quotes
    row(HEADER_21_27, BULGARIA, ERDF, BG_SOFIA, P21,
        Operation_Unique_Identifier=E + "Q900000602",
        Operation_Local_Identifier="BG16FFPR001-1.001-0003",
        Operation_Name_English="Strengthening the administrative capacity to audit EU funds",
        Operation_Name_Programme_Language="Укрепване на административния капацитет за одит на "
                                          "средствата от ЕС",
        Operation_Start_Date="01/02/2023", Operation_End_Date="31/12/2029",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="3500000.00", Project_EU_Budget="2975000.00",
        Beneficiary_Unique_Identifier=E + "Q900000702",
        Beneficiary_Name='ИЗПЪЛНИТЕЛНА АГЕНЦИЯ "ОДИТ НА СРЕДСТВАТА ОТ ЕВРОПЕЙСКИЯ СЪЮЗ"',
        Beneficiary_Local_Identifier="131063188",
        Category_Of_Intervention="180",
        Category_Label="Preparation, implementation, monitoring and control",
        Policy_Objective_ID="TA", Policy_Objective_Label="Technical assistance",
        Programme_Code="2021BG16FFPR001",
        Programme_Name="Програма „Техническа помощ“ 2021-2027",
        ManagingAuthority="Министерски съвет, дирекция „Централно координационно звено“",
        Location_Indicator_latitude_longitude="42.6977,23.3219",
        Operation_Summary_English="Training and IT tools for the auditors of EU funds.",
        Operation_Summary_Programme_Language="Обучения и ИТ инструменти за одиторите на "
                                             "средствата от ЕС."),
    # ERDF, an SME (TSV transliteration "KABRON I PEKENЬO OOD")
    row(HEADER_21_27, BULGARIA, ERDF, PO1, BG_BLAGOEVGRAD, P21,
        Operation_Unique_Identifier=E + "Q900000603",
        Operation_Local_Identifier="BG16RFPR001-1.002-0415",
        Operation_Name_English="Introduction of an innovative production technology",
        Operation_Name_Programme_Language="Внедряване на иновативна технология за производство",
        Operation_Start_Date="01/07/2024", Operation_End_Date="30/06/2026",
        Cofinancing_Rate="68.00",
        Total_Eligible_Expenditure_amount="150000.00", Project_EU_Budget="102000.00",
        Beneficiary_Unique_Identifier=E + "Q900000703",
        Beneficiary_Name="КАБРОН И ПЕКЕНЬО ООД",
        Beneficiary_Local_Identifier="206017234",
        Category_Of_Intervention="021",
        Category_Label="Business development and internationalisation of SMEs, including "
                       "productive investments",
        Specific_Objective_ID="RSO1.3",
        Specific_Objective_Label="Enhancing sustainable growth and competitiveness of SMEs and "
                                 "job creation in SMEs, including by productive investments",
        Programme_Code="2021BG16RFPR001",
        Programme_Name="Програма „Конкурентоспособност и иновации в предприятията“ 2021-2027",
        ManagingAuthority="Министерство на иновациите и растежа",
        Location_Indicator_latitude_longitude="42.0209,23.0943",
        Operation_Summary_English="A new production line for the company's workshop.",
        Operation_Summary_Programme_Language="Нова производствена линия за цеха на "
                                             "дружеството."),
]

# --- 3c. BG-pp14-20-20260924.csv: two Interreg V-A Romania-Bulgaria operations -----------
# Made up in the Kohesio layout, after two real keep.eu projects of the real export
# keep/keep_closed_1420.xlsx (title, dates and amounts copied from there, to test the link
# between a Kohesio operation and its keep.eu project): ARCH 3D, led by Balchik Municipality,
# which Kohesio would name in Bulgarian ("Община Балчик", made up); and EasyGuide, led by
# Silistra Municipality, written here three years later than keep.eu has it, so that the two
# must NOT be linked. Programme code and managing authority are plausible, made up.

BG_DOBRICH = {"NUTS1_Label": "Severna i Yugoiztochna Bulgaria", "NUTS2_Label": "Severoiztochen",
              "NUTS3_Label": "Dobrich", "NUTS1_Code": "BG3", "NUTS2_Code": "BG33",
              "NUTS3_Code": "BG332"}
RO_BG = {"Programme_Code": "2014TC16RFCB049",
         "Programme_Name": "Interreg V-A Romania-Bulgaria",
         "ManagingAuthority": "Ministry of Regional Development and Public Administration "
                              "(Romania)",
         "Programming_Period": "2014-2020",
         "Category_Of_Intervention": "094",
         "Category_Label": "Protection, development and promotion of public cultural and "
                           "heritage assets",
         "Thematic_Objective_ID": "TO06",
         "Thematic_Objective_Label": "Preserving and protecting the environment and promoting "
                                     "resource efficiency"}

BG_14_20 = [
    row(HEADER_14_20, {"Country": "Bulgaria|Romania"}, ERDF, RO_BG, BG_DOBRICH,
        where("43.4073,28.1603"),
        Operation_Unique_Identifier=E + "Q900000801",
        Operation_Local_Identifier="ROBG-16",
        Operation_Name_English="Advertising of Regional Cultural Heritage in 3D",
        Operation_Name_Programme_Language="Рекламиране на регионалното културно наследство в "
                                          "3D",
        Operation_Start_Date="03/02/2016", Operation_End_Date="02/08/2018",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="1221239.48", Project_EU_Budget="1038053.56",
        Beneficiary_Unique_Identifier=E + "Q900000704",
        Beneficiary_Name="Община Балчик",
        LAU_Labels="Балчик",
        Operation_Summary_English="3D models and a web platform for the cultural heritage of "
                                  "the cross-border region.",
        Operation_Summary_Programme_Language="3D модели и уеб платформа за културното "
                                             "наследство на трансграничния регион."),
    row(HEADER_14_20, {"Country": "Bulgaria|Romania"}, ERDF, RO_BG, BG_DOBRICH,
        where("44.1171,27.2606"),
        Operation_Unique_Identifier=E + "Q900000802",
        Operation_Local_Identifier="ROBG-99",
        Operation_Name_English="Interactive mobile application for promoting the historical "
                               "and cultural heritage in the region of Calarasi and Silistra",
        Operation_Name_Programme_Language="Интерактивно мобилно приложение за популяризиране "
                                          "на историческото и културното наследство",
        Operation_Start_Date="27/06/2020", Operation_End_Date="26/03/2022",
        Cofinancing_Rate="85.00",
        Total_Eligible_Expenditure_amount="911777.36", Project_EU_Budget="775010.76",
        Beneficiary_Unique_Identifier=E + "Q900000705",
        Beneficiary_Name="Община Силистра",
        Operation_Summary_English="A mobile guide to the heritage of Calarasi and Silistra.",
        Operation_Summary_Programme_Language="Мобилен пътеводител."),
]

# --- 4. latest_IE-old-layout.csv (older 33-column layout, ISO dates) ------------------------


def old_layout(operation: dict[str, str], **values: str) -> list[str]:
    """The real operation in the older layout: ISO dates, Region for the NUTS3 label(s)."""
    kept = {k: v for k, v in operation.items() if k in HEADER_OLD}
    day, month, year = operation["Operation_Start_Date"].split("/")
    kept["Operation_Start_Date"] = f"{year}-{month}-{day}"
    day, month, year = operation["Operation_End_Date"].split("/")
    kept["Operation_End_Date"] = f"{year}-{month}-{day}"
    kept["Region"] = operation["NUTS3_Label"]
    return row(HEADER_OLD, kept, **values)


IE_OLD = [
    old_layout(Q232171),
    old_layout(Q232174),
    old_layout(Q7361509,
               Image_URL="https://example.org/kohesio-fixture/nwr-warmer-homes.jpg"),
]

# --- 5. IE-pp14-20-malformed.csv -----------------------------------------------------------

# A good made-up operation, varied one defect at a time below.
_GOOD = {
    **IRELAND, **SME_CATEGORY, **TO03, **PO1, **ERDF, **SE_OP, **P14,
    **same_name("Laser cutting line for sheet-metal enclosures"),
    **same_summary("A laser cutting line for a sheet-metal workshop."),
    **where("52.9808,-6.0446"),
    "Operation_Start_Date": "01/04/2019", "Operation_End_Date": "31/03/2021",
    "Cofinancing_Rate": "50.00",
    "Total_Eligible_Expenditure_amount": "24000.00", "Project_EU_Budget": "12000.00",
    "Beneficiary_Unique_Identifier": E + "Q900000115",
    "Beneficiary_Name": "Wicklow Precision Tooling Ltd",
    "Beneficiary_Local_Identifier": "IE-CRO-600115",
    "LAU_Labels": "Wicklow", "NUTS3_Label": "Mid-East Region, Ireland", "NUTS3_Code": "IE062",
}


def bad(number: int, name: str, **values: str) -> list[str]:
    """The good operation Q90000030<number>, named `name`, with `values` changed."""
    ids = {"Operation_Unique_Identifier": E + f"Q90000030{number}",
           "Operation_Local_Identifier": f"SE/LEO/WW/2019/30{number}"}
    return row(HEADER_14_20, _GOOD, ids, same_name(name), values)


_short = bad(2, "Short row: powder-coating booth")
del _short[HEADER_14_20.index("Postal_Code")]  # 39 fields: everything after it shifts left

MALFORMED = [
    # record 2: good (the real Q232171, as in IE-pp14-20-20260924.csv)
    row(HEADER_14_20, Q232171),
    # record 3: one field fewer (39)
    _short,
    # record 4: impossible date
    bad(3, "Impossible date: CNC router", Operation_Start_Date="31/02/2019"),
    # record 5: money that is not a number
    bad(4, "Bad money: welding robot", Project_EU_Budget="12 000 EUR"),
    # record 6: unknown fund code
    bad(5, "Unknown fund: press brake", Fund_Code="XYZ", Fund_Name="XYZ Fund"),
    # record 7: no operation id
    bad(6, "No id: laser engraver", Operation_Unique_Identifier=""),
    # record 8: no name at all (summary and everything else present)
    bad(7, "", Operation_Name_English="", Operation_Name_Programme_Language=""),
    # record 9: the same operation id again, an exact repeat of record 2
    row(HEADER_14_20, Q232171),
]

# --- 6. beneficiaries-20260924.csv ---------------------------------------------------------

# label per beneficiary URI: the name the project files carry (real ones: the excerpt's / TSV's)
# Website and WikidataID: only some. The SEAI and Jagiellonian University websites are their
# real public sites; every other website and every WikidataID is made up.
BENEFICIARY_EXTRA = {
    E + "Q7361474": ("https://www.seai.ie", "Q12345"),
    E + "Q900000111": ("https://www.example.org/harbour-quay-hub", ""),
    E + "Q900000502": ("https://www.uj.edu.pl", "Q23456"),
    E + "Q900000701": ("", "Q34567"),
}


def beneficiaries(files: list[tuple[list[str], list[list[str]]]]) -> list[list[str]]:
    """One row per beneficiary URI of the project files, in order of first appearance."""
    labels: dict[str, str] = {}
    for header, records in files:
        uri_at = header.index("Beneficiary_Unique_Identifier")
        name_at = header.index("Beneficiary_Name") if "Beneficiary_Name" in header else None
        for record in records:
            if len(record) != len(header):
                continue  # the short malformed row: its beneficiary is the good row's anyway
            uris = record[uri_at].split("|")
            names = record[name_at].split("|") if name_at is not None else [""] * len(uris)
            for uri, name in zip(uris, names, strict=True):
                if uri and (uri not in labels or not labels[uri]):
                    labels[uri] = name
    rows = []
    for uri, label in labels.items():
        website, wikidata = BENEFICIARY_EXTRA.get(uri, ("", ""))
        rows.append([uri, label, website, wikidata])
    assert all(label for _, label, _, _ in rows), "a beneficiary without a label"
    return rows


# --- 7. nuts-20260924.csv ------------------------------------------------------------------

# NUTS 2021 codes and names as the GISCO files (shared geo/nutsrg_*.json, `na`) have them.
# The linkedopendata URIs are made up (Q90001xxxx).
NUTS1 = {"IE0": ("Q900010001", "Ireland"),
         "PL2": ("Q900010002", "Makroregion południowy"),
         "PL9": ("Q900010003", "Makroregion województwo mazowieckie"),
         "BG4": ("Q900010004", "Yugozapadna i Yuzhna tsentralna Bulgaria"),
         "BG3": ("Q900010005", "Severna i Yugoiztochna Bulgaria")}
NUTS2 = {"IE04": ("Q900010101", "Northern and Western"),
         "IE05": ("Q900010102", "Southern"),
         "IE06": ("Q900010103", "Eastern and Midland"),
         "PL21": ("Q900010104", "Małopolskie"),
         "PL91": ("Q900010105", "Warszawski stołeczny"),
         "BG41": ("Q900010106", "Yugozapaden"),
         "BG33": ("Q900010107", "Severoiztochen")}
NUTS3 = {"IE041": ("Q900010201", "Border"),
         "IE042": ("Q900010202", "West"),
         "IE052": ("Q900010203", "South-East"),
         "IE061": ("Q900010204", "Dublin"),
         "IE062": ("Q900010205", "Mid-East"),
         "IE063": ("Q900010206", "Midland"),
         "PL213": ("Q900010207", "Miasto Kraków"),
         "PL911": ("Q900010208", "Miasto Warszawa"),
         "BG411": ("Q900010209", "Sofia (stolitsa)"),
         "BG413": ("Q900010210", "Blagoevgrad"),
         "BG332": ("Q900010211", "Dobrich")}


def nuts(files: list[tuple[list[str], list[list[str]]]]) -> list[list[str]]:
    """One row per NUTS3 code of the project files, sorted by code."""
    used: set[str] = set()
    for header, records in files:
        at = header.index("NUTS3_Code")
        used.update(code for record in records if len(record) == len(header)
                    for code in record[at].split("|") if code)
    assert used == set(NUTS3), f"NUTS3 table and files differ: {sorted(used ^ set(NUTS3))}"
    rows = []
    for code in sorted(used):
        q3, label3 = NUTS3[code]
        q2, label2 = NUTS2[code[:4]]
        q1, label1 = NUTS1[code[:3]]
        rows.append([E + q3, label3, code, E + q2, label2, code[:4], E + q1, label1, code[:3]])
    return rows


# --- 8. not-kohesio.csv: a CORDIS-like semicolon file, to be refused whole ------------------
# The three CORDIS projects of tests/data/cordis (grant number, acronym, title).
NOT_KOHESIO = [
    ["101090290", "LANAFUSEHA", "Laser induced nanojet functionalization of two-dimensional "
                                "materials for sensing and energy harvesting applications"],
    ["101092984", "OpenCUBE", "Open-Source Cloud-Based Services on EPI Systems"],
    ["101160314", "TWIN-RELECT", "Twinning for Excellence in Reliable Electronics"],
]

# --- writing -------------------------------------------------------------------------------


def write(name: str, header: list[str], records: list[list[str]], delimiter: str = ",") -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL,
                            lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(records)


def main() -> None:
    assert len(HEADER_14_20) == 40 and len(HEADER_21_27) == 44 and len(HEADER_OLD) == 33
    project_files = [
        ("IE-pp14-20-20260924.csv", HEADER_14_20, IE_14_20),
        ("IE-pp21-27-20260924.csv", HEADER_21_27, IE_21_27),
        ("PL-pp21-27-20260924.csv", HEADER_21_27, PL_21_27),
        ("BG-pp21-27-20260924.csv", HEADER_21_27, BG_21_27),
        ("BG-pp14-20-20260924.csv", HEADER_14_20, BG_14_20),
        ("latest_IE-old-layout.csv", HEADER_OLD, IE_OLD),
        ("IE-pp14-20-malformed.csv", HEADER_14_20, MALFORMED),
    ]
    for name, header, records in project_files:
        write(name, header, records)
    looked_up = [(header, records) for _, header, records in project_files]
    write("beneficiaries-20260924.csv", HEADER_BENEFICIARIES, beneficiaries(looked_up))
    write("nuts-20260924.csv", HEADER_NUTS, nuts(looked_up))
    write("not-kohesio.csv", ["id", "acronym", "title"], NOT_KOHESIO, delimiter=";")


if __name__ == "__main__":
    main()
