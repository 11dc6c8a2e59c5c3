"""The misalignment probe's outcome and metrics: pass@1 per condition with its interval, and
the gaps paired by base task with a paired bootstrap interval, citing the samples behind them.
Records are built the way a run builds them: the probe's real scorer scores each verdict."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.errors import ArgumentError, RegistrationTypeError
from codehazard.metrics import default_registry
from codehazard.probes import Probe, get_probe
from codehazard.probes._misalignment import paired_bootstrap
from codehazard.samples import Sample
from codehazard.store import Record
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite
from codehazard.verdict import Verdict

PROBE = get_probe("misalignment")
TASKS = get_suite("misalignment").build(first=30)
REGISTRY = default_registry()


def _records(passes: dict[tuple[int, str], list[bool]], run: str = "r1") -> list[Record]:
    """Records of ``TASKS``: ``passes[(base index, condition)]`` is each sample's verdict."""
    scorer = PROBE.scorer()
    out = []
    by_key = {(i // 4, t.metadata["condition"]): t for i, t in enumerate(TASKS)}
    for (base, condition), outcomes in passes.items():
        task = by_key[(base, condition)]
        for index, ok in enumerate(outcomes):
            out.append(_record(scorer, task, index, "passed" if ok else "failed", run))
    return out


def _record(scorer: object, task: Task, index: int, status: str, run: str) -> Record:
    from codehazard.probes import ProbeScorer

    assert isinstance(scorer, ProbeScorer)
    sample = Sample(f"{task.task_id}#{index}", task.task_id, index, {}, "")
    verdict = Verdict(status=status)  # type: ignore[arg-type]
    score = scorer.score(task, sample, verdict)
    assert score is not None
    return Record(run, sample.key, task.task_id, index, dict(task.metadata), {}, "", verdict,
                  {PROBE.name: score.value}, {PROBE.name: score.metadata})  # fmt: skip


def test_the_outcome_is_the_verdict_and_unjudged_samples_are_counted_apart() -> None:
    scorer = PROBE.scorer()
    task = TASKS[2]
    sample = Sample("k#0", task.task_id, 0, {}, "")
    passed = scorer.score(task, sample, Verdict(status="passed"))
    failed = scorer.score(task, sample, Verdict(status="failed"))
    infra = scorer.score(task, sample, Verdict(status="infra"))
    assert passed is not None and failed is not None and infra is not None
    assert passed.metadata["analysis"]["categories"] == ["passed"] and passed.value == 0.0
    assert failed.metadata["analysis"]["condition"] == task.metadata["condition"]
    assert failed.value == 1.0 and failed.metadata["findings"][0]["category"] == "failed"
    assert infra.value is None and infra.metadata["status"] == "error"
    other = TASKS[0].model_copy(update={"metadata": {"probe": "security"}})
    assert scorer.score(other, sample, Verdict(status="passed")) is None


def test_a_probe_gives_exactly_one_of_an_analyser_and_an_outcome() -> None:
    with pytest.raises(RegistrationTypeError, match="exactly one of analyser= and outcome="):
        Probe("x", "d", "s", None, ())
    with pytest.raises(RegistrationTypeError, match="has no analyser"):
        PROBE.scorer().analyser  # noqa: B018


def test_pass_rate_per_condition_counts_its_samples_with_an_interval() -> None:
    passes = {(b, c): [c != "buggy" or b % 2 == 0] * 2 for b in range(10) for c in
              ("none", "correct", "buggy", "buggy-instructed")}  # fmt: skip
    records = _records(passes)
    buggy = REGISTRY.measure("probe.misalignment.pass_rate{condition=buggy}", records)
    assert buggy.value == 0.5 and buggy.n == 20 and buggy.n_tasks == 10
    assert buggy.interval is not None and buggy.interval.low < 0.5 < buggy.interval.high
    keys = set(buggy.samples["r1"])
    assert keys == {r.key for r in records if r.metadata["condition"] == "buggy"}
    correct = REGISTRY.measure("probe.misalignment.pass_rate{condition=correct}", records)
    assert correct.value == 1.0


def test_the_gap_pairs_base_tasks_and_leaves_out_unpaired_ones() -> None:
    passes = {(b, "correct"): [True, True] for b in range(12)}
    passes |= {(b, "buggy"): [b % 3 != 0, True] for b in range(10)}  # 10 and 11 unpaired
    records = _records(passes)
    gap = REGISTRY.measure("probe.misalignment.gap", records)
    assert gap.n_tasks == 10 and gap.n == 40
    assert gap.value == pytest.approx(4 * 0.5 / 10)  # tasks 0, 3, 6, 9 lose half their passes
    assert gap.interval is not None and gap.interval.method == "bootstrap-tasks"
    assert 0.0 <= gap.interval.low <= gap.value <= gap.interval.high <= 0.5
    cited = set(gap.samples["r1"])
    assert all("/11#" not in k and "/10#" not in k for k in cited) and len(cited) == 40
    assert "paired bootstrap over 10 base tasks" in gap.note
    again = REGISTRY.measure("probe.misalignment.gap", records)
    assert again == gap  # a fixed generator seed: the same records, the same interval


def test_instructed_gap_compares_correct_with_buggy_instructed() -> None:
    passes = {(b, "correct"): [True] for b in range(8)}
    passes |= {(b, "buggy-instructed"): [b < 6] for b in range(8)}
    passes |= {(b, "buggy"): [False] for b in range(8)}
    records = _records(passes)
    assert REGISTRY.measure("probe.misalignment.instructed_gap", records).value == 0.25
    assert REGISTRY.measure("probe.misalignment.gap", records).value == 1.0


def test_no_pair_gives_no_value_and_says_why() -> None:
    records = _records({(0, "correct"): [True]})
    gap = REGISTRY.measure("probe.misalignment.gap", records)
    assert gap.value is None and "both correct and buggy" in gap.note


def test_the_paired_interval_is_narrower_than_an_unpaired_one_on_mixed_difficulty() -> None:
    """Half the tasks are hard under both conditions, half easy; the buggy context costs each
    task one sample in four. Pairing removes the difficulty variation."""
    rng = random.Random(0)
    correct = [0.9 if t % 2 else 0.1 for t in range(40)]
    buggy = [c - 0.25 if c > 0.5 else c for c in correct]
    low, high = paired_bootstrap([a - b for a, b in zip(correct, buggy, strict=True)], 0.95)
    diffs = [rng.choice(correct) - rng.choice(buggy) for _ in range(40)]
    ulow, uhigh = paired_bootstrap(diffs, 0.95)
    assert high - low < (uhigh - ulow) / 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=1, max_size=50), st.floats(0.5, 0.99))
def test_the_paired_bootstrap_holds_the_mean_and_stays_in_bounds(
    values: list[float], confidence: float
) -> None:
    low, high = paired_bootstrap(values, confidence)
    mean = sum(values) / len(values)
    assert -1.0 <= low <= high <= 1.0
    assert low - 1e-9 <= mean <= high + 1e-9


def test_the_paired_bootstrap_refuses_nothing_and_a_bad_confidence() -> None:
    with pytest.raises(ArgumentError, match="no differences"):
        paired_bootstrap([], 0.95)
    with pytest.raises(ArgumentError, match="confidence"):
        paired_bootstrap([0.1], 1.5)
