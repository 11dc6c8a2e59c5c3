"""Properties of the risk matrix maths, over the default profile and random consistent ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.hazards import (
    Profile,
    likelihood_rank,
    load_profile,
    residual_likelihood,
    risk,
    risk_rank,
    severity_rank,
)
from codehazard.hazards._matrix import is_eliminated, likeliest, shift_likelihood

DEFAULT = load_profile()


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Random consistent profiles: risk bucketed from severity rank + likelihood rank."""
    n_sev = draw(st.integers(1, 6))
    n_lik = draw(st.integers(1, 6))
    n_risk = draw(st.integers(1, 5))
    eliminated = draw(st.booleans())
    cuts = sorted(
        draw(st.lists(st.integers(0, n_sev + n_lik), min_size=n_risk - 1, max_size=n_risk - 1))
    )
    sevs = [f"S{i}" for i in range(n_sev)]
    liks = [f"L{j}" for j in range(n_lik)]
    risks = [f"R{k}" for k in range(n_risk)]
    matrix = {}
    for i, s in enumerate(sevs):
        row = {}
        for j, lk in enumerate(liks):
            score = (n_sev - i) + (n_lik - j)  # larger is worse
            bucket = sum(score <= c for c in cuts)  # 0 = highest risk
            row[lk] = risks[bucket]
        if eliminated:
            row["LX"] = "RX"
        matrix[s] = row
    return Profile.model_validate(
        {
            "name": "random",
            "severities": [{"id": s, "name": s} for s in sevs],
            "likelihoods": [{"id": lk, "name": lk} for lk in liks]
            + ([{"id": "LX", "name": "Eliminated", "eliminated": True}] if eliminated else []),
            "risk_levels": [{"id": r} for r in risks]
            + ([{"id": "RX", "eliminated": True}] if eliminated else []),
            "matrix": matrix,
        }
    )


def _cells(p: Profile):
    return [(s, lk) for s in p.severity_ids() for lk in p.likelihood_ids()]


@given(st.one_of(st.just(DEFAULT), profiles()), st.data())
def test_risk_is_monotone_in_severity_and_likelihood(p: Profile, data: st.DataObject) -> None:
    (s1, l1), (s2, l2) = (
        data.draw(st.sampled_from(_cells(p))),
        data.draw(st.sampled_from(_cells(p))),
    )
    if severity_rank(p, s1) >= severity_rank(p, s2) and likelihood_rank(p, l1) >= likelihood_rank(
        p, l2
    ):
        assert risk_rank(p, risk(p, s1, l1)) >= risk_rank(p, risk(p, s2, l2))


@given(profiles())
def test_eliminated_is_absorbing_in_the_matrix(p: Profile) -> None:
    gone = p.eliminated_likelihood()
    if gone is None:
        return
    eliminated_risks = {r.id for r in p.risk_levels if r.eliminated}
    for s in p.severity_ids():
        assert risk(p, s, gone) in eliminated_risks
        # and it is the lowest risk of its row
        assert all(
            risk_rank(p, risk(p, s, gone)) <= risk_rank(p, risk(p, s, lk))
            for lk in p.likelihood_ids()
        )


@given(st.data())
def test_eliminated_is_absorbing_for_residuals(data: st.DataObject) -> None:
    p = DEFAULT
    levels = p.likelihood_ids()
    expert, residual, assessed = (data.draw(st.sampled_from(levels)) for _ in range(3))
    out = residual_likelihood(p, expert, residual, assessed)
    if "F" in (expert, residual, assessed):
        assert out == "F"
    else:
        assert out != "F"
        # mitigation credit never makes the residual likelier than the assessed level
        assert likelihood_rank(p, out) <= likelihood_rank(p, assessed)


@given(st.data())
def test_residual_equals_the_expert_residual_without_evidence(data: st.DataObject) -> None:
    p = DEFAULT
    live = [lk for lk in p.likelihood_ids() if not is_eliminated(p, lk)]
    i = data.draw(st.integers(0, len(live) - 1))
    j = data.draw(st.integers(i, len(live) - 1))
    assert residual_likelihood(p, live[i], live[j], live[i]) == live[j]


@given(st.sampled_from(DEFAULT.likelihood_ids()), st.integers(-10, 10))
def test_shift_never_reaches_or_leaves_eliminated(level: str, steps: int) -> None:
    out = shift_likelihood(DEFAULT, level, steps)
    assert is_eliminated(DEFAULT, out) == is_eliminated(DEFAULT, level)


@given(st.lists(st.sampled_from(DEFAULT.likelihood_ids())))
def test_likeliest_is_the_most_frequent(levels: list[str]) -> None:
    best = likeliest(DEFAULT, levels)
    if not levels:
        assert best is None
    else:
        assert best in levels
        assert all(likelihood_rank(DEFAULT, best) >= likelihood_rank(DEFAULT, lk) for lk in levels)


@settings(max_examples=50)
@given(profiles(), st.data())
def test_breaking_monotonicity_is_always_rejected(p: Profile, data: st.DataObject) -> None:
    sevs, liks = p.severity_ids(), [lk for lk in p.likelihood_ids() if not is_eliminated(p, lk)]
    live_risks = [r.id for r in p.risk_levels if not r.eliminated]
    if len(live_risks) < 2 or (len(sevs) < 2 and len(liks) < 2):
        return
    # make the least severe, least likely cell the highest risk while another cell is lower
    s, lk = sevs[-1], liks[-1]
    if p.matrix[s][lk] == live_risks[0]:
        return
    matrix = {k: dict(v) for k, v in p.matrix.items()}
    matrix[s][lk] = live_risks[0]
    if all(matrix[a][b] == live_risks[0] for a in sevs for b in liks):
        return
    with pytest.raises(ValueError, match="higher than"):
        Profile.model_validate({**p.model_dump(), "matrix": matrix})


def test_ranks_reject_unknown_ids() -> None:
    with pytest.raises(KeyError):
        severity_rank(DEFAULT, "9")
    with pytest.raises(KeyError):
        likelihood_rank(DEFAULT, "Z")
    with pytest.raises(KeyError):
        risk_rank(DEFAULT, "Extreme")
    with pytest.raises(KeyError):
        risk(DEFAULT, "1", "Z")
