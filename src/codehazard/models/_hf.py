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

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from codehazard.errors import BackendError, CodehazardError, InputError
from codehazard.models._base import BackendOptions
from codehazard.models._local import (
    choice,
    config_dtype,
    positive_int,
    prompt_ids,
    request_sampling,
)
from codehazard.models._local_backend import LocalBackend, loading
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, Request

DTYPES = ("auto", "float32", "float16", "bfloat16")


def _device(text: str) -> str:
    if text in ("auto", "cpu", "cuda", "mps") or text.startswith("cuda:"):
        return text
    raise InputError(f"{text!r} is not a device")


OPTIONS = {
    "device": (_device, "auto", "auto, cpu, cuda, cuda:N or mps"),
    "dtype": (choice(*DTYPES), "auto", "one of " + ", ".join(DTYPES)),
    "device_map": (str, None, "what from_pretrained takes, e.g. auto"),
    "batch_size": (positive_int, 16, "a positive integer"),
}


@register_backend("hf")
class HFBackend(LocalBackend):
    """A transformers causal LM from a local directory or the hub; see the module docstring.

    Raises (constructor):
        MissingBackendExtraError: transformers or torch is not installed.
        InputError: no model named, a path that does not exist or holds no ``config.json``, a
            hub name not cached while downloads are off, or a bad engine option.
        BackendError: a hub name that could not be fetched.
    """

    spec_help: ClassVar[str] = "hf/<path-or-name>"
    model_option_names: ClassVar[tuple[str, ...]] = tuple(OPTIONS)
    option_parsers = OPTIONS
    extra: ClassVar[str] = "hf"
    modules: ClassVar[tuple[str, ...]] = ("torch", "transformers")
    batch_size: ClassVar[int] = 16

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        import torch

        self.device = _resolve_device(self.settings["device"], torch)
        self.device_map: str | None = self.settings["device_map"]
        self.dtype = _resolve_dtype(self.settings["dtype"], self.device, self.directory)
        self.batch_size = self.settings["batch_size"]  # type: ignore[misc]
        self.model = self.identity(self.dtype)
        self._model: Any = None

    def describe(self) -> dict[str, Any]:
        """The directory, its fingerprint, the engine's settings (resolved) and versions."""
        import torch
        import transformers

        return {
            **super().describe(),
            "dtype": self.dtype,
            "device": self.device,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }

    # loading --------------------------------------------------------------------------------

    def _loaded(self) -> tuple[Any, Any]:
        """The tokenizer and the model, each loaded once (in the generation thread)."""
        tokenizer = self.tokenizer()
        with self._lock:
            if self._model is None:
                self._model = loading(self._load_model, f"the model in {self.directory}")
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

    def _generate(self, requests: list[Request]) -> list[Completion]:
        """The whole batch decoded together (out of memory: the message says to lower
        ``batch_size``)."""
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

    eos = _eos_ids(tokenizer, model)
    pad = tokenizer.pad_token_id
    pad = pad if pad is not None else min(eos)  # no pad token: the end of sequence pads
    sampling = [request_sampling(r) for r in requests]
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


def _decode_error(exc: Exception, rows: int) -> BackendError:
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
    if "out of memory" in str(exc).lower():
        return BackendError(
            f"the hf backend ran out of memory decoding a batch of {rows} ({detail}); lower "
            f"`model_options=batch_size={max(1, rows // 2)}`, or use a smaller dtype"
        )
    return BackendError(f"the hf backend failed decoding a batch of {rows} ({detail})")
