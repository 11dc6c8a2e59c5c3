"""The decay model ``pass(L) = a * r ** (L - L0)``: fit, ratio interval and goodness of fit.

Design choices (ours; the reasons and the measured behaviour are in
``docs/suites/specification-complexity.md`` section 5):

* **Task variation is modelled.** Tasks of one level differ in difficulty: a task's rate
  varies around the level's rate more than its samples alone explain. We describe that with a
  beta-binomial model: task ``t`` of level ``L`` has success probability drawn around
  ``mu_L`` with intra-task correlation ``rho``, so its rate ``c_t / n_t`` has variance
  ``mu_L (1 - mu_L) (rho + (1 - rho) / n_t)``. ``rho`` is estimated by moments, pooled over the
  levels (a single level has too few tasks to estimate its own).
* **The fit is weighted accordingly.** Each task's rate enters a binomial quasi-likelihood
  with weight ``1 / (rho + (1 - rho) / n_t)``, its effective number of samples: identical tasks
  give the plain binomial on samples, very different tasks give one unit per task. The
  estimating equation is unbiased whatever the weights, so the weights only buy precision and
  make the likelihood's curvature match the real variance.
* **The ratio's interval is the profile likelihood's** (the set of ratios whose fitted
  likelihood is within the chi-square cut-off of the best), which, unlike a percentile
  bootstrap over a dozen tasks per level, keeps its coverage when successes are rare and
  skewed, and contains the estimate by construction. The cut-off is raised (never lowered) to
  the 95th percentile of the same statistic in the simulated data sets below.
* **Goodness of fit is a parametric bootstrap.** The statistic is the deviance of the
  log-linear fit against one free rate per level; its null distribution is simulated at the
  task level under the fitted model (rates, ``rho``, each task's sample count), refitting every
  simulated data set, so the test's size holds with 13-30 tasks per level, where the
  chi-square approximation does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from codehazard.errors import ArgumentError
from codehazard.scoring._intervals import Interval
from codehazard.scoring._loglinear import (
    LOG_R_BOUNDS,
    MAX_P,
    fit_loglinear,
    loglik,
    profile_interval,
    profile_loglik,
)

if TYPE_CHECKING:
    from codehazard.scoring._levels import LevelPoint

FitQuality = Literal["good", "poor", "insufficient"]

POOR_FIT_P = 0.05
MAX_RHO = 0.99


def _interval(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else interval.as_dict()


@dataclass(frozen=True)
class DecayFit:
    """The fitted ``pass(L) = first * ratio ** (L - first_level)`` and how well it fits.

    ``halving`` is the number of added components that halves success (``ln 0.5 / ln ratio``,
    ``None`` unless ``ratio < 1``); ``half_length`` the level at which fitted success is half of
    that at ``first_level``. ``dispersion`` is the estimated intra-task correlation ``rho``;
    ``deviance`` and ``df`` the goodness-of-fit statistic, ``p_value`` its parametric-bootstrap
    p-value. ``notes`` explains a ``poor`` or ``insufficient`` quality.
    """

    quality: FitQuality
    ratio: float | None = None
    ratio_interval: Interval | None = None
    first: float | None = None
    first_level: int | None = None
    halving: float | None = None
    halving_interval: Interval | None = None
    half_length: float | None = None
    dispersion: float | None = None
    deviance: float | None = None
    df: int | None = None
    p_value: float | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (intervals as ``{low, high, confidence}``)."""
        return {
            "quality": self.quality,
            "ratio": self.ratio,
            "ratio_interval": _interval(self.ratio_interval),
            "first_level": self.first_level,
            "first": self.first,
            "halving": self.halving,
            "halving_interval": _interval(self.halving_interval),
            "half_length": self.half_length,
            "dispersion": self.dispersion,
            "deviance": self.deviance,
            "df": self.df,
            "p_value": self.p_value,
            "notes": list(self.notes),
        }

    def predict(self, level: float) -> float | None:
        """The fitted pass rate at ``level`` (``None`` without a fit)."""
        if self.ratio is None or self.first is None or self.first_level is None:
            return None
        return self.first * self.ratio ** (level - self.first_level)


@dataclass(frozen=True)
class TaskData:
    """Per-task rates and sample counts, with each task's level as a column index."""

    x: np.ndarray  # (levels,) level values
    level: np.ndarray  # (tasks,) column of each task
    rates: np.ndarray  # (tasks,) c / n
    samples: np.ndarray  # (tasks,) n

    @classmethod
    def of(cls, levels: Sequence[LevelPoint]) -> TaskData:
        """From level points; a point without per-task sample counts spreads its samples evenly."""
        index: list[int] = []
        rates: list[float] = []
        samples: list[float] = []
        for j, point in enumerate(levels):
            level_rates = point.task_rates or (point.pass_at_1,) * point.n_tasks
            even = point.n_samples / max(1, len(level_rates))
            counts = point.task_samples or (even,) * len(level_rates)
            index += [j] * len(level_rates)
            rates += list(level_rates)
            samples += [max(1.0, float(c)) for c in counts]
        return cls(
            np.array([p.level for p in levels], dtype=float),
            np.array(index, dtype=int),
            np.array(rates, dtype=float),
            np.array(samples, dtype=float),
        )

    @property
    def onehot(self) -> np.ndarray:
        """``(tasks, levels)`` indicator matrix: per-level sums are a matrix product."""
        out = np.zeros((self.level.size, self.x.size))
        out[np.arange(self.level.size), self.level] = 1.0
        return out


def dispersion(rates: np.ndarray, samples: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Moment estimate of the intra-task correlation ``rho``, one per row of ``rates``.

    Solves ``sum_L SS_L = sum_L (T_L - 1) v_L (rho (1 - h_L) + h_L)``, where ``SS_L`` is the
    spread of the level's task rates about their mean, ``v_L`` an unbiased estimate of
    ``mu (1 - mu)`` and ``h_L`` the level's mean of ``1 / n_t``; clipped to ``[0, 0.99]``.
    """
    rates = np.atleast_2d(rates)
    sizes = onehot.sum(axis=0)
    mean = rates @ onehot / sizes
    ss = (rates - mean @ onehot.T) ** 2 @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(sizes > 1, ss / (sizes * np.maximum(sizes - 1, 1)), 0.0)
    v = mean * (1 - mean) + spread
    h = (1 / samples) @ onehot / sizes
    num = ss.sum(axis=1) - ((sizes - 1) * v * h).sum(axis=1)
    den = ((sizes - 1) * v * (1 - h)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(den > 0, num / den, 0.0)
    return np.clip(rho, 0.0, MAX_RHO)


def weighted_counts(
    rates: np.ndarray, samples: np.ndarray, onehot: np.ndarray, rho: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-level weighted successes and weights, each task weighing its effective sample size."""
    rates = np.atleast_2d(rates)
    w = 1 / (rho[:, None] + (1 - rho[:, None]) / samples[None, :])
    return (w * rates) @ onehot, w @ onehot


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / b), 0.0)


def deviance(
    x: np.ndarray, s: np.ndarray, n: np.ndarray, alpha: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    """Deviance of the log-linear fit against one free rate per level, per row."""
    mu = np.minimum(np.exp(alpha[:, None] + beta[:, None] * x[None, :]), MAX_P)
    return 2 * (_xlogy(s, n * mu) + _xlogy(n - s, n * (1 - mu))).sum(axis=1)


def simulate(
    rng: np.random.Generator, mu: np.ndarray, samples: np.ndarray, rho: float, rows: int
) -> np.ndarray:
    """Task rates drawn under the beta-binomial model: ``(rows, tasks)``."""
    if rho > 0:
        k = 1 / rho - 1
        a, b = np.maximum(mu * k, 1e-12), np.maximum((1 - mu) * k, 1e-12)
        p = rng.beta(a, b, size=(rows, mu.size))
    else:
        p = np.broadcast_to(mu, (rows, mu.size))
    n = np.maximum(1, np.rint(samples)).astype(int)
    return rng.binomial(n[None, :], p) / n[None, :]


def _halving(ratio: float | None) -> float | None:
    if ratio is None or not 0 < ratio < 1:
        return None
    return math.log(0.5) / math.log(ratio)


def _halving_interval(halving: float | None, ratio: Interval | None) -> Interval | None:
    if halving is None or ratio is None:
        return None
    low, high = _halving(ratio.low), _halving(ratio.high)
    return None if low is None or high is None else Interval(low, high, ratio.confidence)


@dataclass(frozen=True)
class Calibration:
    """What the simulated data sets say: the deviance's p-value and the interval's cut-off."""

    deviance: float
    p_value: float
    cutoff: float
    n_valid: int


def calibrate(
    data: TaskData, alpha: float, beta: float, rho: float, confidence: float, n_boot: int, seed: int
) -> Calibration:
    """Simulate ``n_boot`` data sets under the fit; refit each (``rho`` too).

    The deviance p-value is the share of simulated deviances at least the observed one. The
    interval's cut-off is the ``confidence`` quantile of the simulated profile likelihood-ratio
    statistics at the true (fitted) ``beta``, never below the chi-square quantile: this corrects
    the nominal cut-off where rare, skewed successes and an estimated ``rho`` make the
    chi-square approximation optimistic.
    """
    onehot = data.onehot
    x = data.x - data.x.min()
    a0 = alpha + beta * data.x.min()
    s, n = weighted_counts(data.rates, data.samples, onehot, np.array([rho]))
    observed = float(deviance(x, s, n, np.array([a0]), np.array([beta]))[0])
    mu = np.minimum(np.exp(a0 + beta * x), MAX_P)[data.level]
    sim = simulate(np.random.default_rng(seed), mu, data.samples, rho, n_boot)
    sim_rho = dispersion(sim, data.samples, onehot)
    sim_s, sim_n = weighted_counts(sim, data.samples, onehot, sim_rho)
    sim_a, sim_b = fit_loglinear(x, sim_s, sim_n)
    ok = np.isfinite(sim_b)
    sim_s, sim_n, sim_a, sim_b = sim_s[ok], sim_n[ok], sim_a[ok], sim_b[ok]
    stats = deviance(x, sim_s, sim_n, sim_a, sim_b)
    exceed = int((stats >= observed - 1e-9 * max(1.0, observed)).sum())
    best = loglik(sim_a, sim_b, x, sim_s, sim_n)
    at_truth = profile_loglik(x, sim_s, sim_n, np.full(sim_b.size, beta))
    ratios = np.maximum(2 * (best - at_truth), 0.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    cutoff = z * z
    if ratios.size:
        cutoff = max(cutoff, float(np.quantile(ratios, confidence)))
    return Calibration(observed, (1 + exceed) / (1 + stats.size), cutoff, int(stats.size))


def fit_decay(
    levels: Sequence[LevelPoint],
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> DecayFit:
    """Fit ``pass(L) = first * ratio ** (L - first_level)`` to per-level task rates.

    Needs at least three levels with tasks and at least one passing sample; otherwise the fit
    is ``insufficient`` and carries no ratio. ``n_boot`` simulated data sets calibrate the
    goodness-of-fit test. See the module notes for the model, the interval and the test.

    Raises:
        ValueError: a confidence outside (0, 1) or ``n_boot < 1``.
    """
    if not 0 < confidence < 1:
        raise ArgumentError(f"confidence must be in (0, 1), got {confidence}")
    if n_boot < 1:
        raise ArgumentError(f"n_boot must be >= 1, got {n_boot}")
    levels = [p for p in levels if p.n_tasks > 0]
    if len(levels) < 3:
        return DecayFit("insufficient", notes=(f"{len(levels)} level(s) with tasks; need 3",))
    data = TaskData.of(levels)
    if data.rates.sum() <= 0:
        return DecayFit("insufficient", notes=("no sample passed at any level",))
    onehot = data.onehot
    rho = float(dispersion(data.rates, data.samples, onehot)[0])
    s, n = weighted_counts(data.rates, data.samples, onehot, np.array([rho]))
    alpha, beta = (float(v[0]) for v in fit_loglinear(data.x, s, n))
    ratio = math.exp(beta)
    first_level = int(data.x.min())
    cal = calibrate(data, alpha, beta, rho, confidence, n_boot, seed)
    xs = data.x - first_level
    low, high, low_end, high_end = profile_interval(xs, s[0], n[0], beta, cal.cutoff)
    interval = Interval(math.exp(low), math.exp(high), confidence)
    notes = []
    if low_end or high_end:
        notes.append("the ratio's interval reaches the bound of the fit on one side")
    dev, p_value = cal.deviance, cal.p_value
    df = len(levels) - 2
    if p_value < POOR_FIT_P:
        notes.insert(
            0,
            f"the log-linear model does not fit the levels (deviance {dev:.1f} on {df} df, "
            f"bootstrap p = {p_value:.3g}); read the ratio as a summary, not a law",
        )
    at_bound = not LOG_R_BOUNDS[0] + 1e-9 < beta < LOG_R_BOUNDS[1] - 1e-9
    if at_bound:
        notes.append("the ratio is at the bound of the fit (success only at one end)")
    halving = _halving(ratio)
    return DecayFit(
        quality="poor" if p_value < POOR_FIT_P or at_bound else "good",
        ratio=ratio,
        ratio_interval=interval,
        first=math.exp(alpha + beta * first_level),
        first_level=first_level,
        halving=halving,
        halving_interval=_halving_interval(halving, interval),
        half_length=None if halving is None else first_level + halving,
        dispersion=rho,
        deviance=dev,
        df=df,
        p_value=p_value,
        notes=tuple(notes),
    )
