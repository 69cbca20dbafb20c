"""Search: the derived tantivy index, the query language, facets. Knows nothing of the store:
the catalog streams projects into it and turns the ids it returns into projects."""

from ._analysis import STEMMED
from ._columns import OrganisationRow, ParticipationStats, PlaceRow
from ._compile import STATUSES, typo_distance
from ._evaluation import EvalReport, Judgement, evaluate, ndcg, read_judgements, recall
from ._index import Applied, RawResult, Snapshot, TantivyIndex
from ._orgindex import ORG_FACETS
from ._orgsearch import ORG_SORTS, OrganisationHit, OrganisationQuery, OrganisationResults
from ._partners import PartnerHit
from ._query import (
    DEFAULT_MODE,
    FACETS,
    MAX_OFFSET,
    MAX_SIZE,
    MODES,
    PARAMETERS,
    RANGES,
    SORTS,
    ParsedText,
    SearchQuery,
    parse_text,
)
from ._snippets import matcher_for, snippet
from ._stats import PLACE_GROUPS, STAT_GROUPS, GroupRow, IndexStats
from ._vectors import MODEL, Embedder, VectorIndex, from_blob, to_blob

__all__ = [
    "DEFAULT_MODE",
    "MODES",
    "MODEL",
    "Embedder",
    "VectorIndex",
    "to_blob",
    "from_blob",
    "Applied",
    "Snapshot",
    "STAT_GROUPS",
    "PLACE_GROUPS",
    "ORG_FACETS",
    "ORG_SORTS",
    "OrganisationHit",
    "OrganisationQuery",
    "OrganisationResults",
    "PartnerHit",
    "GroupRow",
    "IndexStats",
    "OrganisationRow",
    "ParticipationStats",
    "PlaceRow",
    "EvalReport",
    "Judgement",
    "evaluate",
    "ndcg",
    "read_judgements",
    "recall",
    "FACETS",
    "MAX_OFFSET",
    "MAX_SIZE",
    "PARAMETERS",
    "RANGES",
    "SORTS",
    "STATUSES",
    "STEMMED",
    "ParsedText",
    "RawResult",
    "SearchQuery",
    "TantivyIndex",
    "parse_text",
    "matcher_for",
    "snippet",
    "typo_distance",
]
