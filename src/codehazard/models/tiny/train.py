"""Train the tiny model from a seed: ``python -m codehazard.models.tiny.train --seed 0``.

Needs PyTorch (``pip install -e ".[train]"``). Builds the corpus (``_corpus.py``), learns the
tokenizer's merges on it, trains a GPT-2-shaped decoder with AdamW and a cosine schedule, and
writes the weights as ``.npz`` (float16, loaded with ``allow_pickle=False``) plus a JSON log of
the run (loss curve, sizes, times) that docs/tiny-model.md is written from. The same seed on the
same PyTorch version gives the same weights on a CPU (``torch.use_deterministic_algorithms``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from codehazard.models.tiny._corpus import Pair, build_corpus
from codehazard.models.tiny._engine import Config, save
from codehazard.models.tiny._tokenizer import Tokenizer, learn_merges

PROMPT_WEIGHT = 0.1
"""Loss weight of prompt tokens (the body and ``<eos>`` weigh 1): the model should learn to
write code, and to read specifications only as far as that needs."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        sys.exit('training needs PyTorch: pip install -e ".[train]"')
    return torch


def build_module(torch: Any, vocab: int, context: int, layers: int, heads: int, width: int) -> Any:
    """The network, with parameter names that map one to one onto the engine's arrays."""
    nn = torch.nn

    class Block(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(width)
            self.attn = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)
            self.ln2 = nn.LayerNorm(width)
            self.fc = nn.Linear(width, 4 * width)
            self.out = nn.Linear(4 * width, width)

        def forward(self, x: Any) -> Any:
            b, t, c = x.shape
            q, k, v = self.attn(self.ln1(x)).split(width, dim=2)
            shape = (b, t, heads, c // heads)
            q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
            y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
            h = torch.nn.functional.gelu(self.fc(self.ln2(x)), approximate="tanh")
            return x + self.out(h)

    class GPT(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.wte = nn.Embedding(vocab, width)
            self.wpe = nn.Embedding(context, width)
            self.h = nn.ModuleList(Block() for _ in range(layers))
            self.lnf = nn.LayerNorm(width)
            for name, p in self.named_parameters():
                if p.dim() >= 2:
                    std = (
                        0.02 / math.sqrt(2 * layers)
                        if name.endswith(("proj.weight", "out.weight"))
                        else 0.02
                    )
                    nn.init.normal_(p, 0.0, std)
                elif name.endswith("bias"):
                    nn.init.zeros_(p)

        def forward(self, idx: Any) -> Any:
            t = idx.shape[1]
            x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
            for block in self.h:
                x = block(x)
            return self.lnf(x) @ self.wte.weight.T

    return GPT()


def encode_pairs(
    tokenizer: Tokenizer, pairs: list[Pair], context: int
) -> list[tuple[list[int], int]]:
    """Each pair as token ids (prompt, body, ``<eos>``) and the prompt's length; pairs longer
    than the context are dropped (counted in the log)."""
    out = []
    for pair in pairs:
        prompt = tokenizer.encode(pair.prompt)
        ids = prompt + tokenizer.encode(pair.body) + [tokenizer.eos]
        if len(ids) <= context:
            out.append((ids, len(prompt)))
    return out


def batches(
    torch: Any, examples: list[tuple[list[int], int]], size: int, rng: random.Random
) -> Any:
    """Endless batches with loss weights: each epoch shuffles the examples, cuts them into
    runs of 50 batches, sorts each run by length (so a batch pads little) and shuffles the
    batches."""
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        groups: list[list[int]] = []
        run = size * 50
        for start in range(0, len(order), run):
            chunk = sorted(order[start : start + run], key=lambda i: len(examples[i][0]))
            groups += [chunk[i : i + size] for i in range(0, len(chunk) - size + 1, size)]
        rng.shuffle(groups)
        for group in groups:
            chosen = [examples[i] for i in group]
            width = max(len(ids) for ids, _ in chosen)
            x = torch.zeros((size, width - 1), dtype=torch.long)
            y = torch.zeros((size, width - 1), dtype=torch.long)
            w = torch.zeros((size, width - 1))
            for row, (ids, prompt) in enumerate(chosen):
                n = len(ids) - 1
                x[row, :n] = torch.tensor(ids[:-1])
                y[row, :n] = torch.tensor(ids[1:])
                w[row, :n] = 1.0
                w[row, : max(prompt - 1, 0)] = PROMPT_WEIGHT
            yield x, y, w


def export(model: Any, tokenizer: Tokenizer, meta: dict[str, Any], path: Path) -> None:
    """Write the trained weights in the engine's names (``_engine.save``)."""
    arrays: dict[str, np.ndarray] = {}
    for name, tensor in model.state_dict().items():
        parts = name.split(".")
        prefix, (module, kind) = (f"h{parts[1]}.", parts[2:]) if parts[0] == "h" else ("", parts)
        array = tensor.detach().cpu().numpy()
        if module in ("wte", "wpe"):
            key = module
        elif module.startswith("ln"):
            key = prefix + module + (".g" if kind == "weight" else ".b")
        else:
            key = prefix + module + (".w" if kind == "weight" else ".b")
            if kind == "weight":
                array = array.T  # torch keeps Linear weights as (out, in); the engine does x @ w
        arrays[key] = array
    config = Config(**meta["config"])
    save(path, config, arrays, tokenizer, {k: v for k, v in meta.items() if k != "config"})


def _corpus(args: argparse.Namespace) -> list[Pair]:
    """The corpus, read from ``--corpus-cache`` when it holds the one these arguments build
    (building it takes minutes; the cache only saves time, never changes the data)."""
    key = {
        "seed": args.seed,
        "block_seeds": args.block_seeds,
        "rewordings": args.rewordings,
        "binding_seeds": args.binding_seeds,
        "functions": args.functions,
    }
    cache: Path | None = args.corpus_cache
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text())
        if stored["key"] == key:
            return [Pair(*row) for row in stored["pairs"]]
    pairs = build_corpus(**key)
    if cache is not None:
        rows = [[p.source, p.prompt, p.body] for p in pairs]
        cache.write_text(json.dumps({"key": key, "pairs": rows}))
    return pairs


def main(argv: list[str] | None = None) -> int:
    """Train and write the weights and the training log."""
    parser = argparse.ArgumentParser(prog="python -m codehazard.models.tiny.train")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--context", type=int, default=320)
    parser.add_argument("--merges", type=int, default=700)
    parser.add_argument("--block-seeds", type=int, default=30)
    parser.add_argument("--rewordings", type=int, default=4)
    parser.add_argument("--binding-seeds", type=int, default=12)
    parser.add_argument("--functions", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).with_name("weights.npz")
    )
    parser.add_argument("--log", type=Path, default=None, help="training log (JSON)")
    parser.add_argument("--corpus-cache", type=Path, default=None, help="keep the corpus here")
    args = parser.parse_args(argv)
    torch = _torch()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    started = time.monotonic()
    pairs = _corpus(args)
    corpus_s = time.monotonic() - started
    texts = [p.prompt + p.body for p in pairs]
    tokenizer = Tokenizer(learn_merges(texts, args.merges))
    examples = encode_pairs(tokenizer, pairs, args.context)
    tokens = sum(len(ids) for ids, _ in examples)
    print(
        f"corpus: {len(pairs)} pairs, {len(examples)} fit, {tokens} tokens ({corpus_s:.0f} s)",
        flush=True,
    )
    model = build_module(
        torch, tokenizer.vocab_size, args.context, args.layers, args.heads, args.width
    )
    params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.95),
    )
    stream = batches(torch, examples, args.batch, random.Random(f"tiny/batches/{args.seed}"))
    warmup = max(1, args.steps // 20)
    curve: list[tuple[int, float]] = []
    seen_tokens = 0
    train_started = time.monotonic()
    for step in range(1, args.steps + 1):
        lr = args.lr * min(step / warmup, 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y, w = next(stream)
        logits = model(x)
        loss_each = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none"
        )
        loss = (loss_each * w.reshape(-1)).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seen_tokens += int((w > 0).sum())
        if step % 50 == 0 or step == 1:
            curve.append((step, round(loss.item(), 4)))
            rate = seen_tokens / (time.monotonic() - train_started)
            print(
                f"step {step}/{args.steps} loss {loss.item():.4f} ({rate:.0f} tokens/s)", flush=True
            )
    train_s = time.monotonic() - train_started
    meta = {
        "config": {
            "vocab": tokenizer.vocab_size,
            "context": args.context,
            "layers": args.layers,
            "heads": args.heads,
            "width": args.width,
        },
        "seed": args.seed,
        "parameters": params,
    }
    export(model, tokenizer, meta, args.output)
    log = {
        **meta,
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "corpus": {
            "pairs": len(pairs),
            "fit": len(examples),
            "tokens": tokens,
            "by_source": {s: sum(p.source == s for p in pairs) for s in {p.source for p in pairs}},
        },
        "torch": torch.__version__,
        "corpus_s": round(corpus_s, 1),
        "train_s": round(train_s, 1),
        "loss_curve": curve,
        "weights_bytes": args.output.stat().st_size,
    }
    log_path = args.log or args.output.with_suffix(".log.json")
    log_path.write_text(json.dumps(log, indent=1) + "\n")
    print(
        f"wrote {args.output} ({log['weights_bytes']} bytes, {params} parameters) "
        f"in {train_s:.0f} s; log {log_path}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
