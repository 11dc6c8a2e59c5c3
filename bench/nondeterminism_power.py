"""Measurement: the ``nondeterminism`` checkers' false alarms and their power against every mutant.

Each task of the default build is judged ``--reruns`` times, each rerun with other seeds (the
per-draw seeds and the seed of the global generator; rerun 0 is the task's own), for its
reference and for each of its mutants. The judge is the real one (``run_statistical`` and the
trusted ``sample`` driver) with the channel replaced by direct calls, so thousands of reruns
take minutes; ``tests/tasks/suites/test_nondeterminism.py`` checks in the sandbox that the
verdicts are the same. Prints, per template, the reference's pass rate and each mutant's
rejection rate, the seconds one judgement takes, and writes everything as JSON with ``--out``.
Exit status 1 when a reference fails a rerun or a mutant escapes one. Run from the repository
root::

    PYTHONPATH=src python bench/nondeterminism_power.py [--reruns 50] [--workers 2] \\
        [--out power.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tasks" / "suites"))

from random_local import judge_locally

from codehazard.tasks.suites import get_suite


def _one_task(args: tuple[int, int]) -> dict[str, Any]:
    index, reruns = args
    suite = get_suite("nondeterminism")
    task = suite.build()[index]
    programs = [("reference", "reference", task.reference_program)]
    programs += [(m.kind, m.detail, m.program or "") for m in suite.mutants(task)]
    rows = []
    for kind, detail, program in programs:
        started = time.perf_counter()
        verdicts = [judge_locally(task, program, rerun) for rerun in range(reruns)]
        rows.append(
            {
                "kind": kind,
                "detail": detail,
                "passed": sum(v.status == "passed" for v in verdicts),
                "failure_kinds": sorted(
                    {str(v.failure_kind) for v in verdicts if v.status != "passed"}
                ),
                "seconds": (time.perf_counter() - started) / reruns,
                "example": next((v.detail for v in verdicts if v.status != "passed"), ""),
            }
        )
    return {"task_id": task.task_id, "template": task.metadata["template"], "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reruns", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    count = len(get_suite("nondeterminism").build())
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_one_task, [(i, args.reruns) for i in range(count)]))
    by_template: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    bad = 0
    for result in results:
        for row in result["rows"]:
            cell = by_template[result["template"]][f"{row['kind']}: {row['detail']}"]
            ok = row["passed"] if row["kind"] == "reference" else args.reruns - row["passed"]
            cell[0] += ok
            cell[1] += args.reruns
            bad += cell[1] - cell[0] != 0 and ok != args.reruns
    for template, cells in by_template.items():
        print(template)
        for label, (ok, total) in cells.items():
            what = "passes" if label.startswith("reference") else "rejected"
            print(f"  {ok:5d}/{total:<5d} {what:8s} {label}")
    seconds = [r["rows"][0]["seconds"] for r in results]
    print(
        f"reference judgement: mean {sum(seconds) / len(seconds):.2f} s, max {max(seconds):.2f} s"
    )
    if args.out:
        args.out.write_text(json.dumps({"reruns": args.reruns, "tasks": results}, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
