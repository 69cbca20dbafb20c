"""Precision and recall of the organisation rules on judged pairs of records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._orgmatch import same_organisation
from ._records import Organisation

__all__ = ["PairReport", "evaluate_pairs", "organisation_from_pair"]


def organisation_from_pair(side: dict[str, Any], fallback_id: str) -> Organisation:
    """One side of a judged pair (the record's fields as the catalog holds them; other names
    as texts or as ``{"text", "lang"}``)."""
    names = [n if isinstance(n, dict) else {"text": n} for n in side.get("other_names") or ()]
    return Organisation.from_dict({**side, "id": side.get("id") or fallback_id,
                                   "other_names": names})


@dataclass
class PairReport:
    """How the rules judge the pairs against the people who judged them by reading."""

    pairs: int = 0
    unsure: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)  # links made, per rule
    recall_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # found, same
    wrong_links: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        linked = self.true_positives + self.false_positives
        return self.true_positives / linked if linked else None

    @property
    def recall(self) -> float | None:
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "judged": self.pairs - self.unsure,
            "unsure": self.unsure,
            "same": self.true_positives + self.false_negatives,
            "different": self.false_positives + self.true_negatives,
            "linked": self.true_positives + self.false_positives,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
            "precision": self.precision,
            "recall": self.recall,
            "links_by_rule": dict(sorted(self.by_rule.items())),
            "recall_by_kind": {k: {"found": f, "same": n, "recall": f / n if n else None}
                               for k, (f, n) in sorted(self.recall_by_kind.items())},
            "wrong_links": self.wrong_links,
            "missed": self.missed,
        }


def evaluate_pairs(pairs: Iterable[dict[str, Any]]) -> PairReport:
    """Judge every pair by the rules (model ``same_organisation``) and count against the
    labels ``same`` / ``different``; ``unsure`` pairs are counted apart and not measured."""
    report = PairReport()
    for number, pair in enumerate(pairs, start=1):
        report.pairs += 1
        label = pair.get("label")
        if label == "unsure":
            report.unsure += 1
            continue
        if label not in ("same", "different"):
            raise ValueError(f"pair {pair.get('id', number)}: label {label!r} is not "
                             "same, different or unsure")
        a = organisation_from_pair(pair["a"], "a")
        b = organisation_from_pair(pair["b"], "b")
        link = same_organisation(a, b)
        kind = pair.get("kind") or "pair"
        found, same = report.recall_by_kind.get(kind, (0, 0))
        if link is not None:
            report.by_rule[link.rule] += 1
        summary = {"id": pair.get("id", number), "a": a.name, "b": b.name,
                   "rule": link.rule if link else None, "why": pair.get("why")}
        if label == "same":
            same += 1
            if link is not None:
                report.true_positives += 1
                found += 1
            else:
                report.false_negatives += 1
                report.missed.append(summary)
        elif link is not None:
            report.false_positives += 1
            report.wrong_links.append(summary)
        else:
            report.true_negatives += 1
        report.recall_by_kind[kind] = (found, same)
    return report
