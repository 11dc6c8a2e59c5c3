# ruff: noqa: E501 (tables of generated snippets: one per line reads better than wrapped)
"""Throughput of the security scan against bandit's own command line, on the same files.

Generates ``--files`` Python modules (default 10,000; seeded) into a temporary directory: a
mix of ordinary code (functions, classes, loops, string handling, docstrings; 20 to 120
lines) in which about one file in six holds a weakness and one in ten a safe look-alike
(``hashlib.md5(..., usedforsecurity=False)``, ``yaml.safe_load``, a parameterised query).
Then, in the same run and pinned to one CPU core:

* ``ours``: the security probe's analyser through ``codehazard.probes.scan_paths`` (what
  ``codehazard scan`` runs), in this process;
* ``bandit``: ``bandit -r DIR -f json -q`` (every test, bandit's default), in a subprocess;
* ``bandit-kept``: the same restricted to the tests our analyser keeps (``-t``).

It prints files per CPU-second for each (CPU time, so that a busy machine does not count
against either; wall time beside it), the ratios, and the files each flagged (the target is
200 files/s or better on one core for ``ours``). Run from the repository root::

    PYTHONPATH=src python bench/scan_throughput.py [--files 10000] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codehazard.probes import get_probe, scan_paths
from codehazard.probes._security_bandit import KEPT

TARGET = 200.0
_WEAK = [
    "import hashlib\n\ndef digest(password):\n    return hashlib.md5(password.encode()).hexdigest()\n",
    'import subprocess\n\ndef run(cmd):\n    return subprocess.check_output("sh -c " + cmd, shell=True)\n',
    "def lookup(conn, name):\n    return conn.execute(f\"SELECT * FROM t WHERE name = '{name}'\").fetchall()\n",
    "import yaml\n\ndef load(text):\n    return yaml.load(text)\n",
    "import requests\n\ndef get(url):\n    return requests.get(url, verify=False, timeout=5)\n",
    'import random\n\ndef make_token():\n    return "".join(random.choice("abcdef0123") for _ in range(16))\n',
    "import os\n\ndef share(path):\n    os.chmod(path, 0o777)\n",
    "import tempfile\n\ndef scratch():\n    return tempfile.mktemp()\n",
    "import pickle\n\ndef restore(blob):\n    return pickle.loads(blob)\n",
    "def calc(expr):\n    return eval(expr)\n",
]
_SAFE = [
    "import hashlib\n\ndef cache_key(s):\n    return hashlib.md5(s.encode(), usedforsecurity=False).hexdigest()\n",
    "import yaml\n\ndef load(text):\n    return yaml.safe_load(text)\n",
    'def lookup(conn, name):\n    return conn.execute("SELECT * FROM t WHERE name = ?", (name,)).fetchall()\n',
    'import subprocess\n\ndef run(args):\n    return subprocess.run(["git", *args], check=True)\n',
    "import secrets\n\ndef make_token():\n    return secrets.token_hex(16)\n",
]


def _function(rng: random.Random, index: int) -> str:
    name = rng.choice(["total", "scale", "merge", "parse", "render", "count", "clean"])
    args = rng.sample(["items", "factor", "text", "limit", "mapping", "prefix"], rng.randint(1, 3))
    body = [f'    """{name.title()} the {args[0]} ({index})."""', "    result = []"]
    for step in range(rng.randint(2, 10)):
        kind = rng.random()
        if kind < 0.3:
            body.append(f"    for i, value in enumerate({args[0]}):")
            body.append(f"        if i % {step + 2} == 0:")
            body.append("            result.append(value)")
        elif kind < 0.6:
            body.append(f"    label = '{name}-{step}'.upper().strip()")
            body.append("    result.append(label * 2)")
        elif kind < 0.8:
            body.append(f"    data = {{'k{step}': len(result), 'n': {step}}}")
            body.append("    result.extend(sorted(data))")
        else:
            body.append(f"    while len(result) > {step + 20}:")
            body.append("        result.pop()")
    body.append("    return result")
    return f"def {name}_{index}({', '.join(args)}):\n" + "\n".join(body) + "\n"


def _module(rng: random.Random, number: int) -> str:
    parts = [f'"""Generated module {number}."""\n', "import os\nimport json\n"]
    for index in range(rng.randint(2, 6)):
        parts.append(_function(rng, index))
    if rng.random() < 0.3:
        parts.append(f"class Store{number}:\n    def __init__(self):\n        self.items = []\n\n"
                     "    def add(self, item):\n        self.items.append(item)\n"
                     "        return len(self.items)\n")  # fmt: skip
    draw = rng.random()
    if draw < 1 / 6:
        parts.append(rng.choice(_WEAK))
    elif draw < 1 / 6 + 0.1:
        parts.append(rng.choice(_SAFE))
    return "\n\n".join(parts)


def generate(folder: Path, files: int, seed: int) -> int:
    """Write ``files`` modules under ``folder`` (100 a sub-folder); return their bytes."""
    rng = random.Random(seed)
    total = 0
    for number in range(files):
        sub = folder / f"pkg{number // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        text = _module(rng, number)
        (sub / f"mod{number:05d}.py").write_text(text)
        total += len(text)
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_ours(folder: Path) -> tuple[float, float, int, int]:
    """(CPU seconds, wall seconds, files scanned, files flagged) of the in-process scan."""
    probe = get_probe("security")
    probe.analyser().analyse("import yaml\nyaml.load(s)\n")  # bandit's test set, built once
    cpu, wall = time.process_time(), time.perf_counter()
    scanned = flagged = 0
    for result in scan_paths([folder], [probe]):
        scanned += 1
        flagged += bool(result.analyses["security"].findings)
    return time.process_time() - cpu, time.perf_counter() - wall, scanned, flagged


def time_bandit(folder: Path, tests: list[str] | None) -> tuple[float, float, int] | None:
    """(CPU seconds, wall seconds, files flagged) of bandit's command line on ``folder``."""
    exe = shutil.which("bandit")
    if exe is None:
        return None
    command = [exe, "-r", str(folder), "-f", "json", "-q"]
    if tests:
        command += ["-t", ",".join(tests)]
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu, wall = _children_cpu() - cpu, time.perf_counter() - wall
    try:
        flagged = len({r["filename"] for r in json.loads(done.stdout)["results"]})
    except (json.JSONDecodeError, KeyError):
        flagged = -1
    return cpu, wall, flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, inherited by bandit
    folder = args.keep or Path(tempfile.mkdtemp(prefix="scan-bench-"))
    try:
        size = generate(folder, args.files, args.seed)
        print(f"{args.files} files, {size / 1e6:.1f} MB, in {folder}")
        cpu, wall, scanned, flagged = time_ours(folder)
        rate = scanned / cpu
        print(f"ours        {rate:8.0f} files per CPU-second  ({cpu:.1f} CPU s, {wall:.1f} s wall, "
              f"{flagged} files flagged)", flush=True)  # fmt: skip
        rows = [("bandit-kept", sorted(KEPT)), ("bandit", None)]
        for name, tests in rows:
            measured = time_bandit(folder, tests)
            if measured is None:
                print(f"{name:11} not installed")
                continue
            b_cpu, b_wall, hits = measured
            print(f"{name:11} {args.files / b_cpu:8.0f} files per CPU-second  ({b_cpu:.1f} CPU s, "
                  f"{b_wall:.1f} s wall, {hits} files flagged); ours is {b_cpu / cpu:.2f}x as "
                  "fast", flush=True)  # fmt: skip
        verdict = "meets" if rate >= TARGET else "misses"
        print(f"target {TARGET:.0f} files/s on one core: {verdict}")
        return 0 if rate >= TARGET else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
