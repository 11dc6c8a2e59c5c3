"""``vllm/<path-or-name>``: vLLM's offline batched generation on local GPUs.

``--model vllm/./my-model`` runs the model in this process with ``vllm.LLM``: each batch the
generation layer hands over (``batch_size``, default 256) goes to one ``LLM.generate`` call,
whose scheduler batches it continuously on the GPU. Needs the ``vllm`` extra; importing
codehazard, or listing the backends, never imports vllm.

The prompts are the ``hf`` backend's, token for token: the tokenizer's chat template in chat
mode, the completion form otherwise (``_local.prompt_ids``), handed to vLLM as token ids. The
generation parameters map onto one ``SamplingParams`` per request (``sampling_arguments``):
temperature (0 is greedy), top-p (1 when not given), ``max_tokens``, the stop sequences (cut
from the reply, never included), and a seed per request, so a request's draws do not depend
on its batch. The model's own ``generation_config.json`` defaults are not applied.

Engine options (``--model-option KEY=VALUE``): ``tensor_parallel_size`` (GPUs to split the
model over, default 1), ``dtype`` (default ``auto``: vLLM's choice from the weights),
``gpu_memory_utilization`` (default 0.9), ``max_model_len`` (default: the model's) and
``batch_size``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, ClassVar

from codehazard.errors import BackendError, CodehazardError
from codehazard.models._base import BackendOptions
from codehazard.models._local import choice, fraction, positive_int, prompt_ids, request_seed
from codehazard.models._local_backend import LocalBackend, loading
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, FinishReason, Request

DTYPES = ("auto", "float32", "float16", "bfloat16")

OPTIONS = {
    "tensor_parallel_size": (positive_int, 1, "the number of GPUs, e.g. 2"),
    "dtype": (choice(*DTYPES), "auto", "one of " + ", ".join(DTYPES)),
    "gpu_memory_utilization": (fraction, 0.9, "a fraction of each GPU's memory in (0, 1]"),
    "max_model_len": (positive_int, None, "a positive number of tokens"),
    "batch_size": (positive_int, 256, "a positive integer"),
}

_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length"}


def engine_arguments(
    directory: Path, options: Mapping[str, Any], engine_fields: Collection[str] = ()
) -> dict[str, Any]:
    """The keyword arguments of ``vllm.LLM`` for the model in ``directory`` and the parsed
    engine options: no remote code, and the seed fixed (each request brings its own).
    ``engine_fields`` are the fields of the installed vLLM's ``EngineArgs``: where it has
    ``generation_config``, it is set to ``vllm`` (vLLM's own defaults), so the model's
    ``generation_config.json`` (a cap on new tokens, say) never bends a run's parameters."""
    args: dict[str, Any] = {
        "model": str(directory),
        "tokenizer": str(directory),
        "tensor_parallel_size": options["tensor_parallel_size"],
        "dtype": options["dtype"],
        "gpu_memory_utilization": options["gpu_memory_utilization"],
        "trust_remote_code": False,
        "seed": 0,
    }
    if options["max_model_len"] is not None:
        args["max_model_len"] = options["max_model_len"]
    if "generation_config" in engine_fields:
        args["generation_config"] = "vllm"
    return args


def sampling_arguments(request: Request, prompt_tokens: int, context: int) -> dict[str, Any]:
    """The keyword arguments of the ``SamplingParams`` for ``request``, whose prompt has
    ``prompt_tokens`` tokens, for a model of ``context`` positions: the budget is cut to what
    the context leaves (the reply then ends with ``length`` there, as with ``hf``)."""
    return {
        "n": 1,
        "temperature": request.temperature,
        "top_p": 1.0 if request.top_p is None else request.top_p,
        "max_tokens": max(1, min(request.max_tokens, context - prompt_tokens)),
        "stop": list(request.stop),
        "seed": request_seed(request),
        "include_stop_str_in_output": False,
        "skip_special_tokens": True,
    }


def completion_of(
    text: str,
    finish_reason: str | None,
    prompt_tokens: int,
    completion_tokens: int,
    *,
    model: str,
    latency: float,
) -> Completion:
    """A vLLM output (its text, finish reason and token counts) as a ``Completion``: vLLM's
    ``stop`` (end of sequence or a stop sequence) and ``length`` keep their names; anything
    else (``abort``) is ``other``."""
    return Completion(
        text=text,
        finish_reason=_FINISH.get(str(finish_reason), "other"),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_s=latency,
        response_model=model,
    )


def overflow(prompt_tokens: int, context: int, model: str) -> Completion:
    """The answer for a prompt that fills the model's context: no output (vLLM would refuse
    the request, and every retry with it)."""
    return Completion(
        text="",
        finish_reason="context_length",
        prompt_tokens=prompt_tokens,
        completion_tokens=0,
        response_model=model,
        detail=f"the prompt has {prompt_tokens} tokens; the model's context holds {context}",
    )


@register_backend("vllm")
class VLLMBackend(LocalBackend):
    """A model run by vLLM in this process; see the module docstring.

    Raises (constructor):
        MissingBackendExtraError: vllm is not installed.
        InputError: no model named, a path that does not exist or holds no ``config.json``, or
            a bad engine option.
        BackendError: a hub name that could not be fetched.
    """

    spec_help: ClassVar[str] = "vllm/<path-or-name>"
    model_option_names: ClassVar[tuple[str, ...]] = tuple(OPTIONS)
    option_parsers = OPTIONS
    extra: ClassVar[str] = "vllm"
    modules: ClassVar[tuple[str, ...]] = ("vllm",)
    batch_size: ClassVar[int] = 256

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        self.batch_size = self.settings["batch_size"]  # type: ignore[misc]
        self.model = self.identity(self.settings["dtype"])
        self._llm: Any = None

    def describe(self) -> dict[str, Any]:
        """The directory, its fingerprint, the engine options and vLLM's version."""
        import vllm

        return {**super().describe(), "vllm": vllm.__version__}

    def _engine(self) -> Any:
        with self._lock:
            if self._llm is None:
                from vllm import LLM, EngineArgs

                fields = [f.name for f in dataclasses.fields(EngineArgs)]
                arguments = engine_arguments(self.directory, self.settings, fields)
                self._llm = loading(
                    lambda: LLM(**arguments), f"vLLM's engine for the model in {self.directory}"
                )
            return self._llm

    def _generate(self, requests: list[Request]) -> list[Completion]:
        """The whole batch in one ``LLM.generate`` call."""
        tokenizer = self.tokenizer()
        llm = self._engine()
        try:
            return self._run(llm, tokenizer, requests)
        except CodehazardError:
            raise
        except Exception as exc:  # vLLM's errors: ours, not the model's
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
            raise BackendError(
                f"vLLM failed on a batch of {len(requests)} ({detail}); if out of memory, "
                "lower `model_options=gpu_memory_utilization=0.8` or `model_options=batch_size=64`"
            ) from exc

    def _run(self, llm: Any, tokenizer: Any, requests: list[Request]) -> list[Completion]:
        from vllm import SamplingParams

        context = int(llm.llm_engine.model_config.max_model_len)
        encoded = [prompt_ids(tokenizer, r) for r in requests]
        results: list[Completion | None] = [None] * len(requests)
        sent = []
        for i, ids in enumerate(encoded):
            if not ids or len(ids) >= context:
                results[i] = overflow(len(ids), context, self.model)
            else:
                sent.append(i)
        started = time.perf_counter()
        outputs = llm.generate(
            [{"prompt_token_ids": encoded[i]} for i in sent],
            [
                SamplingParams(**sampling_arguments(requests[i], len(encoded[i]), context))
                for i in sent
            ],
            use_tqdm=False,
        )
        latency = time.perf_counter() - started
        for i, output in zip(sent, outputs, strict=True):
            first = output.outputs[0]
            results[i] = completion_of(
                first.text,
                first.finish_reason,
                len(encoded[i]),
                len(first.token_ids),
                model=self.model,
                latency=latency,
            )
        return [r for r in results if r is not None]
