"""The default catalogue's rules on the interdependence, hyperproperties and abstraction suites:
they fire on those suites' metrics when a run holds them (hand-built records carrying the
metadata and failure kinds the suites write: ``suite``, ``dimension``, ``level``; ``coupling``,
``leak``), and fall back (no evidence from that rule; the hazard decided by its other rules or
its expert) when it does not. ``suite.<name>.pass@1{level>=N}`` and ``{level=N}`` select by
level for any suite."""

from __future__ import annotations

import pytest
from record_fakes import Rec, make_records

from codehazard.hazards import assess, default_catalogue_text, parse_log
from codehazard.metrics import default_registry

REGISTRY = default_registry(plugins=False)
LOADED = parse_log(default_catalogue_text(), "catalogue.yaml", registry=REGISTRY)
NEW = ("suite.interdependence.", "suite.hyperproperties.", "suite.abstraction.")


def _hazard(records: list[Rec], hazard_id: str):
    assessment = assess(LOADED, records, registry=REGISTRY)
    return next(h for h in assessment.hazards if h.id == hazard_id)


def _rule(hazard, metric: str):
    return next(e for e in hazard.evidence if e.metric == metric)


def _suite(name: str, dimension: str, fails: dict[int, int], kind: str | None) -> list[Rec]:
    """Four tasks a level, five samples each; ``fails[level]`` of every ten samples fail (with
    failure kind ``kind``), spread evenly over the level's tasks."""
    records: list[Rec] = []
    for level, failing in fails.items():
        for t in range(4):
            statuses = ["failed" if (t * 5 + i) % 10 < failing else "passed" for i in range(5)]
            records += make_records(
                f"{name}/L{level}/{t}",
                statuses,
                kinds=[kind if s == "failed" else None for s in statuses],
                suite=name,
                dimension=dimension,
                level=level,
            )
    return records


def _building_blocks() -> list[Rec]:
    return [
        r
        for i in range(25)
        for r in make_records(
            f"bb/{i}", ["passed", "failed"], suite="building-blocks", components=1 + i % 5
        )
    ]


def test_the_catalogue_cites_the_new_suites() -> None:
    cited = {(h.id, r.metric) for h in LOADED.log.hazards for r in h.evidence}
    assert ("HZ-SEC-4", "suite.hyperproperties.rate.kind.leak") in cited
    assert ("HZ-OVR-1", "suite.interdependence.rate.kind.coupling") in cited
    assert ("HZ-OVR-3", "suite.interdependence.rate.failed{level>=2}") in cited
    assert ("HZ-OVR-3", "suite.abstraction.rate.failed{level>=3}") in cited
    assert ("HZ-SCU-1", "suite.abstraction.pass@1{level>=4}") in cited


def test_rules_on_absent_suites_fall_back_to_other_rules_or_the_expert() -> None:
    records = _building_blocks()
    leak = _hazard(records, "HZ-SEC-4")
    assert leak.likelihood_basis == "no-data" and leak.likelihood == leak.expert_likelihood
    rule = _rule(leak, "suite.hyperproperties.rate.kind.leak")
    assert rule.value is None and not rule.outcome.fired and not rule.decisive
    assert "no checked samples of suite 'hyperproperties'" in rule.outcome.reason
    ovr3 = _hazard(records, "HZ-OVR-3")
    absent = [e for e in ovr3.evidence if e.metric.startswith(NEW)]
    assert len(absent) == 2 and all(e.value is None and not e.outcome.fired for e in absent)
    assert ovr3.likelihood_basis == "evidence"  # decided by building-blocks
    scu = _hazard(records, "HZ-SCU-1")
    assert _rule(scu, "suite.abstraction.pass@1{level>=4}").value is None
    assert scu.likelihood_basis == "evidence"  # building-blocks' components>=4 rule has data


def test_leaks_set_the_likelihood_of_the_leak_hazard() -> None:
    # 2 in 10 samples leak at every level: 0.2, above B's 0.1 even at the interval's lower end
    records = _suite("hyperproperties", "hyperproperties", {1: 2, 2: 2, 3: 2}, "leak")
    hazard = _hazard(records, "HZ-SEC-4")
    rule = _rule(hazard, "suite.hyperproperties.rate.kind.leak")
    assert rule.value == pytest.approx(0.2) and rule.n == 60 and rule.outcome.fired
    assert rule.outcome.level == "A"  # conservative: the upper end is compared, above 0.3
    assert rule.interval is not None and rule.interval.high > 0.3
    assert hazard.likelihood_basis == "evidence" and hazard.likelihood == "A"
    # no leak in 60 samples: rarer than the expert thought, but never eliminated
    calm = _hazard(_suite("hyperproperties", "hyperproperties", {1: 0, 2: 0}, None), "HZ-SEC-4")
    quiet = _rule(calm, "suite.hyperproperties.rate.kind.leak")
    assert quiet.value == 0.0 and quiet.outcome.level in ("B", "C") and calm.likelihood != "F"


def test_couplings_that_break_count_in_the_over_reliance_hazards() -> None:
    records = _suite("interdependence", "interdependence", {1: 0, 2: 3, 3: 6}, "coupling")
    ovr1 = _hazard(records, "HZ-OVR-1")
    coupling = _rule(ovr1, "suite.interdependence.rate.kind.coupling")
    assert coupling.value == pytest.approx(0.3) and coupling.outcome.fired
    ovr3 = _hazard(records, "HZ-OVR-3")
    deep = _rule(ovr3, "suite.interdependence.rate.failed{level>=2}")
    assert deep.value == pytest.approx(0.45) and deep.n == 40 and deep.outcome.level == "A"


def test_abstraction_pass_rates_by_level_select_levels_of_any_suite() -> None:
    records = _suite("abstraction", "abstraction", {1: 0, 2: 2, 3: 4, 4: 8}, "contract")
    top = REGISTRY.measure("suite.abstraction.pass@1{level>=4}", records)
    assert top.value == pytest.approx(0.2) and top.n_tasks == 4 and top.n == 20
    assert top.interval is not None and top.interval.method == "cluster-score"
    exact = REGISTRY.measure("suite.abstraction.pass@1{level=4}", records)
    assert exact.value == top.value and exact.samples == top.samples
    upper = REGISTRY.measure("suite.abstraction.pass@1{level>=3}", records)
    assert upper.value == pytest.approx((0.6 + 0.2) / 2) and upper.n_tasks == 8
    assert REGISTRY.measure("suite.abstraction.pass@1{level=2}", records).value == 0.8
    scu = _hazard(records, "HZ-SCU-1")
    rule = _rule(scu, "suite.abstraction.pass@1{level>=4}")
    # likelier when higher: the upper end is compared, and four tasks that differ leave it wide
    assert rule.value == pytest.approx(0.2) and rule.outcome.fired
    assert rule.outcome.compared == "high" and rule.outcome.level == "B"
    assert rule.interval is not None and 0.6 <= rule.interval.high < 0.8
    ovr3 = _hazard(records, "HZ-OVR-3")
    failed = _rule(ovr3, "suite.abstraction.rate.failed{level>=3}")
    assert failed.value == pytest.approx(0.6) and failed.outcome.level == "A"


def test_a_former_dimension_name_is_selected_by_todays() -> None:
    old = make_records(
        "variable-binding/k2-m03/000",
        ["passed", "failed", "failed", "passed"],
        suite="variable-binding",
        dimension="variable-interdependency",
        level=3,
    )
    chosen = REGISTRY.measure('suite.*.rate.failed{dimension="variable-binding"}', old)
    assert chosen.value == 0.5 and chosen.n == 4
    assert REGISTRY.measure('suite.*.rate.failed{dimension="interdependence"}', old).n == 0
