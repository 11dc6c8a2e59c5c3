"""``spool_samples``: the same samples, rejected lines and digest as ``load_samples``, kept on
disk and read back one at a time, whatever happens to the file afterwards."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from codehazard.errors import InputError
from codehazard.samples import load_samples, spool_samples
from codehazard.tasks import load_tasks

LINES = [
    {"task_id": "toy/add", "completion": "    return a + b\n"},
    {"task_id": "toy/pair", "completion": "    return (x, x * 2)  # \ud800 \x00\n"},
    {"task_id": "nope", "completion": "x"},
    {"task_id": "toy/add", "solution": "def add(a, b):\n    return a - b\n", "extra": [1, 2.5]},
    {"task_id": "toy/add"},
    {"task_id": "toy/sorted", "completion": "```python\ndef sort_it(xs):\n    return xs\n```"},
    {"task_id": "toy/add", "completion": "    return b + a\n", "note": "\u00e9\u4e2d"},
]


def _write(path: Path) -> None:
    body = b"".join(json.dumps(line).encode() + b"\n" for line in LINES)
    body += b"not json\n\n" + b'{"task_id": "toy/pair", "completion": "  # \xff\\n"}\n'
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(body))
    else:
        path.write_bytes(body)


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz"])
def test_same_as_load_samples(toy_tasks_path: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _write(path)
    tasks = load_tasks(toy_tasks_path)
    loaded = load_samples(path, tasks)
    with spool_samples(path, tasks) as spool:
        assert len(spool) == len(loaded.samples) == 6
        assert spool.digest == loaded.digest and spool.bad == loaded.bad
        assert list(spool) == loaded.samples  # keys, indexes, raw lines and programs
        assert list(spool.keys()) == [(s.task_id, s.index) for s in loaded.samples]
        assert spool.counts() == {"toy/add": 3, "toy/pair": 2, "toy/sorted": 1}
        for sample in reversed(loaded.samples):  # in any order
            assert spool.get(sample.task_id, sample.index) == sample
        with pytest.raises(InputError, match="no sample 3 for 'toy/add'"):
            spool.get("toy/add", 3)
        with pytest.raises(InputError, match="no sample 0 for 'nope'"):
            spool.get("nope", 0)
    with pytest.raises(InputError, match="closed"):
        spool.get("toy/add", 0)


def test_the_copy_outlives_the_file(toy_tasks_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    _write(path)
    tasks = load_tasks(toy_tasks_path)
    expected = load_samples(path, tasks).samples
    with spool_samples(path, tasks) as spool:
        path.write_text(json.dumps({"task_id": "toy/add", "completion": "changed"}) + "\n")
        assert list(spool) == expected
        path.unlink()
        assert spool.get("toy/pair", 1) == expected[-1]


def test_missing_file(toy_tasks_path: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        spool_samples(tmp_path / "absent.jsonl", load_tasks(toy_tasks_path))
