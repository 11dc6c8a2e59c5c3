"""The capability profile beside the human baseline: participants (``human/...`` column
groups) pooled per dimension and level, and each model's pass@1 divided by their rate."""

from __future__ import annotations

import pytest
from record_fakes import Rec

from codehazard.analysis import ProfileSource, capability_profile
from codehazard.report import profile_text
from codehazard.report._profile_table import profile_table

META = {"dimension": "specification-complexity", "suite": "building-blocks"}


def _recs(outcomes: dict[int, list[bool]]) -> list[Rec]:
    return [
        Rec(f"t/L{level}/{i}", "passed" if ok else "failed", {**META, "level": level})
        for level, oks in outcomes.items()
        for i, ok in enumerate(oks)
    ]


def test_the_ratio_per_level_divides_by_the_pooled_participants() -> None:
    model = ProfileSource("m", _recs({1: [True, True], 2: [True, False]}))
    ann = ProfileSource("human/ann", _recs({1: [True, True], 2: [True, True]}))
    bob = ProfileSource("human/bob", _recs({1: [True, False], 2: [False, True]}))
    profile = capability_profile([model, ann, bob])
    by_level = {c.level: c for c in profile.human}
    assert by_level[1].pass_rate == pytest.approx(0.75)
    assert by_level[1].ratios == {"m": pytest.approx(1.0 / 0.75)}
    assert by_level[2].ratios == {"m": pytest.approx(0.5 / 0.75)}
    assert by_level[1].n_participants == 2 and by_level[1].n_tasks == 2
    assert 0 <= by_level[2].interval.low < 0.75 < by_level[2].interval.high <= 1
    assert [m.model for m in profile.models] == ["m", "human/ann", "human/bob"]
    assert "relative to human ability" in profile_text(profile)
    (line,) = [
        n
        for n in profile_table(profile).notes
        if n.startswith("relative to human ability") and "level 2" in n
    ]
    assert "people pooled 0.75" in line and "m 0.67" in line


def test_no_participants_no_baseline_and_a_zero_human_rate_has_no_ratio() -> None:
    assert capability_profile([ProfileSource("m", _recs({1: [True]}))]).human == []
    zero = capability_profile([
        ProfileSource("m", _recs({1: [True]})),
        ProfileSource("human/ann", _recs({1: [False]})),
    ])  # fmt: skip
    assert zero.human[0].ratios == {"m": None}
    assert "relative to human ability" not in profile_text(
        capability_profile([ProfileSource("m", _recs({1: [True]}))])
    )
