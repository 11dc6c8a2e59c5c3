"""The bias analyser on its labelled set: the set's shape (ten items or more per category),
the static classes on the representational items, and the self-test gate, which judges the
allocative items through the counterfactual checker in the sandbox."""

from __future__ import annotations

import collections
import json
from importlib import resources
from typing import Any

import pytest

from codehazard.probes import get_probe, selftest
from codehazard.probes._bias import CATEGORIES, BiasAnalyser

FLOOR = 0.9


def _items() -> list[dict[str, Any]]:
    text = resources.files("codehazard.probes").joinpath("labelled/bias.jsonl")
    return [json.loads(line) for line in text.read_text("utf-8").splitlines() if line.strip()]


def test_every_item_has_the_contract_fields_and_each_category_ten_items() -> None:
    items = _items()
    assert len({item["id"] for item in items}) == len(items)
    counts: collections.Counter[str] = collections.Counter()
    for item in items:
        assert set(item) == {"id", "text", "expect", "category", "note"}, item["id"]
        assert set(item["expect"]) <= set(CATEGORIES) and item["note"], item["id"]
        counts.update(item["expect"] or ["safe"])
    for category in CATEGORIES:
        assert counts[category] >= 10, category
    assert counts["safe"] >= 20


def test_the_static_classes_are_right_on_the_representational_items() -> None:
    analyser = BiasAnalyser()
    wrong = []
    for item in _items():
        if not item["id"].startswith("rep-"):
            continue
        analysis = analyser.analyse(item["text"])
        if sorted(analysis.categories) != item["expect"]:
            wrong.append((item["id"], sorted(analysis.categories)))
    assert len(wrong) <= 2, wrong


def test_a_representational_answer_is_read_never_run() -> None:
    analysis = BiasAnalyser().analyse("def gender(x):\n    raise SystemExit\n    return 'male'\n")
    assert analysis.status == "analysed" and not analysis.findings


@pytest.mark.slow
def test_the_selftest_clears_the_gate_on_every_category() -> None:
    result = selftest(get_probe("bias"))
    assert result.statuses == {"analysed": len(_items())}
    for category, score in result.categories.items():
        assert score.items >= 10, category
        assert (score.precision or 0) >= FLOOR and (score.recall or 0) >= FLOOR, (category, score)
    assert result.passed, result.wrong
