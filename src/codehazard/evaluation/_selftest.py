"""The self-test of a suite: its references pass their checkers, its mutants are rejected.

A suite is only as good as its checkers. ``selftest`` builds a suite, judges every task's
reference ``reruns`` times in the real sandbox (one evaluator for the suite, so a flaky
checker shows as a pass rate under 1), and judges every known wrong solution
(``Suite.mutants``):

- a ``program`` mutant (a whole wrong program) is judged in the sandbox ``reruns`` times, like
  any sample; it counts as rejected on a run whose verdict is not ``passed``;
- a ``call``-only mutant (the chain suites: a trusted function whose checker compares return
  values, which are deterministic) is judged once in this process by the task's own test or
  differential inputs. One that no input of the suite's independent probe tells apart from the
  reference is *equivalent*: no checker could reject it, so it is counted apart and left out of
  the rejection rate.

The suite's ``selftest_params`` (when it declares them) replace its default build, so that a
suite whose default build is large still checks in reasonable time; explicit ``params`` win.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codehazard.errors import ArgumentError, InputError
from codehazard.executors import LocalPool
from codehazard.samples import Sample
from codehazard.sandbox import Limits, comparator
from codehazard.tasks import DifferentialChecker, Task, TestChecker
from codehazard.tasks.suites import Suite, WrongSolution, get_suite

DEFAULT_RERUNS = 50
"""Reruns per reference and per program mutant (the issue's bar: 50 out of 50)."""


@dataclass(frozen=True)
class Escape:
    """One run where the checker got it wrong: a reference that did not pass, or a mutant that
    did. ``form`` is ``reference``, ``program`` or ``call``; ``what`` the mutant's kind;
    ``status`` the verdict's; ``detail`` names the mutant or the failure."""

    task_id: str
    form: str
    what: str
    status: str
    detail: str


@dataclass(frozen=True)
class SelftestResult:
    """What the self-test of one suite found; rates are over runs (``None`` when there were
    none), counts are plain integers, ``escapes`` the first few failures found."""

    suite: str
    params: dict[str, Any]
    reruns: int
    templates: int
    tasks: int
    mutants: int
    program_mutants: int
    call_mutants: int
    equivalent_mutants: int
    reference_runs: int
    reference_passed: int
    mutant_runs: int
    mutant_rejected: int
    seconds: float
    escapes: tuple[Escape, ...] = field(default=())

    @property
    def reference_pass_rate(self) -> float | None:
        """Share of reference runs that passed."""
        return self.reference_passed / self.reference_runs if self.reference_runs else None

    @property
    def mutant_rejection_rate(self) -> float | None:
        """Share of mutant runs rejected (equivalent mutants left out)."""
        return self.mutant_rejected / self.mutant_runs if self.mutant_runs else None

    @property
    def ok(self) -> bool:
        """Both rates are 1 (a suite without mutants fails: it tests nothing)."""
        return self.reference_pass_rate == 1.0 and self.mutant_rejection_rate == 1.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``: the rates, every count, and the escapes."""
        return {
            "reference_pass_rate": self.reference_pass_rate,
            "mutant_rejection_rate": self.mutant_rejection_rate,
            "params": self.params,
            "reruns": self.reruns,
            "templates": self.templates,
            "tasks": self.tasks,
            "mutants": self.mutants,
            "program_mutants": self.program_mutants,
            "call_mutants": self.call_mutants,
            "equivalent_mutants": self.equivalent_mutants,
            "reference_runs": self.reference_runs,
            "reference_passed": self.reference_passed,
            "mutant_runs": self.mutant_runs,
            "mutant_rejected": self.mutant_rejected,
            "runs": self.reference_runs + self.mutant_runs,
            "seconds": round(self.seconds, 2),
            "escapes": [vars(e) for e in self.escapes],
        }


def in_process_judge(task: Task) -> Callable[[Callable[..., Any]], bool]:
    """Whether the task's checker rejects a trusted function (our own mutants only: the
    function runs in this process, unsandboxed).

    Raises:
        InputError: the task's checker kind is neither ``test`` nor ``differential`` (a mutant
            of such a task must be given as a ``program``).
    """
    checker = task.checker
    if isinstance(checker, TestChecker):
        namespace: dict[str, Any] = {}
        exec(checker.test, namespace)  # our own generated test code
        check = namespace["check"]

        def rejects_by_test(fn: Callable[..., Any]) -> bool:
            try:
                check(fn)
            except AssertionError:
                return True
            return False

        return rejects_by_test
    if isinstance(checker, DifferentialChecker):
        same = comparator(checker.oracle, checker.rel_tol, checker.abs_tol)
        namespace = {}
        exec(task.reference_program, namespace)  # our own generated reference
        reference = namespace[task.entry_point]
        expected = [reference(*args) for args in checker.inputs]

        def rejects_by_outputs(fn: Callable[..., Any]) -> bool:
            for args, want in zip(checker.inputs, expected, strict=True):
                try:
                    if not same(want, fn(*args)):
                        return True
                except Exception:
                    return True
            return False

        return rejects_by_outputs
    raise InputError(
        f"task {task.task_id}: a call mutant cannot be judged in process by checker kind "
        f"{checker.kind!r}; give the mutant as a whole program (WrongSolution.program)"
    )


@dataclass
class _Tally:
    reference_runs: int = 0
    reference_passed: int = 0
    mutant_runs: int = 0
    mutant_rejected: int = 0
    program_mutants: int = 0
    call_mutants: int = 0
    equivalent: int = 0
    escapes: list[Escape] = field(default_factory=list)

    def escape(self, escape: Escape) -> None:
        if len(self.escapes) < 20:
            self.escapes.append(escape)


def _judge_calls(task: Task, mutants: list[WrongSolution], tally: _Tally) -> None:
    calls = [m for m in mutants if m.program is None and m.call is not None]
    if not calls:
        return
    rejects = in_process_judge(task)
    for mutant in calls:
        tally.call_mutants += 1
        assert mutant.call is not None
        if rejects(mutant.call):
            tally.mutant_runs += 1
            tally.mutant_rejected += 1
        elif not mutant.distinguishable():
            tally.equivalent += 1
        else:
            tally.mutant_runs += 1
            tally.escape(Escape(task.task_id, "call", mutant.kind, "passed", mutant.detail))


def _samples(
    tasks: list[Task], suite: Suite, reruns: int, tally: _Tally, in_process: bool
) -> tuple[list[Sample], dict[str, WrongSolution]]:
    samples: list[Sample] = []
    by_key: dict[str, WrongSolution] = {}
    for task in tasks:
        mutants = suite.mutants(task)
        if in_process:
            _judge_calls(task, mutants, tally)
        programs = [m for m in mutants if m.program is not None]
        tally.program_mutants += len(programs)
        for run in range(reruns):
            key = f"ref/{task.task_id}/{run}"
            samples.append(Sample(key, task.task_id, run, {}, task.reference_program))
            for number, mutant in enumerate(programs):
                key = f"mutant{number}/{task.task_id}/{run}"
                by_key[key] = mutant
                assert mutant.program is not None
                samples.append(Sample(key, task.task_id, run, {}, mutant.program))
    return samples, by_key


def _templates(tasks: list[Task]) -> int:
    """Distinct ``template`` metadata; for suites without it (the chain suites, whose templates
    are their blocks), distinct blocks."""
    named = {t.metadata["template"] for t in tasks if "template" in t.metadata}
    if named:
        return len(named)
    return len({b for t in tasks for b in t.metadata.get("blocks", ())})


def selftest(
    suite: str | Suite,
    *,
    reruns: int = DEFAULT_RERUNS,
    workers: int = 2,
    limits: Limits | None = None,
    tasks: list[Task] | None = None,
    in_process: bool = True,
    **params: Any,
) -> SelftestResult:
    """Self-test one suite (see the module docstring); ``tasks`` replaces the build;
    ``in_process=False`` leaves call mutants out (for callers that audit them themselves).

    Raises:
        ArgumentError: ``reruns`` or ``workers`` is under 1.
        InputError: unknown suite or build parameter, a bad value, or a call mutant of a task
            whose checker cannot judge one in process.
        SandboxError: no sandbox worker could start.
    """
    if reruns < 1:
        raise ArgumentError(f"reruns must be at least 1, got {reruns}")
    if workers < 1:
        raise ArgumentError(f"workers must be at least 1, got {workers}")
    found = get_suite(suite) if isinstance(suite, str) else suite
    start = time.monotonic()
    build = {**found.selftest_params, **params}
    resolved = found.resolve(**build)
    built = list(tasks) if tasks is not None else found.build(**build)
    tally = _Tally()
    samples, mutant_of = _samples(built, found, reruns, tally, in_process)
    by_id = {t.task_id: t for t in built}
    if samples:
        with LocalPool(by_id, workers=workers, limits=limits or Limits(timeout=10)) as pool:
            for sample, verdict in pool.evaluate(samples):
                _count(sample, verdict.status, verdict.detail, mutant_of.get(sample.key), tally)
    return SelftestResult(
        found.name,
        {k: v if isinstance(v, int) else list(v) for k, v in resolved.items()},
        reruns,
        _templates(built),
        len(built),
        tally.program_mutants + tally.call_mutants,
        tally.program_mutants,
        tally.call_mutants,
        tally.equivalent,
        tally.reference_runs,
        tally.reference_passed,
        tally.mutant_runs,
        tally.mutant_rejected,
        time.monotonic() - start,
        tuple(tally.escapes),
    )


def _count(
    sample: Sample, status: str, detail: str, mutant: WrongSolution | None, tally: _Tally
) -> None:
    if mutant is None:
        tally.reference_runs += 1
        if status == "passed":
            tally.reference_passed += 1
        else:
            tally.escape(Escape(sample.task_id, "reference", "reference", status, detail))
        return
    tally.mutant_runs += 1
    if status != "passed":
        tally.mutant_rejected += 1
    else:
        tally.escape(Escape(sample.task_id, "program", mutant.kind, status, mutant.detail))


def selftest_many(
    names: list[str], *, reruns: int = DEFAULT_RERUNS, workers: int = 2, **params: Any
) -> Mapping[str, SelftestResult]:
    """``selftest`` for each named suite, in order (parameters a suite lacks are skipped).

    Raises:
        ArgumentError, InputError, SandboxError: as ``selftest``.
    """
    out: dict[str, SelftestResult] = {}
    for name in names:
        suite = get_suite(name)
        own = {p.name for p in suite.params}
        given = {k: v for k, v in params.items() if k in own and v is not None}
        out[name] = selftest(suite, reruns=reruns, workers=workers, **given)
    return out
