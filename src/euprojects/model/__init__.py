"""The unified model: pure data, no I/O. Every source maps into these classes."""

from ._embedtext import EMBEDDING_CHARS, embedding_hash, embedding_text
from ._facets import FACETS, Facet
from ._ids import organisation_id, project_id
from ._language import LANGUAGE_WORDS, guess_language
from ._money import Money, cofinancing_rate
from ._orgeval import PairReport, evaluate_pairs
from ._orgmatch import (
    MATCH_RULES,
    Link,
    Member,
    cluster,
    match_keys,
    merge,
    name_forms,
    normalise_name,
    normalise_wikidata,
    possibly_same,
    same_organisation,
)
from ._projmatch import (
    LINKED_SOURCE,
    PRIMARY_SOURCE,
    merge_projects,
    project_keys,
    same_project,
)
from ._records import (
    BRIEF_PATHS,
    LangText,
    Organisation,
    Participation,
    Project,
    ProjectBrief,
    ProjectRecord,
    SameAs,
)
from ._shared_vocab import (
    CATEGORY_FACT,
    POLICY_OBJECTIVE_FACT,
    THEMATIC_OBJECTIVE_FACT,
    TOPICS,
    SourceFact,
    framework_of,
    frameworks_of,
    topics_of,
)
from ._translit import needs_transliteration, transliterate
from ._vocab import LegalStatus, Role, Status, derive_status, fold, normalise_country

__all__ = [
    "BRIEF_PATHS",
    "ProjectBrief",
    "EMBEDDING_CHARS",
    "embedding_hash",
    "embedding_text",
    "CATEGORY_FACT",
    "FACETS",
    "POLICY_OBJECTIVE_FACT",
    "THEMATIC_OBJECTIVE_FACT",
    "Facet",
    "LANGUAGE_WORDS",
    "LangText",
    "LegalStatus",
    "Link",
    "Member",
    "Money",
    "Organisation",
    "PairReport",
    "Participation",
    "Project",
    "ProjectRecord",
    "Role",
    "Status",
    "TOPICS",
    "cluster",
    "cofinancing_rate",
    "derive_status",
    "evaluate_pairs",
    "fold",
    "framework_of",
    "frameworks_of",
    "guess_language",
    "MATCH_RULES",
    "match_keys",
    "possibly_same",
    "name_forms",
    "merge",
    "normalise_name",
    "normalise_country",
    "normalise_wikidata",
    "needs_transliteration",
    "organisation_id",
    "project_id",
    "same_organisation",
    "same_project",
    "LINKED_SOURCE",
    "PRIMARY_SOURCE",
    "merge_projects",
    "project_keys",
    "SameAs",
    "SourceFact",
    "topics_of",
    "transliterate",
]
