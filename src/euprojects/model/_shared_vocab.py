"""One vocabulary across sources, where they mean the same thing (docs/data-model.md).

Each source keeps its own programme and theme words; these functions add, for every project,
two shared facets computed from them:

- ``framework_of``: the EU funding programme ("Interreg", "Horizon Europe", "Creative Europe",
  ...), whatever the source calls its programmes (keep.eu names each Interreg programme, CORDIS
  gives a code such as ``HORIZON``);
- ``topics_of``: broad topics (keys of ``TOPICS``), each from tables read and placed by hand:
  keep.eu's themes; CORDIS's programme part (legal basis), call and euroSciVoc fields of
  science, the deepest level of a field's path that the table names deciding; the EAC
  programme; Kohesio's specific, thematic or policy objective. What no table places gives no
  topic rather than a guess (docs/search.md, "Topics", has the counts and a check by hand).

Each source's own themes stay in facets of their own (``KEEP_THEMES`` lists keep.eu's, which
the interface translates).

Periods and countries need no mapping: every importer gives the programming period as
``YYYY-YYYY`` and countries as ISO 3166 alpha-2 (EL -> GR, UK -> GB).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._records import Project
from ._vocab import fold

__all__ = ["TOPICS", "KEEP_THEMES", "framework_of", "frameworks_of", "topics_of",
           "CATEGORY_FACT", "THEMATIC_OBJECTIVE_FACT", "POLICY_OBJECTIVE_FACT"]

def _(message: str) -> str:
    """Marks a label for extraction (the interface translates it where it is shown)."""
    return message


# Shared topics: key -> English label (translated where shown).
TOPICS = {
    "energy": _("Energy"),
    "environment": _("Climate, environment and biodiversity"),
    "water": _("Water, seas and coasts"),
    "transport": _("Transport and mobility"),
    "digital": _("Digital and ICT"),
    "health": _("Health and social care"),
    "education": _("Education, training and skills"),
    "inclusion": _("Employment and social inclusion"),
    "culture": _("Culture, heritage and tourism"),
    "business": _("Business and SMEs"),
    "research": _("Research and innovation"),
    "food": _("Agriculture, food, forestry and fisheries"),
    "risk": _("Risks, safety and security"),
    "territory": _("Cities, regions and rural areas"),
    "governance": _("Governance and cooperation"),
}

# The facts of a Kohesio operation (labels in Project.extra) that the shared vocabulary and the
# facets read: the importer writes them under these names.
CATEGORY_FACT = _("Category of intervention")
THEMATIC_OBJECTIVE_FACT = _("Thematic objective")
POLICY_OBJECTIVE_FACT = _("Policy objective")

# Kohesio's objectives (docs/data-model.md): the thematic objectives of 2014-2020 (Regulation
# (EU) No 1303/2013, Article 9) and the policy objectives of 2021-2027 (Regulation (EU)
# 2021/1060, Article 5), by number, as the facts of these two names.
_OBJECTIVES: dict[str, dict[int, tuple[str, ...]]] = {
    THEMATIC_OBJECTIVE_FACT: {
        1: ("research",),  # research, technological development and innovation
        2: ("digital",),  # information and communication technologies
        3: ("business",),  # competitiveness of SMEs
        4: ("energy",),  # low-carbon economy
        5: ("environment", "risk"),  # climate change adaptation, risk prevention
        6: ("environment",),  # environment and resource efficiency
        7: ("transport",),  # sustainable transport, network infrastructure
        8: ("inclusion",),  # employment and labour mobility
        9: ("inclusion",),  # social inclusion, poverty, discrimination
        10: ("education",),  # education, training, lifelong learning
        11: ("governance",),  # institutional capacity, efficient public administration
    },
    POLICY_OBJECTIVE_FACT: {
        1: ("research", "business", "digital"),  # a more competitive and smarter Europe
        2: ("energy", "environment"),  # a greener, low-carbon Europe
        3: ("transport", "digital"),  # a more connected Europe
        4: ("inclusion", "education", "health"),  # a more social and inclusive Europe
        5: ("territory",),  # a Europe closer to citizens
    },
}

# keep.eu's themes: the English labels keep.eu gives (the 42 of its 2014-2020 export, the
# spelling "Clusters and economic cooperation" of its API and the themes of its current export),
# each placed by reading it. They are the values of the ``theme`` facet, shown translated.
KEEP_THEMES: dict[str, tuple[str, ...]] = {
    _("Agriculture and fisheries and forestry"): ("food",),
    _("Climate change and biodiversity"): ("environment",),
    _("Clustering and economic cooperation"): ("business",),
    _("Clusters and economic cooperation"): ("business",),
    _("Coastal management and maritime issues"): ("water",),
    _("Community integration and common identity"): ("inclusion",),
    _("Construction and renovation"): ("territory",),
    _("Cooperation between emergency services"): ("risk",),
    _("Cultural heritage and arts"): ("culture",),
    _("Demographic change and immigration"): ("inclusion",),
    _("Education and training"): ("education",),
    _("Energy efficiency"): ("energy",),
    _("Evaluation systems and results"): ("governance",),
    _("Governance, partnership"): ("governance",),
    _("Green technologies"): ("environment",),
    _("Health and social services"): ("health",),
    _("ICT and digital society"): ("digital",),
    _("Improving transport connections"): ("transport",),
    _("Infrastructure"): (),  # says too little to be placed
    _("Innovation capacity and awareness-raising"): ("research",),
    _("Institutional cooperation and cooperation networks"): ("governance",),
    _("Knowledge and technology transfer"): ("research",),
    _("Labour market and employment"): ("inclusion",),
    _("Logistics and freight transport"): ("transport",),
    _("Managing natural and man-made threats, risk management"): ("risk",),
    _("Maritime transport"): ("transport", "water"),
    _("Multimodal transport"): ("transport",),
    _("Natural disasters and risk management"): ("risk",),
    _("New products and services"): ("research", "business"),
    _("Regional planning and development"): ("territory",),
    _("Renewable energy"): ("energy",),
    _("Rural and peripheral development"): ("territory",),
    _("SME and entrepreneurship"): ("business",),
    _("Safety"): ("risk",),
    _("Scientific cooperation"): ("research",),
    _("Social inclusion and equal opportunities"): ("inclusion",),
    _("Soil and air quality"): ("environment",),
    _("Sustainable management of natural resources"): ("environment",),
    _("Tourism"): ("culture",),
    _("Tourism and culture"): ("culture",),
    _("Traditional energy"): ("energy",),
    _("Transport and mobility"): ("transport",),
    _("Urban development"): ("territory",),
    _("Waste and pollution"): ("environment",),
    _("Water management"): ("water",),
    _("Waterways, lakes and rivers"): ("water",),
}
_KEEP_TOPICS = {fold(theme): topics for theme, topics in KEEP_THEMES.items()}

# CORDIS, what the programme funds. The legal basis is the part of the framework programme
# (HORIZON.2.5.9 Energy Storage, H2020-EU.3.3., FP7-ENERGY), its code matched with each of its
# parents (HORIZON.2.5.9 is in HORIZON.2.5). Pillar I (ERC, MSCA, research infrastructures),
# the widening actions and most industrial areas (materials, manufacturing, space) name no
# topic but research. A cluster of Horizon Europe gives a topic of its own only for health
# (2.1) and civil security (2.3), the two whose every project is of that topic, and only when
# the project names no other cluster: the missions and the New European Bauhaus name four to
# six clusters at once, and their call decides (_CALLS).
_PROGRAMME_PARTS: dict[str, tuple[str, ...]] = {
    "HORIZON.2.1": ("health",),
    "HORIZON.2.2.1": ("governance",),  # democracy and governance
    "HORIZON.2.2.2": ("culture",),  # cultural heritage
    "HORIZON.2.2.3": ("inclusion",),  # social and economic transformations
    "HORIZON.2.3": ("risk",),
    "HORIZON.2.3.3": ("risk", "digital"),  # cybersecurity
    "HORIZON.2.4.2": ("digital",),  # key digital technologies
    "HORIZON.2.4.5": ("digital",),  # artificial intelligence and robotics
    "HORIZON.2.4.6": ("digital",),  # next generation internet
    "HORIZON.2.4.7": ("digital",),  # advanced computing and big data
    "HORIZON.2.4.8": ("environment",),  # circular industries
    "HORIZON.2.4.9": ("environment",),  # low-carbon and clean industries
    "HORIZON.2.5.1": ("environment",),  # climate science and solutions
    "HORIZON.2.5.2": ("energy",),  # energy supply
    "HORIZON.2.5.3": ("energy",),  # energy systems and grids
    "HORIZON.2.5.4": ("energy",),  # buildings and industrial facilities in energy transition
    "HORIZON.2.5.5": ("territory", "energy"),  # communities and cities
    "HORIZON.2.5.6": ("transport",),  # industrial competitiveness in transport
    "HORIZON.2.5.7": ("transport",),  # clean, safe and accessible transport and mobility
    "HORIZON.2.5.8": ("transport",),  # smart mobility
    "HORIZON.2.5.9": ("energy",),  # energy storage
    "HORIZON.2.6.1": ("environment",),  # environmental observation
    "HORIZON.2.6.2": ("environment",),  # biodiversity and natural resources
    "HORIZON.2.6.3": ("food",),  # agriculture, forestry and rural areas
    "HORIZON.2.6.4": ("water",),  # seas, oceans and inland waters
    "HORIZON.2.6.5": ("food",),  # food systems
    "HORIZON.2.6.7": ("environment",),  # circular systems
    "HORIZON.3.1.2": ("business",),  # the EIC Accelerator: start-ups and SMEs
    "HORIZON.3.2": ("business",),  # European innovation ecosystems
    "EURATOM": ("energy",),
    # Horizon 2020
    "H2020-EU.2.1.1": ("digital",),  # ICT
    "H2020-EU.2.2": ("business",),  # access to risk finance
    "H2020-EU.2.3": ("business",),  # innovation in SMEs
    "H2020-EU.3.1": ("health",),
    "H2020-EU.3.2": ("food",),  # food security, agriculture, forestry, bioeconomy
    "H2020-EU.3.2.3": ("water", "food"),  # living aquatic resources
    "H2020-EU.3.2.4": (),  # bio-based industries
    "H2020-EU.3.2.5": ("water",),  # marine and maritime research
    "H2020-EU.3.3": ("energy",),
    "H2020-EU.3.4": ("transport",),
    "H2020-EU.3.5": ("environment",),  # climate action, environment, raw materials
    "H2020-EU.3.6": ("inclusion",),  # inclusive, innovative and reflective societies
    "H2020-EU.3.7": ("risk",),  # secure societies
    # FP7
    "FP7-HEALTH": ("health",),
    "FP7-KBBE": ("food",),  # food, agriculture and fisheries, biotechnology
    "FP7-ICT": ("digital",),
    "FP7-ENERGY": ("energy",),
    "FP7-ENVIRONMENT": ("environment",),
    "FP7-TRANSPORT": ("transport",),
    "FP7-SECURITY": ("risk",),
    "FP7-SME": ("business",),
    "FP7-REGIONS": ("territory",),
}
_CLUSTER = re.compile(r"^HORIZON\.2\.\d+$")

# CORDIS, the call the project answered (HORIZON-CL5-2021-D3-02-04: cluster 5, destination 3),
# its code without "HORIZON-" and the years, matched on its start. The thematic calls of
# Horizon Europe name a destination, a mission or a partnership; the open calls (ERC, MSCA,
# EIC Pathfinder, widening, research infrastructures, space) are not here.
_CALLS: dict[str, tuple[str, ...]] = {
    "HLTH": ("health",),
    "CL2-DEMOCRACY": ("governance",),
    "CL2-HERITAGE": ("culture",),
    "CL2-TRANSFORMATIONS": ("inclusion",),
    "CL3": ("risk",),  # civil security: disasters, borders, crime, infrastructures
    "CL3-CS": ("risk", "digital"),  # cybersecurity
    "CL4-DATA": ("digital",),
    "CL4-DIGITAL-EMERGING": ("digital",),
    "CL4-HUMAN": ("digital",),  # a human-centred and ethical development of digital
    "CL4-QUANTUM": ("digital",),
    "CL5-D1": ("environment",),  # climate sciences and responses
    "CL5-D2": ("energy",),  # cross-sectoral solutions: batteries, hydrogen, carbon capture
    "CL5-D3": ("energy",),  # energy supply
    "CL5-D4": ("energy",),  # energy use in buildings and industry
    "CL5-D5": ("transport",),  # clean transport
    "CL5-D6": ("transport",),  # safe, resilient transport and smart mobility
    "CL5-EUDSO": ("energy",),  # the distribution system operators
    "CL6-BIODIV": ("environment",),
    "CL6-CIRCBIO": ("environment",),  # circular economy and bioeconomy
    "CL6-CLIMATE": ("environment",),  # land, ocean and water for climate action
    "CL6-COMMUNITIES": ("territory",),  # rural, coastal and urban communities
    "CL6-FARM2FORK": ("food",),
    "CL6-ZEROPOLLUTION": ("environment",),
    "MISS-CANCER": ("health",),
    "MISS-CIT": ("territory", "environment"),  # climate-neutral and smart cities
    "MISS-CLIMA": ("environment", "risk"),  # adaptation to climate change
    "MISS-NEB": ("territory", "culture"),  # the New European Bauhaus
    "MISS-OCEAN": ("water",),
    "MISS-SOIL": ("food", "environment"),  # soil health and food
    "JU-CBE": ("environment",),  # circular bio-based Europe
    "JU-CLEAN-AVIATION": ("transport",),
    "JU-CHIPS": ("digital",),
    "JU-EDCTP3": ("health",),
    "JU-GH-EDCTP3": ("health",),
    "JU-IHI": ("health",),
    "JU-SNS": ("digital",),  # smart networks and services
    "JTI-CLEANH2": ("energy",),
    "KDT-JU": ("digital",),
    "ER-JU": ("transport",),  # Europe's Rail
    "SESAR": ("transport",),  # air traffic management
    "EURATOM": ("energy",),
    "EIC-ACCELERATOR": ("business",),
    "EIE": ("business",),  # European innovation ecosystems: scale-up, innovative SMEs
}
_YEAR = re.compile(r"^\d{4}$")

# CORDIS, euroSciVoc: a field of science by its path, the deepest level this table names
# deciding (an entry of no topic stops its parent's). A field of no entry here (mathematics,
# physics, chemistry, biology, materials, nanotechnology, most engineering) gives no topic but
# research: it says what science a project does, not which policy area it serves.
_FIELDS: dict[str, tuple[str, ...]] = {
    "agricultural sciences": ("food",),
    "agricultural sciences/agricultural biotechnology/biomass": (),
    "engineering and technology/chemical engineering/separation technologies/desalination":
        ("water",),
    "engineering and technology/civil engineering/transportation engineering": ("transport",),
    "engineering and technology/civil engineering/urban engineering": ("territory",),
    "engineering and technology/civil engineering/water engineering": ("water",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electrical engineering/electric energy": ("energy",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electrical engineering/power engineering": ("energy",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electronic engineering/computer hardware": ("digital",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electronic engineering/robotics": ("digital",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electronic engineering/signal processing": ("digital",),
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/information engineering": ("digital",),
    "engineering and technology/environmental biotechnology/bioremediation": ("environment",),
    "engineering and technology/environmental engineering": ("environment",),
    "engineering and technology/environmental engineering/energy and fuels": ("energy",),
    "engineering and technology/environmental engineering/geotechnics": (),
    "engineering and technology/environmental engineering/mining and mineral processing": (),
    "engineering and technology/environmental engineering/remote sensing": (),
    "engineering and technology/environmental engineering/natural resources management/"
    "water management": ("water",),
    "engineering and technology/environmental engineering/water treatment processes":
        ("water",),
    "engineering and technology/industrial biotechnology/biomaterials/biofuels": ("energy",),
    "engineering and technology/mechanical engineering/vehicle engineering": ("transport",),
    "engineering and technology/mechanical engineering/vehicle engineering/aerospace "
    "engineering/astronautical engineering": (),
    "engineering and technology/mechanical engineering/vehicle engineering/aerospace "
    "engineering/satellite technology": (),
    "engineering and technology/medical engineering": ("health",),
    "engineering and technology/other engineering and technologies/food technology": ("food",),
    "engineering and technology/other engineering and technologies/nuclear engineering":
        ("energy",),
    "engineering and technology/other engineering and technologies/microtechnology/"
    "lab on a chip": ("health",),
    "engineering and technology/other engineering and technologies/microtechnology/"
    "organ on a chip": ("health",),
    "humanities/arts": ("culture",),
    "humanities/history and archaeology": ("culture",),
    "humanities/languages and literature/literature studies": ("culture",),
    "humanities/other humanities/library sciences": ("culture",),
    "humanities/philosophy, ethics and religion/religions": ("culture",),
    "medical and health sciences": ("health",),
    "natural sciences/biological sciences/biodiversity conservation": ("environment",),
    "natural sciences/biological sciences/ecology": ("environment",),
    "natural sciences/biological sciences/marine biology": ("water",),
    "natural sciences/chemical sciences/electrochemistry/electric batteries": ("energy",),
    "natural sciences/computer and information sciences": ("digital",),
    "natural sciences/earth and related environmental sciences/atmospheric sciences":
        ("environment",),
    "natural sciences/earth and related environmental sciences/environmental sciences":
        ("environment",),
    "natural sciences/earth and related environmental sciences/hydrology": ("water",),
    "natural sciences/earth and related environmental sciences/oceanography": ("water",),
    "natural sciences/earth and related environmental sciences/soil sciences":
        ("environment",),
    "natural sciences/earth and related environmental sciences/palaeontology/"
    "paleoclimatology": ("environment",),
    "natural sciences/earth and related environmental sciences/physical geography/glaciology":
        ("environment",),
    "natural sciences/earth and related environmental sciences/physical geography/"
    "natural disasters": ("risk",),
    "natural sciences/earth and related environmental sciences/geology/seismology": ("risk",),
    "social sciences/economics and business/business and management": ("business",),
    "social sciences/economics and business/economics/health economics": ("health",),
    "social sciences/educational sciences": ("education",),
    "social sciences/law": ("governance",),
    "social sciences/law/criminology": ("risk",),
    "social sciences/law/law enforcement": ("risk",),
    "social sciences/political sciences": ("governance",),
    "social sciences/political sciences/political transitions/terrorism": ("risk",),
    "social sciences/psychology/psychotherapy": ("health",),
    "social sciences/social geography/cultural and economic geography": ("territory",),
    "social sciences/social geography/transport": ("transport",),
    "social sciences/social geography/urban studies": ("territory",),
    "social sciences/sociology/anthropology/cultural anthropology": ("culture",),
    "social sciences/sociology/demography/human migrations": ("inclusion",),
    "social sciences/sociology/gender studies": ("inclusion",),
    "social sciences/sociology/governance/crisis management": ("risk",),
    "social sciences/sociology/governance/public services": ("governance",),
    "social sciences/sociology/governance/taxation": ("governance",),
    "social sciences/sociology/social issues": ("inclusion",),
    "social sciences/sociology/social work": ("inclusion",),
}
_FIELD_TOPICS = {fold(path): topics for path, topics in _FIELDS.items()}
# CORDIS gives the fields by machine classification of a project's texts, and some catch a
# word of another sense (``ecosystems`` for an innovation ecosystem, ``databases`` for a text
# that mentions one). Each field that gives a topic to 15 projects or more of the real CORDIS
# file was checked on 10 of them drawn at random (a few on 13 or 25): these were of their topic
# in 6 of 10 or fewer (docs/search.md, "Topics"), and give none; a field below them keeps its
# topic.
_WEAK_FIELDS = frozenset(fold(path) for path in (
    "agricultural sciences/agriculture, forestry, and fisheries/agriculture",  # 5 of 10
    "agricultural sciences/agriculture, forestry, and fisheries/fisheries",  # 4
    "agricultural sciences/agriculture, forestry, and fisheries/forestry",  # 6
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electronic engineering/computer hardware/quantum computers",  # 6
    "engineering and technology/electrical engineering, electronic engineering, information "
    "engineering/electronic engineering/robotics",  # 6
    "engineering and technology/environmental engineering/waste management/waste treatment "
    "processes/recycling",  # 5
    "medical and health sciences/basic medicine/physiology",  # 6
    "medical and health sciences/health sciences/nutrition",  # 3
    "medical and health sciences/health sciences/public health/epidemiology/pandemics",  # 6
    "natural sciences/biological sciences/ecology",  # 6
    "natural sciences/biological sciences/ecology/ecosystems",  # 15 in 25
    "natural sciences/computer and information sciences/databases",  # 1
    "social sciences/economics and business/business and management/employment",  # 1 in 13
    "social sciences/economics and business/business and management/entrepreneurship",  # 2
    "social sciences/law",  # 4
    "social sciences/political sciences/government systems",  # 1
    "social sciences/political sciences/political transitions/revolutions",  # 2 in 13
    "social sciences/sociology/demography/human migrations",  # 6
    "social sciences/sociology/governance",  # 5 in 13
))

# EAC: the programme says the topic (the activity types of its results are art forms and
# heritage kinds, all of one topic).
_EAC_PROGRAMMES = (
    ("creative europe", ("culture",)),
    ("culture", ("culture",)),
    ("erasmus", ("education",)),
    ("lifelong learning", ("education",)),
    ("tempus", ("education",)),
    ("youth", ("education",)),
    ("jean monnet", ("education",)),
)

# Kohesio, 2021-2027: the specific objective (Regulation (EU) 2021/1058, Article 3; Regulation
# (EU) 2021/1057, Article 4; Regulation (EU) 2021/1056, Article 2) is narrower than its policy
# objective: where the operation gives one, it decides.
_SPECIFIC_OBJECTIVE = "Specific objective (code)"  # the fact under which Kohesio gives it
_SPECIFIC_OBJECTIVES: dict[str, tuple[str, ...]] = {
    "RSO1.1": ("research",),  # research and innovation capacities, advanced technologies
    "RSO1.2": ("digital",),  # the benefits of digitisation
    "RSO1.3": ("business",),  # growth and competitiveness of SMEs
    "RSO1.4": ("education", "business"),  # skills for smart specialisation, entrepreneurship
    "RSO1.5": ("digital",),  # digital connectivity
    "RSO2.1": ("energy", "environment"),  # energy efficiency, greenhouse gas emissions
    "RSO2.2": ("energy",),  # renewable energy
    "RSO2.3": ("energy",),  # smart energy systems, grids and storage
    "RSO2.4": ("environment", "risk"),  # climate change adaptation, disaster risk
    "RSO2.5": ("water",),  # access to water, sustainable water management
    "RSO2.6": ("environment",),  # circular and resource-efficient economy
    "RSO2.7": ("environment",),  # nature, biodiversity, green infrastructure, pollution
    "RSO2.8": ("transport", "territory"),  # sustainable multimodal urban mobility
    "RSO3.1": ("transport",),  # TEN-T
    "RSO3.2": ("transport",),  # national, regional and local mobility
    "RSO4.1": ("inclusion",),  # labour markets, access to quality employment
    "RSO4.2": ("education",),  # education, training and lifelong learning
    "RSO4.3": ("inclusion",),  # marginalised communities, housing
    "RSO4.4": ("inclusion",),  # third-country nationals, migrants
    "RSO4.5": ("health",),  # health care
    "RSO4.6": ("culture",),  # culture and sustainable tourism
    "ESO4.1": ("inclusion",),  # access to employment
    "ESO4.2": ("inclusion",),  # labour market institutions
    "ESO4.3": ("inclusion",),  # gender-balanced labour market participation
    "ESO4.4": ("inclusion",),  # workers' adaptation to change
    "ESO4.5": ("education",),  # education and training systems
    "ESO4.6": ("education",),  # equal access to education and training
    "ESO4.7": ("education",),  # lifelong learning, upskilling
    "ESO4.8": ("inclusion",),  # active inclusion
    "ESO4.9": ("inclusion",),  # third-country nationals
    "ESO4.10": ("inclusion",),  # marginalised communities such as the Roma
    "ESO4.11": ("health", "inclusion"),  # access to services, health care, long-term care
    "ESO4.12": ("inclusion",),  # people at risk of poverty or social exclusion
    "ESO4.13": ("inclusion",),  # material deprivation
    "RSO5.1": ("territory",),  # integrated development of urban areas
    "RSO5.2": ("territory",),  # of other areas
    "JSO8.1": ("territory",),  # the territories most affected by the climate transition
}
_CORDIS_FRAMEWORKS = {"HORIZON": "Horizon Europe", "H2020": "Horizon 2020", "FP7": "FP7"}


def _framework(source: str, programme: str | None) -> str | None:
    programme = programme or ""
    if source == "keep":
        return "ENI CBC" if "ENI CBC" in programme.upper() else "Interreg"
    if source == "cordis":
        return _CORDIS_FRAMEWORKS.get(programme.upper(), programme or None)
    if source == "kohesio":
        return "Cohesion policy"  # ERDF, ESF/ESF+, Cohesion Fund, JTF: the fund is a facet
    return programme or None  # EAC and the others name the EU programme itself


def framework_of(project: Project) -> str | None:
    """The EU funding programme the project belongs to, in one vocabulary for every source."""
    return _framework(project.source, project.programme)


def frameworks_of(project: Project) -> tuple[str, ...]:
    """Its framework, then those of its other sources' records (an Interreg project in
    keep.eu and Kohesio is Interreg and cohesion policy)."""
    found = (framework_of(project),
             *(_framework(s.source, s.programme) for s in project.same_as))
    return tuple(dict.fromkeys(f for f in found if f))


def _code(value: str) -> str:
    """The code a CORDIS or Kohesio value starts with (``HORIZON.2.5.9 Energy Storage``,
    ``H2020-EU.3.3.``, ``RSO2.5``), upper-case, without a final dot."""
    words = value.split(maxsplit=1)
    return words[0].rstrip(".").upper() if words else ""


def _longest(table: dict[str, tuple[str, ...]], keys: tuple[str, ...],
             code: str, whole: bool) -> str | None:
    """The longest key of ``table`` that ``code`` starts with (``whole``: up to a dot or a
    hyphen of the code, so that HORIZON.2.1 is no part of HORIZON.2.10)."""
    for key in keys:
        if code.startswith(key) and (not whole or len(code) == len(key)
                                     or code[len(key)] in ".-"):
            return key
    return None


_PART_KEYS = tuple(sorted(_PROGRAMME_PARTS, key=len, reverse=True))
_CALL_KEYS = tuple(sorted(_CALLS, key=len, reverse=True))
_CLUSTER_OF = re.compile(r"^HORIZON\.2\.\d+")


@lru_cache(maxsize=4096)
def _field_topics(path: str) -> tuple[str, ...]:
    """The topics of a euroSciVoc path: those of its deepest level the table names."""
    levels = [level for level in fold(path).split("/") if level]
    if "/".join(levels) in _WEAK_FIELDS:
        return ()
    for depth in range(len(levels), 0, -1):
        topics = _FIELD_TOPICS.get("/".join(levels[:depth]))
        if topics is not None:
            return topics
    return ()


def _call_topics(value: str) -> tuple[str, ...]:
    code = "-".join(part for part in _code(value).split("-") if not _YEAR.match(part))
    key = _longest(_CALLS, _CALL_KEYS, code.removeprefix("HORIZON-"), whole=False)
    return _CALLS[key] if key else ()


def _cordis_topics(extra: tuple[tuple[str, str], ...]) -> set[str]:
    """What a CORDIS project's programme parts, call and fields of science say."""
    found = {"research"}  # the framework programmes for research and innovation
    parts = [_code(value) for label, value in extra if label == "legal basis"]
    clusters = {m.group() for m in map(_CLUSTER_OF.match, parts) if m}
    for code in parts:
        key = _longest(_PROGRAMME_PARTS, _PART_KEYS, code, whole=True)
        if key and (len(clusters) == 1 or not _CLUSTER.match(key)):
            found.update(_PROGRAMME_PARTS[key])
    for label, value in extra:
        if label == "topic":
            found.update(_call_topics(value))
        elif label == "field of science":
            found.update(_field_topics(value))
    return found


def _objective_topics(extra: tuple[tuple[str, str], ...]) -> set[str]:
    """Kohesio's objectives, in its own records and in a keep.eu project linked to one: the
    specific objective where one is known, else the thematic objective, else the policy
    objective."""
    found = {t for label, value in extra if label == _SPECIFIC_OBJECTIVE
             for t in _SPECIFIC_OBJECTIVES.get(_code(value), ())}
    for fact in (THEMATIC_OBJECTIVE_FACT, POLICY_OBJECTIVE_FACT):
        if found:
            break
        for label, value in extra:
            number = re.search(r"\d+", value) if label == fact else None
            if number:
                found.update(_OBJECTIVES[fact].get(int(number.group()), ()))
    return found


def topics_of(project: Project) -> tuple[str, ...]:
    """The shared topics of a project (keys of TOPICS), in TOPICS order."""
    found: set[str] = set()
    if project.source == "keep":
        for theme in project.themes:
            found.update(_KEEP_TOPICS.get(fold(theme), ()))
    elif project.source == "cordis":
        found |= _cordis_topics(project.extra)
    elif project.source == "eac":
        programme = fold(project.programme or "")
        found.update(next((topics for name, topics in _EAC_PROGRAMMES if name in programme),
                          ()))
    found |= _objective_topics(project.extra)
    return tuple(t for t in TOPICS if t in found)


class SourceFact:
    """The labels under which the CORDIS, EAC and keep.eu importers keep a project's further
    facts (``Project.extra``), named once: the importers write them, the project page
    (``views.py``) lays them out under labels of its own, in the page's language. Each is the
    source's own word, stored as it is, so that stored records keep their form."""

    # CORDIS (project XML and CSV)
    TEASER = "teaser"
    KEYWORDS = "keywords"
    RCN = "rcn"
    GRANT_DOI = "grant DOI"
    SIGNATURE_DATE = "signature date"
    TERMINATION_DATE = "termination date"
    LEGAL_BASIS = "legal basis"
    CALL_TOPIC = "topic"
    SUB_CALL = "sub call"
    FUNDING_SCHEME = "funding scheme"
    POLICY_PRIORITY = "policy priority"
    FIELD_OF_SCIENCE = "field of science"
    RESULT_REGISTERED_BY = "result registered by"
    # EAC project results
    SUB_PROGRAMME = "sub-programme"
    ACTION = "action"
    CALL_YEAR = "call year"
    PROJECT_STATUS = "project status"
    SUCCESS_STORY = "success story"
    RESULTS_AVAILABLE = "results available"
    # keep.eu: the 2019 export's column headers, and a field of the API JSON
    THEMATIC_OBJ = "Thematic Obj"
    INVESTMENT_PRIORITY = "Inv. Priority"
    SPECIFIC_OBJ = "Specific Obj"
    IPA_THEMATIC_PRIORITY = "Thematic Priorities (Interreg-IPA CBC specific)"
    STRATEGY = "Strategy"
    PRIORITY_AREA = "Priority Area"
    STRATEGY_DEGREE = "Degree of comp."
    ERDF_BUDGET = "ERDF budget"
    IPA_BUDGET = "IPA budget"
    ENI_BUDGET = "ENI budget"
    ERDF_EQUIVALENT_BUDGET = "ERDF eq. budget"
    INTERVENTION_TYPE = "intervention_type"
