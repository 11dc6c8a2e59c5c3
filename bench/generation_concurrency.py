"""Benchmark: does generation keep ``--max-connections`` requests in flight?

Against the loopback OpenAI-compatible server (``tests/openai_server.py``, run as its own
process) answering every request after 200 ms, 1,000 requests at 64 in flight should take the
ideal 1000 / 64 x 0.2 s = 3.125 s; the target is within 1.5x of that. Prints the ratio and
exits non-zero above the target. Run from the repository root::

    python bench/generation_concurrency.py [--requests 1000] [--connections 64] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

from codehazard.generation import Generator, RetryPolicy
from codehazard.models import BackendOptions, GenerationParams, create_backend
from codehazard.tasks import Task, TestChecker

SERVER = Path(__file__).resolve().parents[1] / "tests" / "openai_server.py"
TARGET = 1.5


def tasks(count: int) -> list[Task]:
    """``count`` small tasks (one request each)."""
    check = TestChecker(test="def check(c):\n    assert c(1) == 2\n")
    return [
        Task(task_id=f"b/{i}", prompt=f"def f{i}(x):\n", entry_point=f"f{i}", checker=check)
        for i in range(count)
    ]


async def generate(base_url: str, requests: int, connections: int) -> tuple[float, int]:
    """Wall seconds for ``requests`` requests at ``connections`` in flight, and the failures."""
    options = BackendOptions(base_url=base_url, api_key="bench", max_connections=connections)
    backend = create_backend("openai/bench-model", options)
    params = backend.resolve(GenerationParams(max_tokens=16))
    generator = Generator(
        backend, params, max_connections=connections, retry=RetryPolicy(attempts=1)
    )
    results = []
    jobs = [(t, 0) for t in tasks(requests)]
    try:
        await generator.generate(jobs[0][0], 1)  # connect and warm up, outside the timing
        started = time.perf_counter()
        await generator.run(jobs, results.append)
        elapsed = time.perf_counter() - started
    finally:
        await backend.aclose()
    return elapsed, sum(1 for r in results if r.meta.error is not None)


def main() -> int:
    """Run the benchmark once; print the timing and the ratio to the ideal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--latency", str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        url = f"http://127.0.0.1:{port}/v1"
        elapsed, failed = asyncio.run(generate(url, args.requests, args.connections))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    ideal = args.requests / args.connections * args.latency
    ratio = elapsed / ideal
    print(
        f"{args.requests} requests, {args.connections} in flight, {args.latency * 1000:.0f} ms "
        f"each: {elapsed:.2f} s (ideal {ideal:.3f} s), ratio {ratio:.2f} "
        f"(target <= {TARGET}), {failed} failed"
    )
    return 0 if ratio <= TARGET and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
