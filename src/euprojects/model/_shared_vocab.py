"""One vocabulary across sources, where they mean the same thing (docs/data-model.md).

Each source keeps its own programme and theme words; these functions add, for every project,
two shared facets computed from them:

- ``framework_of``: the EU funding programme ("Interreg", "Horizon Europe", "Creative Europe",
  ...), whatever the source calls its programmes (keep.eu names each Interreg programme, CORDIS
  gives a code such as ``HORIZON``);
- ``topics_of``: broad topics (keys of ``TOPICS``) from keep.eu's 47 themes (a table, every theme
  placed by reading it), CORDIS's euroSciVoc fields of science and policy priorities (words of
  the field's path), and the EAC activity types. A theme placed nowhere gives no topic rather
  than a guess.

Periods and countries need no mapping: every importer gives the programming period as
``YYYY-YYYY`` and countries as ISO 3166 alpha-2 (EL -> GR, UK -> GB).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._records import Project
from ._vocab import fold

__all__ = ["TOPICS", "framework_of", "frameworks_of", "topics_of", "CATEGORY_FACT",
           "THEMATIC_OBJECTIVE_FACT", "POLICY_OBJECTIVE_FACT"]

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

# keep.eu's themes (2014-2020 list), each placed by reading it.
_KEEP_THEMES = {
    "tourism": ("culture",),
    "cultural heritage and arts": ("culture",),
    "institutional cooperation and cooperation networks": ("governance",),
    "education and training": ("education",),
    "sme and entrepreneurship": ("business",),
    "health and social services": ("health",),
    "clustering and economic cooperation": ("business",),
    "clusters and economic cooperation": ("business",),
    "sustainable management of natural resources": ("environment",),
    "social inclusion and equal opportunities": ("inclusion",),
    "agriculture and fisheries and forestry": ("food",),
    "labour market and employment": ("inclusion",),
    "managing natural and man-made threats, risk management": ("risk",),
    "regional planning and development": ("territory",),
    "energy efficiency": ("energy",),
    "renewable energy": ("energy",),
    "climate change and biodiversity": ("environment",),
    "rural and peripheral development": ("territory",),
    "improving transport connections": ("transport",),
    "new products and services": ("research", "business"),
    "knowledge and technology transfer": ("research",),
    "transport and mobility": ("transport",),
    "coastal management and maritime issues": ("water",),
    "cooperation between emergency services": ("risk",),
    "ict and digital society": ("digital",),
    "green technologies": ("environment",),
    "urban development": ("territory",),
    "water management": ("water",),
    "waste and pollution": ("environment",),
    "innovation capacity and awareness-raising": ("research",),
    "scientific cooperation": ("research",),
    "waterways, lakes and rivers": ("water",),
    "construction and renovation": ("territory",),
    "evaluation systems and results": ("governance",),
    "governance, partnership": ("governance",),
    "community integration and common identity": ("inclusion",),
    "demographic change and immigration": ("inclusion",),
    "logistics and freight transport": ("transport",),
    "multimodal transport": ("transport",),
    "soil and air quality": ("environment",),
    "safety": ("risk",),
    "traditional energy": ("energy",),
    # "infrastructure" says too little to be placed
}

# Terms of a CORDIS field of science (any level of its euroSciVoc path), policy priority or EAC
# activity type, matched as whole words after folding.
_TERMS = {
    "energy": ("energy", "fuels", "fuel cells", "batteries", "solar", "wind power", "hydrogen",
               "photovoltaic", "smart grids", "bioenergy", "geothermal"),
    "environment": ("environmental sciences", "environmental engineering", "ecology",
                    "ecosystems", "biodiversity", "climatic changes", "climate action",
                    "climate change", "pollution", "waste management", "recycling",
                    "sustainable economy", "clean air", "circular economy", "conservation"),
    "water": ("oceanography", "hydrology", "water management", "marine biology", "coastal",
              "seas", "oceans", "water quality", "blue growth"),
    "transport": ("transport", "vehicle engineering", "aeronautical engineering", "aircraft",
                  "railway", "automotive", "logistics", "electric vehicles",
                  "maritime engineering"),
    "digital": ("computer and information sciences", "software", "internet",
                "artificial intelligence", "databases", "telecommunications", "data science",
                "digital agenda", "machine learning", "cybersecurity", "robotics"),
    "health": ("medical and health sciences", "clinical medicine", "health sciences",
               "public health", "basic medicine", "health"),
    "education": ("educational sciences", "education"),
    "inclusion": ("sociology", "social inclusion", "employment", "migration", "gender"),
    "culture": ("arts", "history", "cultural heritage", "tourism", "museums", "literature",
                "music", "languages and literature", "culture"),
    "food": ("agricultural sciences", "agriculture", "food and drink", "forestry", "fisheries",
             "animal and dairy science"),
    "risk": ("natural hazards", "security", "civil protection", "crisis management"),
    "territory": ("urban planning", "urbanization", "smart cities", "spatial planning"),
    "business": ("economics and business", "business and management", "entrepreneurship"),
    "governance": ("political sciences", "law", "public administration", "governance"),
}
_TERM_TOPIC = {term: topic for topic, terms in _TERMS.items() for term in terms}
_TERM_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t) for t in sorted(_TERM_TOPIC, key=len, reverse=True))
    + r")(?!\w)"
)
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


@lru_cache(maxsize=4096)
def _topics_of_words(text: str) -> frozenset[str]:
    """The topics whose terms the text holds (cached: the same fields come again and again)."""
    folded = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
    return frozenset(_TERM_TOPIC[m.group(1)] for m in _TERM_RE.finditer(folded))


def topics_of(project: Project) -> tuple[str, ...]:
    """The shared topics of a project (keys of TOPICS), in TOPICS order."""
    found: set[str] = set()
    if project.source == "keep":
        for theme in project.themes:
            found.update(_KEEP_THEMES.get(fold(theme), ()))
    else:
        for theme in project.themes:
            found |= _topics_of_words(theme)
        for label, value in project.extra:
            if label in ("field of science", "policy priority"):
                for segment in value.split("/"):
                    found |= _topics_of_words(segment)
        if project.source == "cordis":
            found.add("research")  # the framework programmes for research and innovation
    # Kohesio's objectives: in its own records, and in a keep.eu project linked to one
    for label, value in project.extra:
        table = _OBJECTIVES.get(label)
        number = re.search(r"\d+", value) if table else None
        if table and number:
            found.update(table.get(int(number.group()), ()))
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
