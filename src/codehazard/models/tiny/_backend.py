"""``tiny``: the built-in model, a small transformer trained by this project, run on the CPU.

``--model tiny`` loads the weights shipped in the package; ``--model tiny:path/to/weights.npz``
loads others written by ``python -m codehazard.models.tiny.train``. It writes function bodies
from the completion form of a task (completion mode, the Codex stop sequences), so its runs
measure a real model: unlike the ``simulated`` backend, nothing here looks at the task's
reference. Generation is local and costs CPU time, so answers are cached like any model's and a
run resumes without regenerating them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from codehazard.models._base import BackendOptions, ModelBackend
from codehazard.models._local import request_sampling
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, Mode, Request
from codehazard.models.tiny._engine import TinyModel
from codehazard.tasks import Task

WEIGHTS = Path(__file__).with_name("weights.npz")
"""The shipped weights (``train.py --seed 0``; see docs/tiny-model.md)."""


@lru_cache(maxsize=4)
def load_model(path: str) -> TinyModel:
    """The model at ``path``, loaded once per process.

    Raises:
        InputError: the file is missing or is not a weights file.
    """
    return TinyModel.load(Path(path))


def weights_digest(path: Path) -> str:
    """SHA-256 of the weights file: recorded with a run and part of every cache key, so that
    answers of other weights are never served from the cache."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@register_backend("tiny")
class TinyBackend(ModelBackend):
    """The built-in model; ``tiny`` (shipped weights) or ``tiny:<weights.npz>``."""

    spec_help: ClassVar[str] = "tiny or tiny:<weights.npz>"
    modes: ClassVar[tuple[Mode, ...]] = ("completion",)
    default_mode: ClassVar[Mode] = "completion"
    batch_size: ClassVar[int] = 64

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        path = Path(model).expanduser() if model else WEIGHTS
        self.path = path
        self.engine = load_model(str(path.resolve()))
        self.digest = weights_digest(path)
        super().__init__(f"tiny@{self.digest[:12]}", options)

    def describe(self) -> dict[str, Any]:
        """The weights file and its digest, and the architecture."""
        cfg = self.engine.config
        return {
            **super().describe(),
            "weights": str(self.path),
            "weights_sha256": self.digest,
            "architecture": {
                "layers": cfg.layers,
                "heads": cfg.heads,
                "width": cfg.width,
                "context": cfg.context,
                "vocab": cfg.vocab,
            },
        }

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """One completion (a batch of one)."""
        return (await self.generate_batch([(request, task)]))[0]

    async def generate_batch(
        self, batch: Sequence[tuple[Request, Task | None]]
    ) -> list[Completion]:
        """The whole batch decoded together, in a worker thread (the event loop stays free)."""
        requests = [request for request, _ in batch]
        return await asyncio.to_thread(self._generate, requests)

    def _generate(self, requests: list[Request]) -> list[Completion]:
        prompts = [request.prompt or request.text for request in requests]
        sampling = [request_sampling(request) for request in requests]
        results = self.engine.generate(prompts, sampling)
        return [
            Completion(
                text=result.text,
                finish_reason=result.finish_reason,  # type: ignore[arg-type]
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                response_model=self.model,
                detail=(
                    f"the prompt has {result.prompt_tokens} tokens; the tiny model's context "
                    f"holds {self.engine.config.context}"
                    if result.finish_reason == "context_length"
                    else ""
                ),
            )
            for result in results
        ]
