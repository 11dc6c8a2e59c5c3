"""A samples file too large to hold in memory: its valid lines spooled to disk, read back one
at a time.

``load_samples`` keeps every sample (its line's object and its program) in memory: a few KB
each, so about a gigabyte at 100,000 samples, twice over when a run also keeps its own copy.
``spool_samples`` reads the file once, as ``load_samples`` does (same checks, same rejected
lines, same digest), but copies each valid line to an anonymous temporary file and keeps only
where it lies: 32 bytes a sample. A sample is rebuilt from its line when asked for, by task and
index or in file order. The copy also means a file edited or deleted while a run reads it
changes nothing: what is judged is what the digest describes. A ``.gz`` file is read once,
never seeked.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import weakref
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path

from codehazard.errors import InputError
from codehazard.samples._model import BadLine, Sample, SampleLine, _text_field, scan_lines
from codehazard.tasks import Task


class SampleSpool:
    """The valid samples of one file, on disk; ``bad`` and ``digest`` as ``load_samples``.

    Samples come back with the keys ``load_samples`` gives (``L<line number>``). Use from one
    thread at a time; ``close`` (or the end of a ``with`` block) removes the copy, as does
    garbage collection and the end of the process, however it ends (the file has no name).
    """

    def __init__(self, path: Path, tasks: Mapping[str, Task]) -> None:
        self.path = path
        self.tasks = dict(tasks)
        self.bad: list[BadLine] = []
        self.digest = ""
        self._file = tempfile.TemporaryFile(prefix="codehazard-samples-")
        self._closer = weakref.finalize(self, self._file.close)
        self._task_ids: list[str] = []
        self._task_number: dict[str, int] = {}
        self._offsets = array("q")
        self._lengths = array("q")
        self._linenos = array("q")
        self._task_of = array("l")
        self._by_task: dict[str, array[int]] = {}

    def _fill(self) -> None:
        """Read the file once, copying every valid line (``spool_samples`` calls it).

        Raises:
            InputError: the file is missing or unreadable.
        """
        hasher = hashlib.sha256()
        offset, write = 0, self._file.write
        for line in scan_lines(self.path, self.tasks, hasher):
            if isinstance(line, BadLine):
                self.bad.append(line)
                continue
            task_id = line.task.task_id
            number = self._task_number.setdefault(task_id, len(self._task_ids))
            if number == len(self._task_ids):
                self._task_ids.append(task_id)
                self._by_task[task_id] = array("l")
            data = json.dumps(line.obj, ensure_ascii=True).encode("ascii")
            write(data)
            self._by_task[task_id].append(len(self._offsets))
            self._offsets.append(offset)
            self._lengths.append(len(data))
            self._linenos.append(line.lineno)
            self._task_of.append(number)
            offset += len(data)
        self._file.flush()
        self.digest = hasher.hexdigest()

    def __len__(self) -> int:
        return len(self._offsets)

    def __enter__(self) -> SampleSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the copy; the spool cannot be read afterwards."""
        self._closer()

    def counts(self) -> dict[str, int]:
        """How many samples each task has, in the order tasks first appear in the file."""
        return {task_id: len(self._by_task[task_id]) for task_id in self._task_ids}

    def keys(self) -> Iterator[tuple[str, int]]:
        """``(task_id, index)`` of every sample, in file order (nothing is read from disk)."""
        seen = [0] * len(self._task_ids)
        for number in self._task_of:
            yield self._task_ids[number], seen[number]
            seen[number] += 1

    def get(self, task_id: str, index: int) -> Sample:
        """Sample ``index`` of ``task_id`` (its task's lines numbered from 0 in file order).

        Raises:
            InputError: the file has no such sample, or the spool was closed.
        """
        ordinals = self._by_task.get(task_id)
        if ordinals is None or not 0 <= index < len(ordinals):
            raise InputError(f"{self.path}: no sample {index} for {task_id!r}")
        return self._read(ordinals[index], index)

    def __iter__(self) -> Iterator[Sample]:
        """Every sample in file order."""
        for ordinal, (task_id, index) in enumerate(self.keys()):
            yield self._read(ordinal, index, task_id)

    def _read(self, ordinal: int, index: int, task_id: str | None = None) -> Sample:
        if not self._closer.alive:
            raise InputError(f"{self.path}: the spooled samples were closed; read the file again")
        data = os.pread(self._file.fileno(), self._lengths[ordinal], self._offsets[ordinal])
        obj = json.loads(data)
        task = self.tasks[task_id or self._task_ids[self._task_of[ordinal]]]
        line = SampleLine(
            self._linenos[ordinal],
            task,
            index,
            obj,
            _text_field(obj, "completion"),
            _text_field(obj, "solution"),
        )
        return line.sample(f"L{line.lineno}")


def spool_samples(path: str | Path, tasks: Mapping[str, Task]) -> SampleSpool:
    """Read a samples file as ``load_samples`` does, keeping its samples on disk, not in memory.

    Raises:
        InputError: the file is missing or unreadable.
    """
    spool = SampleSpool(Path(path), tasks)
    try:
        spool._fill()
    except BaseException:
        spool.close()
        raise
    return spool
