"""The tiny model's training data never shows it what evaluation asks: no prompt the demo
evaluates, and no step line in the wording of the paper's building blocks, appears in the
training corpus (built here small, with the real generators and filters)."""

from __future__ import annotations

import re

import pytest

from codehazard.cli._demo import default_suites
from codehazard.models.tiny._corpus import (
    BLOCK_LENGTHS,
    PARAPHRASES,
    TRAIN_SEEDS,
    build_corpus,
)
from codehazard.tasks.suites import get_suite

STEP = re.compile(r"^\s+\d+\. (.*)$")


@pytest.mark.slow
def test_no_evaluation_prompt_or_paper_wording_is_in_the_training_corpus() -> None:
    corpus = build_corpus(seed=0, block_seeds=2, rewordings=3, binding_seeds=2, functions=300)
    assert {p.source for p in corpus} == {"building-blocks", "variable-binding", "functions"}
    evaluated = [t for name in default_suites() for t in get_suite(name).build(seed=0)]
    prompts = {t.prompt for t in evaluated}
    assert not prompts & {p.prompt for p in corpus}
    paper_lines = {
        m.group(1)
        for t in evaluated
        if t.metadata.get("suite") == "building-blocks"
        for line in t.prompt.splitlines()
        if (m := STEP.match(line))
    }
    assert len(paper_lines) == 13  # every block's wording is known to the check
    for pair in corpus:
        assert not any(line in pair.prompt for line in paper_lines), pair.prompt


def test_the_split_is_by_seed_wording_and_length() -> None:
    assert min(TRAIN_SEEDS) >= 1000  # evaluation builds use seed 0
    assert max(BLOCK_LENGTHS) < 10  # longer chains are never trained on
    wordings = [w for ws in PARAPHRASES.values() for w in ws]
    evaluated = get_suite("building-blocks").build(seed=0, lengths=(1,), per_length=13)
    paper = {m.group(1) for t in evaluated for ln in t.prompt.splitlines() if (m := STEP.match(ln))}
    assert len(PARAPHRASES) == 13 and not paper & set(wordings)
