"""The numerical core of the decay fit: a log-link binomial (quasi-)likelihood, many rows at once.

``fit_loglinear`` maximises ``sum_L s_L log p_L + (n_L - s_L) log(1 - p_L)`` with
``p_L = exp(alpha + beta * x_L)``; ``profile_alpha`` does the same with ``beta`` held fixed
(for profile-likelihood intervals). Successes and trials may be fractional: the decay model
feeds them weighted sums over tasks (``codehazard.scoring._decay``). Everything is vectorised
over rows because the goodness-of-fit test refits hundreds of simulated data sets.
"""

from __future__ import annotations

import math

import numpy as np

from codehazard.errors import ArgumentError

LOG_R_BOUNDS = (math.log(1e-4), math.log(1e4))
MAX_P = 1 - 1e-9
MAX_ETA = math.log(MAX_P)


def loglik(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, s: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """Binomial log-likelihood per row; ``-inf`` where a fitted p reaches 1."""
    eta = alpha[:, None] + beta[:, None] * x[None, :]
    safe = np.minimum(eta, MAX_ETA)
    ll = (s * safe + (n - s) * np.log1p(-np.exp(safe))).sum(axis=1)
    return np.where((eta > MAX_ETA + 1e-12).any(axis=1), -np.inf, ll)


def _directions(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, s: np.ndarray, n: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Ascent directions per row: the full Newton step, then Newton in beta or alpha alone.

    The log-likelihood is concave in (alpha, beta); at the boundary p = 1 the full step points
    out of the feasible set, and the one-parameter steps (after projection) still make progress.
    """
    p = np.exp(np.minimum(alpha[:, None] + beta[:, None] * x[None, :], MAX_ETA))
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
    beta = np.clip(beta, *LOG_R_BOUNDS)
    return np.minimum(alpha, MAX_ETA - np.maximum(0.0, beta * span)), beta


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
    ll = loglik(alpha, beta, xs, s, n)
    for _ in range(iterations):
        old_a, old_b = alpha.copy(), beta.copy()
        for da, db in _directions(alpha, beta, xs, s, n):
            step = np.ones_like(alpha)
            done = np.zeros(alpha.shape, dtype=bool)
            for _ in range(40):
                ca, cb = _project(alpha + step * da, beta + step * db, span)
                cll = loglik(ca, cb, xs, s, n)
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


def profile_loglik(x: np.ndarray, s: np.ndarray, n: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The log-likelihood maximised over ``alpha`` with ``beta`` held at each given value.

    ``s`` and ``n`` have shape ``(levels,)`` (one data set, any number of betas) or
    ``(rows, levels)`` with one beta per row. For fixed ``beta`` the likelihood is concave in
    ``alpha`` and its derivative decreasing, so bisection finds the maximum inside the feasible
    set (every fitted ``p`` at most the cap).
    """
    x = np.asarray(x, dtype=float)
    s, n = np.asarray(s, dtype=float), np.asarray(n, dtype=float)
    b = np.asarray(beta, dtype=float).reshape(-1)
    if s.ndim == 1:
        s, n = s[None, :], n[None, :]
    bx = b[:, None] * x[None, :]
    hi = MAX_ETA - bx.max(axis=1)  # the largest alpha with every p within the cap
    lo = hi - 60.0
    for _ in range(90):
        mid = (lo + hi) / 2
        p = np.exp(np.minimum(mid[:, None] + bx, MAX_ETA))
        grad = (s - (n - s) * p / (1 - p)).sum(axis=1)
        lo, hi = np.where(grad > 0, mid, lo), np.where(grad > 0, hi, mid)
    alpha = (lo + hi) / 2
    eta = np.minimum(alpha[:, None] + bx, MAX_ETA)
    ll = (s * eta + (n - s) * np.log1p(-np.exp(eta))).sum(axis=1)
    return ll.reshape(np.shape(beta))


def profile_interval(
    x: np.ndarray, s: np.ndarray, n: np.ndarray, beta_hat: float, cutoff: float
) -> tuple[float, float, bool, bool]:
    """Bounds of ``{beta : 2 (max loglik - profile loglik(beta)) <= cutoff}``.

    Returns ``(low, high, low_at_bound, high_at_bound)``: a side on which the likelihood never
    drops far enough within ``LOG_R_BOUNDS`` ends at the bound, flagged.
    """
    top = float(profile_loglik(x, s, n, np.array([beta_hat]))[0])

    def excess(b: np.ndarray) -> np.ndarray:
        return 2 * (top - profile_loglik(x, s, n, b)) - cutoff

    ends = []
    for bound in LOG_R_BOUNDS:
        if excess(np.array([bound]))[0] <= 0:
            ends.append((bound, True))
            continue
        inner, outer = beta_hat, bound  # excess(inner) < 0 <= excess(outer)
        for _ in range(60):
            mid = (inner + outer) / 2
            if excess(np.array([mid]))[0] <= 0:
                inner = mid
            else:
                outer = mid
        ends.append(((inner + outer) / 2, False))
    (low, low_bound), (high, high_bound) = ends
    return low, high, low_bound, high_bound


def chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-square distribution (regularized upper gamma Q(df/2, x/2)).

    Raises:
        ValueError: ``df < 1``.
    """
    if df < 1:
        raise ArgumentError(f"df must be >= 1, got {df}")
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
