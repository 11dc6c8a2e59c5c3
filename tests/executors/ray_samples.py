"""HumanEval samples of known statuses, for the Ray executor's tests: each task's canonical
solution and three broken completions (a wrong answer, an exception, a syntax error)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

BROKEN = {
    "failed": "    return None\n",
    "error": "    raise RuntimeError('broken')\n",
    "syntax": "    return (\n",
}


def write_samples(
    humaneval: Path, path: Path, tasks: int, kinds: tuple[str, ...] = ("passed", *BROKEN)
) -> dict[str, str]:
    """Write samples of the first ``tasks`` HumanEval tasks to ``path``, one per kind in
    ``kinds`` for each (``passed``: the canonical solution); return each sample's key and the
    status it must get."""
    with gzip.open(humaneval, "rt") as fh:
        problems = [json.loads(line) for line, _ in zip(fh, range(tasks), strict=False)]
    lines, expected = [], {}
    for problem in problems:
        for index, kind in enumerate(kinds):
            completion = problem["canonical_solution"] if kind == "passed" else BROKEN[kind]
            lines.append(json.dumps({"task_id": problem["task_id"], "completion": completion}))
            expected[f"{problem['task_id']}#{index}"] = kind
    path.write_text("\n".join(lines) + "\n")
    return expected
