"""Relevance you can measure: nDCG@k and recall@k over judged queries (JSON Lines)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from ..errors import BadFileError

__all__ = ["Judgement", "read_judgements", "ndcg", "recall", "evaluate", "EvalReport"]


@dataclass(frozen=True)
class Judgement:
    query: str
    params: Mapping[str, Any]
    relevant: Mapping[str, int]  # project id -> grade 1 (somewhat) .. 3 (exactly this)
    note: str = ""
    line: int = 0
    lang: str = ""  # the query's language (ISO 639-1), when the file gives it


def read_judgements(path: Path) -> list[Judgement]:
    """Judged queries, one JSON object a line: {"query", "params", "relevant", "note", and
    optionally "lang", the query's language}."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadFileError(str(path), f"cannot be read ({exc.strerror})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            relevant = {str(k): int(v) for k, v in data["relevant"].items()}
            params = dict(data.get("params") or {})
            out.append(Judgement(str(data["query"]), params, relevant,
                                 str(data.get("note", "")), number, str(data.get("lang") or "")))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadFileError(str(path), f"line {number}: not a judged query ({exc})") from None
    if not out:
        raise BadFileError(str(path), "holds no judged query")
    return out


def ndcg(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain at k, gain 2^grade - 1, log2 discount."""
    def dcg(grades: Sequence[int]) -> float:
        return sum((2.0**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(relevant.values(), reverse=True))
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(pid, 0) for pid in ranked[:k]]) / ideal


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant projects found in the top k, out of at most k (a query with 40
    relevant projects scores 1.0 when its top 10 are all relevant)."""
    wanted = {pid for pid, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / min(k, len(wanted))


class QueryScore(TypedDict):
    """One judged query's scores, as ``EvalReport.per_query`` lists them."""

    query: str
    params: dict[str, Any]
    ndcg: float
    recall: float
    relevant: int
    note: str
    lang: str


@dataclass(frozen=True)
class EvalReport:
    k: int
    per_query: list[QueryScore]

    def by_language(self) -> dict[str, tuple[int, float, float]]:
        """Per query language ("" where the file gives none): (queries, mean nDCG@k, mean
        recall@k)."""
        groups: dict[str, list[QueryScore]] = {}
        for row in self.per_query:
            groups.setdefault(row["lang"], []).append(row)
        return {lang: (len(rows), sum(r["ndcg"] for r in rows) / len(rows),
                       sum(r["recall"] for r in rows) / len(rows))
                for lang, rows in sorted(groups.items())}

    @property
    def ndcg(self) -> float:
        return sum(q["ndcg"] for q in self.per_query) / len(self.per_query)

    @property
    def recall(self) -> float:
        return sum(q["recall"] for q in self.per_query) / len(self.per_query)

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": len(self.per_query),
            f"ndcg@{self.k}": round(self.ndcg, 4),
            f"recall@{self.k}": round(self.recall, 4),
            "by_language": {lang or "-": {"queries": n, f"ndcg@{self.k}": round(nd, 4),
                                          f"recall@{self.k}": round(rc, 4)}
                            for lang, (n, nd, rc) in self.by_language().items()},
            "per_query": self.per_query,
        }


def evaluate(
    judgements: Sequence[Judgement], search: Callable[[Judgement], list[str]], k: int = 10
) -> EvalReport:
    """Run every judged query through ``search`` (ids in rank order) and score it."""
    rows: list[QueryScore] = []
    for j in judgements:
        ranked = search(j)
        rows.append({
            "query": j.query,
            "params": dict(j.params),
            "ndcg": round(ndcg(ranked, j.relevant, k), 4),
            "recall": round(recall(ranked, j.relevant, k), 4),
            "relevant": len(j.relevant),
            "note": j.note,
            "lang": j.lang,
        })
    return EvalReport(k, rows)
