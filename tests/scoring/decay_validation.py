"""Monte Carlo validation of the decay fit: ratio-interval coverage and poor-fit false alarms.

Each run simulates a model whose true pass rate decays exactly log-linearly,
``first * ratio ** (L - L0)``, with tasks that differ in difficulty (a task's success
probability drawn from a beta distribution around the level's rate with intra-task correlation
``hetero``, or a two-point mixture that the fit's beta-binomial model does not assume), then
fits it with ``fit_decay``. A correct analysis covers the true ratio in about 95% of runs and
calls the fit ``poor`` in about 5%.

Reproduce the figures in ``docs/suites/specification-complexity.md`` section 5 with::

    python tests/scoring/decay_validation.py --runs 300 --boot 500

(10-20 minutes on one core). ``test_decay_validation.py`` runs a reduced version.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from codehazard.scoring import LevelPoint, fit_decay, rate_interval


@dataclass(frozen=True)
class Scenario:
    """A simulated evaluation: true decay, tasks and samples per level, task variation."""

    name: str
    first: float
    ratio: float
    levels: tuple[int, ...]
    tasks: Callable[[int], int]
    samples: Callable[[int], int]
    hetero: float = 0.0
    mixture: bool = False  # half the tasks impossible, the others at twice the level's rate


def _tasks(first_level: int) -> Callable[[int], int]:
    return lambda level: 13 if level == first_level else 30


SCENARIOS = (
    Scenario(
        "codex-like, identical tasks", 0.18, 0.45, tuple(range(1, 11)), _tasks(1), lambda _: 8
    ),
    Scenario(
        "codex-like, beta rho 0.3", 0.18, 0.45, tuple(range(1, 11)), _tasks(1), lambda _: 8, 0.3
    ),
    Scenario(
        "codex-like, beta rho 0.6", 0.18, 0.45, tuple(range(1, 11)), _tasks(1), lambda _: 8, 0.6
    ),
    Scenario(
        "codex-like, two-point mixture",
        0.18,
        0.45,
        tuple(range(1, 11)),
        _tasks(1),
        lambda _: 8,
        mixture=True,
    ),
    Scenario(
        "strong model, beta rho 0.3",
        0.85,
        0.55,
        tuple(range(1, 7)),
        lambda level: 13 if level == 1 else 25,
        lambda level: 40 if level == 1 else 8,
        0.3,
    ),
    Scenario(
        "mid model, beta rho 0.3", 0.6, 0.6, tuple(range(1, 11)), _tasks(1), lambda _: 10, 0.3
    ),
)


def simulate(rng: np.random.Generator, sc: Scenario) -> list[LevelPoint]:
    """One simulated evaluation's level points."""
    points = []
    for level in sc.levels:
        p = sc.first * sc.ratio ** (level - sc.levels[0])
        n_tasks, n = sc.tasks(level), sc.samples(level)
        if sc.mixture:
            probs = np.where(rng.random(n_tasks) < 0.5, 0.0, min(1.0, 2 * p))
        elif sc.hetero > 0:
            k = 1 / sc.hetero - 1
            probs = rng.beta(p * k, (1 - p) * k, size=n_tasks)
        else:
            probs = np.full(n_tasks, p)
        rates = tuple(float(v) for v in rng.binomial(n, probs) / n)
        mean = float(np.mean(rates))
        points.append(
            LevelPoint(
                level,
                n_tasks,
                n_tasks * n,
                mean,
                rate_interval(mean, n_tasks),
                {1: mean},
                rates,
                (n,) * n_tasks,
            )
        )
    return points


@dataclass(frozen=True)
class Result:
    """Coverage of the true ratio and the share of runs called ``poor``."""

    scenario: str
    runs: int
    covered: int
    poor: int
    below: int  # intervals entirely below the true ratio

    @property
    def coverage(self) -> float:
        return self.covered / self.runs

    @property
    def false_alarm(self) -> float:
        return self.poor / self.runs


def validate(sc: Scenario, runs: int, boot: int, seed: int = 0) -> Result:
    """Simulate ``runs`` evaluations of ``sc`` and fit each."""
    rng = np.random.default_rng([seed, SCENARIOS.index(sc) if sc in SCENARIOS else 99])
    covered = poor = below = 0
    for i in range(runs):
        fit = fit_decay(simulate(rng, sc), n_boot=boot, seed=i)
        interval = fit.ratio_interval
        assert interval is not None
        covered += interval.low <= sc.ratio <= interval.high
        below += interval.high < sc.ratio
        poor += fit.quality == "poor"
    return Result(sc.name, runs, covered, poor, below)


def main() -> None:
    """Print coverage and false-alarm rates per scenario, with binomial standard errors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--boot", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scenario", help="only the scenarios whose name contains this")
    args = parser.parse_args()
    for sc in SCENARIOS:
        if args.scenario and args.scenario not in sc.name:
            continue
        res = validate(sc, args.runs, args.boot, args.seed)
        se_c = math.sqrt(res.coverage * (1 - res.coverage) / res.runs)
        se_p = math.sqrt(max(res.false_alarm * (1 - res.false_alarm), 1e-9) / res.runs)
        print(
            f"{res.scenario:<32} runs {res.runs}: 95% ratio interval covered "
            f"{res.coverage:.3f} (se {se_c:.3f}; {res.below} entirely below), "
            f"poor {res.false_alarm:.3f} (se {se_p:.3f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
