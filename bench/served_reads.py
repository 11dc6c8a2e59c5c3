"""Benchmark: what one read of a served secret costs, against one plain call over the channel.

A served read (``sandbox/_served.py``) is a round trip between the candidate's process and the
trusted judge, like a call. This judges, in one warm sandbox, a program that reads a served
secret ``--reads`` times in one call, and one that answers ``--reads`` plain calls, and prints
the time per read, per call and their ratio (a read should cost about what a call does: both
are one line each way on the same pipes). Wall-clock time: on a loaded machine both grow with
the load alike, and the ratio moves less. Run from the repository root::

    PYTHONPATH=src python bench/served_reads.py [--reads 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from codehazard.sandbox import Channel, Limits, Outcome, PreparedTask, Sandbox, judge_sample
from codehazard.sandbox._served import SecretServer

READER = "def f(secret, n):\n    for _ in range(n):\n        secret[0]\n    return n\n"
CALLEE = "def f(secret, n):\n    return n\n"


def _reads(task: PreparedTask, ch: Channel) -> Outcome:
    server = SecretServer("x" * 32, budget=10**9)
    ch.served_call((None, task.data), {}, {0: server})
    return {"status": "passed", "detail": str(server.accesses)}


def _calls(task: PreparedTask, ch: Channel) -> Outcome:
    for _ in range(task.data):
        ch.call(("x", 0), {})
    return {"status": "passed", "detail": str(task.data)}


def _timed(box: Any, run: Any, program: str, n: int) -> float:
    task = PreparedTask("bench/served", "f", None, run=run, data=n)
    start = time.perf_counter()
    verdict = judge_sample(box, task, program, Limits(timeout=600))
    elapsed = time.perf_counter() - start
    if verdict.status != "passed" or verdict.detail != str(n):
        raise SystemExit(f"the benchmark's sample did not pass: {verdict.status} {verdict.detail}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    box = Sandbox(index=19)
    box.start()
    try:
        base = min(_timed(box, _reads, READER, 0) for _ in range(args.rounds))
        reads = min(_timed(box, _reads, READER, args.reads) for _ in range(args.rounds))
        calls = min(_timed(box, _calls, CALLEE, args.reads) for _ in range(args.rounds))
    finally:
        box.close()
    per_read = (reads - base) / args.reads * 1e6
    per_call = (calls - base) / args.reads * 1e6
    print(f"sample with no read: {base * 1e3:.1f} ms (best of {args.rounds})")
    print(f"one served read: {per_read:.1f} us; one plain call: {per_call:.1f} us")
    print(f"ratio read/call: {per_read / per_call:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
