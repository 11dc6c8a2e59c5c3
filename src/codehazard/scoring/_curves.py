"""Capability curves: pass rate against specification complexity, and a fitted decay model.

The Codex paper's complexity finding is a decay: each added building block divided Codex-12B's
pass rate by roughly two to three. We measure it as a log-linear model,
``pass(L) = a * r ** (L - L0)``, where ``r`` is the per-component success ratio
``pass(L + 1) / pass(L)``, fitted by maximum likelihood (a binomial model with a log link) over
every level at once, so levels with no success still count. Design choices (ours):

* **Tasks are the unit.** A level's rate is the mean over its tasks of each task's fraction of
  passing samples; its interval is Wilson's with ``n`` = number of tasks. Per-task rates lie in
  [0, 1], so their variance is at most ``p (1 - p)``: the interval is valid (conservative) with
  any number of samples per task, and, unlike a bootstrap, is not degenerate at 0 or 1.
* **The ratio's interval** is a percentile bootstrap over tasks, resampled within each level, so
  it reflects which problems happened to be drawn as well as sampling noise.
* **Poor fit** is said when Pearson's chi-square test of the fitted rates against the observed
  level means (``levels - 2`` degrees of freedom; each mean's variance the larger of its
  empirical variance over tasks and its binomial variance over samples) rejects at the 5%
  level, or when the ratio sits at the bound of the fit; **insufficient** when fewer than three
  levels have tasks or no sample passed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from codehazard.errors import InputError
from codehazard.scoring._intervals import Interval
from codehazard.scoring._passk import Scorable, score

if TYPE_CHECKING:
    from codehazard.scoring._composition import Composition

FitQuality = Literal["good", "poor", "insufficient"]

POOR_FIT_P = 0.05
_LOG_R_BOUNDS = (math.log(1e-4), math.log(1e4))
_MAX_P = 1 - 1e-9


def _interval(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else interval.as_dict()


@dataclass(frozen=True)
class LevelPoint:
    """One complexity level: its tasks, samples, pass@1 with interval, and pass@k."""

    level: int
    n_tasks: int
    n_samples: int
    pass_at_1: float
    interval: Interval
    pass_at_k: dict[int, float | None]
    task_rates: tuple[float, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class DecayFit:
    """The fitted ``pass(L) = first * ratio ** (L - first_level)`` and how well it fits.

    ``halving`` is the number of added components that halves success (``ln 0.5 / ln ratio``,
    ``None`` unless ``ratio < 1``); ``half_length`` the level at which fitted success is half of
    that at ``first_level``. ``notes`` explains a ``poor`` or ``insufficient`` quality.
    """

    quality: FitQuality
    ratio: float | None = None
    ratio_interval: Interval | None = None
    first: float | None = None
    first_level: int | None = None
    halving: float | None = None
    halving_interval: Interval | None = None
    half_length: float | None = None
    chi2: float | None = None
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
            "chi2": self.chi2,
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
class Curve:
    """Pass rate per level of one metadata key, the decay fit and, when known, composition."""

    key: str
    confidence: float
    levels: list[LevelPoint]
    fit: DecayFit
    composition: Composition | None = None


def rate_interval(rate: float, n: int, confidence: float = 0.95) -> Interval:
    """Wilson interval for a mean of ``n`` values in [0, 1] (see the module notes).

    Raises:
        ValueError: ``rate`` outside [0, 1], ``n < 0``, or confidence outside (0, 1).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if not 0 <= rate <= 1 or n < 0:
        raise ValueError(f"need 0 <= rate <= 1 and n >= 0, got {rate}, {n}")
    if n == 0:
        return Interval(0.0, 1.0, confidence)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half), confidence)


def level_of(metadata: dict[str, Any], key: str) -> int | None:
    """The integer level of a task under ``key`` (``None`` when absent or not an integer)."""
    value = metadata.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def level_points(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
) -> list[LevelPoint]:
    """pass@1 (with interval) and pass@k per integer level of the task metadata ``key``.

    Samples without a verdict, or with an ``infra`` verdict, are left out (as in ``score``).

    Raises:
        InputError: no record has an integer ``key`` in its task metadata.
        ValueError: a k below 1, or a confidence outside (0, 1).
    """
    groups: dict[int, list[Scorable]] = defaultdict(list)
    for rec in records:
        level = level_of(rec.metadata, key)
        if level is not None:
            groups[level].append(rec)
    if not groups:
        raise InputError(
            f"no task has an integer {key!r} in its metadata; was the run made on a "
            "complexity suite (e.g. building-blocks)?"
        )
    points = []
    for level in sorted(groups):
        scores = score(groups[level], ks, n_boot=1)
        if scores.n_tasks == 0:
            continue
        rates = tuple(t.c / t.n for t in scores.per_task.values())
        p1 = float(np.mean(rates))
        points.append(
            LevelPoint(
                level=level,
                n_tasks=scores.n_tasks,
                n_samples=scores.n_samples,
                pass_at_1=p1,
                interval=rate_interval(min(1.0, max(0.0, p1)), scores.n_tasks, confidence),
                pass_at_k=dict(scores.pass_at_k),
                task_rates=rates,
            )
        )
    return points


# --- the log-linear binomial fit -----------------------------------------------------------------

_MAX_ETA = math.log(_MAX_P)


def _loglik(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, s: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """Binomial log-likelihood per row; ``-inf`` where a fitted p reaches 1."""
    eta = alpha[:, None] + beta[:, None] * x[None, :]
    safe = np.minimum(eta, _MAX_ETA)
    ll = (s * safe + (n - s) * np.log1p(-np.exp(safe))).sum(axis=1)
    return np.where((eta > _MAX_ETA).any(axis=1), -np.inf, ll)


def _directions(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, s: np.ndarray, n: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Ascent directions per row: the full Newton step, then Newton in beta or alpha alone.

    The log-likelihood is concave in (alpha, beta); at the boundary p = 1 the full step points
    out of the feasible set, and the one-parameter steps (after projection) still make progress.
    """
    p = np.exp(np.minimum(alpha[:, None] + beta[:, None] * x[None, :], _MAX_ETA))
    g = s - (n - s) * p / (1 - p)
    h = -(n - s) * p / (1 - p) ** 2 - 1e-9 * (n + 1)  # tiny ridge: defined at all-pass levels
    ga, gb = g.sum(axis=1), (g * x).sum(axis=1)
    haa, hab, hbb = h.sum(axis=1), (h * x).sum(axis=1), (h * x * x).sum(axis=1) - 1e-9
    det = haa * hbb - hab * hab
    zero = np.zeros_like(alpha)
    with np.errstate(all="ignore"):  # a near-singular step is dropped below, not used
        out = [
            ((hab * gb - hbb * ga) / det, (hab * ga - haa * gb) / det),
            (zero, -gb / hbb),
            (-ga / haa, zero),
        ]
    return [
        (np.nan_to_num(da, posinf=0, neginf=0), np.nan_to_num(db, posinf=0, neginf=0))
        for da, db in out
    ]


def _project(alpha: np.ndarray, beta: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Hold beta in its bounds and lower alpha so that no fitted p exceeds the cap."""
    beta = np.clip(beta, *_LOG_R_BOUNDS)
    return np.minimum(alpha, _MAX_ETA - np.maximum(0.0, beta * span)), beta


def fit_loglinear(
    x: np.ndarray, s: np.ndarray, n: np.ndarray, *, iterations: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood ``(alpha, beta)`` of ``p = exp(alpha + beta * x)``, for many rows.

    ``s`` and ``n`` have shape ``(rows, levels)`` (successes may be fractional); ``x`` has shape
    ``(levels,)``. Damped, projected Newton steps keep every fitted ``p`` at most ``1 - 1e-9``
    and ``beta`` within ``ln 1e-4 .. ln 1e4``. Rows without any success have no estimate
    (``nan``).
    """
    x = np.asarray(x, dtype=float)
    s, n = np.atleast_2d(np.asarray(s, dtype=float)), np.atleast_2d(np.asarray(n, dtype=float))
    xs = x - x.min()  # relative to the first level, for conditioning
    span = float(xs.max())
    total = s.sum(axis=1) / np.maximum(n.sum(axis=1), 1e-12)
    alpha, beta = np.log(np.clip(total, 1e-6, 0.5)), np.zeros(s.shape[0])
    ll = _loglik(alpha, beta, xs, s, n)
    for _ in range(iterations):
        old_a, old_b = alpha.copy(), beta.copy()
        for da, db in _directions(alpha, beta, xs, s, n):
            step = np.ones_like(alpha)
            done = np.zeros(alpha.shape, dtype=bool)
            for _ in range(40):
                ca, cb = _project(alpha + step * da, beta + step * db, span)
                cll = _loglik(ca, cb, xs, s, n)
                ok = ~done & (cll > ll)
                alpha, beta, ll = (
                    np.where(ok, ca, alpha),
                    np.where(ok, cb, beta),
                    np.where(ok, cll, ll),
                )
                done |= ok
                if done.all():
                    break
                step = np.where(done, step, step / 2)
        if float((np.abs(alpha - old_a) + np.abs(beta - old_b)).max()) < 1e-12:
            break
    alpha = alpha - beta * x.min()
    none = s.sum(axis=1) <= 0
    return np.where(none, np.nan, alpha), np.where(none, np.nan, beta)


def chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-square distribution (regularized upper gamma Q(df/2, x/2)).

    Raises:
        ValueError: ``df < 1``.
    """
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    a, y = df / 2, x / 2
    if y <= 0:
        return 1.0
    log_prefix = -y + a * math.log(y) - math.lgamma(a)
    if y < a + 1:  # series for the lower function P
        term = total = 1 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= y / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1 - total * math.exp(log_prefix))
    tiny = 1e-300  # continued fraction for Q (modified Lentz)
    b = y + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_prefix) * h)


# --- the decay model ---------------------------------------------------------------------------


def _counts(levels: Sequence[LevelPoint]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([p.level for p in levels], dtype=float)
    n = np.array([p.n_tasks for p in levels], dtype=float)
    s = np.array([sum(p.task_rates) for p in levels], dtype=float)
    return x, s, n


def _bootstrap_ratios(levels: Sequence[LevelPoint], n_boot: int, seed: int) -> np.ndarray:
    """Ratios fitted to task-level resamples (within each level); ``nan`` where undefined."""
    rng = np.random.default_rng(seed)
    x, _, n = _counts(levels)
    s = np.empty((n_boot, len(levels)))
    for j, point in enumerate(levels):
        rates = np.asarray(point.task_rates, dtype=float)
        s[:, j] = rates[rng.integers(0, rates.size, size=(n_boot, rates.size))].sum(axis=1)
    _, beta = fit_loglinear(x, s, np.broadcast_to(n, s.shape))
    return np.exp(beta)


def _goodness(levels: Sequence[LevelPoint], alpha: float, beta: float) -> tuple[float, int, float]:
    """Pearson's chi-square of the level means against the fit, ``levels - 2`` df.

    Each level mean's variance is the larger of its empirical variance over tasks and the
    binomial variance of its samples under the fit (the least it can be), so heterogeneous
    tasks do not make the test cry wolf and homogeneous ones do not make it blind.
    """
    x = np.array([p.level for p in levels], dtype=float)
    fitted = np.exp(alpha + beta * x)
    chi2 = 0.0
    for point, p in zip(levels, fitted, strict=True):
        rates = np.asarray(point.task_rates, dtype=float)
        spread = float(rates.var(ddof=1)) / rates.size if rates.size > 1 else 0.0
        var = max(spread, p * (1 - p) / max(point.n_samples, 1))
        if var > 1e-12:
            chi2 += (float(rates.mean()) - p) ** 2 / var
    df = len(levels) - 2
    return chi2, df, chi2_sf(chi2, df) if df >= 1 else math.nan


def _halving(ratio: float | None) -> float | None:
    if ratio is None or not 0 < ratio < 1:
        return None
    return math.log(0.5) / math.log(ratio)


def fit_decay(
    levels: Sequence[LevelPoint],
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> DecayFit:
    """Fit ``pass(L) = first * ratio ** (L - first_level)`` to per-level task rates.

    Needs at least three levels with tasks and at least one passing sample; otherwise the fit
    is ``insufficient`` and carries no ratio. See the module notes for the interval and the
    poor-fit rule.

    Raises:
        ValueError: a confidence outside (0, 1) or ``n_boot < 1``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    levels = [p for p in levels if p.n_tasks > 0]
    if len(levels) < 3:
        return DecayFit("insufficient", notes=(f"{len(levels)} level(s) with tasks; need 3",))
    x, s, n = _counts(levels)
    if s.sum() <= 0:
        return DecayFit("insufficient", notes=("no sample passed at any level",))
    alpha, beta = (float(v[0]) for v in fit_loglinear(x, s[None, :], n[None, :]))
    ratio = math.exp(beta)
    interval, notes = _ratio_interval(levels, ratio, confidence, n_boot, seed)
    chi2, df, p_value = _goodness(levels, alpha, beta)
    if p_value < POOR_FIT_P:
        notes.insert(
            0,
            f"the log-linear model does not fit the levels (chi-square {chi2:.1f} on {df} df, "
            f"p = {p_value:.3g}); read the ratio as a summary, not a law",
        )
    at_bound = not _LOG_R_BOUNDS[0] + 1e-9 < beta < _LOG_R_BOUNDS[1] - 1e-9
    if at_bound:
        notes.append("the ratio is at the bound of the fit (success only at one end)")
    halving = _halving(ratio)
    first_level = int(x.min())
    return DecayFit(
        quality="poor" if p_value < POOR_FIT_P or at_bound else "good",
        ratio=ratio,
        ratio_interval=interval,
        first=math.exp(alpha + beta * first_level),
        first_level=first_level,
        halving=halving,
        halving_interval=_halving_interval(halving, interval),
        half_length=None if halving is None else first_level + halving,
        chi2=chi2,
        df=df,
        p_value=p_value,
        notes=tuple(notes),
    )


def _ratio_interval(
    levels: Sequence[LevelPoint], ratio: float, confidence: float, n_boot: int, seed: int
) -> tuple[Interval | None, list[str]]:
    """Percentile bootstrap interval of the ratio (tasks resampled within levels)."""
    boot = _bootstrap_ratios(levels, n_boot, seed)
    boot = boot[np.isfinite(boot)]
    notes = []
    if boot.size < n_boot:
        notes.append(f"{n_boot - boot.size} bootstrap resamples had no success and were dropped")
    if boot.size == 0:
        return None, [*notes, "no interval: successes are too rare to resample"]
    alpha = (1 - confidence) / 2
    low, high = (float(v) for v in np.quantile(boot, [alpha, 1 - alpha]))
    return Interval(min(low, ratio), max(high, ratio), confidence), notes


def _halving_interval(halving: float | None, ratio: Interval | None) -> Interval | None:
    if halving is None or ratio is None:
        return None
    low, high = _halving(ratio.low), _halving(ratio.high)
    return None if low is None or high is None else Interval(low, high, ratio.confidence)


def capability_curve(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    composition: bool = True,
) -> Curve:
    """pass@1 and pass@k per level of ``key``, the fitted decay and (if the tasks name their
    ``blocks``) the composition gap: everything ``codehazard curves`` shows.

    Raises:
        InputError: no record has an integer ``key`` in its task metadata.
        ValueError: a k below 1, a confidence outside (0, 1), or ``n_boot < 1``.
    """
    from codehazard.scoring._composition import composition_gap

    records = list(records)
    levels = level_points(records, key, ks, confidence=confidence)
    fit = fit_decay(levels, confidence=confidence, n_boot=n_boot, seed=seed)
    comp = None
    if composition:
        comp = composition_gap(records, key, confidence=confidence, n_boot=n_boot, seed=seed)
    return Curve(key, confidence, levels, fit, comp)


# --- presentation: JSON and plot ---------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Plain JSON data: non-finite floats become ``None``, int keys become strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def curve_to_dict(curve: Curve) -> dict[str, Any]:
    """The curve as one JSON object: per level n, pass@1 and interval, pass@k, the ratio to the
    previous level, the fitted value, the composed expectations and gap; the fit (ratio and
    interval, halving, quality); the single-block rates. Non-finite numbers become ``null``.
    """
    comp = curve.composition
    levels = []
    for i, point in enumerate(curve.levels):
        previous = curve.levels[i - 1].pass_at_1 if i else 0.0
        gap = comp.level(point.level) if comp else None
        levels.append(
            {
                "level": point.level,
                "n_tasks": point.n_tasks,
                "n_samples": point.n_samples,
                "pass_at_1": point.pass_at_1,
                "interval": point.interval.as_dict(),
                "pass_at_k": point.pass_at_k,
                "ratio_to_previous": point.pass_at_1 / previous if previous > 0 else None,
                "fitted": curve.fit.predict(point.level),
                "composed": None if gap is None else gap.as_dict(),
            }
        )
    return _clean(
        {
            "key": curve.key,
            "confidence": curve.confidence,
            "levels": levels,
            "fit": curve.fit.as_dict(),
            "blocks": {b.block: b.as_dict() for b in (comp.blocks.values() if comp else [])},
            "composition_notes": list(comp.notes) if comp else [],
        }
    )


PLOT_FORMATS = (".png", ".svg", ".pdf")


def plot_curve(curve: Curve, path: str | Path) -> Path:
    """Plot observed pass@1 (with intervals), the composed expectations and the fitted decay.

    Uses matplotlib's Agg backend (no display needed); the format follows the file suffix.

    Raises:
        InputError: the suffix is not one of ``.png``, ``.svg``, ``.pdf``.
    """
    path = Path(path)
    if path.suffix.lower() not in PLOT_FORMATS:
        raise InputError(f"{path}: plot format must be one of {', '.join(PLOT_FORMATS)}")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    xs = [p.level for p in curve.levels]
    ys = [p.pass_at_1 for p in curve.levels]
    err = [
        [y - p.interval.low for y, p in zip(ys, curve.levels, strict=True)],
        [p.interval.high - y for y, p in zip(ys, curve.levels, strict=True)],
    ]
    ax.errorbar(xs, ys, yerr=err, fmt="o-", capsize=3, label="observed pass@1")
    if curve.composition and curve.composition.levels:
        gaps = curve.composition.levels
        ax.plot(
            [g.level for g in gaps],
            [g.product for g in gaps],
            "s--",
            label="composed: product of block rates",
        )
        ax.plot(
            [g.level for g in gaps], [g.weakest for g in gaps], ":", label="composed: weakest block"
        )
    fit = curve.fit
    if fit.ratio is not None:
        grid = np.linspace(min(xs), max(xs), 100)
        ax.plot(
            grid,
            [fit.predict(v) for v in grid],
            "-",
            linewidth=0.8,
            color="grey",
            label=f"fit: r = {fit.ratio:.2f} ({fit.quality})",
        )
    ax.set_xlabel(curve.key)
    ax.set_ylabel("pass rate")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize="small")
    fig.tight_layout()
    metadata = {"Date": None} if path.suffix.lower() in (".svg", ".pdf") else None
    fig.savefig(path, metadata=metadata)
    return path
