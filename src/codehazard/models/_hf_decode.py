"""Batched decoding with transformers' ``generate``: left padding, per-row sampling, stops.

Imported only once the ``hf`` extra is known to be installed (``_hf.py`` checks first): this
module imports torch and transformers at its top.

One ``generate`` call decodes a whole batch, left-padded (decoder-only models continue from
the right end of every row) with an attention mask, so the padding changes no row's output:
batched greedy decoding gives what one-by-one decoding gives. What the run asked for is
applied per row, never batch-wide:

- **sampling**: ``generate`` runs greedy, and ``RowSampler`` (a logits processor) draws each
  sampled row's token from that row's own seeded generator, at its own temperature and top-p,
  leaving one allowed token. A row's draws therefore depend on its seed alone, not on which
  rows share its batch or in what order; greedy rows are left to ``generate``'s argmax;
- **stop sequences and budgets**: ``RowStops`` (a stopping criterion) ends a row when the text
  of its last tokens holds one of its stop sequences, or at its own ``max_tokens``;
- **the context**: a row whose prompt plus budget exceeds the model's positions is decoded on
  its own, up to the context's end (``length``), so no batch runs a row past the positions
  the model has; a prompt that fills the context gets no output (``context_length``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from transformers import (
    GenerationConfig,
    LogitsProcessor,
    LogitsProcessorList,
    StoppingCriteria,
    StoppingCriteriaList,
)

from codehazard.models._local import cut_at_stop
from codehazard.models.tiny import Generated, Sampling

Decode = Callable[[list[int]], str]
"""Token ids to text, special tokens dropped (the tokenizer's ``decode``)."""


def _draw(
    logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator
) -> int:
    """One token from the tempered distribution, cut to the smallest set of tokens whose
    probability reaches ``top_p`` (the most likely first; ties in a stable order)."""
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p < 1.0:
        ordered, order = torch.sort(probs, descending=True, stable=True)
        keep = (ordered.cumsum(-1) - ordered) < top_p
        keep[0] = True
        probs = torch.zeros_like(probs).scatter(0, order[keep], ordered[keep])
        probs = probs / probs.sum()
    return int(torch.multinomial(probs, 1, generator=generator).item())


class RowSampler(LogitsProcessor):
    """Each sampled row's next token, drawn from that row's own generator (see the module)."""

    def __init__(self, sampling: Sequence[Sampling]) -> None:
        self.sampling = list(sampling)
        self.rows = [i for i, s in enumerate(sampling) if s.temperature > 0.0]
        self.generators: dict[int, torch.Generator] = {}

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> Any:
        if not self.rows:
            return scores
        if not self.generators:  # on the scores' device, where the draws happen
            for row in self.rows:
                generator = torch.Generator(device=scores.device)
                generator.manual_seed(self.sampling[row].seed)
                self.generators[row] = generator
        chosen = torch.full_like(scores, float("-inf"))
        for row in self.rows:
            s = self.sampling[row]
            token = _draw(scores[row], s.temperature, s.top_p, self.generators[row])
            chosen[row, token] = 0.0
        sampled = torch.zeros(scores.shape[0], 1, dtype=torch.bool, device=scores.device)
        sampled[self.rows] = True
        return torch.where(sampled, chosen, scores)


class RowStops(StoppingCriteria):
    """Ends each row at its first stop sequence or at its own budget; records which and when.

    Only the text of a row's last tokens is decoded each step (a stop sequence of ``k``
    characters spans at most ``4k + 1`` byte-level tokens), so a step's cost does not grow with
    the text; the whole text is cut again at the end (``finish``), which is exact.
    """

    def __init__(
        self, start: int, sampling: Sequence[Sampling], decode: Decode, eos: frozenset[int]
    ) -> None:
        self.start = start
        self.sampling = list(sampling)
        self.decode = decode
        self.eos = eos
        longest = max((len(stop) for s in sampling for stop in s.stop), default=0)
        self.window = 4 * longest + 4
        self.ended: list[tuple[int, str] | None] = [None] * len(sampling)

    def __call__(
        self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any
    ) -> Any:
        made = input_ids.shape[1] - self.start
        tail = input_ids[:, max(self.start, input_ids.shape[1] - self.window) :].tolist()
        for row, s in enumerate(self.sampling):
            if self.ended[row] is not None or (tail[row] and tail[row][-1] in self.eos):
                continue
            if s.stop and cut_at_stop(self.decode(tail[row]), s.stop)[1]:
                self.ended[row] = (made, "stop")
            elif made >= s.max_tokens:
                self.ended[row] = (made, "length")
        done = [ended is not None for ended in self.ended]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def _finish(
    new: list[int], ended: tuple[int, str] | None, eos: frozenset[int], decode: Decode
) -> tuple[list[int], str]:
    """A row's own tokens (without the end of sequence and the padding after it) and why it
    ended: the model's end of sequence counts when it came no later than our own end."""
    at = next((i for i, token in enumerate(new) if token in eos), None)
    if at is not None and (ended is None or at < ended[0]):
        return new[:at], "stop"
    if ended is not None:
        return new[: ended[0]], ended[1]
    return new, "length"


def _decode_group(
    model: Any,
    prompts: Sequence[list[int]],
    sampling: Sequence[Sampling],
    *,
    pad: int,
    eos: frozenset[int],
    decode: Decode,
) -> list[Generated]:
    """One ``generate`` call for rows that all fit the context with their budgets."""
    width = max(len(ids) for ids in prompts)
    device = model.device
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
    config = GenerationConfig(
        do_sample=False,
        num_beams=1,
        max_new_tokens=max(s.max_tokens for s in sampling),
        pad_token_id=pad,
        eos_token_id=sorted(eos),
    )
    stops = RowStops(width, sampling, decode, eos)
    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            generation_config=config,
            logits_processor=LogitsProcessorList([RowSampler(sampling)]),
            stopping_criteria=StoppingCriteriaList([stops]),
        )
    rows = out[:, width:].tolist()
    results = []
    for row, s in enumerate(sampling):
        tokens, reason = _finish(rows[row], stops.ended[row], eos, decode)
        text, stopped = cut_at_stop(decode(tokens), s.stop)
        results.append(
            Generated(text, "stop" if stopped else reason, len(prompts[row]), len(tokens))
        )
    return results


def generate_rows(
    model: Any,
    prompts: Sequence[list[int]],
    sampling: Sequence[Sampling],
    *,
    pad: int,
    eos: frozenset[int],
    context: int | None,
    decode: Decode,
) -> list[Generated]:
    """Continue every prompt (token ids) under its own sampling; results in order.

    Rows whose prompt plus ``max_tokens`` fit ``context`` (the model's positions; ``None``: no
    limit) are decoded in one batch; each other row alone, its budget cut to the context.
    """
    results: list[Generated | None] = [None] * len(prompts)
    together = []
    for row, (ids, s) in enumerate(zip(prompts, sampling, strict=True)):
        room = None if context is None else context - len(ids)
        if not ids or (room is not None and room <= 0):
            results[row] = Generated("", "context_length", len(ids), 0)
        elif room is not None and s.max_tokens > room:
            short = Sampling(s.temperature, s.top_p, room, s.stop, s.seed)
            alone = _decode_group(model, [ids], [short], pad=pad, eos=eos, decode=decode)[0]
            results[row] = alone
        else:
            together.append(row)
    if together:
        batch = _decode_group(
            model,
            [prompts[r] for r in together],
            [sampling[r] for r in together],
            pad=pad,
            eos=eos,
            decode=decode,
        )
        for row, result in zip(together, batch, strict=True):
            results[row] = result
    return [r for r in results if r is not None]
