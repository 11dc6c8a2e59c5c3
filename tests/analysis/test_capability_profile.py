"""The capability profile on hand-built records: cells with the project's interval and counts,
where each model stops being reliable, the failure breakdown, models side by side, dimensions
no code knows, former dimension names, what is left out and why, and the versioned JSON."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from record_fakes import Rec, make_records

from codehazard.analysis import (
    PROFILE_SCHEMA_VERSION,
    CapabilityProfile,
    CellInterval,
    ProfileCell,
    ProfileSource,
    capability_profile,
)
from codehazard.analysis._profile import reliability
from codehazard.errors import ArgumentError
from codehazard.scoring import task_rate_interval


def _level(
    suite: str, dimension: str, level: int, passes: list[int], *, n: int = 10, run: str = "r1"
) -> list[Rec]:
    """One task per entry of ``passes``, ``n`` samples each, that many of them passing; the
    failures name failure kind ``wrong`` on even tasks and none on odd ones."""
    out: list[Rec] = []
    for t, c in enumerate(passes):
        statuses = ["passed"] * c + ["failed"] * (n - c)
        kinds = [None] * c + ["wrong" if t % 2 == 0 else None] * (n - c)
        out += make_records(
            f"{suite}/L{level}/{t}",
            statuses,
            run_id=run,
            kinds=kinds,
            suite=suite,
            dimension=dimension,
            level=level,
        )
    return out


def _profile(*sources: ProfileSource, **kwargs: object) -> CapabilityProfile:
    return capability_profile(list(sources), **kwargs)  # type: ignore[arg-type]


def test_a_cell_has_pass_at_1_its_interval_and_its_counts() -> None:
    records = _level("temporal", "temporal-safety", 2, [10, 7, 4])
    profile = _profile(ProfileSource("m", records, ("r1",)))
    (dim,) = profile.dimensions
    assert (dim.dimension, dim.label, dim.suites, dim.levels) == (
        "temporal-safety",
        "temporal safety",
        ["temporal"],
        [2],
    )
    (cell,) = dim.models[0].cells
    assert (cell.level, cell.n_tasks, cell.n_samples, cell.passed) == (2, 3, 30, 21)
    assert cell.pass_at_1 == pytest.approx(0.7)
    expected = task_rate_interval([(10, 10), (7, 10), (4, 10)], confidence=0.95).interval
    assert (cell.interval.low, cell.interval.high) == (expected.low, expected.high)
    assert cell.failures == {"wrong": 6, "failed": 3}
    assert profile.interval_method == "cluster-score" and profile.confidence == 0.95
    assert profile.models[0].n_samples == 30 and profile.models[0].runs == ["r1"]


def test_reliable_up_to_the_level_before_the_first_that_falls_below() -> None:
    rates = {1: [50, 50], 2: [45, 45], 3: [35, 35], 4: [17, 18], 5: [30, 30]}  # of 50 each
    records = [r for lv, p in rates.items() for r in _level("s", "abstraction", lv, p, n=50)]
    profile = _profile(ProfileSource("m", records))
    model = profile.dimensions[0].models[0]
    high, low = model.reliability
    assert (high.threshold, high.reliable_up_to, high.falls_below_at) == (0.8, 2, 3)
    # pass@1 1.0, 0.9, 0.7, 0.35, 0.6: the first fall decides, level 5's 0.6 does not count
    assert (low.threshold, low.reliable_up_to, low.falls_below_at) == (0.5, 3, 4)
    # 100 samples a level: the lower end at level 2 (0.9) is above 0.8, at level 3 not
    assert high.conservative_up_to == 2 and low.conservative_up_to == 3
    assert high.certainly_below_at == 3 and low.certainly_below_at == 4


def test_reliability_at_the_ends_and_with_thin_evidence() -> None:
    strong = [r for lv in (1, 2, 3) for r in _level("s", "concurrency", lv, [10, 10])]
    weak = [r for lv in (1, 2) for r in _level("s", "nondeterminism", lv, [1, 0], n=2)]
    thin = _level("s", "hyperproperties", 1, [2], n=2)  # 2 of 2: reliable, but not surely
    profile = _profile(ProfileSource("m", strong + weak + thin), thresholds=[0.5])
    by_dim = {d.dimension: d.models[0].reliability[0] for d in profile.dimensions}
    assert (by_dim["concurrency"].reliable_up_to, by_dim["concurrency"].falls_below_at) == (3, None)
    assert by_dim["nondeterminism"].reliable_up_to is None
    assert by_dim["nondeterminism"].falls_below_at == 1
    hyper = by_dim["hyperproperties"]
    assert hyper.reliable_up_to == 1 and hyper.conservative_up_to is None
    assert hyper.certainly_below_at is None


def test_dimensions_in_the_frameworks_order_then_any_other_by_name() -> None:
    records = (
        _level("abstraction", "abstraction", 1, [5])
        + _level("tiny", "zeta-made-up", 1, [5])
        + _level("tiny", "alpha-made-up", 3, [5])
        + _level("building-blocks", "specification-complexity", 1, [5])
        + _level("hyperproperties", "hyperproperties", 2, [5])
        + _level("interdependence", "interdependence", 1, [5])
    )
    profile = _profile(ProfileSource("m", records))
    assert [d.dimension for d in profile.dimensions] == [
        "specification-complexity",
        "interdependence",
        "hyperproperties",
        "abstraction",
        "alpha-made-up",
        "zeta-made-up",
    ]
    assert profile.dimensions[0].label == "chain length"
    assert profile.dimensions[-1].label == "zeta-made-up"


def test_a_former_dimension_name_is_read_as_todays() -> None:
    old = _level("variable-binding", "variable-interdependency", 3, [6, 4])
    new = _level("variable-binding", "variable-binding", 4, [2, 2])
    profile = _profile(ProfileSource("m", old + new))
    (dim,) = profile.dimensions
    assert dim.dimension == "variable-binding" and dim.label == "variable binding"
    assert dim.levels == [3, 4]
    assert profile.dimension("variable-interdependency") is dim


def test_samples_outside_the_profile_are_counted_by_why() -> None:
    placed = _level("temporal", "temporal-liveness", 1, [3], n=3)
    humaneval = make_records("HumanEval/0", ["passed", "failed"])
    no_level = make_records("t/x", ["passed"], suite="t", dimension="concurrency", level="L1")
    waiting = make_records("temporal/L1/9", [None, "infra"], **placed[0].metadata)
    profile = _profile(ProfileSource("m", placed + humaneval + no_level + waiting))
    assert profile.models[0].left_out == {
        "infra": 1,
        "no-dimension": 2,
        "no-level": 1,
        "pending": 1,
    }
    assert profile.models[0].n_samples == 3
    assert any("no integer level" in note for note in profile.notes)
    only_humaneval = _profile(ProfileSource("m", humaneval))
    assert only_humaneval.dimensions == []
    assert any("HumanEval-format files do not" in note for note in only_humaneval.notes)


def test_models_side_by_side_each_with_its_own_cells() -> None:
    a = _level("temporal", "temporal-safety", 1, [9, 9]) + _level("c", "concurrency", 2, [3])
    b = _level("temporal", "temporal-safety", 1, [5, 6], run="r2") + _level(
        "temporal", "temporal-safety", 2, [1, 1], run="r2"
    )
    profile = _profile(
        ProfileSource("model-a", a, ("r1",)), ProfileSource("model-b", b, ("r2",), simulated=True)
    )
    assert [m.model for m in profile.models] == ["model-a", "model-b"]
    safety = profile.dimension("temporal-safety")
    assert safety is not None and safety.levels == [1, 2]
    first, second = safety.models
    assert [c.level for c in first.cells] == [1] and [c.level for c in second.cells] == [1, 2]
    assert first.cells[0].pass_at_1 == pytest.approx(0.9)
    assert second.cells[0].pass_at_1 == pytest.approx(0.55)
    concurrency = profile.dimension("concurrency")
    assert concurrency is not None
    assert concurrency.models[1].cells == [] and concurrency.models[1].reliability == []
    assert any("model-b: simulated" in note for note in profile.notes)


def test_the_json_is_versioned_and_reads_back() -> None:
    profile = _profile(ProfileSource("m", _level("s", "abstraction", 4, [3, 8])))
    data = profile.model_dump(mode="json")
    assert data["schema_version"] == PROFILE_SCHEMA_VERSION and data["kind"] == "codehazard-profile"
    assert data["thresholds"] == [0.8, 0.5]
    assert CapabilityProfile.model_validate(data) == profile
    cell = data["dimensions"][0]["models"][0]["cells"][0]
    assert set(cell) == {
        "level",
        "n_tasks",
        "n_samples",
        "passed",
        "pass_at_1",
        "interval",
        "failures",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"thresholds": []}, "give at least one"),
        ({"thresholds": [0.8, 0]}, "not a pass rate"),
        ({"thresholds": [1.2]}, "not a pass rate"),
        ({"thresholds": [0.5, 0.5]}, "twice"),
        ({"confidence": 1.0}, "confidence must be in"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        _profile(ProfileSource("m", []), **kwargs)


def test_sources_need_distinct_model_names() -> None:
    with pytest.raises(ArgumentError, match="model names must differ"):
        _profile(ProfileSource("m", []), ProfileSource("m", []))
    with pytest.raises(ArgumentError, match="at least one column group"):
        capability_profile([])


def test_thresholds_are_kept_highest_first() -> None:
    profile = _profile(ProfileSource("m", []), thresholds=(0.5, 0.9, 0.7))
    assert profile.thresholds == [0.9, 0.7, 0.5]


_cells = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=8
)


@given(_cells, st.floats(0.01, 1))
def test_reliability_orders_its_readings(values: list[tuple[float, ...]], t: float) -> None:
    cells = []
    for level, triple in enumerate(values, start=1):
        low, point, high = sorted(triple)
        cells.append(
            ProfileCell(
                level=level,
                n_tasks=1,
                n_samples=1,
                passed=0,
                pass_at_1=point,
                interval=CellInterval(low=low, high=high),
            )
        )
    rel = reliability(cells, t)
    order = {c.level: i for i, c in enumerate(cells)}

    def at(level: int | None) -> int:
        return -1 if level is None else order[level]

    # the lower end falls first, the upper end last: conservative <= reliable < falls <= surely
    assert at(rel.conservative_up_to) <= at(rel.reliable_up_to)
    if rel.falls_below_at is None:
        assert rel.reliable_up_to == cells[-1].level and rel.certainly_below_at is None
    else:
        assert at(rel.reliable_up_to) + 1 == at(rel.falls_below_at)
        assert cells[at(rel.falls_below_at)].pass_at_1 < t
        if rel.certainly_below_at is not None:
            assert at(rel.certainly_below_at) >= at(rel.falls_below_at)
    assert all(c.pass_at_1 >= t for c in cells[: at(rel.reliable_up_to) + 1])
