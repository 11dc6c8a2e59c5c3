"""The tiny model's inference engine: a decoder-only transformer in numpy, batched, with a
key-value cache.

No extra install: numpy alone runs it on a CPU. The architecture is GPT-2's (learnt positions,
pre-layer-norm blocks, tanh GELU, tied input and output embeddings); the weights come from
``train.py`` in a ``.npz`` file loaded with ``allow_pickle=False``, so loading the model can
never run code. A batch is prefilled one prompt at a time (prompts differ in length) and then
decoded together, one token for every live sequence per step, attending over the cache with a
mask for each sequence's own length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from codehazard.errors import InputError
from codehazard.models.tiny._tokenizer import Tokenizer

FORMAT_VERSION = 1
COMPACT_BELOW = 4
"""Batches of this many rows or fewer are never compacted (the copy would not pay)."""
PREFILL_ROWS = 16
"""Prompts run into the cache together (their attention scores are rows x steps squared)."""
"""Batches of this many rows or fewer are never compacted (the copy would not pay)."""


@dataclass(frozen=True)
class Config:
    """The architecture, as recorded beside the weights."""

    vocab: int
    context: int
    layers: int
    heads: int
    width: int

    @property
    def head_width(self) -> int:
        """Channels per attention head."""
        return self.width // self.heads


@dataclass(frozen=True)
class Sampling:
    """How one sequence is sampled: ``temperature`` 0 is greedy (deterministic); ``top_p``
    keeps the smallest set of tokens whose probability reaches it; ``seed`` fixes the draws."""

    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class Generated:
    """One sequence's result: the text (cut before the first stop sequence), why it ended
    (``stop``, ``length`` or ``context_length``) and how many tokens each side used."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


def save(
    path: Path,
    config: Config,
    weights: dict[str, np.ndarray],
    tokenizer: Tokenizer,
    meta: dict[str, object] | None = None,
) -> None:
    """Write a weights file ``TinyModel.load`` reads: float16 arrays and a JSON metadata
    array (no pickles anywhere)."""
    arrays = {name: np.asarray(array, np.float16) for name, array in weights.items()}
    full = {
        **(meta or {}),
        "format": FORMAT_VERSION,
        "config": config.__dict__,
        "merges": [list(pair) for pair in tokenizer.merges],
    }
    arrays["meta"] = np.frombuffer(json.dumps(full).encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def init_weights(config: Config, seed: int) -> dict[str, np.ndarray]:
    """Random weights of the right shapes (GPT-2's initialisation): what training starts from,
    and what tests and benchmarks use when they need a model of a given size."""
    rng = np.random.default_rng(seed)
    d, f = config.width, 4 * config.width

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(0.0, 0.02, shape).astype(np.float32)

    w = {"wte": normal(config.vocab, d), "wpe": normal(config.context, d)}
    for layer in range(config.layers):
        p = f"h{layer}."
        for name in ("ln1", "ln2"):
            w[p + name + ".g"], w[p + name + ".b"] = np.ones(d, np.float32), np.zeros(d, np.float32)
        shapes = {"attn": (d, 3 * d), "proj": (d, d), "fc": (d, f), "out": (f, d)}
        for name, (n_in, n_out) in shapes.items():
            w[p + name + ".w"], w[p + name + ".b"] = (
                normal(n_in, n_out),
                np.zeros(n_out, np.float32),
            )
    w["lnf.g"], w["lnf.b"] = np.ones(d, np.float32), np.zeros(d, np.float32)
    return w


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gain + bias


def _dense(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x @ weight + bias`` as one matrix product over every row of every sequence: numpy
    multiplies a (batch, steps, width) array by a matrix one batch row at a time, which for
    one decoding step is a vector product per sequence."""
    flat = x.reshape(-1, x.shape[-1]) @ weight
    flat += bias
    return flat.reshape(*x.shape[:-1], weight.shape[1])


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU's tanh form, in place on ``x`` (a fresh product), in float32 throughout
    (``x ** 3`` would call the slow general power function)."""
    inner = x * x
    inner *= 0.044715 * 0.7978845608028654
    inner += 0.7978845608028654
    inner *= x
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= x
    inner *= 0.5
    return inner


class TinyModel:
    """Loaded weights, the tokenizer and the generation loop."""

    def __init__(self, config: Config, weights: dict[str, np.ndarray], tokenizer: Tokenizer):
        self.config = config
        self.w = weights
        self.tokenizer = tokenizer

    @classmethod
    def load(cls, path: Path) -> TinyModel:
        """Read a weights file written by ``train.py``.

        Raises:
            InputError: the file is missing, not a weights file of this format, or inconsistent.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a tiny-model weights file ({exc})") from None
        try:
            meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
            if meta["format"] != FORMAT_VERSION:
                raise InputError(
                    f"{path}: weights format {meta['format']}, this codehazard reads "
                    f"{FORMAT_VERSION}; retrain with python -m codehazard.models.tiny.train"
                )
            config = Config(**meta["config"])
            tokenizer = Tokenizer([tuple(pair) for pair in meta["merges"]])  # type: ignore[misc]
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: malformed tiny-model metadata ({exc})") from None
        if tokenizer.vocab_size != config.vocab:
            raise InputError(f"{path}: tokenizer and embedding sizes disagree")
        weights = {name: array.astype(np.float32) for name, array in arrays.items()}
        return cls(config, weights, tokenizer)

    # the network ---------------------------------------------------------------------------

    def _block(
        self,
        layer: int,
        x: np.ndarray,
        keys: np.ndarray,
        values: np.ndarray,
        positions: np.ndarray,
    ) -> np.ndarray:
        """One block for ``x`` (batch, steps, width) at ``positions`` (batch, steps); writes
        this step's keys and values into the caches (batch, heads, context, head width)."""
        w, cfg = self.w, self.config
        batch, steps, _ = x.shape
        p = f"h{layer}."
        h = _layer_norm(x, w[p + "ln1.g"], w[p + "ln1.b"])
        qkv = _dense(h, w[p + "attn.w"], w[p + "attn.b"])
        q, k, v = np.split(qkv, 3, axis=-1)
        shape = (batch, steps, cfg.heads, cfg.head_width)
        q = q.reshape(shape).transpose(0, 2, 1, 3)
        k = k.reshape(shape).transpose(0, 2, 1, 3)
        v = v.reshape(shape).transpose(0, 2, 1, 3)
        rows = np.arange(batch)[:, None]
        keys[rows, :, positions] = k.transpose(0, 2, 1, 3)
        values[rows, :, positions] = v.transpose(0, 2, 1, 3)
        span = int(positions.max()) + 1
        # a float32 scale: numpy's own float64 scalar (np.sqrt of an int) would promote the
        # scores, the softmax and the product with the cache to float64 (a cast of the cache
        # every step, the steps slowing as sequences grew)
        scale = np.float32(1.0 / np.sqrt(cfg.head_width))
        scores = (q * scale) @ keys[:, :, :span].transpose(0, 1, 3, 2)
        visible = np.arange(span)[None, None, :] <= positions[:, :, None]
        scores = np.where(visible[:, None], scores, -1e9)
        scores -= scores.max(-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(-1, keepdims=True)
        attended = (weights @ values[:, :, :span]).transpose(0, 2, 1, 3).reshape(x.shape)
        x = x + _dense(attended, w[p + "proj.w"], w[p + "proj.b"])
        h = _layer_norm(x, w[p + "ln2.g"], w[p + "ln2.b"])
        h = _gelu(_dense(h, w[p + "fc.w"], w[p + "fc.b"]))
        return x + _dense(h, w[p + "out.w"], w[p + "out.b"])

    def _forward(
        self,
        tokens: np.ndarray,
        positions: np.ndarray,
        cache: list[tuple[np.ndarray, ...]],
        last: np.ndarray | None = None,
    ) -> np.ndarray:
        """Logits of the last step for each sequence of ``tokens`` (batch, steps), or of step
        ``last[row]`` for each row (prompts padded to one length)."""
        x = self.w["wte"][tokens] + self.w["wpe"][positions]
        for layer, (keys, values) in enumerate(cache):
            x = self._block(layer, x, keys, values, positions)
        x = x[:, -1] if last is None else x[np.arange(len(x)), last]
        x = _layer_norm(x, self.w["lnf.g"], self.w["lnf.b"])
        return x @ self.w["wte"].T

    def _cache(self, batch: int) -> list[tuple[np.ndarray, ...]]:
        cfg = self.config
        shape = (batch, cfg.heads, cfg.context, cfg.head_width)
        return [
            (np.zeros(shape, np.float32), np.zeros(shape, np.float32)) for _ in range(cfg.layers)
        ]

    # generation ----------------------------------------------------------------------------

    def generate(self, prompts: list[str], sampling: list[Sampling]) -> list[Generated]:
        """Continue each prompt; sequences stop at ``<eos>``, a stop sequence, ``max_tokens``
        or the end of the context, independently of one another."""
        cfg, tok = self.config, self.tokenizer
        encoded = [tok.encode(prompt) for prompt in prompts]
        results: list[Generated | None] = [None] * len(prompts)
        live = []
        for i, ids in enumerate(encoded):
            if not ids or len(ids) >= cfg.context:
                results[i] = Generated("", "context_length", len(ids), 0)
            else:
                live.append(i)
        cache = self._cache(len(prompts))
        logits = np.zeros((len(prompts), cfg.vocab), np.float32)
        self._prefill(encoded, live, cache, logits)
        rngs = [np.random.default_rng(s.seed) for s in sampling]
        out: dict[int, list[int]] = {i: [] for i in live}
        written: dict[int, bytearray] = {i: bytearray() for i in live}
        stops = [tuple(s.encode("utf-8", "surrogatepass") for s in x.stop) for x in sampling]
        position = {i: len(encoded[i]) for i in live}
        # the live rows step together (a finished row repeats a harmless step at its last
        # position); once half the rows have finished, the batch is compacted to the live ones:
        # copying the cache then costs less than the steps the finished rows would still take
        row = {i: i for i in live}
        tokens = np.zeros((len(prompts), 1), np.int64)
        positions = np.zeros((len(prompts), 1), np.int64)
        while live:
            still = []
            for i in live:
                token = _pick(logits[row[i]], sampling[i], rngs[i])
                ending = self._ending(token, out[i], written[i], stops[i], position[i], sampling[i])
                if ending is None:
                    still.append(i)
                    tokens[row[i], 0], positions[row[i], 0] = token, position[i]
                    position[i] += 1
                    continue
                text, reason = ending
                results[i] = Generated(text, reason, len(encoded[i]), len(out[i]))
            live = still
            if not live:
                break
            if 2 * len(live) <= len(tokens) and len(tokens) > COMPACT_BELOW:
                keep = np.array([row[i] for i in live])
                cache = [(k[keep], v[keep]) for k, v in cache]
                tokens, positions = tokens[keep], positions[keep]
                row = {i: r for r, i in enumerate(live)}
            logits = self._forward(tokens, positions, cache)
        return [r for r in results if r is not None]

    def _prefill(
        self,
        encoded: list[list[int]],
        live: list[int],
        cache: list[tuple[np.ndarray, ...]],
        logits: np.ndarray,
    ) -> None:
        """Run the prompts of ``live`` into the cache, ``PREFILL_ROWS`` rows at a time, each
        group padded to its longest prompt: a padded step writes keys and values past its
        row's prompt, which no real step can see (the mask) and decoding overwrites."""
        wanted = set(live)
        for start in range(0, len(encoded), PREFILL_ROWS):
            rows = range(start, min(start + PREFILL_ROWS, len(encoded)))
            lengths = [len(encoded[r]) if r in wanted else 1 for r in rows]
            if not any(r in wanted for r in rows):
                continue
            width = max(lengths)
            ids = np.zeros((len(rows), width), np.int64)
            for n, r in enumerate(rows):
                if r in wanted:
                    ids[n, : lengths[n]] = encoded[r]
            positions = np.broadcast_to(np.arange(width), ids.shape)
            view = [(k[rows.start : rows.stop], v[rows.start : rows.stop]) for k, v in cache]
            last = np.array(lengths) - 1
            logits[rows.start : rows.stop] = self._forward(ids, positions, view, last)

    def _ending(
        self,
        token: int,
        out: list[int],
        text: bytearray,
        stops: tuple[bytes, ...],
        position: int,
        sampling: Sampling,
    ) -> tuple[str, str] | None:
        """Append ``token`` to ``out`` (and its bytes to ``text``) and say whether the sequence
        has ended, with its text and why (``None`` while it goes on).

        Only the tail can hold a stop sequence that was not there a step ago, so each step
        searches the new bytes and the few before them: decoding and searching the whole text
        every step made a sequence's steps slower the longer it grew. A stop sequence's bytes
        (valid UTF-8, never starting with a continuation byte) are found in the bytes exactly
        where the text holds it, so the text cut before it is the same."""
        tok = self.tokenizer
        if token == tok.eos:
            return tok.decode(out), "stop"
        out.append(token)
        before = len(text)
        text += tok.decode_bytes((token,))
        found = [at for s in stops if (at := text.find(s, max(0, before - len(s) + 1))) >= 0 and s]
        if found:
            return bytes(text[: min(found)]).decode("utf-8", "replace"), "stop"
        if len(out) >= sampling.max_tokens or position + 1 >= self.config.context:
            return bytes(text).decode("utf-8", "replace"), "length"
        return None


def _pick(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> int:
    """The next token: argmax at temperature 0, else a draw from the tempered, nucleus-cut
    distribution."""
    if sampling.temperature <= 0.0:
        return int(np.argmax(logits))
    scaled = logits.astype(np.float64) / sampling.temperature
    scaled -= scaled.max()
    probs = np.exp(scaled)
    probs /= probs.sum()
    if sampling.top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        cumulative = np.cumsum(probs[order])
        keep = order[: int(np.searchsorted(cumulative, sampling.top_p)) + 1]
        mask = np.zeros_like(probs)
        mask[keep] = probs[keep]
        probs = mask / mask.sum()
    return int(rng.choice(len(probs), p=probs))
