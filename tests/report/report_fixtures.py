"""Runs for the report tests, written through the real store API (a temp SQLite file): a
manifest like the orchestrator's, tasks with the shared ``suite``/``dimension``/``level``
metadata, samples with model output and code, verdicts with failing inputs, and the run's
summary; plus a small hazard log citing the suite's metrics, assessed with the real engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codehazard.hazards import Assessment, assess_runs, load_log
from codehazard.models import GenerationParams
from codehazard.report import Report
from codehazard.runs import RunConfig, RunManifest, build_summary
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

FailRule = Callable[[int, int, int], bool]
"""(level, task number, sample index) -> whether that sample fails."""


def write_run(
    store: Store,
    *,
    model: str,
    fails: FailRule,
    suite: str = "toy",
    levels: tuple[int, ...] = (1, 2, 3),
    tasks_per_level: int = 4,
    samples: int = 5,
    status: str = "complete",
    simulated: bool = False,
    isolation: str = "full",
    infra: int = 0,
    temperature: float = 0.2,
) -> str:
    """A run of ``suite`` whose samples fail where ``fails`` says (the first ``infra``
    samples of the run get ``infra`` verdicts instead)."""
    config = RunConfig(
        model=model,
        params=GenerationParams(n=samples, temperature=temperature),
        tasks_source={"file": f"{suite}.jsonl"},
    )
    manifest = RunManifest(
        kind="run",
        model=model,
        config=config,
        simulated=simulated,
        isolation={"level": isolation, "resources": ["memory: a memory cgroup per sample"]},
        n_tasks=len(levels) * tasks_per_level,
        planned_samples=len(levels) * tasks_per_level * samples,
    )
    run_id = store.create_run("run", manifest.to_params())
    tasks = [
        Task(
            task_id=f"{suite}/L{level}/{t:03d}",
            prompt=f'def f(s: str) -> str:\n    """Level {level} task {t}: *a* _b_."""\n',
            entry_point="f",
            checker=TestChecker(test="def check(candidate):\n    pass\n"),
            metadata={"suite": suite, "dimension": "complexity", "level": level},
        )
        for level in levels
        for t in range(tasks_per_level)
    ]
    store.add_tasks(run_id, tasks)
    store.add_samples(
        run_id,
        [
            Sample(
                f"{task.task_id}#{i}",
                task.task_id,
                i,
                {"completion": f"```python\ndef f(s):\n    return s[::-1]  # {i}\n```\n"},
                f"def f(s):\n    return s[::-1]  # {i}\n",
            )
            for task in tasks
            for i in range(samples)
        ],
    )
    n = 0
    for task in tasks:
        level = int(task.metadata["level"])
        t = int(task.task_id.rsplit("/", 1)[1])
        for i in range(samples):
            if n < infra:
                verdict = Verdict(status="infra", detail="worker lost")
            elif fails(level, t, i):
                verdict = Verdict(
                    status="failed",
                    detail="wrong output",
                    failing_input="('abc',)",
                    expected="'cba'",
                    actual="'abc'",
                    failure_kind="wrong-output",
                )
            else:
                verdict = Verdict(status="passed")
            store.record_verdict(run_id, f"{task.task_id}#{i}", verdict)
            n += 1
    summary = build_summary(store, run_id, config).to_json()
    store.set_run_status(run_id, status, summary)
    return run_id


def weak(level: int, t: int, i: int) -> bool:
    """Fails more as the level rises: level 1 one sample in five, level 3 four in five."""
    return i < {1: 1, 2: 3, 3: 4}.get(level, 5)


def strong(level: int, t: int, i: int) -> bool:
    """Fails one sample in five at every level."""
    return i == 0


LOG = """\
schema_version: 1
title: Toy | hazard log with *stars*
system: A toy model behind an API
profile: mil-std-882e
hazards:
  - id: H-WRONG
    title: Wrong code is accepted
    source: over-reliance
    severity: 3
    likelihood: D
    residual_likelihood: E
    mitigations:
      - description: Code review of every suggestion
        status: implemented
    evidence:
      - metric: suite.toy.rate.failed{level>=2}
        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}
  - id: H-ENERGY
    title: Energy use
    source: environmental
    severity: 4
    likelihood: C
"""


def write_log(folder: Path, text: str = LOG) -> Path:
    """The hazard log file."""
    path = folder / "log.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assessment_of(store: Store, folder: Path, run_ids: list[str], text: str = LOG) -> Assessment:
    """The toy log assessed on ``run_ids`` by the real hazard engine."""
    return assess_runs(load_log(write_log(folder, text)), store, run_ids)


@dataclass(frozen=True)
class Toy:
    """The store, its two runs, the assessment of run A, and a report of each kind."""

    store: Store
    a: str
    b: str
    assessment: Assessment
    single: Report
    compared: Report
