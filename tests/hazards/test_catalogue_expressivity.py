"""The default catalogue's rules on the expressivity suites (temporal, concurrency,
nondeterminism): they fire on those suites' metrics when a run holds them, and fall back (no
evidence from that rule, the hazard decided by its other rules or its expert) when it does not."""

from __future__ import annotations

from record_fakes import Rec, make_records

from codehazard.hazards import assess, default_catalogue_text, parse_log
from codehazard.metrics import default_registry

REGISTRY = default_registry(plugins=False)
LOADED = parse_log(default_catalogue_text(), "catalogue.yaml", registry=REGISTRY)
EXPRESSIVITY = ("suite.temporal.", "suite.concurrency.", "suite.nondeterminism.")


def _hazard(records: list[Rec], hazard_id: str):
    assessment = assess(LOADED, records, registry=REGISTRY)
    return next(h for h in assessment.hazards if h.id == hazard_id)


def _building_blocks() -> list[Rec]:
    return [
        r
        for i in range(25)
        for r in make_records(
            f"bb/{i}", ["passed", "failed"], suite="building-blocks", components=1 + i % 5
        )
    ]


def _concurrency(races: int) -> list[Rec]:
    """20 tasks over levels 1-3, 5 samples each; ``races`` in ten samples fail as races, spread
    evenly over the tasks (one or two a task at 3 in 10)."""
    records: list[Rec] = []
    for t in range(20):
        statuses = ["failed" if (t * 5 + i) % 10 < races else "passed" for i in range(5)]
        kinds = ["race" if s == "failed" else None for s in statuses]
        records += make_records(
            f"concurrency/{t}", statuses, kinds=kinds, suite="concurrency", level=1 + t % 3
        )
    return records


def test_the_catalogue_cites_the_expressivity_suites() -> None:
    cited = {
        (h.id, r.metric)
        for h in LOADED.log.hazards
        for r in h.evidence
        if r.metric.startswith(EXPRESSIVITY)
    }
    assert ("HZ-OVR-1", "suite.concurrency.rate.kind.race") in cited
    assert ("HZ-OVR-2", "suite.concurrency.rate.kind.deadlock") in cited
    assert ("HZ-OVR-3", "suite.temporal.rate.failed{level>=2}") in cited
    assert ("HZ-SCU-1", "suite.concurrency.pass@1{level>=3}") in cited


def test_rules_whose_suite_is_absent_fall_back_without_failing() -> None:
    ovr = _hazard(_building_blocks(), "HZ-OVR-3")
    assert ovr.likelihood_basis == "evidence" and ovr.likelihood == "A"
    absent = [e for e in ovr.evidence if e.metric.startswith(EXPRESSIVITY)]
    assert len(absent) == 3
    for e in absent:
        assert e.value is None and not e.outcome.fired and not e.decisive
    assert [e.metric for e in ovr.evidence if e.decisive] == [
        "suite.building-blocks.rate.failed{components>=3}"
    ]
    # a hazard whose only data-bearing rules cite absent suites keeps its expert likelihood
    ovr2 = _hazard(_building_blocks(), "HZ-OVR-2")
    kinds = [e for e in ovr2.evidence if ".rate.kind." in e.metric]
    assert kinds and all(e.value is None for e in kinds)
    assert ovr2.likelihood_basis == "evidence"  # the timeout and memory rates have data
    scu = _hazard([], "HZ-SCU-1")
    assert scu.likelihood_basis == "no-data" and scu.likelihood == scu.expert_likelihood


def test_failure_kind_rates_set_the_likelihood_when_the_suite_is_there() -> None:
    # 30 of 100 samples race: the conservative (upper) end is above B's 0.2 and below A's 0.5
    ovr = _hazard(_concurrency(races=3), "HZ-OVR-1")
    race = next(e for e in ovr.evidence if e.metric == "suite.concurrency.rate.kind.race")
    assert race.value == 0.3 and race.outcome.fired and race.outcome.level == "B"
    assert race.interval is not None and 0.3 < race.interval.high < 0.5
    # no race at all: a 0% rate over 100 samples of 20 tasks still has an upper end
    calm = _hazard(_concurrency(races=0), "HZ-OVR-1")
    none = next(e for e in calm.evidence if e.metric == "suite.concurrency.rate.kind.race")
    assert none.value == 0.0 and none.outcome.fired and none.outcome.level in ("C", "D")
    # a capable model on the hard levels makes safety-critical use likelier
    scu = _hazard(_concurrency(races=0), "HZ-SCU-1")
    rule = next(e for e in scu.evidence if e.metric == "suite.concurrency.pass@1{level>=3}")
    assert rule.value == 1.0 and rule.outcome.level == "A" and scu.likelihood == "A"
