"""Simulation: coverage and width of the interval every mean over tasks gets.

The estimator is a mean over ``T`` tasks of each task's pass fraction over ``n`` samples (pass@1
of a level, a suite or a breakdown cell; a status rate). Task rates are beta-distributed with
mean ``rate`` and intra-task correlation ``rho`` (``rho = 0``: every task has the same rate), and
each task's passes are binomial. For every scenario the script draws ``--reps`` data sets,
computes the cluster-score interval (``codehazard.scoring.task_rate_interval``, or
``task_passk_interval`` for the pass@k row) and reports:

* **coverage**: the share of intervals that contain the true mean (target 0.93-0.97 at 95%);
* **width / oracle**: the mean width over the oracle's, the interval that knows the true model:
  the exact 2.5% and 97.5% quantiles of the estimator's sampling distribution, from
  ``--oracle`` further draws (target at most 1.3);
* for contrast, the old curve interval (Wilson with ``n`` = the number of tasks).

Seeded: the same arguments print the same table. Exit status 0 when every scenario meets both
targets, 1 otherwise; ``--quick`` (300 data sets, a coverage standard error near 0.013) is a
smoke run that only flags coverage more than two standard errors outside the band. Run from the
repository root::

    PYTHONPATH=src python bench/interval_coverage.py [--quick] [--reps 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass

import numpy as np

from codehazard.scoring import rate_interval, task_passk_interval, task_rate_interval

COVERAGE = (0.93, 0.97)
WIDTH_RATIO = 1.3


@dataclass(frozen=True)
class Scenario:
    """One data-generating model: tasks, samples a task, mean rate, task correlation, k."""

    name: str
    tasks: int
    samples: int
    rate: float
    rho: float
    k: int = 1


SCENARIOS = (
    Scenario("13 x 10, no task variation", 13, 10, 0.6, 0.0),
    Scenario("no task variation", 30, 10, 0.5, 0.0),
    Scenario("task variation rho 0.3", 30, 10, 0.5, 0.3),
    Scenario("task variation rho 0.6", 30, 10, 0.5, 0.6),
    Scenario("few tasks, no variation", 5, 10, 0.5, 0.0),
    Scenario("few tasks, rho 0.3", 5, 10, 0.5, 0.3),
    Scenario("few tasks, rho 0.6", 5, 10, 0.4, 0.6),
    Scenario("n = 100, no variation", 20, 100, 0.5, 0.0),
    Scenario("n = 100, rho 0.3", 20, 100, 0.3, 0.3),
    Scenario("1 sample a task", 50, 1, 0.5, 0.0),
    Scenario("1 sample a task, 13 tasks", 13, 1, 0.3, 0.3),
    Scenario("rate 0.02, no variation", 50, 10, 0.02, 0.0),
    Scenario("rate 0.02, rho 0.1", 100, 10, 0.02, 0.1),
    Scenario("rate 0.98, no variation", 50, 10, 0.98, 0.0),
    Scenario("rate 0.98, rho 0.1", 100, 10, 0.98, 0.1),
    Scenario("rare, clustered", 50, 10, 0.02, 0.3),
    Scenario("rare, clustered, 30 x 5", 30, 5, 0.05, 0.5),
    Scenario("near 1, clustered", 50, 10, 0.98, 0.3),
    Scenario("pass@5, rho 0.3", 30, 10, 0.3, 0.3, k=5),
)


def task_rates(rng: np.random.Generator, sc: Scenario, draws: int) -> np.ndarray:
    """``(draws, tasks)`` true task rates: beta with mean ``rate`` and correlation ``rho``."""
    if sc.rho == 0:
        return np.full((draws, sc.tasks), sc.rate)
    scale = 1 / sc.rho - 1
    return rng.beta(sc.rate * scale, (1 - sc.rate) * scale, size=(draws, sc.tasks))


def truth(sc: Scenario) -> float:
    """The mean the interval should cover: E[p] for pass@1, E[1 - (1 - p)^k] for pass@k."""
    if sc.k == 1:
        return sc.rate
    if sc.rho == 0:
        return 1 - (1 - sc.rate) ** sc.k
    a, b = sc.rate * (1 / sc.rho - 1), (1 - sc.rate) * (1 / sc.rho - 1)
    # E[(1-p)^k] for p ~ Beta(a, b): prod_{i<k} (b + i) / (a + b + i)
    return 1 - math.prod((b + i) / (a + b + i) for i in range(sc.k))


def estimates(passes: np.ndarray, sc: Scenario) -> np.ndarray:
    """The estimator for each draw: the mean over tasks of pass@k's unbiased estimate."""
    if sc.k == 1:
        return passes.mean(axis=-1) / sc.samples
    table = np.array(
        [
            1 - math.comb(sc.samples - c, sc.k) / math.comb(sc.samples, sc.k)
            for c in range(sc.samples + 1)
        ]
    )
    return table[passes].mean(axis=-1)


def oracle_width(rng: np.random.Generator, sc: Scenario, draws: int) -> float:
    """Width between the exact 2.5% and 97.5% quantiles of the estimator under the true model."""
    passes = rng.binomial(sc.samples, task_rates(rng, sc, draws))
    low, high = np.quantile(estimates(passes, sc), [0.025, 0.975])
    return float(high - low)


def run(sc: Scenario, reps: int, oracle_draws: int, seed: int) -> dict[str, float]:
    """Coverage and widths of the cluster-score interval (and the old one) in one scenario."""
    rng = np.random.default_rng(seed)
    target = truth(sc)
    passes = rng.binomial(sc.samples, task_rates(rng, sc, reps))
    values = estimates(passes, sc)
    hits, widths, old_hits, old_widths = 0, [], 0, []
    for row, value in zip(passes, values, strict=True):
        counts = [(int(c), sc.samples) for c in row]
        if sc.k == 1:
            iv = task_rate_interval(counts).interval
        else:
            iv = task_passk_interval(counts, sc.k).interval
        hits += iv.low <= target <= iv.high
        widths.append(iv.high - iv.low)
        old = rate_interval(min(1.0, max(0.0, float(value))), sc.tasks)
        old_hits += old.low <= target <= old.high
        old_widths.append(old.high - old.low)
    oracle = oracle_width(rng, sc, oracle_draws)
    return {
        "coverage": hits / reps,
        "width": float(np.mean(widths)),
        "oracle": oracle,
        "ratio": float(np.mean(widths)) / oracle if oracle > 0 else math.inf,
        "old_coverage": old_hits / reps,
        "old_ratio": float(np.mean(old_widths)) / oracle if oracle > 0 else math.inf,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 0 when every scenario meets the coverage and width targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5000, help="data sets per scenario")
    parser.add_argument("--oracle", type=int, default=100_000, help="draws for the oracle")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="300 data sets, 20,000 oracle draws")
    args = parser.parse_args(argv)
    reps, oracle_draws = (300, 20_000) if args.quick else (args.reps, args.oracle)
    if reps < 1 or oracle_draws < 2:
        parser.error("--reps must be >= 1 and --oracle >= 2")
    print(f"95% intervals, {reps} data sets a scenario, oracle from {oracle_draws} draws")
    print(
        f"| {'scenario':<27} | T | n | rate | rho | coverage | width | oracle | ratio "
        "| old coverage | old ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    # --quick is a smoke run: its coverage has a standard error near 0.013, so it flags only
    # what lies beyond the target band by more than two standard errors
    slack = 2 * math.sqrt(0.95 * 0.05 / reps) if args.quick else 0.0
    band = (COVERAGE[0] - slack, COVERAGE[1] + slack)
    ok = True
    for i, sc in enumerate(SCENARIOS):
        r = run(sc, reps, oracle_draws, args.seed * 1000 + i)
        met = band[0] <= r["coverage"] <= band[1] and r["ratio"] <= WIDTH_RATIO
        ok &= met
        print(
            f"| {sc.name:<27} | {sc.tasks} | {sc.samples} | {sc.rate:g} | {sc.rho:g} "
            f"| {r['coverage']:.3f} | {r['width']:.3f} | {r['oracle']:.3f} | {r['ratio']:.2f}"
            f"{'' if met else ' (!)'} | {r['old_coverage']:.3f} | {r['old_ratio']:.2f} |"
        )
    quick = f" (--quick: {band[0]:.3f}-{band[1]:.3f}, two standard errors wider)" if slack else ""
    print(
        f"targets: coverage {COVERAGE[0]}-{COVERAGE[1]}{quick}, width / oracle <= {WIDTH_RATIO}; "
        f"{'all met' if ok else '(!) marks a scenario that misses one'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
