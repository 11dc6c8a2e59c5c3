"""Benchmark: the ``vllm`` backend on a GPU, against the ``hf`` backend's greedy output.

Takes a model directory (``--model``) or builds a small random Llama-shaped one (heads 64 wide,
which vLLM's attention kernels take; nothing downloaded), asks both local backends for the same
greedy completions of building-blocks prompts through the backend interface a run uses
(``generate_batch``), and prints each one's generated tokens/s and how many of the completions
are identical. Greedy decoding of the same weights in the same dtype should agree; the script
exits 1 when any completion differs (the first difference is printed). Without vLLM or a GPU
it measures the ``hf`` backend alone (on the CPU if need be) and says what it skipped. Run from
the repository root::

    python bench/vllm_generate.py [--model DIR] [--prompts 64] [--max-tokens 128]
        [--dtype float16] [--tensor-parallel-size 1]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "models"))

from codehazard.models import BackendOptions, Completion, GenerationParams, create_backend
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite


def _prompts(count: int) -> list[Task]:
    tasks = get_suite("building-blocks").build(seed=0, lengths=(1, 2, 3), per_length=30)
    return [tasks[i % len(tasks)] for i in range(count)]


def _timed(
    spec: str, options: dict[str, object], tasks: list[Task], params: GenerationParams
) -> tuple[list[Completion], float]:
    """The completions of ``tasks`` from the backend ``spec`` and the seconds the timed batch
    took (after a warm-up batch of two, which loads the model and compiles what it compiles)."""
    backend = create_backend(spec, BackendOptions(model_options=options))  # type: ignore[arg-type]
    resolved = backend.resolve(params)
    batch = [(backend.build_request(t, i, resolved), t) for i, t in enumerate(tasks)]
    asyncio.run(backend.generate_batch(batch[:2]))
    started = time.perf_counter()
    completions = asyncio.run(backend.generate_batch(batch))
    return completions, time.perf_counter() - started


def _report(name: str, completions: list[Completion], seconds: float) -> None:
    tokens = sum(c.completion_tokens or 0 for c in completions)
    print(
        f"{name}: {tokens} tokens for {len(completions)} prompts in {seconds:.2f} s = "
        f"{tokens / seconds:.0f} tokens/s"
    )


def _vllm_missing() -> str | None:
    """Why vLLM cannot run here, or ``None``."""
    if importlib.util.find_spec("vllm") is None:
        return "vllm is not installed (pip install 'codehazard[vllm]')"
    import torch

    return None if torch.cuda.is_available() else "no CUDA GPU"


def main() -> int:
    """Print tokens/s for each backend and the greedy agreement; exit 1 on a difference."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="a model directory (default: build one)")
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--dtype", default="float16", help="both backends' dtype on a GPU")
    parser.add_argument("--tensor-parallel-size", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model
        if model is None:
            from hf_models import build_model

            model = build_model(Path(scratch) / "model", width=256, heads=4, context=1024)
            print(f"built a random Llama-shaped model (width 256, 2 layers) in {model}")
        tasks = _prompts(args.prompts)
        params = GenerationParams(temperature=0.0, max_tokens=args.max_tokens, mode="completion")
        missing = _vllm_missing()
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        hf_options: dict[str, object] = {"device": device, "batch_size": args.prompts}
        hf_options["dtype"] = args.dtype if device == "cuda" else "float32"
        hf, hf_s = _timed(f"hf/{model}", hf_options, tasks, params)
        _report(f"hf ({device}, {hf_options['dtype']})", hf, hf_s)
        if missing is not None:
            print(f"vllm: skipped: {missing}")
            return 0
        vllm_options: dict[str, object] = {
            "dtype": args.dtype,
            "tensor_parallel_size": args.tensor_parallel_size,
            "batch_size": args.prompts,
        }
        vl, vl_s = _timed(f"vllm/{model}", vllm_options, tasks, params)
        _report(f"vllm ({args.dtype}, tensor parallel {args.tensor_parallel_size})", vl, vl_s)
        print(f"vllm / hf throughput: {hf_s / vl_s:.1f}x")
        same = [a.text == b.text for a, b in zip(vl, hf, strict=True)]
        print(f"greedy completions identical: {sum(same)} of {len(same)}")
        if not all(same):
            first = same.index(False)
            print(f"first difference, prompt {first}:")
            print(f"  vllm {vl[first].text!r}\n  hf   {hf[first].text!r}")
            return 1
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
