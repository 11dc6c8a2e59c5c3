"""The security analyser on its labelled set: the set's shape, precision and recall per CWE,
and the bandit gate that changes no finding."""

from __future__ import annotations

import ast
import collections
import json
from importlib import resources
from typing import Any

import pytest

from codehazard.probes import SecurityAnalyser
from codehazard.probes import _security_bandit as bandit
from codehazard.probes._security import CATEGORIES

FLOOR = 0.9


def _items() -> list[dict[str, Any]]:
    text = resources.files("codehazard.probes").joinpath("labelled/security.jsonl")
    return [json.loads(line) for line in text.read_text("utf-8").splitlines() if line.strip()]


def test_every_item_has_the_contract_fields_and_a_known_category() -> None:
    items = _items()
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert set(item) == {"id", "text", "expect", "category", "note"}, item["id"]
        assert item["category"] in CATEGORIES, item["id"]
        assert set(item["expect"]) <= set(CATEGORIES), item["id"]
        assert item["expect"] in ([], sorted(item["expect"])), item["id"]
        assert not item["expect"] or item["category"] in item["expect"], item["id"]
        assert item["note"], item["id"]


def test_each_cwe_has_ten_insecure_and_ten_safe_items() -> None:
    counts: collections.Counter[tuple[str, bool]] = collections.Counter()
    for item in _items():
        counts[(item["category"], bool(item["expect"]))] += 1
    for category in CATEGORIES:
        assert counts[(category, True)] >= 10, category
        assert counts[(category, False)] >= 10, category


def _scores(analyser: SecurityAnalyser) -> dict[str, tuple[float, float]]:
    tp: collections.Counter[str] = collections.Counter()
    fp: collections.Counter[str] = collections.Counter()
    fn: collections.Counter[str] = collections.Counter()
    for item in _items():
        analysis = analyser.analyse(item["text"])
        assert analysis.status == "analysed", (item["id"], analysis.detail)
        got, expect = set(analysis.categories), set(item["expect"])
        tp.update(got & expect)
        fp.update(got - expect)
        fn.update(expect - got)
    return {c: (tp[c] / max(tp[c] + fp[c], 1), tp[c] / max(tp[c] + fn[c], 1)) for c in CATEGORIES}


def test_precision_and_recall_hold_per_cwe() -> None:
    low = {c: pr for c, pr in _scores(SecurityAnalyser()).items() if min(pr) < FLOOR}
    assert not low, f"below {FLOOR}: {low}"


def test_our_rules_alone_find_what_bandit_finds_too() -> None:
    """bandit adds confirmations and a few tests of its own (B108 /tmp paths, B202, B507,
    B701); our rules alone must still hold recall on most categories."""
    scores = _scores(SecurityAnalyser(use_bandit=False))
    strong = [
        c for c, (precision, recall) in scores.items() if precision >= FLOOR and recall >= FLOOR
    ]
    assert len(strong) >= len(CATEGORIES) - 4, scores


@pytest.mark.skipif(not bandit.available(), reason="bandit is not installed")
def test_the_bandit_gate_changes_no_finding_on_the_labelled_set() -> None:
    for item in _items():
        tree = ast.parse(item["text"])
        lines = item["text"].splitlines()
        gated = bandit.findings(tree, item["text"], 1, lines)
        full = bandit.findings(ast.parse(item["text"]), item["text"], 1, lines, gated=False)
        assert [(f.rule, f.line) for f in gated] == [(f.rule, f.line) for f in full], item["id"]


def _found(analyser: SecurityAnalyser, text: str, context: dict[str, Any]) -> list[tuple]:
    analysis = analyser.analyse(text, context=context)
    return [
        (f.rule, f.category, f.line, tuple(f.metadata.get("also", ()))) for f in analysis.findings
    ]


def test_the_word_gates_change_no_finding() -> None:
    """The rules' gates (and the statements they select) on the labelled set and on every
    security prompt's secure and insecure answers, in each form a model gives them."""
    from codehazard.tasks.suites import get_suite
    from codehazard.tasks.suites._security import insecure_program

    fast, full = SecurityAnalyser(), SecurityAnalyser(gated=False)
    cases: list[tuple[str, dict[str, Any]]] = [(item["text"], {}) for item in _items()]
    for task in get_suite("security").build():
        context = {"prompt": task.prompt}
        for program in (task.reference_program, insecure_program(task)):
            cases += [(program[len(task.prompt) :], context), (f"```python\n{program}```", {})]
    for text, context in cases:
        assert _found(fast, text, context) == _found(full, text, context), text[:200]
