"""Benchmark: the built-in model's decoding speed on this CPU, against its own matmul floor.

Decodes a batch of 64 building-blocks prompts (greedy, up to 128 new tokens each) with the
shipped weights and prints generated tokens/s (target: 2,000 or more on 2 cores). In the same
run it measures the floor: the time the same per-step matrix products take alone (numpy, the
same shapes, no attention, sampling or bookkeeping), and prints the engine's share of it.
Run from the repository root::

    python bench/tiny_throughput.py [--batch 64] [--tokens 128]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from codehazard.models.tiny import WEIGHTS, Sampling, load_model
from codehazard.tasks.suites import get_suite

TARGET_TOKENS_PER_S = 2000.0


def matmul_floor(model: object, batch: int, steps: int) -> float:
    """Seconds the decode steps' weight products alone take for ``steps`` steps."""
    w = model.w  # type: ignore[attr-defined]
    cfg = model.config  # type: ignore[attr-defined]
    x = np.random.default_rng(0).normal(size=(batch, cfg.width)).astype(np.float32)
    started = time.perf_counter()
    for _ in range(steps):
        for layer in range(cfg.layers):
            p = f"h{layer}."
            x @ w[p + "attn.w"]
            x @ w[p + "proj.w"]
            (x @ w[p + "fc.w"]) @ w[p + "out.w"]
        x @ w["wte"].T
    return time.perf_counter() - started


def main() -> int:
    """Print tokens/s, the floor's, and the ratio; exit 1 below the target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the fastest counts")
    args = parser.parse_args()
    model = load_model(str(WEIGHTS))
    tasks = get_suite("building-blocks").build(seed=0, lengths=(1, 2, 3), per_length=30)
    prompts = [t.prompt for t in tasks][: args.batch]
    prompts += prompts[: args.batch - len(prompts)]
    plans = [Sampling(max_tokens=args.tokens) for _ in prompts]
    model.generate(prompts[:2], plans[:2])  # warm: numpy's first products allocate
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        results = model.generate(prompts, plans)
        times.append(time.perf_counter() - started)
    elapsed = min(times)  # the machine is shared: the least disturbed of the repeats
    generated = sum(r.completion_tokens for r in results)
    steps = max(r.completion_tokens for r in results)
    floor_s = matmul_floor(model, len(prompts), steps)
    rate = generated / elapsed
    print(
        f"tiny model: {generated} tokens in {elapsed:.2f} s = {rate:.0f} tokens/s "
        f"(batch {len(prompts)}, {steps} steps, prefill included; fastest of {args.repeat})"
    )
    print(
        f"matmul floor: the same steps' weight products alone take {floor_s:.2f} s "
        f"= {generated / floor_s:.0f} tokens/s; the engine reaches {floor_s / elapsed:.2f} "
        "of the floor"
    )
    ok = rate >= TARGET_TOKENS_PER_S
    print(f"target {TARGET_TOKENS_PER_S:.0f} tokens/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
