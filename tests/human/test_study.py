"""The study's design: a balanced seeded draw, each participant's own balanced order, and the
two-way interval of a pooled human rate."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.errors import ArgumentError
from codehazard.human import StudyConfig, distinct_order, select_tasks
from codehazard.scoring import crossed_mean, crossed_rate, wilson_interval
from codehazard.tasks.suites import get_suite

PARAMS = {"lengths": (1, 2, 3), "per_length": 4}


@pytest.fixture(scope="module")
def tasks() -> list:
    return get_suite("building-blocks").build(**PARAMS)


def _config(**kw: object) -> StudyConfig:
    return StudyConfig(suites=("building-blocks",), params=dict(PARAMS), **kw)  # type: ignore[arg-type]


def test_the_draw_is_balanced_and_seeded(tasks: list) -> None:
    chosen = select_tasks(_config(per_level=2, seed=1), tasks)
    assert Counter(t.metadata["level"] for t in chosen) == {1: 2, 2: 2, 3: 2}
    again = select_tasks(_config(per_level=2, seed=1), tasks)
    assert [t.task_id for t in again] == [t.task_id for t in chosen]
    other = select_tasks(_config(per_level=2, seed=2), tasks)
    assert [t.task_id for t in other] != [t.task_id for t in chosen]


def test_levels_can_be_chosen_and_bad_designs_are_named(tasks: list) -> None:
    chosen = select_tasks(_config(per_level=1, levels=(2,)), tasks)
    assert [t.metadata["level"] for t in chosen] == [2]
    with pytest.raises(ArgumentError, match="level 9"):
        select_tasks(_config(levels=(9,)), tasks)
    with pytest.raises(ArgumentError, match="has only 4"):
        select_tasks(_config(per_level=5), tasks)


def test_each_participant_gets_an_order_of_their_own_balanced_over_levels(tasks: list) -> None:
    chosen = select_tasks(_config(per_level=2), tasks)
    level = {t.task_id: t.metadata["level"] for t in chosen}
    orders: list[list[str]] = []
    for i in range(6):
        orders.append(distinct_order(chosen, 0, i, orders))
    assert all(sorted(o) == sorted(level) for o in orders)
    assert len({tuple(o) for o in orders}) == 6
    # a Latin square over levels: each level comes first for two of the six participants
    assert Counter(level[o[0]] for o in orders) == {1: 2, 2: 2, 3: 2}
    assert distinct_order(chosen, 0, 4, orders[:4]) == orders[4]  # seeded


def test_the_crossed_interval_widens_when_participants_differ() -> None:
    # two strong and two weak participants on six tasks: participants, not tasks, vary
    obs = [(p, t, float(p < 2)) for p in range(4) for t in range(6)]
    pooled = crossed_rate(obs)
    naive = wilson_interval(12, 24)
    assert pooled.value == 0.5
    assert pooled.interval is not None
    assert pooled.interval.high - pooled.interval.low > naive.high - naive.low
    assert pooled.n_participants == 4 and pooled.n_tasks == 6


def test_all_equal_outcomes_count_only_the_fewer_clusters() -> None:
    pooled = crossed_rate([(p, t, 1.0) for p in range(2) for t in range(8)])
    assert pooled.n_effective == 2.0
    assert pooled.interval is not None and pooled.interval.high == 1.0
    assert pooled.interval.low < wilson_interval(16, 16).low


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6), st.booleans()), min_size=1))
def test_the_crossed_rate_is_a_rate_inside_its_interval(raw: list) -> None:
    cells = {(p, t): float(v) for p, t, v in raw}
    obs = [(p, t, v) for (p, t), v in cells.items()]
    pooled = crossed_rate(obs)
    assert pooled.interval is not None
    assert 0 <= pooled.interval.low <= pooled.value <= pooled.interval.high <= 1


def test_a_mean_time_has_an_interval_from_two_observations() -> None:
    assert crossed_mean([("a", "t", 10.0)]).interval is None
    timed = crossed_mean([("a", "t", 10.0), ("b", "u", 30.0), ("a", "u", 20.0)])
    assert timed.value == 20.0
    assert timed.interval is not None and timed.interval.low < 20.0 < timed.interval.high
