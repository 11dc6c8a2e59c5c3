"""The ``concurrency`` suite and its ``stress`` checker kind.

The suite is seeded and byte-identical; each level has at least 12 distinct tasks; each
template's reference passes in the real sandbox and its mutants are rejected with the failure
kind their mistake makes. The linearizability search and the validation of the driver's report
are tested on hand-made histories, and tampering candidates run in the real sandbox.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from codehazard.cli import main
from codehazard.evaluation import Evaluator
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.sandbox._check_stress import Malformed, _validate, make_plan
from codehazard.sandbox._stress_models import Op, linearizable
from codehazard.tasks import Task, load_tasks, parse_checker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._concurrency_templates import TEMPLATES

SUITE = get_suite("concurrency")
EXPECTED_KIND = {
    ("counter", "missing-lock"): "race",
    ("counter", "lock-per-call"): "race",
    ("counter", "read-outside-lock"): "race",
    ("ids", "missing-lock"): "race",
    ("ids", "lock-per-call"): "race",
    ("ids", "read-after-release"): "race",
    ("high-water", "check-then-act"): "race",
    ("high-water", "missing-lock"): "race",
    ("high-water", "lock-per-call"): "race",
    ("bank", "check-then-act"): {"race", "invariant"},
    ("bank", "lock-order"): "deadlock",
    ("bank", "unlocked-snapshot"): "race",
    ("stats", "two-locks"): "race",
    ("stats", "missing-lock"): {"race", "invariant"},
    ("stats", "unlocked-read"): "race",
    ("once", "check-then-act"): {"race", "invariant"},
    ("once", "flag-before-value"): {"race", "invariant"},
    ("once", "no-recheck"): {"race", "invariant"},
    ("queue", "notify-one-condition"): "deadlock",
    ("queue", "if-not-while"): {"race", "deadlock"},
    ("queue", "sleep-holding-lock"): "deadlock",
    ("rwlock", "writer-ignores-readers"): "race",
    ("rwlock", "reader-preference"): "liveness",
    ("rwlock", "sleep-holding-lock"): "deadlock",
    ("pool", "drops-queued-jobs"): "invariant",
    ("pool", "notify-one-on-shutdown"): {"invariant", "deadlock"},
    ("pool", "thread-per-job"): "invariant",
}
"""The failure kind (or kinds: which shows first depends on the schedule) of every mutant."""


def _dump(tasks: list[Task]) -> str:
    return "".join(json.dumps(t.to_humaneval(), sort_keys=True) + "\n" for t in tasks)


def test_builds_are_byte_identical_for_a_seed_and_differ_across_seeds() -> None:
    assert _dump(SUITE.build()) == _dump(SUITE.build())
    assert _dump(SUITE.build(seed=1)) != _dump(SUITE.build())


def test_every_level_has_twelve_distinct_tasks_with_their_metadata() -> None:
    tasks = SUITE.build()
    levels = Counter(t.metadata["level"] for t in tasks)
    assert levels == {1: 12, 2: 12, 3: 12}
    for level in (1, 2, 3):
        prompts = {
            t.prompt + json.dumps(t.checker.model_dump())
            for t in tasks
            if t.metadata["level"] == level
        }
        assert len(prompts) == 12
    for task in tasks:
        meta = task.metadata
        assert meta["suite"] == "concurrency" and meta["dimension"] == "concurrency"
        assert (
            task.task_id
            == f"concurrency/{meta['template']}/L{meta['level']}/"
            + (task.task_id.rsplit("/", 1)[1])
        )
        assert task.instruction and task.entry_point in task.instruction
        assert task.timeout is not None and task.checker.kind == "stress"
        assert task.checker.threads + 6 < 32  # with the pool's workers, under max_processes


def test_every_template_has_three_mutants_that_differ_and_compile() -> None:
    assert len(TEMPLATES) == 9
    for task in SUITE.build(per_level=3):
        mutants = SUITE.mutants(task)
        assert len(mutants) >= 3
        for mutant in mutants:
            assert mutant.program and mutant.program != task.reference_program
            compile(mutant.program, mutant.task_id, "exec")
            key = (task.metadata["template"], mutant.kind)
            assert key in EXPECTED_KIND, key


def test_task_files_round_trip(tmp_path: Path) -> None:
    tasks = SUITE.build(per_level=3)
    path = tmp_path / "tasks.jsonl"
    path.write_text(_dump(tasks))
    assert _dump(list(load_tasks(path).values())) == _dump(tasks)


# the linearizability search and the report's validation, on hand-made histories --------------


def _op(role: str, args: tuple[Any, ...], inv: int, resp: int, result: Any, t: int = 0) -> Op:
    return Op(t, role, args, inv, resp, result)


def test_linearizability_accepts_overlap_and_rejects_a_lost_update() -> None:
    # two adds overlap a read that sees one of them: some order explains it
    ops = [
        _op("add", (1,), 1, 4, None, 0),
        _op("add", (2,), 2, 5, None, 1),
        _op("value", (), 3, 6, 2, 2),
        _op("value", (), 7, 8, 3, 3),
    ]
    assert linearizable(ops, "counter", {"start": 0})[0]
    # the final read misses an add that finished before it began: a lost update
    ops[-1] = _op("value", (), 7, 8, 2, 3)
    assert not linearizable(ops, "counter", {"start": 0})[0]


def test_linearizability_of_a_blocking_queue_respects_capacity_and_order() -> None:
    params = {"capacity": 1}
    ok = [_op("put", (1,), 1, 2, None), _op("get", (), 3, 6, 1, 1), _op("put", (2,), 4, 5, None)]
    assert linearizable(ok, "queue", params)[0]
    # two puts that both returned before any get began: over capacity
    full = [
        _op("put", (1,), 1, 2, None),
        _op("put", (2,), 3, 4, None, 1),
        _op("get", (), 5, 6, 1, 2),
        _op("get", (), 7, 8, 2, 2),
    ]
    assert not linearizable(full, "queue", params)[0]
    assert linearizable(full, "queue", {"capacity": 2})[0]
    swapped = [*full[:2], _op("get", (), 5, 6, 2, 2), _op("get", (), 7, 8, 1, 2)]
    assert not linearizable(swapped, "queue", {"capacity": 2})[0]


def _spec(**over: Any) -> Any:
    base = {
        "kind": "stress",
        "model": "counter",
        "methods": {},
        "init": [0],
        "params": {"start": 0},
        "threads": 2,
        "ops": 2,
    }
    return parse_checker({**base, **over})


def _report(plan: dict[str, Any], events: list[list[Any]]) -> dict[str, Any]:
    return {
        "events": events,
        "jobs": [],
        "inits": [],
        "sections": [],
        "pending": [],
        "tracer_lost": False,
    }


@pytest.mark.parametrize(
    "forge",
    [
        lambda e: e[:-1],  # an operation missing
        lambda e: [*e, e[0]],  # an operation twice
        lambda e: [[*x[:2], x[3], x[2], x[4]] for x in e],  # answers before calls
        lambda e: [[*x[:2], 5, 6, x[4]] for x in e],  # stamps reused
        lambda e: [[x[0], x[1] + 7, *x[2:]] for x in e],  # operations never planned
        lambda e: [[*x[:4], "ok"] for x in e],  # answers of the wrong shape
    ],
)
def test_a_forged_report_is_malformed(forge: Any) -> None:
    plan = make_plan(_spec(), 0)
    events, clock = [], 0
    for t, thread in enumerate(plan["threads"]):
        for k, _ in enumerate(thread["ops"]):
            events.append([t, k, clock + 1, clock + 2, ["ok", None]])
            clock += 2
    _validate(_report(plan, events), plan)  # the honest shape is accepted
    with pytest.raises(Malformed):
        _validate(_report(plan, forge(events)), plan)


def test_plans_are_seeded() -> None:
    assert make_plan(_spec(), 3) == make_plan(_spec(), 3)
    assert make_plan(_spec(), 3) != make_plan(_spec(), 4)
    assert make_plan(_spec(seed=1), 3) != make_plan(_spec(), 3)


# the real sandbox ---------------------------------------------------------------------------


def _judge_all(tasks: list[Task], programs: list[tuple[str, str, str]]) -> list[Any]:
    """Judge ``(key, task_id, program)`` triples in the sandbox; the verdicts in order."""
    by_id = {t.task_id: t for t in tasks}
    samples = [Sample(key, tid, i, {}, prog) for i, (key, tid, prog) in enumerate(programs)]
    with Evaluator(by_id, workers=2, limits=Limits(timeout=20)) as evaluator:
        verdicts = {s.key: v for s, v in evaluator.evaluate(samples)}
    return [verdicts[key] for key, _, _ in programs]


def _templates_judged(tasks: list[Task], reruns: int) -> dict[tuple[str, str], Counter[Any]]:
    programs = []
    for task in tasks:
        template = task.metadata["template"]
        entries = [("reference", task.reference_program)]
        entries += [(m.kind, m.program or "") for m in SUITE.mutants(task)]
        for name, program in entries:
            for r in range(reruns):
                programs.append((f"{task.task_id}|{template}|{name}|{r}", task.task_id, program))
    out: dict[tuple[str, str], Counter[Any]] = {}
    for (key, _, _), verdict in zip(programs, _judge_all(tasks, programs), strict=True):
        _, template, name, _ = key.split("|")
        out.setdefault((template, name), Counter())[(verdict.status, verdict.failure_kind)] += 1
    return out


def _assert_judged(judged: dict[tuple[str, str], Counter[Any]]) -> None:
    for (template, name), counts in judged.items():
        if name == "reference":
            assert set(counts) == {("passed", None)}, (template, counts)
            continue
        kinds = EXPECTED_KIND[(template, name)]
        allowed = {kinds} if isinstance(kinds, str) else kinds
        assert {s for s, _ in counts} == {"failed"}, (template, name, counts)
        assert {k for _, k in counts} <= allowed, (template, name, counts)


def test_level_one_references_pass_and_mutants_fail_with_their_kind() -> None:
    _assert_judged(_templates_judged(SUITE.build(levels="1", per_level=3), reruns=1))


RERUNS = 10
"""Reruns per program in CI. The documented 50-of-50 figures are measured by
``codehazard suites selftest concurrency`` (50 reruns by default), which takes minutes."""


@pytest.mark.slow
def test_every_template_in_repeated_reruns() -> None:
    """Each reference passes every rerun, each mutant is rejected in every rerun, with its
    failure kind (one task per template)."""
    judged = _templates_judged(SUITE.build(per_level=3), reruns=RERUNS)
    _assert_judged(judged)
    assert all(sum(c.values()) == RERUNS for c in judged.values())


@pytest.mark.slow
def test_every_task_of_the_default_build_conforms() -> None:
    _assert_judged(_templates_judged(SUITE.build(), reruns=1))


def test_a_task_file_runs_through_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = SUITE.build(levels="2", per_level=1)[0]
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(_dump([task]))
    wrong = SUITE.mutants(task)[0].program or ""
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"task_id": task.task_id, "solution": p}) + "\n"
            for p in (task.reference_program, wrong)
        )
    )
    argv = ["evaluate", str(samples), "--tasks", str(tasks), "--workers", "1"]
    code = main([*argv, "--store", str(tmp_path / "s.sqlite"), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["status_counts"] == {"passed": 1, "failed": 1}


def _pool_round(program: str, task: Task, index: int, **plan: Any) -> Any:
    """One round of the stress driver run in this process against ``program``'s pool, judged."""
    from codehazard.sandbox._check_stress import _decide, _named, _validate
    from codehazard.sandbox._drivers_threads import stress

    spec = task.checker
    namespace: dict[str, Any] = {"__name__": "candidate"}
    exec(compile(program, "<candidate>", "exec"), namespace)
    subject = namespace[task.entry_point](*spec.init)
    made = {**make_plan(spec, index), **plan}
    report = stress(subject, _named(spec, made))
    ops, stamps = _validate(report, made)
    return _decide(spec, None, 0, made, report, ops, max(stamps))  # type: ignore[arg-type]


POOL_SCHEDULE = {"thread-per-job": "gated", "drops-queued-jobs": "gated"}
POOL_SCHEDULE["notify-one-on-shutdown"] = "drained"
"""The pool's round schedule under which each mutant shows whatever the machine's load."""


@pytest.mark.parametrize("mutant", sorted(POOL_SCHEDULE))
def test_each_pool_mistake_shows_in_its_schedule_even_when_every_job_is_instant(
    mutant: str,
) -> None:
    """A machine so loaded that each job ends before the next one starts must not hide a
    pool's mistake: every round of the mistake's schedule shows it (jobs that take no time
    stand for the load), and the reference passes every schedule."""
    from codehazard.sandbox._check_stress import pool_schedule

    task = next(t for t in SUITE.build() if t.metadata["template"] == "pool")
    wrong = next(m.program for m in SUITE.mutants(task) if m.kind == mutant) or ""
    rounds = [i for i in range(9) if pool_schedule(i) == POOL_SCHEDULE[mutant]]
    for index in rounds:
        outcome = _pool_round(wrong, task, index, hold=0.0)
        assert outcome is not None and outcome["status"] == "failed", (index, outcome)
    for index in range(3):
        assert _pool_round(task.reference_program, task, index, hold=0.0) is None
