"""Write keep_current_export.xlsx, a HAND-MADE fixture in keep.eu's current XLSX export layout.

No real file of this layout was available. The sheet names and header texts follow the
documented lists in shared/data/PROVENANCE.md section 4 ("Current XLSX export column names").
All projects, organisations and values below are made up; see README.md in this folder.

The script is deterministic: fixed cell values, fixed workbook properties (created/modified)
and fixed zip member timestamps, so re-running it gives a byte-identical file with the same
openpyxl/zlib versions.

Run:  .venv/bin/python tests/data/keep/make_current_export.py
"""

import datetime
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

OUT = Path(__file__).with_name("keep_current_export.xlsx")
FIXED_DT = datetime.datetime(2025, 1, 15, 12, 0, 0)
ZIP_DT = (2025, 1, 15, 12, 0, 0)
NA = "N.a."

PROGRAMME_WEBSITE = "https://example.org/interreg-programme"

P_CB = "2021 - 2027 Interreg Example Cross-border Programme"
P_MAR = "2014 - 2020 Interreg Example Maritime Programme"
P_TN = "2014 - 2020 Interreg Example Transnational Programme"

PROJECT_HEADERS = [
    "Period",
    "Programme",
    "Project ID (2021-2027 only)",
    "Project acronym",
    "Project name in English",
    "Project name in language 2",
    "Project name in language 3",
    "Project name in language 4",
    "Description in English",
    "Description in language 2",
    "Expected Achievements in English",
    "Actual Achievements in English",
    "Project start",
    "Project end",
    "Project's total budget / expenditure",
    "Project's EU funding",
    "Union co-financing rate",
    "Website",
    "Theme 1",
    "Theme 2",
    "Theme 3",
    "Call serial number",
]

PARTNER_HEADERS = [
    "Programme",
    "Project ID (2021-2027 only)",
    "Project acronym",
    "Organisation in English",
    "Organisation in language 2",
    "Organisation in language 3",
    "Organisation in language 4",
    "Lead partner",
    "Country code",
    "Participant Identification Code",
    "Partner\u2019s ID if not PIC",  # curly apostrophe, as documented
    "Type of Organisation",
    "NUTS2 code (or equivalent)",
    "NUTS3 code (or equivalent)",
    "Town",
    "Website",
    "Partner's programme co-financing (EUR) (2021-2027 only)",
    "ERDF contribution (2014-2020 only)",
    "Partner's total eligible budget / expenditure",
]

# One tuple per project, in PROJECT_HEADERS order.
PROJECTS = [
    # 1. 2021-2027: Project ID set, real Excel date cells, money as numbers, shared programme website.
    (
        "2021-2027", P_CB, "EXCB-00456", "SolarRoofs",
        "Solar roofs on public buildings along the border",
        "Solardächer auf öffentlichen Gebäuden entlang der Grenze",
        "Toits solaires sur les bâtiments publics le long de la frontière",
        NA,
        "Towns on both sides of the border fit solar panels on schools and town halls.\n"
        "A shared procurement model lowers the cost for the smaller towns.",
        "Städte beiderseits der Grenze statten Schulen und Rathäuser mit Solaranlagen aus.",
        "About 40 public roofs equipped and a joint procurement guide published.",
        NA,
        datetime.datetime(2023, 4, 1), datetime.datetime(2026, 3, 31),
        2500000.0, 2000000.0, "80%",
        PROGRAMME_WEBSITE,
        "Renewable energy", "Energy efficiency", NA,
        "1",
    ),
    # 2. 2021-2027, same programme: numeric acronym cell, money as text with thousands commas,
    #    dates as text, same programme website as project 1.
    (
        "2021-2027", P_CB, "EXCB-00789", 2048,
        "Cross-border health data exchange pilot",
        "Pilote d'échange transfrontalier de données de santé",
        NA, NA,
        "Two hospitals test a secure way to exchange patient summaries across the border.",
        "Deux hôpitaux testent un échange sécurisé de résumés de patients par-delà la frontière.",
        "A working exchange between the two hospitals and an agreed data format.",
        NA,
        "2024/02/01", "2026/12/31",
        "1,234,567.89", "987,654.31", "80%",
        PROGRAMME_WEBSITE,
        "Health and social services", NA, NA,
        "2",
    ),
    # 3. 2014-2020: ERDF contribution on partner rows, dates as text YYYY/MM/DD,
    #    total budget as text and EU funding as a number, project's own website, Greek partner (EL).
    (
        "2014-2020", P_MAR, NA, "COAST",
        "Coastal erosion early warning for small islands",
        "Έγκαιρη προειδοποίηση για τη διάβρωση ακτών σε μικρά νησιά",
        "Allerta precoce per l'erosione costiera nelle piccole isole",
        NA,
        "Partners installed low-cost sensors on exposed beaches and shared the readings in one map.",
        "Οι εταίροι εγκατέστησαν αισθητήρες χαμηλού κόστους σε εκτεθειμένες παραλίες.",
        "A sensor network on six beaches and a public warning map.",
        "Sensors were installed on five beaches; the warning map went online in 2019.",
        "2016/09/01", "2019/06/30",
        "892,228.58", 758394.29, "85%",
        "https://example.org/projects/coast",
        "Natural disasters and risk management", "Climate change and biodiversity", "Coastal management and maritime issues",
        "3",
    ),
    # 4. 2014-2020, other programme, SAME acronym "COAST" as project 3 (join must use Programme too);
    #    many N.a. cells: no EU funding, no rate, no website, no translations.
    (
        "2014-2020", P_TN, NA, "COAST",
        "Cooperation on active sports tourism",
        NA, NA, NA,
        "Inland regions developed joint cycling and hiking routes and marketed them together.",
        NA,
        "Three cross-border routes with common signposting.",
        NA,
        "2018/01/01", "2020/12/31",
        600000, NA, NA,
        NA,
        "Tourism and culture", NA, NA,
        NA,
    ),
]

# One tuple per partner row, in PARTNER_HEADERS order.
PARTNERS = [
    # Project 1 (SolarRoofs): PIC values, co-financing as numbers and as text.
    (P_CB, "EXCB-00456", "SolarRoofs", "Example City of Musterstadt", "Beispielstadt Musterstadt", NA, NA,
     "Yes", "DE", "999999911", NA, "Local public authority", "DE21", "DE212", "Musterstadt",
     "https://example.org/musterstadt", 1200000.0, NA, 1500000.0),
    (P_CB, "EXCB-00456", "SolarRoofs", "Example Energy Agency of Exempleville", "Agence de l'énergie d'Exempleville", NA, NA,
     "No", "FR", "999999912", NA, "Sectoral agency", "FR10", "FR101", "Exempleville",
     NA, 600000.0, NA, 750000.0),
    (P_CB, "EXCB-00456", "SolarRoofs", "Example Citizens' Solar Cooperative", NA, NA, NA,
     "No", "DE", NA, "DE-EX-0099", "Interest groups including NGOs", "DE21", "DE21H", "Musterstadt",
     NA, "200,000.00", NA, "250,000.00"),
    # Project 2 (2048, numeric acronym cell).
    (P_CB, "EXCB-00789", 2048, "Example University Hospital of Exempleville", "Centre hospitalier universitaire d'Exempleville", NA, NA,
     "Yes", "FR", "999999913", NA, "Higher education and research organisations", "FR10", "FR101", "Exempleville",
     "https://example.org/chu-exempleville", "587,654.31", NA, "734,567.89"),
    (P_CB, "EXCB-00789", 2048, "Example District Hospital Musterkreis", "Kreisklinik Musterkreis (Beispiel)", NA, NA,
     "No", "DE", "999999914", NA, "Infrastructure and (public) service provider", "DE21", "DE21H", "Musterkreis",
     NA, 400000.0, NA, 500000.0),
    # Project 3 (COAST, maritime 2014-2020): ERDF contribution as numbers and text, Greece as EL.
    (P_MAR, NA, "COAST", "Example Municipality of Thalassa", "Δήμος Θάλασσας (παράδειγμα)", NA, NA,
     "Yes", "EL", NA, NA, "Local public authority", "EL43", "EL434", "Thalassa",
     "https://example.org/thalassa", NA, 425000.0, 500000.0),
    (P_MAR, NA, "COAST", "Example University of Porto Esempio", "Università di Porto Esempio (esempio)", NA, NA,
     "No", "IT", NA, NA, "Higher education and research organisations", "ITF4", "ITF47", "Porto Esempio",
     NA, NA, "212,500.00", "250,000.00"),
    (P_MAR, NA, "COAST", "Example Fishers' Cooperative of Thalassa", NA, NA, NA,
     "No", "EL", NA, NA, "Interest groups including NGOs", "EL43", "EL434", "Thalassa",
     NA, NA, 120894.29, 142228.58),
    # Project 4 (COAST, transnational 2014-2020): mostly N.a.
    (P_TN, NA, "COAST", "Example District of Musterkreis", "Landkreis Musterkreis (Beispiel)", NA, NA,
     "Yes", "DE", NA, NA, "Regional public authority", "DE21", "DE21H", "Musterkreis",
     NA, NA, NA, 350000.0),
    (P_TN, NA, "COAST", "Example Tourist Board of Exempleville", NA, NA, NA,
     "No", "FR", NA, NA, NA, "FR10", "FR105", "Exempleville",
     NA, NA, NA, NA),
]

SEARCH_CRITERIA = [
    ("Search criteria", "Value"),
    ("Period", "2014-2020, 2021-2027"),
    ("Programme", "Example programmes (hand-made fixture)"),
    ("Export date", "2025/01/15"),
]


def build():
    wb = Workbook()
    ws = wb.active
    ws.title = "Search criteria"
    for row in SEARCH_CRITERIA:
        ws.append(list(row))

    ws = wb.create_sheet("Search results, projects")
    ws.append(PROJECT_HEADERS)
    for row in PROJECTS:
        assert len(row) == len(PROJECT_HEADERS), row[3]
        ws.append(list(row))
    for cell_row in ws.iter_rows(min_row=2):
        for cell in cell_row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy/mm/dd"

    ws = wb.create_sheet("Search results, partners")
    ws.append(PARTNER_HEADERS)
    for row in PARTNERS:
        assert len(row) == len(PARTNER_HEADERS), row[3]
        ws.append(list(row))

    props = wb.properties
    props.creator = "euprojects hand-made fixture"
    props.lastModifiedBy = "euprojects hand-made fixture"
    props.title = "keep.eu current export layout (hand-made fixture)"
    props.created = FIXED_DT
    props.modified = FIXED_DT
    return wb


def save_deterministic(wb, path):
    # openpyxl's save_workbook() overwrites properties.modified with "now", so use ExcelWriter
    # directly, then re-pack the zip with fixed member timestamps.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=ZIP_DT)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            dst.writestr(new, src.read(info.filename))


if __name__ == "__main__":
    save_deterministic(build(), OUT)
    print(f"wrote {OUT}")
