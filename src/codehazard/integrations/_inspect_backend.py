"""``inspect:<log>``: the outputs of an Inspect log, replayed as a model backend.

As ``samples:<path>`` replays a samples file, this backend answers each task's sample
``epoch - 1`` with what the model wrote in the log, so an imported log is a run like any
other (one orchestrator, one key scheme). Each stored sample keeps the Inspect sample's id,
epoch and input messages in its raw record. ``InspectLog`` is the reading of the log this
needs, through Inspect's own API (``inspect_ai.log.read_eval_log``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from codehazard._registry import require_extra
from codehazard.errors import InputError
from codehazard.models import (
    BackendOptions,
    Completion,
    GenerationParams,
    ModelBackend,
    Request,
    register_backend,
)
from codehazard.samples import BadLine
from codehazard.tasks import Task
from codehazard.verdict import Verdict


@dataclass(frozen=True)
class LoggedOutput:
    """One Inspect sample of the log: its id, epoch, output text, stop reason and input."""

    sample_id: str
    epoch: int
    text: str
    stop_reason: str
    messages: tuple[dict[str, str], ...]
    scores: dict[str, Any]
    input_tokens: int | None
    output_tokens: int | None


def _content(message: Any) -> str:
    text = getattr(message, "text", None)
    return text if isinstance(text, str) else str(getattr(message, "content", ""))


@dataclass(frozen=True)
class InspectLog:
    """What an import needs of an Inspect log."""

    path: Path
    digest: str
    eval_id: str
    task: str
    model: str
    codehazard: dict[str, Any]
    config: dict[str, Any]
    outputs: tuple[LoggedOutput, ...]
    inspect_version: str

    def generation_params(self, recorded: Mapping[str, Any]) -> GenerationParams:
        """The run's parameters: the prompt settings of the task and Inspect's sampling config;
        a setting Inspect left to the provider (no temperature, no token limit) takes
        ``GenerationParams``' default here, and the backend record keeps Inspect's config as
        it was (``inspect_generate_config``)."""
        defaults = GenerationParams()
        temperature = self.config.get("temperature")
        max_tokens = self.config.get("max_tokens")
        return GenerationParams(
            n=max(1, max((o.epoch for o in self.outputs), default=1)),
            temperature=defaults.temperature if temperature is None else float(temperature),
            top_p=self.config.get("top_p"),
            max_tokens=int(max_tokens) if max_tokens else defaults.max_tokens,
            seed=self.config.get("seed"),
            mode="chat",
            prompt_form=recorded.get("prompt_form") or "auto",
            system_prompt=recorded.get("system_prompt"),
            stop=tuple(self.config.get("stop_seqs") or ()),
        )

    def kept_verdicts(self, tasks: Mapping[str, Task]) -> dict[str, Verdict] | None:
        """The verdicts codehazard's scorer wrote, keyed as the run keys samples, when every
        sample of the tasks has one for the program the import extracts; else ``None``."""
        from codehazard.integrations._inspect_score import SCORE_FORMAT_KEY, inspect_sample

        kept: dict[str, Verdict] = {}
        for out in self.outputs:
            task = tasks.get(out.sample_id)
            if task is None:
                continue
            ours = [s for s in out.scores.values() if (s.metadata or {}).get(SCORE_FORMAT_KEY)]
            if not ours:
                return None
            sample = inspect_sample(task, out.epoch, out.text, out.stop_reason, self.model)
            if ours[0].answer != sample.program or "verdict" not in ours[0].metadata:
                return None
            kept[sample.key] = Verdict.model_validate(ours[0].metadata["verdict"])
        return kept or None


def read_log(path: Path) -> InspectLog:
    """Read an Inspect ``.eval`` or ``.json`` log with Inspect's API.

    Raises:
        MissingExtraError: Inspect is not installed.
        InputError: the file is missing or is not an Inspect log.
    """
    log_api = require_extra("inspect", "inspect_ai.log", feature="reading an Inspect log")
    try:
        data = path.read_bytes()
        log = log_api.read_eval_log(str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the Inspect log ({exc.strerror})") from None
    except Exception as exc:  # Inspect's own parse errors have no common base
        raise InputError(f"{path}: not an Inspect log ({type(exc).__name__}: {exc})") from None
    outputs = []
    for s in log.samples or ():
        usage = s.output.usage
        outputs.append(
            LoggedOutput(
                sample_id=str(s.id),
                epoch=int(s.epoch),
                text=s.output.completion,
                stop_reason=str(s.output.stop_reason),
                messages=tuple(
                    {"role": m.role, "content": _content(m)}
                    for m in (s.input if isinstance(s.input, list) else [])
                ),
                scores=dict(s.scores or {}),
                input_tokens=usage.input_tokens if usage else None,
                output_tokens=usage.output_tokens if usage else None,
            )
        )
    spec = log.eval
    return InspectLog(
        path=path.resolve(),
        digest=hashlib.sha256(data).hexdigest(),
        eval_id=spec.eval_id or hashlib.sha256(data).hexdigest(),
        task=spec.task,
        model=spec.model,
        codehazard=dict((spec.metadata or {}).get("codehazard") or {}),
        config=spec.model_generate_config.model_dump(exclude_none=True),
        outputs=tuple(outputs),
        inspect_version=str(getattr(spec.packages, "get", lambda *_: "")("inspect_ai", "")),
    )


@register_backend("inspect")
class InspectLogBackend(ModelBackend):
    """Replays the outputs of an Inspect log; ``prepare`` must run before ``plan``.

    Raises (constructor):
        InputError: no path, or a file that is not an Inspect log.
        MissingExtraError: Inspect is not installed.
    """

    spec_help: ClassVar[str] = "inspect:<log>"
    cacheable: ClassVar[bool] = False

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        if not model:
            raise InputError("`model=inspect:<log>`: name the Inspect log")
        self.log = read_log(Path(model).expanduser())
        self.source_model = self.log.model
        self._by_key: dict[tuple[str, int], LoggedOutput] = {}
        self.bad: list[BadLine] = []

    def prepare(self, tasks: Mapping[str, Task]) -> None:
        """Match the log's samples to the tasks (others are reported, never judged).

        Raises:
            InputError: no sample of the log belongs to the tasks.
        """
        for number, out in enumerate(self.log.outputs, 1):
            if out.sample_id in tasks:
                self._by_key[(out.sample_id, out.epoch - 1)] = out
            else:
                self.bad.append(
                    BadLine(number, f"{self.log.path}: sample {out.sample_id!r} is no task here")
                )
        if not self._by_key:
            raise InputError(f"{self.log.path}: no sample of the log is one of its suite's tasks")

    def plan(self, tasks: Sequence[Task], n: int) -> list[tuple[str, int]]:
        """Every (task, epoch) the log holds, in task order (``n`` is ignored)."""
        order = {t.task_id: i for i, t in enumerate(tasks)}
        keys = [k for k in self._by_key if k[0] in order]
        return sorted(keys, key=lambda k: (order[k[0]], k[1]))

    def resolve(self, params: GenerationParams) -> GenerationParams:
        """Unchanged: the log's sampling is what was recorded."""
        return params

    def describe(self) -> dict[str, Any]:
        """The log, its digest and Inspect eval id, the task and the model it evaluated."""
        return {
            **super().describe(),
            "log_path": str(self.log.path),
            "log_digest": self.log.digest,
            "eval_id": self.log.eval_id,
            "inspect_task": self.log.task,
            "inspect_model": self.log.model,
            "inspect_version": self.log.inspect_version,
            # exactly what Inspect was told; a field left out took the provider's default
            "inspect_generate_config": dict(self.log.config),
        }

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """The log's output for this task and epoch.

        Raises:
            InputError: the log has no such sample.
        """
        from codehazard.integrations._inspect_score import finish_reason

        if task is None:
            raise InputError("the inspect backend answers tasks only")
        out = self._by_key.get((task.task_id, request.index))
        if out is None:
            raise InputError(f"{self.log.path}: no epoch {request.index + 1} of {task.task_id!r}")
        record = {
            "task_id": task.task_id,
            "completion": out.text,
            "inspect": {"id": out.sample_id, "epoch": out.epoch, "messages": list(out.messages)},
        }
        return Completion(
            text=out.text,
            finish_reason=finish_reason(out.stop_reason, out.text),
            prompt_tokens=out.input_tokens,
            completion_tokens=out.output_tokens,
            response_model=self.log.model,
            record=record,
        )
