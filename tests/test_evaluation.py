"""The relevance measure itself, and the eval command on the development set."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from conftest import DATA, cli_env, copy_catalog
from euprojects.cli import cli
from euprojects.errors import BadFileError
from euprojects.search import ndcg, read_judgements, recall


def test_ndcg_of_a_perfect_and_a_reversed_ranking():
    relevant = {"a": 3, "b": 2, "c": 1}
    assert ndcg(["a", "b", "c"], relevant) == 1.0
    worst = (1 / math.log2(2) + 3 / math.log2(3) + 7 / math.log2(4))
    best = (7 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4))
    assert ndcg(["c", "b", "a"], relevant) == pytest.approx(worst / best)
    assert ndcg(["x", "y"], relevant) == 0.0
    assert ndcg(["a"], {}) == 0.0


def test_recall_counts_at_most_k():
    assert recall(["a", "x"], {"a": 1, "b": 2}) == 0.5
    many = {str(i): 1 for i in range(40)}
    assert recall([str(i) for i in range(10)], many) == 1.0


def test_bad_judgement_file_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x"}\n', encoding="utf-8")
    with pytest.raises(BadFileError, match="line 1: not a judged query"):
        read_judgements(bad)


def test_development_set_is_well_formed():
    judgements = read_judgements(DATA / "eval" / "dev.jsonl")
    assert len(judgements) >= 40
    assert all(1 <= g <= 3 for j in judgements for g in j.relevant.values())


def test_eval_command_prints_the_figures(tmp_path, real_built):
    # the real keep.eu file and the keep.eu fixtures (a copy of real_catalog's store)
    runner = CliRunner()
    db = copy_catalog(real_built, tmp_path, "e")
    env = cli_env(db)
    result = runner.invoke(cli, ["eval", str(DATA / "eval" / "dev.jsonl"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["queries"] == len(read_judgements(DATA / "eval" / "dev.jsonl"))
    assert 0 < report["ndcg@10"] <= 1 and 0 < report["recall@10"] <= 1
    acronym = next(q for q in report["per_query"] if q["query"] == "BSR CBP")
    assert acronym["ndcg"] == 1.0  # an acronym lookup finds its project first
