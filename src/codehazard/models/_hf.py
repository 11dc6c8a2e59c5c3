"""``hf/<path-or-name>``: a causal language model run locally with transformers.

``--model hf/./my-model`` (a directory ``save_pretrained`` wrote) or ``--model
hf/Qwen/Qwen2.5-Coder-0.5B-Instruct`` (a hub name: the local cache, else a download). Needs
the ``hf`` extra (transformers, torch). The model loads once per backend, when the first batch
is asked for, so a resume answered from the cache never loads it. Decoding is batched
(``_hf_decode``); the generation parameters mean what they mean for the API backends.

Engine options (``BackendOptions.model_options``, ``--model-option KEY=VALUE``): ``device``
(``auto``: CUDA when available, else Apple's MPS, else the CPU), ``dtype`` (``auto``: the
weights' own dtype on a GPU, float32 on the CPU), ``device_map`` (handed to
``from_pretrained``, e.g. ``auto`` to spread a large model over several GPUs) and
``batch_size`` (requests decoded together, default 16).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from codehazard._registry import require_extra
from codehazard.errors import BackendError, CodehazardError, InputError, MissingBackendExtraError
from codehazard.models._base import BackendOptions, ModelBackend
from codehazard.models._local import (
    check_chat,
    config_dtype,
    fingerprint,
    has_chat_template,
    model_directory,
    parse_options,
    positive_int,
    prompt_ids,
    request_seed,
)
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, GenerationParams, Mode, Request
from codehazard.tasks import Task

DTYPES = ("auto", "float32", "float16", "bfloat16")


def _choice(*allowed: str) -> Any:
    def parse(text: str) -> str:
        if text not in allowed:
            raise InputError(f"{text!r} is not one of {', '.join(allowed)}")
        return text

    return parse


def _device(text: str) -> str:
    if text in ("auto", "cpu", "cuda", "mps") or text.startswith("cuda:"):
        return text
    raise InputError(f"{text!r} is not a device")


OPTIONS = {
    "device": (_device, "auto", "auto, cpu, cuda, cuda:N or mps"),
    "dtype": (_choice(*DTYPES), "auto", "one of " + ", ".join(DTYPES)),
    "device_map": (str, None, "what from_pretrained takes, e.g. auto"),
    "batch_size": (positive_int, 16, "a positive integer"),
}


@register_backend("hf")
class HFBackend(ModelBackend):
    """A transformers causal LM from a local directory or the hub; see the module docstring.

    Raises (constructor):
        MissingBackendExtraError: transformers or torch is not installed.
        InputError: no model named, a path that does not exist or holds no ``config.json``, a
            hub name not cached while downloads are off, or a bad engine option.
        BackendError: a hub name that could not be fetched.
    """

    spec_help: ClassVar[str] = "hf/<path-or-name>"
    model_option_names: ClassVar[tuple[str, ...]] = tuple(OPTIONS)
    batch_size: ClassVar[int] = 16

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        for module in ("torch", "transformers"):
            require_extra("hf", module, feature="the hf backend", error=MissingBackendExtraError)
        import torch

        self.directory, name = model_directory(model, "hf")
        opts = parse_options(self.options, "hf", OPTIONS)
        self.device = _resolve_device(opts["device"], torch)
        self.device_map: str | None = opts["device_map"]
        self.dtype = _resolve_dtype(opts["dtype"], self.device, self.directory)
        self.batch_size = opts["batch_size"]  # type: ignore[misc]
        self.fingerprint = fingerprint(self.directory)
        # the weights and the dtype are the model's identity: every cache key holds them
        self.model = f"{name}@{self.fingerprint[:12]}:{self.dtype}"
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None

    # what the run sees ----------------------------------------------------------------------

    def resolve(self, params: GenerationParams) -> GenerationParams:
        """``params`` with the mode filled in (chat when the tokenizer has a chat template,
        completion otherwise) and checked against the template.

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
        """The directory, its fingerprint, the engine's settings and versions."""
        import torch
        import transformers

        return {
            **super().describe(),
            "path": str(self.directory),
            "fingerprint": self.fingerprint,
            "dtype": self.dtype,
            "device": self.device,
            "device_map": self.device_map,
            "batch_size": self.batch_size,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }

    # loading --------------------------------------------------------------------------------

    def tokenizer(self) -> Any:
        """The tokenizer, loaded on first use (from local files only).

        Raises:
            InputError: the directory's tokenizer files do not load.
        """
        with self._lock:
            if self._tokenizer is None:
                from transformers import AutoTokenizer

                self._tokenizer = _loading(
                    lambda: AutoTokenizer.from_pretrained(
                        str(self.directory), local_files_only=True
                    ),
                    f"the tokenizer in {self.directory}",
                    InputError,
                )
            return self._tokenizer

    def _loaded(self) -> tuple[Any, Any]:
        """The tokenizer and the model, each loaded once (in the generation thread)."""
        tokenizer = self.tokenizer()
        with self._lock:
            if self._model is None:
                self._model = _loading(self._load_model, f"the model in {self.directory}")
            return tokenizer, self._model

    def _load_model(self) -> Any:
        """The model in eval mode on its device, its generation config reduced to the special
        tokens: ``generate`` fills what a call leaves unset from it (transformers 5), and the
        sampling defaults a model ships (a repetition penalty, say) are not the run's."""
        import torch
        from transformers import AutoModelForCausalLM, GenerationConfig

        kwargs: dict[str, Any] = {"local_files_only": True}
        kwargs[_dtype_argument()] = getattr(torch, self.dtype)
        if self.device_map is not None:
            kwargs["device_map"] = self.device_map
        model = AutoModelForCausalLM.from_pretrained(str(self.directory), **kwargs)
        if self.device_map is None:
            model = model.to(self.device)
        shipped = model.generation_config
        model.generation_config = GenerationConfig(
            bos_token_id=shipped.bos_token_id,
            eos_token_id=shipped.eos_token_id,
            pad_token_id=shipped.pad_token_id,
        )
        return model.eval()

    # generation -----------------------------------------------------------------------------

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """One completion (a batch of one)."""
        return (await self.generate_batch([(request, task)]))[0]

    async def generate_batch(
        self, batch: Sequence[tuple[Request, Task | None]]
    ) -> list[Completion]:
        """The whole batch decoded together, in a worker thread (the event loop stays free).

        Raises:
            BackendError: the model does not load, or decoding failed (out of memory: the
                message says to lower ``batch_size``).
        """
        requests = [request for request, _ in batch]
        return await asyncio.to_thread(self._generate, requests)

    def _generate(self, requests: list[Request]) -> list[Completion]:
        tokenizer, model = self._loaded()
        started = time.perf_counter()
        try:
            results = _decode(tokenizer, model, requests)
        except CodehazardError:
            raise
        except Exception as exc:  # torch's and transformers' errors: ours, not the model's
            raise _decode_error(exc, len(requests)) from exc
        latency = time.perf_counter() - started
        context = _context(model)
        return [
            Completion(
                text=result.text,
                finish_reason=result.finish_reason,  # type: ignore[arg-type]
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                latency_s=latency,
                response_model=self.model,
                detail=(
                    f"the prompt has {result.prompt_tokens} tokens; the model's context holds "
                    f"{context}"
                    if result.finish_reason == "context_length"
                    else ""
                ),
            )
            for result in results
        ]


def _decode(tokenizer: Any, model: Any, requests: Sequence[Request]) -> list[Any]:
    from codehazard.models._hf_decode import generate_rows
    from codehazard.models.tiny import Sampling

    eos = _eos_ids(tokenizer, model)
    pad = tokenizer.pad_token_id
    pad = pad if pad is not None else min(eos)  # no pad token: the end of sequence pads
    sampling = [
        Sampling(
            temperature=r.temperature,
            top_p=r.top_p if r.top_p is not None else 1.0,
            max_tokens=r.max_tokens,
            stop=r.stop,
            seed=request_seed(r),
        )
        for r in requests
    ]
    return generate_rows(
        model,
        [prompt_ids(tokenizer, r) for r in requests],
        sampling,
        pad=pad,
        eos=eos,
        context=_context(model),
        decode=lambda ids: tokenizer.decode(ids, skip_special_tokens=True),
    )


def _eos_ids(tokenizer: Any, model: Any) -> frozenset[int]:
    """Every end-of-sequence id the tokenizer and the model's generation config name (chat
    models often have several: the end of a turn and the end of the text).

    Raises:
        BackendError: neither names one (nothing would ever end a reply).
    """
    ids: set[int] = set()
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (configured, tokenizer.eos_token_id):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(int(v) for v in value)
    if not ids:
        raise BackendError(
            "the hf backend: neither the tokenizer nor the model's generation config names an "
            "end-of-sequence token; set eos_token in the tokenizer's files"
        )
    return frozenset(ids)


def _context(model: Any) -> int | None:
    """The model's positions (``max_position_embeddings``); ``None`` when it records none."""
    value = getattr(model.config, "max_position_embeddings", None)
    return value if isinstance(value, int) and value > 0 else None


def _resolve_device(choice: str, torch: Any) -> str:
    if choice != "auto":
        return choice
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def _resolve_dtype(choice: str, device: str, directory: Path) -> str:
    """``auto``: float32 on the CPU (where half precision is slow or missing), else the
    dtype ``config.json`` records (float32 when it records none)."""
    if choice != "auto":
        return choice
    if device == "cpu":
        return "float32"
    recorded = config_dtype(directory)
    return recorded if recorded in DTYPES else "float32"


def _dtype_argument() -> str:
    """``from_pretrained``'s dtype keyword: ``dtype`` since transformers 4.56, before it
    ``torch_dtype`` (which later releases warn about)."""
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def _loading(load: Any, what: str, error: type[CodehazardError] = BackendError) -> Any:
    """``load()`` with transformers' progress bars off (they would cut across the run's
    display); a failure becomes ``error`` naming ``what``."""
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


def _decode_error(exc: Exception, rows: int) -> BackendError:
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
    if "out of memory" in str(exc).lower():
        return BackendError(
            f"the hf backend ran out of memory decoding a batch of {rows} ({detail}); lower "
            f"`model_options=batch_size={max(1, rows // 2)}`, or use a smaller dtype"
        )
    return BackendError(f"the hf backend failed decoding a batch of {rows} ({detail})")
