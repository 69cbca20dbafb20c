"""The unified model: pure data, no I/O. Every source maps into these classes."""

from ._ids import organisation_id, project_id
from ._language import LANGUAGE_WORDS, guess_language
from ._money import Money, cofinancing_rate
from ._records import LangText, Organisation, Participation, Project, ProjectRecord
from ._vocab import LegalStatus, Role, Status, derive_status, fold, normalise_country

__all__ = [
    "LANGUAGE_WORDS",
    "LangText",
    "LegalStatus",
    "Money",
    "Organisation",
    "Participation",
    "Project",
    "ProjectRecord",
    "Role",
    "Status",
    "cofinancing_rate",
    "derive_status",
    "fold",
    "guess_language",
    "normalise_country",
    "organisation_id",
    "project_id",
]
