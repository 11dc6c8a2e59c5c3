"""``LocalBackend``: the part of the ``hf`` and ``vllm`` backends that does not depend on the
engine: the extras check, the model's directory and fingerprint, the engine options, the
tokenizer (transformers', from local files only) and the choice of prompt mode."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from codehazard._registry import require_extra
from codehazard.errors import BackendError, CodehazardError, InputError, MissingBackendExtraError
from codehazard.models._base import BackendOptions, ModelBackend
from codehazard.models._local import (
    Parsers,
    check_chat,
    fingerprint,
    has_chat_template,
    model_directory,
    parse_options,
)
from codehazard.models._types import Completion, GenerationParams, Mode, Request
from codehazard.tasks import Task

T = TypeVar("T")


def loading(load: Callable[[], T], what: str, error: type[CodehazardError] = BackendError) -> T:
    """``load()`` with transformers' progress bars off (they would cut across the run's
    display); a failure becomes ``error`` naming ``what``.

    Raises:
        CodehazardError: ``error``, when ``load`` raised.
    """
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return load()
    except Exception as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
        raise error(f"{what} does not load ({detail})") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()


class LocalBackend(ModelBackend):
    """A model run in this process from a directory (``<backend>/<path-or-name>``).

    Subclasses set ``extra`` and ``modules`` (the optional extra and the modules it provides)
    and ``option_parsers`` (their engine options); after this constructor, ``directory``,
    ``display_name``, ``settings`` (the parsed options) and ``fingerprint`` are set, and the
    subclass sets ``model``, the identity every cache key holds (see ``identity``).

    Raises (constructor):
        MissingBackendExtraError: the extra's modules are not installed.
        InputError: no model named, a path that does not exist or holds no ``config.json``, a
            hub name not cached while downloads are off, or a bad engine option.
        BackendError: a hub name that could not be fetched.
    """

    extra: ClassVar[str] = ""
    modules: ClassVar[tuple[str, ...]] = ()
    option_parsers: ClassVar[Parsers] = {}

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        for module in self.modules:
            require_extra(
                self.extra,
                module,
                feature=f"the {self.name} backend",
                error=MissingBackendExtraError,
            )
        self.directory, self.display_name = model_directory(model, self.name)
        self.settings = parse_options(self.options, self.name, self.option_parsers)
        self.fingerprint = fingerprint(self.directory)
        self._lock = threading.Lock()
        self._tokenizer: Any = None

    def identity(self, dtype: str) -> str:
        """``<name>@<fingerprint>:<dtype>``: the weights and the dtype they run in are the
        model; the device and the batch are not (as an API server's hardware is not)."""
        return f"{self.display_name}@{self.fingerprint[:12]}:{dtype}"

    def tokenizer(self) -> Any:
        """The model's tokenizer, loaded on first use from local files only.

        Raises:
            InputError: the tokenizer files do not load.
        """
        with self._lock:
            if self._tokenizer is None:
                from transformers import AutoTokenizer

                self._tokenizer = loading(
                    lambda: AutoTokenizer.from_pretrained(
                        str(self.directory), local_files_only=True
                    ),
                    f"the tokenizer in {self.directory}",
                    InputError,
                )
            return self._tokenizer

    def resolve(self, params: GenerationParams) -> GenerationParams:
        """``params`` with the mode filled in (chat when the tokenizer has a chat template,
        completion otherwise: a base model has no chat format) and checked against the
        template.

        Raises:
            InputError: chat mode for a tokenizer without a chat template, or a template that
                refuses the run's messages; see ``ModelBackend.resolve``.
        """
        if params.mode is None:
            mode: Mode = "chat" if has_chat_template(self.tokenizer()) else "completion"
            params = params.model_copy(update={"mode": mode})
        resolved = super().resolve(params)
        if resolved.mode == "chat":
            check_chat(self.tokenizer(), resolved, self.directory)
        return resolved

    def describe(self) -> dict[str, Any]:
        """The directory, its fingerprint and the engine options."""
        return {
            **super().describe(),
            "path": str(self.directory),
            "fingerprint": self.fingerprint,
            "options": dict(self.settings),
        }

    # generation: whole batches, off the event loop -------------------------------------------

    def _generate(self, requests: list[Request]) -> list[Completion]:
        """The completions of a whole batch, in order (runs in a worker thread)."""
        raise NotImplementedError

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """One completion (a batch of one)."""
        return (await self.generate_batch([(request, task)]))[0]

    async def generate_batch(
        self, batch: Sequence[tuple[Request, Task | None]]
    ) -> list[Completion]:
        """The whole batch given to the engine at once, in a worker thread (the event loop,
        and the judging of the previous batch, go on meanwhile).

        Raises:
            BackendError: the model or the engine does not load, or generation failed.
        """
        requests = [request for request, _ in batch]
        return await asyncio.to_thread(self._generate, requests)
