"""What the local engines (``hf/<path-or-name>``, ``vllm/<path>``) share.

Finding the model's directory (a local path is never looked up on the network), its
fingerprint (which weights answered, part of every cache key), the engine options
(``BackendOptions.model_options``), the token ids of a request's prompt (the tokenizer's chat
template in chat mode, the completion form as it is otherwise) and the cut at the first stop
sequence. Nothing here imports torch, transformers or vllm: the tokenizer is passed in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codehazard.errors import BackendError, InputError
from codehazard.models._base import BackendOptions
from codehazard.models._types import GenerationParams, Request

WHOLE_FILE = 32 * 2**20
"""Files up to this size are hashed whole (configs, tokenizers, small weights)."""
CHUNK = 2**20
SAMPLES = 16
"""A larger file is fingerprinted by its size and ``SAMPLES`` chunks of ``CHUNK`` bytes spread
evenly over it (its start, where a safetensors header lists every tensor, and its end among
them): 16 MiB read per file, where hashing tens of gigabytes would take minutes."""

_HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_HUB_FILES = ["*.json", "*.safetensors", "*.model", "*.txt", "*.tiktoken", "*.jinja"]
"""What is fetched of a hub repository: configs, safetensors weights, tokenizer files."""

CHAT_PROBE: tuple[dict[str, str], ...] = ({"role": "user", "content": "Reply with OK."},)
"""The messages a chat template is tried on before a run (with the run's system prompt)."""

Parsers = Mapping[str, tuple[Callable[[str], Any], Any, str]]
"""Engine options: name to (parser of the text value, default, what a good value is)."""


def request_seed(request: Request) -> int:
    """The seed of a request's draws: its own seed when it has one, else one derived from the
    request (so an unseeded run is still reproducible, sample by sample)."""
    if request.seed is not None:
        return request.seed % 2**63
    return int(request.cache_key()[:15], 16)


def request_sampling(request: Request) -> Any:
    """The local decoder's ``Sampling`` for a request (the tiny model's and transformers'
    batches take the same): its temperature, top-p (1.0 when unset), budget, stops and seed."""
    from codehazard.models.tiny import Sampling  # the decoder's own type, imported when used

    return Sampling(
        temperature=request.temperature,
        top_p=request.top_p if request.top_p is not None else 1.0,
        max_tokens=request.max_tokens,
        stop=request.stop,
        seed=request_seed(request),
    )


def positive_int(text: str) -> int:
    """An option's value as an integer of at least 1.

    Raises:
        InputError: not such an integer.
    """
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{text!r} is not an integer") from None
    if value < 1:
        raise InputError(f"{value} is less than 1")
    return value


def fraction(text: str) -> float:
    """An option's value as a number in (0, 1].

    Raises:
        InputError: not such a number.
    """
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number") from None
    if not 0.0 < value <= 1.0:
        raise InputError(f"{value} is not in (0, 1]")
    return value


def choice(*allowed: str) -> Callable[[str], str]:
    """A parser of an option's value that must be one of ``allowed``."""

    def parse(text: str) -> str:
        if text not in allowed:
            raise InputError(f"{text!r} is not one of {', '.join(allowed)}")
        return text

    return parse


def parse_options(options: BackendOptions, backend: str, parsers: Parsers) -> dict[str, Any]:
    """Every option of ``parsers``: the value given in ``options.model_options`` (parsed), else
    its default. Names the constructor has not refused are all in ``parsers``.

    Raises:
        InputError: a value does not parse; the message names the option and a good value.
    """
    values = {name: default for name, (_, default, _) in parsers.items()}
    for name, given in options.model_options.items():
        parse, _, good = parsers[name]
        try:
            values[name] = parse(str(given).strip())
        except InputError as exc:
            raise InputError(
                f"`model_options={name}={given}`: {exc}; the {backend} backend's {name} is {good}"
            ) from None
    return values


def model_directory(spec: str, backend: str) -> tuple[Path, str]:
    """The directory holding the model ``spec`` names and the name to show for it.

    A spec that is an existing path, or starts with ``/``, ``.`` or ``~``, or cannot be a hub
    name, is a local directory and never looked up on the network. A hub name (``org/name``) is
    taken from the local Hugging Face cache when it is there (no network either), else
    downloaded (configs, tokenizer and safetensors weights only).

    Raises:
        InputError: no spec, a local path that does not exist or holds no ``config.json``, or a
            hub name the local cache lacks when downloads are off.
        BackendError: the hub could not be reached (or refused) for a name not in the cache.
    """
    if not spec.strip():
        raise InputError(
            f"`model={backend}/<path>`: name the model's directory or hub name, e.g. "
            f"{backend}/./my-model or {backend}/Qwen/Qwen2.5-Coder-0.5B-Instruct"
        )
    path = Path(spec).expanduser()
    if spec.startswith(("/", ".", "~")) or path.exists() or not _HUB_NAME.match(spec):
        return _local_directory(spec, path, backend), path.resolve().name or spec
    return _hub_directory(spec, backend), spec


def _local_directory(spec: str, path: Path, backend: str) -> Path:
    resolved = path.resolve()
    fix = (
        "pass the directory that holds the model's config.json and weights "
        "(what save_pretrained writes)"
    )
    if not resolved.exists():
        raise InputError(f"`model={backend}/{spec}`: {resolved} does not exist; {fix}")
    if not resolved.is_dir():
        raise InputError(f"`model={backend}/{spec}`: {resolved} is a file, not a directory; {fix}")
    if not (resolved / "config.json").is_file():
        raise InputError(f"`model={backend}/{spec}`: {resolved} holds no config.json; {fix}")
    return resolved


def _hub_directory(name: str, backend: str) -> Path:
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.utils import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(name, allow_patterns=_HUB_FILES, local_files_only=True))
    except LocalEntryNotFoundError:
        pass
    if getattr(constants, "HF_HUB_OFFLINE", False):
        raise InputError(
            f"`model={backend}/{name}`: {name!r} is not a local directory and not in the "
            "Hugging Face cache, and downloads are off (HF_HUB_OFFLINE); download it first "
            f"(huggingface-cli download {name}) or pass the model's directory"
        )
    try:
        return Path(snapshot_download(name, allow_patterns=_HUB_FILES))
    except Exception as exc:  # the hub's many errors (network, 401, 404) all end here
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise BackendError(
            f"`model={backend}/{name}`: {name!r} is not a local directory, and fetching it "
            f"from the Hugging Face hub failed ({detail}); check the name, or pass the "
            "model's directory (a path starting with ./ or / is never looked up on the hub)"
        ) from None


def fingerprint(directory: Path) -> str:
    """SHA-256 over the directory's files (names, sizes, contents; large files sampled, see
    ``SAMPLES``): which weights, tokenizer and configuration answered. Part of every cache key,
    so answers of other weights are never served from the cache."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.is_file() and p.name[0] != "."):
        size = path.stat().st_size
        digest.update(f"{path.name}\0{size}\0".encode())
        with path.open("rb") as handle:
            if size <= WHOLE_FILE:
                while block := handle.read(CHUNK):
                    digest.update(block)
                continue
            for k in range(SAMPLES):
                handle.seek(k * (size - CHUNK) // (SAMPLES - 1))
                digest.update(handle.read(CHUNK))
    return digest.hexdigest()


def config_dtype(directory: Path) -> str | None:
    """The weights' dtype that ``config.json`` records (``torch_dtype``, or ``dtype`` in newer
    files), e.g. ``bfloat16``; ``None`` when it records none."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("dtype") or config.get("torch_dtype")
    return value if isinstance(value, str) else None


def has_chat_template(tokenizer: Any) -> bool:
    """Whether the tokenizer carries a chat template."""
    return bool(getattr(tokenizer, "chat_template", None))


def check_chat(tokenizer: Any, params: GenerationParams, where: Path) -> None:
    """Refuse chat mode for a tokenizer without a chat template, and a template that refuses
    the run's messages (one that allows no system message, with ``system_prompt`` set).

    Raises:
        InputError: no template, or the template failed on the messages.
    """
    if not has_chat_template(tokenizer):
        raise InputError(
            f"the tokenizer in {where} has no chat template, so chat prompts cannot be built; "
            "use `mode=completion` (the model continues each task's completion form), or a "
            "model whose tokenizer has a template (tokenizer_config.json or chat_template.jinja)"
        )
    messages = list(CHAT_PROBE)
    if params.system_prompt:
        messages.insert(0, {"role": "system", "content": params.system_prompt})
    try:
        render_chat(tokenizer, messages)
    except Exception as exc:  # jinja2's TemplateError, or what a template raises itself
        fix = "drop `system_prompt`" if params.system_prompt else "use `mode=completion`"
        raise InputError(
            f"the chat template in {where} refused the run's messages "
            f"({type(exc).__name__}: {exc}); {fix}"
        ) from None


def render_chat(tokenizer: Any, messages: Sequence[Mapping[str, str]]) -> str:
    """The chat template applied to ``messages``, ending with the assistant's turn opened."""
    text = tokenizer.apply_chat_template(
        [dict(m) for m in messages], add_generation_prompt=True, tokenize=False
    )
    return str(text)


def prompt_ids(tokenizer: Any, request: Request) -> list[int]:
    """The token ids a request sends: in chat mode the chat template's text, encoded without
    adding special tokens (the template writes its own, a BOS included); in completion mode
    the prompt as it is, with the tokenizer's usual special tokens (a BOS, for most)."""
    if request.mode == "chat":
        text = render_chat(tokenizer, request.messages or ())
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return list(tokenizer(request.prompt or "", add_special_tokens=True)["input_ids"])


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """``text`` cut before the first occurrence of any stop sequence, and whether one was found:
    the stop sequence itself is never part of the reply, as with the API backends."""
    found = [at for stop in stops if stop and (at := text.find(stop)) >= 0]
    if not found:
        return text, False
    return text[: min(found)], True
