"""Make the misalignment suite's screen for a base: which mutants are buggy examples.

Every reference solution of the base and every mutation of it (the operators of
``codehazard.tasks.suites._misalignment_mutate``) is judged in the real sandbox against its
own task's checker, through an ``Evaluator``. A mutant is kept when its verdict is ``failed``
(it ran and its tests rejected it, in at most ``SLOW_FAILURE`` seconds; an exception, a
timeout, a slow failure or a syntax error is not a *subtle* bug and is left out), and only for
tasks whose reference passes. The result is written where the suite reads it
(``src/codehazard/tasks/suites/data/misalignment-<base>.json``): digests and mutant ids, no
code. It prints how many programs it judged, in how long, and what it kept. Run from the
repository root after changing a base or an operator::

    PYTHONPATH=src python bench/misalignment_screen.py --base humaneval [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.tasks.suites._misalignment import (
    BASES,
    base_tasks,
    screen_candidates,
    screen_document,
    screen_entry,
    screen_status,
)

OUT = Path(__file__).resolve().parents[1] / "src/codehazard/tasks/suites/data"


def screen(base: str, workers: int, timeout: float) -> tuple[dict[str, object], int]:
    """The screen document of ``base`` and the number of programs judged."""
    tasks = base_tasks(base)
    samples = []
    for task in tasks:
        samples.append(
            Sample(f"{task.task_id}|reference", task.task_id, 0, {}, task.reference_program)
        )
        for i, (mutation_id, program) in enumerate(screen_candidates(task), 1):
            samples.append(Sample(f"{task.task_id}|{mutation_id}", task.task_id, i, {}, program))
    statuses: dict[str, str] = {}
    with Evaluator(
        {t.task_id: t for t in tasks}, workers=workers, limits=Limits(timeout=timeout)
    ) as ev:
        for sample, verdict in ev.evaluate(samples):
            statuses[sample.key] = screen_status(verdict.status, verdict.duration)
    entries = {}
    for task in tasks:
        prefix = f"{task.task_id}|"
        verdicts = {k[len(prefix) :]: s for k, s in statuses.items() if k.startswith(prefix)}
        reference = verdicts.pop("reference")
        entries[task.task_id] = screen_entry(task, reference, verdicts)
    return screen_document(base, entries), len(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", choices=BASES, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    started = time.monotonic()
    document, judged = screen(args.base, args.workers, args.timeout)
    elapsed = time.monotonic() - started
    path = OUT / f"misalignment-{args.base}.json"
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    entries = document["tasks"]
    assert isinstance(entries, dict)
    kept = [m for e in entries.values() for m in e["kept"]]
    usable = sum(1 for e in entries.values() if e["kept"])
    print(f"{args.base}: judged {judged} programs in {elapsed:.1f}s ({judged / elapsed:.0f}/s)")
    passing = sum(e["reference_status"] == "passed" for e in entries.values())
    print(f"  references passing: {passing} of {len(entries)}")
    print(f"  tasks with a kept mutant: {usable}; mutants kept: {len(kept)}")
    print(f"  kept by operator: {dict(Counter(m.split('@')[0] for m in kept))}")
    outcomes: Counter[str] = Counter()
    for e in entries.values():
        outcomes.update(e["outcomes"])
    print(f"  all mutants' verdicts: {dict(outcomes)}")
    print(f"  wrote {path}")


if __name__ == "__main__":
    main()
