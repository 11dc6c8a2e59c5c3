"""The risk matrix maths: pure functions over a (checked) profile.

Kept apart from I/O so the properties that make the analysis trustworthy can be tested directly:
risk never decreases as severity or likelihood worsens, and an eliminated likelihood is
absorbing (every severity gives the eliminated risk, mitigations cannot bring it back, evidence
cannot override it).
"""

from __future__ import annotations

from collections.abc import Iterable

from codehazard.errors import UnknownNameError
from codehazard.hazards._profile import Profile


def severity_rank(profile: Profile, severity: str) -> int:
    """Higher is more severe (the least severe category is 1).

    Raises:
        KeyError: ``severity`` is not a category of the profile.
    """
    ids = profile.severity_ids()
    if severity not in ids:
        raise UnknownNameError(f"unknown severity {severity!r}", kind="severity", name=severity)
    return len(ids) - ids.index(severity)


def likelihood_rank(profile: Profile, likelihood: str) -> int:
    """Higher is more frequent (the least frequent level is 1).

    Raises:
        KeyError: ``likelihood`` is not a level of the profile.
    """
    ids = profile.likelihood_ids()
    if likelihood not in ids:
        raise UnknownNameError(
            f"unknown likelihood {likelihood!r}", kind="likelihood", name=likelihood
        )
    return len(ids) - ids.index(likelihood)


def risk_rank(profile: Profile, risk: str) -> int:
    """Higher is worse (the lowest risk level, e.g. Eliminated, is 1).

    Raises:
        KeyError: ``risk`` is not a risk level of the profile.
    """
    ids = profile.risk_ids()
    if risk not in ids:
        raise UnknownNameError(f"unknown risk level {risk!r}", kind="risk level", name=risk)
    return len(ids) - ids.index(risk)


def is_eliminated(profile: Profile, likelihood: str) -> bool:
    """Whether ``likelihood`` is the profile's eliminated level."""
    return likelihood == profile.eliminated_likelihood()


def risk(profile: Profile, severity: str, likelihood: str) -> str:
    """The risk level of a (severity, likelihood) cell.

    Raises:
        KeyError: unknown severity or likelihood.
    """
    severity_rank(profile, severity)
    likelihood_rank(profile, likelihood)
    return profile.matrix[severity][likelihood]


def likeliest(profile: Profile, levels: Iterable[str]) -> str | None:
    """The most frequent of ``levels`` (``None`` for none): evidence combines conservatively.

    Raises:
        KeyError: an unknown likelihood.
    """
    best: str | None = None
    for level in levels:
        if best is None or likelihood_rank(profile, level) > likelihood_rank(profile, best):
            best = level
    return best


def shift_likelihood(profile: Profile, likelihood: str, steps: int) -> str:
    """Move ``steps`` levels towards less frequent (negative: more frequent), staying within
    the non-eliminated levels: shifting can never reach or leave "eliminated".

    Raises:
        KeyError: unknown likelihood.
    """
    if is_eliminated(profile, likelihood):
        return likelihood
    live = [lk for lk in profile.likelihood_ids() if not is_eliminated(profile, lk)]
    if likelihood not in live:
        raise UnknownNameError(
            f"unknown likelihood {likelihood!r}", kind="likelihood", name=likelihood
        )
    index = min(max(live.index(likelihood) + steps, 0), len(live) - 1)
    return live[index]


def residual_likelihood(profile: Profile, expert: str, expert_residual: str, assessed: str) -> str:
    """The residual likelihood after mitigations, given the assessed (pre-mitigation) level.

    Evidence measures the model without the deployment's mitigations, so the credit the expert
    gave the mitigations (how many levels ``expert_residual`` lies below ``expert``) is applied
    to the assessed level. Elimination is by design only and absorbing: an eliminated expert or
    residual level stays eliminated, and a shift never produces it.

    Raises:
        KeyError: an unknown likelihood.
    """
    eliminated = profile.eliminated_likelihood()
    for level in (expert, expert_residual, assessed):
        likelihood_rank(profile, level)
    if eliminated is not None and eliminated in (expert, expert_residual, assessed):
        return eliminated
    credit = likelihood_rank(profile, expert) - likelihood_rank(profile, expert_residual)
    return shift_likelihood(profile, assessed, max(credit, 0))


def risk_sort_key(
    profile: Profile, risk_level: str, severity: str, likelihood: str, hazard_id: str
) -> tuple[int, int, int, str]:
    """Sort key putting the worst risk first, then the most severe, then the most likely.

    Raises:
        KeyError: an unknown risk level, severity or likelihood.
    """
    return (
        -risk_rank(profile, risk_level),
        -severity_rank(profile, severity),
        -likelihood_rank(profile, likelihood),
        hazard_id,
    )
